"""Laid-out pages -> blocks in reading order: one assembly for text-layer PDFs and scans.

A page is laid out (:func:`lay_out`) into table parts and the text lines outside them,
whether its glyphs and rulings came from PDFium or from an image and the OCR engine. The
document is then assembled the same way for both:

* page furniture (page numbers, running headers and footers) is dropped from the lines;
* on a page with no ruled table, lines aligned in columns become a table (``aligned``),
  and its lines are also handed on as positioned words (``positioned_lines``), from which
  the template's alignment stage rebuilds the report's tables knowing their rows;
* tables and lines are put in reading order, page by page, top to bottom;
* a table part that ends a page is joined with the part that starts the next one
  (``layout/join.py``);
* runs of lines become paragraphs (``layout/lines.py``), cut where the page layout changes.

References: ``p{page} {prefix}para{n}`` and ``p{page} {prefix}table{t}`` (see ``build_table``
for cells); ``n`` and ``t`` count the document's paragraphs and tables from 1. The OCR path
uses the prefix ``ocr-``, so a reader can tell a scanned value from a printed one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gk_extract.models import Block, Paragraph, Table, TextLine, Word
from gk_extract.parse.layout import lines as text
from gk_extract.parse.layout.geometry import BBox, Char, Edge, outward, text_box
from gk_extract.parse.layout.join import first_block, join_parts
from gk_extract.parse.layout.tables import (
    TEXT_SLACK_PT,
    TablePart,
    aligned_parts,
    build_table,
    ruled_regions,
    table_parts,
)

logger = logging.getLogger(__name__)

# A gap of this many em between glyphs on a line parts two words (positioned_lines): Chinese
# text is set solid, a digit beside a Han glyph 0.2 em apart; in LibreOffice prints of
# borderless report tables the nearest columns (section 三's values, a label cell's last
# glyph and the first value) are 2.7 em and more apart.
WORD_GAP_EM = 1.0


@dataclass(slots=True)
class LaidOutPage:
    """One page between laying out and assembling: its table parts and its other lines."""

    number: int
    width: float
    height: float
    parts: list[TablePart]
    lines: list[text.Line]


# Builds the Table of a part given its 1-based number among the document's tables.
TableMaker = Callable[[TablePart, int], Table]


@dataclass(slots=True)
class _Assembly:
    """Blocks in reading order and the counters their refs use."""

    prefix: str
    make_table: TableMaker
    blocks: list[Block] = field(default_factory=list)
    n_paragraphs: int = 0
    n_tables: int = 0


_Item = tuple[int, float, "text.Line | TablePart"]  # page, top, what


def lay_out(number: int, width: float, height: float, chars: Sequence[Char],
            edges: Sequence[Edge], warnings: list[str]) -> LaidOutPage:
    """Ruled table parts of a page, and the lines of the text outside them."""
    regions = ruled_regions(edges)
    if regions is None:
        warnings.append(f"page {number}: too many rulings for a table; ruled tables not looked for")
        regions = []
    parts, flow = table_parts(regions, chars, number)
    return LaidOutPage(number, width, height, parts, text.group_lines(flow))


def aligned_fallback(page: LaidOutPage) -> None:
    """On a page without a ruled table, lines aligned in columns become table parts."""
    if any(p.n_cols >= 2 for p in page.parts):
        return
    found, used = aligned_parts(page.lines, page.number)
    if found:
        page.parts.extend(found)
        page.lines = [ln for i, ln in enumerate(page.lines) if i not in used]


def positioned_lines(page: LaidOutPage) -> list[TextLine]:
    """The lines of a page with no ruled table, as positioned words (``Document.lines``);
    none for a page whose tables are ruled."""
    if any(p.n_cols >= 2 for p in page.parts):
        return []
    return [TextLine(page.number, tuple(_words(ln))) for ln in page.lines]


def _words(line: text.Line) -> list[Word]:
    """The line's glyphs cut into words at spaces and at gaps of WORD_GAP_EM."""
    runs: list[list[Char]] = []
    for char in line.chars:
        if not char.text.strip():
            continue
        if runs and char.x0 - runs[-1][-1].x1 < WORD_GAP_EM * max(char.size, line.size):
            runs[-1].append(char)
        else:
            runs.append([char])
    return [Word(text.line_text(run), _word_box(run)) for run in runs]


