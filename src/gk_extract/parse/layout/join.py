"""A table continued on the next page, joined back into one table part.

Two parts are joined when the first ends its page and the second starts the next one
(nothing but page furniture between them) and their column edges match: the outer edges
within COLUMN_MATCH_TOLERANCE_PT and the inner edges of one a subset of the other's (a
section 二 block with one data column continues a four-column block), or those of the
first part's last block do (tables set one under another form one part: the third of
section 四's three tables, cut after its caption). They are not joined when the second
starts like the first does (a caption or header row of the same shape with another text)
while the first has no such row further down: that is a new table of the same kind
(section 四 printed as three tables), not a continuation.

When the second part's columns do not match, its first block alone may continue the first
part: tables set one under another and drawn as one part (a browser's section 四 of three
narrow tables, the page starting with the first one's value row) are cut where the table's
width changes, and the block above the cut is joined if its columns match.

Before stacking the second part under the first:

* a repeated header is dropped: leading rows of the second part equal (text and position)
  to a run of header rows of the first, rows that hold no value (no number, no 无 or /);
  when the first part ends with no value under its last heading, only to its last rows;
* a merged cell cut by the page break is mended: when the last row of the first part and the
  first row of the second have cells with the same x extent, one of them spanning several
  rows, and the second is blank or a label continuation (text that does not start with an
  item number such as （五） or 2.), the two become one cell whose text is both parts';
* a row cut by the page break is mended the same way, cell by cell, when the second part's
  first row is only its rest: the rest of a numbered label (3.补正后申 + 请内容仍不明确; an
  unnumbered label at the top of a page may just as well be the next row with its values
  left blank) or of a number wrapped in a narrow column (`1,16` + `0` is 1,160, the
  WRAPPED_NUMBER rule of ``layout/tables.py`` across the break), every other cell blank.

A mended cell keeps its box on the first page (``PartCell.bbox``) when the second page
added no text to it, and has none otherwise: no one box on a page holds its text. Every
other cell keeps the box on its own page, however the parts' coordinates were moved.

Nothing is mended when the first part ends with its header (a title row across the table:
text in every cell, no value; merged labels that alone reach below the last values, as a
browser prints them, are no header), nor is a cell of the first part's header merged with a cell of a row that
holds a value: the header was complete, the data start on the new page. A row that a
numbered label opens at the table's left edge (一、本年新收…) is a new row of the template:
none of its cells continues a merged cell.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import regex

from gk_extract.parse.layout.tables import (
    PartCell,
    TablePart,
    continues_number,
    grid_lines,
    join_cell_lines,
    nearest,
)

logger = logging.getLogger(__name__)

# Column edges of the two parts of one table differ by < 1 pt on WPS and Word prints; 3 pt
# (pdfplumber's snap tolerance) also absorbs a part redrawn from cell fills.
COLUMN_MATCH_TOLERANCE_PT = 3.0
# A repeated header is searched among the first part's first rows (the 三 header has 3).
HEADER_SCAN_ROWS = 4
# The head of a number wrapped across the page break has at least this many characters: a
# column too narrow for two digits holds no number, so a one-character value is complete and
# digits under it at the top of the next page belong to another row.
WRAPPED_HEAD_MIN_CHARS = 2

_NUMBER = regex.compile(r"^[+\-]?\d[\d,，]*(?:[.．]\d+)?\s*(?:万元|元|件|个|条|项|次|%)?$")
# What a value cell prints for "nothing to report" (无, /, —): a value, not a heading.
_PLACEHOLDER = regex.compile(r"^(?:[-—－―/／\\…·.]+|无|不适用|空)$")
_ITEM_NUMBER = regex.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.．、)])"
)


def join_parts(first: TablePart, second: TablePart) -> TablePart | None:
    """The two parts as one, or None when their columns do not match."""
    if first.method != second.method or second.n_cols < 2:
        return None
    xs_first = grid_lines(v for c in first.cells for v in (c.x0, c.x1))
    xs_second = grid_lines(v for c in second.cells for v in (c.x0, c.x1))
    if not (columns_match(xs_first, xs_second) or columns_match(_last_block(first), xs_second)):
        return None
    # Both parts' sides on the first part's grid lines, so that equal edges compare equal.
    above = [_snap_x(c, xs_first) for c in first.cells]
    below = [_snap_x(c, xs_first) for c in second.cells]
    if _starts_another_table(above, below):
        return None
    cells = _drop_repeated_header(above, below)
    if not cells:
        return replace(first, cells=tuple(above))
    shift = first.bbox[3] - min(c.top for c in cells)
    cells = [c.moved(c.x0, c.top + shift, c.x1, c.bottom + shift) for c in cells]
    return replace(first, cells=tuple(_mend_cut_cells(above, cells)))


def first_block(part: TablePart) -> tuple[TablePart, TablePart] | None:
    """The part cut under its first block, and the rest: tables set one under another that a
    page's rulings drew as one part (a browser's section 四 of three narrow tables, the page
    starting with the first one's last row). A block ends where the table's width changes;
    None when the part is one block or a cell reaches over the cut."""
    ys = grid_lines(v for c in part.cells for v in (c.top, c.bottom))
    widths = [_extent([c for c in part.cells if c.top <= a + 1.0 and c.bottom >= b - 1.0])
              for a, b in pairwise(ys)]
    end = next((k for k, width in enumerate(widths) if width != widths[0]), None)
    if end is None:
        return None
    cut = ys[end]
    head = [c for c in part.cells if c.top < cut - 1.0]
    rest = [c for c in part.cells if c.top >= cut - 1.0]
    if not head or not rest or any(c.bottom > cut + 1.0 for c in head):
        return None
    return replace(part, cells=tuple(head)), replace(part, cells=tuple(rest))


def columns_match(xs_a: Sequence[float], xs_b: Sequence[float]) -> bool:
    if len(xs_a) < 2 or len(xs_b) < 2:
        return False
    tol = COLUMN_MATCH_TOLERANCE_PT
    if abs(xs_a[0] - xs_b[0]) > tol or abs(xs_a[-1] - xs_b[-1]) > tol:
        return False
    a_in_b = all(_has_near(xs_b, x) for x in xs_a)
    b_in_a = all(_has_near(xs_a, x) for x in xs_b)
    return a_in_b or b_in_a


def _last_block(part: TablePart) -> list[float]:
    """The column edges of the table that a part of tables stacked on each other ends with
    (section 四 printed as three tables, the third cut by the page break): its last rows as
    wide as its last row, up to the caption heading them (a row of one cell)."""
    _, rows = _rows(part.cells)
    block: list[PartCell] = []
    for row in reversed([r for r in rows if r]):
        if block and _extent(row) != _extent(block):
            break
        block.extend(row)
        if len(row) == 1:
            break
    return grid_lines(v for c in block for v in (c.x0, c.x1))


def _extent(cells: Sequence[PartCell]) -> tuple[int, int]:
    return round(min(c.x0 for c in cells)), round(max(c.x1 for c in cells))


def _has_near(lines: Sequence[float], x: float) -> bool:
    return abs(lines[nearest(lines, x)] - x) <= COLUMN_MATCH_TOLERANCE_PT


def _snap_x(cell: PartCell, xs: Sequence[float]) -> PartCell:
    """Put the cell's sides on the first part's column edges where they are that close."""
    x0, x1 = (xs[nearest(xs, v)] if _has_near(xs, v) else v for v in (cell.x0, cell.x1))
    return cell.moved(x0, cell.top, x1, cell.bottom)


# --------------------------------------------------------------------------- repeated header


def _rows(cells: Sequence[PartCell]) -> tuple[list[float], list[list[PartCell]]]:
    """The part's y grid lines and, for each grid row, the cells starting in it."""
    ys = grid_lines(v for c in cells for v in (c.top, c.bottom))
    rows: list[list[PartCell]] = [[] for _ in range(max(len(ys) - 1, 0))]
    for cell in cells:
        index = nearest(ys, cell.top)
        if index < len(rows):
            rows[index].append(cell)
    for row in rows:
        row.sort(key=lambda c: c.x0)
    return ys, rows


