"""DOCX bytes -> :class:`~gk_extract.models.Document`.

Reads the OOXML package with :mod:`zipfile` (``package``) and parses ``word/document.xml``
(and the styles and core-properties parts) with lxml directly: opening the package with
python-docx costs 5-10 ms per file, as much as this whole parser, and its block iteration
does not look through content controls, revisions or text boxes, while the pipeline budget
is ~25 ms per report for every stage together.

What comes out, in ``w:body`` order (content controls and custom XML are see-through):

* :class:`Paragraph` for every non-empty ``w:p``. Text is the concatenation of ``w:t``
  (``w:tab``/``w:ptab`` -> ``\\t``, ``w:br``/``w:cr`` -> ``\\n``, ``w:noBreakHyphen`` -> ``-``);
  deleted or moved-away text (``w:del``, ``w:moveFrom``), field instructions, hidden runs
  (``w:vanish``) and markup debris are dropped; inserted text (``w:ins``) is kept.
  Text boxes (``w:txbxContent``) become blocks of their own right after the paragraph that
  anchors them; of an ``mc:AlternateContent`` only one branch is read, so a text box that
  Word writes twice (DrawingML choice + VML fallback) appears once.
* :class:`Table` for every table with some text, as origin cells on a span-aware grid
  (``w:gridBefore``/``w:gridAfter`` skip grid columns, ``w:gridSpan`` and legacy
  ``w:hMerge`` widen a cell, ``w:vMerge`` continuations extend the cell above).
  A table nested in a cell is left out of that cell's text and emitted as its own Table
  right after the outer one (depth first: ``table3``, ``table3.1``, ``table3.1.1``,
  ``table3.2``). A table with no text at all is dropped.

Ref conventions (provenance, see STYLE.md habit 7):

* ``Paragraph.ref`` = ``p{n}``: ``n`` is the 1-based position of the ``w:p`` among all
  paragraphs outside tables in reading order, *empty ones included*, so it points at the
  source paragraph even though empty paragraphs are not emitted.
* ``Table.ref`` = ``table{n}``: ``n`` is the 1-based position among top-level tables in
  reading order, dropped (all-empty) tables included; a nested table adds ``.{k}``
  (1-based within its parent): ``table3.1``, ``table3.1.2``.
* ``Cell.ref`` = ``{table ref} r{row} c{col}`` with the cell's *0-based* grid row and column
  (the same numbers as ``Cell.row`` / ``Cell.col``), e.g. ``table2 r7 c3``.

Modules: ``ooxml`` (vocabulary), ``package`` (zip, parts, core properties), ``styles``,
``text`` (one paragraph), ``tables`` (one table's grid); the body walk is here.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass, field

from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.formats import Format
from gk_extract.models import Block, Document, Paragraph
from gk_extract.parse.docx.ooxml import A_BLIP, BLOCKS, V_IMAGEDATA, W_BODY, W_P, R, flat_children
from gk_extract.parse.docx.package import (
    core_meta,
    document_title,
    open_package,
    package_images,
    package_parts,
    parse_xml,
    part_targets,
    read_part,
)
from gk_extract.parse.docx.styles import Styles
from gk_extract.parse.docx.tables import TableBuilder
from gk_extract.parse.docx.text import Context, paragraph_text

logger = logging.getLogger(__name__)

__all__ = ["package_images", "parse_docx"]



def parse_docx(data: bytes) -> Document:
    """Parse a DOCX file's bytes into a Document; raise ParseError when it is broken."""
    package = open_package(data)
    warnings: list[str] = []
    main_name, core_name = package_parts(package, warnings)
    raw = read_part(package, main_name, required=True)
    body = parse_xml(raw, main_name).find(W_BODY)
    if body is None:
        raise ParseError(f"docx: {main_name} has no w:body")
    styles_name = posixpath.join(posixpath.dirname(main_name), "styles.xml")
    ctx = Context(
        Styles(package, styles_name, warnings),
        any_hidden=raw is not None and b"vanish" in raw,
    )
    walker = _BodyWalker(ctx, warnings)
    walker.walk(body)
    meta = core_meta(package, core_name, warnings)
    return Document(
        format=Format.DOCX,
        blocks=tuple(walker.blocks),
        title=document_title(meta),
        meta=meta,
        warnings=tuple(warnings),
        images=tuple(_pictures(body, part_targets(package, main_name, warnings))),
    )


def _pictures(body: etree._Element, targets: dict[str, str]) -> list[str]:
    """The image parts the body shows, in reading order, once each (a picture Word writes
    twice, DrawingML and its VML fallback, names one part)."""
    found: dict[str, None] = {}
    for el in body.iter(A_BLIP, V_IMAGEDATA):
        rid = el.get(R + "embed") if el.tag == A_BLIP else el.get(R + "id")
        if rid in targets:
            found.setdefault(targets[rid], None)
    return list(found)




@dataclass(slots=True)
class _BodyWalker:
    """Emits blocks in reading order and numbers paragraphs and tables for their refs."""

    ctx: Context
    warnings: list[str]
    blocks: list[Block] = field(default_factory=list)
    n_paragraphs: int = 0
    n_tables: int = 0

    def walk(self, container: etree._Element) -> None:
        for el in flat_children(container, BLOCKS):
            if el.tag == W_P:
                self._paragraph(el)
            else:
                self.n_tables += 1
                self._table(el, f"table{self.n_tables}")

    def _paragraph(self, p: etree._Element) -> None:
        self.n_paragraphs += 1
        acc, heading = paragraph_text(p, self.ctx, headings=True)
        text = acc.text
        if text:
            self.blocks.append(Paragraph(text, ref=f"p{self.n_paragraphs}", heading=heading))
        for box in acc.boxes:
            self.walk(box)

    def _table(self, tbl: etree._Element, ref: str) -> None:
        nested: list[etree._Element] = []
        table = TableBuilder(ref, self.ctx, nested, self.warnings).build(tbl)
        if table is not None:
            self.blocks.append(table)
        else:
            logger.debug("docx %s: table without text dropped", ref)
        for k, child in enumerate(nested, start=1):
            self._table(child, f"{ref}.{k}")

