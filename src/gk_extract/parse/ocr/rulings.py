"""A page image's skew and its table rulings, as edges in PDF points.

Deskew: the angle (within +-MAX_SKEW_DEG) that makes the ink's row profile sharpest, i.e.
maximises the variance of the row sums of a downscaled binary image; text lines and long
horizontal rulings both line up when the page is straight. Searched coarse, then fine.

Rulings: a morphological opening of the binary image with a long thin kernel keeps only
horizontal (or vertical) runs of ink; each connected run becomes one edge. The edges are
handed to ``layout.tables.ruled_regions``, so scanned tables go through exactly the grid
building of text PDFs.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from gk_extract.parse.layout.geometry import Edge, merge_edges

logger = logging.getLogger(__name__)

# Scans in the wild are skewed by up to ~3 degrees; 5 covers them with room to spare.
MAX_SKEW_DEG = 5.0
COARSE_STEP_DEG = 0.5
FINE_STEP_DEG = 0.05
# Below this the page is left alone: 0.05 degrees moves a ruling < 1 px across an A4 page.
MIN_SKEW_DEG = 0.05
# The profile search runs on the page scaled to this width: enough resolution for 0.05
# degree steps (1/1000 rad x 600 px = 0.5 px), ~40x cheaper than the full image.
SKEW_WORK_WIDTH = 600
# Dark ink: pixels this much darker than the local mean (11-px blocks) are ink. 15 keeps
# faint grey rulings (value ~170 on white) and rejects JPEG ringing and paper noise.
INK_OFFSET = 15
INK_BLOCK_PX = 31
# Opening kernels, in points: a ruling is a run of ink at least this long. Table rows are
# >= 15 pt high and columns >= 25 pt wide; CJK strokes of body text are < 11 pt, but a
# 22-pt title's strokes reach ~18 pt, so runs are also required to reach MIN_RULE_PT.
KERNEL_H_PT = 14.0
KERNEL_V_PT = 10.0
MIN_RULE_H_PT = 20.0
MIN_RULE_V_PT = 12.0
# A ruling is thin: a run of ink thicker than this (a filled block, a stamp) is no ruling,
# unless lines STACK_CONTRAST grey levels lighter than the band's darkest on both sides cut
# it into thin ones (rulings stacked a pixel or two apart, joined by blur: see _stacked).
MAX_RULE_THICKNESS_PT = 4.0
STACK_CONTRAST = 8
# A table ruling crosses at least two perpendicular ones (T, L and + joints) and is cut to
# its first and last crossing; a stroke of a large glyph (a 16-pt heading's 丨 is ~14 pt),
# or a glyph stroke blurred into the ruling above it, meets one at most. Stray strokes
# would also chain pdfplumber's 3-pt snapping of column edges (77, 80 ... 104 pt snapped to
# one mean). Rulings cross within this distance: ruling thickness plus blur.
TOUCH_TOLERANCE_PT = 2.5
# ...plus this many pixels: at 100 dpi a blurred JPEG crossing is 4-5 px thick, and a
# ruling's run ends at the far side of it (3 pt past the centre line at 104 dpi).
TOUCH_TOLERANCE_PX = 4
# Dropping a stray vertical can leave a horizontal with one crossing, and back; two passes settle it on
# every fixture (a third changed nothing).
ANCHOR_PASSES = 2
# Pieces of one ruling broken by noise or by a glyph touching it (up to JOIN_GAP_PT apart,
# on one line within COLLINEAR_PT) are joined before crossings are counted: a piece that
# ends inside a cell crosses only one ruling and would be dropped. 8 pt is below the
# narrowest column (25 pt), so distinct rulings are never joined.
COLLINEAR_PT = 1.5
JOIN_GAP_PT = 8.0
# A stretch is ruled when ink lies within RULING_BAND_PT of its line (ruling thickness,
# blur and the 1-px error of a deskew) LINE_CONTRAST darker than the paper within
# PAPER_BAND_PT, on RULED_SHARE of its length with no gap over MAX_RULING_GAP_PT; glyphs
# crossing the line leave gaps of 1-3 pt between and inside them (see _is_ruled).
RULING_BAND_PT = 1.5
PAPER_BAND_PT = 6.0
LINE_CONTRAST = 30
RULED_SHARE = 0.95
MAX_RULING_GAP_PT = 1.0
# Broken rulings (faint scans, dashed borders) are bridged over gaps up to this length.
BRIDGE_GAP_PT = 3.0
# A table's outer border can be missing: cut off with the image's edge (a table printed
# wider than its page, a screenshot cropped at the table), or never drawn (tables whose
# outer borders were removed). Its row rulings then run on past their last crossing, by at
# least a cell's width; OPEN_END_PT is below the narrowest column (a 1-digit column,
# ~18 pt) and far above a ruling's overshoot at a crossing (its thickness plus blur).
OPEN_END_PT = 10.0
# ...and only toward the image's edge: an open end lies within OPEN_EDGE_SHARE of the
# image's width (or height) from it, in the page's margin or beyond (Word's margins are 72-90
# pt of an A4 page's 595 x 842). Inside a table, rulings run past a crossing only where
# another ruling was lost, and drawing a border there would cut merged cells apart. A
# column ruling's open end at the top or bottom is kept (:func:`_trimmed`), not closed here.
OPEN_EDGE_SHARE = 0.12


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The image rotated straight (white fill) and the angle it was turned by, in degrees."""
    angle = estimate_skew(gray)
    if abs(angle) < MIN_SKEW_DEG:
        return gray, 0.0
    h, w = gray.shape
    straight = cv2.warpAffine(gray, skew_matrix(w, h, angle), (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return straight, angle


def skew_matrix(width: int, height: int, angle: float) -> np.ndarray:
    """The 2 x 3 matrix :func:`deskew` turns a ``width`` x ``height`` image by: pixel
    centres of the image -> those of the straight one."""
    return np.asarray(cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0))


def estimate_skew(gray: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive as cv2 takes it) that straightens."""
    scale = min(1.0, SKEW_WORK_WIDTH / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = (small < _otsu(small)).astype(np.float32)
    best = _best_angle(ink, np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, COARSE_STEP_DEG))
    fine = np.arange(best - COARSE_STEP_DEG, best + COARSE_STEP_DEG + 1e-9, FINE_STEP_DEG)
    return round(_best_angle(ink, fine), 3)


def _otsu(gray: np.ndarray) -> float:
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(threshold)


def _best_angle(ink: np.ndarray, angles: np.ndarray) -> float:
    h, w = ink.shape
    scores = []
    for angle in angles:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        turned = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_LINEAR)
        scores.append(float(np.var(turned.sum(axis=1))))
    return float(angles[int(np.argmax(scores))])


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary mask (uint8 0/255) of ink, robust to uneven lighting and faint lines."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 INK_BLOCK_PX, INK_OFFSET)


def find_rulings(gray: np.ndarray, pt_per_px: float) -> list[Edge]:
    """Horizontal and vertical rulings of a straight page image, as edges in points."""
    mask = ink_mask(gray)
    edges = _runs(mask, gray, True, pt_per_px) + _runs(mask, gray, False, pt_per_px)
    edges = merge_edges(edges, COLLINEAR_PT, JOIN_GAP_PT)
    tol = TOUCH_TOLERANCE_PT + TOUCH_TOLERANCE_PX * pt_per_px
    edges = _closed(edges, tol, gray.shape[1] * pt_per_px)
    # a piece of a faint ruling that crosses one ruling only (the rest of it lost beside
    # dense text) is carried on where the image shows it, before trimming drops it
    edges = [_extended(e, edges, gray, pt_per_px, tol) if len(_crossings(e, edges, tol)) == 1
             else e for e in edges]
    for _ in range(ANCHOR_PASSES):
        edges = [t for t in (_trimmed(e, edges, tol, gray.shape[0] * pt_per_px) for e in edges)
                 if t is not None]
    for _ in range(ANCHOR_PASSES):
        edges = [_extended(e, edges, gray, pt_per_px, tol) for e in edges]
    return edges


def _extended(edge: Edge, edges: list[Edge], gray: np.ndarray, k: float, tol: float) -> Edge:
    """The ruling carried on to the farthest perpendicular ruling it reaches on the image.

    Thresholding loses stretches of faint rulings, most often beside dense text, whose ink
    darkens the local mean: a row of a label column loses its lower border while the data
    columns keep theirs, and two labels fall into one cell. Each perpendicular ruling
    beyond an end, crossing the ruling's line, is a candidate end; the stretch up to it is
    taken when the image shows a ruling all along it (:func:`_is_ruled`).
    """
    horizontal = edge.orientation == "h"
    at = edge.top if horizontal else edge.x0
    lo, hi = (edge.x0, edge.x1) if horizontal else (edge.top, edge.bottom)
    stops = sorted((o.x0 if horizontal else o.top) for o in edges
                   if o.orientation != edge.orientation and (
                       o.top - tol <= at <= o.bottom + tol if horizontal
                       else o.x0 - tol <= at <= o.x1 + tol))
    for stop in sorted((s for s in stops if s < lo - tol), reverse=True):
        if not _is_ruled(gray, horizontal, at, stop, lo, k):
            break
        lo = stop
    for stop in (s for s in stops if s > hi + tol):
        if not _is_ruled(gray, horizontal, at, hi, stop, k):
            break
        hi = stop
    return edge.spanning(lo, hi)


def _is_ruled(gray: np.ndarray, horizontal: bool, at: float, start: float, end: float,
              k: float) -> bool:
    """Whether a ruling runs along ``at`` from ``start`` to ``end`` (points): every pixel
    step of the stretch has ink within RULING_BAND_PT of the line that is LINE_CONTRAST
    darker than the brightest pixel within PAPER_BAND_PT, with no gap longer than
    MAX_RULING_GAP_PT. Text crossing the line has gaps between and inside its glyphs."""
    px = 1.0 / k
    c, a, b = round(at * px), int(start * px), int(np.ceil(end * px))
    band, paper = max(int(RULING_BAND_PT * px), 1), max(int(PAPER_BAND_PT * px), 3)
    if horizontal:
        near = gray[max(c - band, 0):c + band + 1, a:b]
        wide = gray[max(c - paper, 0):c + paper + 1, a:b]
        darkest, brightest = near.min(axis=0, initial=255), wide.max(axis=0, initial=0)
    else:
        near = gray[a:b, max(c - band, 0):c + band + 1]
        wide = gray[a:b, max(c - paper, 0):c + paper + 1]
        darkest, brightest = near.min(axis=1, initial=255), wide.max(axis=1, initial=0)
    if darkest.size == 0:
        return False
    dark = (brightest.astype(np.int16) - darkest) >= LINE_CONTRAST
    gaps = np.diff(np.flatnonzero(np.concatenate(([True], dark, [True]))))
    return bool(dark.mean() >= RULED_SHARE and gaps.max() - 1 <= MAX_RULING_GAP_PT * px)


def _closed(edges: list[Edge], tol: float, width: float) -> list[Edge]:
    """The rulings with each table's missing left or right border drawn in.

    Row rulings that run on past their last (or first) crossing by OPEN_END_PT or more into
    the image's side margin (OPEN_EDGE_SHARE of ``width``), in rows a column ruling joins
    (the rows of one table), are carried to the farthest such end and closed there by a
    border; without it, trimming to the crossings (:func:`_trimmed`) would lose the outer
    column, its glyphs read as loose text."""
    verticals = [e for e in edges if e.orientation == "v"]
    margin = OPEN_EDGE_SHARE * width
    out = list(edges)
    for right in (True, False):
        open_ = sorted((h for h in out if h.orientation == "h" and _open_end(h, verticals, tol, right)
                        and (h.x1 >= width - margin if right else h.x0 <= margin)),
                       key=lambda h: h.top)
        groups: list[list[Edge]] = []
        for h in open_:
            if groups and any(_crosses(groups[-1][-1], v, tol) and _crosses(h, v, tol)
                              for v in verticals):
                groups[-1].append(h)
            else:
                groups.append([h])
        for group in (g for g in groups if len(g) >= 2):
            at = max(h.x1 for h in group) if right else min(h.x0 for h in group)
            for h in group:
                out[out.index(h)] = h.spanning(h.x0, at) if right else h.spanning(at, h.x1)
            out.append(Edge.vertical(at, group[0].top, group[-1].top))
            logger.debug("table border drawn in at x %.1f, %.1f-%.1f pt", at, group[0].top,
                         group[-1].top)
    return out


def _open_end(h: Edge, verticals: list[Edge], tol: float, right: bool) -> bool:
    """Whether the row ruling crosses two column rulings or more and runs on past the last
    (``right``) or the first by OPEN_END_PT."""
    at = [v.x0 for v in verticals if _crosses(h, v, tol)]
    if len(at) < 2:
        return False
    return h.x1 - max(at) >= OPEN_END_PT if right else min(at) - h.x0 >= OPEN_END_PT


def _trimmed(edge: Edge, edges: list[Edge], tol: float, height: float) -> Edge | None:
    """The ruling cut to its first and last crossing with perpendicular rulings (a run can
    overshoot into a heading's strokes below a table); None when it crosses fewer than two.

    A column ruling running on into the page's top or bottom margin (OPEN_EDGE_SHARE of
    ``height``) keeps that end: it is a table cut by a page break, the ruling at the cut
    drawn on the other page only, whose row the page layout closes
    (``layout.tables.close_open_ends``), as it does for a text PDF's."""
    at = _crossings(edge, edges, tol)
    if len(at) < 2:
        return None
    if edge.orientation == "v":
        top, bottom = min(at), max(at)
        margin = OPEN_EDGE_SHARE * height
        if edge.top <= margin and top - edge.top >= OPEN_END_PT:
            top = edge.top
        if edge.bottom >= height - margin and edge.bottom - bottom >= OPEN_END_PT:
            bottom = edge.bottom
        return edge.spanning(top, bottom)
    return edge.spanning(min(at), max(at))


def _crossings(edge: Edge, edges: list[Edge], tol: float) -> list[float]:
    """Where the ruling crosses perpendicular rulings: their y for a column ruling, their
    x for a row ruling."""
    if edge.orientation == "v":
        return [o.top for o in edges if o.orientation == "h" and _crosses(o, edge, tol)]
    return [o.x0 for o in edges if o.orientation == "v" and _crosses(edge, o, tol)]


def _crosses(h: Edge, v: Edge, tol: float) -> bool:
    return bool(h.x0 - tol <= v.x0 <= h.x1 + tol
                and v.top - tol <= h.top <= v.bottom + tol)


def _runs(mask: np.ndarray, gray: np.ndarray, horizontal: bool, pt_per_px: float) -> list[Edge]:
    """Long thin runs of ink in one direction, each as an edge."""
    px = 1.0 / pt_per_px
    length = max(int((KERNEL_H_PT if horizontal else KERNEL_V_PT) * px), 3)
    bridge = max(int(BRIDGE_GAP_PT * px), 1)
    shape = (length, 1) if horizontal else (1, length)
    lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    close = (bridge, 1) if horizontal else (1, bridge)
    lines = cv2.morphologyEx(lines, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, close))
    count, labels, stats, centres = cv2.connectedComponentsWithStats(lines, connectivity=8)
    edges: list[Edge | None] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i][:5])
        if area / (w if horizontal else h) * pt_per_px <= MAX_RULE_THICKNESS_PT:
            edges.append(_edge(stats[i], centres[i], horizontal, pt_per_px))
        else:
            edges.extend(_stacked(labels[y:y + h, x:x + w] == i, gray[y:y + h, x:x + w], x, y,
                                  horizontal, pt_per_px))
    return [e for e in edges if e is not None]


