"""A source file shown beside its values: PDF pages as images, a stored web page made
harmless and marked, a Word document's tables as grids, an image file as a browser reads it.

* PDF (text layer or scan): each page rendered by PDFium at ``RENDER_SCALE`` and written as
  PNG with zlib (pillow is only in the ``[ocr]`` extra); a cell's ``bbox`` in PDF points is
  ``bbox * scale`` pixels on it. PDFium is not thread-safe: one lock around every call.
* HTML: the page parsed by the project's own HTML parser, walked as the extraction walked
  it, so each data table cell gets ``data-gk-ref="table{t} r{row} c{col}"``, the
  ``source_ref`` its values carry. Scripts, frames, objects, links to style sheets, forms and
  event handlers are dropped and images other than ``data:`` URIs emptied; the route serves
  it with a CSP that loads nothing and runs nothing, into a sandboxed frame.
* DOCX, DOC, WPS: the document as the project's parser reads it (DOC and WPS by way of
  LibreOffice, the converted file cached under ``DATA/.review-cache``), paragraphs and
  tables, each table cell with ``data-ref`` = its ``Cell.ref``.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lxml import etree

from gk_extract.formats import IMAGE_EXTS, Format, sniff_ext
from gk_extract.models import Document, Paragraph, Table
from gk_extract.parse.html.body import select_body
from gk_extract.parse.html.decode import utf8_payload
from gk_extract.parse.html.grid import place
from gk_extract.parse.html.tree import parse_tree
from gk_extract.parse.html.walk import BodyWalker

# 2 px per PDF point (144 dpi): a table's 9-pt digits stay sharp when the pane is zoomed in,
# and an A4 page is ~1.2 MB of PNG.
RENDER_SCALE = 2.0
# Rendered pages kept in memory: a long report's pages while it is being reviewed.
CACHED_PAGES = 48
REVIEW_CACHE = ".review-cache"
# Elements of a stored page that could run, load or submit something.
_DROPPED_TAGS = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed",
                 "applet", "link", "base", "meta", "template", "audio", "video", "source",
                 "track", "portal")
HIGHLIGHT_STYLE = ("[data-gk-ref].gk-hl{outline:3px solid #d9480f;outline-offset:-2px;"
                   "background:#fff3bf !important}")
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp"}


@dataclass(frozen=True, slots=True)
class PageSize:
    number: int  # 1-based
    width: float  # PDF points
    height: float


class PdfPages:
    """PDF pages as PNG, rendered once and kept (``CACHED_PAGES`` of them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, int], bytes] = OrderedDict()

    def sizes(self, data: bytes) -> list[PageSize]:
        import pypdfium2 as pdfium

        with self._lock:
            pdf = pdfium.PdfDocument(data)
            try:
                return [PageSize(i + 1, *pdf[i].get_size()) for i in range(len(pdf))]
            finally:
                pdf.close()

    def png(self, report_id: str, data: bytes, number: int) -> bytes | None:
        """Page ``number`` (1-based) as PNG, or None when the PDF has no such page."""
        key = (report_id, number)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
            rendered = _render(data, number)
            if rendered is not None:
                self._pages[key] = rendered
                while len(self._pages) > CACHED_PAGES:
                    self._pages.popitem(last=False)
            return rendered


def _render(data: bytes, number: int) -> bytes | None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= number <= len(pdf):
            return None
        bitmap = pdf[number - 1].render(scale=RENDER_SCALE, rev_byteorder=True)
        width, height, stride, channels = (bitmap.width, bitmap.height, bitmap.stride,
                                           bitmap.n_channels)
        pixels = bytes(memoryview(bitmap.buffer).cast("B"))
        return encode_png(pixels, width, height, stride, channels)
    finally:
        pdf.close()


