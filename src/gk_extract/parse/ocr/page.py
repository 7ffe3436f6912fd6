"""One page image -> the same pieces a text PDF page gives: table parts and text lines.

The image is levelled if faint, deskewed and turned upright (``ocr/upright.py``), its
rulings become edges (``ocr/rulings.py``), and the recognised glyphs, with slashes read as
slashes (``ocr/readings.py``), become ``layout.geometry.Char`` objects in PDF points, so the
shared page layout (``parse/layout``: pdfplumber's ruled-table finder, glyphs placed in
cells by their centres, span-aware grids, the line and paragraph rules) runs on scans
unchanged. Each glyph's score is kept
beside it, keyed by the Char, to give every table cell its mean confidence. Cells read
empty that hold ink are read again alone.

A glyph run that crosses a vertical ruling is split there (the detector sometimes joins
``0 0`` in two narrow neighbouring cells into one line); numbers stay one Char per run, so
the text layer's word-gap rule does not put spaces between the digits of ``2776``.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import regex

from gk_extract.parse.layout.assembly import LaidOutPage, aligned_fallback, lay_out
from gk_extract.parse.layout.geometry import Char, Edge
from gk_extract.parse.layout.tables import PartCell, TablePart
from gk_extract.parse.ocr.engine import Glyph, TextLine, recognise
from gk_extract.parse.ocr.frame import IDENTITY, Affine, straight_to_source
from gk_extract.parse.ocr.readings import reread_cells, slashes_read
from gk_extract.parse.ocr.rulings import deskew, find_rulings, skew_matrix
from gk_extract.parse.ocr.upright import levelled, upright

logger = logging.getLogger(__name__)

_CJK = regex.compile(r"[\p{Han}\u3000-\u303f\uff00-\uffef]")
# Glyph boxes from the recogniser are the line box's height (~1.25 x the font size for CJK
# text, measured on hzq2024 at 150 dpi: 30 px boxes for 10.5-pt = 22 px glyphs). Shrinking
# them to the glyph's size keeps the line layout's em-based rules (indent, gaps) as calibrated.
BOX_TO_EM = 0.8
# A vertical edge through the middle of a glyph box (all but this share at each side) is
# one of the glyph's strokes when it is short: strokes taken for rulings span one or two
# tight rows (< 3 glyph heights); a table's border beside text set flush against it
# (hzq2024's 四、结转… row, whose first glyph box overlaps the border) is far longer.
GLYPH_CORE_SHARE = 0.12
STROKE_MAX_EM = 3.0
# A vertical edge through the middle half of this many CJK glyphs is their stems, not a
# ruling (_stroke_column).
STROKE_COLUMN_GLYPHS = 2
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
# Digits of one line cut apart by a vertical ruling with less than CUT_GAP_EM of their
# height between them were printed as one number (neighbouring cells' numbers are apart by
# both cells' padding and the ruling): the ruling is a stray (a stroke column of stacked
# header glyphs, the border of a table drawn above) and the cells of that row may be shifted
# by a column, with nothing else to tell. Their confidence is capped at CUT_ROW_CONFIDENCE,
# under template/tables.py LOW_CONFIDENCE, so that every cell of the row is doubtful.
CUT_GAP_EM = 0.2
CUT_ROW_CONFIDENCE = 0.5
_DIGIT = regex.compile(r"[0-9]")


@dataclass(slots=True)
class OcrPage(LaidOutPage):
    """One page after OCR, in PDF points (top-left origin, like a PDF page), with each table
    cell's mean glyph score, how the image was straightened, and the map from these points
    to the source's units (``ocr/frame.py``), for the cells' boxes on their source."""

    confidence: dict[PartCell, float] = field(default_factory=dict)
    skew: float = 0.0
    turned: int = 0
    to_source: Affine = IDENTITY


def read_page_image(gray: np.ndarray, dpi: float, number: int,
                    source: Affine = IDENTITY) -> OcrPage:
    """OCR one page image rendered or scanned at ``dpi``; ``source`` maps the image's
    pixels to the units of the source (``Cell.bbox``): by default they are those."""
    height, width = gray.shape[:2]
    straight, skew = deskew(levelled(gray))
    if skew:
        logger.debug("page %d: deskewed by %.2f degrees", number, skew)
    straight, lines, turned = upright(straight, recognise(straight))
    if turned:
        logger.debug("page %d: turned by %d degrees", number, turned)
    k = 72.0 / dpi
    lines = slashes_read(lines, straight)
    edges = _not_through_glyphs(find_rulings(straight, k), lines, k, straight.shape[0] * k)
    verticals = _vertical_rulings(edges)
    chars, scores, cut = _chars(_off_rulings(lines, k, verticals), k, verticals)
    laid = lay_out(number, straight.shape[1] * k, straight.shape[0] * k, chars, edges, [])
    aligned_fallback(laid)
    confidence = _part_confidence(laid.parts, scores)
    parts = reread_cells(laid.parts, confidence, straight, k)
    _cap_cut_rows(parts, cut, confidence)
    matrix = skew_matrix(width, height, skew) if skew else None
    to_source = straight_to_source((width, height), None if matrix is None else matrix.ravel(),
                                   turned, k, source)
    return OcrPage(number, laid.width, laid.height, parts, laid.lines, confidence, skew, turned,
                   to_source)


def _part_confidence(parts: Sequence[TablePart], scores: dict[Char, float]) -> dict[PartCell, float]:
    """Each table cell's mean glyph score (cells with no glyph get none)."""
    found: dict[PartCell, list[float]] = {}
    for part in parts:
        for cell in part.cells:
            found[cell] = [s for c, s in scores.items() if cell.x0 <= c.cx <= cell.x1
                           and cell.top <= c.cy <= cell.bottom]
    return {cell: sum(v) / len(v) for cell, v in found.items() if v}


