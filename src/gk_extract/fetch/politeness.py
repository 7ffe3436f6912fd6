"""Politeness, built on Scrapy's public extension points only (a downloader middleware per
concern, the scheduler's priority queue, signals and ``Crawler.get_downloader_middleware``):

* ``HostGate``: one request at a time per host, and the host's delay between the end of one
  request and the start of the next. Crawl-delay and backoff pauses act on the same gate.
* ``HostQueue``: the scheduler hands out a request only for a host the gate has free, so a
  host with a long queue never fills the crawl's global concurrency while others wait.
* ``RobotsGate``: robots.txt as gov-sites.md §8 asks.
* ``BackoffRetryMiddleware`` and ``ChallengeMiddleware``: 429/503 and WAF challenges pause
  the whole host.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Self

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.pqueues import ScrapyPriorityQueue
from scrapy.utils.httpobj import urlparse_cached

from gk_extract.fetch.responses import WAF_CHALLENGE, trap_reason

logger = logging.getLogger(__name__)

# First backoff on 429/503 without Retry-After; doubled on each retry of the same request.
BACKOFF_BASE_S = 2.0
# A Retry-After longer than this is treated as "not today": the request gives up instead.
MAX_RETRY_AFTER_S = 600.0
BACKOFF_CODES = (429, 503)
# After this many WAF challenges a host gets no more requests in this run: it is blocking us,
# and more attempts would only look like an attack.
MAX_CHALLENGES_PER_HOST = 3
# A Crawl-delay above this is capped: a site asking for more would take days per column.
MAX_CRAWL_DELAY_S = 60.0
ROBOTS_FORBIDDEN = "forbidden by robots.txt"
ROBOTS_UNREACHABLE = "robots.txt unreachable"


def host_of(request: Request) -> str:
    return (urlparse_cached(request).hostname or "").lower()


@dataclass(slots=True)
class _Host:
    delay: float
    ready_at: float = 0.0  # time.monotonic() before which no request starts
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    claims: set[int] = field(default_factory=set)  # requests the queue handed out, in flight


class HostGate:
    """One request at a time per host; between two, the host's delay counted from the end of
    the first. Placed closest to the downloader, so requests that an earlier middleware
    drops never take the gate, and every request's response or exception passes it first.

    The delay of a host is the largest of: the crawl's delay, the registry site's ``delay``,
    and the host's robots.txt Crawl-delay. ``hold`` keeps a host idle for a while (backoff)."""

    def __init__(self, delay: float, delays: dict[str, float]) -> None:
        self.delay = delay
        self.delays = {host.lower(): d for host, d in delays.items()}
        self.hosts: dict[str, _Host] = {}
        self._holding: dict[int, _Host] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(settings.getfloat("GK_DELAY"), settings.getdict("GK_HOST_DELAYS"))

    def host(self, name: str) -> _Host:
        if name not in self.hosts:
            self.hosts[name] = _Host(max(self.delay, self.delays.get(name, 0.0)))
        return self.hosts[name]

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = self.host(host_of(request))
        await host.lock.acquire()
        self._holding[id(request)] = host
        while (wait := host.ready_at - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        self.release(request)
        return response

    def process_exception(self, request: Request, exception: Exception,
                          spider: Spider | None = None) -> None:
        self.release(request)

    def release(self, request: Request) -> None:
        """The request is done with its host (answered, failed or dropped on the way)."""
        self.host(host_of(request)).claims.discard(id(request))
        host = self._holding.pop(id(request), None)
        if host is not None:
            host.ready_at = max(host.ready_at, time.monotonic() + host.delay)
            host.lock.release()

    def claim(self, request: Request) -> None:
        self.host(host_of(request)).claims.add(id(request))

    def busy(self, name: str) -> bool:
        host = self.hosts.get(name)
        return host is not None and (bool(host.claims) or host.lock.locked())

    def ready_at(self, name: str) -> float:
        host = self.hosts.get(name)
        return host.ready_at if host is not None else 0.0

    def hold(self, name: str, seconds: float) -> None:
        """No request to this host before ``seconds`` from now."""
        host = self.host(name)
        host.ready_at = max(host.ready_at, time.monotonic() + seconds)

    def slow_to(self, name: str, delay: float) -> None:
        """The host's delay becomes at least ``delay`` seconds."""
        host = self.host(name)
        host.delay = max(host.delay, delay)


def gate_of(crawler: Crawler) -> HostGate:
    gate = crawler.get_downloader_middleware(HostGate)
    if gate is None:
        raise RuntimeError("HostGate is not among the downloader middlewares")
    return gate


class HostQueue:
    """The scheduler's priority queue: one priority queue per host, and ``pop`` takes from a
    host the gate has free, the one free soonest first (ties in turn). When every host with
    queued requests is busy it returns None; the engine asks again when a download ends."""

    def __init__(self, crawler: Crawler, downstream_queue_cls: Any, key: str,
                 start_queue_cls: Any = None) -> None:
        self.crawler = crawler
        self.downstream_queue_cls = downstream_queue_cls
        self.start_queue_cls = start_queue_cls
        self.key = key
        self.queues: dict[str, ScrapyPriorityQueue] = {}
        self._turn = 0
        self._gate: HostGate | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, downstream_queue_cls: Any, key: str,
                     startprios: Any = None, *, start_queue_cls: Any = None) -> Self:
        return cls(crawler, downstream_queue_cls, key, start_queue_cls)

    @property
    def gate(self) -> HostGate:
        if self._gate is None:
            self._gate = gate_of(self.crawler)
        return self._gate

    def push(self, request: Request) -> None:
        host = host_of(request)
        if host not in self.queues:
            self.queues[host] = ScrapyPriorityQueue(
                self.crawler, self.downstream_queue_cls, f"{self.key}/{len(self.queues)}", (),
                start_queue_cls=self.start_queue_cls)
        self.queues[host].push(request)

    def _next_host(self) -> str | None:
        free = [h for h in self.queues if not self.gate.busy(h)]
        if not free:
            return None
        self._turn += 1
        return min(free, key=lambda h: (self.gate.ready_at(h), hash((h, self._turn))))

    def pop(self) -> Request | None:
        host = self._next_host()
        if host is None:
            return None
        queue = self.queues[host]
        request = queue.pop()
        if len(queue) == 0:
            del self.queues[host]
            queue.close()
        if request is not None:
            self.gate.claim(request)
        return request

    def peek(self) -> Request | None:
        host = self._next_host()
        return self.queues[host].peek() if host is not None else None

    def close(self) -> dict[str, list[int]]:
        for queue in self.queues.values():
            queue.close()
        self.queues.clear()
        return {}

    def __len__(self) -> int:
        return sum(len(q) for q in self.queues.values())


