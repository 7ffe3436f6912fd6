"""One page image -> the same pieces a text PDF page gives: table parts and text lines.

The image is deskewed, its rulings become edges, and the recognised glyphs become
``pdf_page.Char`` objects in PDF points, so the ruled-table cascade of ``pdf_tables``
(pdfplumber's finder, glyphs placed in cells by their centres, span-aware grids) and the
line and paragraph rules of ``pdf_text`` run on scans unchanged. Each glyph's score is kept
beside it, keyed by the Char, to give every table cell its mean confidence.

A glyph run that crosses a vertical ruling is split there (the detector sometimes joins
``0 0`` in two narrow neighbouring cells into one line); numbers stay one Char per run, so
the text layer's word-gap rule does not put spaces between the digits of ``2776``.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import regex

from gk_extract.parse import pdf_text as text
from gk_extract.parse.image_rulings import deskew, find_rulings
from gk_extract.parse.ocr_engine import (
    Glyph,
    TextLine,
    read_crops,
    recognise,
    upside_down_share,
)
from gk_extract.parse.pdf_page import Char
from gk_extract.parse.pdf_rulings import Edge
from gk_extract.parse.pdf_tables import (
    PartCell,
    TablePart,
    aligned_parts,
    ruled_regions,
    table_parts,
)

logger = logging.getLogger(__name__)

_CJK = regex.compile(r"[\p{Han}\u3000-\u303f\uff00-\uffef]")
# Glyph boxes from the recogniser are the line box's height (~1.25 x the font size for CJK
# text, measured on hzq2024 at 150 dpi: 30 px boxes for 10.5-pt = 22 px glyphs). Shrinking
# them to the glyph's size keeps pdf_text's em-based rules (indent, gaps) as calibrated.
BOX_TO_EM = 0.8
# A vertical edge through the middle of a glyph box (all but this share at each side) is
# one of the glyph's strokes when it is short: strokes taken for rulings span one or two
# tight rows (< 3 glyph heights); a table's border beside text set flush against it
# (hzq2024's 四、结转… row, whose first glyph box overlaps the border) is far longer.
GLYPH_CORE_SHARE = 0.12
STROKE_MAX_EM = 3.0
# A stroke at a glyph's edge lies within this of the glyph box the recogniser gives; a
# ruling continues another across a row border when their x differ by at most
# CONTINUED_X_PT (pdfplumber's 3-pt snapping) and they meet within CONTINUED_Y_PT.
GLYPH_TOUCH_PT = 1.0
CONTINUED_X_PT = 3.0
CONTINUED_Y_PT = 3.0
# What a vertical ruling beside a blank cell is read as, and how close to the ruling's line
# such a glyph's centre lies (a real ``1`` sits in its cell, >= 3 pt from the border).
RULING_LOOKALIKES = frozenset({"1", "|", "I", "l", "丨", "｜", "!", "]", "["})
RULING_GLYPH_DISTANCE_PT = 2.0
# A table cell read empty is read again alone when, CELL_INSET_PT in from its rulings, it
# holds MISSED_MIN_INK_PX pixels INK_CONTRAST darker than its paper (the median; a faint
# 10.5-pt ``1`` at 100 dpi in a tight row shows ~15 such pixels, paper noise of sigma 8
# none); the crop keeps CROP_MARGIN_PT around the ink, and a reading scoring under
# MISSED_MIN_SCORE is dropped.
CELL_INSET_PT = 2.0
INK_CONTRAST = 60
MISSED_MIN_INK_PX = 8
CROP_MARGIN_PT = 3.0
MISSED_MIN_SCORE = 0.5
# A page whose ink (the INK_PERCENTILE darkest pixel) is within FAINT_RANGE grey levels of
# its paper is a faint scan and is stretched first; printed scans span ~200 levels.
INK_PERCENTILE = 0.5
FAINT_RANGE = 150
# Orientation (_upright): a page is sideways when SIDEWAYS_SHARE of its lines of at least
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
# The recogniser reads the ``/`` that reports print in cells with nothing to report as
# ``1`` (now and then ``l``, ``|``, or ``一`` when faint). They differ in slant: the ink's
# x-centre per pixel row, fitted against y over the glyph's middle rows, moves -0.26 to
# -0.35 px per px for ``/`` and -0.02 to +0.09 for ``1`` (its flag pulls the top left),
# measured on the generated scans at 100-200 dpi. The middle rows skip the flag, the foot
# and any serif; a dash has too few rows of ink to have a slant.
SLASH_LOOKALIKES = frozenset({"1", "l", "I", "|", "丨", "｜"})
# ...and a lone 一 (only alone: a glyph box inside a run may take in a neighbour's ink).
LONE_SLASH_LOOKALIKES = frozenset({"一"})
SLASH_MAX_SLOPE = -0.15
SLANT_ROWS = (0.2, 0.8)
MIN_SLANT_ROWS = 4


@dataclass(slots=True)
class OcrPage:
    """One page after OCR, in PDF points (top-left origin, like ``pdf_page``)."""

    number: int
    width: float
    height: float
    parts: list[TablePart]
    lines: list[text.Line]
    confidence: dict[PartCell, float] = field(default_factory=dict)
    skew: float = 0.0
    turned: int = 0


def read_page_image(gray: np.ndarray, dpi: float, number: int) -> OcrPage:
    """OCR one page image rendered or scanned at ``dpi``."""
    straight, skew = deskew(_levelled(gray))
    if skew:
        logger.debug("page %d: deskewed by %.2f degrees", number, skew)
    straight, lines, turned = _upright(straight, recognise(straight))
    if turned:
        logger.debug("page %d: turned by %d degrees", number, turned)
    k = 72.0 / dpi
    lines = _slashes_read(lines, straight)
    edges = _not_through_glyphs(find_rulings(straight, k), lines, k)
    verticals = _vertical_rulings(edges)
    chars, scores = _chars(_off_rulings(lines, k, verticals), k, verticals)
    page = lay_out(number, straight.shape[1] * k, straight.shape[0] * k, chars, edges)
    page.confidence, page.skew, page.turned = _part_confidence(page.parts, scores), skew, turned
    _read_missed(page, straight, k)
    return page


def _read_missed(page: OcrPage, gray: np.ndarray, k: float) -> None:
    """Table cells the detector found nothing in but that hold ink (a lone thin ``1`` in a
    tight row is the usual case) read again, each crop on its own; in place."""
    missed: list[tuple[PartCell, np.ndarray, tuple[int, int, int, int]]] = []
    for part in page.parts:
        for cell in part.cells:
            if not cell.text.strip():
                crop, box = _ink_crop(gray, cell, k)
                if crop is not None:
                    missed.append((cell, crop, box))
    readings = read_crops([crop for _, crop, _ in missed])
    found: dict[PartCell, PartCell] = {}
    for (cell, _, (x0, top, x1, bottom)), (reading, score) in zip(missed, readings):
        reading = reading.strip()
        if not reading or score < MISSED_MIN_SCORE:
            continue
        if reading in SLASH_LOOKALIKES | LONE_SLASH_LOOKALIKES and _is_slanted(
                Glyph(reading, x0, top, x1, bottom, score), gray):
            reading = "/"
        found[cell] = replace(cell, text=reading)
        page.confidence[found[cell]] = score
    if found:
        page.parts = [replace(p, cells=tuple(found.get(c, c) for c in p.cells)) for p in page.parts]


def _ink_crop(gray: np.ndarray, cell: PartCell, k: float) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """The cell's inside (CELL_INSET_PT in from its rulings) cut to its ink with a margin,
    when it holds at least MISSED_MIN_INK_PX dark pixels; else None."""
    px = 1.0 / k
    x0, top = int((cell.x0 + CELL_INSET_PT) * px), int((cell.top + CELL_INSET_PT) * px)
    x1, bottom = int((cell.x1 - CELL_INSET_PT) * px), int((cell.bottom - CELL_INSET_PT) * px)
    inside = gray[max(top, 0):bottom, max(x0, 0):x1]
    if inside.size == 0:
        return None, (0, 0, 0, 0)
    ys, xs = np.nonzero(inside < np.median(inside) - INK_CONTRAST)
    if len(ys) < MISSED_MIN_INK_PX:
        return None, (0, 0, 0, 0)
    pad = max(int(CROP_MARGIN_PT * px), 2)
    box = (max(x0 + int(xs.min()) - pad, 0), max(top + int(ys.min()) - pad, 0),
           x0 + int(xs.max()) + pad + 1, top + int(ys.max()) + pad + 1)
    return gray[box[1]:box[3], box[0]:box[2]], box


def _levelled(gray: np.ndarray) -> np.ndarray:
    """A faint scan (ink to paper spanning less than FAINT_RANGE grey levels) stretched so
    that its darkest ink (INK_PERCENTILE) is black and its paper (the median) white, as a
    well-exposed scan is; other pages are returned as they are."""
    ink, paper = np.percentile(gray, (INK_PERCENTILE, 50))
    if paper - ink >= FAINT_RANGE or paper <= ink:
        return gray
    lut = np.clip((np.arange(256) - ink) * 255.0 / (paper - ink), 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(gray, lut))


def _upright(gray: np.ndarray, lines: list[TextLine]) -> tuple[np.ndarray, list[TextLine], int]:
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


def _slashes_read(lines: Sequence[TextLine], gray: np.ndarray) -> list[TextLine]:
    """Lines with every slanted ``1`` (see SLASH_LOOKALIKES) read as the ``/`` it is."""
    out = []
    for line in lines:
        alike = SLASH_LOOKALIKES | (LONE_SLASH_LOOKALIKES if len(line.glyphs) == 1 else set())
        glyphs = tuple(replace(g, text="/") if g.text in alike and _is_slanted(g, gray)
                       else g for g in line.glyphs)
        out.append(TextLine(glyphs, line.score))
    return out


def _is_slanted(glyph: Glyph, gray: np.ndarray) -> bool:
    x0, x1 = max(int(glyph.x0), 0), int(np.ceil(glyph.x1))
    top, bottom = max(int(glyph.top), 0), int(np.ceil(glyph.bottom))
    crop = gray[top:bottom, x0:x1]
    if crop.size == 0:
        return False
    threshold, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = crop < threshold
    height = ink.shape[0]
    ys, xs = [], []
    for y in range(int(height * SLANT_ROWS[0]), min(int(height * SLANT_ROWS[1]) + 1, height)):
        row = np.flatnonzero(ink[y])
        if len(row):
            ys.append(y)
            xs.append(float(row.mean()))
    if len(ys) < MIN_SLANT_ROWS or len(set(ys)) < 2:
        return False
    return bool(np.polyfit(ys, xs, 1)[0] < SLASH_MAX_SLOPE)


def _part_confidence(parts: Sequence[TablePart], scores: dict[Char, float]) -> dict[PartCell, float]:
    """Each table cell's mean glyph score (cells with no glyph get none)."""
    found: dict[PartCell, list[float]] = {}
    for part in parts:
        for cell in part.cells:
            found[cell] = [s for c, s in scores.items() if cell.x0 <= c.cx <= cell.x1
                           and cell.top <= c.cy <= cell.bottom]
    return {cell: sum(v) / len(v) for cell, v in found.items() if v}


