"""The batch on the project's own hostile corpus, mixed with valid reports: it finishes,
every file has a row or a skip with a one-line reason, the valid reports come out exactly as
they do alone, the parent's memory stays bounded and nothing outside the folder is read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_pipeline import REPORT_HTML, write

from gk_extract.pipeline.worker import shown_path
from gk_extract.testing.hostile import SECRET_TEXT, write_hostile_corpus

# The parent holds outcomes and writes the dataset; the documents stay in the workers.
PARENT_PEAK_MB = 600
_RUN = """
import json, sys
from pathlib import Path
from gk_extract.pipeline import Settings, extract_paths
result = extract_paths([Path(sys.argv[1])], Settings(out_dir=Path(sys.argv[2]), workers=2,
                       timeout_s=30, max_memory=1024**3))
# VmHWM, not ru_maxrss: the latter keeps the forking test process's peak across exec
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"peak_mb": peak / 1024,
                  "skipped": result.skipped, "duplicates": result.duplicates}))
"""


def _batch(folder: Path, out: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN, str(folder), str(out)], check=True,
                          capture_output=True, text=True, timeout=900)
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    root = tmp_path_factory.mktemp("hostile")
    hostile = write_hostile_corpus(root / "in", tiny=300)
    valid = [write(root / "in" / "valid", f"report{n}.html", REPORT_HTML.format(n=n))
             for n in range(1, 6)]
    return root / "in", hostile, valid


def test_the_batch_survives_the_hostile_corpus(mixed: tuple[Path, list[Path], list[Path]],
                                               tmp_path: Path) -> None:
    folder, hostile, valid = mixed
    assert len(hostile) >= 200
    summary = _batch(folder, tmp_path / "out")
    reports = pq.read_table(tmp_path / "out" / "reports.parquet").to_pylist()
    seen = {r["source_path"] for r in reports} | set(summary["skipped"]) \
        | set(summary["duplicates"])  # type: ignore[arg-type]
    listed = {shown_path(str(p)) for p in hostile + valid
              if not p.is_symlink() or p.name == "link-out.html"}
    assert not listed - seen, sorted(listed - seen)[:5]
    for report in reports:
        if Path(report["source_path"]).parent.name != "valid":
            assert report["status"] in ("failed", "not_a_report", "partial"), report["source_path"]
            assert report["error"] and "\n" not in report["error"], report["source_path"]
    assert summary["peak_mb"] < PARENT_PEAK_MB  # type: ignore[operator]
    png = next(r for r in reports if r["source_path"].endswith("png-bomb.png"))
    assert "over the limit" in png["error"]  # refused from its header, never decoded
    # nothing outside the folder was read: the link out was skipped, the XXE not resolved
    assert str(folder / "link-out.html") in summary["skipped"]  # type: ignore[operator]
    for table in ("sections", "cells"):
        text = " ".join(str(v) for v in pq.read_table(tmp_path / "out" / f"{table}.parquet")
                        .to_pandas().astype(str).to_numpy().ravel())
        assert SECRET_TEXT not in text

    alone = tmp_path / "alone"
    shutil.copytree(folder / "valid", alone / "valid")
    _batch(alone, tmp_path / "out-alone")
    assert _valid_cells(tmp_path / "out", "valid") == _valid_cells(tmp_path / "out-alone", "valid")
    statuses = [r["status"] for r in reports if Path(r["source_path"]).parent.name == "valid"]
    assert statuses == ["partial"] * len(valid)


def _valid_cells(out: Path, folder: str) -> list[tuple[str, str, object]]:
    reports = {r["report_id"]: Path(r["source_path"]).name
               for r in pq.read_table(out / "reports.parquet").to_pylist()
               if Path(r["source_path"]).parent.name == folder}
    cells = pq.read_table(out / "cells.parquet").to_pylist()
    return sorted((reports[c["report_id"]], c["key"], c["raw"]) for c in cells
                  if c["report_id"] in reports)
