"""The article body in reading order: paragraphs, and data tables as span-aware grids.

* ``Paragraph.ref`` is ``p{n}``: the 1-based index of the paragraph among the document's
  paragraphs.
* ``Table.ref`` is ``table{t}``: the 1-based index of the data table among the document's
  tables, so ``doc.tables[t - 1].ref == f"table{t}"``. Layout tables get no number: they are
  walked like any other block so that their content comes out in order.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.models import Block, Paragraph
from gk_extract.parse._text import clean_line
from gk_extract.parse.html.grid import MAX_TABLE_COLS, make_table, place
from gk_extract.parse.html.tree import text_of

Element: TypeAlias = etree._Element

# A report's tables hold ~600 cells in all; a page with more than this is a data dump or an
# attack, and building Cell objects for it would only waste the batch's time.
MAX_CELLS_PER_DOCUMENT = 50_000
# libxml2 stops nesting at depth 256; real pages reach ~30 (pt2021: 25). Below this depth the
# walker flattens the subtree's text, so its recursion (three frames per level) stays far
# inside Python's limit of 1000 frames even when called from deep in a pipeline.
MAX_WALK_DEPTH = 120

# fmt: off
_BLOCK_TAGS = frozenset({
    "html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
    "dt", "dd", "section", "article", "blockquote", "header", "footer", "nav", "aside", "main",
    "center", "pre", "address", "figure", "figcaption", "table", "caption", "thead", "tbody",
    "tfoot", "tr", "td", "th", "form", "fieldset", "legend", "details", "summary",
})
# fmt: on
_BREAK_TAGS = frozenset({"br", "hr"})
_LINE_CUT_TAGS = _BLOCK_TAGS | _BREAK_TAGS
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD_TAGS = frozenset({"strong", "b"})
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
# Real pages hold ~100 paragraphs; more than this is junk we refuse rather than slowly build.
MAX_BLOCKS_PER_DOCUMENT = 100_000
# The longest label in the report templates is ~45 characters and notes under a table run to
# ~200; a cell holding more is running article text, i.e. the table only positions the page.
LONG_CELL_CHARS = 400


class BodyWalker:
    """Walks the article body in reading order, emitting Paragraph and Table blocks.

    Text accumulates into a run until a block element or ``<br>`` cuts it; each non-empty run
    becomes a paragraph. Data tables become :class:`Table` blocks; layout tables are walked
    like any other block so that their content comes out in order.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[str] = []
        self.warnings: list[str] = []
        self._pieces: list[str] = []
        self._has_bold = False
        self._has_plain = False
        self._heading_depth = 0
        self._n_paragraphs = 0
        self._n_tables = 0
        self._n_cells = 0

    def walk(self, el: Element, bold: bool, depth: int) -> None:
        tag = el.tag
        if tag.__class__ is not str:  # entities and the like; their tail is read by the caller
            return
        if tag in _BREAK_TAGS:
            self.flush()
        elif tag == "head":  # only reached when a page has no <body>; meta/title read apart
            return
        elif tag == "img":
            _add_image(el, self.images)
        elif tag != "table" or not self._on_table(el, depth):
            self._walk_element(el, tag, bold, depth)

    def flush(self) -> None:
        """End the current run of text: emit it as a paragraph unless it is blank."""
        if not self._pieces:
            return
        text = clean_line("".join(self._pieces))
        heading = self._heading_depth > 0 or (self._has_bold and not self._has_plain)
        self._pieces.clear()
        self._has_bold = self._has_plain = False
        if text:
            self._n_paragraphs += 1
            self.blocks.append(Paragraph(text=text, ref=f"p{self._n_paragraphs}", heading=heading))
            self._check_size()

    def _walk_element(self, el: Element, tag: str, bold: bool, depth: int) -> None:
        block = tag in _BLOCK_TAGS
        heading = tag in _HEADING_TAGS
        if block:
            self.flush()
        self._heading_depth += heading
        self._walk_contents(el, bold or tag in _BOLD_TAGS or _has_bold_style(el), depth)
        if block:
            self.flush()
        self._heading_depth -= heading

    def _walk_contents(self, el: Element, bold: bool, depth: int) -> None:
        if depth >= MAX_WALK_DEPTH:
            self._add(text_of(el), bold)
            return
        text = el.text  # each read of .text or .tail decodes libxml2's bytes again
        if text:
            self._add(text, bold)
        for child in el:
            self.walk(child, bold, depth + 1)
            tail = child.tail
            if tail:
                self._add(tail, bold)

    def _add(self, text: str, bold: bool) -> None:
        self._pieces.append(text)
        if not text.isspace():
            if bold:
                self._has_bold = True
            else:
                self._has_plain = True

    def _on_table(self, el: Element, depth: int) -> bool:
        """Emit a data table and return True; False means "walk it as ordinary blocks"."""
        rows = _table_rows(el)
        self._n_cells += sum(map(len, rows))
        self._check_size()
        if el.find(".//table") is not None:  # a table of tables only positions them
            return False
        images: list[str] = []
        readers = [[_read_cell(td, images, depth) for td in row] for row in rows]
        if _is_layout(readers):
            return False
        self.flush()
        for caption in el.iterchildren("caption"):
            self.walk(caption, False, depth + 1)
        self.images.extend(images)
        self._emit_table(rows, readers)
        return True

    def _emit_table(self, rows: list[list[Element]], readers: list[list[_CellReader]]) -> None:
        number = self._n_tables + 1
        slots, dropped = place(rows)
        if dropped:
            self.warnings.append(
                f"table{number}: {dropped} cells beyond column {MAX_TABLE_COLS} dropped"
            )
        text_at = {
            id(td): readers[r][i].text() for r, row in enumerate(rows) for i, td in enumerate(row)
        }
        if not any(text_at[id(slot.element)] for slot in slots):
            return  # an empty frame carries nothing
        self._n_tables = number
        self.blocks.append(make_table(slots, text_at, f"table{number}"))

    def _check_size(self) -> None:
        if self._n_cells > MAX_CELLS_PER_DOCUMENT:
            raise ParseError(f"more than {MAX_CELLS_PER_DOCUMENT} table cells; not a report page")
        if len(self.blocks) > MAX_BLOCKS_PER_DOCUMENT:
            raise ParseError(f"more than {MAX_BLOCKS_PER_DOCUMENT} blocks; not an article page")


