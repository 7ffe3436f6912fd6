"""Scans and pictures -> :class:`~gk_extract.models.Document`, through OCR.

Three ways in, one way through (``ocr/page.py`` ``read_page_image`` per page, then the
assembly every PDF gets, ``layout/assembly.py``: page furniture dropped, reading order,
tables continued on the next page joined, paragraphs):

* :func:`parse_image`: a standalone image file (PNG, JPEG, TIFF with several frames ...);
* :func:`ocr_pdf_pages`: the pages of a PDF whose text layer is missing or unreadable,
  rendered with PDFium at RENDER_DPI;
* :func:`read_images`: pictured tables of an HTML report (``<img>``: data: URIs, files
  beside a local page, images a crawl stored with the page; nothing is fetched from the
  network) or of a Word document (its image parts).

Every table cell is ``method="ocr"`` with ``confidence`` = the mean score of its glyphs
(1.0 for an empty cell: nothing was read, and a blank printed cell is a confident blank),
and ``bbox`` = its box on the source (``ocr/frame.py``): PDF points of the page as PDFium
renders it, or pixels of the image file as stored (an HTML page's picture: of that picture).

References: ``p{page} ocr-para{n}``, ``p{page} ocr-table{t}`` and ``p{page} ocr-table{t}
r{row} c{col}``; for a picture ``page`` numbers the pictures' pages in reading order (one
per picture, or per band of a picture taller than a page).
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from gk_extract.errors import ParseError
from gk_extract.formats import Format
from gk_extract.models import BBox, Block, Cell, Document, Paragraph, Table
from gk_extract.parse._text import full_width_brackets
from gk_extract.parse.images import ImageSource, data_uri
from gk_extract.parse.layout import assembly
from gk_extract.parse.layout.geometry import outward
from gk_extract.parse.layout.tables import PartCell, TablePart, build_table, grid_lines, nearest
from gk_extract.parse.ocr.frame import (
    Affine,
    compose,
    exif_turn,
    inverse,
    map_box,
    scale,
    translate,
)
from gk_extract.parse.ocr.page import OcrPage, read_page_image

logger = logging.getLogger(__name__)

__all__ = ["assemble", "ocr_pdf_pages", "ocr_pdf_pictures", "parse_image", "read_images"]

# PDF pages are rendered at 150 dpi for OCR: PP-OCR reads 10.5-pt text reliably from ~16 px
# glyph height up and 150 dpi gives 22 px; the detector works on the page scaled to 1280 px
# anyway (ocr/engine.py DET_MAX_SIDE_PX). 200 dpi read hzq2024 and the generated scans no
# better and cost ~30 % more (rendering, deskew and ruling search on 1.8x the pixels).
RENDER_DPI = 150
# A page whose single image covers at least this share of it is a scan; its image is read
# at its own resolution (Pillow, scanners and printers place it edge to edge, 1.0).
FULL_PAGE_IMAGE_SHARE = 0.9
# An image without resolution metadata is taken to be an A4 portrait page scanned across its
# width (8.27 in), which is what report scans are; only em-relative rules depend on it.
A4_WIDTH_IN = 8.27
# A frame taller than this many times its width is not a page (A4 is 1.41, a long letter
# 1.65) but a full-page screenshot or a scroll: it is read in bands of BAND_RATIO its width,
# square so that the detector reads them unscaled up to DET_MAX_SIDE_PX (ocr/engine.py).
TALL_FRAME_RATIO = 1.8
BAND_RATIO = 1.0
# A band ends in its last BAND_SEARCH_FROM..1 of its height; the last band may run this
# much longer rather than leave a sliver.
BAND_SEARCH_FROM = 0.6
BAND_SLACK = 0.3
# Grey levels below INK_LEVEL are ink; a row with at most BLANK_ROW_INK ink pixels is blank
# (no text, no ruling: the side of a box may cross it). A row whose longest run of ink is
# MIN_RULING_PX or more is a horizontal ruling (a run of text is never so long), cut at when
# the rest of its ink is at most RULING_OTHER_INK (the sides of a dozen cells, no glyph);
# of those the lowest whose run is RULING_FILL of the longest (a whole table's, not a
# merged cell's part).
INK_LEVEL = 160
BLANK_ROW_INK = 2
MIN_RULING_PX = 120
RULING_OTHER_INK = 30
RULING_FILL = 0.9
# Screenshot chrome (_without_chrome): rows BAR_FILL inked over BAR_MIN_ROWS or more are a
# solid bar (a 1-3 px table ruling never is); a side column lies within SIDE_MAX_SHARE of
# an edge (gov sites' menus take 200-300 of 1280 px) and a gutter GUTTER_PX wide parts it.
BAR_FILL = 0.6
BAR_MIN_ROWS = 8
SIDE_MAX_SHARE = 0.3
GUTTER_PX = 16
# A ruling band ends this many rows under the ruling and the next starts as many above it.
RULING_OVERLAP_PX = 2
# The EXIF tag of an image's orientation (1 upright ... 8), which Pillow applies on reading.
EXIF_ORIENTATION = 0x0112
# Images smaller than this on either side hold no readable table (icons, spacer GIFs).
MIN_IMAGE_SIDE_PX = 200
# A picture on a text page is a table's when OCR finds a ruled table of this many cells in it.
MIN_PICTURE_TABLE_CELLS = 4
# A small picture is rendered at up to this resolution to be read as a whole page.
MAX_PICTURE_DPI = 400
# Pixels per image: a 600-dpi A3 scan is ~70 M; beyond this the file is hostile.
MAX_IMAGE_PIXELS = 80_000_000
# Frames read from a multi-page TIFF/GIF: reports are < 40 pages.
MAX_FRAMES = 60
# An empty table cell gets this confidence: nothing was read, so nothing was misread.
EMPTY_CELL_CONFIDENCE = 1.0
# A cell of a joined table is traced to its page cell within this distance in x: joining
# snaps column sides by up to layout/join.py COLUMN_MATCH_TOLERANCE_PT (3 pt) on each side.
TRACE_X_TOLERANCE_PT = 4.0


# --------------------------------------------------------------------------- ways in


def parse_image(data: bytes) -> Document:
    """An image file (one page per frame, a tall frame cut into bands) -> Document, via OCR."""
    bands = [band for frame in _frames(data) for band in _bands(*frame)]
    pages = [read_page_image(gray, dpi, i + 1, source) for i, (gray, dpi, source) in enumerate(bands)]
    if not pages:
        raise ParseError("image has no frame large enough to hold a page")
    return Document(format=Format.IMAGE, blocks=tuple(assemble(pages)), meta=_meta(pages), ocr=True,
                    ocr_pages=tuple(p.number for p in pages))


def ocr_pdf_pages(data: bytes, numbers: Sequence[int]) -> list[OcrPage]:
    """OCR the given 1-based pages of a PDF (rendered with PDFium)."""
    pdf = pdfium.PdfDocument(data)
    try:
        return [_read_page(pdf[n - 1], n) for n in numbers]
    finally:
        pdf.close()


def ocr_pdf_pictures(data: bytes, pictures: Sequence[tuple[int, BBox]]) -> list[OcrPage]:
    """OCR the pictures of a PDF's text pages (``Document.pictures``): each is cut from its
    page rendered at RENDER_DPI and read as a page of its own, numbered as its page. Those
    holding no ruled table (a photograph, a chart) are left out: their text is no report's."""
    pdf = pdfium.PdfDocument(data)
    pages = []
    try:
        for number, box in pictures:
            # rendered so that the picture is as many pixels wide as a page at RENDER_DPI,
            # and read as such a page: a page pasted in at half size reads as a page
            dpi = min(max(A4_WIDTH_IN * RENDER_DPI / ((box[2] - box[0]) / 72), RENDER_DPI),
                      MAX_PICTURE_DPI)
            px = dpi / 72
            page_object = pdf[number - 1]
            try:
                pixels = np.asarray(page_object.render(scale=px, grayscale=True)
                                    .to_pil().convert("L"))
            finally:
                page_object.close()
            left, top = max(int(box[0] * px), 0), max(int(box[1] * px), 0)
            crop = pixels[top:int(np.ceil(box[3] * px)), left:int(np.ceil(box[2] * px))]
            if min(crop.shape) < MIN_IMAGE_SIDE_PX:
                continue
            placed = compose(translate(left / px, top / px), scale(1 / px, 1 / px))
            page = read_page_image(crop, crop.shape[1] / A4_WIDTH_IN, number, placed)
            if holds_table(page):
                pages.append(page)
    finally:
        pdf.close()
    return pages


