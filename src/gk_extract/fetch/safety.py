"""Where the crawler may go: http and https only, only the registry's hosts and ports, never a
host that does not resolve, and never a private network.

Three layers, each on a public extension point:

* ``Origins.refusal`` filters every link the spider reads (listing HTML, JSON lists,
  next-page links, attachments) before it becomes a request;
* ``SafetyMiddleware`` checks every request again, redirects included (Scrapy sends a
  redirect target through the downloader middlewares), and resolves its host;
* ``GuardedResolver`` is Twisted's name resolver for the crawl: the addresses a connection is
  actually made to are the ones it lets through, so a host that answers a public address to
  the check and a private one to the connection (DNS rebinding) is still refused.

Proxies from the environment are not used (crawl.py), so every connection goes through the
resolver: a host the local resolver cannot resolve is refused, never handed to a proxy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


class RefusedHost(IgnoreRequest):
    """Raised by ``SafetyMiddleware`` for a URL outside the registry, a host that does not
    resolve, or one on a private network; Scrapy drops the request and the crawl goes on."""


@dataclass(frozen=True, slots=True)
class Origins:
    """The (host, port) pairs a crawl may connect to."""

    allowed: frozenset[tuple[str, int]]

    @classmethod
    def of(cls, start_urls: Iterable[str], extra_hosts: Iterable[str] = ()) -> Origins:
        """The start URLs' hosts and ports, plus ``host`` or ``host:port`` entries. A URL or
        entry without a port allows both 80 and 443: gov sites move between http and https."""
        allowed: set[tuple[str, int]] = set()
        for url in start_urls:
            parts = urlsplit(url)
            allowed |= _pairs(parts.hostname or "", parts.port)
        for entry in extra_hosts:
            parts = urlsplit(f"//{entry}")
            allowed |= _pairs(parts.hostname or "", parts.port)
        return cls(frozenset(allowed))

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Origins:
        """From ``host:port`` strings (as ``as_list`` writes them into Scrapy's settings)."""
        pairs = (entry.rsplit(":", 1) for entry in entries)
        return cls(frozenset((host, int(port)) for host, port in pairs))

    def as_list(self) -> list[str]:
        return sorted(f"{host}:{port}" for host, port in self.allowed)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` must not be fetched, or None."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} is not http or https"
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
        except ValueError:
            return "the port is not a number"
        host = (parts.hostname or "").lower()
        if (host, port) not in self.allowed:
            return f"{host}:{port} is not a host and port of the sources registry"
        return None


def _pairs(host: str, port: int | None) -> set[tuple[str, int]]:
    if not host:
        return set()
    ports = [port] if port is not None else list(DEFAULT_PORTS.values())
    return {(host.lower(), p) for p in ports}


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not ip.is_multicast


def address_problem(host: str, allow_private: bool) -> str | None:
    """Why a connection to ``host`` must not be made (it does not resolve, or resolves to a
    non-public address), or None. Blocking: run it in a thread."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return f"{host} does not resolve"
    if allow_private:
        return None
    for info in infos:
        if not is_public_address(str(info[4][0])):
            return f"{host} resolves to {info[4][0]}, a private address (use --allow-private)"
    return None


class SafetyMiddleware:
    """Refuses a request whose URL ``Origins`` refuses, whose host does not resolve, or (unless
    ``GK_ALLOW_PRIVATE``) whose host resolves to a private, loopback or link-local address."""

    def __init__(self, origins: Origins, allow_private: bool) -> None:
        self.origins = origins
        self.allow_private = allow_private
        self._problems: dict[str, asyncio.Future[str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(Origins.parse(settings.getlist("GK_ALLOWED_ORIGINS")),
                   settings.getbool("GK_ALLOW_PRIVATE"))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = self.origins.refusal(request.url)
        if reason is None:
            reason = await self._problem((urlsplit(request.url).hostname or "").lower())
        if reason is not None:
            logger.warning("refused %s: %s", request.url, reason)
            raise RefusedHost(reason)

    async def _problem(self, host: str) -> str | None:
        if host not in self._problems:
            self._problems[host] = asyncio.ensure_future(
                asyncio.to_thread(address_problem, host, self.allow_private))
        return await asyncio.shield(self._problems[host])


class GuardedResolver:
    """A Twisted ``IHostnameResolver``: the reactor's own name resolver, passing on only public addresses (all of them with
    ``GK_ALLOW_PRIVATE``). Installed through Scrapy's ``TWISTED_DNS_RESOLVER`` setting; every
    connection of the crawl resolves through it."""

    def __init__(self, reactor: Any, allow_private: bool) -> None:
        self.reactor = reactor
        self.allow_private = allow_private
        self.original: Any = reactor.nameResolver

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        return cls(reactor, crawler.settings.getbool("GK_ALLOW_PRIVATE"))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Any = None, transportSemantics: str = "TCP") -> Any:
        receiver = resolutionReceiver if self.allow_private else _PublicOnly(
            resolutionReceiver, hostName)
        return self.original.resolveHostName(receiver, hostName, portNumber, addressTypes,
                                             transportSemantics)


class _PublicOnly:
    """A Twisted ``IResolutionReceiver`` that passes a resolution on without its non-public addresses; with none left, the
    connection fails as for a name that does not resolve."""

    def __init__(self, receiver: Any, host: str) -> None:
        self.receiver = receiver
        self.host = host
        self.refused: list[str] = []

    def resolutionBegan(self, resolutionInProgress: Any) -> None:
        self.receiver.resolutionBegan(resolutionInProgress)

    def addressResolved(self, address: Any) -> None:
        host = str(getattr(address, "host", ""))
        if host and is_public_address(host):
            self.receiver.addressResolved(address)
        else:
            self.refused.append(host)

    def resolutionComplete(self) -> None:
        if self.refused:
            logger.warning("refused to connect to %s at %s: not a public address", self.host,
                           ", ".join(self.refused))
        self.receiver.resolutionComplete()


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
