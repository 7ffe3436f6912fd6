"""Listing pages of each CMS family, read from the page itself; the real TRS sample on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import SAMPLES
from fetch_sites import PDF, article, crawl, listing, recent, rows, serve, title, write_sources

from gk_extract.cms import BODY_SELECTORS
from gk_extract.fetch.families import read_listing
from gk_extract.fetch.links import attachment_links, is_report_title, report_links, report_year
from gk_extract.testing.loopback import Resource


def test_real_trs_listing_yields_exactly_its_report_links(tmp_path: Path) -> None:
    sample = SAMPLES / "pt_list_index.html"
    if not sample.exists():
        pytest.skip(f"real samples not found at {SAMPLES}")
    site = serve({"/zwgk/zfxxgk/zfxxgknb/index.htm": Resource(sample.read_bytes())})
    try:
        sources = write_sources(tmp_path / "s.toml",
                                [("pt", "trs", site.url("/zwgk/zfxxgk/zfxxgknb/index.htm"))])
        assert crawl(sources, tmp_path / "store").returncode == 0
        asked = sorted(p for p in site.paths() if p.startswith("/zwgk/zfxxgk/zfxxgknb/2"))
        assert len(asked) == 10  # the ten reports 2016-2025, nothing else from the page
        assert all(p.endswith(".htm") and "/t20" in p for p in asked)
        assert "/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm" in asked
    finally:
        site.stop()
    links = report_links(sample.read_text(encoding="utf-8"), "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")
    assert [report_year(link.title) for link in links] == list(range(2025, 2015, -1))


@pytest.mark.parametrize(("text", "expected"), [
    ("平潭综合实验区2025年度政府信息公开工作年度报告", True),
    ("某局2023年政府信息公开年报（图片版）", True),
    ("关于做好2024年度政府信息公开工作年度报告编制发布工作的通知", False),
    ("2024年政府工作报告", False),
    ("某区政府网站2024年度工作年度报表", False),
    ("某局2023年度部门决算", False),
])
def test_report_titles(text: str, expected: bool) -> None:
    assert is_report_title(text) is expected


@pytest.mark.parametrize("selector", BODY_SELECTORS)
def test_table_images_are_looked_for_in_every_cms_body_container(selector: str) -> None:
    tag, kind, name = selector.partition("#" if "#" in selector else ".")
    attr = f'{"id" if kind == "#" else "class"}="{name}"'
    body = f'<{tag or "div"} {attr}><p>表一</p><img src="t1.png" alt="表一"></{tag or "div"}>'
    html = f'<html><body><div class="logo"><img src="/logo.png"></div>{body}</body></html>'
    links = attachment_links(html, "http://www.example.gov.cn/art/a.html")
    assert [link.url for link in links] == ["http://www.example.gov.cn/art/t1.png"]


def test_trs_pager_from_countpage_and_from_createpagehtml() -> None:
    text = "<script>var countPage = 3; var currentPage = 1;</script>"
    page = read_listing("trs", text, "http://x.gov.cn/col/index_1.shtml", {})
    assert [p.url for p in page.next] == ["http://x.gov.cn/col/index_2.shtml"]
    last = read_listing("trs", 'createPageHTML(3, 2, "index", "htm")', "http://x.gov.cn/c/index_2.htm", {})
    assert last.next == []
    generic = read_listing("generic", '<a href="list_2.html">下一页</a>', "http://x.gov.cn/c/list_1.html", {})
    assert [p.url for p in generic.next] == ["http://x.gov.cn/c/list_2.html"]


def hanweb_record(n: int) -> str:
    return (f'<record><![CDATA[<li><a href="/art/2025/3/{n}/art_1229_{n}.html" '
            f'title="{title(n)}">{title(n)}</a></li>]]></record>')


def test_hanweb_column_and_dataproxy(tmp_path: Path) -> None:
    column = ('<html><body><div id="4398474"><script type="text/xml"><datastore>'
              '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3'
              '&path=/&columnid=1229&unitid=4398474"></a>]]></nextgroup><recordset>'
              + hanweb_record(1) + hanweb_record(2) +
              '</recordset></datastore></script></div>'
              '<script>var totalRecord = 4; var perpage = 2;</script></body></html>')
    proxy = ('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>4</totalrecord>'
             '<recordset>' + hanweb_record(3) + hanweb_record(4) + '</recordset></datastore>')
    routes: dict[str, Resource] = {
        "/col/col1229/index.html": Resource(column.encode()),
        "/module/web/jpage/dataproxy.jsp": Resource(proxy.encode(), "text/xml; charset=utf-8")}
    for n in range(1, 5):
        routes[f"/art/2025/3/{n}/art_1229_{n}.html"] = article(
            title(n), recent(), [f"/module/download/downfile.jsp?classid=0&filename={n:032x}.pdf"])
        routes[f"/module/download/downfile.jsp?classid=0&filename={n:032x}.pdf"] = Resource(
            PDF + bytes([n]), "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{n}.pdf"'})
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("hw", "hanweb", site.url("/col/col1229/index.html"))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == 0, result.stderr
        posts = [h for h in site.hits if h.method == "POST"]
        assert len(posts) == 1 and "startrecord=3" in posts[0].path
        got = rows(tmp_path / "store")
        assert sorted(r["ext"] for r in got) == ["html"] * 4 + ["pdf"] * 4
        assert {r["filename"] for r in got if r["ext"] == "pdf"} == {"1.pdf", "2.pdf", "3.pdf", "4.pdf"}
    finally:
        site.stop()


def test_gkmlpt_json_api(tmp_path: Path) -> None:
    shell = "<html><script>window._CONFIG = { SID: 'abc123', TITLE: '信息公开' };</script></html>"
    api_page = ('{{"total": 4, "articles": [{items}]}}')

    def item(n: int) -> str:
        return f'{{"title": "{title(n)}", "url": "/gkmlpt/content/0/9/post_{n}.html"}}'
    routes: dict[str, Resource] = {
        "/gkmlpt/index": Resource(shell.encode()),
        "/gkmlpt/api/all/2590?page=1&sid=abc123": Resource(
            api_page.format(items=f"{item(1)}, {item(2)}, "
                            '{"title": "2024年政府工作报告", "url": "/gkmlpt/content/0/9/post_9.html"}'
                            ).encode(), "application/json"),
        "/gkmlpt/api/all/2590?page=2&sid=abc123": Resource(
            api_page.format(items=item(3)).encode(), "application/json")}
    for n in (1, 2, 3):
        routes[f"/gkmlpt/content/0/9/post_{n}.html"] = article(title(n), recent(), [f"/attachment/0/9/{n}.pdf"])
        routes[f"/attachment/0/9/{n}.pdf"] = Resource(PDF + bytes([n]), "application/pdf")
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("gd", "gkmlpt", site.url("/gkmlpt/index#2590"))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == 0, result.stderr
        assert "/gkmlpt/api/all/2590?page=2&sid=abc123" in site.paths()
        assert "/gkmlpt/content/0/9/post_9.html" not in site.paths()
        assert sorted(r["ext"] for r in rows(tmp_path / "store")) == ["html"] * 3 + ["pdf"] * 3
    finally:
        site.stop()


def pt_page_two(sample: str) -> str:
    """Page 2 of the real column in the page's own frame: the ten reports before 2016."""
    older = re.sub(r"(20\d\d)年度", lambda m: f"{int(m[1]) - 10}年度", sample)
    return re.sub(r"\./(\d{6})/t(\d{8})_(\d+)\.htm",
                  lambda m: f"./{int(m[1]) - 1000:06d}/t{int(m[2]) - 100000:08d}_{m[3]}.htm", older)


