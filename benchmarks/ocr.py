"""OCR throughput: seconds per page on one core, and peak memory.

Usage: python benchmarks/ocr.py [--count N] [--seed S] [--threads T]

Rasterises the real sample (../shared/samples/hzq2024.pdf, when present) at 150 dpi and
``--count`` LibreOffice-printed synthetic reports degraded like scans (tests/ocr_scans.py)
into image-only PDFs, then parses each in a fresh child process with onnxruntime limited to
``--threads`` (default 1, i.e. one core), printing seconds per page and the child's peak
resident memory. Model loading is timed separately (it happens once per worker process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"
sys.path.insert(0, str(ROOT / "tests"))

_CHILD = r"""
import json, os, resource, sys, time
from gk_extract.parse.ocr.engine import _engine
t0 = time.perf_counter(); _engine(); load = time.perf_counter() - t0
from gk_extract.parse import parse_document
data = open(sys.argv[1], "rb").read()
t0 = time.perf_counter(); doc = parse_document(data); seconds = time.perf_counter() - t0
print(json.dumps({"load_s": load, "seconds": seconds, "pages": int(doc.meta.get("pages", 1)),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scans(folder: Path, count: int, seed: int) -> list[Path]:
    import pypdfium2 as pdfium
    from ocr_scans import Degradation, image_pdf, scan_pages
    from pdf_corpus import pdf_corpus

    out = []
    if (SAMPLES / "hzq2024.pdf").exists():
        pdf = pdfium.PdfDocument(str(SAMPLES / "hzq2024.pdf"))
        pages = [pdf[i].render(scale=150 / 72).to_pil().convert("L") for i in range(len(pdf))]
        out.append(folder / "hzq2024_scan.pdf")
        out[-1].write_bytes(image_pdf(pages, 150))
    for i, (data, _) in enumerate(pdf_corpus(folder / "printed", count, seed) if count else []):
        how = Degradation.draw(random.Random(seed * 1000 + i))
        out.append(folder / f"scan{i:03d}.pdf")
        out[-1].write_bytes(image_pdf(scan_pages(data, how, seed=i), how.dpi))
    return out


def measure(path: Path, threads: int) -> dict[str, float]:
    env = {"GK_EXTRACT_OCR_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # a checkout run against its own sources
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    run = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                         text=True, check=True, env=env)
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [(p.name, measure(p, args.threads)) for p in scans(Path(tmp), args.count, args.seed)]
    for name, r in results:
        print(f"{name:24s} {r['pages']:3d} pages  {r['seconds'] / r['pages']:6.2f} s/page  "
              f"peak {r['peak_mb']:6.0f} MB  (model load {r['load_s']:.2f} s)")
    pages = sum(r["pages"] for _, r in results)
    seconds = sum(r["seconds"] for _, r in results)
    print(f"overall: {seconds / pages:.2f} s/page on {args.threads} thread(s), "
          f"peak {max(r['peak_mb'] for _, r in results):.0f} MB; "
          f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
