"""PDF bytes -> :class:`~gk_extract.models.Document`.

The file is opened once with pypdfium2 (PDFium); ``pdf/page.py`` reads each page's glyphs and
``pdf/rulings.py`` its rulings. From there the page geometry is shared with scans
(``parse/layout``): ruled tables by pdfplumber's lines algorithm (falling back on text
alignment on pages without rulings), tables continued on the next page joined, and the
remaining glyphs turned into lines and paragraphs, page numbers and running headers/footers
dropped (``layout/assembly.py``).

Reference conventions (page numbers are 1-based, as printed by PDF viewers):

* ``Paragraph.ref`` is ``p{page} para{n}``: ``n`` is the 1-based index of the paragraph among
  the document's paragraphs, ``page`` the page of its first line. A paragraph continued on the
  next page (nothing but page furniture between its lines) stays one paragraph.
* ``Table.ref`` is ``p{page} table{t}``: ``t`` is the 1-based index among the document's
  tables (``doc.tables[t - 1]``), ``page`` the page where the table starts.
* ``Cell.ref`` is ``p{page} table{t} r{row} c{col}`` with the cell's 0-based grid row and
  column (``Cell.row``/``Cell.col``) in the whole, joined table, and the page it is printed on.

Pages whose text layer cannot be used (unmappable glyphs, Latin garbage, image-only scans,
text drawn as outlines, a scan under another program's invisible OCR text) contribute no
blocks; they are listed in ``Document.unreadable_pages`` and in the warnings.
"""

from __future__ import annotations

import ctypes
import logging

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex

from gk_extract.errors import ParseError
from gk_extract.formats import Format
from gk_extract.models import Document
from gk_extract.parse.images import MAX_PICTURES
from gk_extract.parse.layout.assembly import (
    LaidOutPage,
    aligned_fallback,
    assemble,
    drop_furniture,
    lay_out,
    positioned_lines,
)
from gk_extract.parse.layout.geometry import BBox
from gk_extract.parse.pdf.page import PageContent, read_page

logger = logging.getLogger(__name__)

__all__ = ["parse_pdf"]

# Reports run 3-30 pages; a 200-page file is a compendium or not a report, and reading more
# pages only spends the batch's time. Later pages are skipped with a warning.
MAX_PAGES = 200
# Scanned reports reach ~60 MB; above this the file is not a report we can read in budget.
MAX_INPUT_BYTES = 256 * 1024 * 1024
# A complete PDF ends with %%EOF (incremental updates append more, each ending with one).
# Some servers append a few bytes of junk; 8 KB without the marker means a cut download.
EOF_TAIL_BYTES = 8192
# A page with an image and fewer glyphs than this is a scan (perhaps with a text page number).
IMAGE_PAGE_MAX_GLYPHS = 20
# A page with fewer glyphs and at least this many curved segments drawn has its text drawn as
# outlines (a CJK glyph takes 20-60 curves; a report page of text, thousands). Rulings and
# a stamp or two draw a few hundred at most.
OUTLINED_TEXT_MIN_CURVES = 1000
# A page whose text objects are at least this share invisible (render mode 3), over an image
# covering at least SCAN_MIN_SHARE of it, is a "searchable" scan: a scanner's or another
# program's OCR layer, of unknown quality and without the table's rulings, over the picture.
# The picture is read by OCR again, as any scan is.
OCR_LAYER_MIN_SHARE = 0.9
SCAN_MIN_SHARE = 0.5
# An image covering this share of a text page, with no glyph of the text layer on it, holds
# what the text layer lacks: a table pasted as a picture (seals and logos are a few percent).
PICTURE_MIN_SHARE = 0.1
_METADATA_KEYS = ("Title", "Author", "Producer", "Creator", "CreationDate")
# Info strings are a line or two; a longer one is junk and is cut.
MAX_META_BYTES = 4096
# Titles that word processors and converters write by themselves.
_DEFAULT_TITLE = regex.compile(
    r"^\s*(?:microsoft\s*(?:word|powerpoint|excel)\s*-|新建\s*(?:microsoft\s*)?(?:word|wps|docx?|文字|文档))"
    r"|^\s*(?:untitled|无标题|未命名|document|doc|文档|标题|title|word\s*文档|空白文档|wps\s*文字|"
    r"wps\s*office|pdf)\s*\d*\s*$"
    r"|\.(?:docx?|dotx?|docm|wps|wpt|pdf|rtf|txt|html?|xlsx?|et|ofd)\s*$",
    regex.IGNORECASE,
)


def parse_pdf(data: bytes) -> Document:
    """Parse a PDF file's bytes into a Document; raise ParseError when it cannot be opened."""
    pdf = _open(data)
    warnings: list[str] = []
    try:
        meta = _metadata(pdf)
        contents = _read_pages(pdf, warnings)
    finally:
        pdf.close()
    unreadable = [c.number for c in contents if _unreadable(c, warnings)]
    pages = [_lay_out(c, warnings) for c in contents if c.number not in unreadable]
    drop_furniture(pages)
    lines = [line for page in pages for line in positioned_lines(page)]
    for page in pages:
        aligned_fallback(page)
    return Document(
        format=Format.PDF,
        blocks=tuple(assemble(pages)),
        title=_title(meta.get("Title", "")),
        meta=meta,
        warnings=tuple(warnings),
        unreadable_pages=tuple(unreadable),
        lines=tuple(lines),
        pictures=_pictures([c for c in contents if c.number not in unreadable], warnings),
    )


