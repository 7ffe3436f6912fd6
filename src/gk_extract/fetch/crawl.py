"""Run the crawl: Scrapy settings from CrawlSettings, one CrawlerProcess per call.

Scrapy runs a Twisted reactor once per process, so ``run_crawl`` is called once per process
(the CLI does; tests run the CLI in a subprocess).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gk_extract import __version__
from gk_extract.fetch.report import FAILED, Progress, report_rows, summary_lines, write_report
from gk_extract.fetch.safety import Origins
from gk_extract.fetch.sources import Site
from gk_extract.store import BlobStore, Manifest
from gk_extract.store.manifest import now_iso

logger = logging.getLogger(__name__)

# Seconds between two requests to one host (gov-sites.md §8: surveyed crawlers use 0.3-1 s).
DEFAULT_DELAY_S = 1.0
# Scanned 年报 PDFs reach ~50 MB; anything far larger is no report and is cut off.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Gov sites chain at most 2-3 redirects (http->https, old CMS path); more is a loop.
MAX_REDIRECTS = 5
# Retries of 429/5xx/timeouts; with backoff doubling from 2 s that spans about 30 s.
RETRY_TIMES = 4
# Slow gov hosts answer within a minute; longer is treated as down (and retried).
DOWNLOAD_TIMEOUT_S = 60
# Hosts crawled at the same time (each still gets one request at a time).
DEFAULT_CONCURRENCY = 16
DEFAULT_CONTACT = "https://github.com/gk-extract/gk-extract"
_MIDDLEWARES = "gk_extract.fetch"


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    store: Path
    delay_s: float = DEFAULT_DELAY_S
    allow_private: bool = False
    contact: str = DEFAULT_CONTACT
    max_bytes: int = DEFAULT_MAX_BYTES
    download_timeout_s: float = DOWNLOAD_TIMEOUT_S
    concurrency: int = DEFAULT_CONCURRENCY

    def __post_init__(self) -> None:
        if self.delay_s < 0:
            raise ValueError(f"delay_s must not be negative, got {self.delay_s}")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be positive, got {self.concurrency}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, got {self.max_bytes}")
        if not self.contact.strip():
            raise ValueError("contact must say how to reach the operator")

    def user_agent(self) -> str:
        return f"gk-extract/{__version__} (+{self.contact})"


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    new: int
    replaced: int
    not_modified: int
    blocked: int
    listing_pages: int
    requests: int
    finish_reason: str
    sites: int = 0
    failed_sites: tuple[str, ...] = ()
    report: Path | None = None
    lines: tuple[str, ...] = ()  # the readable crawl report


def scrapy_settings(sites: list[Site], settings: CrawlSettings) -> dict[str, Any]:
    """The Scrapy settings of a polite, incremental crawl of ``sites``.

    Politeness is the gate's (politeness.py): Scrapy's own download delay, AutoThrottle and
    robots.txt middleware are off, and its per-domain concurrency of 1 stays as a backstop."""
    return {
        "BOT_NAME": "gk-extract", "USER_AGENT": settings.user_agent(),
        "ROBOTSTXT_OBEY": False, "ROBOTSTXT_USER_AGENT": "gk-extract",
        "CONCURRENT_REQUESTS": settings.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "SCHEDULER_PRIORITY_QUEUE": f"{_MIDDLEWARES}.politeness.HostQueue",
        # A host's files in the order its pages list them.
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "GK_DELAY": settings.delay_s,
        "GK_HOST_DELAYS": {host: site.delay for site in sites if site.delay is not None
                           for host in site.hosts()},
        "RETRY_TIMES": RETRY_TIMES, "RETRY_HTTP_CODES": [408, 429, 500, 502, 503, 504, 522, 524],
        "REDIRECT_MAX_TIMES": MAX_REDIRECTS, "METAREFRESH_ENABLED": False,
        "DOWNLOAD_MAXSIZE": settings.max_bytes, "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": settings.download_timeout_s,
        "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
        # Every connection goes through the guarded resolver, none through a proxy.
        "HTTPPROXY_ENABLED": False, "TWISTED_DNS_RESOLVER": f"{_MIDDLEWARES}.safety.GuardedResolver",
        "LOG_ENABLED": True, "LOG_INSTALL_ROOT_HANDLER": False,
        "DOWNLOADER_MIDDLEWARES": {
            f"{_MIDDLEWARES}.safety.SafetyMiddleware": 50,
            f"{_MIDDLEWARES}.safety.TlsFallbackMiddleware": 60,
            f"{_MIDDLEWARES}.politeness.RobotsGate": 100,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            f"{_MIDDLEWARES}.politeness.BackoffRetryMiddleware": 550,
            f"{_MIDDLEWARES}.politeness.ChallengeMiddleware": 560,
            f"{_MIDDLEWARES}.politeness.HostGate": 950,
        },
        "GK_ALLOWED_ORIGINS": allowed_origins(sites).as_list(),
        "GK_ALLOW_PRIVATE": settings.allow_private,
    }


def allowed_origins(sites: list[Site]) -> Origins:
    return Origins.of([u for s in sites for u in s.start_urls],
                      [h for s in sites for h in s.attachment_hosts])


class _FollowRootLevel(logging.Filter):
    """Scrapy sets its own loggers to DEBUG; their records obey the CLI's -v level instead."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level or not record.name.startswith(
            ("scrapy", "twisted", "py.warnings"))


def run_crawl(sites: list[Site], settings: CrawlSettings,
              on_progress: Callable[[Progress], None] | None = None) -> CrawlSummary:
    """Crawl ``sites`` into the store and write its crawl report; blocks until done. Once per
    process (Twisted). ``on_progress`` is called as pages and files arrive."""
    from scrapy.crawler import CrawlerProcess

    from gk_extract.fetch.archive import Archive
    from gk_extract.fetch.spider import ReportSpider

    manifest = Manifest(settings.store)
    blobs = BlobStore(settings.store)
    if removed := blobs.remove_partials():
        logger.info("removed %d partial files left by a killed crawl", removed)
    archive = Archive(blobs, manifest)
    quiet = _FollowRootLevel(logging.getLogger().getEffectiveLevel())
    for handler in logging.root.handlers:
        handler.addFilter(quiet)
    started = now_iso()
    try:
        process = CrawlerProcess(scrapy_settings(sites, settings))
        crawler = process.create_crawler(ReportSpider)
        process.crawl(crawler, sites=sites, archive=archive, origins=allowed_origins(sites),
                      on_progress=on_progress)
        process.start()
        stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
        reason = str(stats.get("finish_reason", "unknown"))
        spider = crawler.spider
        tallies = list(spider.tallies.values()) if isinstance(spider, ReportSpider) else []
        rows = report_rows(tallies, started, now_iso(), reason == "finished",
                           manifest.last_success())
    finally:
        manifest.close()
        for handler in logging.root.handlers:
            handler.removeFilter(quiet)
    report = write_report(settings.store, rows)
    return CrawlSummary(
        new=int(stats.get("gk/new", 0)), replaced=int(stats.get("gk/replaced", 0)),
        not_modified=int(stats.get("gk/not_modified", 0)), blocked=int(stats.get("gk/blocked", 0)),
        listing_pages=int(stats.get("gk/listing_pages", 0)),
        requests=int(stats.get("downloader/request_count", 0)), finish_reason=reason,
        sites=len(rows), failed_sites=tuple(str(r["site"]) for r in rows if r["status"] == FAILED),
        report=report, lines=tuple(summary_lines(rows)))
