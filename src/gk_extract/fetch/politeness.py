"""robots.txt as gov-sites.md §8 asks, and backoff on 429/503 that honours Retry-After.

Both act on Scrapy's per-host download slot (one request at a time per host, see crawl.py):
a Crawl-delay raises the slot's delay; a backoff holds the slot until the wait is over.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from gk_extract.fetch.responses import WAF_CHALLENGE, trap_reason

logger = logging.getLogger(__name__)

_ALLOW_ALL = b""
_DENY_ALL = b"User-agent: *\nDisallow: /\n"
# First backoff on 429/503 without Retry-After; doubled on each retry of the same request.
BACKOFF_BASE_S = 2.0
# A Retry-After longer than this is treated as "not today": the request gives up instead.
MAX_RETRY_AFTER_S = 600.0
BACKOFF_CODES = (429, 503)
# After this many WAF challenges a host gets no more requests in this run: it is blocking us,
# and more attempts would only look like an attack.
MAX_CHALLENGES_PER_HOST = 3


class PoliteRobotsMiddleware(RobotsTxtMiddleware):
    """404/410 → everything allowed; 401/403/5xx or unreachable → nothing allowed;
    ``Crawl-delay`` raises the host's delay.

    Hosts with a fixed delay (Crawl-delay, or a site's ``delay`` in the registry) are kept
    out of AutoThrottle's adjustments, which could otherwise lower it to DOWNLOAD_DELAY."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._fixed_delay_hosts = set(crawler.settings.getdict("DOWNLOAD_SLOTS"))

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        super().process_request_2(rp, request)  # raises IgnoreRequest when disallowed
        if (urlparse_cached(request).hostname or "") in self._fixed_delay_hosts:
            request.meta["autothrottle_dont_adjust_delay"] = True

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status in (404, 410):
            body = _ALLOW_ALL
        elif response.status >= 400:
            logger.warning("robots.txt of %s answered %d: not crawling that host", netloc,
                           response.status)
            body = _DENY_ALL
        else:
            body = response.body
        await super()._parse_robots(response.replace(body=body), netloc, request)
        self._apply_crawl_delay(netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        logger.warning("robots.txt of %s unreachable (%s): not crawling that host", netloc, exc)
        parser = build_from_crawler(self._parserimpl, self.crawler, _DENY_ALL)
        deferred = self._parsers[netloc]
        self._parsers[netloc] = parser
        if not isinstance(deferred, RobotParser) and deferred is not None:
            deferred.callback(parser)

    def _apply_crawl_delay(self, netloc: str, request: Request) -> None:
        parser = self._parsers.get(netloc)
        reader = getattr(parser, "crawl_delay", None)
        delay = reader(self._robotstxt_useragent or "*") if reader is not None else None
        if not delay:
            return
        assert self.crawler.engine is not None
        _, slot = self.crawler.engine.downloader._get_slot(request)
        if float(delay) > slot.delay:
            logger.info("%s asks for Crawl-delay %s s", netloc, delay)
            slot.delay = float(delay)
            self._fixed_delay_hosts.add(urlparse_cached(request).hostname or "")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, plus a pause of the whole host on 429/503: Retry-After when given,
    else ``BACKOFF_BASE_S * 2**n``. 403 is never retried (it is not in RETRY_HTTP_CODES).

    The pause is set on Scrapy's ``response_downloaded`` signal, which fires before the
    host's download slot picks its next request (as AutoThrottle does)."""

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
                hold_host(self.crawler, request, wait)

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


def hold_host(crawler: Crawler, request: Request, wait: float) -> None:
    """No request to this request's host before ``wait`` seconds: Scrapy's download slot
    waits its delay counted from ``lastseen``, so a later ``lastseen`` holds the host."""
    assert crawler.engine is not None
    _, slot = crawler.engine.downloader._get_slot(request)
    slot.lastseen = max(slot.lastseen, time.monotonic() + wait)


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
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlparse_cached(request).hostname or ""
        if self.challenges.get(host, 0) >= MAX_CHALLENGES_PER_HOST:
            raise IgnoreRequest(f"{host} answers with WAF challenges; not asking again this run")

    def _downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if response.status != 200 or trap_reason(response.body) != WAF_CHALLENGE:
            return
        host = urlparse_cached(request).hostname or ""
        self.challenges[host] = count = self.challenges.get(host, 0) + 1
        wait = BACKOFF_BASE_S * 2 ** (count - 1)
        logger.warning("%s: WAF challenge #%d at %s, pausing the host %.0f s", host, count,
                       request.url, wait)
        hold_host(self.crawler, request, wait)
