"""PDF bytes -> :class:`~gk_extract.models.Document`.

The file is opened once with pypdfium2 (PDFium); ``pdf_page`` reads each page's glyphs and
rulings, ``pdf_tables`` finds ruled tables with pdfplumber's lines algorithm (falling back on
text alignment on pages without rulings), ``pdf_join`` joins tables continued on the next
page, and ``pdf_text`` turns the remaining glyphs into lines and paragraphs, dropping page
numbers and running headers/footers.

Reference conventions (page numbers are 1-based, as printed by PDF viewers):

* ``Paragraph.ref`` is ``p{page} para{n}``: ``n`` is the 1-based index of the paragraph among
  the document's paragraphs, ``page`` the page of its first line. A paragraph continued on the
  next page (nothing but page furniture between its lines) stays one paragraph.
* ``Table.ref`` is ``p{page} table{t}``: ``t`` is the 1-based index among the document's
  tables (``doc.tables[t - 1]``), ``page`` the page where the table starts.
* ``Cell.ref`` is ``p{page} table{t} r{row} c{col}`` with the cell's 0-based grid row and
  column (``Cell.row``/``Cell.col``) in the whole, joined table, and the page it is printed on.

Pages whose text layer cannot be used (unmappable glyphs, Latin garbage, image-only scans)
contribute no blocks; they are listed in ``Document.unreadable_pages`` and in the warnings.
"""

from __future__ import annotations

import ctypes
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex

from gk_extract.errors import ParseError
from gk_extract.models import Block, Document, Paragraph, Table
from gk_extract.parse import pdf_text as text
from gk_extract.parse.pdf_join import join_parts
from gk_extract.parse.pdf_page import PageContent, read_page
from gk_extract.parse.pdf_tables import (
    TablePart,
    aligned_parts,
    build_table,
    ruled_regions,
    table_parts,
)

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


@dataclass(slots=True)
class _Page:
    """One readable page between the reading and the assembling passes."""

    content: PageContent
    parts: list[TablePart]
    lines: list[text.Line]


@dataclass(slots=True)
class Assembly:
    """Blocks in reading order and the counters their refs use (shared with the OCR parser)."""

    blocks: list[Block] = field(default_factory=list)
    n_paragraphs: int = 0
    n_tables: int = 0


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
    _drop_furniture(pages)
    for page in pages:
        _aligned_fallback(page)
    return Document(
        format="pdf",
        blocks=tuple(_assemble(pages)),
        title=_title(meta.get("Title", "")),
        meta=meta,
        warnings=tuple(warnings),
        unreadable_pages=tuple(unreadable),
    )


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
    return False


# --------------------------------------------------------------------------- one page


def _lay_out(content: PageContent, warnings: list[str]) -> _Page:
    """Ruled table parts, and the lines of the text outside them."""
    regions = ruled_regions(content.edges)
    if regions is None:
        warnings.append(f"page {content.number}: too many rulings for a table; "
                        "ruled tables not looked for")
        regions = []
    parts, flow = table_parts(regions, content.chars, content.number)
    return _Page(content, parts, text.group_lines(flow))


def _drop_furniture(pages: list[_Page]) -> None:
    """Page numbers and running headers/footers out of every page's lines."""
    running = text.running_texts([(p.content.height, p.lines) for p in pages])
    for page in pages:
        height = page.content.height
        page.lines = [ln for ln in page.lines if not text.is_furniture(ln, height, running)]


def _aligned_fallback(page: _Page) -> None:
    if any(p.n_cols >= 2 for p in page.parts):
        return
    found, used = aligned_parts(page.lines, page.content.number)
    if found:
        page.parts.extend(found)
        page.lines = [ln for i, ln in enumerate(page.lines) if i not in used]


# --------------------------------------------------------------------------- the document


_Item = tuple[int, float, text.Line | TablePart]  # page, top, what


def _assemble(pages: list[_Page]) -> list[Block]:
    items = join_split_tables(_reading_order(pages))
    layouts = _layouts(pages)
    out = Assembly()
    run: list[tuple[int, text.Line]] = []
    for page, _, item in items:
        if isinstance(item, text.Line):
            run.append((page, item))
            continue
        flush_paragraphs(run, layouts, partial(_emit_paragraph, out=out))
        run = []
        _emit_part(item, out)
    flush_paragraphs(run, layouts, partial(_emit_paragraph, out=out))
    return out.blocks


def _reading_order(pages: list[_Page]) -> list[_Item]:
    items: list[_Item] = []
    for page in pages:
        number = page.content.number
        here: list[_Item] = [(number, p.bbox[1], p) for p in page.parts]
        here += [(number, ln.top, ln) for ln in page.lines]
        items.extend(sorted(here, key=lambda it: it[1]))
    return items


def join_split_tables(items: list[_Item]) -> list[_Item]:
    """Join each table part that ends a page with the part that starts the next page.

    Shared with the OCR parser, whose pages yield the same items."""
    i = 0
    while i < len(items) - 1:
        (page, top, first), (next_page, _, second) = items[i], items[i + 1]
        if isinstance(first, TablePart) and isinstance(second, TablePart) and (
                next_page == max(c.page for c in first.cells) + 1):
            joined = join_parts(first, second)
            if joined is not None:
                logger.debug("table on page %d continued on page %d; joined", page, next_page)
                items[i] = (page, top, joined)
                del items[i + 1]
                continue
        i += 1
    return items


def _layouts(pages: list[_Page]) -> dict[int, text.Layout]:
    """Each page's text layout, measured over all pages of the same size."""
    by_size: dict[tuple[int, int], list[_Page]] = defaultdict(list)
    for page in pages:
        by_size[(round(page.content.width), round(page.content.height))].append(page)
    layouts: dict[int, text.Layout] = {}
    for same in by_size.values():
        lines = [ln for p in same for ln in p.lines]
        layout = text.measure_layout(lines, same[0].content.width)
        layouts.update((p.content.number, layout) for p in same)
    return layouts


def flush_paragraphs(run: list[tuple[int, text.Line]], layouts: dict[int, text.Layout],
                     emit: Callable[[str, int, bool], None]) -> None:
    """Paragraphs of a run of lines, each handed to ``emit(text, page, heading)``; the run is
    cut where the page layout changes. Shared with the OCR parser."""
    start = 0
    for i in range(1, len(run) + 1):
        if i == len(run) or layouts[run[i][0]] is not layouts[run[start][0]]:
            pages_of = {id(ln): page for page, ln in run[start:i]}
            for para in text.paragraphs([ln for _, ln in run[start:i]], layouts[run[start][0]]):
                emit(para.text, pages_of[id(para.lines[0])], para.heading)
            start = i


def _emit_paragraph(content: str, page: int, heading: bool, out: Assembly) -> None:
    if not content:
        return
    out.n_paragraphs += 1
    out.blocks.append(Paragraph(content, ref=f"p{page} para{out.n_paragraphs}", page=page,
                                heading=heading))


def _emit_part(part: TablePart, out: Assembly) -> None:
    """A table, or a boxed caption that joined no table as a paragraph."""
    if part.n_cols < 2:
        for cell in sorted(part.cells, key=lambda c: c.top):
            _emit_paragraph(text.join_lines(cell.text.split("\n")), cell.page, False, out)
        return
    out.n_tables += 1
    table: Table = build_table(part, out.n_tables)
    out.blocks.append(table)
