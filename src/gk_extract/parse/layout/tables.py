"""Tables on one PDF page, and any table part -> a span-aware :class:`Table` grid.

The cascade (STYLE habit 3), each cell recording the step in ``Cell.method``:

1. ``ruled``: pdfplumber's lines strategy (``merge_edges`` -> ``edges_to_intersections`` ->
   ``intersections_to_cells`` -> ``cells_to_tables``; the middle two as ``crossings.py``)
   run on a page's rulings (``parse/pdf`` or ``parse/ocr``).
   Each cell box is then placed on a grid made of the distinct x and y edges of all cell
   boxes, so a merged cell (a missing ruling) becomes one origin cell with spans.
2. ``aligned``: only on a page with no ruled table, runs of lines whose words line up in
   columns separated by wide gaps.

Glyphs are assigned to cells by their centre (a grid lookup per glyph, no per-cell cropping).
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median
from typing import Any

import regex
from pdfplumber import table as plumber

from gk_extract.models import Cell, Table
from gk_extract.parse.layout.crossings import Crossings
from gk_extract.parse.layout.geometry import BBox, Char, Edge, merge_edges, outward, text_box
from gk_extract.parse.layout.lines import Line, group_lines, line_text, tidy_spacing

logger = logging.getLogger(__name__)

# pdfplumber's defaults are 3 pt; swept 1-5 on hzq2024 and LibreOffice/Word prints: WPS draws
# each border twice 0.2-1 pt apart and cell fills leave 0.2-0.5 pt gaps, which 3 pt joins;
# the closest distinct rulings in report tables are ~15 pt apart (one 10-pt text row).
SNAP_TOLERANCE_PT = 3.0
JOIN_TOLERANCE_PT = 3.0
INTERSECTION_TOLERANCE_PT = 3.0
# Rulings shorter than this are tick marks or underline fragments, not cell borders.
EDGE_MIN_LENGTH_PT = 3.0
# The crossing search (crossings.py, pdfplumber's rules) is still quadratic at worst: in the
# rulings a vertical one spans, and in the crossings along one line. A full-page 40x16 table
# has 57 merged rulings and 700 crossings; pages far beyond are charts or graph paper.
MAX_EDGES = 600
MAX_INTERSECTIONS = 1_500
# A row shorter than this holds no line of text (report tables print at 9 pt and more).
CUT_ROW_MIN_PT = 6.0
# Cell edges closer than this are one grid line (rulings snapped within 3 pt leave cell boxes
# whose edges differ by well under 1 pt; 2 pt is still far below a column width).
GRID_SNAP_PT = 2.0
# A boxed single cell with at most this many lines may be a table's caption band
# (第二十条第（八）项) left at the bottom of a page; longer boxes are framed text.
CAPTION_MAX_LINES = 2
# Stacked glyphs (one per line, centres within this many em) are vertical text: 三、本年度….
STACK_ALIGN_EM = 0.6
# Aligned fallback: a gap of this many em between glyphs separates columns (word spaces are
# < 0.5 em; columns of a borderless table are several em apart).
ALIGNED_GAP_EM = 1.5
# ...and a table needs this many consecutive lines split into at least two columns.
ALIGNED_MIN_ROWS = 3
# Consecutive table lines are closer than this many em (a blank line ends the table).
ALIGNED_MAX_LINE_GAP_EM = 2.5

# A cell's box (Cell.bbox) is widened this far around the text that reaches past it: glyph
# boxes and rulings are both single-precision in PDFium, and the box must hold the text.
TEXT_SLACK_PT = 0.05
# A borderless cell's box reaches this many em beyond its column's outermost text: half the
# narrowest gap between columns (ALIGNED_GAP_EM), so it never reaches the next column.
ALIGNED_BOX_PAD_EM = ALIGNED_GAP_EM / 2

# A whole line that is (the start of) a number, and a whole line of digits that may end it.
_NUMBER_PIECE = regex.compile(r"^[+\-]?\d[\d,，.．]*$")
_DIGITS = regex.compile(r"^\d[\d,，.．]*$")
# A glyph that may continue a label (never a digit or a placeholder: values are not moved).
_CJK_GLYPH = regex.compile(r"^\p{Han}$")


@dataclass(frozen=True, slots=True)
class PartCell:
    """A cell box with its text, in the coordinates of the part that holds it; ``bbox`` is
    the box on its own page, which stays put when a joined part's coordinates move (None
    when unknown, or when the cell was mended from pieces on two pages)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    page: int
    bbox: BBox | None = None

    def moved(self, x0: float, top: float, x1: float, bottom: float) -> PartCell:
        """The same cell with other sides in its part's coordinates (``dataclasses.replace``
        without its generality: joining two parts moves every cell of both)."""
        return PartCell(x0, top, x1, bottom, self.text, self.page, self.bbox)


