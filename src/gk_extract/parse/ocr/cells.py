"""A page image read by its ruling grid: the detector only where the grid does not say
where the text is.

Detecting text lines costs far more than reading them, and grows with the image's area,
while a ruled table already says where its text lies: each cell's ink, cut out, is one line
(a number, a short label) or a few lines one above the other (a wrapped label). So:

* every cell of a ruled table (a region of at least two columns) whose ink is one line (a
  number, a short label: one run of ink rows of about one line's height) is cut out and
  read by the recogniser alone, all of them in batches (``engine.read_boxes``);
* any other cell holding ink (a wrapped label, stacked or sideways glyphs, a lone 三 whose
  strokes leave blank rows) goes to the detector, cut out;
* the rest of the page is read in the line boxes the detector found on the page scaled
  down (``upright.py``, which needs them for the page's orientation anyway), each line at
  full resolution.

What comes out is what ``engine.recognise`` gives for a whole page: text lines with each
glyph's box and score, in the page's pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from gk_extract.parse.layout.geometry import BBox, Edge
from gk_extract.parse.layout.tables import grid_lines, region_bbox, ruled_regions
from gk_extract.parse.ocr.engine import Glyph, TextLine, read_boxes, recognise

Box = tuple[int, int, int, int]  # x0, top, x1, bottom in pixels

# Ink: a pixel INK_CONTRAST darker than its paper (the median), as readings.py counts it; a
# cell holds text with at least MIN_INK_PX such pixels CELL_INSET_PT inside its rulings.
INK_CONTRAST = 60
MIN_INK_PX = 8
CELL_INSET_PT = 2.0
# A crop keeps CROP_MARGIN_PT of paper around its ink (the recogniser reads a line with
# some paper round it best: readings.py's re-reads use the same), but stays RULING_CLEAR_PT
# inside the cell's rulings.
CROP_MARGIN_PT = 3.0
RULING_CLEAR_PT = 1.0
# A cell's ink is one line when its rows of ink make one run (rows closer than LINE_GAP_PT
# joined; runs under MIN_RUN_PT, a ruling's fringe inside the cell, a speck, a stroke of a
# lone 三, left out) no taller than SINGLE_LINE_SHARE times the page's typical one-run
# cell (those under MIN_TEXT_PT left out; DEFAULT_LINE_PT when none): digits are ~0.7 em,
# a line of CJK ~1 em, two lines that blur into one run ~2.2 em.
LINE_GAP_PT = 1.0
SINGLE_LINE_SHARE = 1.6
MIN_TEXT_PT = 4.0
MIN_RUN_PT = 2.0
DEFAULT_LINE_PT = 8.0
# A vertical edge of at most STROKE_MAX_PT (three rows of 12 pt) that no ruling continues,
# with ink on both sides between STROKE_NEAR_PT and STROKE_FAR_PT from its line, is a
# glyph's stroke: cells pad their text by >= 2.8 pt (LibreOffice's 0.1 cm; Word's 0.19 cm)
# and a ruling's own ink with blur reaches ~2 pt from the edge's x (1.5 pt let the rulings
# of section 四's short tables go on a 166-dpi scan).
STROKE_MAX_PT = 36.0
STROKE_CONTINUED_PT = 3.0
STROKE_NEAR_PT = 2.2
STROKE_FAR_PT = 3.0
# A crop the detector reads gets DETECT_PAD_PX of paper round it: on a cell cut tight the
# detector finds nothing.
DETECT_PAD_PX = 24
# A detected line's box is cut to its ink rows (joined over gaps under FIT_GAP_SHARE of the
# box's height: the strokes of 三), keeping FIT_MARGIN_SHARE of the ink's height above and
# below: the detector's boxes at 108 dpi held the ink within ~1 px (hzq2024, 150 dpi).
FIT_GAP_SHARE = 0.2
FIT_MARGIN_SHARE = 0.05


def read_text(gray: np.ndarray, edges: Sequence[Edge], boxes: Sequence[Box],
              k: float) -> list[TextLine]:
    """Text lines of a straightened page image (``k`` PDF points per pixel) whose rulings
    are ``edges`` and whose detected line boxes are ``boxes``: its tables' cells read by the
    recogniser alone, and the boxes outside them."""
    regions = table_regions(edges)
    lines = read_cells(gray, [b for r in regions for b in r], k)
    tables = [region_bbox(r) for r in regions]
    outside = [b for b in boxes if not any(_centre_in(b, t, k) for t in tables)]
    lines.extend(read_boxes(gray, [_fitted(gray, b) for b in outside]))
    return lines


def _centre_in(box: Box, table: BBox, k: float) -> bool:
    cx, cy = (box[0] + box[2]) / 2 * k, (box[1] + box[3]) / 2 * k
    return table[0] <= cx <= table[2] and table[1] <= cy <= table[3]


def _fitted(gray: np.ndarray, box: Box) -> Box:
    """A detected line's box cut to its ink's rows, with FIT_MARGIN_SHARE of their height
    above and below: boxes found on the scaled-down page are looser than at full size, and
    each glyph's box is the line box's height (the layout's em)."""
    x0, top, x1, bottom = box
    crop = gray[top:bottom, x0:x1]
    if crop.size == 0:
        return box
    rows = (crop < np.median(crop) - INK_CONTRAST).sum(axis=1) > 0
    bands = _bands(rows, FIT_GAP_SHARE * (bottom - top))
    if not bands:
        return box
    a, b = max(bands, key=lambda band: int(rows[band[0]:band[1]].sum()))
    pad = max(int(FIT_MARGIN_SHARE * (b - a)), 2)
    return x0, max(top + a - pad, top), x1, min(top + b + pad, bottom)


def without_strokes(gray: np.ndarray, edges: Sequence[Edge], k: float) -> list[Edge]:
    """Edges less the short verticals that no ruling continues and that ink touches on both
    sides: a glyph's stroke (the stem of 申 in two rows of labels, one under the other)
    taken for a ruling would cut its cells, and each half would be read alone. A ruling has
    its cells' padding beside it."""
    verticals = [e for e in edges if e.orientation == "v"]
    return [e for e in edges if e.orientation == "h" or e.height > STROKE_MAX_PT
            or _continued(e, verticals) or not (_inked(gray, e, -1, k) and _inked(gray, e, 1, k))]


def _continued(edge: Edge, verticals: Sequence[Edge]) -> bool:
    """Whether another vertical goes on from either end of this one (a ruling of the rows
    above or below): every cell border of a table does that or ends the table."""
    return any(o is not edge and abs(o.x0 - edge.x0) <= STROKE_CONTINUED_PT and (
        abs(o.top - edge.bottom) <= STROKE_CONTINUED_PT
        or abs(o.bottom - edge.top) <= STROKE_CONTINUED_PT) for o in verticals)


def _inked(gray: np.ndarray, edge: Edge, side: int, k: float) -> bool:
    near, far = sorted((edge.x0 + side * STROKE_NEAR_PT, edge.x0 + side * STROKE_FAR_PT))
    x0, x1 = max(int(near / k), 0), max(int(np.ceil(far / k)), int(near / k) + 1)
    top, bottom = int((edge.top + CELL_INSET_PT) / k), int((edge.bottom - CELL_INSET_PT) / k)
    strip = gray[max(top, 0):bottom, x0:x1]
    return bool(strip.size) and int((strip < np.median(gray[max(top, 0):bottom]) - INK_CONTRAST)
                                    .sum()) >= MIN_INK_PX


def table_regions(edges: Sequence[Edge]) -> list[list[BBox]]:
    """The ruled regions of at least two columns (a boxed caption or a page border is read
    as text, by the detector)."""
    return [r for r in ruled_regions(edges) or []
            if len(grid_lines(v for b in r for v in (b[0], b[2]))) >= 3]


def read_cells(gray: np.ndarray, cells: Sequence[BBox], k: float) -> list[TextLine]:
    """The text lines of the given cell boxes (PDF points): a cell whose ink is one run of
    rows, no taller than SINGLE_LINE_SHARE times the page's typical such run, is one line
    (a narrow one is a lone ``1`` or ``/``: sideways text of several glyphs is taller) read
    by the recogniser alone; the detector reads the others (several lines, stacked or
    sideways glyphs, and a 三 whose strokes leave blank rows between them)."""
    inks = [(cell, box) for cell in cells if (box := _ink_box(gray, cell, k)) is not None]
    lines = [_one_line(gray, box, k) for _, box in inks]
    heights = [b[3] - b[1] for b in lines if b is not None and b[3] - b[1] >= MIN_TEXT_PT / k]
    typical = float(np.median(heights)) if heights else DEFAULT_LINE_PT / k
    single: list[Box] = []
    detected: list[TextLine] = []
    for (cell, box), line in zip(inks, lines):
        if line is not None and line[3] - line[1] <= SINGLE_LINE_SHARE * typical:
            single.append(_clear(_padded(line, k), cell, k, gray))
        else:
            detected.extend(_detected_in(gray, _clear(_padded(box[:4], k), cell, k, gray)))
    return read_boxes(gray, single) + detected


def _one_line(gray: np.ndarray, ink: tuple[int, int, int, int, float], k: float) -> Box | None:
    """The box of a cell's ink when its rows of ink make one run of MIN_RUN_PT or more
    (thinner runs, a ruling's fringe at the cell's edge or a speck, left out); else None."""
    x0, top, x1, bottom, level = ink
    dark = gray[top:bottom, x0:x1] < level
    runs = [(a, b) for a, b in _bands(np.asarray(dark.any(axis=1)), LINE_GAP_PT / k)
            if b - a >= MIN_RUN_PT / k]
    if len(runs) != 1:
        return None
    a, b = runs[0]
    cols = np.flatnonzero(dark[a:b].any(axis=0))
    return x0 + int(cols[0]), top + a, x0 + int(cols[-1]) + 1, top + b


def _detected_in(gray: np.ndarray, box: Box) -> list[TextLine]:
    """Lines the detector finds in one crop of the page, in the page's pixels."""
    x0, top, x1, bottom = box
    crop = gray[top:bottom, x0:x1]
    if crop.size == 0:
        return []
    pad = DETECT_PAD_PX
    padded = np.pad(crop, pad, constant_values=int(np.median(crop)))
    return [_shifted(line, x0 - pad, top - pad) for line in recognise(padded)]


def _bands(rows: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of True rows (top, bottom exclusive), joined over gaps shorter than ``gap``."""
    bands: list[tuple[int, int]] = []
    for top, bottom in _runs(rows):
        if bands and top - bands[-1][1] < gap:
            bands[-1] = (bands[-1][0], bottom)
        else:
            bands.append((top, bottom))
    return bands


def _runs(rows: np.ndarray) -> Iterable[tuple[int, int]]:
    padded = np.concatenate(([False], rows, [False])).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return zip(change[::2].tolist(), change[1::2].tolist())


def _shifted(line: TextLine, dx: int, dy: int) -> TextLine:
    return TextLine(tuple(Glyph(g.text, g.x0 + dx, g.top + dy, g.x1 + dx, g.bottom + dy, g.score)
                          for g in line.glyphs), line.score)


def _ink_box(gray: np.ndarray, cell: BBox, k: float) -> tuple[int, int, int, int, float] | None:
    """The box of the ink CELL_INSET_PT inside the cell's rulings, when it holds text, and
    the grey level under which a pixel is ink there."""
    x0, top, x1, bottom = _inset(cell, CELL_INSET_PT, k, gray)
    inside = gray[top:bottom, x0:x1]
    if inside.size == 0:
        return None
    level = float(np.median(inside)) - INK_CONTRAST
    ys, xs = np.nonzero(inside < level)
    if len(ys) < MIN_INK_PX:
        return None
    return (x0 + int(xs.min()), top + int(ys.min()), x0 + int(xs.max()) + 1,
            top + int(ys.max()) + 1, level)


def _padded(box: Box, k: float) -> Box:
    pad = max(int(CROP_MARGIN_PT / k), 2)
    return box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad


def _clear(box: Box, cell: BBox, k: float, gray: np.ndarray) -> Box:
    """The box kept RULING_CLEAR_PT inside the cell's rulings and on the page."""
    x0, top, x1, bottom = _inset(cell, RULING_CLEAR_PT, k, gray)
    return max(box[0], x0), max(box[1], top), min(box[2], x1), min(box[3], bottom)


def _inset(cell: BBox, inset: float, k: float, gray: np.ndarray) -> Box:
    height, width = gray.shape[:2]
    return (max(int((cell[0] + inset) / k), 0), max(int((cell[1] + inset) / k), 0),
            min(int((cell[2] - inset) / k), width), min(int((cell[3] - inset) / k), height))