def lay_out(number: int, width: float, height: float, chars: Sequence[Char],
            edges: Sequence[Edge]) -> OcrPage:
    """Ruled tables (or aligned ones on a page with none) and the text lines outside them."""
    regions = ruled_regions(edges) or []
    parts, flow = table_parts(regions, chars, number)
    lines = text.group_lines(flow)
    if not any(p.n_cols >= 2 for p in parts):
        found, used = aligned_parts(lines, number)
        parts.extend(found)
        lines = [ln for i, ln in enumerate(lines) if i not in used]
    return OcrPage(number, width, height, parts, lines)


def _not_through_glyphs(edges: list[Edge], lines: Sequence[TextLine], k: float) -> list[Edge]:
    """Edges less the vertical strokes of glyphs taken for rulings (十 in a tight caption
    band, blurred into the rulings above and below; the stems of a ``1`` above a ``4`` in
    the next row, joined through the ruling between them): a ruling never runs through the
    middle of a glyph the recogniser read. A ruling read as ``1`` beside a blank cell is not
    lost by this: it is longer than a stroke (STROKE_MAX_EM).

    A stroke at a glyph's edge (the left stem of 行) is dropped when it is also alone: no
    ruling continues it through the row above or below, as every cell border of a table
    row either does or ends the table."""
    glyphs = [g for line in lines for g in line.glyphs]
    verticals = [e for e in edges if e["orientation"] == "v"]
    return [e for e in edges if e["orientation"] == "h" or not any(
        _through(e, g, k) or (_touches(e, g, k) and _alone(e, verticals)) for g in glyphs)]