def holds_table(page: OcrPage) -> bool:
    """The page read from a picture holds a ruled table (not a photograph or a chart)."""
    return any(part.method == "ruled" and len(part.cells) >= MIN_PICTURE_TABLE_CELLS
               for part in page.parts)


def _read_page(page: Any, number: int) -> OcrPage:
    pixels, dpi, source = _page_pixels(page)
    return read_page_image(pixels, dpi, number, source)


def read_images(srcs: Sequence[str], images: ImageSource) -> tuple[list[OcrPage], list[str]]:
    """OCR'd pages of a document's pictures that can be read offline (data: URIs, and what
    ``images`` finds for the others), and warnings for the rest. A picture taller than a
    page (a screenshot of the whole report) is read in bands, as an image file is; the
    pages are numbered in reading order."""
    pages: list[OcrPage] = []
    warnings: list[str] = []
    for index, src in enumerate(srcs, start=1):
        payload, why = data_uri(src) if src.startswith("data:") else images(src)
        if payload is None:
            warnings.append(f"image {index} ({src[:60]}): {why}; not read")
            continue
        try:
            frames = list(_frames(payload))
        except ParseError as exc:
            warnings.append(f"image {index}: {exc}; not read")
            continue
        bands = [band for frame in frames[:1] for band in _bands(*frame)]
        pages += [read_page_image(gray, dpi, number, source)
                  for number, (gray, dpi, source) in enumerate(bands, start=len(pages) + 1)]
    return pages, warnings


