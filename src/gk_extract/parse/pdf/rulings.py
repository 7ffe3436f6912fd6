"""The visible straight lines of a PDF page, as edges, read with pypdfium2.

Stroked segments become edges; filled axis-aligned rectangles become one edge when thin (Word
prints borders that way) or their four sides when thick (shaded cells). Anything painted
white draws nothing on paper and is skipped: WPS fills every text line and table cell white.
Objects are walked through PDFium's raw API (Form XObjects included, with their matrices);
points are mapped to display space by the caller's ``to_display``.
"""

from __future__ import annotations

import ctypes
import logging
import struct
from collections.abc import Callable
from itertools import pairwise
from typing import Any, NamedTuple

import pypdfium2.raw as pdfium_c

from gk_extract.parse.layout.geometry import BBox, Edge

logger = logging.getLogger(__name__)

# Path segments looked at per page: a ruled 25x16 table has ~1,000. A page past this limit is
# a vector drawing (a map, a chart); its rulings are not a table we could read anyway.
MAX_PATH_SEGMENTS = 20_000
# Form XObjects nest; WPS and Word never go deeper than 2. Deeper nesting is ignored.
MAX_FORM_DEPTH = 4
# A segment whose ends differ by at most this much across its direction is axis-aligned.
AXIS_TOLERANCE_PT = 0.5
# A filled rectangle at most this thick is a drawn ruling (Word prints borders as 0.5-1.5 pt
# filled rectangles); a thicker one is a shaded area, which contributes its four sides.
RULE_MAX_THICKNESS_PT = 2.0
# Fill or stroke colour channels at or above this are white on paper: WPS fills every text
# line and every table cell with white rectangles that draw nothing visible.
WHITE_MIN = 250

ToDisplay = Callable[[float, float], tuple[float, float]]
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class _Point(NamedTuple):
    x: float
    y: float


class _OutParams:
    """PDFium's out-parameters, made once per page and reused for every path: a page has
    hundreds of paths, and making the ctypes objects cost more than the calls filling them."""

    def __init__(self) -> None:
        self.matrix = pdfium_c.FS_MATRIX()
        self.fill_mode, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.rgba = tuple(ctypes.c_uint() for _ in range(4))
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.bounds = tuple(ctypes.c_float() for _ in range(4))


# FS_MATRIX: six C floats, read as Python floats exactly as ctypes' fields read them.
_MATRIX = struct.Struct("=6f")


class Drawing(NamedTuple):
    """What a page draws besides its text."""

    edges: list[Edge]  # visible straight rulings
    images: list[BBox]  # the box of each image object
    curves: int  # visible curved segments: glyphs drawn as outlines draw thousands
    texts: int  # text objects
    invisible_texts: int  # of those, drawn invisibly (render mode 3: a scan's OCR layer)
    warnings: list[str]


def read_rulings(page: Any, to_display: ToDisplay, number: int) -> Drawing:
    """Visible straight rulings as pdfplumber edges, the box of each image object, how many
    curves are drawn, and how many text objects, invisible ones apart.

    Walks the raw object list (and Form XObjects) without pypdfium2's wrappers: a text-heavy
    page has one object per glyph run, and wrapping each cost more than reading the paths.
    """
    walk = _PathWalk(to_display)
    count = pdfium_c.FPDFPage_CountObjects(page)
    walk.objects([pdfium_c.FPDFPage_GetObject(page, i) for i in range(max(count, 0))],
                 None, depth=0)
    if walk.budget < 0:
        walk.warnings.append(f"page {number}: more than {MAX_PATH_SEGMENTS} path segments; "
                             "rulings beyond them ignored")
    return Drawing(walk.edges, walk.images, walk.curves, walk.texts, walk.invisible_texts,
                   walk.warnings)


