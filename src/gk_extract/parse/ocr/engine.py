"""The OCR engine: RapidOCR (PP-OCR Chinese models) on onnxruntime, from the ``[ocr]`` extra.

Only the models shipped inside the ``rapidocr`` wheel are used: their paths are given
explicitly, so RapidOCR never reaches its download code; a missing model file is a clear
:class:`OcrUnavailable` error, never a download. The engine is loaded once per process.

The engine returns one box per text line; with ``return_word_box`` it also returns each
glyph's box and score, which is what later stages use (:class:`Glyph`), so that text
touching a cell border can still be split at the ruling and each cell gets the mean score
of exactly its own glyphs.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from gk_extract.errors import ParseError

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'gk-extract[ocr]'"
# The files bundled in rapidocr==3.10.0's wheel (rapidocr/models/).
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
# Threads per onnxruntime session; 0 lets onnxruntime use every core. The pipeline runs one
# document per worker process, so a batch sets GK_EXTRACT_OCR_THREADS=1 to avoid
# oversubscribing; the benchmark sets it to 1 to measure one core.
THREADS_ENV = "GK_EXTRACT_OCR_THREADS"
# Detection box threshold: RapidOCR's default 0.5 drops the thin 1-digit boxes ("0") of
# blurred 100-dpi scans; 0.4 keeps them and adds no spurious boxes on the fixtures.
DET_BOX_THRESH = 0.4
# The detector runs on the page scaled so its longer side is at most this: an A4 page at
# 1280 px still has 11-px body text, which the detector finds as well as at full size, and
# detection costs ~2.5x less than at 200 dpi. Recognition reads the full-resolution crops.
DET_MAX_SIDE_PX = 1280
# Recognition pads every crop of a batch to at least this width (RapidOCR's default is 320,
# i.e. a 6.7:1 line). Report tables are mostly 1-3 digit cells (~1:1); padding each to 320
# made recognition ~3x slower than the text needs. With 96 and batches sorted by width the
# hzq2024 scan reads the same, 2.5x faster.
REC_MIN_WIDTH_PX = 96
REC_BATCH = 12
# Where onnxruntime runs: "auto" (the default) takes CUDAExecutionProvider when onnxruntime
# offers it and sees a GPU, else the CPU; "cpu" forces the CPU (tests, benchmarks, a batch
# whose GPU is busy).
DEVICE_ENV = "GK_EXTRACT_OCR_DEVICE"
DEVICE_SETTINGS = ("auto", "cpu")
CPU_PROVIDER = "CPUExecutionProvider"
CUDA_PROVIDER = "CUDAExecutionProvider"


class OcrUnavailable(ParseError):
    """Raised when a document needs OCR and the ``[ocr]`` extra (or its models) is missing.

    Caught by the pipeline like any ParseError; the message says how to install the extra.
    """

    kind = "ocr_unavailable"


@dataclass(frozen=True, slots=True)
class Glyph:
    """One recognised glyph (or a run the engine gave no glyph boxes for), in image pixels."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float


@dataclass(frozen=True, slots=True)
class TextLine:
    """One detected text line: its glyphs left to right and the engine's line score."""

    glyphs: tuple[Glyph, ...]
    score: float


