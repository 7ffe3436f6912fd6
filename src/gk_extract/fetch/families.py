"""Listing pages per CMS family (gov-sites.md §3): report links and the next page, both read
from the page itself. Pure functions of text, so each family is tested without a network."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from parsel import Selector

from gk_extract.fetch.links import Link, is_report_title, report_links

logger = logging.getLogger(__name__)

# Records asked of a Hanweb dataproxy per request; the site's own pages ask for 45-75.
HANWEB_BATCH = 45
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
_SID = re.compile(r"\bSID['\"]?\s*:\s*['\"]([\w-]+)['\"]")


@dataclass(frozen=True, slots=True)
class NextPage:
    """A listing request to make next; ``state`` rides along to the next page's reader."""

    url: str
    method: str = "GET"
    form: dict[str, str] | None = None
    state: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    links: list[Link]
    next: list[NextPage]


def read_listing(family: str, text: str, url: str, state: dict[str, str]) -> Page:
    """Given a listing response of ``family``, its report links and the page(s) to ask next."""
    return READERS.get(family, read_generic)(text, url, state)


# ----------------------------------------------------------------------------- generic and TRS


def read_generic(text: str, url: str, state: dict[str, str]) -> Page:
    """Links by title; the next page from whatever pager the page carries. A page that is a
    TRS static index with TRS article links but states no pager gets the TRS probe."""
    links = report_links(text, url)
    probe = _is_trs_index(url) and any(_TRS_ARTICLE.search(link.url) for link in links)
    return Page(links, _paged(text, url, state, links, probe=probe))


def read_trs(text: str, url: str, state: dict[str, str]) -> Page:
    links = report_links(text, url)
    return Page(links, _paged(text, url, state, links, probe=True))


def _paged(text: str, url: str, state: dict[str, str], links: list[Link], *,
           probe: bool) -> list[NextPage]:
    """The next listing page, from the first pager form the page states; when it states
    none, ``index_{k+1}`` once as a probe (a 404 ends it quietly, and so does a probed page
    without report links). ``state["page"]`` is this page's number, 1 for the start page."""
    if state.get("probe") and not links:
        return []
    number = int(state.get("page", "1"))
    anchors = _pager_links(text, url)
    pagers: tuple[Callable[[], list[NextPage] | None], ...] = (
        lambda: _trs_next(text, url, links), lambda: _next_link(anchors),
        lambda: _numbered_next(anchors, url, number), lambda: _last_page_next(anchors, number))
    for pager in pagers:
        if (pages := pager()) is not None:
            return [NextPage(page.url, state={"page": str(number + 1)}) for page in pages]
    following = _trs_following(url, links) if probe else None
    return [NextPage(following, state={"page": str(number + 1), "probe": "1"})] if following else []


# TRS (gov-sites.md §3): page 1 is index.html, page k+1 is index_k.html; the page states its
# count in script: createPageHTML(count, current, "index", "html"), var countPage = N, or
# (list2.trsapi "动静结合") listModel({maxStaticIndex, pagebar: {recordCount, prepage}}).
_TRS_PAGER = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
                        r"(?:\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"])?")
