"""A TRS column end to end: listing pages, reports, attachments, robots, a second run."""

from __future__ import annotations

from pathlib import Path

from fetch_sites import PDF, article, crawl, listing, rows, serve, title, trs_routes, write_sources

from gk_extract.testing.loopback import Resource


def test_trs_column_is_crawled_then_a_second_run_downloads_nothing(tmp_path: Path) -> None:
    site = serve(trs_routes())
    try:
        sources = write_sources(tmp_path / "s.toml", [("trs", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        first = crawl(sources, store)
        assert first.returncode == 0, first.stderr
        got = rows(store)
        articles = [r for r in got if r["kind"] == "article"]
        assert len(articles) == 9 and {r["ext"] for r in articles} == {"html"}
        assert sorted(r["ext"] for r in got if r["kind"] == "attachment") == ["docx"] * 9 + ["pdf"] * 9
        assert all((store / str(r["sha256"])[:2] / f"{r['sha256']}.{r['ext']}").is_file() for r in got)
        assert "/private/t1.html" not in site.paths()  # robots.txt Disallow
        assert not any("t9.html" in p for p in site.paths())  # a notice, not a report
        assert {r["year"] for r in articles} == set(range(2010, 2019))

        before = len(site.hits)
        second = crawl(sources, store)
        assert second.returncode == 0, second.stderr
        again = site.hits[before:]
        fresh = [h for h in again if not h.conditional and h.path != "/robots.txt"]
        assert [h.path for h in fresh] == [], fresh  # listing page 1 is conditional too
        assert all(h.status == 304 for h in again if h.conditional)
        assert len(rows(store)) == len(got)
    finally:
        site.stop()


def test_an_article_served_as_octet_stream_still_yields_its_attachments(tmp_path: Path) -> None:
    page = article(title(1), "2019-01-01", ["./a.pdf"])
    site = serve({"/col/index.html": listing([("./a.html", title(1))]),
                  "/col/a.html": Resource(page.body.decode().encode("gbk"), "application/octet-stream"),
                  "/col/a.pdf": Resource(PDF, "application/pdf")})
    try:
        sources = write_sources(tmp_path / "s.toml", [("o", "generic", site.url("/col/index.html"))])
        assert crawl(sources, tmp_path / "store").returncode == 0
        got = rows(tmp_path / "store")
        assert [r["ext"] for r in got] == ["html", "pdf"] and got[0]["title"] == title(1)
    finally:
        site.stop()