def _page_pixels(page: Any) -> tuple[np.ndarray, float, Affine]:
    """A scanned page's own image at its own resolution when the page is one upright image
    covering it (no resampling blur on thin rulings); otherwise the page rendered. With the
    pixels, their resolution and where they lie on the page as PDFium renders it (points)."""
    import pypdfium2.raw as pdfium_c

    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
    width, height = page.get_size()
    if len(images) == 1 and page.get_rotation() == 0:
        x0, y0, x1, y1 = images[0].get_bounds()
        a, b, c, d, _, _ = images[0].get_matrix().get()
        covers = (x1 - x0) * (y1 - y0) >= FULL_PAGE_IMAGE_SHARE * width * height
        if covers and b == 0 and c == 0 and a > 0 and d > 0:
            try:
                pixels = np.asarray(images[0].get_bitmap(render=False).to_pil().convert("L"))
            except pdfium.PdfiumError:
                logger.debug("page image cannot be decoded alone; page rendered instead")
            else:
                left, _, _, top = page.get_bbox()
                rows, cols = pixels.shape[:2]
                placed = compose(translate(x0 - left, top - y1),
                                 scale((x1 - x0) / cols, (y1 - y0) / rows))
                return pixels, cols / ((x1 - x0) / 72), placed
    bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
    pixels = np.asarray(bitmap.to_pil().convert("L"))
    # pypdfium2 renders the page onto ceil(size * scale) pixels, a fraction more than scale
    return pixels, float(RENDER_DPI), scale(width / pixels.shape[1], height / pixels.shape[0])


