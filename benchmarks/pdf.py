"""PDF throughput per producer: the whole pipeline against pdfplumber, camelot and a text-only floor.

Usage: python benchmarks/pdf.py [--count N] [--seed S]

Prints, for the same files in the same run: seconds per report and per page for gk-extract's
whole pipeline (detect, parse, match, checks), for pdfplumber's own ``extract_text`` +
``extract_tables`` alone, for camelot's lattice mode when camelot is installed
(``pip install -e '.[bench]'``), and for pypdfium2 reading each page's text and nothing else
(the floor: no rulings, no tables, no matching), with the ratios; and the peak memory of
each. The PDFs come per producer, measured separately:

* synthetic reports printed by LibreOffice (``gk_extract.testing.corpora``);
* the same generator's web pages printed by headless Chromium, every CMS style;
* WPS: the real WPS export ../shared/samples/hzq2024.pdf (x20), when present.

Each measurement runs in a fresh child process, so peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
# The fixture sets measured, by producer.
PRODUCERS = {"libreoffice": "LibreOffice", "chromium": "Chromium"}


def make_pdfs(folder: Path, corpus: str, count: int, seed: int) -> list[Path]:
    """``count`` PDFs of one fixture set, written to ``folder`` for the children to read."""
    from gk_extract.testing.corpora import CORPORA

    paths = []
    for i, (data, _) in enumerate(CORPORA[corpus].build(folder / "work", count, seed)):
        paths.append(folder / f"{corpus}{i:04d}.pdf")
        paths[-1].write_bytes(data)
    return paths


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


def run_pdfium_text(paths: list[Path]) -> int:
    import pypdfium2

    for path in paths:
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()
    return 0


RUNNERS = {
    "gk-extract": run_gk,
    "pdfplumber": run_pdfplumber,
    "camelot": run_camelot,
    "pypdfium2 text": run_pdfium_text,
}


def child(name: str, paths: list[Path]) -> dict[str, float]:
    start = time.perf_counter()
    RUNNERS[name](paths)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(name: str, paths: list[Path]) -> dict[str, float] | None:
    job = json.dumps({"name": name, "paths": [str(p) for p in paths]})
    done = subprocess.run(
        [sys.executable, __file__, "--child"],
        input=job,
        text=True,
        capture_output=True,
        check=False,
    )
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
        ratio = (
            f"  x{r['seconds'] / base['seconds']:.1f} of gk-extract"
            if base and name != "gk-extract"
            else ""
        )
        print(
            f"  {name:<14} {r['seconds'] / len(paths):.3f} s/report  {r['seconds'] / n_pages:.3f} s/page"
            f"  peak {r['peak_rss_mb']:.0f} MB{ratio}"
        )


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
    from gk_extract.testing.corpora import CORPORA, missing_tool

    for corpus, producer in PRODUCERS.items():
        tool = missing_tool(CORPORA[corpus])
        if tool:
            print(f"\n{producer}: not measured, {tool} is not installed")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            print(f"\nprinting {args.count} synthetic reports to PDF with {producer} …", flush=True)
            report(
                f"synthetic PDFs ({producer})", make_pdfs(Path(tmp), corpus, args.count, args.seed)
            )
    real = SAMPLES / "hzq2024.pdf"
    if real.exists():
        report("WPS: real sample hzq2024.pdf (x20)", [real] * 20)


if __name__ == "__main__":
    main()
