"""PDF throughput: the whole pipeline against pdfplumber's extract_tables and camelot lattice.

Usage: python benchmarks/pdf.py [--count N] [--seed S]

Prints, for the same files in the same run: seconds per report and per page for gk-extract's
whole pipeline (detect, parse, match, checks), for pdfplumber's own ``extract_text`` +
``extract_tables`` alone, and for camelot's lattice mode when camelot is installed
(``pip install -e '.[bench]'``), with the ratios; and the peak memory of each. The PDFs are
synthetic reports printed by LibreOffice, plus the real sample when ../shared/samples is
present. Each measurement runs in a fresh child process, so peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def make_pdfs(folder: Path, count: int, seed: int) -> list[Path]:
    from gk_extract.testing.synth import random_report, render_docx
    from gk_extract.testing.synth.office import convert_many

    rng = random.Random(seed)
    docx = []
    for i in range(count):
        path = folder / f"r{i:04d}.docx"
        path.write_bytes(render_docx(random_report(rng)))
        docx.append(path)
    return convert_many(docx, "pdf", folder / "pdf")


def run_gk(paths: list[Path]) -> int:
    import hashlib

    from gk_extract.pipeline import extract_bytes

    for path in paths:
        data = path.read_bytes()
        extract_bytes(data, str(path), hashlib.sha256(data).hexdigest(), 120)
    return 0


def run_pdfplumber(paths: list[Path]) -> int:
    import pdfplumber

    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
    return 0


def run_camelot(paths: list[Path]) -> int:
    import camelot

    for path in paths:
        camelot.read_pdf(str(path), pages="all", flavor="lattice")
    return 0


RUNNERS = {"gk-extract": run_gk, "pdfplumber": run_pdfplumber, "camelot": run_camelot}


def child(name: str, paths: list[Path]) -> dict[str, float]:
    start = time.perf_counter()
    RUNNERS[name](paths)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(name: str, paths: list[Path]) -> dict[str, float] | None:
    job = json.dumps({"name": name, "paths": [str(p) for p in paths]})
    done = subprocess.run([sys.executable, __file__, "--child"], input=job, text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        print(f"{name}: not measured ({done.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(done.stdout)


def pages(paths: list[Path]) -> int:
    import pypdfium2

    return sum(len(pypdfium2.PdfDocument(str(p))) for p in paths)


def report(title: str, paths: list[Path]) -> None:
    n_pages = pages(paths)
    print(f"\n{title}: {len(paths)} reports, {n_pages} pages")
    results = {name: measure(name, paths) for name in RUNNERS}
    base = results["gk-extract"]
    for name, r in results.items():
        if r is None:
            continue
        ratio = f"  x{r['seconds'] / base['seconds']:.1f} of gk-extract" if base and name != "gk-extract" else ""
        print(f"  {name:<11} {r['seconds'] / len(paths):.3f} s/report  {r['seconds'] / n_pages:.3f} s/page"
              f"  peak {r['peak_rss_mb']:.0f} MB{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        job = json.loads(sys.stdin.read())
        print(json.dumps(child(job["name"], [Path(p) for p in job["paths"]])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(f"printing {args.count} synthetic reports to PDF with LibreOffice …", flush=True)
        report("synthetic PDFs (LibreOffice)", make_pdfs(Path(tmp), args.count, args.seed))
    real = SAMPLES / "hzq2024.pdf"
    if real.exists():
        report("real sample hzq2024.pdf (x20)", [real] * 20)


if __name__ == "__main__":
    main()
