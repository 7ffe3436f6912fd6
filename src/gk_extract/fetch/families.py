"""Listing pages per CMS family (gov-sites.md §3): report links and the next page, both read
from the page itself. Pure functions of text, so each family is tested without a network."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from parsel import Selector

from gk_extract.fetch.links import Link, is_report_title, report_links

# Records asked of a Hanweb dataproxy per request; the site's own pages ask for 45-75.
HANWEB_BATCH = 45
_NEXT_TEXTS = ("下一页", "下页", "后一页", "next", "›", "»", ">")
_TRS_PAGER = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
                        r"(?:\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"])?")
_TRS_COUNT = re.compile(r"countPage\s*=\s*['\"]?(\d+)")
_TRS_CURRENT = re.compile(r"currentPage\s*=\s*['\"]?(\d+)")
_TRS_INDEX = re.compile(r"/(?P<stem>[\w-]+?)(?:_(?P<k>\d+))?\.(?P<ext>s?html?)$")
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


# ----------------------------------------------------------------------------- generic


def read_generic(text: str, url: str, state: dict[str, str]) -> Page:
    """Links by title; the next page from a 下一页 link, or a TRS pager when there is one."""
    trs = _trs_next(text, url)
    return Page(report_links(text, url), trs if trs is not None else _next_link(text, url))


def _next_link(text: str, url: str) -> list[NextPage]:
    for anchor in Selector(text=text).css("a[href]"):
        label = " ".join(anchor.css("::text").getall()).strip().lower()
        href = anchor.attrib["href"].strip()
        if label in _NEXT_TEXTS and not href.lower().startswith(("javascript:", "#")):
            target = urljoin(url, href)
            return [NextPage(target)] if target != url else []
    return []


# ----------------------------------------------------------------------------- TRS


def read_trs(text: str, url: str, state: dict[str, str]) -> Page:
    trs = _trs_next(text, url)
    return Page(report_links(text, url), trs if trs is not None else _next_link(text, url))


def _trs_next(text: str, url: str) -> list[NextPage] | None:
    """``index_{k}`` after the current page while the page's own count allows; None: no pager."""
    count, current, stem, ext = _trs_pager(text)
    if count is None:
        return None
    path = urlsplit(url).path
    found = _TRS_INDEX.search(path) if not path.endswith("/") else None
    if current is None:
        current = int(found.group("k")) if found and found.group("k") else 0
    stem = stem or (found.group("stem") if found else "index")
    ext = ext or (found.group("ext") if found else "html")
    if current + 1 >= count:
        return []
    return [NextPage(urljoin(url, f"{stem}_{current + 1}.{ext}"))]


def _trs_pager(text: str) -> tuple[int | None, int | None, str | None, str | None]:
    pager = _TRS_PAGER.search(text)
    if pager:
        return int(pager.group(1)), int(pager.group(2)), pager.group(3), pager.group(4)
    count = _TRS_COUNT.search(text)
    current = _TRS_CURRENT.search(text)
    if count:
        return int(count.group(1)), int(current.group(1)) if current else None, None, None
    return None, None, None, None


# ----------------------------------------------------------------------------- Hanweb


def read_hanweb(text: str, url: str, state: dict[str, str]) -> Page:
    """Column page or dataproxy XML: records in CDATA, then the next record range."""
    records = _RECORD.findall(text)
    links = report_links("\n".join(records), url)
    params = dict(state) or _hanweb_params(text)
    if not params.get("columnid"):
        return Page(links, _next_link(text, url))
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
    target = urljoin(url, f"/gkmlpt/api/all/{category}?{urlencode({'page': page, 'sid': sid})}")
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
