"""Page geometry shared by text-layer PDFs and scans: glyphs and rulings -> blocks.

``geometry`` (Char, Edge, boxes) -> ``lines`` (glyphs into lines, paragraphs, page
furniture) and ``tables`` (ruled and aligned table parts, span-aware grids) -> ``join``
(a table continued on the next page) -> ``assembly`` (one page laid out, then the whole
document in reading order). ``parse/pdf`` and ``parse/ocr`` feed it; it imports neither.
"""
