"""From a Scrapy response to a stored file and its manifest row (or a reason not to store)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from scrapy.http import HtmlResponse, Response, TextResponse

from gk_extract.fetch.links import meta_content, report_year
from gk_extract.fetch.responses import disposition_filename, trap_reason
from gk_extract.formats import sniff_ext
from gk_extract.store import BlobStore, Fetch, Manifest
from gk_extract.store.manifest import now_iso

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Origin:
    """What the crawler knew when it asked: the site, the referring page, the listed title."""

    site: str
    kind: str
    referer: str | None
    title: str | None
    pub_date: str | None


class Archive:
    """The store and manifest as the spider uses them."""

    def __init__(self, blobs: BlobStore, manifest: Manifest) -> None:
        self.blobs = blobs
        self.manifest = manifest

    def save(self, response: Response, origin: Origin) -> tuple[Fetch | None, str]:
        """Store a 200 response; returns its row (None when not stored) and what happened."""
        body = response.body
        ext = sniff_ext(body, _header(response, b"Content-Type"))
        trap = trap_reason(body) if ext in ("html", "bin") else None
        if trap:
            logger.warning("%s: %s, not stored", response.url, trap)
            return None, "blocked"
        if ext == "bin" or (origin.kind == "attachment" and ext == "html"):
            logger.info("%s: not a document (%s), not stored", response.url, ext)
            return None, "skipped"
        requested = str(response.meta.get("gk_url", response.url))
        previous = self.manifest.latest(requested)
        fetch = self._fetch(response, origin, requested, ext)
        if previous is not None and previous.sha256 == fetch.sha256:
            return previous, "unchanged"
        self.blobs.put(body, ext)  # the file first: a row never points at a missing file
        self.manifest.add(fetch)
        return fetch, "replaced" if previous is not None else "new"

    def _fetch(self, response: Response, origin: Origin, requested: str, ext: str) -> Fetch:
        title, pub_date = origin.title, origin.pub_date
        if ext == "html":
            text = response.text if isinstance(response, TextResponse) else HtmlResponse(
                response.url, body=response.body).text
            title = meta_content(text, "ArticleTitle") or title
            pub_date = meta_content(text, "PubDate") or pub_date
        return Fetch(
            site=origin.site, kind=origin.kind, requested_url=requested, final_url=response.url,
            referer=origin.referer, title=title, pub_date=pub_date,
            year=report_year(title or "", pub_date), fetched_at=now_iso(),
            filename=disposition_filename(response.headers.get(b"Content-Disposition")),
            http_status=response.status, content_type=_header(response, b"Content-Type"),
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            sha256=hashlib.sha256(response.body).hexdigest(), size=len(response.body), ext=ext)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