def encode_png(pixels: bytes, width: int, height: int, stride: int, channels: int) -> bytes:
    """Rows of 8-bit RGB (3 channels) or RGBA (4) pixels as a PNG file."""
    color = {3: 2, 4: 6}[channels]
    row = width * channels
    raw = b"".join(b"\x00" + pixels[y * stride:y * stride + row] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def image_file(data: bytes) -> tuple[bytes, str] | None:
    """An image file as a browser shows it: PNG, JPEG, GIF and WebP as they are, TIFF and
    BMP as PNG (with pillow, which reading scans needs anyway)."""
    ext = sniff_ext(data)
    if ext in IMAGE_TYPES:
        return data, IMAGE_TYPES[ext]
    if ext not in IMAGE_EXTS:
        return None
    try:
        import io

        from PIL import Image
    except ImportError:
        return None
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
    return out.getvalue(), "image/png"


# --------------------------------------------------------------------------- web pages


class _MarkingWalker(BodyWalker):
    """The extraction's walk, marking each data table cell with the ref its values carry."""

    def _emit_table(self, rows: list[list[etree._Element]], readers: list[list[Any]]) -> None:
        before = self._n_tables
        super()._emit_table(rows, readers)
        if self._n_tables == before:
            return
        table = self.blocks[-1]
        assert isinstance(table, Table)
        slots, _ = place(rows)
        for slot, cell in zip(slots, table.cells, strict=True):
            slot.element.set("data-gk-ref", cell.ref)


def marked_page(data: bytes) -> str:
    """The stored page with its data table cells marked, and nothing that runs or loads."""
    root = parse_tree(utf8_payload(data, None))
    body, _ = select_body(root)
    walker = _MarkingWalker()
    walker.walk(body, bold=False, depth=0)
    _disarm(root)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    style = etree.SubElement(head, "style")
    style.text = HIGHLIGHT_STYLE
    return "<!DOCTYPE html>\n" + etree.tostring(root, encoding="unicode", method="html")


def _disarm(root: etree._Element) -> None:
    for el in list(root.iter(*_DROPPED_TAGS)):
        _drop(el)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in [str(n) for n in el.attrib]:
            value = str(el.attrib[name]).strip().lower()
            if name.lower().startswith("on") or value.startswith(("javascript:", "vbscript:")):
                del el.attrib[name]
        if el.tag == "form":  # ASP.NET pages wrap the whole body in one
            el.tag = "div"
            el.attrib.pop("action", "")
        elif el.tag == "img":
            for name in ("src", "srcset", "data-src"):
                if not str(el.get(name, "")).startswith("data:image/"):
                    el.attrib.pop(name, "")
        elif el.tag == "a":
            el.attrib.pop("href", "")  # a click would take the frame away from the page


def _drop(el: etree._Element) -> None:
    """Remove ``el`` and what it holds, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        before = el.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# --------------------------------------------------------------------------- Word files


def word_document(data: bytes, fmt: str, data_dir: Path) -> Document:
    """A DOCX, DOC or WPS file as the project's parser reads it."""
    if fmt == Format.DOCX:
        from gk_extract.parse.docx import parse_docx

        return parse_docx(data)
    from gk_extract.parse.office import OfficeSettings, parse_office

    settings = replace(OfficeSettings.from_env(), cache_dir=data_dir / REVIEW_CACHE / "converted")
    return parse_office(data, fmt, settings)


@dataclass(frozen=True, slots=True)
class GridCell:
    text: str
    ref: str
    rowspan: int
    colspan: int


def document_blocks(doc: Document) -> list[tuple[str, object]]:
    """``("p", text)`` and ``("table", rows of GridCell)`` in reading order."""
    blocks: list[tuple[str, object]] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            blocks.append(("p", block.text))
            continue
        rows: list[list[GridCell]] = [[] for _ in range(block.n_rows)]
        for cell in sorted(block.cells, key=lambda c: (c.row, c.col)):
            if 0 <= cell.row < block.n_rows:
                rows[cell.row].append(GridCell(cell.text, cell.ref, cell.rowspan, cell.colspan))
        blocks.append(("table", rows))
    return blocks
