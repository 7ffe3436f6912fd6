"""Bytes -> Document, one module per format. Parsers know nothing about annual reports.

Dispatch is by :data:`PARSERS`, keyed by the sniffed ``formats.Format``. The cascade ends
in OCR (``parse/ocr/``, from the ``[ocr]`` extra): image files, and the
pages of a PDF whose text layer is missing or unreadable, which the PDF parser lists in
``Document.unreadable_pages``; their blocks are merged with the text pages' in page order.
Whatever the format, the Document's texts then have their look-alike code points (a Kangxi
radical a PDF producer wrote for 行) as unified ideographs (``normalize/codepoints.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from gk_extract.errors import UnsupportedFormat
from gk_extract.formats import Format, sniff
from gk_extract.models import BBox, Block, Document, Paragraph, Table
from gk_extract.normalize.codepoints import has_lookalikes, unify_lookalikes
from gk_extract.parse.images import MAX_PICTURES, ImageSource, no_images

logger = logging.getLogger(__name__)

# A parser: the file's bytes, its format and where an HTML page's images are read from.
Parser = Callable[[bytes, Format, ImageSource], Document]


def parse_document(data: bytes, fmt: str | None = None,
                   images: ImageSource | None = None) -> Document:
    """Given a file's bytes (and optionally its already sniffed format), return its Document.

    ``images``: where an HTML page's images are read from by their ``src`` (files beside
    it, or a crawl store); data: URIs are always read, nothing is fetched.
    """
    fmt = _format(fmt) if fmt else sniff(data)
    return _with_ocr_engine(unify_document(PARSERS[fmt](data, fmt, images or no_images)))


def _with_ocr_engine(doc: Document) -> Document:
    """A document read by OCR names the engine and the onnxruntime provider it ran on (CPU
    or CUDA) as its ``converter``, unless a converter made the file it was read from."""
    if not doc.ocr or doc.converter is not None:
        return doc
    from gk_extract.parse.ocr.engine import describe

    return replace(doc, converter=describe())


def unify_document(doc: Document) -> Document:
    """``doc`` with the look-alike code points of its texts as unified ideographs.

    The title, the meta values, paragraphs and table cells; ``doc`` itself, untouched, when
    none of them holds such a code point (one regex scan: the usual HTML or DOCX case).
    """
    texts = [doc.title or "", *doc.meta.values(), *(p.text for p in doc.paragraphs),
             *(cell.text for table in doc.tables for cell in table.cells),
             *(word.text for line in doc.lines for word in line.words)]
    if not has_lookalikes("\n".join(texts)):
        return doc
    meta = {name: unify_lookalikes(value) for name, value in doc.meta.items()}
    title = unify_lookalikes(doc.title) if doc.title else doc.title
    lines = tuple(replace(line, words=tuple(replace(w, text=unify_lookalikes(w.text))
                                            for w in line.words)) for line in doc.lines)
    return replace(doc, title=title, meta=meta, blocks=tuple(map(_unify_block, doc.blocks)),
                   lines=lines)


def _unify_block(block: Block) -> Block:
    if isinstance(block, Paragraph):
        return replace(block, text=unify_lookalikes(block.text))
    cells = tuple(replace(cell, text=unify_lookalikes(cell.text)) for cell in block.cells)
    return replace(block, cells=cells)


def _format(name: str) -> Format:
    try:
        return Format(name)
    except ValueError:
        raise UnsupportedFormat(f"unknown format {name!r}") from None


# Each parser imports its module on first use: sniffing and dispatching import no PDF,
# OpenCV or Office code, and a batch of HTML never loads them.
def _html(data: bytes, fmt: Format, images: ImageSource) -> Document:
    from gk_extract.parse.html import parse_html

    return ocr_body_images(parse_html(data), images)


def _docx(data: bytes, fmt: Format, images: ImageSource) -> Document:
    from gk_extract.parse.docx import package_images, parse_docx

    return ocr_body_images(parse_docx(data), package_images(data))


def _office(data: bytes, fmt: Format, images: ImageSource) -> Document:
    from gk_extract.parse.docx import package_images
    from gk_extract.parse.office import parse_office_package

    document, docx = parse_office_package(data, fmt.value)
    return ocr_body_images(document, package_images(docx))


def _pdf(data: bytes, fmt: Format, images: ImageSource) -> Document:
    from gk_extract.parse.pdf import parse_pdf

    return _ocr_pictures(data, _ocr_unreadable_pages(data, parse_pdf(data)))


def _image(data: bytes, fmt: Format, images: ImageSource) -> Document:
    _require_ocr("image file")
    from gk_extract.parse.ocr.document import parse_image

    return parse_image(data)


PARSERS: dict[Format, Parser] = {
    Format.HTML: _html, Format.DOCX: _docx, Format.DOC: _office, Format.WPS: _office,
    Format.RTF: _office,
    Format.PDF: _pdf, Format.IMAGE: _image,
}


def _ocr_unreadable_pages(data: bytes, doc: Document) -> Document:
    """The PDF's document with its unreadable pages read by OCR, in page order.

    Without the ``[ocr]`` extra a fully unreadable PDF fails with the install hint, and a
    partly unreadable one keeps its pages listed as unreadable (status ``partial``).
    """
    from gk_extract.parse.ocr.engine import INSTALL_HINT, ocr_available

    numbers = doc.unreadable_pages
    if not numbers:
        return doc
    if not ocr_available():
        if not doc.blocks:
            _require_ocr("scanned PDF (no usable text layer)")
        return replace(doc, warnings=(*doc.warnings, f"OCR extra not installed: {INSTALL_HINT}"))
    from gk_extract.parse.ocr.document import assemble, ocr_pdf_pages

    ocr_blocks = assemble(ocr_pdf_pages(data, numbers))
    return replace(doc, blocks=_merge_by_page(doc.blocks, ocr_blocks), ocr=True,
                   unreadable_pages=(), ocr_pages=numbers)


def _ocr_pictures(data: bytes, doc: Document) -> Document:
    """The PDF's document with the tables pictured on its text pages read by OCR, each
    picture's blocks after its page's own. Without the ``[ocr]`` extra they are named in
    a warning."""
    from gk_extract.parse.ocr.engine import INSTALL_HINT, ocr_available

    if not doc.pictures:
        return doc
    if not ocr_available():
        hint = f"pictures on pages {_pages(doc.pictures)} not read; OCR extra not installed: {INSTALL_HINT}"
        return replace(doc, warnings=(*doc.warnings, hint))
    from gk_extract.parse.ocr.document import assemble, ocr_pdf_pictures

    pages = ocr_pdf_pictures(data, doc.pictures)
    if not pages:
        return doc
    numbers = tuple(sorted({*doc.ocr_pages, *(p.number for p in pages)}))
    return replace(doc, blocks=_merge_by_page(doc.blocks, assemble(pages)), ocr=True,
                   ocr_pages=numbers)


def _pages(pictures: tuple[tuple[int, BBox], ...]) -> str:
    return ",".join(str(n) for n in sorted({number for number, _ in pictures}))


def ocr_body_images(doc: Document, images: ImageSource = no_images) -> Document:
    """A web page or Word document with its pictures read by OCR, their blocks put after the
    document's own.

    A document with no table of its own has its pictures as its tables, or as the whole
    report: everything read from them is kept. One with tables of its own may have pasted
    one as a screenshot (section 三's big table as a picture beside typed small ones): of
    its first MAX_PICTURES pictures only the ruled tables are kept, and no text, like
    that of a photograph or a banner, which is no report's. A table typed and pictured both
    is matched from the typed one, which comes first. An HTML page's images are read from
    data: URIs and from ``images`` (files beside it, a crawl store), the others skipped with
    a warning (no network); a Word document's from its own package.
    """
    srcs = doc.images
    if not srcs:
        return doc
    own = any(t.n_cols >= 2 for t in doc.tables)
    from gk_extract.parse.ocr.engine import INSTALL_HINT, ocr_available

    if not ocr_available():
        if own:
            return doc
        hint = f"images not read; OCR extra not installed: {INSTALL_HINT}"
        return replace(doc, warnings=(*doc.warnings, hint))
    from gk_extract.parse.ocr.document import assemble, holds_table, read_images

    warnings = list(doc.warnings)
    if own and len(srcs) > MAX_PICTURES:
        warnings.append(f"{len(srcs)} pictures beside the document's tables; only the first "
                        f"{MAX_PICTURES} read")
        srcs = srcs[:MAX_PICTURES]
    pages, more = read_images(srcs, images)
    blocks: list[Block] = ([b for b in assemble(list(filter(holds_table, pages)))
                            if isinstance(b, Table)] if own else assemble(pages))
    if not (blocks if own else pages):
        return replace(doc, warnings=(*warnings, *more))
    return replace(doc, blocks=(*doc.blocks, *blocks), ocr=True, warnings=(*warnings, *more))


def _require_ocr(what: str) -> None:
    from gk_extract.parse.ocr.engine import INSTALL_HINT, OcrUnavailable, ocr_available

    if not ocr_available():
        raise OcrUnavailable(f"{what} needs OCR; install the OCR extra: {INSTALL_HINT}")


def _merge_by_page(text_blocks: tuple[Block, ...], ocr_blocks: list[Block]) -> tuple[Block, ...]:
    """Both block lists (each already in page order) merged by page, stably."""
    merged: list[Block] = []
    rest = list(ocr_blocks)
    for block in text_blocks:
        while rest and (rest[0].page or 0) < (block.page or 0):
            merged.append(rest.pop(0))
        merged.append(block)
    return tuple(merged + rest)