@dataclass(frozen=True, slots=True)
class TablePart:
    """A table, or the piece of one on one page, before it is laid on a grid."""

    page: int
    cells: tuple[PartCell, ...]
    method: str

    @property
    def bbox(self) -> BBox:
        return (min(c.x0 for c in self.cells), min(c.top for c in self.cells),
                max(c.x1 for c in self.cells), max(c.bottom for c in self.cells))

    @property
    def n_cols(self) -> int:
        return max(len(grid_lines(c for cell in self.cells for c in (cell.x0, cell.x1))) - 1, 0)


# --------------------------------------------------------------------------- grid helpers


def grid_lines(values: Iterable[float]) -> list[float]:
    """Distinct positions, values within GRID_SNAP_PT of each other counted once (their mean)."""
    ordered = sorted(values)
    clusters: list[list[float]] = []
    for value in ordered:
        if clusters and value - clusters[-1][-1] <= GRID_SNAP_PT:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return [sum(c) / len(c) for c in clusters]


def nearest(lines: Sequence[float], value: float) -> int:
    """Index of the grid line nearest to ``value``."""
    i = bisect_left(lines, value)
    if i == 0:
        return 0
    if i == len(lines):
        return len(lines) - 1
    return i if lines[i] - value < value - lines[i - 1] else i - 1


def build_table(part: TablePart, number: int, prefix: str = "") -> Table:
    """Lay a part's cell boxes on the grid of their distinct edges; refs are
    ``p{page} {prefix}table{number} r{row} c{col}``."""
    xs = grid_lines(v for c in part.cells for v in (c.x0, c.x1))
    ys = grid_lines(v for c in part.cells for v in (c.top, c.bottom))
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for box in sorted(part.cells, key=lambda c: (c.top, c.x0)):
        row, col = nearest(ys, box.top), nearest(xs, box.x0)
        rowspan = max(nearest(ys, box.bottom) - row, 1)
        colspan = max(nearest(xs, box.x1) - col, 1)
        if (row, col) in taken:
            logger.debug("p%d table%d: two cells at r%d c%d; second dropped", box.page, number, row, col)
            continue
        taken.update((row + i, col + j) for i in range(rowspan) for j in range(colspan))
        ref = f"p{box.page} {prefix}table{number} r{row} c{col}"
        cells.append(Cell(row, col, box.text, rowspan, colspan, ref, box.page, part.method,
                          bbox=None if box.bbox is None else outward(box.bbox)))
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(tuple(cells), max(len(ys) - 1, 1), max(len(xs) - 1, 1),
                 ref=f"p{part.page} {prefix}table{number}", page=part.page)


# --------------------------------------------------------------------------- ruled tables


def ruled_regions(edges: Sequence[Edge]) -> list[list[BBox]] | None:
    """Cell boxes of each ruled region on a page (single boxed cells included); None when the
    page has too many rulings to be a page of tables."""
    if not edges:
        return []
    kept = [e for e in merge_edges(edges, SNAP_TOLERANCE_PT, JOIN_TOLERANCE_PT)
            if max(e.width, e.height) >= EDGE_MIN_LENGTH_PT]
    merged = kept + close_open_ends(kept)
    if len(merged) > MAX_EDGES:
        return None
    points = Crossings(merged, INTERSECTION_TOLERANCE_PT)
    if len(points) > MAX_INTERSECTIONS:
        return None
    boxes = points.cells()
    groups = [[_bbox(b) for b in g] for g in plumber.cells_to_tables(list(boxes))]
    grouped = {b for g in groups for b in g}
    singles = [[b] for b in boxes if b not in grouped]
    return [g for g in groups + singles if not _contains_other(g, groups + singles)]