def ocr_available() -> bool:
    """Whether the ``[ocr]`` extra is importable (models are checked when the engine loads)."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "onnxruntime"))


def recognise(gray: np.ndarray) -> list[TextLine]:
    """Text lines of a grayscale image (uint8, H x W)."""
    result = _engine()(np.ascontiguousarray(gray))
    if result.boxes is None or result.txts is None:
        return []
    words = result.word_results or ((),) * len(result.txts)
    lines = []
    for box, text, score, word in zip(result.boxes, result.txts, result.scores, words):
        glyphs = _glyphs(word) or (_glyph(text, box, float(score)),)
        lines.append(TextLine(glyphs, float(score)))
    return lines


def choose_provider(available: Sequence[str], device: str, setting: str = "auto") -> str:
    """The onnxruntime provider OCR runs on: CUDA_PROVIDER when ``setting`` (DEVICE_ENV) is
    "auto" and onnxruntime both offers it (``available``) and sees a GPU (``device``),
    else CPU_PROVIDER. An unknown setting is an error naming DEVICE_ENV."""
    setting = setting.strip().lower() or "auto"
    if setting not in DEVICE_SETTINGS:
        raise ValueError(f"{DEVICE_ENV}={setting!r}: expected one of {', '.join(DEVICE_SETTINGS)}")
    if setting == "auto" and CUDA_PROVIDER in available and device.upper() == "GPU":
        return CUDA_PROVIDER
    return CPU_PROVIDER


def provider() -> str:
    """The provider the loaded engine's sessions run on (its recogniser's first), as
    onnxruntime reports it: what the setting chose, or the CPU where CUDA failed to load."""
    rec = _engine()._load_rec_model()
    return str(rec.session.session.get_providers()[0])


def describe() -> str:
    """The OCR engine, its models and where it runs, for ``Document.converter``."""
    from importlib.metadata import version

    return (f"RapidOCR {version('rapidocr')} ({DET_MODEL}, {REC_MODEL}) on onnxruntime "
            f"{version('onnxruntime')} {provider()}")


def read_crops(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Each grayscale crop of one line read on its own, without detection: (text, score)."""
    if not crops:
        return []
    colour = [np.ascontiguousarray(np.stack([c] * 3, axis=-1)) for c in crops]
    result = _engine().recognize_txt(colour)
    return [(str(t), float(s)) for t, s in zip(result.txts or ("",) * len(crops), result.scores)]


def upside_down_share(crops: list[np.ndarray]) -> float:
    """The share of text-line crops (grayscale, upright or not) that PP-OCR's direction
    classifier reads as turned 180 degrees; 0.0 for no crops."""
    if not crops:
        return 0.0
    classifier = _engine()._load_cls_model()  # RapidOCR loads it lazily; checked on upgrade
    colour = [np.ascontiguousarray(np.stack([c] * 3, axis=-1)) for c in crops]
    labels = classifier(colour).cls_res or []
    return sum(1 for label, _ in labels if "180" in label) / len(crops)


def _glyphs(word: Any) -> tuple[Glyph, ...]:
    out = []
    for item in word or ():
        text, score, box = item
        if text and text.strip():
            out.append(_glyph(text, box, float(score)))
    return tuple(out)


def _glyph(text: str, box: Any, score: float) -> Glyph:
    points = np.asarray(box, dtype=float)
    return Glyph(text, float(points[:, 0].min()), float(points[:, 1].min()),
                 float(points[:, 0].max()), float(points[:, 1].max()), score)


@cache
def _engine() -> Any:
    """The RapidOCR engine on the wheel's bundled models; raises OcrUnavailable if missing."""
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError:
        raise OcrUnavailable(f"this document needs OCR; install the OCR extra: {INSTALL_HINT}") from None
    models = Path(rapidocr.__file__).parent / "models"
    paths = {name: models / name for name in (DET_MODEL, REC_MODEL, CLS_MODEL)}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise OcrUnavailable(f"OCR models missing from the rapidocr wheel ({', '.join(missing)}); "
                             f"reinstall the OCR extra: {INSTALL_HINT}")
    threads = int(os.environ.get(THREADS_ENV, "0") or 0)
    import onnxruntime  # type: ignore[import-untyped]

    chosen = choose_provider(onnxruntime.get_available_providers(), onnxruntime.get_device(),
                             os.environ.get(DEVICE_ENV, "auto"))
    params = {
        "Det.model_path": str(paths[DET_MODEL]), "Rec.model_path": str(paths[REC_MODEL]),
        "Cls.model_path": str(paths[CLS_MODEL]), "Global.use_cls": False,
        "Global.return_word_box": True, "Global.return_single_char_box": True,
        "Global.log_level": "error", "Det.box_thresh": DET_BOX_THRESH,
        "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH_PX], "Rec.rec_batch_num": REC_BATCH,
        "Det.limit_type": "max", "Det.limit_side_len": DET_MAX_SIDE_PX,
        "EngineConfig.onnxruntime.intra_op_num_threads": threads or -1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "EngineConfig.onnxruntime.use_cuda": chosen == CUDA_PROVIDER,
    }
    logger.debug("loading RapidOCR from %s on %s", models, chosen)
    return RapidOCR(params=params)
