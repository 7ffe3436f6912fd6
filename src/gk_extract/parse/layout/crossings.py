"""Where rulings cross, and the cells their crossings close: pdfplumber's lines strategy
(``edges_to_intersections`` and ``intersections_to_cells``) with its searches indexed.

The rules are pdfplumber's, to the same comparisons of the same floats, so the cells are
the same ones in the same order:

* a vertical and a horizontal ruling cross at ``(v.x0, h.top)`` when each reaches the
  other within the tolerance;
* two crossings on one vertical (horizontal) line are connected when one vertical
  (horizontal) ruling passes through both;
* each crossing, taken in (x, top) order, closes the cell to the first crossing below it
  and the first to its right that, with the crossing at the cell's far corner, are
  connected all round.

pdfplumber compares every vertical ruling with every horizontal one (re-sorting the
horizontals for each), scans all later crossings for those below and to the right, and
rebuilds each crossing's ruling sets at every comparison: 0.25 s for a page of 2,600
crossings. Here the horizontals are sorted once and looked up by height, the crossings are
grouped by their line, and each crossing's rulings are a set made once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from gk_extract.parse.layout.geometry import BBox, Edge

Point = tuple[float, float]

# The window of heights searched for a crossing is this much wider than the tolerance, so
# that rounding in ``top - tolerance`` never leaves out a ruling the exact test accepts.
_SEARCH_MARGIN_PT = 1.0


class Crossings:
    """The crossings of a page's rulings, each with the rulings through it."""

    def __init__(self, edges: Sequence[Edge], tolerance: float) -> None:
        self.vertical: dict[Point, set[BBox]] = {}
        self.horizontal: dict[Point, set[BBox]] = {}
        hs = sorted((e for e in edges if e.orientation == "h"), key=lambda e: (e.top, e.x0))
        tops = [h.top for h in hs]
        for v in (e for e in edges if e.orientation == "v"):
            low = bisect_left(tops, v.top - tolerance - _SEARCH_MARGIN_PT)
            high = bisect_right(tops, v.bottom + tolerance + _SEARCH_MARGIN_PT)
            for h in hs[low:high]:
                if (v.top <= h.top + tolerance and v.bottom >= h.top - tolerance
                        and v.x0 >= h.x0 - tolerance and v.x0 <= h.x1 + tolerance):
                    point = (v.x0, h.top)
                    self.vertical.setdefault(point, set()).add(_box(v))
                    self.horizontal.setdefault(point, set()).add(_box(h))

    def __len__(self) -> int:
        return len(self.vertical)

    def cells(self) -> list[BBox]:
        """The smallest cell each crossing opens, in the order of the crossings."""
        points = sorted(self.vertical)
        columns: dict[float, list[Point]] = {}
        rows: dict[float, list[Point]] = {}
        for point in points:  # each line's crossings in order: down a column, along a row
            columns.setdefault(point[0], []).append(point)
            rows.setdefault(point[1], []).append(point)
        below_at = {p: i + 1 for column in columns.values() for i, p in enumerate(column)}
        right_at = {p: i + 1 for row in rows.values() for i, p in enumerate(row)}
        cells = []
        for point in points:
            below = columns[point[0]][below_at[point]:]
            right = rows[point[1]][right_at[point]:]
            cell = self._smallest_cell(point, below, right)
            if cell is not None:
                cells.append(cell)
        return cells

    def _smallest_cell(self, point: Point, below: list[Point], right: list[Point]) -> BBox | None:
        vertical, horizontal = self.vertical, self.horizontal
        for below_pt in below:
            if vertical[point].isdisjoint(vertical[below_pt]):
                continue
            for right_pt in right:
                if horizontal[point].isdisjoint(horizontal[right_pt]):
                    continue
                corner = (right_pt[0], below_pt[1])
                if (corner in vertical and not vertical[corner].isdisjoint(vertical[right_pt])
                        and not horizontal[corner].isdisjoint(horizontal[below_pt])):
                    return (point[0], point[1], corner[0], corner[1])
        return None


def _box(edge: Edge) -> BBox:
    return (edge.x0, edge.top, edge.x1, edge.bottom)
