"""Listing pages of each CMS family, read from the page itself; the real TRS sample on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES
from fetch_sites import PDF, article, crawl, recent, rows, serve, title, write_sources

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
