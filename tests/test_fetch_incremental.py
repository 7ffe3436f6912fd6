"""Incremental crawls: replaced files, new reports on page 1, conditional re-checks."""

from __future__ import annotations

from pathlib import Path

from fetch_sites import (
    PDF,
    article,
    crawl,
    listing,
    recent,
    rows,
    serve,
    title,
    trs_routes,
    write_sources,
)

from gk_extract.testing.loopback import Resource


def test_a_replaced_attachment_is_picked_up(tmp_path: Path) -> None:
    site = serve(trs_routes())
    try:
        sources = write_sources(tmp_path / "s.toml", [("trs", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        site.routes["/col/202504/P04.pdf"] = Resource(PDF + b"corrected", "application/pdf")
        result = crawl(sources, store)
        assert result.returncode == 0, result.stderr
        assert "1 replaced" in result.stdout
        versions = [r for r in rows(store) if str(r["requested_url"]).endswith("/P04.pdf")]
        assert len(versions) == 2 and versions[0]["sha256"] != versions[1]["sha256"]
        assert site.paths().count("/col/202504/P04.pdf") == 2
    finally:
        site.stop()


def test_a_new_report_is_found_and_paging_stops_after_one_known_page(tmp_path: Path) -> None:
    routes = trs_routes(pub="2019-03-01")  # old reports: no re-checks, only listings
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("trs", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        page0 = [(f"./2025{n:02d}/t2025{n:02d}01_{n}.html", title(n)) for n in range(3)]
        site.routes["/col/index.html"] = listing(
            [("./202601/t20260101_99.html", title(30))] + page0,
            'createPageHTML(3, 0, "index", "html");')
        site.routes["/col/202601/t20260101_99.html"] = article(title(30), recent(), ["./n.pdf"])
        site.routes["/col/202601/n.pdf"] = Resource(PDF + b"new", "application/pdf")
        before = len(site.hits)
        result = crawl(sources, store)
        assert result.returncode == 0, result.stderr
        paths = [h.path for h in site.hits[before:]]
        assert "/col/202601/t20260101_99.html" in paths and "/col/202601/n.pdf" in paths
        assert "/col/index_1.html" in paths  # the one page of overlap
        assert "/col/index_2.html" not in paths  # nothing new on page 2: stop
        assert "2 new" in result.stdout
    finally:
        site.stop()


def test_the_page_cap_stops_a_listing_and_shared_files_are_stored_once(tmp_path: Path) -> None:
    routes = trs_routes()
    routes["/col/202501/W01.docx"] = routes["/col/202500/W00.docx"]  # one file, two links
    site = serve(routes)
    try:
        sources = tmp_path / "s.toml"
        sources.write_text(f'[[site]]\nname = "capped"\nfamily = "trs"\nmax_pages = 2\n'
                           f'start_urls = ["{site.url("/col/index.html")}"]\n', encoding="utf-8")
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        assert "/col/index_1.html" in site.paths() and "/col/index_2.html" not in site.paths()
        got = rows(store)
        assert len(got) == 6 * 3
        shared = {r["sha256"] for r in got if str(r["requested_url"]).endswith(("W00.docx", "W01.docx"))}
        (sha,) = shared  # another file's hash may share the folder: count this one's copies
        assert len(list(store.glob(f"{sha[:2]}/{sha}*"))) == 1
    finally:
        site.stop()