def _stacked(run: np.ndarray, gray: np.ndarray, x: int, y: int, horizontal: bool,
             k: float) -> list[Edge | None]:
    """A run of ink too thick for one ruling, as the rulings stacked in it: a row's border,
    a table's outer border and the border of a table set right under it, a pixel or two
    apart, which blur joins into one band. The band is cut along its lines whose ink is at
    least STACK_CONTRAST lighter than a darker line's on each side of them; a filled block
    (a bar, a stamp) is as dark all through and stays whole, and too thick."""
    along, shade = (run, gray) if horizontal else (run.T, gray.T)
    counts = along.sum(axis=1)
    profile = np.where(counts > 0, (shade * along).sum(axis=1) / np.maximum(counts, 1), 255.0)
    kept = [i for i in range(len(profile)) if not (
        0 < i < len(profile) - 1 and profile[i] >= profile[:i].min() + STACK_CONTRAST
        and profile[i] >= profile[i + 1:].min() + STACK_CONTRAST)]
    edges: list[Edge | None] = []
    for rows in np.split(np.asarray(kept), np.flatnonzero(np.diff(kept) > 1) + 1):
        part = along[rows[0]:rows[-1] + 1]
        cols = np.flatnonzero(part.any(axis=0))
        if not len(cols):
            continue
        first, width, start = int(cols[0]), int(cols[-1] - cols[0] + 1), int(rows[0])
        centre = start + float(np.nonzero(part)[0].mean())
        area, thick = int(part.sum()), len(rows)
        if horizontal:
            stats = (x + first, y + start, width, thick, area)
            middle = (x + first + width / 2, y + centre)
        else:
            stats = (x + start, y + first, thick, width, area)
            middle = (x + centre, y + first + width / 2)
        edges.append(_edge(np.asarray(stats), np.asarray(middle), horizontal, k))
    return edges


def _edge(stats: np.ndarray, centre: np.ndarray, horizontal: bool, k: float) -> Edge | None:
    """One run of ink as an edge on its centre line. Its thickness is its mean one (area
    over length): a glyph stem touching a ruling joins the ruling's component and widens
    its box, not its mean, and a filled block stays thick either way."""
    x, y, w, h, area = (float(v) for v in stats[:5])
    long_ = w if horizontal else h
    if area / long_ * k > MAX_RULE_THICKNESS_PT:
        return None
    if long_ * k < (MIN_RULE_H_PT if horizontal else MIN_RULE_V_PT):
        return None
    if horizontal:
        mid = float(centre[1]) * k
        return Edge.horizontal(x * k, (x + w) * k, mid)
    mid = float(centre[0]) * k
    return Edge.vertical(mid, y * k, (y + h) * k)