def close_open_ends(edges: Sequence[Edge]) -> list[Edge]:
    """Horizontal rulings closing the rows whose side rulings end in the open.

    A table cut by a page break is often drawn without the ruling at the cut: Chromium
    draws a collapsed border once, on the page above, so the part on the next page starts
    with bare side rulings; WPS draws it only on the next page, so the page's last row has
    none at its bottom, nor have the merged cells a page break cuts (a group label). Where
    neighbouring side rulings of a table (each crossing one of its horizontal rulings) end
    at the same height and at least one of them ends on no horizontal ruling, the row
    between them is closed at that height, as printed paper shows it. A side ruling that
    runs on past that height into the open, crossing nothing more (a table's outer border
    drawn to the page's margin) closes the row beside a ruling that ends there too. A row
    is closed once: an outer border that ends a few points past the inner rulings (a
    browser's separate borders) closes no sliver row of its own under the closed one.
    """
    tol = SNAP_TOLERANCE_PT
    hs = [e for e in edges if e.orientation == "h"]
    vs = [v for v in edges if v.orientation == "v" and any(_crosses(h, v) for h in hs)]
    closing: list[Edge] = []
    ruled = list(hs)  # and the closings made so far: a row is closed once
    for end in ("top", "bottom"):
        # whether each side ruling's end lies on a horizontal ruling: looked up once per
        # ruling, not again at every level and for every pair it takes part in
        closed = {id(v): _closed(v, end, hs) for v in vs}
        levels = grid_lines(getattr(v, end) for v in vs)
        for y in levels:
            ending = sorted((v for v in vs if abs(getattr(v, end) - y) <= tol
                             or (not closed[id(v)] and _runs_on_open(v, end, y, hs))),
                            key=lambda v: v.x0)
            level = None  # the closings' height, looked up for the first one made here
            for a, b in pairwise(ending):
                if abs(getattr(a, end) - y) > tol and abs(getattr(b, end) - y) > tol:
                    continue  # both run on: the row between them goes on
                open_end = not (closed[id(a)] and closed[id(b)])
                if open_end and _spanned(a.x0, b.x0, hs, a, b) and not _ruled_short_of(
                        a.x0, b.x0, y, end, ruled):
                    level = _level_beside(y, ending, hs) if level is None else level
                    closing.append(Edge.horizontal(a.x0, b.x0, level))
                    ruled.append(closing[-1])
    return closing


def _level_beside(y: float, sides: Sequence[Edge], hs: Sequence[Edge]) -> float:
    """The height of the horizontal ruling nearest ``y`` (within the snap tolerance) that
    meets one of the side rulings there, else ``y``: the rows closed at ``y`` then meet it
    in shared corners, so that they and the cells beside them form one table (a browser's
    cut block of header cells, beside a block whose top ruling it drew)."""
    beside = [h.top for h in hs if any(_touches(h, v, y) for v in sides)]
    return min(beside, key=lambda top: abs(top - y)) if beside else y


def _ruled_short_of(x0: float, x1: float, y: float, end: str, hs: Sequence[Edge]) -> bool:
    """A horizontal ruling across x0..x1 lies within CUT_ROW_MIN_PT before ``y``, or within
    the snap tolerance past it: the row is closed already. What the side rulings draw on is
    a stub into the page's margin (a browser draws a table's outer border to the foot of the
    page), not a row; and a ruling the snap left just beside ``y`` (a browser's separate
    cell borders, a cell's bottom and the next row's top, snapped to their mean) would only
    cut a sliver row off the cells it closes."""
    tol = SNAP_TOLERANCE_PT
    return any(h.x0 - tol <= x0 and x1 <= h.x1 + tol
               and -tol <= (y - h.top if end == "bottom" else h.top - y) <= CUT_ROW_MIN_PT
               for h in hs)


