"""OCR accuracy: generated scans round-tripped cell for cell, and how each wrong cell is flagged.

Usage: python benchmarks/ocr_accuracy.py [--count N] [--seed S] [--jobs J] [--work DIR]
       [--engine-cache DIR] [--json FILE]

Draws ``--count`` synthetic reports, prints them with LibreOffice, degrades every page like
a scan (tests/ocr_scans.py: 100-200 dpi, rotation, blur, noise, JPEG) into image-only PDFs,
extracts each and compares every template cell with the report's truth. A wrong cell is
*flagged* when the dataset marks it ``doubtful``: read with low confidence, or pointed at
by the failed consistency checks; the goal is >= 99 % of cells right and no wrong cell unflagged.

``--work`` keeps the printed PDFs and scans between runs. ``--engine-cache`` stores the
engine's raw readings per page image, so changes to what happens after recognition
(rulings, layout, matching) can be measured again in seconds; leave it out for a clean run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def build_scans(work: Path, count: int, seed: int) -> list[tuple[Path, dict[str, Any]]]:
    """The scans and their truth, made once per (count, seed) in ``work``."""
    from ocr_scans import Degradation, image_pdf, scan_pages
    from pdf_corpus import pdf_corpus

    folder = work / f"scans-{seed}-{count}"
    index = folder / "truth.json"
    if index.exists():
        return [(folder / name, truth) for name, truth in json.loads(index.read_text())]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, (data, truth) in enumerate(pdf_corpus(folder / "printed", count, seed)):
        how = Degradation.draw(random.Random(seed * 1000 + i))
        path = folder / f"scan{i:04d}.pdf"
        path.write_bytes(image_pdf(scan_pages(data, how, seed=i), how.dpi))
        out.append((path.name, {"expected": truth.expected, "agency": truth.agency,
                                "year": truth.year, "template": truth.template,
                                "degradation": how.__dict__}))
    index.write_text(json.dumps(out, ensure_ascii=False))
    return [(folder / name, truth) for name, truth in out]


def _cached_engine(cache: Path) -> None:
    """Wrap the recogniser so each page image's readings are kept on disk by its hash."""
    from gk_extract.parse.ocr import page as ocr_page

    recognise = ocr_page.recognise

    def cached(gray: Any) -> Any:
        path = cache / f"{hashlib.sha256(gray.tobytes() + str(gray.shape).encode()).hexdigest()}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        lines = recognise(gray)
        path.write_bytes(pickle.dumps(lines))
        return lines

    ocr_page.recognise = cached


def score_one(job: tuple[str, dict[str, Any], str | None]) -> dict[str, Any]:
    path, truth, cache = job
    os.environ.setdefault("GK_EXTRACT_OCR_THREADS", "1")
    if cache:
        _cached_engine(Path(cache))
    from gk_extract.normalize.numbers import parse_value
    from gk_extract.parse import parse_document
    from gk_extract.template.match import Source, build_report

    data = Path(path).read_bytes()
    started = time.perf_counter()
    document = parse_document(data)
    report = build_report(document, Source(hashlib.sha256(data).hexdigest(), Path(path).name, "pdf"))
    seconds = time.perf_counter() - started
    confidence = {c.ref: c.confidence for t in document.tables for c in t.cells}
    got = {c.key: c for c in report.cells if c.table != "extra"}
    wrong = []
    for key, want in truth["expected"].items():
        cell = got.get(key)
        if cell is None or cell.value.value != want:
            how = ("missing" if cell is None else "unflagged" if not cell.doubtful
                   else "low-confidence" if cell.value.kind == "text" else "check")
            wrong.append({"key": key, "want": want, "got": None if cell is None else cell.value.raw,
                          "flag": how, "ref": None if cell is None else cell.source_ref})
    false_alarms = sum(1 for key, c in got.items()
                       if c.doubtful and c.value.value == truth["expected"].get(key))
    # every read cell with a digit in it: (engine confidence, read right) for calibration
    digits = [(confidence.get(c.source_ref), parse_value(c.value.raw).value == truth["expected"].get(key))
              for key, c in got.items() if key in truth["expected"] and any(ch.isdigit() for ch in c.value.raw)]
    meta_ok = (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    return {"file": Path(path).name, "status": report.status, "error": report.error,
            "cells": len(truth["expected"]), "wrong": wrong, "meta_ok": meta_ok,
            "seconds": seconds, "degradation": truth["degradation"], "digits": digits,
            "false_alarms": false_alarms}



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--engine-cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write every wrong cell here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        scans = build_scans(work, args.count, args.seed)
        cache = None
        if args.engine_cache:
            args.engine_cache.mkdir(parents=True, exist_ok=True)
            cache = str(args.engine_cache)
        jobs = [(str(p), truth, cache) for p, truth in scans]
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(score_one, jobs))
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


def report(results: list[dict[str, Any]]) -> None:
    cells = sum(r["cells"] for r in results)
    wrong = [w for r in results for w in r["wrong"]]
    flags = Counter(w["flag"] for w in wrong)
    perfect = sum(1 for r in results if not r["wrong"])
    for r in sorted(results, key=lambda r: -len(r["wrong"]))[:10]:
        if r["wrong"]:
            d = r["degradation"]
            print(f"  {r['file']}: {len(r['wrong'])} wrong ({r['status']}; {d['dpi']} dpi, "
                  f"{d['rotation']:+.1f} deg, blur {d['blur']:.2f}, q {d['quality']})")
    print(f"reports: {len(results)}, all cells right: {perfect}, metadata right: "
          f"{sum(r['meta_ok'] for r in results)}")
    print(f"cells: {cells - len(wrong)}/{cells} right ({1 - len(wrong) / max(cells, 1):.4%}); "
          f"wrong: {dict(flags)}")
    print(f"right cells marked doubtful: {sum(r['false_alarms'] for r in results)}")
    print(f"seconds per report: {sum(r['seconds'] for r in results) / max(len(results), 1):.1f}")
    digits = [(c, ok) for r in results for c, ok in r["digits"] if c is not None]
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        right = sum(1 for c, ok in digits if ok and c < threshold)
        wrong = sum(1 for c, ok in digits if not ok and c < threshold)
        print(f"  confidence < {threshold:.2f}: {right} right readings and {wrong} wrong ones "
              f"doubted (of {sum(1 for _, ok in digits if not ok)} wrong)")


if __name__ == "__main__":
    main()