class RobotsGate:
    """robots.txt per scheme, host and port, fetched once through the downloader (so the gate
    and the safety checks apply to it, to each redirect too; RFC 9309 asks crawlers to follow
    them): 404/410 → everything allowed; any other answer but a 2xx (401/403, 5xx, a redirect
    that could not be followed), or none at all → nothing allowed; a ``Crawl-delay`` raises
    the host's delay. A request refused because robots.txt was unreachable says so (its site's
    report shows an error, not a denial by the site)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or "*"
        self._robots: dict[str, asyncio.Future[Protego]] = {}
        self._unreachable: set[str] = set()  # origins whose robots.txt gave no answer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("gk_robots"):
            return
        robots = await self._rules(request)
        if robots.can_fetch(request.url, self.agent):
            return
        if _origin(request) in self._unreachable:
            raise IgnoreRequest(f"{ROBOTS_UNREACHABLE}: {request.url}")
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("gk/robots_forbidden")
        raise IgnoreRequest(f"{ROBOTS_FORBIDDEN}: {request.url}")

    async def _rules(self, request: Request) -> Protego:
        origin = _origin(request)
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._fetch(origin, host_of(request)))
        return await asyncio.shield(self._robots[origin])

    async def _fetch(self, origin: str, host: str) -> Protego:
        # Not handle_httpstatus_all: with it Scrapy's RedirectMiddleware hands back a redirect
        # as the answer, and its empty body would read as "everything allowed".
        robots_request = Request(f"{origin}/robots.txt", meta={
            "gk_robots": True, "dont_obey_robotstxt": True}, priority=100)
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(robots_request)
        except Exception as exc:  # noqa: BLE001 (any failure means: not allowed)
            logger.warning("robots.txt of %s unreachable (%s): not crawling that host", origin, exc)
            self._unreachable.add(origin)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if response.status in (404, 410):
            return Protego.parse("")
        if not 200 <= response.status < 300:
            logger.warning("robots.txt of %s answered %d: not crawling that host", origin,
                           response.status)
            return Protego.parse("User-agent: *\nDisallow: /\n")
        robots = Protego.parse(response.body.decode("utf-8", "replace"))
        delay = robots.crawl_delay(self.agent)
        if delay:
            delay = min(float(delay), MAX_CRAWL_DELAY_S)
            logger.info("%s asks for Crawl-delay %s s", origin, delay)
            gate_of(self.crawler).slow_to(host, delay)
        return robots


def _origin(request: Request) -> str:
    parts = urlparse_cached(request)
    return f"{parts.scheme}://{parts.netloc}"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, plus a pause of the whole host on 429/503: Retry-After when given,
    else ``BACKOFF_BASE_S * 2**n``. 403 is never retried (it is not in RETRY_HTTP_CODES).

    The pause is set on Scrapy's ``response_downloaded`` signal, which fires before the
    response passes the gate, so the host's next request already sees it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware._downloaded, signal=signals.response_downloaded)
        return middleware

    def _downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if response.status in BACKOFF_CODES and not request.meta.get("dont_retry"):
            wait = backoff_wait(request, response)
            if wait <= MAX_RETRY_AFTER_S:
                logger.info("%s answered %d: pausing the host %.1f s", request.url,
                            response.status, wait)
                gate_of(self.crawler).hold(host_of(request), wait)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        if response.status not in BACKOFF_CODES or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        if backoff_wait(request, response) > MAX_RETRY_AFTER_S:
            logger.warning("%s: Retry-After is too long, giving up", request.url)
            return response
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason=f"{response.status}",
                                  max_retry_times=self.max_retry_times)
        return retry or response


def backoff_wait(request: Request, response: Response) -> float:
    """Seconds to leave a host alone after a 429/503: its Retry-After, else doubling."""
    tries = int(request.meta.get("retry_times", 0))
    return retry_after(response.headers.get(b"Retry-After")) or BACKOFF_BASE_S * 2 ** tries


def retry_after(header: bytes | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not header:
        return None
    text = header.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ChallengeMiddleware:
    """A WAF challenge page (a 200 that asks for JavaScript or a cookie) is never solved: the
    host is paused, doubling each time, and after ``MAX_CHALLENGES_PER_HOST`` it gets no more
    requests in this run. The page itself reaches the spider, which does not store it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.challenges: dict[str, int] = {}
        crawler.signals.connect(self._downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = host_of(request)
        if self.challenges.get(host, 0) >= MAX_CHALLENGES_PER_HOST:
            raise IgnoreRequest(f"{host} answers with WAF challenges; not asking again this run")

    def _downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if response.status != 200 or trap_reason(response.body) != WAF_CHALLENGE:
            return
        host = host_of(request)
        self.challenges[host] = count = self.challenges.get(host, 0) + 1
        wait = BACKOFF_BASE_S * 2 ** (count - 1)
        logger.warning("%s: WAF challenge #%d at %s, pausing the host %.0f s", host, count,
                       request.url, wait)
        with suppress(RuntimeError):
            gate_of(self.crawler).hold(host, wait)
