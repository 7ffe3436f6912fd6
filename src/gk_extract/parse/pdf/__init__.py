"""Text-layer PDFs: PDFium's glyphs (``page``) and rulings (``rulings``) on every page, laid
out by ``parse/layout`` into a Document (``document``)."""

from gk_extract.parse.pdf.document import parse_pdf

__all__ = ["parse_pdf"]
