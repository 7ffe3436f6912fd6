"""OCR throughput: seconds per page on one core against RapidOCR's own full-page call, and
peak memory.

Usage: python benchmarks/ocr.py [--count N] [--seed S] [--threads T]

Rasterises the real sample (../shared/samples/hzq2024.pdf, when present) at 150 dpi and
``--count`` LibreOffice-printed synthetic reports degraded like scans (tests/ocr_scans.py)
into image-only PDFs, then parses each in a fresh child process with onnxruntime limited to
``--threads`` (default 1, i.e. one core). On the very page images the parser reads (PDFium's
rendering at ocr/document.py RENDER_DPI), the child then times RapidOCR's own full-page
det+rec (its default settings, no direction classifier, the same bundled models and
threads), and the same full-page call with gk-extract's engine settings (the detector at
1280 px, what the OCR did before it read tables cell by cell). Printed: s/page of each,
the ratio, the onnxruntime provider, the child's peak resident memory. Model loading is
timed separately (it happens once per worker process) and every engine is warmed up first.
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
import numpy as np, pypdfium2 as pdfium
from gk_extract.parse.ocr.engine import _engine, describe, provider
from gk_extract.parse.ocr.document import _page_pixels
t0 = time.perf_counter(); engine = _engine(); load = time.perf_counter() - t0
from gk_extract.parse import parse_document
data = open(sys.argv[1], "rb").read()
pdf = pdfium.PdfDocument(data)
images = [_page_pixels(pdf[i])[0] for i in range(len(pdf))]
warm = np.full((200, 400), 255, np.uint8); warm[90:110, 50:350] = 0
engine(warm)  # first runs of a session are slow: warm every engine up alike
t0 = time.perf_counter(); doc = parse_document(data); seconds = time.perf_counter() - t0
from rapidocr import RapidOCR
models = os.path.join(os.path.dirname(__import__("rapidocr").__file__), "models")
from gk_extract.parse.ocr import engine as gk
threads = int(os.environ["GK_EXTRACT_OCR_THREADS"])
rapid = RapidOCR(params={
    "Det.model_path": os.path.join(models, gk.DET_MODEL),
    "Rec.model_path": os.path.join(models, gk.REC_MODEL),
    "Cls.model_path": os.path.join(models, gk.CLS_MODEL), "Global.use_cls": False,
    "Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": threads,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    "EngineConfig.onnxruntime.use_cuda": provider() == gk.CUDA_PROVIDER})
rapid(warm)
def timed(call):
    t0 = time.perf_counter()
    for image in images:
        call(np.ascontiguousarray(np.stack([image] * 3, axis=-1)))
    return time.perf_counter() - t0
print(json.dumps({"load_s": load, "seconds": seconds, "pages": int(doc.meta.get("pages", len(images))),
                  "rapidocr_s": timed(rapid), "full_page_s": timed(engine),
                  "ocr_pages": len(doc.ocr_pages), "provider": provider(), "engine": describe(),
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
    if "GK_EXTRACT_OCR_DEVICE" in os.environ:  # CPU or GPU
        env["GK_EXTRACT_OCR_DEVICE"] = os.environ["GK_EXTRACT_OCR_DEVICE"]
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
        n = r["pages"]
        print(f"{name:24s} {n:3d} pages  gk-extract {r['seconds'] / n:6.2f} s/page  RapidOCR "
              f"{r['rapidocr_s'] / n:6.2f}  (full page, gk settings {r['full_page_s'] / n:5.2f})  "
              f"x{r['rapidocr_s'] / r['seconds']:4.1f}  peak {r['peak_mb']:6.0f} MB  "
              f"(model load {r['load_s']:.2f} s)")
    pages = sum(r["pages"] for _, r in results)
    ours, rapid, full = (sum(r[key] for _, r in results) for key in ("seconds", "rapidocr_s", "full_page_s"))
    print(f"engine: {results[0][1]['engine']}" if results else "no scans")
    print(f"overall on {args.threads} thread(s), {results[0][1]['provider'] if results else '-'}: "
          f"gk-extract OCR {ours / pages:.2f} s/page, RapidOCR full-page det+rec "
          f"{rapid / pages:.2f} s/page: {rapid / ours:.1f}x faster "
          f"(RapidOCR's call with gk-extract's engine settings {full / pages:.2f} s/page: "
          f"{full / ours:.1f}x); peak {max(r['peak_mb'] for _, r in results):.0f} MB; "
          f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