def _word_box(chars: Sequence[Char]) -> BBox:
    """The box holding a word's glyphs as any reader boxes them (the em square's top
    included), TEXT_SLACK_PT wider and rounded outwards, as a ruled cell's box holds them."""
    x0, top, x1, bottom = text_box(chars) or (0.0, 0.0, 0.0, 0.0)
    slack = TEXT_SLACK_PT
    return outward((x0 - slack, top - slack, x1 + slack, bottom + slack))


def drop_furniture(pages: Sequence[LaidOutPage]) -> None:
    """Page numbers and running headers/footers out of every page's lines."""
    running = text.running_texts([(p.height, p.lines) for p in pages])
    for page in pages:
        page.lines = [ln for ln in page.lines if not text.is_furniture(ln, page.height, running)]


def assemble(pages: Sequence[LaidOutPage], prefix: str = "",
             make_table: TableMaker | None = None) -> list[Block]:
    """The pages' tables and paragraphs in reading order, tables joined across pages.

    ``make_table`` turns a (joined) part into its Table; by default ``build_table``."""
    out = _Assembly(prefix, make_table or (lambda part, n: build_table(part, n, prefix)))
    layouts = _layouts(pages)
    run: list[tuple[int, text.Line]] = []
    for page, _, item in join_split_tables(_reading_order(pages)):
        if isinstance(item, text.Line):
            run.append((page, item))
            continue
        _flush_paragraphs(run, layouts, out)
        run = []
        _emit_part(item, out)
    _flush_paragraphs(run, layouts, out)
    return out.blocks


def _reading_order(pages: Sequence[LaidOutPage]) -> list[_Item]:
    items: list[_Item] = []
    for page in sorted(pages, key=lambda p: p.number):
        here: list[_Item] = [(page.number, p.bbox[1], p) for p in page.parts]
        here += [(page.number, ln.top, ln) for ln in page.lines]
        items.extend(sorted(here, key=lambda it: it[1]))
    return items


def join_split_tables(items: list[_Item]) -> list[_Item]:
    """Join each table part that ends a page with the part that starts the next page."""
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
            cut = first_block(second)
            if cut is not None and (joined := join_parts(first, cut[0])) is not None:
                logger.debug("table on page %d continued by the first block of page %d", page,
                             next_page)
                items[i] = (page, top, joined)
                items[i + 1] = (next_page, cut[1].bbox[1], cut[1])
        i += 1
    return items


def _layouts(pages: Sequence[LaidOutPage]) -> dict[int, text.Layout]:
    """Each page's text layout, measured over all pages of the same size."""
    by_size: dict[tuple[int, int], list[LaidOutPage]] = defaultdict(list)
    for page in pages:
        by_size[(round(page.width), round(page.height))].append(page)
    layouts: dict[int, text.Layout] = {}
    for same in by_size.values():
        layout = text.measure_layout([ln for p in same for ln in p.lines], same[0].width)
        layouts.update((p.number, layout) for p in same)
    return layouts


def _flush_paragraphs(run: list[tuple[int, text.Line]], layouts: dict[int, text.Layout],
                      out: _Assembly) -> None:
    """The paragraphs of a run of lines; the run is cut where the page layout changes."""
    start = 0
    for i in range(1, len(run) + 1):
        if i == len(run) or layouts[run[i][0]] is not layouts[run[start][0]]:
            pages_of = {id(ln): page for page, ln in run[start:i]}
            for para in text.paragraphs([ln for _, ln in run[start:i]], layouts[run[start][0]]):
                _emit_paragraph(para.text, pages_of[id(para.lines[0])], para.heading, out)
            start = i


def _emit_paragraph(content: str, page: int, heading: bool, out: _Assembly) -> None:
    if not content:
        return
    out.n_paragraphs += 1
    out.blocks.append(Paragraph(content, ref=f"p{page} {out.prefix}para{out.n_paragraphs}",
                                page=page, heading=heading))


def _emit_part(part: TablePart, out: _Assembly) -> None:
    """A table, or a boxed caption that joined no table as a paragraph."""
    if part.n_cols < 2:
        for cell in sorted(part.cells, key=lambda c: c.top):
            _emit_paragraph(text.join_lines(cell.text.split("\n")), cell.page, False, out)
        return
    out.n_tables += 1
    out.blocks.append(out.make_table(part, out.n_tables))
