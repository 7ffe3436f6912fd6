"""Which links are reports, and which are their attachments (gov-sites.md §5, §6)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from gk_extract.cms import BODY_SELECTORS
from gk_extract.formats import ATTACHMENT_EXTS

# §5 positive: a year, then 政府信息公开(工作)年度报告/年报 or 信息公开年报. Without a year
# the same words name the column itself (the 政府信息公开年报 menu entry), not a report.
_POSITIVE = (
    re.compile(r"(19|20)\d{2}\s*年(度)?.*?政府信息公开(工作)?(年度报告|年报)"),
    re.compile(r"(19|20)\d{2}.*?信息公开(工作)?年报"),
    re.compile(r"(19|20)\d{2}\s*年(度)?.*?信息公开(工作)?年度报告"),
)
# §5 negative: documents in the same columns that are not the report itself.
_NEGATIVE = re.compile(
    r"关于.*年度报告.*(编制|发布|报送).*(通知|工作)|政府工作报告|预算|决算|统计公报|法治政府建设"
    r"|政务公开工作要点|政府网站(工作)?年度报表|年度报告制度")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# Extension-less download endpoints seen on CMSs (§6); typed later by magic bytes.
_DOWNLOAD_HINTS = ("downfile.jsp", "/download", "download.jsp", "getfile", "filedownload")
_ATTACHMENT_TEXT = re.compile(r"附件|下载|\.(pdf|docx?|wps)\s*$", re.IGNORECASE)
_IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str


def is_report_title(title: str) -> bool:
    text = re.sub(r"\s+", "", title)
    return any(p.search(text) for p in _POSITIVE) and not _NEGATIVE.search(text)


def report_year(title: str, pub_date: str | None = None) -> int | None:
    """The year reported on: from the title, else the publication year minus one (§5)."""
    found = _YEAR.search(title)
    if found:
        return int(found.group(1))
    if pub_date and pub_date[:4].isdigit():
        return int(pub_date[:4]) - 1
    return None


def anchor_title(anchor: Selector) -> str:
    """``a[title]`` first: listings often truncate the visible text with "…"."""
    title = anchor.attrib.get("title") or ""
    text = " ".join(anchor.css("::text").getall())
    return " ".join((title if len(title) >= len(text.strip()) else text).split())


def report_links(html: str, base_url: str) -> list[Link]:
    """Report links of a listing page, in page order, each once, whatever their scheme: the
    crawl's one filter (safety.Origins) refuses and counts those it must not follow."""
    page = Selector(text=html)
    seen: set[str] = set()
    found: list[Link] = []
    for anchor in page.css("a[href]"):
        href = anchor.attrib["href"].strip()
        if href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        title = anchor_title(anchor)
        url = urljoin(base_url, href).split("#")[0]
        if is_report_title(title) and url not in seen:
            seen.add(url)
            found.append(Link(url, title))
    return found


def attachment_links(html: str, base_url: str) -> list[Link]:
    """Attachments of an article page: documents linked anywhere, table images in the body."""
    page = Selector(text=html)
    found: dict[str, Link] = {}
    for anchor in page.css("a[href]"):
        url = urljoin(base_url, anchor.attrib["href"].strip()).split("#")[0]
        if _is_attachment(url, anchor_title(anchor)):
            found.setdefault(url, Link(url, anchor_title(anchor)))
    body = _body(page)
    for img in body.css("img[src]") if body is not None else []:
        url = urljoin(base_url, img.attrib["src"].strip())
        if urlsplit(url).path.lower().endswith(_IMAGE_EXTS):
            found.setdefault(url, Link(url, img.attrib.get("alt", "")))
    return list(found.values())


def _is_attachment(url: str, text: str) -> bool:
    path = urlsplit(url).path.lower()
    if path.endswith(ATTACHMENT_EXTS):
        return True
    return any(h in url.lower() for h in _DOWNLOAD_HINTS) and bool(_ATTACHMENT_TEXT.search(text)
                                                                  or "filename=" in url.lower())


def _body(page: Selector) -> Selector | None:
    """The article body; images outside it are logos and icons, never report tables."""
    for css in BODY_SELECTORS:
        body = page.css(css)
        if body:
            return body[0]
    return None


def meta_content(html: str, name: str) -> str | None:
    """A ``<meta name=…>`` value (ArticleTitle, PubDate …), or None."""
    value = Selector(text=html).css(f'meta[name="{name}"]::attr(content)').get()
    return value.strip() if value else None