def _pictures(contents: list[PageContent], warnings: list[str]) -> tuple[tuple[int, BBox], ...]:
    """The images of at least PICTURE_MIN_SHARE of their page that no glyph lies on, once
    each, at most MAX_PICTURES."""
    found: dict[tuple[int, BBox], None] = {}
    for content in contents:
        least = PICTURE_MIN_SHARE * content.width * content.height
        glyphs = [((c.x0 + c.x1) / 2, (c.top + c.bottom) / 2) for c in content.chars
                  if c.text != " "]
        for box in content.images:
            if (box[2] - box[0]) * (box[3] - box[1]) >= least and not any(
                    box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in glyphs):
                found.setdefault((content.number, box), None)
    if len(found) > MAX_PICTURES:
        warnings.append(f"{len(found)} pictures on text pages; only the first {MAX_PICTURES} read")
    return tuple(found)[:MAX_PICTURES]


# --------------------------------------------------------------------------- opening


def _open(data: bytes) -> pdfium.PdfDocument:
    if not data.strip():
        raise ParseError("empty PDF input")
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(f"PDF input too large: {len(data)} bytes")
    if b"%%EOF" not in data[-EOF_TAIL_BYTES:]:
        raise ParseError("PDF is truncated (no %%EOF marker at its end)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ParseError("PDF is password-protected") from None
        raise ParseError(f"PDF cannot be opened: {_one_line(exc)}") from None
    if len(pdf) == 0:
        pdf.close()
        raise ParseError("PDF has no pages")
    return pdf


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """Title, Author, Producer, Creator and CreationDate as found, and the page count."""
    meta = {key: _meta_text(pdf, key) for key in _METADATA_KEYS}
    meta = {k: v for k, v in meta.items() if v}
    meta["pages"] = str(len(pdf))
    return meta


def _meta_text(pdf: pdfium.PdfDocument, key: str) -> str:
    """One Info entry, read directly: pypdfium2's own reader raises on a broken UTF-16 string."""
    tag = key.encode("ascii") + b"\0"
    size = pdfium_c.FPDF_GetMetaText(pdf.raw, tag, None, 0)
    if size <= 2:
        return ""
    size = min(size, MAX_META_BYTES)
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDF_GetMetaText(pdf.raw, tag, buffer, size)
    value = buffer.raw[: size - 2].decode("utf-16-le", errors="replace")
    return " ".join(value.replace("\x00", "").split())


def _title(title: str) -> str | None:
    """The metadata title unless it is a file name, a converter stamp or a default."""
    if len(title) < 2 or not regex.search(r"\p{L}.*\p{L}", title) or "\ufffd" in title:
        return None
    return None if _DEFAULT_TITLE.search(title) else title


def _read_pages(pdf: pdfium.PdfDocument, warnings: list[str]) -> list[PageContent]:
    count = len(pdf)
    if count > MAX_PAGES:
        warnings.append(f"{count} pages; only the first {MAX_PAGES} read")
    contents: list[PageContent] = []
    for index in range(min(count, MAX_PAGES)):
        try:
            contents.append(read_page(pdf, index))
        except pdfium.PdfiumError as exc:
            warnings.append(f"page {index + 1}: cannot be read ({_one_line(exc)})")
    if not contents:
        raise ParseError("no page of the PDF can be read")
    for content in contents:
        warnings.extend(content.warnings)
    return contents


def _unreadable(content: PageContent, warnings: list[str]) -> bool:
    """Whether the page needs OCR; says so in the warnings."""
    glyphs = sum(1 for c in content.chars if c.text != " ")
    if content.unreadable:
        warnings.append(f"page {content.number}: text layer unreadable ({content.unreadable}); "
                        "needs OCR")
        return True
    if content.n_images and glyphs < IMAGE_PAGE_MAX_GLYPHS:
        warnings.append(f"page {content.number}: no text layer (image only); needs OCR")
        return True
    if content.invisible_texts >= OCR_LAYER_MIN_SHARE * content.texts > 0 and _covered(content):
        warnings.append(f"page {content.number}: a scan under an invisible text layer (another "
                        "program's OCR); read by OCR again")
        return True
    if content.curves >= OUTLINED_TEXT_MIN_CURVES and glyphs < IMAGE_PAGE_MAX_GLYPHS:
        warnings.append(f"page {content.number}: no text layer (text drawn as outlines); "
                        "needs OCR")
        return True
    return False


def _covered(content: PageContent) -> bool:
    """Images cover most of the page: the page is a scan (some scanners cut it into strips)."""
    width, height = content.width, content.height
    drawn = sum(max(min(x1, width) - max(x0, 0.0), 0.0) * max(min(bottom, height) - max(top, 0.0), 0.0)
                for x0, top, x1, bottom in content.images)
    return drawn >= SCAN_MIN_SHARE * width * height


def _lay_out(content: PageContent, warnings: list[str]) -> LaidOutPage:
    return lay_out(content.number, content.width, content.height, content.chars, content.edges,
                   warnings)