_TRS_COUNT = re.compile(r"countPage\s*=\s*['\"]?(\d+)")
_TRS_CURRENT = re.compile(r"currentPage\s*=\s*['\"]?(\d+)")
_TRS_RECORDS = re.compile(r"recordCount['\"]?\s*[:=]\s*['\"]?(\d+)")
_TRS_PER_PAGE = re.compile(r"\b(?:prepage|perpage|pageSize)['\"]?\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
_TRS_STATIC = re.compile(r"maxStaticIndex['\"]?\s*[:=]\s*['\"]?(\d+)")
_TRS_INDEX = re.compile(r"/(?P<stem>[\w-]+?)(?:_(?P<k>\d+))?\.(?P<ext>s?html?)$")
_TRS_ARTICLE = re.compile(r"/t\d{8}_\d+\.(?P<ext>s?html?)$")


@dataclass(frozen=True, slots=True)
class _TrsPager:
    count: int
    current: int | None = None
    stem: str | None = None
    ext: str | None = None


def _trs_next(text: str, url: str, links: list[Link]) -> list[NextPage] | None:
    """``index_{k}`` after the current page while the page's own count allows; None: no pager."""
    pager = _trs_pager(text)
    if pager is None:
        return None
    current = pager.current if pager.current is not None else _trs_current(url)
    if current + 1 >= pager.count:
        return []
    return [NextPage(_trs_page(url, links, current + 1, pager.stem, pager.ext))]


def _trs_pager(text: str) -> _TrsPager | None:
    if pager := _TRS_PAGER.search(text):
        return _TrsPager(int(pager.group(1)), int(pager.group(2)), pager.group(3), pager.group(4))
    if count := _TRS_COUNT.search(text):
        current = _TRS_CURRENT.search(text)
        return _TrsPager(int(count.group(1)), int(current.group(1)) if current else None)
    records, per_page = _TRS_RECORDS.search(text), _TRS_PER_PAGE.search(text)
    if records and per_page and int(per_page.group(1)) > 0:
        pages = -(-int(records.group(1)) // int(per_page.group(1)))
        if (static := _TRS_STATIC.search(text)) and int(static.group(1)) + 1 < pages:
            logger.warning("only the first %s of %d listing pages are static; the rest are "
                           "served by the site's search API", int(static.group(1)) + 1, pages)
            pages = int(static.group(1)) + 1
        return _TrsPager(pages)
    return None


def _trs_current(url: str) -> int:
    """The page index of a TRS listing URL: 0 for ``index.html`` or the folder, k for
    ``index_k.html``."""
    found = _trs_index(url)
    return int(found.group("k")) if found and found.group("k") else 0


def _trs_index(url: str) -> re.Match[str] | None:
    path = urlsplit(url).path
    return None if path.endswith("/") else _TRS_INDEX.search(path)


def _is_trs_index(url: str) -> bool:
    path = urlsplit(url).path
    found = _trs_index(url)
    return path.endswith("/") or (found is not None and found.group("stem") == "index")


def _trs_page(url: str, links: list[Link], k: int, stem: str | None = None,
              ext: str | None = None) -> str:
    """The URL of TRS page index ``k``. The extension is the pager's, else the page's own,
    else (for a folder URL) the one the site's TRS articles carry: a site publishes its
    listings and articles under one static extension (``.htm`` on some, ``.html`` on most)."""
    found = _trs_index(url)
    stem = stem or (found.group("stem") if found else "index")
    ext = ext or (found.group("ext") if found else _article_ext(links))
    return urljoin(url, f"{stem}_{k}.{ext}")


def _trs_following(url: str, links: list[Link]) -> str | None:
    if not _is_trs_index(url):
        return None
    return _trs_page(url, links, _trs_current(url) + 1)


def _article_ext(links: list[Link]) -> str:
    exts = Counter(m.group("ext") for link in links
                   if (m := _TRS_ARTICLE.search(urlsplit(link.url).path)))
    return exts.most_common(1)[0][0] if exts else "html"


# Pagers as links: 下一页, page numbers (1 2 3 …) and 尾页/末页 (gov-sites.md §3).
_NEXT_TEXTS = ("下一页", "下页", "后一页", "next", "›", "»", ">")
_LAST_TEXTS = ("尾页", "末页", "最后一页", "last", "»»", ">>")
_STRIP = " <>«»‹›"
# Where a pager URL keeps its page number: a page-like query parameter, else the path's last
# number (index_4.html, list-4.shtml, /4.html).
_QUERY_PAGE = re.compile(r"[?&](?:page|pageno|pageindex|pagenum|cur_page|curpage|currentpage|p)"
                         r"=(\d+)", re.IGNORECASE)
_PATH_PAGE = re.compile(r"(\d+)(?=\D*$)")


def _pager_links(text: str, url: str) -> list[tuple[str, str]]:
    """(text, absolute URL) of each link that leads somewhere other than this page."""
    found = []
    for anchor in Selector(text=text).css("a[href]"):
        href = anchor.attrib["href"].strip()
        if href.lower().startswith(("javascript:", "#", "mailto:")):
            continue
        target = urljoin(url, href).split("#")[0]
        if target != url.split("#")[0]:
            label = " ".join(" ".join(anchor.css("::text").getall()).split()).lower()
            found.append((label if label.strip(_STRIP) == "" else label.strip(_STRIP), target))
    return found


def _next_link(anchors: list[tuple[str, str]]) -> list[NextPage] | None:
    for label, target in anchors:
        if label in _NEXT_TEXTS:
            return [NextPage(target)]
    return None


def _numbered_next(anchors: list[tuple[str, str]], url: str, number: int) -> list[NextPage] | None:
    """From a list of page-number links: page ``number + 1``, or the lowest after it. None when
    the page has no such list; [] when this page is past its last number."""
    pages: dict[int, str] = {}
    for label, target in anchors:
        if label.isdigit() and 0 < int(label) < 10_000 and _same_folder(url, target):
            pages.setdefault(int(label), target)
    if not pages or not _is_run(pages):
        return None
    later = sorted(n for n in pages if n > number)
    return [NextPage(pages[later[0]])] if later else []


def _is_run(pages: dict[int, str]) -> bool:
    """Page numbers 1, 2, 3 … with at most the current page missing: a pager, not some table
    of numbered links."""
    numbers = sorted(pages)
    return numbers[0] <= 2 and numbers[-1] - numbers[0] + 1 - len(numbers) <= 1


def _same_folder(url: str, target: str) -> bool:
    here, there = urlsplit(url), urlsplit(target)
    return (here.netloc, here.path.rsplit("/", 1)[0]) == (there.netloc, there.path.rsplit("/", 1)[0])


def _last_page_next(anchors: list[tuple[str, str]], number: int) -> list[NextPage] | None:
    """From a 尾页/末页 link: its URL with the last number set to the next page's. A URL
    numbered like ``index_4`` counts pages from 0 after the first (TRS: page 2 is index_1);
    any other numbering counts page k as k."""
    for label, target in anchors:
        if label not in _LAST_TEXTS or not (found := _page_number(target)):
            continue
        before, last, after = found
        following = number if before.endswith("_") else number + 1
        if following > last:
            return []
        return [NextPage(f"{before}{following}{after}")]
    return None


def _page_number(url: str) -> tuple[str, int, str] | None:
    """``url`` cut around its page number: (before, number, after), or None."""
    query_at = url.find("?")
    path_end = query_at if query_at >= 0 else len(url)
    path_start = url.find("/", url.find("//") + 2)
    found = _QUERY_PAGE.search(url, query_at) if query_at >= 0 else None
    if found is None and path_start >= 0:
        found = _PATH_PAGE.search(url, path_start, path_end)
    return (url[:found.start(1)], int(found.group(1)), url[found.end(1):]) if found else None


# ----------------------------------------------------------------------------- Hanweb


def read_hanweb(text: str, url: str, state: dict[str, str]) -> Page:
    """Column page or dataproxy XML: records in CDATA, then the next record range."""
    records = _RECORD.findall(text)
    links = report_links("\n".join(records), url)
    params = dict(state) or _hanweb_params(text)
    if not params.get("columnid"):
        return Page(links, _next_link(_pager_links(text, url)) or [])
    done = int(params.get("done", "0")) + len(records)
    total = _hanweb_total(text) or int(params.get("total", "0"))
    if (state and not records) or (total and done >= total) or (
            not total and state and len(records) < HANWEB_BATCH):
        return Page(links, [])
    return Page(links, [_dataproxy(url, params, done, total)])


def _hanweb_params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key in ("columnid", "unitid", "webid", "appid"):
        found = re.search(rf"\b{key}['\"]?\s*[:=]\s*['\"]?(\d+)", text, re.IGNORECASE)
        if found:
            params[key] = found.group(1)
    return params


def _hanweb_total(text: str) -> int | None:
    found = _TOTAL.search(text)
    return int(found.group(1) or found.group(2)) if found else None


def _dataproxy(url: str, params: dict[str, str], done: int, total: int) -> NextPage:
    start, end = done + 1, done + HANWEB_BATCH
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": HANWEB_BATCH})
    form = {"col": "1", "appid": params.get("appid", "1"), "webid": params.get("webid", "1"),
            "path": "/", "columnid": params["columnid"], "unitid": params.get("unitid", ""),
            "permissiontype": "0"}
    state: dict[str, str] = {k: params[k] for k in ("columnid", "unitid", "webid", "appid")
                             if k in params}
    state |= {"done": str(done), "total": str(total)}
    return NextPage(urljoin(url, f"/module/web/jpage/dataproxy.jsp?{query}"), "POST", form, state)


# ----------------------------------------------------------------------------- gkmlpt


def read_gkmlpt(text: str, url: str, state: dict[str, str]) -> Page:
    """The HTML shell gives the SID; the JSON API pages give the articles and the total."""
    if not state.get("sid"):
        sid = _SID.search(text)
        category = state.get("category")
        if not sid or not category:
            return Page(report_links(text, url), [])
        return Page([], [_gkmlpt_api(url, category, sid.group(1), 1)])
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return Page([], [])
    if not isinstance(data, dict):
        return Page([], [])
    articles = data.get("articles") or []
    links = [Link(urljoin(url, str(a["url"])), str(a.get("title", ""))) for a in articles
             if isinstance(a, dict) and a.get("url")]
    page, total = int(state.get("page", "1")), int(data.get("total") or 0)
    seen = int(state.get("seen", "0")) + len(articles)
    if not articles or seen >= total:
        return Page(_reports_only(links), [])
    return Page(_reports_only(links), [_gkmlpt_api(url, state["category"], state["sid"], page + 1,
                                                   seen)])


def _reports_only(links: list[Link]) -> list[Link]:
    return [link for link in links if is_report_title(link.title)]


def _gkmlpt_api(url: str, category: str, sid: str, page: int, seen: int = 0) -> NextPage:
    """The JSON page under the platform's own folder: ``/gkmlpt/`` at the site root, or a
    department's ``/dghlz/gkmlpt/`` on a city's host."""
    path = urlsplit(url).path
    root = path[:path.find("/gkmlpt/") + 1] if "/gkmlpt/" in path else "/"
    query = urlencode({"page": page, "sid": sid})
    target = urljoin(url, f"{root}gkmlpt/api/all/{category}?{query}")
    return NextPage(target, state={"category": category, "sid": sid, "page": str(page),
                                   "seen": str(seen)})


def gkmlpt_category(start_url: str) -> str | None:
    """The category id of a gkmlpt start URL: its fragment (``/gkmlpt/index#2590``)."""
    fragment = urlsplit(start_url).fragment
    return fragment if fragment.isdigit() else None


# Every family a registry entry may name, with the reader of its listing pages. A new CMS
# family is a reader here (its article bodies: one line in ``gk_extract.cms`` if they use
# a container no family uses yet).
READERS: dict[str, Callable[[str, str, dict[str, str]], Page]] = {
    "trs": read_trs, "hanweb": read_hanweb, "gkmlpt": read_gkmlpt, "generic": read_generic,
}
