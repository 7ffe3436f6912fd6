"""Scans and pictures -> :class:`~gk_extract.models.Document`, through OCR.

Three ways in, one way through (``ocr/page.py`` ``read_page_image`` per page, then the
assembly every PDF gets, ``layout/assembly.py``: page furniture dropped, reading order,
tables continued on the next page joined, paragraphs):

* :func:`parse_image`: a standalone image file (PNG, JPEG, TIFF with several frames ...);
* :func:`ocr_pdf_pages`: the pages of a PDF whose text layer is missing or unreadable,
  rendered with PDFium at RENDER_DPI;
* :func:`read_html_images`: ``<img>`` tables of an HTML report (data: URIs, files beside a
  local page, images a crawl stored with the page; nothing is fetched from the network).

Every table cell is ``method="ocr"`` with ``confidence`` = the mean score of its glyphs
(1.0 for an empty cell: nothing was read, and a blank printed cell is a confident blank),
and ``bbox`` = its box on the source (``ocr/frame.py``): PDF points of the page as PDFium
renders it, or pixels of the image file as stored (an HTML page's picture: of that picture).

References: ``p{page} ocr-para{n}``, ``p{page} ocr-table{t}`` and ``p{page} ocr-table{t}
r{row} c{col}``; for an HTML image ``page`` is the image's 1-based index in the page.
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
from gk_extract.models import BBox, Block, Cell, Document, Table
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

__all__ = ["assemble", "ocr_pdf_pages", "parse_image", "read_html_images"]

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
# The EXIF tag of an image's orientation (1 upright ... 8), which Pillow applies on reading.
EXIF_ORIENTATION = 0x0112
# Images smaller than this on either side hold no readable table (icons, spacer GIFs).
MIN_IMAGE_SIDE_PX = 200
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
    """An image file (one page per frame) -> Document, via OCR."""
    pages = [read_page_image(gray, dpi, i + 1, source)
             for i, (gray, dpi, source) in enumerate(_frames(data))]
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


def _read_page(page: Any, number: int) -> OcrPage:
    pixels, dpi, source = _page_pixels(page)
    return read_page_image(pixels, dpi, number, source)


def read_html_images(srcs: Sequence[str], images: ImageSource) -> tuple[list[OcrPage], list[str]]:
    """OCR'd pages of an HTML report's images that can be read offline (data: URIs, and
    what ``images`` finds for the others), and warnings for the rest."""
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
        pages.extend(read_page_image(gray, dpi, index, source) for gray, dpi, source in frames[:1])
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
    every table cell is ``method="ocr"`` with its confidence."""
    assembly.drop_furniture(pages)
    known = {cell: score for p in pages for cell, score in p.confidence.items()}
    to_source = {p.number: p.to_source for p in pages}

    def make_table(part: TablePart, number: int) -> Table:
        table = build_table(part, number, REF_PREFIX)
        confidence = _cell_confidence(part, known)
        cells = tuple(replace(c, method="ocr",
                              confidence=confidence.get((c.row, c.col), EMPTY_CELL_CONFIDENCE),
                              bbox=_on_source(c, to_source))
                      for c in table.cells)
        return replace(table, cells=cells)

    return assembly.assemble(pages, REF_PREFIX, make_table)


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