def _through(edge: Edge, glyph: Glyph, k: float) -> bool:
    x0, x1 = glyph.x0 * k, glyph.x1 * k
    margin = (x1 - x0) * GLYPH_CORE_SHARE
    return _beside(edge, glyph, k) and x0 + margin < edge["x0"] < x1 - margin


def _touches(edge: Edge, glyph: Glyph, k: float) -> bool:
    return _beside(edge, glyph, k) and (
        glyph.x0 * k - GLYPH_TOUCH_PT <= edge["x0"] <= glyph.x1 * k + GLYPH_TOUCH_PT)


def _beside(edge: Edge, glyph: Glyph, k: float) -> bool:
    """Whether the edge is short enough to be one of the glyph's strokes and spans its
    middle height."""
    cy = (glyph.top + glyph.bottom) / 2 * k
    short = edge["height"] <= STROKE_MAX_EM * (glyph.bottom - glyph.top) * k
    return bool(short and edge["top"] <= cy <= edge["bottom"])


def _alone(edge: Edge, verticals: Sequence[Edge]) -> bool:
    return not any(o is not edge and abs(o["x0"] - edge["x0"]) <= CONTINUED_X_PT and (
        abs(o["top"] - edge["bottom"]) <= CONTINUED_Y_PT
        or abs(o["bottom"] - edge["top"]) <= CONTINUED_Y_PT) for o in verticals)


