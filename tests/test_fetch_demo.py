"""`make run`'s demo: the bundled government column crawled and extracted, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def test_demo_site_is_crawled_and_extracted(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "data"
    run = subprocess.run([sys.executable, "-m", "gk_extract.fetch.demo", "--store", str(store),
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "23 new" in run.stdout and "1 blocked" in run.stdout and "4 listing pages" in run.stdout
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    assert len(reports) == 23 and all(r["source_url"].startswith("http://127.0.0.1:") for r in reports)
    assert {r["format"] for r in reports} == {"html", "docx", "pdf", "doc"}
    assert sum(r["status"] == "ok" for r in reports) >= 15
    again = subprocess.run([sys.executable, "-m", "gk_extract.fetch.demo", "--store", str(store),
                            "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    refused = subprocess.run([sys.executable, "-m", "gk_extract.fetch.demo", "--store", str(ROOT / "src"),
                              "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                             timeout=60, check=False)
    assert refused.returncode != 0 and (ROOT / "src" / "gk_extract").is_dir()
