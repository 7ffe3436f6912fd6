"""The page geometry every layout step works on: glyphs, rulings and boxes.

Coordinates are in points in the page's display space: origin at the top-left corner,
``top``/``bottom`` growing downwards (pdfplumber's convention). A PDF page's glyphs and
rulings come from PDFium (``parse/pdf``), a scan's from the image and the OCR engine
(``parse/ocr``); from here on both are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

from pdfplumber import table as plumber

BBox = tuple[float, float, float, float]
"""x0, top, x1, bottom."""


class Char(NamedTuple):
    """One glyph: its text, its box in display space, and whether it reads left to right.

    The box is PDFium's (the font's ascent to its descent) or the recogniser's. Where the
    text layer gives them, ``baseline`` and ``em_top``, the top of the glyph's em square (the
    baseline less the font size), which pdfminer and so pdfplumber take for the glyph's top:
    up to 0.2 em above the box's. Only cells' boxes (``Cell.bbox``) look at them.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    upright: bool
    # Reading direction of the glyph's baseline in display space, in degrees clockwise from
    # left-to-right: 0, 90 (reads downwards), 180 or 270 (reads upwards).
    rotation: int
    baseline: float | None = None
    em_top: float | None = None

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def size(self) -> float:
        height = self.bottom - self.top
        # max(height, 1.0) written out, the same float: layout reads each glyph's size several
        # times over, and the builtin call costs more than the rest of the property
        return 1.0 if 1.0 > height else height  # noqa: FURB136


@dataclass(frozen=True, slots=True)
class Edge:
    """A horizontal (``h``) or vertical (``v``) ruling: a drawn line or a thin filled box.

    A horizontal edge has ``top == bottom``, a vertical one ``x0 == x1``.
    """

    orientation: Literal["h", "v"]
    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def horizontal(cls, x0: float, x1: float, y: float) -> Edge:
        return cls("h", x0, y, x1, y)

    @classmethod
    def vertical(cls, x: float, top: float, bottom: float) -> Edge:
        return cls("v", x, top, x, bottom)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def spanning(self, low: float, high: float) -> Edge:
        """The same ruling running from ``low`` to ``high`` along its direction."""
        if self.orientation == "h":
            return replace(self, x0=low, x1=high)
        return replace(self, top=low, bottom=high)

    def as_plumber(self) -> dict[str, Any]:
        """The edge as pdfplumber's table code wants it."""
        return {"x0": self.x0, "x1": self.x1, "top": self.top, "bottom": self.bottom,
                "doctop": self.top, "width": self.width, "height": self.height,
                "orientation": self.orientation, "object_type": "line"}

    @classmethod
    def from_plumber(cls, edge: dict[str, Any]) -> Edge:
        return cls(edge["orientation"], float(edge["x0"]), float(edge["top"]),
                   float(edge["x1"]), float(edge["bottom"]))


def text_box(chars: Iterable[Char]) -> BBox | None:
    """The box around the glyphs' ink as any reader boxes it (each glyph's box, raised to
    the top of its em square where that is known); None when none is ink."""
    inked = [c for c in chars if c.text.strip()]
    if not inked:
        return None
    return (min([c.x0 for c in inked]),
            min([c.top if c.em_top is None else min(c.top, c.em_top) for c in inked]),
            max([c.x1 for c in inked]), max([c.bottom for c in inked]))


def outward(box: BBox, digits: int = 2) -> BBox:
    """The box with its sides rounded outwards to ``digits`` decimals: tidy numbers that
    still hold everything the box held."""
    scale = 10.0**digits
    x0, top, x1, bottom = box
    return (math.floor(x0 * scale) / scale, math.floor(top * scale) / scale,
            math.ceil(x1 * scale) / scale, math.ceil(bottom * scale) / scale)


def merge_edges(edges: Iterable[Edge], snap: float, join: float) -> list[Edge]:
    """Rulings closer than ``snap`` across their direction snapped onto one line, and
    collinear ones with gaps up to ``join`` joined (pdfplumber's ``merge_edges``, its
    snapping kept to rulings that lie beside each other: see ``snap_edges``)."""
    snapped = [e.as_plumber() for e in snap_edges(edges, snap, join)]
    return [Edge.from_plumber(e) for e in plumber.merge_edges(snapped, 0, 0, join, join)]


def snap_edges(edges: Iterable[Edge], snap: float, reach: float) -> list[Edge]:
    """Rulings of one orientation moved onto one line, their mean position, where they are
    within ``snap`` of each other across their direction and lie side by side along it
    (their extents overlapping or less than ``reach`` apart), and so on from each of them.

    pdfplumber snaps by position alone, over the whole page, and so chains: a column ruling
    of one table 3 pt from another table's, far above it, pulled both onto their mean (a
    browser's section 三 and 四 tables, 499.9 and 503.6 pt, both put at 503.6), and a table's
    border 2.2 pt beside the column ruling of the table on top of it went with it; the
    lower table's columns then matched neither its glyphs nor its part on the next page.
    """
    out: list[Edge] = []
    for orientation in ("h", "v"):
        same = sorted((e for e in edges if e.orientation == orientation), key=_position)
        for chain in _chains(same, snap):
            for group in _side_by_side(chain, snap, reach):
                out.extend(_moved_to_mean(group))
    return out


def _position(edge: Edge) -> float:
    return edge.top if edge.orientation == "h" else edge.x0


def _extent(edge: Edge) -> tuple[float, float]:
    return (edge.x0, edge.x1) if edge.orientation == "h" else (edge.top, edge.bottom)


def _chains(edges: Sequence[Edge], snap: float) -> list[list[Edge]]:
    """Edges (by position) cut where two neighbours are more than ``snap`` apart: no edge
    snaps onto one in another chain."""
    chains: list[list[Edge]] = []
    for edge in edges:
        if chains and _position(edge) - _position(chains[-1][-1]) <= snap:
            chains[-1].append(edge)
        else:
            chains.append([edge])
    return chains


def _side_by_side(chain: Sequence[Edge], snap: float, reach: float) -> list[list[Edge]]:
    """The chain's edges in groups, two edges in one group when they are within ``snap``
    across and their extents within ``reach`` along (a union-find over a sweep along)."""
    order = sorted(chain, key=lambda e: _extent(e)[0])
    parent = list(range(len(order)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    active: list[int] = []
    for i, edge in enumerate(order):
        low = _extent(edge)[0]
        active = [j for j in active if _extent(order[j])[1] + reach >= low]
        for j in active:
            if abs(_position(order[j]) - _position(edge)) <= snap:
                parent[root(j)] = root(i)
        active.append(i)
    groups: dict[int, list[Edge]] = {}
    for i, edge in enumerate(order):
        groups.setdefault(root(i), []).append(edge)
    return list(groups.values())


def _moved_to_mean(group: Sequence[Edge]) -> list[Edge]:
    if len(group) == 1:
        return list(group)
    mean = sum(_position(e) for e in group) / len(group)
    if group[0].orientation == "h":
        return [Edge("h", e.x0, mean, e.x1, mean) for e in group]
    return [Edge("v", mean, e.top, mean, e.bottom) for e in group]