def _not_through_glyphs(edges: list[Edge], lines: Sequence[TextLine], k: float,
                        height: float) -> list[Edge]:
    """Edges less the vertical strokes of glyphs taken for rulings (十 in a tight caption
    band, blurred into the rulings above and below; the stems of a ``1`` above a ``4`` in
    the next row, joined through the ruling between them): a ruling never runs through the
    middle of a glyph the recogniser read. A ruling read as ``1`` beside a blank cell is not
    lost by this: it is longer than a stroke (STROKE_MAX_EM).

    A stroke at a glyph's edge (the left stem of 行) is dropped when it is also alone: no
    ruling continues it through the row above or below, as every cell border of a table
    row either does or ends the table; one reaching the image's top or bottom (``height``,
    points) may go on beyond it (a band of a tall screenshot cut at a row's ruling), so it
    is never alone. Only a CJK glyph's: the box the recogniser gives a
    digit is its share of the line, often wider than the digit, and reaches the border
    of a cell whose number is set flush against it (a table's last row alone on a page)."""
    glyphs = [g for line in lines for g in line.glyphs]
    verticals = [e for e in edges if e.orientation == "v"]
    rows = [e for e in edges if e.orientation == "h"]
    kept = []
    for e in edges:
        if e.orientation == "v":
            if _stroke_column(e, glyphs, k):
                continue
            struck = [g for g in glyphs if _through(e, g, k) or (
                _touches(e, g, k) and _CJK.match(g.text) and _alone(e, verticals, height))]
            if struck and not _runs_on_bare(e, struck, rows, k):
                continue
        kept.append(e)
    return kept


def _runs_on_bare(edge: Edge, glyphs: Sequence[Glyph], rows: Sequence[Edge], k: float) -> bool:
    """Whether the vertical edge runs on, across a row's ruling, through a row where none of
    the glyphs it passes through lies (a blank row below a header row of narrow cells,
    whose text the detector read as one line across their borders): a glyph's stroke
    ends with its glyph, blurred at most into the rulings above and below it, or joins
    the stroke of a glyph in the next row. A large glyph's own strokes crossing (县 in a
    22-pt title) lie within its box."""
    cuts = sorted(h.top for h in rows if edge.top + CONTINUED_Y_PT < h.top < edge.bottom - CONTINUED_Y_PT
                  and h.x0 - CONTINUED_X_PT <= edge.x0 <= h.x1 + CONTINUED_X_PT)
    if not cuts:
        return False
    return any(not any(g.top * k < (top + bottom) / 2 < g.bottom * k for g in glyphs)
               for top, bottom in pairwise([edge.top, *cuts, edge.bottom]))


def _stroke_column(edge: Edge, glyphs: Sequence[Glyph], k: float) -> bool:
    """Whether the vertical edge runs through the middle half of STROKE_COLUMN_GLYPHS or
    more CJK glyphs: the stems of one glyph repeated down a column (无 in every row of a
    value column), blurred together through the rulings between the rows, however long.
    A cell border runs beside its text, at most through a glyph set flush against it."""
    hits = 0
    for g in glyphs:
        x0, x1 = g.x0 * k, g.x1 * k
        quarter = (x1 - x0) / 4
        if (x0 + quarter < edge.x0 < x1 - quarter and edge.top <= (g.top + g.bottom) / 2 * k <= edge.bottom
                and _CJK.match(g.text)):
            hits += 1
            if hits >= STROKE_COLUMN_GLYPHS:
                return True
    return False