def test_real_trs_column_pages_from_its_list_script(tmp_path: Path) -> None:
    """The column states its pages only in listModel({pagebar: {recordCount, prepage}}); its
    folder URL has no extension, so page 2 takes the one its articles carry (index_1.htm)."""
    sample = SAMPLES / "pt_list_index.html"
    if not sample.exists():
        pytest.skip(f"real samples not found at {SAMPLES}")
    text = sample.read_text(encoding="utf-8")
    column = "/zwgk/zfxxgk/zfxxgknb/"
    site = serve({column: Resource(text.encode()),
                  f"{column}index_1.htm": Resource(pt_page_two(text).encode())})
    try:
        sources = write_sources(tmp_path / "s.toml", [("pt", "trs", site.url(column))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == 0, result.stderr
        listings = [p for p in site.paths() if p.startswith(column) and "/t20" not in p
                    and "/t19" not in p]
        assert listings == [column, f"{column}index_1.htm"]  # recordCount 20 / prepage 10: two
        asked = {p for p in site.paths() if "/t" in p}
        assert f"{column}201503/t20150310_97791.htm" in asked  # a report of page 2
        assert len(asked) == 20
    finally:
        site.stop()


@pytest.mark.parametrize(("markup", "url", "state", "expected"), [
    # TRS list2.trsapi 动静结合: recordCount / prepage, capped by maxStaticIndex
    ("listModel({maxStaticIndex: 2, pagebar: {prepage: 10, recordCount: '45'}})",
     "http://x.gov.cn/c/index_1.html", {"page": "2"}, ["http://x.gov.cn/c/index_2.html"]),
    ("listModel({maxStaticIndex: 2, pagebar: {prepage: 10, recordCount: '45'}})",
     "http://x.gov.cn/c/index_2.html", {"page": "3"}, []),
    ("listModel({pagebar: {perpage: 15, recordCount: 16}})",
     "http://x.gov.cn/c/index.shtml", {}, ["http://x.gov.cn/c/index_1.shtml"]),
    # 尾页 / 末页: TRS numbering (page 2 is index_1) and numbering from 2
    ('<div class="page"><a href="index.html">首页</a><a href="index_3.html">尾页</a></div>',
     "http://x.gov.cn/c/", {}, ["http://x.gov.cn/c/index_1.html"]),
    ('<div class="page"><a href="index.html">首页</a><a href="index_3.html">尾页</a></div>',
     "http://x.gov.cn/c/index_3.html", {"page": "4"}, []),
    ('<p><a href="list.jsp?cat_id=7&amp;cur_page=6&amp;size=20">末页</a></p>',
     "http://x.gov.cn/c/list.jsp?cat_id=7&cur_page=1&size=20", {},
     ["http://x.gov.cn/c/list.jsp?cat_id=7&cur_page=2&size=20"]),
    ('<a href="column-index-9.shtml">末页</a>', "http://x.gov.cn/c/column-index-8.shtml",
     {"page": "8"}, ["http://x.gov.cn/c/column-index-9.shtml"]),
    # a list of page-number links; the current page is plain text
    ('<div class="pagination"><span class="current">1</span><a href="2.html">2</a></div>',
     "http://x.gov.cn/c/1.html", {}, ["http://x.gov.cn/c/2.html"]),
    ('<div class="pagination"><a href="1.html">1</a><a href="2.html">2</a><span>3</span></div>',
     "http://x.gov.cn/c/3.html", {"page": "3"}, []),
    ('<a href="?page=1">1</a><b>2</b><a href="?page=3">3</a><a href="?page=4">4</a>',
     "http://x.gov.cn/c/list?page=2", {"page": "2"}, ["http://x.gov.cn/c/list?page=3"]),
    # 下一页 with the arrows pagers print around it
    ('<a href="list_2.html">下一页 &gt;</a>', "http://x.gov.cn/c/list_1.html", {"page": "2"},
     ["http://x.gov.cn/c/list_2.html"]),
    # numbered links that are no pager, and no pager at all: nothing is assumed
    ('<a href="/2019/">2019</a><a href="/2020/">2020</a>', "http://x.gov.cn/c/list.html", {}, []),
    ("<p>no pager</p>", "http://x.gov.cn/c/list.html", {}, []),
])
def test_pager_forms(markup: str, url: str, state: dict[str, str], expected: list[str]) -> None:
    page = read_listing("generic", f"<html><body>{markup}</body></html>", url, state)
    assert [p.url for p in page.next] == expected


def test_a_trs_page_without_pager_is_probed_once() -> None:
    listing_text = '<a href="./202503/t20250301_1.shtml" title="' + title(1) + '">x</a>'
    first = read_listing("trs", listing_text, "http://x.gov.cn/c/", {})
    assert [(p.url, p.state) for p in first.next] == [
        ("http://x.gov.cn/c/index_1.shtml", {"page": "2", "probe": "1"})]
    assert read_listing("trs", "<p>empty</p>", first.next[0].url, first.next[0].state).next == []
    # a generic column probes only when it is a TRS static index with TRS articles
    assert read_listing("generic", listing_text, "http://x.gov.cn/c/", {}).next == first.next
    assert read_listing("generic", listing_text, "http://x.gov.cn/c/list.jsp", {}).next == []


def test_hanweb_records_continue_until_total() -> None:
    column = ('<script>$("#4398474").jpage({perPage: 15, totalRecord: 50, groupSize: 3,'
              ' proxyUrl: "/module/web/jpage/dataproxy.jsp", columnid: 1229, unitid: 4398474,'
              ' webid: 3});</script><recordset>' + hanweb_record(1) * 45 + '</recordset>')
    first = read_listing("hanweb", column, "http://x.gov.cn/col/col1229/index.html", {})
    assert len(first.next) == 1 and "startrecord=46&endrecord=90" in first.next[0].url
    assert first.next[0].form is not None and first.next[0].form["columnid"] == "1229"
    proxy = "<datastore><totalrecord>50</totalrecord>" + hanweb_record(2) * 5 + "</datastore>"
    assert read_listing("hanweb", proxy, first.next[0].url, first.next[0].state).next == []


def test_a_probed_page_that_is_missing_ends_paging_quietly(tmp_path: Path) -> None:
    item = [("./202503/t20250301_1.html", title(1))]
    site = serve({"/c/": listing(item), "/c/202503/t20250301_1.html": article(title(1), recent(), [])})
    try:
        sources = write_sources(tmp_path / "s.toml", [("p", "trs", site.url("/c/"))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == 0, result.stderr
        assert site.paths().count("/c/index_1.html") == 1  # probed once, a 404
        report = pq.read_table(tmp_path / "store" / "crawl_report.parquet").to_pylist()
        assert report[0]["status"] == "ok" and report[0]["errors"] == 0
    finally:
        site.stop()


def test_gkmlpt_under_a_department_folder_asks_its_own_api() -> None:
    shell = "<script>window._CONFIG = { SID: 'abc' };</script>"
    first = read_listing("gkmlpt", shell, "http://www.x.gov.cn/dghlz/gkmlpt/index",
                         {"category": "2972"})
    assert [p.url for p in first.next] == ["http://www.x.gov.cn/dghlz/gkmlpt/api/all/2972?page=1&sid=abc"]
    body = '{"total": 3, "articles": [{"title": "t", "url": "/dghlz/gkmlpt/content/1.html"}]}'
    second = read_listing("gkmlpt", body, first.next[0].url, first.next[0].state)
    assert [p.url for p in second.next] == ["http://www.x.gov.cn/dghlz/gkmlpt/api/all/2972?page=2&sid=abc"]
