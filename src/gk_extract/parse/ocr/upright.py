"""A page image made ready for reading: faint scans levelled, turned pages turned upright."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from gk_extract.parse.ocr.engine import TextLine, recognise, upside_down_share

# A page whose ink (the INK_PERCENTILE darkest pixel) is within FAINT_RANGE grey levels of
# its paper is a faint scan and is stretched first; printed scans span ~200 levels.
INK_PERCENTILE = 0.5
FAINT_RANGE = 150
# Orientation (upright): a page is sideways when SIDEWAYS_SHARE of its lines of at least
# SIDEWAYS_MIN_GLYPHS glyphs (at least SIDEWAYS_MIN_LINES of them) are SIDEWAYS_ASPECT
# times taller than wide. Upside down is decided on the ORIENTATION_LINES longest lines:
# turned when more than UPSIDE_DOWN_SHARE of them read as turned (the recogniser's own
# scores do not tell: hzq2024's page 3 upside down still scores 0.86 against 0.99).
SIDEWAYS_MIN_GLYPHS = 3
SIDEWAYS_MIN_LINES = 3
SIDEWAYS_ASPECT = 1.5
SIDEWAYS_SHARE = 0.6
ORIENTATION_LINES = 12
UPSIDE_DOWN_SHARE = 0.5


def levelled(gray: np.ndarray) -> np.ndarray:
    """A faint scan (ink to paper spanning less than FAINT_RANGE grey levels) stretched so
    that its darkest ink (INK_PERCENTILE) is black and its paper (the median) white, as a
    well-exposed scan is; other pages are returned as they are."""
    ink, paper = np.percentile(gray, (INK_PERCENTILE, 50))
    if paper - ink >= FAINT_RANGE or paper <= ink:
        return gray
    lut = np.clip((np.arange(256) - ink) * 255.0 / (paper - ink), 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(gray, lut))


def upright(gray: np.ndarray, lines: list[TextLine]) -> tuple[np.ndarray, list[TextLine], int]:
    """The page turned upright, its lines, and the clockwise turn it took (0, 90, 180, 270).

    A page whose lines of text run up or down it is sideways (SIDEWAYS_SHARE of the lines
    of several glyphs are taller than wide: the recogniser turns such crops itself, so their
    boxes tell). Which way up is PP-OCR's direction classifier's call on the longest lines
    (turned level first, for a sideways page); the page is read again only when it turns.
    """
    sideways = _is_sideways(lines)
    crops = [np.rot90(c, -1) if sideways else c for c in _line_crops(gray, lines, sideways)]
    flipped = upside_down_share(crops) > UPSIDE_DOWN_SHARE
    turn = (270 if flipped else 90) if sideways else (180 if flipped else 0)
    if not turn:
        return gray, lines, 0
    turned = np.ascontiguousarray(np.rot90(gray, -turn // 90))
    return turned, recognise(turned), turn


def _line_crops(gray: np.ndarray, lines: Sequence[TextLine], sideways: bool) -> list[np.ndarray]:
    """Crops of the page's longest lines of several glyphs, at most ORIENTATION_LINES."""
    boxes = []
    for line in lines:
        if len(line.glyphs) < SIDEWAYS_MIN_GLYPHS:
            continue
        x0, x1 = int(min(g.x0 for g in line.glyphs)), int(max(g.x1 for g in line.glyphs)) + 1
        top, bottom = int(min(g.top for g in line.glyphs)), int(max(g.bottom for g in line.glyphs)) + 1
        boxes.append((bottom - top if sideways else x1 - x0, (max(x0, 0), max(top, 0), x1, bottom)))
    longest = sorted(boxes, reverse=True)[:ORIENTATION_LINES]
    return [gray[top:bottom, x0:x1] for _, (x0, top, x1, bottom) in longest
            if bottom > top and x1 > x0]


def _is_sideways(lines: Sequence[TextLine]) -> bool:
    shapes = [(max(g.x1 for g in ln.glyphs) - min(g.x0 for g in ln.glyphs),
               max(g.bottom for g in ln.glyphs) - min(g.top for g in ln.glyphs))
              for ln in lines if len(ln.glyphs) >= SIDEWAYS_MIN_GLYPHS]
    tall = sum(1 for w, h in shapes if h > SIDEWAYS_ASPECT * w)
    return len(shapes) >= SIDEWAYS_MIN_LINES and tall >= SIDEWAYS_SHARE * len(shapes)
