"""Table grids: the HTML table algorithm, then only the rows and columns where a cell starts.

Slots covered by a rowspan from above are skipped when placing a row's cells; the grid then
keeps only the rows and columns where some cell starts: those are the real boundaries, and
junk spans (``colspan="50"``) cannot widen the table.

``Cell.ref`` is ``table{t} r{row} c{col}`` where row/col are the 0-based grid coordinates of
the origin slot, i.e. exactly ``Cell.row`` and ``Cell.col``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple, TypeAlias

from lxml import etree

from gk_extract.models import Cell, Table

Element: TypeAlias = etree._Element

# HTML allows colspan up to 1000; report tables are at most ~16 columns wide and the 2021
# template's tallest rowspan is 22, so 100 keeps every real span and bounds junk.
MAX_SPAN = 100
# Cells starting beyond this column are dropped (with a warning); real tables are <= 16 wide.
MAX_TABLE_COLS = 256


class Slot(NamedTuple):
    row: int
    col: int
    rowspan: int
    colspan: int
    element: Element


# HTML's "rules for parsing non-negative integers", plus the quotes that broken generators
# leave inside the value: '2 ' -> 2, '"3"' -> 3, '+4' -> 4; '-1', 'abc', '' fail.
_SPAN_VALUE = re.compile(r"\s*[\"']?\s*\+?([0-9]+)")


def _span(raw: str | None) -> int:
    """A rowspan/colspan attribute read leniently; junk or 0 -> 1, huge -> ``MAX_SPAN``."""
    match = _SPAN_VALUE.match(raw) if raw else None
    if match is None:
        return 1
    return min(max(int(match.group(1)[:6]), 1), MAX_SPAN)


def place(rows: list[list[Element]]) -> tuple[list[Slot], int]:
    """The HTML table algorithm: each cell takes the first slot no rowspan from above covers.

    Returns the placed cells and how many were dropped beyond ``MAX_TABLE_COLS``.
    """
    busy_until: list[int] = []  # per column: the first row no longer covered from above
    slots: list[Slot] = []
    dropped = 0
    for r, cells in enumerate(rows):
        c = 0
        for td in cells:
            while c < len(busy_until) and busy_until[c] > r:
                c += 1
            if c >= MAX_TABLE_COLS:
                dropped += 1
                continue
            raw_rows, raw_cols = td.get("rowspan"), td.get("colspan")  # mostly absent: 1
            rowspan = _span(raw_rows) if raw_rows else 1
            colspan = min(_span(raw_cols) if raw_cols else 1, MAX_TABLE_COLS - c)
            if len(busy_until) < c + colspan:
                busy_until.extend([0] * (c + colspan - len(busy_until)))
            busy_until[c : c + colspan] = [r + rowspan] * colspan
            slots.append(Slot(r, c, rowspan, colspan, td))
            c += colspan
    return slots, dropped


def make_table(slots: list[Slot], text_at: dict[int, str], ref: str) -> Table:
    """Cells on a grid of only the rows and columns where some cell starts.

    A column (or row) where no cell starts is covered by spans alone and marks no boundary,
    so dropping it loses nothing; this is what clamps junk spans to the table's real size:
    ``colspan="50"`` in a 4-column table, a rowspan into trailing empty ``<tr>``s.
    """
    rows = sorted({s.row for s in slots})
    cols = sorted({s.col for s in slots})
    cells = []
    for s in slots:
        # position and span once only the rows and columns where a cell starts are kept
        # (inlined: this runs for every cell of every table)
        row = bisect_left(rows, s.row)
        rowspan = bisect_left(rows, s.row + s.rowspan, row) - row
        col = bisect_left(cols, s.col)
        colspan = bisect_left(cols, s.col + s.colspan, col) - col
        cells.append(Cell(row, col, text_at[id(s.element)], rowspan, colspan,
                          f"{ref} r{row} c{col}", None, "html"))
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=len(cols), ref=ref)