def _signature(row: Sequence[PartCell]) -> tuple[tuple[int, int, str], ...]:
    return tuple((round(c.x0), round(c.x1), "".join(c.text.split())) for c in row)


def _is_header_row(row: Sequence[PartCell]) -> bool:
    """Text and no value: a row of 无 or / under a repeated caption is data, not header."""
    texts = ["".join(c.text.split()) for c in row]
    return any(texts) and not any(_is_value(t) for t in texts)


def _starts_another_table(first: Sequence[PartCell], second: Sequence[PartCell]) -> bool:
    """The second part opens with a header-like row shaped as the first part's opening row,
    with other text, and the first part repeats that shape nowhere (not a multi-block table
    whose next block begins on the new page)."""
    _, rows_a = _rows(first)
    _, rows_b = _rows(second)
    if not rows_a or not rows_b or not _is_title_row(rows_b[0]):
        return False
    shape = _shape(rows_a[0])
    if _shape(rows_b[0]) != shape or _signature(rows_b[0]) == _signature(rows_a[0]):
        return False
    return not any(_shape(row) == shape and _is_title_row(row) for row in rows_a[1:])


def _is_title_row(row: Sequence[PartCell]) -> bool:
    """A caption or header row: text in every cell, no value (a data row with its values
    left blank has empty cells)."""
    return bool(row) and all(_flat(c) and not _is_value(_flat(c)) for c in row)


def _shape(row: Sequence[PartCell]) -> tuple[tuple[int, int], ...]:
    return tuple((round(c.x0), round(c.x1)) for c in row)


def _drop_repeated_header(first: Sequence[PartCell], second: list[PartCell]) -> list[PartCell]:
    """The second part without its leading rows that repeat the first part's header. When
    the first part ends with no value under its last heading (a caption cut from its table),
    only a repeat of its own last rows is one: the rows the next page starts with are that
    table's header, however like an earlier block's (section 四's three tables) they are."""
    _, rows_a = _rows(first)
    ys_b, rows_b = _rows(second)
    end = max((i + 1 for i, row in enumerate(rows_a) if row), default=0)
    open_end = end > 0 and _is_title_row(rows_a[end - 1])
    repeated = 0
    for start in range(min(HEADER_SCAN_ROWS, len(rows_a))):
        k = 0
        while (k < len(rows_b) and start + k < len(rows_a) and _is_header_row(rows_b[k])
               and _signature(rows_b[k]) == _signature(rows_a[start + k])):
            k += 1
        if not open_end or start + k == end:
            repeated = max(repeated, k)
    if not repeated:
        return second
    cut = ys_b[repeated]
    dropped = [c for row in rows_b[:repeated] for c in row]
    if any(c.bottom > cut + 1.0 for c in dropped):
        return second  # a header cell reaching into the data rows: keep everything
    logger.debug("repeated header of %d rows dropped on page %d", repeated, second[0].page)
    ids = {id(c) for c in dropped}
    return [c for c in second if id(c) not in ids]


# --------------------------------------------------------------------------- cut cells


def _mend_cut_cells(first: list[PartCell], second: list[PartCell]) -> list[PartCell]:
    """Cells of the first part's last row continued by the second part's first row, merged."""
    ys_a = grid_lines(v for c in first for v in (c.top, c.bottom))
    ys_b = grid_lines(v for c in second for v in (c.top, c.bottom))
    last = {_shape([c])[0]: c for c in first if abs(c.bottom - ys_a[-1]) < 1.0}
    opening = [c for c in second if abs(c.top - ys_b[0]) < 1.0]
    if _is_title_row(list(last.values())) and _extent(list(last.values())) == _extent(first):
        return first + second  # the part ends with its header: nothing above was cut
    pairs = [(last.get(_shape([c])[0]), c) for c in opening]
    row_cut = _is_cut_row(pairs)
    new_row = _opens_new_row(opening, second)
    header = {id(c) for c in _header_cells(first)} if _holds_value(opening) else set()
    mended: dict[int, PartCell] = {}
    absorbed: set[int] = set()
    for above, below in pairs:
        if above is None or id(above) in header:
            continue  # nothing faces it, or a header cell facing a data row
        if row_cut or (not new_row and _continues(above, _span(above, ys_a), below,
                                                  _span(below, ys_b))):
            text = join_cell_lines([t for t in (above.text, below.text) if t])
            # its box on the first page holds all of its text only if nothing came below
            bbox = above.bbox if not _flat(below) else None
            mended[id(above)] = replace(above, bottom=below.bottom, text=text, bbox=bbox)
            absorbed.add(id(below))
    return [mended.get(id(c), c) for c in first] + [c for c in second if id(c) not in absorbed]


def _span(cell: PartCell, ys: Sequence[float]) -> int:
    return nearest(ys, cell.bottom) - nearest(ys, cell.top)


def _flat(cell: PartCell) -> str:
    return "".join(cell.text.split())


def _is_value(text: str) -> bool:
    return bool(_NUMBER.match(text) or _PLACEHOLDER.match(text))


def _holds_value(row: Sequence[PartCell]) -> bool:
    return any(_is_value(_flat(c)) for c in row)


def _header_cells(cells: Sequence[PartCell]) -> list[PartCell]:
    """The cells of the part's leading title rows (its column headings)."""
    _, rows = _rows(cells)
    header: list[PartCell] = []
    for row in rows:
        if not _is_title_row(row):
            break
        header.extend(row)
    return header


def _opens_new_row(opening: Sequence[PartCell], cells: Sequence[PartCell]) -> bool:
    """The second part's first row starts at the table's left edge with a numbered label
    (一、本年新收…): a new row of the template, so none of its cells continues a cell above."""
    left = min(c.x0 for c in cells)
    return any(abs(c.x0 - left) < 1.0 and _ITEM_NUMBER.match(_flat(c)) for c in opening)


def _continues(above: PartCell, above_span: int, below: PartCell, below_span: int) -> bool:
    """Whether two cells facing each other across the page break are one merged cell."""
    if above_span < 2 and below_span < 2:
        return False
    if _is_value(_flat(above)) or _is_value(_flat(below)):
        return False
    return not _flat(below) or not _ITEM_NUMBER.match(_flat(below))


def _is_cut_row(pairs: Sequence[tuple[PartCell | None, PartCell]]) -> bool:
    """The second part's first row is the rest of the first part's last row: every cell
    faces one, and every cell with text carries the rest of a numbered label or of a
    number wrapped in a narrow column (`1,16` over `0`); none carries a value of its own."""
    if not pairs or any(above is None for above, _ in pairs):
        return False
    rests = [(a, b) for a, b in pairs if a is not None and _flat(b)]
    return bool(rests) and all(_rests_label(a, b) or _rests_number(a, b) for a, b in rests)


def _rests_label(above: PartCell, below: PartCell) -> bool:
    top, rest = _flat(above), _flat(below)
    return bool(_ITEM_NUMBER.match(top) and not _ITEM_NUMBER.match(rest) and not _is_value(rest))


def _rests_number(above: PartCell, below: PartCell) -> bool:
    """The below cell is one line of digits ending the number the above cell's last line
    starts."""
    head, rest = above.text.rsplit("\n", 1)[-1].strip(), below.text.strip()
    return len(head) >= WRAPPED_HEAD_MIN_CHARS and "\n" not in rest and continues_number(head, rest)