def _runs_on_open(v: Edge, end: str, y: float, hs: Sequence[Edge]) -> bool:
    """The vertical ruling, whose ``end`` lies on no horizontal ruling (the caller knows),
    reaches past ``y`` towards that end, and no horizontal ruling crosses it beyond ``y``."""
    tol = SNAP_TOLERANCE_PT
    beyond = (v.bottom > y + tol and v.top < y - tol) if end == "bottom" else (
        v.top < y - tol and v.bottom > y + tol)
    if not beyond:
        return False
    low, high = (y + tol, v.bottom) if end == "bottom" else (v.top, y - tol)
    return not any(low < h.top < high and _crosses(h, v) for h in hs)


def _touches(h: Edge, v: Edge, y: float) -> bool:
    tol = SNAP_TOLERANCE_PT
    return abs(h.top - y) <= tol and h.x0 - tol <= v.x0 <= h.x1 + tol


def _closed(v: Edge, end: str, hs: Sequence[Edge]) -> bool:
    """The vertical ruling's ``end`` lies on a horizontal ruling."""
    y = getattr(v, end)
    return any(_touches(h, v, y) for h in hs)


def _crosses(h: Edge, v: Edge) -> bool:
    tol = SNAP_TOLERANCE_PT
    return h.x0 - tol <= v.x0 <= h.x1 + tol and v.top - tol <= h.top <= v.bottom + tol


def _spanned(x0: float, x1: float, hs: Sequence[Edge], a: Edge, b: Edge) -> bool:
    """A horizontal ruling runs from one side ruling to the other within both: they are two
    sides of one column of cells, not rulings of two tables side by side."""
    tol = SNAP_TOLERANCE_PT
    return any(h.x0 - tol <= x0 and x1 <= h.x1 + tol and _crosses(h, a) and _crosses(h, b)
               for h in hs)


def _bbox(box: Any) -> BBox:
    x0, top, x1, bottom = box
    return float(x0), float(top), float(x1), float(bottom)


def _contains_other(group: list[BBox], groups: list[list[BBox]]) -> bool:
    """A single box around another region is a frame (a page border), not a table."""
    if len(group) != 1:
        return False
    x0, top, x1, bottom = group[0]
    return any(g is not group and all(x0 <= b[0] and b[2] <= x1 and top <= b[1] and b[3] <= bottom
                                      for b in g) for g in groups)


def table_parts(regions: Sequence[Sequence[BBox]], chars: Sequence[Char],
                page: int) -> tuple[list[TablePart], list[Char]]:
    """Table parts of a page's ruled regions, and the upright glyphs left for the text flow.

    A region of one column is no table: a boxed caption (one cell of at most
    CAPTION_MAX_LINES lines) is kept as a part, since it may head a table continued on the
    next page; any other (a framed note, a page border, shaded lines) goes back to the text.
    A blank box under the rest of a part, across the row above it, is the open sides of
    rows carried to the next page (a browser draws a table's sides down to the page's foot,
    where they are closed): it holds nothing, and is left out so that the part ends with its
    last printed row (a caption, a header) to be joined with the next page's.
    """
    boxes = [region_bbox(r) for r in regions]
    owned: list[list[Char]] = [[] for _ in regions]
    flow: list[Char] = []
    for char in chars:
        index = _region_holding(char.cx, char.cy, boxes)  # the glyph's centre decides
        (flow if index is None else owned[index]).append(char)
    parts: list[TablePart] = []
    for region, own in zip(regions, owned):
        part, stray = fill_region(region, own, page)
        flow.extend(stray)
        part = without_blank_foot(without_slivers(part))
        if part.n_cols >= 2 or _is_caption(part):
            parts.append(part)
        else:
            strays = {id(c) for c in stray}
            flow.extend(c for c in own if id(c) not in strays)
    return parts, [c for c in flow if c.upright]  # turned glyphs outside tables: watermarks


