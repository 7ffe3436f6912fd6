"""Who may use the review app, and what a page may do in the browser.

The rules, before the code:

* Every request carries the access token, as Jupyter's do: ``?token=…`` once (the app
  answers with an HttpOnly, SameSite=Strict cookie and sends the browser on to the same URL
  without the token, so it stays out of history and referrers), the cookie after. A request
  with neither is refused with 403, static files and source files included.
* A write (any method but GET and HEAD) needs, on top, the CSRF token of the page (an HMAC
  of the access token, which a page embeds and the app's script sends in a header), a JSON
  body, and no sign of coming from another origin (``Origin`` and ``Sec-Fetch-Site``).
* Every response says what a page may load: the app's own pages only the app's own scripts,
  styles and images (no CDN, nothing inline); a stored report page is served by its route
  with a stricter policy of its own, which this guard leaves in place.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_PARAM = "token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# The app's own pages: scripts, styles, images and frames from the app only; nothing inline
# but styles set from script (the highlight boxes), no plug-ins, no <base>, no framing
# by another site.
APP_CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
REFUSED = ("403: this review app needs its access token. Open the URL that "
           "`gk-extract review` printed (…/?token=…).\n")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(token: str) -> str:
    """The token a page sends back with its writes: derived from the access token, so it
    needs no server state and a page of another origin cannot know it."""
    return hmac.new(token.encode(), b"gk-review-csrf", hashlib.sha256).hexdigest()


def cookie_name(port: int) -> str:
    """Cookies ignore ports: two review apps on one host keep one cookie each."""
    return f"gk_review_{port}"


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class AccessGuard:
    """ASGI middleware: the token on every request, CSRF on every write, security headers on
    every response."""

    def __init__(self, app: ASGIApp, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf_token(token)
        self.cookie = cookie_name(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get(TOKEN_PARAM)
        if _same(given, self.token) and scope["method"] in SAFE_METHODS:
            await self._welcome(scope, query)(scope, receive, send)
            return
        if not (_same(given, self.token) or _same(self._cookie(headers), self.token)):
            await PlainTextResponse(REFUSED, status_code=403)(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and (problem := self._write_problem(headers)):
            await PlainTextResponse(f"403: {problem}\n", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send))

    def _cookie(self, headers: Headers) -> str | None:
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie:
                return value
        return None

    def _welcome(self, scope: Scope, query: list[tuple[str, str]]) -> RedirectResponse:
        """The cookie, and the same URL without the token."""
        rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
        response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
        response.headers["cache-control"] = "no-store"
        return response

    def _write_problem(self, headers: Headers) -> str | None:
        if not _same(headers.get(CSRF_HEADER), self.csrf):
            return "a write needs the page's CSRF token"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "cross-site writes are refused"
        origin = headers.get("origin")
        if origin is not None and origin.split("://", 1)[-1] != headers.get("host"):
            return "cross-origin writes are refused"
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return "a write is a JSON body"
        return None


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
            if b"content-security-policy" not in present:
                extra.append((b"content-security-policy", APP_CSP.encode()))
            if b"cache-control" not in present:
                extra.append((b"cache-control", b"no-store"))
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending
