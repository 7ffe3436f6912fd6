"""Throughput against its floors, from one run: HTML beside lxml's own parse and walk, PDF
beside pypdfium2's text-only read, and 2 workers beside 1 on the process pool and on a
LocalCluster.

Usage: python benchmarks/floors.py [--count N] [--repeat R] [--only html pdf workers]

* **HTML**: the real sample pages (../shared/samples, when present) and N generated pages.
  gk-extract's whole per-document work (detect, parse, match, checks) per report, beside
  ``lxml.html.document_fromstring`` and a walk over every element's text and tail: the least
  any extractor built on lxml must spend. Goal: at most 2.5x the floor.
* **PDF**: the real WPS sample and generated LibreOffice PDFs: gk-extract per report beside
  pypdfium2 opening the file and reading each page's text. Goal: at most 2.5x.
* **Workers**: ``extract`` over N generated HTML and DOCX reports with 1 and 2 workers, on the
  pool and on ``--scheduler local:1`` / ``local:2``. The extraction phase (first result to
  last, scaled to every document: the start of workers and of the cluster left out) and the
  whole command are timed. Goal: 2 workers at least 1.85x one
  (on a machine with 2 idle cores).

Everything is timed in this process, warm (each file once before timing), on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def per_report(run: Callable[[bytes], object], blobs: list[bytes], repeat: int) -> float:
    """Median over ``repeat`` rounds of the mean seconds per blob."""
    for data in blobs:
        run(data)
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for data in blobs:
            run(data)
        rounds.append((time.perf_counter() - start) / len(blobs))
    return statistics.median(rounds)


def gk(data: bytes) -> object:
    from gk_extract.pipeline import extract_bytes

    return extract_bytes(data, "bench", hashlib.sha256(data).hexdigest(), 120)


def lxml_walk(data: bytes) -> int:
    import lxml.html

    root = lxml.html.document_fromstring(data)
    return sum(len(el.text or "") + len(el.tail or "") for el in root.iter())


def pdfium_text(data: bytes) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return sum(len(page.get_textpage().get_text_range()) for page in pdf)
    finally:
        pdf.close()


def side_by_side(title: str, blobs: list[bytes], floor: Callable[[bytes], object],
                 floor_name: str, repeat: int) -> None:
    ours = per_report(gk, blobs, repeat)
    least = per_report(floor, blobs, repeat)
    kb = sum(map(len, blobs)) / len(blobs) / 1024
    print(f"{title:<44} {len(blobs):>5} x {kb:>5.0f} KB  gk-extract {1000 * ours:>7.1f} ms "
          f"({1 / ours:>5.0f}/s)  {floor_name} {1000 * least:>6.2f} ms  "
          f"ratio {ours / least:>4.1f}x")


def html(root: Path, count: int, repeat: int) -> None:
    from gk_extract.testing.synth import write_corpus

    print("HTML, per report, one core (goal: at most 2.5x the floor)")
    real = sorted(SAMPLES.glob("pt20*.html"))
    for path in real:
        side_by_side(f"real page {path.name}", [path.read_bytes()], lxml_walk, "lxml parse+walk",
                     repeat * 10)
    made = write_corpus(root / "html", count, seed=3, formats=("html",))
    side_by_side("generated pages (every CMS style)", [p.read_bytes() for p in made], lxml_walk,
                 "lxml parse+walk", repeat)


def pdf(root: Path, count: int, repeat: int) -> None:
    print("PDF, per report, one core (goal: at most 2.5x the floor)")
    real = SAMPLES / "hzq2024.pdf"
    if real.exists():
        side_by_side("real WPS export hzq2024.pdf", [real.read_bytes()], pdfium_text,
                     "pypdfium2 text", repeat * 3)
    from gk_extract.testing.corpora import libreoffice_pdfs

    made = [data for data, _ in libreoffice_pdfs(root / "pdf", max(4, count // 25), seed=5)]
    side_by_side("generated LibreOffice PDFs", made, pdfium_text, "pypdfium2 text", repeat)


_CHILD = """
import json, sys, time
from pathlib import Path
from gk_extract.pipeline import Settings, extract_paths
workers, scheduler = int(sys.argv[3]), (sys.argv[4] or None)
marks = []
start = time.perf_counter()
extract_paths([Path(sys.argv[1])], Settings(out_dir=Path(sys.argv[2]), workers=workers,
              scheduler=scheduler, reuse=False),
              on_done=lambda outcome: marks.append(time.perf_counter()))
# first result to last, scaled to every document: the workers' own start-up left out
phase = (marks[-1] - marks[0]) * len(marks) / (len(marks) - 1)
print(json.dumps({"phase": phase, "whole": time.perf_counter() - start}))
"""


def workers(root: Path, count: int) -> None:
    from gk_extract.testing.synth import write_corpus

    folder = root / "mixed"
    write_corpus(folder, count, seed=11, formats=("html", "docx"))
    print(f"Workers: extract over {count} generated HTML and DOCX reports "
          "(goal: 2 workers at least 1.85x one)")
    for engine, runs in (("process pool", [("1", ""), ("2", "")]),
                         ("LocalCluster", [("1", "local:1"), ("1", "local:2")])):
        times = []
        for n, scheduler in runs:
            done = subprocess.run([sys.executable, "-c", _CHILD, str(folder),
                                   str(root / f"out-{engine[:4]}-{n}-{scheduler}"), n, scheduler],
                                  check=True, capture_output=True, text=True)
            times.append(json.loads(done.stdout.strip().splitlines()[-1]))
        one, two = times
        print(f"  {engine:<13} 1 worker: extraction {one['phase']:>6.1f} s (command "
              f"{one['whole']:>5.1f} s)  2 workers: {two['phase']:>6.1f} s ({two['whole']:>5.1f} s)"
              f"  speed-up {one['phase'] / two['phase']:.2f}x (command "
              f"{one['whole'] / two['whole']:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=("html", "pdf", "workers"),
                        default=("html", "pdf", "workers"),
                        help="the sections to run (default: all three)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "html" in args.only:
            html(root, args.count, args.repeat)
        if "pdf" in args.only:
            pdf(root, args.count, args.repeat)
        if "workers" in args.only:
            workers(root, args.count * 4)


if __name__ == "__main__":
    main()
