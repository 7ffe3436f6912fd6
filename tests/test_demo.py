"""`gk-extract demo` (what `make run` runs): the bundled government column crawled and extracted, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pyarrow.parquet as pq
import pytest

from gk_extract.demo import COLUMN, DemoSite, build_site, prepare_store

ROOT = Path(__file__).resolve().parents[1]


def test_demo_site_is_crawled_and_extracted(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "data"
    run = subprocess.run([sys.executable, "-m", "gk_extract.cli", "demo", "--store", str(store),
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "44 new" in run.stdout and "1 blocked" in run.stdout and "9 listing pages" in run.stdout
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    assert len(reports) == 44 and all(r["source_url"].startswith("http://127.0.0.1:") for r in reports)
    assert {r["format"] for r in reports} == {"html", "docx", "pdf", "doc"}
    assert sum(r["status"] == "ok" for r in reports) >= 35
    # every article page that only links its report is grouped with the attachment
    pages = [r for r in reports if r["status"] == "link_only"]
    by_id = {r["report_id"]: r for r in reports}
    assert len(pages) == 6 and all(by_id[p["linked_report_id"]]["primary"] for p in pages)
    assert all(p["report_group"] == by_id[p["linked_report_id"]]["report_group"] for p in pages)
    # the panel agencies: several provinces, three years each, one X1 broken on purpose
    panel = pq.read_table(out / "panel.parquet").to_pylist()
    assert len({r["province"] for r in panel if r["province"]}) >= 5
    checks = pq.read_table(out / "checks.parquet").to_pylist()
    assert [c["scope"].split(":")[0] for c in checks if c["rule"] == "X1" and c["status"] == "fail"
            ] == ["natural_person", "total"]
    again = subprocess.run([sys.executable, "-m", "gk_extract.cli", "demo", "--store", str(store),
                            "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    refused = subprocess.run([sys.executable, "-m", "gk_extract.cli", "demo", "--store", str(ROOT / "src"),
                              "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                             timeout=60, check=False)
    assert refused.returncode != 0 and (ROOT / "src" / "gk_extract").is_dir()


def test_demo_site_serves_its_column_and_nothing_else() -> None:
    routes = build_site(ROOT / "corpus" / "demo", ROOT / "corpus" / "demo-site")
    with DemoSite(routes) as site:
        with urlopen(site.url(f"{COLUMN}index.html")) as page:
            assert page.status == 200 and "createPageHTML(9, 0" in page.read().decode("utf-8")
        with pytest.raises(HTTPError) as missing:
            urlopen(site.url(f"{COLUMN}202112/t_notice.html"))
        assert missing.value.code == 404
    assert {p.content_type for p in routes.values()} >= {"application/pdf", "application/msword"}


def test_demo_store_is_emptied_but_another_folder_is_never_touched(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert prepare_store(store)
    (store / "ab").mkdir()
    assert prepare_store(store) and not (store / "ab").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep", encoding="utf-8")
    assert not prepare_store(other) and (other / "notes.txt").exists()
