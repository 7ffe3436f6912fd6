"""The report spider: listings -> report pages -> attachments, incremental and resumable.

* A listing page is read by its family (families.py); paging stops at a page that brings
  nothing new (that page is the one page of overlap) or at the site's page cap.
* Known URLs are not fetched again, except those of the last ``recheck_days``, which get a
  conditional request (If-None-Match / If-Modified-Since) to catch silent replacements.
* A site whose previous run did not finish (killed) walks all its listing pages again: what is
  in the manifest is skipped, so the run resumes where the killed one stopped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from gk_extract.fetch.archive import Archive, Origin
from gk_extract.fetch.families import NextPage, gkmlpt_category, read_listing
from gk_extract.fetch.links import Link, attachment_links
from gk_extract.fetch.report import Progress, SiteTally, failure_kind, progress_of
from gk_extract.fetch.responses import trap_reason
from gk_extract.fetch.safety import Origins
from gk_extract.fetch.sources import Site
from gk_extract.store import Fetch

logger = logging.getLogger(__name__)

NOT_MODIFIED = 304


class ReportSpider(scrapy.Spider):
    name = "gk_reports"
    # Listings first, so paging decisions are made before the queue fills with files.
    LISTING_PRIORITY = 10

    def __init__(self, sites: list[Site], archive: Archive, origins: Origins,
                 on_progress: Callable[[Progress], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {s.name: s for s in sites}
        self.archive = archive
        self.origins = origins
        self.on_progress = on_progress
        self.known = archive.manifest.known_urls()
        self.scheduled: set[str] = set()
        self.complete: dict[str, bool] = {}
        self.tallies = {s.name: SiteTally(s.name, s.family) for s in sites}
        self.started: set[str] = set()
        self._links: dict[str, set[str]] = {s.name: set() for s in sites}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites.values():
            self.complete[site.name] = self.archive.manifest.start_run(site.name)
            self.archive.manifest.set_site_region(site.name, site.region)
            self.started.add(site.name)
            for url in site.start_urls:
                if (request := self._listing(site, NextPage(url, state=_first_state(site, url)), 1)):
                    yield request
            for fetch in self.archive.manifest.due_for_recheck(site.name, site.recheck_days):
                if fetch.site in self.tallies:
                    yield self._recheck(fetch)
            self._progress()

    # ------------------------------------------------------------------ the tally

    def _allowed(self, site: str, url: str) -> bool:
        reason = self.origins.refusal(url)
        if reason is not None:
            logger.warning("%s: not following %s: %s", site, url, reason)
            self.tallies[site].refused += 1
        return reason is None

    def _sent(self, request: Request) -> Request:
        self.tallies[request.meta["site"]].pending += 1
        return request

    def _answered(self, request: Request) -> None:
        tally = self.tallies[request.meta["site"]]
        tally.pending -= 1
        self._progress()

    def _dropped(self, request: Request, spider: scrapy.Spider) -> None:
        if request.meta.get("site") in self.tallies:
            self._answered(request)

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(progress_of(list(self.tallies.values()), self.started))

    def failed(self, failure: Failure) -> None:
        """The errback of every request: the site's tally counts why it failed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        state = request.meta.get("state") or {}
        if not (state.get("probe") and failure_kind(failure) == "http_404"):
            self.tallies[request.meta["site"]].count_failure(failure)
        self._answered(request)

    # ------------------------------------------------------------------ requests

    def _listing(self, site: Site, page: NextPage, number: int) -> Request | None:
        if not self._allowed(site.name, page.url):
            return None
        headers = {}
        if self.complete[site.name] and number == 1:  # validators only for a full last run
            headers = _conditional(*self.archive.manifest.listing_validators(page.url))
        meta = {"site": site.name, "number": number, "state": page.state, "gk_url": page.url,
                "handle_httpstatus_list": [NOT_MODIFIED]}
        if page.form is not None:
            return self._sent(scrapy.FormRequest(
                page.url, formdata=page.form, callback=self.parse_listing, errback=self.failed,
                meta=meta, priority=self.LISTING_PRIORITY, dont_filter=True))
        return self._sent(Request(
            page.url.split("#")[0], callback=self.parse_listing, errback=self.failed,
            headers=headers, meta=meta, priority=self.LISTING_PRIORITY, dont_filter=True))

    def _document(self, link: Link, origin: Origin) -> Request | None:
        if link.url in self.scheduled or not self._allowed(origin.site, link.url):
            return None
        self.scheduled.add(link.url)
        return self._sent(Request(link.url, callback=self.parse_document, errback=self.failed,
                                  meta={"origin": origin, "site": origin.site, "gk_url": link.url,
                                        "handle_httpstatus_list": [NOT_MODIFIED]}))

    def _recheck(self, fetch: Fetch) -> Request:
        self.scheduled.add(fetch.requested_url)
        origin = Origin(fetch.site, fetch.kind, fetch.referer, fetch.title, fetch.pub_date)
        return self._sent(Request(fetch.requested_url, callback=self.parse_document,
                                  errback=self.failed,
                                  headers=_conditional(fetch.etag, fetch.last_modified),
                                  meta={"origin": origin, "site": fetch.site,
                                        "gk_url": fetch.requested_url,
                                        "handle_httpstatus_list": [NOT_MODIFIED]}))

    # ------------------------------------------------------------------ callbacks

    def parse_listing(self, response: Response) -> Iterator[Request]:
        try:
            yield from self._read_listing(response)
        finally:
            self._answered(response.request or Request(response.url, meta=response.meta))

    def _read_listing(self, response: Response) -> Iterator[Request]:
        site = self.sites[response.meta["site"]]
        tally = self.tallies[site.name]
        tally.responses += 1
        number = int(response.meta["number"])
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("gk/listing_not_modified")
            tally.listing_unchanged += 1
            self.archive.manifest.set_listing(response.meta["gk_url"], site.name, *(
                self.archive.manifest.listing_validators(response.meta["gk_url"])))
            return
        trap = trap_reason(response.body)
        if trap:
            logger.warning("%s: listing page %s is a %s; stopping this listing", site.name,
                           response.url, trap)
            tally.blocked += 1
            return
        if number == 1:
            self.archive.manifest.set_listing(response.meta["gk_url"], site.name,
                                              _h(response, b"ETag"), _h(response, b"Last-Modified"))
        page = read_listing(site.family, _text(response), response.url, response.meta["state"])
        self.crawler.stats.inc_value("gk/listing_pages")
        tally.listing_pages += 1
        self._links[site.name].update(link.url for link in page.links)
        tally.report_links = len(self._links[site.name])
        yield from self._items(site, page.links, response.url)
        fresh = any(link.url not in self.known for link in page.links)
        yield from self._next_pages(site, page.next, number, fresh)

    def _items(self, site: Site, links: list[Link], listing_url: str) -> Iterator[Request]:
        """Requests for the listed reports not yet in the store; when resuming a killed run,
        also for the attachments of stored reports that it had not reached."""
        for link in links:
            if link.url not in self.known:
                request = self._document(link, Origin(site.name, "article", listing_url,
                                                      link.title, None))
                if request is not None:
                    yield request
            elif not self.complete[site.name]:
                yield from self._stored_attachments(link.url)

    def _next_pages(self, site: Site, pages: list[NextPage], number: int,
                    brought_new: bool) -> Iterator[Request]:
        if not brought_new and self.complete[site.name]:
            logger.info("%s: listing page %d brought nothing new; stop paging", site.name, number)
            return
        if number >= site.max_pages:
            logger.warning("%s: page cap %d reached", site.name, site.max_pages)
            return
        for page in pages:
            if (request := self._listing(site, page, number + 1)):
                yield request

    def parse_document(self, response: Response) -> Iterator[Request]:
        try:
            yield from self._read_document(response)
        finally:
            self._answered(response.request or Request(response.url, meta=response.meta))

    def _read_document(self, response: Response) -> Iterator[Request]:
        origin: Origin = response.meta["origin"]
        tally = self.tallies[origin.site]
        tally.responses += 1
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("gk/not_modified")
            tally.not_modified += 1
            return
        fetch, outcome = self.archive.save(response, origin)
        self.crawler.stats.inc_value(f"gk/{outcome}")
        _count(tally, outcome)
        if fetch is None or fetch.ext != "html" or origin.kind != "article" or outcome == "unchanged":
            return
        files = Origin(origin.site, "attachment", response.url, fetch.title, fetch.pub_date)
        for link in attachment_links(_text(response), response.url):
            if link.url not in self.known:
                request = self._document(link, files)
                if request is not None:
                    yield request

    def _stored_attachments(self, url: str) -> Iterator[Request]:
        """Attachments of an article already in the store, read from the stored page."""
        fetch = self.archive.manifest.latest(url)
        if fetch is None or fetch.ext != "html" or fetch.kind != "article":
            return
        path = self.archive.blobs.path_for(fetch.sha256, fetch.ext)
        page = HtmlResponse(fetch.final_url, body=path.read_bytes())
        files = Origin(fetch.site, "attachment", fetch.final_url, fetch.title, fetch.pub_date)
        for link in attachment_links(page.text, fetch.final_url):
            if link.url not in self.known:
                request = self._document(link, files)
                if request is not None:
                    yield request

    def closed(self, reason: str) -> None:
        if reason == "finished":
            for name in self.sites:
                self.archive.manifest.finish_run(name)
        logger.info("crawl closed: %s", reason)


def _count(tally: SiteTally, outcome: str) -> None:
    field = {"new": "files_new", "replaced": "files_replaced", "unchanged": "files_unchanged",
             "blocked": "blocked", "skipped": "skipped"}[outcome]
    setattr(tally, field, getattr(tally, field) + 1)


def _first_state(site: Site, url: str) -> dict[str, str]:
    category = gkmlpt_category(url) if site.family == "gkmlpt" else None
    return {"category": category} if category else {}


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _text(response: Response) -> str:
    """The decoded text of a response, also when its Content-Type did not say it was text
    (header charset, then BOM, then <meta charset>, then detection, as Scrapy does)."""
    if isinstance(response, TextResponse):
        return response.text
    return HtmlResponse(response.url, body=response.body, headers=response.headers).text


def _h(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
