"""Throughput and memory of the extraction, per format, on one core.

Usage: python benchmarks/run.py [--count N] [--seed S] [--keep DIR]

Generates N synthetic reports per format (default 500) with gk_extract.testing.synth, then, in a
fresh child process per format so that peak memory is the extraction's own, runs the whole
per-document pipeline (detect, parse, match, checks) over them on one core, and finally the
batch command with parquet output. Prints documents per second per core, milliseconds per
document (median and 95th percentile) and peak resident memory. The real sample pages are
timed too when ../shared/samples is present.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def generate(out: Path, count: int, seed: int, fmt: str) -> list[Path]:
    from gk_extract.testing.synth import write_corpus

    paths = write_corpus(out / fmt, count, seed, formats=(fmt,))
    return [p for p in paths if p.suffix.lower() in (".html", ".htm", ".docx")]


def measure(paths: list[Path]) -> dict[str, float]:
    """Run in a child: the per-document pipeline over ``paths``, sequentially."""
    import hashlib

    from gk_extract.pipeline import extract_bytes

    blobs = [p.read_bytes() for p in paths]
    times, statuses = [], []
    for data in blobs:
        start = time.perf_counter()
        report = extract_bytes(data, "bench", hashlib.sha256(data).hexdigest(), 60)
        times.append(time.perf_counter() - start)
        statuses.append(report.status)
    total = sum(times)
    return {
        "documents": len(blobs), "seconds": total, "docs_per_s_per_core": len(blobs) / total,
        "ms_median": 1000 * statistics.median(times),
        "ms_p95": 1000 * sorted(times)[int(0.95 * (len(times) - 1))],
        "mean_kb": sum(map(len, blobs)) / len(blobs) / 1024,
        "ok_share": statuses.count("ok") / len(statuses),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def in_child(paths: list[Path]) -> dict[str, float]:
    listing = json.dumps([str(p) for p in paths])
    result = subprocess.run([sys.executable, __file__, "--child"], input=listing, text=True,
                            capture_output=True, check=True)
    return json.loads(result.stdout)


def batch(folder: Path, out: Path) -> dict[str, float]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gk_extract.cli", "extract", str(folder), "--out", str(out),
                    "--workers", "1", "--fresh"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    files = sum(1 for p in folder.rglob("*") if p.suffix in (".html", ".docx"))
    return {"documents": files, "seconds": seconds, "docs_per_s_per_core": files / seconds}


def line(name: str, m: dict[str, float]) -> str:
    extra = "".join(f"  {k}={m[k]:.1f}" for k in ("ms_median", "ms_p95", "mean_kb", "peak_rss_mb") if k in m)
    return f"{name:<28} {m['documents']:>5.0f} docs  {m['docs_per_s_per_core']:8.1f} docs/s/core{extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the corpus here instead of a temp folder")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure([Path(p) for p in json.loads(sys.stdin.read())])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        print(f"generating {args.count} reports per format …", flush=True)
        for fmt in ("html", "docx"):
            paths = generate(root, args.count, args.seed, fmt)
            print(line(f"{fmt} (per document)", in_child(paths)), flush=True)
            print(line(f"{fmt} (batch with parquet)", batch(root / fmt, root / f"out-{fmt}")), flush=True)
        real = sorted(SAMPLES.glob("*.html")) if SAMPLES.exists() else []
        if real:
            print(line("real sample pages", in_child(real * 20)), flush=True)


if __name__ == "__main__":
    main()
