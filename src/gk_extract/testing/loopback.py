"""A small government-style site on loopback, for the tests (the role of
scrapy's tests/mockserver): fixed resources with ETag/Last-Modified and 304s, scripted
responses (429 then 200, redirect loops …) and a log of every request it answered, with the
server's own times of its start and end.

A site binds to any address of 127.0.0.0/8 (Linux routes all of it to ``lo``), so one test
can serve many hosts; ``latency`` makes every answer take that long, so requests in flight at
the same time on several hosts really overlap; ``pause`` holds new requests unanswered until
``resume`` (a crawl that is stuck on the network, at a moment the test chooses)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

# Fixed date for Last-Modified so runs are reproducible (RFC 7231 format).
LAST_MODIFIED = "Mon, 03 Mar 2025 08:00:00 GMT"


@dataclass(slots=True)
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag / Last-Modified and answer 304 to conditional requests

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True, slots=True)
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    started: float = 0.0  # time.monotonic() when the request had been read (before any pause)
    ended: float = 0.0  # time.monotonic() when the whole answer had been written

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


# A route is a fixed resource or a function of the request number for that path (0, 1, …).
Route = Resource | Callable[[int], Resource]


@dataclass(slots=True)
class _Pause:
    """Requests that arrive while a site is paused wait on ``opened``; ``drop``: when it
    opens, they are closed unanswered (their client is gone)."""

    opened: threading.Event = field(default_factory=threading.Event)
    drop: bool = False


class LoopbackSite:
    """``with LoopbackSite(routes) as site: site.url("/x")``; routes may change while it runs."""

    def __init__(self, routes: Mapping[str, Route] | None = None, *, host: str = "127.0.0.1",
                 latency: float = 0.0) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.host = host
        self.latency = latency  # seconds each answer waits before it is written
        self.hits: list[Hit] = []
        self.times: list[float] = []  # the start of each hit, in step with ``hits``
        self.held = 0  # requests waiting while the site is paused
        self.in_flight = 0  # requests being answered now
        self._pause: _Pause | None = None
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.resume(drop=True)
        self.server.shutdown()
        self.server.server_close()

    def pause(self) -> None:
        """Requests from now on wait, unanswered, until ``resume``."""
        with self._lock:
            if self._pause is None:
                self._pause = _Pause()

    def resume(self, *, drop: bool = False) -> None:
        """Answer the waiting requests, or with ``drop`` close their connections unanswered."""
        with self._lock:
            pause, self._pause = self._pause, None
        if pause is not None:
            pause.drop = drop
            pause.opened.set()

    def admit(self) -> bool:
        """Called by the handler before it answers: waits while paused; False: drop it."""
        with self._lock:
            pause = self._pause
            if pause is None:
                self.in_flight += 1
                return True
            self.held += 1
        pause.opened.wait()
        with self._lock:
            self.held -= 1
            if not pause.drop:
                self.in_flight += 1
        return not pause.drop

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def resolve(self, path: str) -> Resource:
        with self._lock:
            route = self.routes.get(path) or self.routes.get(path.split("?")[0])
            number = self._counts.get(path, 0)
            self._counts[path] = number + 1
        if route is None:
            return Resource(b"<html><body>404 Not Found</body></html>", status=404)
        return route(number) if callable(route) else route

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)
            self.times.append(hit.started)
            self.in_flight -= 1

    def paths(self, *, conditional: bool | None = None) -> list[str]:
        return [h.path for h in self.hits if conditional is None or h.conditional == conditional]


def _handler(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._answer()

        def _answer(self) -> None:
            started = time.monotonic()
            if not site.admit():
                self.close_connection = True
                return
            request = {k.lower(): v for k, v in self.headers.items()}
            status = 500
            try:
                resource = site.resolve(self.path)
                status, body, headers = _respond(resource, request)
                if site.latency:
                    time.sleep(site.latency)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            finally:
                site.record(Hit(self.command, self.path, request, status, started,
                                time.monotonic()))

        def log_message(self, format: str, *args: object) -> None:
            pass  # the site keeps its own log in ``hits``

    return Handler


def _respond(resource: Resource, request: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    headers = {"Content-Type": resource.content_type, **resource.headers}
    if resource.status != 200 or not resource.validators:
        return resource.status, resource.body, headers
    headers |= {"ETag": resource.etag(), "Last-Modified": LAST_MODIFIED}
    if request.get("if-none-match") == resource.etag() or (
            "if-none-match" not in request and request.get("if-modified-since") == LAST_MODIFIED):
        return 304, b"", {"ETag": resource.etag()}
    return 200, resource.body, headers
