"""Only registry hosts, never private networks: a downloader middleware checking every request
(redirects included, since Scrapy sends a redirect target through the middlewares again)."""

from __future__ import annotations

import ipaddress
import logging
import socket

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class RefusedHost(IgnoreRequest):
    """Raised by ``SafetyMiddleware`` for a host outside the registry or on a private network;
    Scrapy drops the request and the crawl goes on."""


def is_public(host: str) -> bool:
    """True when every address ``host`` resolves to is a global (public) unicast address."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return True  # unresolvable: the download fails on its own, nothing private is reached
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return True


class SafetyMiddleware:
    """Refuses hosts outside ``GK_ALLOWED_HOSTS`` and, unless ``GK_ALLOW_PRIVATE``, hosts that
    resolve to private, loopback, link-local or otherwise non-global addresses."""

    def __init__(self, hosts: set[str], allow_private: bool) -> None:
        self.hosts = {h.lower() for h in hosts}
        self.allow_private = allow_private
        self._public: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        settings = crawler.settings
        return cls(set(settings.getlist("GK_ALLOWED_HOSTS")), settings.getbool("GK_ALLOW_PRIVATE"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        hostname = (urlparse_cached(request).hostname or "").lower()
        if hostname not in self.hosts:
            logger.warning("refused %s: host %s is not in the sources registry", request.url, hostname)
            raise RefusedHost(f"host not in registry: {hostname}")
        if not self.allow_private and not self._is_public(hostname):
            logger.warning("refused %s: %s is a private address (use --allow-private)",
                           request.url, hostname)
            raise RefusedHost(f"private address: {hostname}")

    def _is_public(self, hostname: str) -> bool:
        if hostname not in self._public:
            self._public[hostname] = is_public(hostname)
        return self._public[hostname]


class TlsFallbackMiddleware:
    """Some gov hosts fail TLS (old ciphers, broken renegotiation, http-only behind an https
    link; gov-sites.md §7): such a request is retried once over plain http. The manifest then
    shows it: ``requested_url`` https, ``final_url`` http."""

    def process_exception(self, request: Request, exception: Exception,
                          spider: Spider | None = None) -> Request | None:
        if not request.url.startswith("https://") or request.meta.get("gk_tls_fallback"):
            return None
        if not _is_tls_failure(exception):
            return None
        logger.warning("%s: TLS failed (%s); retrying once over http", request.url,
                       type(exception).__name__)
        meta = dict(request.meta, gk_tls_fallback=request.url)
        return request.replace(url="http://" + request.url[len("https://"):], meta=meta,
                               dont_filter=True)


def _is_tls_failure(exception: Exception) -> bool:
    """OpenSSL errors arrive wrapped (ResponseNeverReceived([Failure(SSL.Error)]))."""
    reasons = [exception, *getattr(exception, "reasons", [])]
    text = " ".join(f"{type(r).__name__} {r!r}" for r in reasons)
    return any(marker in text for marker in ("SSL", "TLS", "tls", "handshake"))
