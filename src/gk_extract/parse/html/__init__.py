"""HTML article pages -> :class:`~gk_extract.models.Document`.

The cascade is: decode the bytes ourselves (``decode``: BOM and declared charset as
beautifulsoup4 detects them, HTTP charset, UTF-8, GB18030), parse with libxml2 through lxml
(``tree``), find the article body among the site chrome by a generic score (``body``), then
walk the body in reading order emitting paragraphs and span-aware tables (``walk``, ``grid``).

Nothing here knows about annual reports: the body is what looks like a document (numbered
sections, tables, text) rather than navigation; the report's vocabulary lives in template/.
"""

from __future__ import annotations

from gk_extract.errors import ParseError
from gk_extract.formats import Format
from gk_extract.models import Document
from gk_extract.parse.html.body import select_body
from gk_extract.parse.html.decode import decode_html, utf8_payload
from gk_extract.parse.html.tree import collect_meta, document_links, find_title, parse_tree
from gk_extract.parse.html.walk import BodyWalker

__all__ = ["MAX_INPUT_BYTES", "decode_html", "parse_html"]

# The largest real report page we have seen is ~370 KB; an archived page with inline images
# as data: URIs can reach a few MB. 32 MB is far beyond any page and keeps memory bounded.
MAX_INPUT_BYTES = 32 * 1024 * 1024


def parse_html(data: bytes, *, http_charset: str | None = None) -> Document:
    """Parse an HTML page into a Document holding the article body's blocks."""
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(f"HTML input too large: {len(data)} bytes")
    root = parse_tree(utf8_payload(data, http_charset))
    meta = collect_meta(root)
    title = find_title(root, meta)
    body, warnings = select_body(root)
    walker = BodyWalker()
    walker.walk(body, bold=False, depth=0)
    walker.flush()
    return Document(
        format=Format.HTML,
        blocks=tuple(walker.blocks),
        title=title,
        meta=meta,
        warnings=tuple(warnings + walker.warnings),
        images=tuple(walker.images),
        links=tuple(document_links(root)),
    )
