"""Scale: a batch's memory as the count grows, a run that adds files to a big dataset, and the
hostile corpus at full size.

Usage: python benchmarks/scale.py [--counts 5000,10000,20000] [--add 1000] [--workers 2]
                                  [--tiny 10000] [--keep DIR]

* **Memory**: generated HTML reports (``gk_extract.testing.synth``, one agency each) are
  extracted by ``gk-extract extract --workers N`` at each count. While it runs, the parent's
  and every worker's peak resident memory (``VmHWM``) are sampled, and each worker's own
  pages (USS: a forked worker's resident memory also counts the parent's pages it shares). Flat means the figures at the
  largest count are those at the smallest: the parent holds one small outcome per document
  and the documents stay in the workers.
* **Adding files**: ``--add`` new reports join the largest folder and the same command runs
  again. Printed: its time beside the first run's, the bytes it wrote beside the dataset's,
  and whether every part of the first run is still the same file.
* **Hostile corpus**: ``python -m gk_extract.testing.hostile`` with ``--tiny`` tiny files,
  mixed with valid reports, under ``--timeout 60``: files tried, whether the batch finished,
  its time, rows and skips, and the peaks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

POLL_S = 0.2


def vm_hwm_mb(pid: int) -> float:
    """A process's peak resident memory so far, or 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def extract(folder: Path, out: Path, workers: int, timeout_s: int = 60) -> dict[str, float]:
    """``gk-extract extract`` as a user runs it, with the peaks sampled while it runs."""
    command = [sys.executable, "-m", "gk_extract.cli", "extract", str(folder), "--out", str(out),
               "--workers", str(workers), "--timeout", str(timeout_s)]
    start = time.perf_counter()
    batch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(batch.pid)
    parent_peak, worker_peak, worker_own = 0.0, 0.0, 0.0
    while batch.poll() is None:
        parent_peak = max(parent_peak, vm_hwm_mb(batch.pid))
        try:
            children = parent.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for child in children:
            try:
                if child.name().startswith("soffice"):
                    continue
            except psutil.Error:
                continue
            worker_peak = max(worker_peak, vm_hwm_mb(child.pid))
            try:  # its own pages only: a forked worker's RSS counts the parent's it shares
                worker_own = max(worker_own, child.memory_full_info().uss / 1024**2)
            except psutil.Error:
                pass
        time.sleep(POLL_S)
    return {"seconds": time.perf_counter() - start, "rc": float(batch.wait()),
            "parent_mb": parent_peak, "worker_mb": worker_peak, "worker_own_mb": worker_own}


def part_files(out: Path) -> dict[Path, tuple[int, int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in out.glob("*.parquet/*.parquet")}


def linked_copy(files: list[Path], folder: Path) -> Path:
    """A folder of hard links to ``files``: the same bytes, no copying."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        target = folder / path.name
        if not target.exists():
            os.link(path, target)
    return folder


def reports(folder: Path, count: int, seed: int, prefix: str = "r") -> list[Path]:
    """``count`` generated HTML reports, each of an agency of its own (as a national batch is:
    one report per agency and year), in every CMS style the generator has."""
    from gk_extract.testing.synth import random_report, render_html

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        report = random_report(rng, template="2021", agency=f"{prefix}{i}号示范区财政局")
        made.append(folder / f"{prefix}{i:06d}.html")
        made[-1].write_bytes(render_html(report))
    return made


def memory(root: Path, counts: list[int], add: int, workers: int) -> None:
    largest = max(counts)
    made = reports(root / "all", largest, seed=3)
    print(f"memory: {largest} generated HTML reports, "
          f"{sum(p.stat().st_size for p in made) / len(made) / 1024:.0f} KB each, "
          f"--workers {workers}")
    print(f"{'documents':>10} {'seconds':>8} {'docs/s':>7} {'parent peak MB':>15} "
          f"{'worker peak MB':>15} {'worker own MB':>14}")
    runs = {}
    for count in counts:
        folder = linked_copy(made[:count], root / f"in-{count}")
        m = extract(folder, root / f"out-{count}", workers)
        runs[count] = m
        print(f"{count:>10} {m['seconds']:>8.1f} {count / m['seconds']:>7.1f} "
              f"{m['parent_mb']:>15.0f} {m['worker_mb']:>15.0f} {m['worker_own_mb']:>14.0f}"
              + ("" if not m["rc"] else
                                                                     f"  exit {m['rc']:.0f}"))
    low, high = runs[min(counts)], runs[largest]
    print(f"flat: parent {high['parent_mb'] / low['parent_mb']:.2f}x, "
          f"worker {high['worker_mb'] / low['worker_mb']:.2f}x at "
          f"{largest / min(counts):.0f}x the documents")

    out = root / f"out-{largest}"
    before = part_files(out)
    extra = reports(root / "extra", add, seed=5, prefix="added")
    folder = root / f"in-{largest}"
    for path in extra:
        os.link(path, folder / path.name)
    m = extract(folder, out, workers)
    after = part_files(out)
    kept = all(after.get(p) == v for p, v in before.items())
    written = sum(v[2] for p, v in after.items() if p not in before)
    total = sum(v[2] for v in after.values())
    print(f"adding {add} files to {largest}: {m['seconds']:.1f} s (the first run "
          f"{high['seconds']:.1f} s); wrote {written / 1e6:.1f} MB of the dataset's "
          f"{total / 1e6:.1f} MB; every earlier part the same file: {kept}; "
          f"parent peak {m['parent_mb']:.0f} MB")


def hostile(root: Path, tiny: int, workers: int) -> None:
    import pandas as pd

    from gk_extract.testing.hostile import write_hostile_corpus
    from gk_extract.testing.synth import write_corpus

    folder = root / "hostile"
    files = write_hostile_corpus(folder, tiny=tiny)
    valid = write_corpus(folder / "valid", 50, seed=9, formats=("html", "docx"))
    tried = len(files) + len(valid)
    m = extract(folder, root / "hostile-out", workers)
    reports = pd.read_parquet(root / "hostile-out" / "reports.parquet") if m["rc"] == 0 else None
    manifest = json.loads((root / "hostile-out" / "manifest.json").read_text()) if m["rc"] == 0 \
        else {}
    rows = 0 if reports is None else len(reports)
    print(f"hostile corpus: {tried} files ({len(files)} hostile and tiny, {len(valid)} valid), "
          f"--workers {workers} --timeout 60: exit {m['rc']:.0f} after {m['seconds']:.0f} s; "
          f"{rows} rows, {manifest.get('skipped', 0)} skipped, "
          f"{len(manifest.get('duplicates', []))} duplicates; "
          f"failed {0 if reports is None else int((reports['status'] == 'failed').sum())}; "
          f"parent peak {m['parent_mb']:.0f} MB, worker peak {m['worker_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="5000,10000,20000")
    parser.add_argument("--add", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tiny", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="work here instead of a temporary folder")
    args = parser.parse_args()
    counts = sorted(int(c) for c in args.counts.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        memory(root, counts, args.add, args.workers)
        hostile(root, args.tiny, args.workers)


if __name__ == "__main__":
    main()