def _region_holding(x: float, y: float, boxes: Sequence[BBox]) -> int | None:
    """The first of the boxes holding the point, borders included (a plain loop: it runs
    for every glyph of the page, where a generator costs more than the test)."""
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        if x0 <= x <= x1 and top <= y <= bottom:
            return index
    return None


def _is_caption(part: TablePart) -> bool:
    texts = [c.text for c in part.cells]
    return len(texts) == 1 and bool(texts[0]) and texts[0].count("\n") < CAPTION_MAX_LINES


def without_slivers(part: TablePart) -> TablePart:
    """The part without blank boxes too low for a line of text (CUT_ROW_MIN_PT): the gap
    between rulings stacked a few points apart (a table's last row, its outer border, and
    the border of a table set right under it, on a scan)."""
    cells = tuple(c for c in part.cells if c.text or c.bottom - c.top >= CUT_ROW_MIN_PT)
    return part if len(cells) == len(part.cells) else TablePart(part.page, cells, part.method)


def without_blank_foot(part: TablePart) -> TablePart:
    """The part without the blank boxes ending it (see ``table_parts``)."""
    cells = list(part.cells)
    while len(cells) > 1:
        foot = max(cells, key=lambda c: c.bottom)
        rest = [c for c in cells if c is not foot]
        if not _is_blank_foot(foot, rest):
            break
        cells = rest
    return part if len(cells) == len(part.cells) else TablePart(part.page, tuple(cells), part.method)


def _is_blank_foot(foot: PartCell, rest: Sequence[PartCell]) -> bool:
    """A blank box that is a row of its own (every other cell ends above it), as wide as
    the cells it lies under."""
    snap = GRID_SNAP_PT
    above = [c for c in rest if abs(c.bottom - foot.top) <= snap]
    if foot.text or not above or any(c.bottom > foot.top + snap for c in rest):
        return False
    return (abs(min(c.x0 for c in above) - foot.x0) <= snap
            and abs(max(c.x1 for c in above) - foot.x1) <= snap)