def _has_bold_style(el: Element) -> bool:
    style = el.get("style")
    return style is not None and "weight" in style and _BOLD_STYLE.search(style) is not None


def _add_image(el: Element, images: list[str]) -> None:
    src = (el.get("src") or el.get("data-src") or "").strip()
    if src:
        images.append(src)


class _CellReader:
    """The text of one table cell as lines: blocks, ``<br>`` and nested tables cut lines.

    This is the hot path of the parser (a report has ~600 cells of 3-8 elements each), hence
    one method call per element and no bold/heading bookkeeping beyond "has an <h*>".
    """

    __slots__ = ("_pieces", "has_heading", "images", "lines")

    def __init__(self, images: list[str]) -> None:
        self.lines: list[str] = []
        self.images = images
        self.has_heading = False
        self._pieces: list[str] = []

    def read(self, el: Element, depth: int) -> None:
        text = el.text  # each read of .text or .tail decodes libxml2's bytes again
        if text:
            self._pieces.append(text)
        for child in el:
            tag = child.tag
            if tag in _LINE_CUT_TAGS:
                self.has_heading |= tag in _HEADING_TAGS
                self.cut()
                self._read_child(child, depth)
                self.cut()
            elif tag == "img":
                _add_image(child, self.images)
            elif tag.__class__ is str:
                self._read_child(child, depth)
            tail = child.tail
            if tail:
                self._pieces.append(tail)

    def cut(self) -> None:
        if self._pieces:
            line = clean_line("".join(self._pieces))
            self._pieces.clear()
            if line:
                self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)

    def _read_child(self, child: Element, depth: int) -> None:
        if not len(child):  # a leaf (the <p> or <span> of most cells): only its text to read
            text = child.text
            if text:
                self._pieces.append(text)
        elif depth < MAX_WALK_DEPTH:
            self.read(child, depth + 1)
        else:
            self._pieces.append(text_of(child))


def _read_cell(td: Element, images: list[str], depth: int) -> _CellReader:
    reader = _CellReader(images)
    reader.read(td, depth + 1)
    reader.cut()
    return reader


def _is_layout(cells: list[list[_CellReader]]) -> bool:
    """A table whose cells hold running text, or a heading with text, only lays out the page.

    A one-cell table is a framed paragraph. A lone heading in a cell is not enough: reports
    put the section title in a data table's first row.
    """
    flat = [cell for row in cells for cell in row]
    if len(flat) <= 1:
        return True
    return any(
        sum(map(len, cell.lines)) > LONG_CELL_CHARS or (cell.has_heading and len(cell.lines) > 1)
        for cell in flat
    )


def _table_rows(table: Element) -> list[list[Element]]:
    """This table's rows (not nested tables'), header group first and footer group last."""
    head: list[list[Element]] = []
    body: list[list[Element]] = []
    foot: list[list[Element]] = []
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table"), None) is not table:
            continue
        parent = tr.getparent()
        group = parent.tag if parent is not None else ""
        cells = [c for c in tr if c.tag in ("td", "th")]
        (head if group == "thead" else foot if group == "tfoot" else body).append(cells)
    return head + body + foot