def _through(edge: Edge, glyph: Glyph, k: float) -> bool:
    x0, x1 = glyph.x0 * k, glyph.x1 * k
    margin = (x1 - x0) * GLYPH_CORE_SHARE
    return _beside(edge, glyph, k) and x0 + margin < edge.x0 < x1 - margin


def _touches(edge: Edge, glyph: Glyph, k: float) -> bool:
    return _beside(edge, glyph, k) and (
        glyph.x0 * k - GLYPH_TOUCH_PT <= edge.x0 <= glyph.x1 * k + GLYPH_TOUCH_PT)


def _beside(edge: Edge, glyph: Glyph, k: float) -> bool:
    """Whether the edge is short enough to be one of the glyph's strokes and spans its
    middle height."""
    cy = (glyph.top + glyph.bottom) / 2 * k
    short = edge.height <= STROKE_MAX_EM * (glyph.bottom - glyph.top) * k
    return bool(short and edge.top <= cy <= edge.bottom)


def _alone(edge: Edge, verticals: Sequence[Edge], height: float) -> bool:
    if edge.top <= CONTINUED_Y_PT or edge.bottom >= height - CONTINUED_Y_PT:
        return False
    return not any(o is not edge and abs(o.x0 - edge.x0) <= CONTINUED_X_PT and (
        abs(o.top - edge.bottom) <= CONTINUED_Y_PT
        or abs(o.bottom - edge.top) <= CONTINUED_Y_PT) for o in verticals)


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
    return any(abs(e.x0 - cx) <= RULING_GLYPH_DISTANCE_PT and e.top <= cy <= e.bottom
               for e in verticals)


def _vertical_rulings(edges: Sequence[Edge]) -> list[Edge]:
    return sorted((e for e in edges if e.orientation == "v"), key=lambda e: e.x0)


def _chars(lines: Sequence[TextLine], k: float, verticals: Sequence[Edge]
           ) -> tuple[list[Char], dict[Char, float], list[Char]]:
    """The lines' glyph runs as Chars, each with its mean score, and the Chars of numbers
    a ruling cut (see CUT_GAP_EM)."""
    chars: list[Char] = []
    scores: dict[Char, float] = {}
    cut: list[Char] = []
    for line in lines:
        runs = _runs(line.glyphs, k, verticals)
        made = [_char(run, k) for run in runs]
        for i, (run, char) in enumerate(zip(runs, made)):
            chars.append(char)
            scores[char] = sum(g.score for g in run) / len(run)
            if i and _cut_number(runs[i - 1][-1], run[0]):
                cut.extend((made[i - 1], char))
    return chars, scores, cut


def _cut_number(a: Glyph, b: Glyph) -> bool:
    """Two digits in one line, apart by less than CUT_GAP_EM of their height, yet in two
    runs: a ruling was found between them."""
    return bool(_DIGIT.fullmatch(a.text[-1:]) and _DIGIT.fullmatch(b.text[:1])
                and b.x0 - a.x1 < CUT_GAP_EM * (a.bottom - a.top))


def _cap_cut_rows(parts: Sequence[TablePart], cut: Sequence[Char],
                  confidence: dict[PartCell, float]) -> None:
    """Every cell of a table row holding a cut number (see CUT_GAP_EM) gets a confidence of
    at most CUT_ROW_CONFIDENCE, read or empty."""
    for part in parts:
        rows = [(c.top, c.bottom) for c in part.cells
                if any(c.x0 <= ch.cx <= c.x1 and c.top <= ch.cy <= c.bottom for ch in cut)]
        for cell in part.cells:
            cy = (cell.top + cell.bottom) / 2
            if any(top <= cy <= bottom for top, bottom in rows):
                confidence[cell] = min(confidence.get(cell, 1.0), CUT_ROW_CONFIDENCE)
                logger.debug("cell %r in a row whose number a ruling cuts", cell.text)


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
    xs = [e.x0 for e in verticals]
    i = bisect_right(xs, left)
    return any(verticals[j].top <= mid_y <= verticals[j].bottom
               for j in range(i, bisect_right(xs, right)))


def _char(run: Sequence[Glyph], k: float) -> Char:
    top, bottom = min(g.top for g in run) * k, max(g.bottom for g in run) * k
    shrink = (bottom - top) * (1 - BOX_TO_EM) / 2
    return Char("".join(g.text for g in run), run[0].x0 * k, top + shrink, run[-1].x1 * k,
                bottom - shrink, True, 0)