class _PathWalk:
    def __init__(self, to_display: ToDisplay) -> None:
        self.to_display = to_display
        self.edges: list[Edge] = []
        self.warnings: list[str] = []
        self.images: list[BBox] = []
        self.curves = self.texts = self.invisible_texts = 0
        self.budget = MAX_PATH_SEGMENTS
        self.out = _OutParams()

    def objects(self, objs: list[Any], outer: Matrix | None, depth: int) -> None:
        for obj in objs:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                self.texts += 1
                self.invisible_texts += pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == \
                    pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                self.images.append(self._box(obj, outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH and self.budget >= 0:
                self._path(obj, outer)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth + 1 < MAX_FORM_DEPTH:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                children = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(max(count, 0))]
                self.objects(children, _compose(_matrix(obj, self.out), outer), depth + 1)

    def _box(self, obj: Any, outer: Matrix | None) -> BBox:
        """An object's bounds on the page's display (of a Form XObject's child: through
        the forms' matrices); an empty box when PDFium cannot say."""
        left, bottom, right, top = self.out.bounds
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            return (0.0, 0.0, 0.0, 0.0)
        corners = [(x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
        if outer is not None:
            a, b, c, d, e, f = outer
            corners = [(x * a + y * c + e, x * b + y * d + f) for x, y in corners]
        points = [self.to_display(x, y) for x, y in corners]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return (min(xs), min(ys), max(xs), max(ys))

    def _path(self, obj: Any, outer: Matrix | None) -> None:
        n_segments = pdfium_c.FPDFPath_CountSegments(obj)
        self.budget -= max(n_segments, 0)
        if self.budget < 0:
            return
        fill, stroke = _visible_paint(obj, self.out)
        if fill or stroke:  # the matrix only of what shows: WPS paints most paths white
            matrix = _compose(_matrix(obj, self.out), outer)
            subpaths = _subpaths(obj, n_segments, matrix, self.to_display, self.out)
            self.curves += sum(point is None for points in subpaths for point in points)
            self.edges.extend(_path_edges(subpaths, (fill, stroke)))


def _matrix(raw: Any, out: _OutParams) -> Matrix:
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, out.matrix):
        return _IDENTITY
    a, b, c, d, e, f = _MATRIX.unpack_from(out.matrix)
    return (a, b, c, d, e, f)


def _compose(inner: Matrix, outer: Matrix | None) -> Matrix:
    """inner then outer, in PDF's row-vector convention."""
    if outer is None:
        return inner
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _path_edges(subpaths: list[list[_Point | None]], paint: tuple[bool, bool]) -> list[Edge]:
    """The rulings a visible path draws; ``paint``: whether it is filled, stroked."""
    fill, stroke = paint
    edges: list[Edge] = []
    for points in subpaths:
        if stroke:
            edges.extend(_segment_edges(points))
        elif fill:
            edges.extend(_filled_rect_edges(points))
    return edges


def _visible_paint(raw: Any, out: _OutParams) -> tuple[bool, bool]:
    """Whether the path is filled and/or stroked with a colour that shows on white paper."""
    fill_mode, stroke = out.fill_mode, out.stroke
    if not pdfium_c.FPDFPath_GetDrawMode(raw, fill_mode, stroke):
        return False, False
    r, g, b, a = out.rgba
    fill = bool(fill_mode.value) and bool(pdfium_c.FPDFPageObj_GetFillColor(raw, r, g, b, a))
    fill = fill and a.value > 0 and min(r.value, g.value, b.value) < WHITE_MIN
    visible_stroke = bool(stroke.value) and bool(pdfium_c.FPDFPageObj_GetStrokeColor(raw, r, g, b, a))
    visible_stroke = visible_stroke and a.value > 0 and min(r.value, g.value, b.value) < WHITE_MIN
    return fill, visible_stroke


def _subpaths(raw: Any, n_segments: int, matrix: Matrix, to_display: ToDisplay,
              out: _OutParams) -> list[list[_Point | None]]:
    """Each subpath as display-space points; None marks a curve (which breaks straightness)."""
    a, b, c, d, e, f = matrix
    x, y = out.x, out.y
    paths: list[list[_Point | None]] = []
    current: list[_Point | None] = []
    for k in range(n_segments):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, k)
        if not segment or not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        point = _Point(*to_display(a * x.value + c * y.value + e, b * x.value + d * y.value + f))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            current = [point]
            paths.append(current)
            continue
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            current.append(None)
        current.append(point)
        # Closing returns to the start, unless the last segment already drew back to it
        # (Chromium writes both: a rectangle then has five corners, not six).
        if pdfium_c.FPDFPathSegment_GetClose(segment) and current and current[0] is not None \
                and current[-1] != current[0]:
            current.append(current[0])
    return paths


def _segment_edges(points: list[_Point | None]) -> list[Edge]:
    edges = []
    for p, q in pairwise(points):
        if p is not None and q is not None:
            edge = _edge(p, q)
            if edge is not None:
                edges.append(edge)
    return edges


def _filled_rect_edges(points: list[_Point | None]) -> list[Edge]:
    """A filled axis-aligned rectangle: a ruling when thin, its four sides when not.

    A thin four-cornered shape is a ruling whatever its corners: browsers draw a 3-D
    (``outset``/``inset``) border side as a trapezoid mitred at both ends.
    """
    corners = [p for p in points if p is not None]
    if len(corners) != len(points) or not 4 <= len(corners) <= 5:
        return []
    x0, x1 = min(p.x for p in corners), max(p.x for p in corners)
    top, bottom = min(p.y for p in corners), max(p.y for p in corners)
    if x1 - x0 <= RULE_MAX_THICKNESS_PT and bottom - top > x1 - x0:
        mid = (x0 + x1) / 2
        return _edges_of((_Point(mid, top), _Point(mid, bottom)))
    if bottom - top <= RULE_MAX_THICKNESS_PT and x1 - x0 > bottom - top:
        mid = (top + bottom) / 2
        return _edges_of((_Point(x0, mid), _Point(x1, mid)))
    if not all(_near(p.x, x0, x1) and _near(p.y, top, bottom) for p in corners):
        return []  # not an axis-aligned rectangle
    sides = ((x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom), (x1, top, x1, bottom))
    return _edges_of(*((_Point(p, q), _Point(r, s)) for p, q, r, s in sides))


def _near(value: float, low: float, high: float) -> bool:
    return abs(value - low) <= AXIS_TOLERANCE_PT or abs(value - high) <= AXIS_TOLERANCE_PT


def _edges_of(*pairs: tuple[_Point, _Point]) -> list[Edge]:
    return [e for e in (_edge(p, q) for p, q in pairs) if e is not None]


def _edge(p: _Point, q: _Point) -> Edge | None:
    """A pdfplumber edge for a horizontal or vertical segment; None for slanted ones."""
    if abs(p.y - q.y) <= AXIS_TOLERANCE_PT and abs(p.x - q.x) > AXIS_TOLERANCE_PT:
        return Edge.horizontal(min(p.x, q.x), max(p.x, q.x), (p.y + q.y) / 2)
    if abs(p.x - q.x) <= AXIS_TOLERANCE_PT and abs(p.y - q.y) > AXIS_TOLERANCE_PT:
        return Edge.vertical((p.x + q.x) / 2, min(p.y, q.y), max(p.y, q.y))
    return None
