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
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

from gk_extract.fetch.archive import Archive, Origin
from gk_extract.fetch.families import NextPage, gkmlpt_category, read_listing
from gk_extract.fetch.links import Link, attachment_links
from gk_extract.fetch.responses import trap_reason
from gk_extract.fetch.sources import Site
from gk_extract.store import Fetch

logger = logging.getLogger(__name__)

NOT_MODIFIED = 304


class ReportSpider(scrapy.Spider):
    name = "gk_reports"
    # Listings first, so paging decisions are made before the queue fills with files.
    LISTING_PRIORITY = 10

    def __init__(self, sites: list[Site], archive: Archive, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {s.name: s for s in sites}
        self.archive = archive
        self.known = archive.manifest.known_urls()
        self.scheduled: set[str] = set()
        self.complete: dict[str, bool] = {}

    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites.values():
            self.complete[site.name] = self.archive.manifest.start_run(site.name)
            self.archive.manifest.set_site_region(site.name, site.region)
            for url in site.start_urls:
                yield self._listing(site, NextPage(url, state=_first_state(site, url)), 1)
            for fetch in self.archive.manifest.due_for_recheck(site.name, site.recheck_days):
                yield self._recheck(fetch)

    # ------------------------------------------------------------------ requests

    def _listing(self, site: Site, page: NextPage, number: int) -> Request:
        headers = {}
        if self.complete[site.name] and number == 1:  # validators only for a full last run
            headers = _conditional(*self.archive.manifest.listing_validators(page.url))
        meta = {"site": site.name, "number": number, "state": page.state, "gk_url": page.url,
                "handle_httpstatus_list": [NOT_MODIFIED]}
        if page.form is not None:
            return scrapy.FormRequest(page.url, formdata=page.form, callback=self.parse_listing,
                                      meta=meta, priority=self.LISTING_PRIORITY, dont_filter=True)
        return Request(page.url.split("#")[0], callback=self.parse_listing, headers=headers,
                       meta=meta, priority=self.LISTING_PRIORITY, dont_filter=True)

    def _document(self, link: Link, origin: Origin) -> Request | None:
        if link.url in self.scheduled:
            return None
        self.scheduled.add(link.url)
        return Request(link.url, callback=self.parse_document, meta={
            "origin": origin, "gk_url": link.url, "handle_httpstatus_list": [NOT_MODIFIED]})

    def _recheck(self, fetch: Fetch) -> Request:
        self.scheduled.add(fetch.requested_url)
        origin = Origin(fetch.site, fetch.kind, fetch.referer, fetch.title, fetch.pub_date)
        return Request(fetch.requested_url, callback=self.parse_document,
                       headers=_conditional(fetch.etag, fetch.last_modified),
                       meta={"origin": origin, "gk_url": fetch.requested_url,
                             "handle_httpstatus_list": [NOT_MODIFIED]})

    # ------------------------------------------------------------------ callbacks

    def parse_listing(self, response: Response) -> Iterator[Request]:
        site = self.sites[response.meta["site"]]
        number = int(response.meta["number"])
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("gk/listing_not_modified")
            return
        trap = trap_reason(response.body)
        if trap:
            logger.warning("%s: listing page %s is a %s; stopping this listing", site.name,
                           response.url, trap)
            return
        if number == 1:
            self.archive.manifest.set_listing(response.meta["gk_url"], site.name,
                                              _h(response, b"ETag"), _h(response, b"Last-Modified"))
        page = read_listing(site.family, _text(response), response.url, response.meta["state"])
        self.crawler.stats.inc_value("gk/listing_pages")
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
            yield self._listing(site, page, number + 1)

    def parse_document(self, response: Response) -> Iterator[Request]:
        origin: Origin = response.meta["origin"]
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("gk/not_modified")
            return
        fetch, outcome = self.archive.save(response, origin)
        self.crawler.stats.inc_value(f"gk/{outcome}")
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
