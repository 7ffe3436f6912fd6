"""From a crawl store to the dataset: every report knows the URL it was fetched from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from fetch_sites import crawl, listing, serve, write_sources

from gk_extract.testing.loopback import Resource

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
