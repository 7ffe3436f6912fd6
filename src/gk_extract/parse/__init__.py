"""Bytes -> Document, one module per format. Parsers know nothing about annual reports."""

from __future__ import annotations

from gk_extract.errors import UnsupportedFormat
from gk_extract.models import Document
from gk_extract.parse.detect import detect_format

# Formats whose parsers are not part of this release, with what the user can do instead.
NOT_YET = {
    "image": "image-only reports need OCR, which is not supported yet",
}


def parse_document(data: bytes, fmt: str | None = None) -> Document:
    """Given a file's bytes (and optionally its already detected format), return its Document."""
    fmt = fmt or detect_format(data)
    if fmt == "html":
        from gk_extract.parse.html import parse_html

        return parse_html(data)
    if fmt == "docx":
        from gk_extract.parse.docx import parse_docx

        return parse_docx(data)
    if fmt in ("doc", "wps"):
        from gk_extract.parse.office import parse_office

        return parse_office(data, fmt)
    if fmt == "pdf":
        from gk_extract.parse.pdf import parse_pdf

        return parse_pdf(data)
    raise UnsupportedFormat(NOT_YET.get(fmt, f"unknown format {fmt}"))