def _frames(data: bytes) -> Iterator[tuple[np.ndarray, float, Affine]]:
    """Each frame of an image file as grayscale pixels turned as its EXIF orientation says,
    with its resolution in dpi and the map from its pixels back to the pixels as stored."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ParseError(f"image cannot be decoded: {exc}") from None
    width, height = image.size  # from the header: refused before a pixel is decoded
    if width * height > MAX_IMAGE_PIXELS:
        raise ParseError(f"image of {width}x{height} pixels is over the limit of "
                         f"{MAX_IMAGE_PIXELS:,} pixels")
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise ParseError(f"image cannot be decoded: {exc}") from None
    for index in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
        image.seek(index)
        turn = exif_turn(image.getexif().get(EXIF_ORIENTATION, 1), *image.size)
        frame = ImageOps.exif_transpose(image).convert("L")
        if min(frame.size) >= MIN_IMAGE_SIDE_PX:
            yield np.asarray(frame), _dpi(image, frame.size[0]), inverse(turn)


def _bands(gray: np.ndarray, dpi: float, source: Affine) -> Iterator[tuple[np.ndarray, float, Affine]]:
    """A frame taller than TALL_FRAME_RATIO of its width (a full-page screenshot of a web
    page, a scroll of pasted pages) as bands about BAND_RATIO of its width tall, each read as
    a page: the detector sees the whole frame scaled to DET_MAX_SIDE_PX on its long side,
    which leaves a 1280 x 9000 screenshot's text a few pixels high. A band ends at a blank
    row, else on a horizontal ruling (kept in both bands, so the table is closed on each
    side and joined as a table continued on the next page), else at the row with least ink."""
    height, width = gray.shape[:2]
    if height <= TALL_FRAME_RATIO * width:
        yield gray, dpi, source
        return
    gray = _without_chrome(gray)
    band = int(BAND_RATIO * width)
    ink = (gray < INK_LEVEL).sum(axis=1)
    top = 0
    while height - top > band * (1 + BAND_SLACK):
        end, start = _cut(gray, ink, top + int(band * BAND_SEARCH_FROM), top + band)
        yield gray[top:end], dpi, compose(source, translate(0.0, float(top)))
        top = start
    yield gray[top:], dpi, compose(source, translate(0.0, float(top)))


def _without_chrome(gray: np.ndarray) -> np.ndarray:
    """A web page's screenshot without its site chrome: the solid bars across it (banner,
    navigation bar: light text on a dark ground, which OCR reads as table rulings around
    words) and a side column of menus beside the article (its lines would be read into the
    article's lines at the same height). A side column is ink within SIDE_MAX_SHARE of one
    edge, apart from the rest by a blank gutter running down the whole page."""
    ink = gray < INK_LEVEL
    solid = np.zeros(gray.shape[0], dtype=bool)
    for run in _runs(np.flatnonzero(ink.mean(axis=1) >= BAR_FILL)):
        if run.size >= BAR_MIN_ROWS:
            solid[run[0]:run[-1] + 1] = True
    out = gray.copy()
    out[solid] = 255
    groups = _column_groups(ink[~solid])
    width, reach = gray.shape[1], SIDE_MAX_SHARE * gray.shape[1]
    # up to the next column's ink: the pale box a menu is drawn in (lighter than ink) goes too
    if len(groups) > 1 and groups[0][1] < reach < groups[-1][1]:
        out[~solid, :groups[1][0] - 1] = 255
        logger.debug("screenshot: side column at x %d-%d left out", *groups[0])
        groups = groups[1:]
    if len(groups) > 1 and groups[-1][0] > width - reach > groups[0][0]:
        out[~solid, groups[-2][1] + 2:] = 255
        logger.debug("screenshot: side column at x %d-%d left out", *groups[-1])
    return out


def _column_groups(ink: np.ndarray) -> list[tuple[int, int]]:
    """The x ranges holding ink, apart where a gutter at least GUTTER_PX wide is blank."""
    groups: list[tuple[int, int]] = []
    for run in _runs(np.flatnonzero(ink.sum(axis=0) > BLANK_ROW_INK)):
        if groups and run[0] - groups[-1][1] <= GUTTER_PX:
            groups[-1] = (groups[-1][0], int(run[-1]))
        else:
            groups.append((int(run[0]), int(run[-1])))
    return groups


def _runs(indices: np.ndarray) -> list[np.ndarray]:
    """Consecutive runs of sorted indices."""
    if indices.size == 0:
        return []
    return np.split(indices, np.flatnonzero(np.diff(indices) > 1) + 1)


def _cut(gray: np.ndarray, ink: np.ndarray, low: int, high: int) -> tuple[int, int]:
    """Where a band between rows ``low`` and ``high`` ends and the next one starts."""
    window = ink[low:high]
    blank = np.flatnonzero(window <= BLANK_ROW_INK)
    if blank.size:
        # the middle of the last run of blank rows: the gap between two lines or blocks
        last = _runs(blank)[-1]
        row = low + int(last[len(last) // 2])
        return row, row
    longest = np.array([max((r.size for r in _runs(np.flatnonzero(gray[row] < INK_LEVEL))),
                            default=0) for row in range(low, high)])
    # a ruling whose row holds nothing else but the sides of cells: no glyph is cut
    clean = (longest >= MIN_RULING_PX) & (window - longest <= RULING_OTHER_INK)
    if clean.any():
        widest = longest[clean].max()
        row = low + int(np.flatnonzero(clean & (longest >= RULING_FILL * widest))[-1])
        return row + RULING_OVERLAP_PX + 1, row - RULING_OVERLAP_PX
    row = high - 1 - int(np.argmin(window[::-1]))
    return row, row


def _dpi(image: object, width_px: int) -> float:
    info = getattr(image, "info", {})
    dpi = info.get("dpi", (0, 0))[0] if isinstance(info.get("dpi"), tuple) else 0
    return float(dpi) if dpi and dpi >= 50 else width_px / A4_WIDTH_IN


def _meta(pages: Sequence[OcrPage]) -> dict[str, str]:
    meta = {"pages": str(len(pages))}
    skewed = [f"{p.number}:{p.skew:+.2f}" for p in pages if p.skew]
    if skewed:
        meta["ocr_deskew_deg"] = " ".join(skewed)
    turned = [f"{p.number}:{p.turned}" for p in pages if p.turned]
    if turned:
        meta["ocr_turned_deg"] = " ".join(turned)
    return meta


# --------------------------------------------------------------------------- assembly


# Refs of what was read from images: ``p{page} ocr-table{t} …``, ``p{page} ocr-para{n}``.
REF_PREFIX = "ocr-"


def assemble(pages: Sequence[OcrPage]) -> list[Block]:
    """The pages' tables and paragraphs in reading order, with tables joined across pages;
    every table cell is ``method="ocr"`` with its confidence. The brackets read beside CJK
    text are the full-width ones the page prints (``parse/_text.py``)."""
    assembly.drop_furniture(pages)
    known = {cell: score for p in pages for cell, score in p.confidence.items()}
    to_source = {p.number: p.to_source for p in pages}

    def make_table(part: TablePart, number: int) -> Table:
        table = build_table(part, number, REF_PREFIX)
        confidence = _cell_confidence(part, known)
        cells = tuple(replace(c, text=full_width_brackets(c.text), method="ocr",
                              confidence=confidence.get((c.row, c.col), EMPTY_CELL_CONFIDENCE),
                              bbox=_on_source(c, to_source))
                      for c in table.cells)
        return replace(table, cells=cells)

    return [replace(block, text=full_width_brackets(block.text)) if isinstance(block, Paragraph)
            else block for block in assembly.assemble(pages, REF_PREFIX, make_table)]


def _on_source(cell: Cell, to_source: dict[int, Affine]) -> BBox | None:
    """The cell's box on its source (``OcrPage.to_source``), from its box on the page read."""
    if cell.bbox is None or cell.page not in to_source:
        return None
    return outward(map_box(to_source[cell.page], cell.bbox))


def _cell_confidence(part: TablePart, known: dict[PartCell, float]) -> dict[tuple[int, int], float]:
    """Mean glyph score per origin cell, keyed by the (row, col) ``build_table`` gives it.

    Scores were measured on each page's own cells (``OcrPage.confidence``); a joined part's
    cells are those moved down, snapped to the first part's columns or mended across the
    break, so each is traced back to the unused page cell of its page with the same first
    line nearest in x, taking them top to bottom.
    """
    xs = grid_lines(v for c in part.cells for v in (c.x0, c.x1))
    ys = grid_lines(v for c in part.cells for v in (c.top, c.bottom))
    pool: dict[tuple[int, str], list[PartCell]] = defaultdict(list)
    for cell in sorted(known, key=lambda c: (c.top, c.x0)):
        pool[(cell.page, _first_line(cell.text))].append(cell)
    out: dict[tuple[int, int], float] = {}
    for box in sorted(part.cells, key=lambda c: (c.page, c.top, c.x0)):
        source = _take(pool.get((box.page, _first_line(box.text)), []), (box.x0 + box.x1) / 2)
        if source is not None:
            out[(nearest(ys, box.top), nearest(xs, box.x0))] = known[source]
    return out


def _first_line(content: str) -> str:
    return content.split("\n", 1)[0]


def _take(candidates: list[PartCell], cx: float) -> PartCell | None:
    for i, cell in enumerate(candidates):
        if abs((cell.x0 + cell.x1) / 2 - cx) <= TRACE_X_TOLERANCE_PT:
            return candidates.pop(i)
    return None
