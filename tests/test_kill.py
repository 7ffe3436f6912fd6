"""kill -9 at random moments, then resume: every parquet file present at any moment reads,
no worker outlives the killed batch, leftovers are removed, and the final dataset equals
that of an uninterrupted run (real processes, real signals)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
from test_pipeline import REPORT_HTML, write

from gk_extract.export.parquet import SCHEMAS
from gk_extract.export.tables import live_parts

KILLS = 10


def _command(folder: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "gk_extract.cli", "extract", str(folder), "--out", str(out),
            "--workers", "2"]


def _tables(out: Path) -> dict[str, object]:
    return {name: pq.read_table(out / f"{name}.parquet").sort_by("report_id")
            for name in SCHEMAS}


def test_killed_again_and_again_the_batch_resumes_to_the_same_dataset(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for n in range(60):
        write(folder, f"r{n:02d}.html", REPORT_HTML.format(n=n))
    reference = tmp_path / "reference"
    subprocess.run(_command(folder, reference), check=True, capture_output=True, timeout=600)

    out = tmp_path / "out"
    rng = random.Random(7)
    for _ in range(KILLS):
        batch = subprocess.Popen(_command(folder, out), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        children = psutil.Process(batch.pid).children(recursive=True) \
            if batch.poll() is None else []
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        _gone(children)
        for table in [*out.glob("*.parquet"), *out.glob("*.parquet/*.parquet")]:
            pq.read_table(table)  # whatever is in place is whole
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True).stdout.strip()
    planted = [out / "cells.parquet" / f".part-0.parquet.tmp-{dead}",
               Path(tempfile.gettempdir()) / f"gk_extract-convert-{dead}-left"]
    planted[0].write_bytes(b"half a table")
    planted[1].mkdir()
    subprocess.run(_command(folder, out), check=True, capture_output=True, timeout=600)
    assert not any(p.exists() for p in planted)
    assert not list(out.rglob(".*.tmp-*")) and not list((out / ".work").rglob("*.tmp-*"))
    assert {p.name for p in (out / "cells.parquet").iterdir()} == {
        f"{part.name}.parquet" for part in live_parts(out)["document"]}
    final, expected = _tables(out), _tables(reference)
    for name in SCHEMAS:
        assert final[name].equals(expected[name]), name  # type: ignore[attr-defined]


def _gone(processes: list[psutil.Process]) -> None:
    deadline = time.monotonic() + 10
    alive = processes
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.1)
    assert not alive, [p.pid for p in alive]