def _off_rulings(lines: Sequence[TextLine], k: float, verticals: Sequence[Edge]) -> list[TextLine]:
    """Lines less the glyphs that are a vertical ruling read as text (``1``, ``|``)."""
    out = []
    for line in lines:
        kept = tuple(g for g in line.glyphs if not _is_ruling_glyph(g, k, verticals))
        if kept:
            out.append(TextLine(kept, line.score))
    return out


def _is_ruling_glyph(glyph: Glyph, k: float, verticals: Sequence[Edge]) -> bool:
    if glyph.text not in RULING_LOOKALIKES:
        return False
    cx, cy = (glyph.x0 + glyph.x1) / 2 * k, (glyph.top + glyph.bottom) / 2 * k
    return any(abs(e["x0"] - cx) <= RULING_GLYPH_DISTANCE_PT and e["top"] <= cy <= e["bottom"]
               for e in verticals)


def _vertical_rulings(edges: Sequence[Edge]) -> list[Edge]:
    return sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: e["x0"])


def _chars(lines: Sequence[TextLine], k: float,
           verticals: Sequence[Edge]) -> tuple[list[Char], dict[Char, float]]:
    chars: list[Char] = []
    scores: dict[Char, float] = {}
    for line in lines:
        for run in _runs(line.glyphs, k, verticals):
            char = _char(run, k)
            chars.append(char)
            scores[char] = sum(g.score for g in run) / len(run)
    return chars, scores


def _runs(glyphs: Sequence[Glyph], k: float, verticals: Sequence[Edge]) -> list[list[Glyph]]:
    """Glyphs grouped into runs: a CJK glyph alone, other glyphs together up to a ruling."""
    runs: list[list[Glyph]] = []
    for glyph in glyphs:
        prev = runs[-1][-1] if runs else None
        if prev is not None and not _CJK.match(glyph.text) and not _CJK.match(prev.text) and (
                not _ruling_between(prev, glyph, k, verticals)):
            runs[-1].append(glyph)
        else:
            runs.append([glyph])
    return runs


def _ruling_between(a: Glyph, b: Glyph, k: float, verticals: Sequence[Edge]) -> bool:
    left, right = (a.x0 + a.x1) / 2 * k, (b.x0 + b.x1) / 2 * k
    mid_y = (a.top + a.bottom) / 2 * k
    xs = [e["x0"] for e in verticals]
    i = bisect_right(xs, left)
    return any(verticals[j]["top"] <= mid_y <= verticals[j]["bottom"]
               for j in range(i, bisect_right(xs, right)))


def _char(run: Sequence[Glyph], k: float) -> Char:
    top, bottom = min(g.top for g in run) * k, max(g.bottom for g in run) * k
    shrink = (bottom - top) * (1 - BOX_TO_EM) / 2
    return Char("".join(g.text for g in run), run[0].x0 * k, top + shrink, run[-1].x1 * k,
                bottom - shrink, True, 0)
