"""From a crawl store to the dataset: every report knows the URL it was fetched from."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from fetch_sites import crawl, listing, serve, write_sources

from gk_extract.testing.loopback import Resource
from gk_extract.testing.synth import random_report, render_docx, render_html

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"


def demo_routes() -> dict[str, Resource]:
    page = (DEMO / "0000.html").read_bytes()
    routes = {"/col/index.html": listing([("./t1.html", "石城县城市管理局2021年度政府信息公开工作年度报告"),
                                           ("./t2.html", "某局2022年度政府信息公开工作年度报告")]),
              "/col/t1.html": Resource(page),
              "/col/t2.html": Resource(b"<html><head><meta name='ArticleTitle' content='2022'></head>"
                                       b"<body><div id='zoom'><a href='r.docx'>"
                                       + "附件".encode() + b"</a></div>" + b"<p>x</p>" * 300
                                       + b"</body></html>"),
              "/col/r.docx": Resource((DEMO / "0004.docx").read_bytes(), "application/msword")}
    return routes


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gk_extract.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_extract_store_fills_source_url(tmp_path: Path) -> None:
    site = serve(demo_routes())
    try:
        sources = write_sources(tmp_path / "s.toml", [("d", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        result = run_cli("extract", str(store), "--out", str(tmp_path / "data"))
        assert result.returncode == 0, result.stderr
        reports = pq.read_table(tmp_path / "data" / "reports.parquet").to_pylist()
        urls = {r["source_url"]: r for r in reports}
        assert set(urls) == {site.url("/col/t1.html"), site.url("/col/t2.html"), site.url("/col/r.docx")}
        assert urls[site.url("/col/t1.html")]["status"] == "ok"
        assert urls[site.url("/col/r.docx")]["format"] == "docx"
    finally:
        site.stop()


def test_refresh_crawls_and_updates_the_dataset(tmp_path: Path) -> None:
    site = serve(demo_routes())
    try:
        sources = write_sources(tmp_path / "s.toml", [("d", "trs", site.url("/col/index.html"))])
        args = ("refresh", "--sources", str(sources), "--store", str(tmp_path / "store"),
                "--out", str(tmp_path / "data"), "--delay", "0.01", "--allow-private")
        first = run_cli(*args)
        assert first.returncode == 0, first.stderr
        assert "3 new" in first.stdout
        assert pq.read_table(tmp_path / "data" / "reports.parquet").num_rows == 3
        second = run_cli(*args)
        assert second.returncode == 0, second.stderr
        assert "0 new" in second.stdout
        assert pq.read_table(tmp_path / "data" / "reports.parquet").num_rows == 3
    finally:
        site.stop()


def test_the_registry_region_places_reports_whose_titles_name_no_place(tmp_path: Path) -> None:
    report = random_report(random.Random(5), template="2021", year=2023, agency="财政局")
    routes = {"/col/index.html": listing([("./t1.html", report.title)]),
              "/col/t1.html": Resource(render_html(report, "trs", "utf-8"))}
    site = serve(routes)
    try:
        sources = tmp_path / "s.toml"
        sources.write_text(f'[[site]]\nname = "d"\nfamily = "trs"\nregion = "湖北省 宜昌市 夷陵区"\n'
                           f'start_urls = ["{site.url("/col/index.html")}"]\n', encoding="utf-8")
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        result = run_cli("extract", str(store), "--out", str(tmp_path / "data"))
        assert result.returncode == 0, result.stderr
        [row] = pq.read_table(tmp_path / "data" / "reports.parquet").to_pylist()
        assert (row["adcode"], row["region_source"]) == ("420506", "registry")
        assert row["agency_canonical"] == "宜昌市夷陵区财政局"
    finally:
        site.stop()


def test_a_page_that_only_links_its_report_is_link_only(tmp_path: Path) -> None:
    report = random_report(random.Random(6), template="2021", year=2023,
                           agency="宜昌市夷陵区人民政府")
    page = (f"<html><head><meta charset='utf-8'><title>{report.title}</title></head><body>"
            f"<div id='zoom'><p>{report.title}</p><p><a href='r.docx'>附件：{report.title}</a>"
            "</p></div></body></html>")
    routes = {"/col/index.html": listing([("./t1.html", report.title)]),
              "/col/t1.html": Resource(page.encode()),
              "/col/r.docx": Resource(render_docx(report), "application/msword")}
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("d", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        assert run_cli("extract", str(store), "--out", str(tmp_path / "data")).returncode == 0
        reports = pq.read_table(tmp_path / "data" / "reports.parquet").to_pylist()
        urls = {r["source_url"]: r for r in reports}
        article, docx = urls[site.url("/col/t1.html")], urls[site.url("/col/r.docx")]
        assert article["status"] == "link_only"
        assert article["linked_report_id"] == docx["report_id"]
        assert article["report_group"] == docx["report_group"] == "420506-人民政府/2023"
        assert docx["primary"] and not article["primary"]
    finally:
        site.stop()


def test_the_site_host_places_a_report_whose_own_evidence_names_no_place(tmp_path: Path) -> None:
    agencies = ("宜昌市夷陵区人民政府", "宜昌市夷陵区财政局", "审计局")
    reports = [random_report(random.Random(40 + i), template="2021", year=2023, agency=a)
               for i, a in enumerate(agencies)]
    routes = {"/col/index.html": listing([(f"./t{i}.html", r.title) for i, r in enumerate(reports)])}
    for i, r in enumerate(reports):
        routes[f"/col/t{i}.html"] = Resource(render_html(r, "trs", "utf-8"))
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("d", "trs", site.url("/col/index.html"))])
        assert crawl(sources, tmp_path / "store").returncode == 0
        assert run_cli("extract", str(tmp_path / "store"), "--out",
                       str(tmp_path / "data")).returncode == 0
        rows = {r["agency"]: r for r in pq.read_table(tmp_path / "data" / "reports.parquet").to_pylist()}
        audit = rows["审计局"]
        assert (audit["adcode"], audit["region_source"]) == ("420506", "host")
        assert "2 other reports" in audit["region_note"]
        assert audit["agency_id"] == "420506-审计局"
        assert rows["宜昌市夷陵区财政局"]["region_source"] == "title"
    finally:
        site.stop()
