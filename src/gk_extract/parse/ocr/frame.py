"""Where a point of a page read by OCR lies on its source: the PDF page or the image file.

OCR lays a page out in points of the image it read, deskewed and turned upright
(``ocr/page.py``: pixel * 72 / dpi). A cell's box (``Cell.bbox``) is wanted on the source
instead: in PDF points of the page as PDFium renders it for a PDF, in pixels of the image
file as stored for an image. Each step between the two is an affine map, so they compose
into one, :data:`Affine`, which the page keeps (``OcrPage.to_source``):

* the pixels read -> the source: the rendering scale of a PDF page, the placement of a
  scanned page's own image on it, or an image's EXIF orientation undone;
* deskew (``ocr/rulings.py`` ``skew_matrix``), a small rotation about the image's centre;
* the turn upright (``ocr/upright.py``), a quarter turn or a half turn, clockwise.

Turns and scales map boxes onto boxes exactly. Deskewing does not: a box of the straightened
page is a slightly turned box on the source, and its box there is the box around that
(:func:`map_box`), a few pixels larger than the cell at an angle of a degree or two.

Pixel coordinates: OpenCV's rotation and OCR's rulings put a pixel's centre at its index
(a one-pixel ruling in row 7 lies at y = 7), the source at the pixel's top-left corner (the
ruling covers 7 to 8); the half pixel between is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from gk_extract.parse.layout.geometry import BBox

Affine = tuple[float, float, float, float, float, float]
"""(a, b, c, d, e, f): x' = a x + b y + c, y' = d x + e y + f (OpenCV's 2 x 3 matrix)."""

IDENTITY: Affine = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
# From a pixel's index (its centre) to its top-left corner, and back.
_CENTRE_TO_CORNER: Affine = (1.0, 0.0, 0.5, 0.0, 1.0, 0.5)
_CORNER_TO_CENTRE: Affine = (1.0, 0.0, -0.5, 0.0, 1.0, -0.5)


def compose(*maps: Affine) -> Affine:
    """The maps applied right to left: ``compose(f, g)(p) == f(g(p))``."""
    a, b, c, d, e, f = IDENTITY
    for m in maps:
        ma, mb, mc, md, me, mf = m
        a, b, c, d, e, f = (a * ma + b * md, a * mb + b * me, a * mc + b * mf + c,
                            d * ma + e * md, d * mb + e * me, d * mc + e * mf + f)
    return a, b, c, d, e, f


def inverse(m: Affine) -> Affine:
    a, b, c, d, e, f = m
    det = a * e - b * d
    ia, ib, id_, ie = e / det, -b / det, -d / det, a / det
    return ia, ib, -(ia * c + ib * f), id_, ie, -(id_ * c + ie * f)


def scale(sx: float, sy: float) -> Affine:
    return (sx, 0.0, 0.0, 0.0, sy, 0.0)


def translate(dx: float, dy: float) -> Affine:
    return (1.0, 0.0, dx, 0.0, 1.0, dy)


def point(m: Affine, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + b * y + c, d * x + e * y + f


def map_box(m: Affine, box: BBox) -> BBox:
    """The box around the image of ``box`` (exactly its image under turns and scales)."""
    x0, top, x1, bottom = box
    corners = [point(m, x, y) for x in (x0, x1) for y in (top, bottom)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def centred(m: Affine) -> Affine:
    """A map of pixel centres (OpenCV's) as a map of pixel corners."""
    return compose(_CENTRE_TO_CORNER, m, _CORNER_TO_CENTRE)


def quarter_turns(width: float, height: float, degrees: int) -> Affine:
    """What ``np.rot90(image, -degrees // 90)`` does to the points of a ``width`` x
    ``height`` image: it turns it clockwise by ``degrees`` (0, 90, 180 or 270)."""
    turns = {0: IDENTITY,
             90: (0.0, -1.0, height, 1.0, 0.0, 0.0),
             180: (-1.0, 0.0, width, 0.0, -1.0, height),
             270: (0.0, 1.0, 0.0, -1.0, 0.0, width)}
    return turns[degrees % 360]


def straight_to_source(size: tuple[int, int], skew: Iterable[float] | None, turned: int,
                       k: float, source: Affine) -> Affine:
    """From the points of a straightened page (OCR's layout, ``pixel centre * k``) to the
    source's units: ``size`` (width, height) of the image read, ``skew`` the 2 x 3 matrix
    deskewing turned it by (None when it was left alone), ``turned`` the clockwise turn
    upright gave it, ``source`` from that image's pixels to the source's units."""
    width, height = size
    forward = compose(
        scale(k, k), _CORNER_TO_CENTRE, quarter_turns(width, height, turned),
        centred(_affine(skew)) if skew is not None else IDENTITY)
    return compose(source, inverse(forward))


def _affine(matrix: Iterable[float]) -> Affine:
    a, b, c, d, e, f = (float(v) for v in matrix)
    return a, b, c, d, e, f


def exif_turn(orientation: int, width: int, height: int) -> Affine:
    """What Pillow's ``ImageOps.exif_transpose`` does to the points of a ``width`` x
    ``height`` image stored with EXIF ``orientation`` (1-8): stored -> shown."""
    w, h = float(width), float(height)
    turns: dict[int, Affine] = {
        2: (-1.0, 0.0, w, 0.0, 1.0, 0.0),  # mirrored left to right
        3: (-1.0, 0.0, w, 0.0, -1.0, h),  # upside down
        4: (1.0, 0.0, 0.0, 0.0, -1.0, h),  # mirrored top to bottom
        5: (0.0, 1.0, 0.0, 1.0, 0.0, 0.0),  # transposed
        6: (0.0, -1.0, h, 1.0, 0.0, 0.0),  # turned clockwise
        7: (0.0, -1.0, h, -1.0, 0.0, w),  # transversed
        8: (0.0, 1.0, 0.0, -1.0, 0.0, w),  # turned counter-clockwise
    }
    return turns.get(orientation, IDENTITY)