def region_bbox(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def fill_region(boxes: Sequence[BBox], chars: Sequence[Char],
                page: int) -> tuple[TablePart, list[Char]]:
    """Give each cell box the glyphs whose centre lies inside it; also return the glyphs
    that fall in no cell (beside an L-shaped table, inside its bounding box)."""
    xs = grid_lines(v for b in boxes for v in (b[0], b[2]))
    ys = grid_lines(v for b in boxes for v in (b[1], b[3]))
    slots: dict[tuple[int, int], int] = {}
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        for r in range(nearest(ys, top), nearest(ys, bottom)):
            for c in range(nearest(xs, x0), nearest(xs, x1)):
                slots.setdefault((r, c), index)
    owned: list[list[Char]] = [[] for _ in boxes]
    stray: list[Char] = []
    for char in chars:
        r, c = bisect_right(ys, char.cy) - 1, bisect_right(xs, char.cx) - 1
        owner = slots.get((r, c))
        if owner is None and _CJK_GLYPH.match(char.text):
            owner = _open_above(slots, r, c)
        (stray if owner is None else owned[owner]).append(char)
    cells = tuple(PartCell(*box, cell_text(own), page, holding(box, own))
                  for box, own in zip(boxes, owned))
    return TablePart(page, cells, "ruled"), stray


def _open_above(slots: dict[tuple[int, int], int], row: int, col: int) -> int | None:
    """The cell above an open slot of the region, with only open slots between: a label
    cut by a page break whose cell the side rulings leave open below (a browser draws the
    side of a merged header cell only as far as its neighbour on this page reaches)."""
    for r in range(row - 1, -1, -1):
        if (r, col) in slots:
            return slots[(r, col)]
    return None


def holding(box: BBox, chars: Sequence[Char]) -> BBox:
    """The cell's box widened to hold its glyphs where they reach past its rulings (a
    LibreOffice row sets its text flush under the top ruling, the em square over it), so
    that what lies inside the box is the cell's whole text."""
    ink = text_box(chars)
    if ink is None:
        return box
    slack = TEXT_SLACK_PT
    return (min(box[0], ink[0] - slack), min(box[1], ink[1] - slack),
            max(box[2], ink[2] + slack), max(box[3], ink[3] + slack))


# --------------------------------------------------------------------------- cell text


def cell_text(chars: Sequence[Char]) -> str:
    """A cell's glyphs as lines joined by newlines; stacked or rotated text in reading order."""
    if len(chars) == 1 and chars[0].upright:
        # one upright glyph (most cells of a report hold one digit): its one line's text, as
        # the general steps below would make it, without grouping lines
        return tidy_spacing(chars[0].text)
    upright = [c for c in chars if c.upright]
    texts = _upright_text(upright)
    rotated = [c for c in chars if not c.upright]
    if rotated:
        texts.extend(_rotated_text(rotated))
    return join_cell_lines([t for t in texts if t])


def join_cell_lines(lines: Sequence[str]) -> str:
    """Lines joined by newlines, except a number wrapped in a narrow column (the
    WRAPPED_NUMBER rule: `2,68` over `1` is 2,681, as the value was typed)."""
    out = ""
    for line in lines:
        wrapped = bool(out) and continues_number(out.rsplit("\n", 1)[-1], line)
        out = f"{out}{'' if wrapped else chr(10)}{line}" if out else line
    return out


def continues_number(head: str, line: str) -> bool:
    """Whether ``line`` (digits) is the wrapped rest of the number that ``head`` starts."""
    return bool(_NUMBER_PIECE.match(head) and _DIGITS.match(line))


def _upright_text(chars: Sequence[Char]) -> list[str]:
    lines = group_lines(chars)
    if _is_stacked(lines):
        return ["".join(ln.text for ln in lines)]  # one glyph per line: vertical text
    return [ln.text for ln in lines]


def _is_stacked(lines: Sequence[Line]) -> bool:
    if len(lines) < 2 or any(len(ln.text) != 1 for ln in lines):
        return False
    centres = [(ln.x0 + ln.x1) / 2 for ln in lines]
    size = median(ln.size for ln in lines)
    return max(centres) - min(centres) <= STACK_ALIGN_EM * size


def _rotated_text(chars: Sequence[Char]) -> list[str]:
    """Glyphs turned by 90/180/270 degrees, read along their own baselines.

    Text turned clockwise (90) reads downwards with its lines stacked right to left;
    turned counter-clockwise (270) it reads upwards with lines stacked left to right.
    """
    out: list[str] = []
    for rotation in (90, 270, 180):
        group = [c for c in chars if c.rotation == rotation]
        if not group:
            continue
        if rotation == 180:
            out.extend(line_text(sorted(ln.chars, key=lambda c: -c.x0))
                       for ln in reversed(group_lines(group)))
            continue
        columns = _columns(group)
        columns.sort(key=lambda col: col[0].cx, reverse=rotation == 90)
        for column in columns:
            column.sort(key=lambda c: c.cy, reverse=rotation == 270)
            out.append("".join(c.text for c in column).strip())
    return out


def _columns(chars: Sequence[Char]) -> list[list[Char]]:
    columns: list[list[Char]] = []
    for char in sorted(chars, key=lambda c: c.cx):
        width = char.x1 - char.x0
        if columns and abs(char.cx - columns[-1][-1].cx) <= max(width, 1.0) / 2:
            columns[-1].append(char)
        else:
            columns.append([char])
    return columns


# --------------------------------------------------------------------------- aligned fallback


def aligned_parts(lines: Sequence[Line], page: int) -> tuple[list[TablePart], set[int]]:
    """Borderless tables among a page's text lines, and the indices of the lines they use."""
    split = [_segments(ln) for ln in lines]
    parts: list[TablePart] = []
    used: set[int] = set()
    for start, end in _aligned_runs(lines, split):
        part = _aligned_part(lines[start:end], split[start:end], page)
        if part is not None:
            parts.append(part)
            used.update(range(start, end))
    return parts, used


def _segments(line: Line) -> list[list[Char]]:
    """A line's glyphs cut at column-sized gaps."""
    segments: list[list[Char]] = []
    for char in line.chars:
        if char.text == " ":
            continue
        if segments and char.x0 - segments[-1][-1].x1 < ALIGNED_GAP_EM * max(char.size, line.size):
            segments[-1].append(char)
        else:
            segments.append([char])
    return segments


def _aligned_runs(lines: Sequence[Line], split: Sequence[list[list[Char]]]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate(lines):
        tabular = len(split[i]) >= 2
        close = start is not None and line.top - lines[i - 1].bottom <= ALIGNED_MAX_LINE_GAP_EM * line.size
        if tabular and (start is None or close):
            start = i if start is None else start
            continue
        if start is not None and i - start >= ALIGNED_MIN_ROWS:
            runs.append((start, i))
        start = i if tabular else None
    if start is not None and len(lines) - start >= ALIGNED_MIN_ROWS:
        runs.append((start, len(lines)))
    return runs


def _aligned_part(lines: Sequence[Line], split: Sequence[list[list[Char]]], page: int) -> TablePart | None:
    bands = _bands([(s[0].x0, s[-1].x1) for segs in split for s in segs])
    if len(bands) < 2:
        return None
    cells: list[PartCell] = []
    edges = [b[0] for b in bands] + [bands[-1][1]]
    xs, ys = _aligned_box_lines(lines, bands)
    for i, (line, segs) in enumerate(zip(lines, split)):
        top = line.top if i == 0 else (lines[i - 1].bottom + line.top) / 2
        bottom = line.bottom if i == len(lines) - 1 else (line.bottom + lines[i + 1].top) / 2
        texts = [""] * len(bands)
        for seg in segs:
            band = _band_index(bands, (seg[0].x0 + seg[-1].x1) / 2)
            texts[band] = f"{texts[band]} {line_text(seg)}".strip()
        for b, text in enumerate(texts):
            cells.append(PartCell(edges[b], top, edges[b + 1], bottom, text, page,
                                  (xs[b], ys[i], xs[b + 1], ys[i + 1])))
    return TablePart(page, tuple(cells), "aligned")


def _aligned_box_lines(lines: Sequence[Line], bands: Sequence[tuple[float, float]]
                       ) -> tuple[list[float], list[float]]:
    """The sides of a borderless table's cell boxes (``Cell.bbox``): halfway between
    neighbouring columns' text and between a line's box and the next line's em top, and
    ALIGNED_BOX_PAD_EM outside the outer columns, TEXT_SLACK_PT above and below the first and
    last lines. The cells' own coordinates are the ones the joining of parts compares."""
    pad = ALIGNED_BOX_PAD_EM * median(ln.size for ln in lines)
    xs = [bands[0][0] - pad, *((a[1] + b[0]) / 2 for a, b in pairwise(bands)),
          bands[-1][1] + pad]
    tops = [(text_box(ln.chars) or (ln.x0, ln.top, ln.x1, ln.bottom))[1] for ln in lines]
    # between a line's box and the next line's em top, but never below that em top: lines
    # set tight have the descent of one's box reach over the other's em square
    ys = [tops[0] - TEXT_SLACK_PT,
          *(min((above.bottom + top) / 2, top - TEXT_SLACK_PT)
            for above, top in zip(lines, tops[1:])),
          lines[-1].bottom + TEXT_SLACK_PT]
    return xs, ys


def _bands(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Column bands: the union of overlapping segment extents."""
    bands: list[tuple[float, float]] = []
    for x0, x1 in sorted(intervals):
        if bands and x0 <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], x1))
        else:
            bands.append((x0, x1))
    return bands


def _band_index(bands: Sequence[tuple[float, float]], x: float) -> int:
    """The band holding ``x`` (bands are unions of segments, so one always does)."""
    return next((i for i, (_, x1) in enumerate(bands) if x <= x1), len(bands) - 1)
