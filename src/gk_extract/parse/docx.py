"""DOCX bytes -> :class:`~gk_extract.models.Document`.

Reads the OOXML package with :mod:`zipfile` and parses ``word/document.xml`` (and the
styles and core-properties parts) with lxml directly: opening the package with
python-docx costs several milliseconds per file and gives us nothing we need, while
the pipeline budget is ~25 ms per report for every stage together.

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
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import regex
from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.models import Block, Cell, Document, Paragraph, Table

logger = logging.getLogger(__name__)

__all__ = ["parse_docx"]

# Largest XML part we decompress. A 300-page report with heavily formatted tables has
# ~20 MB of document.xml; anything above 64 MB is a zip bomb or not a report.
MAX_PART_BYTES = 64 * 1024 * 1024

# Word's tables have at most 63 grid columns, so no gridSpan/gridBefore/gridAfter can
# exceed it; a bigger value is corrupt or hostile and would blow up Table.grid() later.
MAX_GRID_SPAN = 63

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# "Strict Open XML" saves use another namespace for the same vocabulary; we map it onto
# the transitional one before parsing instead of doubling every tag constant.
_W_STRICT_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_W = f"{{{_W_NS}}}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"

W_P, W_TBL, W_TR, W_TC, W_R, W_T = (_W + t for t in ("p", "tbl", "tr", "tc", "r", "t"))
W_BODY, W_SDT, W_SDT_CONTENT = _W + "body", _W + "sdt", _W + "sdtContent"
W_TXBX = _W + "txbxContent"
W_PPR, W_RPR, W_TCPR, W_TRPR = _W + "pPr", _W + "rPr", _W + "tcPr", _W + "trPr"
W_VAL = _W + "val"
MC_ALT, MC_CHOICE, MC_FALLBACK = _MC + "AlternateContent", _MC + "Choice", _MC + "Fallback"

# Block-level wrappers (around w:p, w:tbl, w:tr, w:tc) that we look through.
_BLOCK_WRAPPERS = frozenset(_W + t for t in ("customXml", "ins", "moveTo"))
# Subtrees of a paragraph whose text a reader never sees (deleted or moved-away revisions,
# property blocks). Every other element is walked through, so an unknown wrapper
# (hyperlink, smartTag, fldSimple, sdt, ins, dir …) never loses text.
_INVISIBLE = frozenset(_W + t for t in ("del", "moveFrom", "pPr", "rPr", "sdtPr", "sdtEndPr"))
# Run children that stand for a character; w:t is handled separately.
_RUN_CHARS = {
    _W + "tab": "\t",
    _W + "ptab": "\t",
    _W + "br": "\n",
    _W + "cr": "\n",
    _W + "noBreakHyphen": "-",
}
# Run children that may hold a text box (DrawingML, VML, embedded object).
_RUN_HOSTS = frozenset((_W + "drawing", _W + "pict", _W + "object", MC_ALT))

_FALSE_VALUES = frozenset(("0", "false", "off"))
_HEADING_STYLE = regex.compile(r"^\s*(heading|标题|title|subtitle|副标题)", regex.IGNORECASE)
# Body-text outline level: levels 0-8 are headings, 9 means "no level".
_BODY_OUTLINE_LEVEL = 9
# Titles that Word, WPS and converters write when the author typed none: a converter
# stamp ("Microsoft Word - 报告.doc"), a "new document" name, a bare placeholder word
# ("Document1", "无标题"), or a file name.
_DEFAULT_TITLE = regex.compile(
    r"^\s*(microsoft\s*word\s*-|新建\s*(microsoft\s*)?(word|wps|docx?|文字|文档))"
    r"|^\s*(untitled|无标题|document|doc|文档|标题|title|word\s*文档|空白文档)\s*\d*\s*$"
    r"|\.(docx?|dotx?|docm|wps|wpt|pdf|rtf|txt|html?)\s*$",
    regex.IGNORECASE,
)

# Everything that zipfile/zlib raise on a damaged, truncated, encrypted or exotic package.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)

# No entity expansion, no network: a document part is data, never instructions.
# collect_ids=False: we never look up xml:id, and indexing them costs parse time.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)


# --------------------------------------------------------------------------- public API


def parse_docx(data: bytes) -> Document:
    """Parse a DOCX file's bytes into a Document; raise ParseError when it is broken."""
    package = _open_package(data)
    warnings: list[str] = []
    main_name, core_name = _package_parts(package, warnings)
    raw = _read_part(package, main_name, required=True)
    body = _parse_xml(raw, main_name).find(W_BODY)
    if body is None:
        raise ParseError(f"docx: {main_name} has no w:body")
    styles_name = posixpath.join(posixpath.dirname(main_name), "styles.xml")
    ctx = _Context(
        _Styles(package, styles_name, warnings),
        any_hidden=raw is not None and b"vanish" in raw,
    )
    walker = _BodyWalker(ctx, warnings)
    walker.walk(body)
    meta = _core_meta(package, core_name, warnings)
    return Document(
        format="docx",
        blocks=tuple(walker.blocks),
        title=_title(meta),
        meta=meta,
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- package


def _open_package(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise ParseError(f"docx: not a readable zip package ({_one_line(exc)})") from None


def _read_part(package: zipfile.ZipFile, name: str, *, required: bool) -> bytes | None:
    """A part's bytes, refusing parts over MAX_PART_BYTES (the header may lie, so we count)."""
    try:
        info = package.getinfo(name)
    except KeyError:
        if required:
            raise ParseError(f"docx: package has no {name}") from None
        return None
    if info.file_size > MAX_PART_BYTES:
        raise ParseError(f"docx: {name} is {info.file_size} bytes, over {MAX_PART_BYTES}")
    try:
        with package.open(info) as stream:
            raw = stream.read(MAX_PART_BYTES + 1)
    except _ZIP_ERRORS as exc:
        raise ParseError(f"docx: cannot decompress {name} ({_one_line(exc)})") from None
    if len(raw) > MAX_PART_BYTES:
        raise ParseError(f"docx: {name} inflates beyond {MAX_PART_BYTES} bytes")
    return raw


def _parse_xml(raw: bytes | None, name: str) -> etree._Element:
    if raw is None:
        raise ParseError(f"docx: package has no {name}")
    if _W_STRICT_NS in raw:
        raw = raw.replace(_W_STRICT_NS, _W_NS.encode())
    try:
        return etree.fromstring(raw, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"docx: {name} is not well-formed XML ({_one_line(exc)})") from None


def _optional_xml(
    package: zipfile.ZipFile, name: str, warnings: list[str]
) -> etree._Element | None:
    """A part we can do without (styles, metadata, rels): broken or missing costs a warning."""
    try:
        raw = _read_part(package, name, required=False)
        return None if raw is None else _parse_xml(raw, name)
    except ParseError as exc:
        warnings.append(str(exc))
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _package_parts(package: zipfile.ZipFile, warnings: list[str]) -> tuple[str, str]:
    """Names of the main document and core-properties parts, from _rels/.rels.

    Without a usable rels part we fall back on the names every Word and WPS version writes.
    """
    main, core = "word/document.xml", "docProps/core.xml"
    rels = _optional_xml(package, "_rels/.rels", warnings)
    for rel in () if rels is None else rels.iter(_REL + "Relationship"):
        kind, target = rel.get("Type", ""), rel.get("Target", "").lstrip("/")
        if target and kind.endswith("/officeDocument"):
            main = target
        elif target and kind.endswith("/core-properties"):
            core = target
    return main, core


# --------------------------------------------------------------------------- core properties


def _core_meta(package: zipfile.ZipFile, name: str, warnings: list[str]) -> dict[str, str]:
    """title/creator/created/modified from docProps/core.xml; dates as ISO 8601 strings."""
    root = _optional_xml(package, name, warnings)
    if root is None:
        return {}
    meta: dict[str, str] = {}
    for key, tag in (
        ("title", _DC + "title"),
        ("creator", _DC + "creator"),
        ("created", _DCTERMS + "created"),
        ("modified", _DCTERMS + "modified"),
    ):
        text = (root.findtext(tag) or "").strip()
        value = _iso_date(text) if key in ("created", "modified") else text
        if value:
            meta[key] = value
    return meta


def _iso_date(text: str) -> str:
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def _title(meta: dict[str, str]) -> str | None:
    """The core-properties title unless it is a filename, a converter stamp or a default."""
    title = meta.get("title", "")
    if len(title) < 2 or not regex.search(r"\p{L}", title) or _DEFAULT_TITLE.search(title):
        return None
    return title


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True, slots=True)
class _StyleDef:
    based_on: str | None
    heading: bool
    bold: bool | None


@dataclass(slots=True)
class _Styles:
    """Just enough of styles.xml to answer "is this a heading style" and "is it bold".

    Loaded on the first question that a style id alone cannot answer: styles.xml is often
    larger than the document itself (python-docx's template: 350 KB, ~9 ms to parse and
    index), and most paragraphs of a report either carry no style or a ``Heading*`` id.
    """

    package: zipfile.ZipFile
    name: str
    warnings: list[str]
    elements: dict[str, etree._Element] | None = None
    defs: dict[str, _StyleDef | None] = field(default_factory=dict)

    def is_heading(self, style_id: str | None) -> bool:
        if style_id and _HEADING_STYLE.match(style_id):
            return True
        return any(d.heading for d in self._chain(style_id))

    def bold(self, style_id: str | None) -> bool | None:
        """Whether the style (or the nearest ancestor that says) is bold; None if none says."""
        for d in self._chain(style_id):
            if d.bold is not None:
                return d.bold
        return None

    def _chain(self, style_id: str | None) -> Iterator[_StyleDef]:
        """The style and its basedOn ancestors; a cycle in a corrupt file stops the walk."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            definition = self._definition(style_id)
            if definition is None:
                return
            yield definition
            style_id = definition.based_on

    def _definition(self, style_id: str) -> _StyleDef | None:
        if style_id not in self.defs:
            if self.elements is None:
                self.elements = _style_elements(
                    _optional_xml(self.package, self.name, self.warnings)
                )
            element = self.elements.get(style_id)
            self.defs[style_id] = None if element is None else _style_def(element)
        return self.defs[style_id]


def _style_elements(root: etree._Element | None) -> dict[str, etree._Element]:
    """w:styleId -> w:style; no styles part means no style-based hints, not an error."""
    if root is None:
        return {}
    return {s.get(_W + "styleId", ""): s for s in root.iterchildren(_W + "style")}


def _style_def(style: etree._Element) -> _StyleDef:
    name = _val(style.find(_W + "name")) or ""
    ppr, rpr = style.find(W_PPR), style.find(W_RPR)
    outline = None if ppr is None else ppr.find(_W + "outlineLvl")
    bold = None if rpr is None else rpr.find(_W + "b")
    return _StyleDef(
        based_on=_val(style.find(_W + "basedOn")),
        heading=bool(_HEADING_STYLE.match(name)) or _is_outline(outline),
        bold=None if bold is None else _is_on(bold),
    )


def _is_outline(level: etree._Element | None) -> bool:
    """A w:outlineLvl that makes the paragraph a heading (levels 0-8)."""
    value = _val(level)
    return value is not None and value.isdigit() and int(value) < _BODY_OUTLINE_LEVEL


def _is_on(prop: etree._Element | None) -> bool:
    """An on/off property such as w:b or w:vanish: present and not switched off."""
    return prop is not None and prop.get(W_VAL, "true").lower() not in _FALSE_VALUES


# --------------------------------------------------------------------------- paragraph text


@dataclass(frozen=True, slots=True)
class _Context:
    """Per-document facts the text walk needs.

    ``any_hidden`` is False when the document never mentions w:vanish, which lets the walk
    skip reading every run's properties in table cells (the hot path: ~300 cells/report).
    """

    styles: _Styles
    any_hidden: bool


@dataclass(slots=True)
class _ParaText:
    """What one w:p yields: pieces of text, bold flags of its inked runs, its text boxes.

    ``track_bold`` is off for table cells and for paragraphs whose style already makes them
    headings: reading every run's formatting is the expensive part of the walk.
    """

    ctx: _Context
    track_bold: bool
    style: str | None = None
    pieces: list[str] = field(default_factory=list)
    bold_runs: list[bool] = field(default_factory=list)
    boxes: list[etree._Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces).strip()


def _paragraph_text(p: etree._Element, ctx: _Context, *, headings: bool) -> tuple[_ParaText, bool]:
    """The paragraph's text and, when ``headings``, whether markup says it is a heading."""
    if not headings:
        acc = _ParaText(ctx, track_bold=False)
        _collect(p, acc)
        return acc, False
    props = _prop_map(_leading_props(p, W_PPR))
    style = _val(props.get(_W + "pStyle"))
    styled = _is_outline(props.get(_W + "outlineLvl")) or ctx.styles.is_heading(style)
    acc = _ParaText(ctx, track_bold=not styled, style=style)
    _collect(p, acc)
    return acc, styled or (bool(acc.bold_runs) and all(acc.bold_runs))


def _collect(el: etree._Element, acc: _ParaText) -> None:
    for child in el:
        tag = child.tag
        if tag == W_R:
            _run(child, acc)
        elif tag == MC_ALT:
            branch = _alternate_branch(child)
            if branch is not None:
                _collect(branch, acc)
        elif isinstance(tag, str) and tag not in _INVISIBLE:
            _collect(child, acc)


def _run(r: etree._Element, acc: _ParaText) -> None:
    parts: list[str] = []
    for child in r:
        tag = child.tag
        if tag == W_T:
            parts.append(child.text or "")
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag in _RUN_HOSTS:
            _find_boxes(child, acc)
    if not parts:
        return
    text = "".join(parts)
    inked = acc.track_bold and not text.isspace()
    props = _prop_map(_leading_props(r, W_RPR)) if inked or acc.ctx.any_hidden else {}
    if _is_on(props.get(_W + "vanish")):
        return  # hidden text: not what a reader of the report sees
    acc.pieces.append(text)
    if inked:
        acc.bold_runs.append(_run_bold(props, acc.ctx.styles, acc.style))


def _run_bold(props: dict[str, etree._Element], styles: _Styles, para_style: str | None) -> bool:
    """Direct w:b, else the character style's, else the paragraph style's boldness."""
    direct = props.get(_W + "b")
    if direct is not None:
        return _is_on(direct)
    for style_id in (_val(props.get(_W + "rStyle")), para_style):
        bold = styles.bold(style_id)
        if bold is not None:
            return bold
    return False


def _find_boxes(el: etree._Element, acc: _ParaText) -> None:
    """Text boxes in a drawing/VML/object subtree, reading one AlternateContent branch only."""
    if el.tag == W_TXBX:
        acc.boxes.append(el)
        return
    branch = _alternate_branch(el) if el.tag == MC_ALT else el
    for child in () if branch is None else branch:
        if isinstance(child.tag, str):
            _find_boxes(child, acc)


def _alternate_branch(alt: etree._Element) -> etree._Element | None:
    """The first mc:Choice (we can read every branch), else the mc:Fallback."""
    choice = alt.find(MC_CHOICE)
    return choice if choice is not None else alt.find(MC_FALLBACK)


def _leading_props(el: etree._Element, tag: str) -> etree._Element | None:
    """The property child (w:pPr, w:rPr), which the schema puts first.

    Looking only at the first child is several times faster than ``find`` on the hot path.
    """
    for child in el:
        return child if child.tag == tag else None
    return None


def _prop_map(props: etree._Element | None) -> dict[str, etree._Element]:
    """Property elements by tag: one pass instead of one ``find`` per property."""
    return {} if props is None else {child.tag: child for child in props}


def _val(prop: etree._Element | None) -> str | None:
    return None if prop is None else prop.get(W_VAL)


_BLOCKS = (W_P, W_TBL)


def _flat_children(container: etree._Element, wanted: tuple[str, ...]) -> Iterator[etree._Element]:
    """Children with a ``wanted`` tag, looking through content controls and wrappers."""
    for child in container:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from _flat_children(content, wanted)
        elif tag == MC_ALT:
            branch = _alternate_branch(child)
            if branch is not None:
                yield from _flat_children(branch, wanted)
        elif tag in _BLOCK_WRAPPERS:
            yield from _flat_children(child, wanted)


# --------------------------------------------------------------------------- body


@dataclass(slots=True)
class _BodyWalker:
    """Emits blocks in reading order and numbers paragraphs and tables for their refs."""

    ctx: _Context
    warnings: list[str]
    blocks: list[Block] = field(default_factory=list)
    n_paragraphs: int = 0
    n_tables: int = 0

    def walk(self, container: etree._Element) -> None:
        for el in _flat_children(container, _BLOCKS):
            if el.tag == W_P:
                self._paragraph(el)
            else:
                self.n_tables += 1
                self._table(el, f"table{self.n_tables}")

    def _paragraph(self, p: etree._Element) -> None:
        self.n_paragraphs += 1
        acc, heading = _paragraph_text(p, self.ctx, headings=True)
        text = acc.text
        if text:
            self.blocks.append(Paragraph(text, ref=f"p{self.n_paragraphs}", heading=heading))
        for box in acc.boxes:
            self.walk(box)

    def _table(self, tbl: etree._Element, ref: str) -> None:
        nested: list[etree._Element] = []
        table = _TableBuilder(ref, self.ctx, nested, self.warnings).build(tbl)
        if table is not None:
            self.blocks.append(table)
        else:
            logger.debug("docx %s: table without text dropped", ref)
        for k, child in enumerate(nested, start=1):
            self._table(child, f"{ref}.{k}")


# --------------------------------------------------------------------------- tables


@dataclass(slots=True)
class _Pending:
    """A mutable origin cell while its row/column spans are still growing."""

    row: int
    col: int
    text: str
    colspan: int
    rowspan: int = 1


@dataclass(slots=True)
class _TableBuilder:
    """Walks one w:tbl into origin cells on the table grid."""

    ref: str
    ctx: _Context
    nested: list[etree._Element]
    warnings: list[str]
    cells: list[_Pending] = field(default_factory=list)
    props: dict[etree._Element, _CellProps] = field(default_factory=dict)
    n_cols: int = 0

    def build(self, tbl: etree._Element) -> Table | None:
        self.props = _cell_props_index(tbl)
        above: dict[int, _Pending] = {}
        n_rows = 0
        for tr in _flat_children(tbl, (W_TR,)):
            row = _row_props(tr)
            if row.deleted:
                continue  # a tracked row deletion: the reader sees no such row
            above = self._row(tr, row, n_rows, above)
            n_rows += 1
        if not any(c.text for c in self.cells):
            return None
        cells = tuple(
            Cell(
                c.row,
                c.col,
                c.text,
                c.rowspan,
                c.colspan,
                ref=f"{self.ref} r{c.row} c{c.col}",
                method="docx",
            )
            for c in self.cells
        )
        return Table(cells, n_rows=n_rows, n_cols=self.n_cols, ref=self.ref)

    def _row(
        self, tr: etree._Element, row: _RowProps, r: int, above: dict[int, _Pending]
    ) -> dict[int, _Pending]:
        """Place one row's cells; return grid column -> cell covering it in this row."""
        col = row.grid_before
        here: dict[int, _Pending] = {}
        last: _Pending | None = None
        for tc in _flat_children(tr, (W_TC,)):
            props = self.props.get(tc, _PLAIN_CELL)
            cell = self._place(tc, props, r, col, above, last)
            for c in range(cell.col, cell.col + cell.colspan):
                here[c] = cell
            last, col = cell, col + props.span
        self.n_cols = max(self.n_cols, col + row.grid_after)
        return here

    def _place(
        self,
        tc: etree._Element,
        props: _CellProps,
        r: int,
        col: int,
        above: dict[int, _Pending],
        last: _Pending | None,
    ) -> _Pending:
        """The cell this w:tc belongs to: a merge origin it extends, or a new cell."""
        if props.h_continue and last is not None:
            last.colspan += props.span
            return last
        if props.v_continue:
            origin = above.get(col)
            if origin is not None and origin.row + origin.rowspan == r:
                origin.rowspan += 1
                if any(t.text for t in tc.iter(W_T)):  # Word never shows it; say we dropped it
                    self.warnings.append(f"{self.ref} r{r} c{col}: text in a vMerge continuation")
                return origin
            if origin is None:
                self.warnings.append(f"{self.ref} r{r} c{col}: vMerge continues no cell above")
        cell = _Pending(r, col, self._cell_text(tc), props.span)
        self.cells.append(cell)
        return cell

    def _cell_text(self, container: etree._Element) -> str:
        return "\n".join(self._cell_lines(container)).strip()

    def _cell_lines(self, container: etree._Element) -> list[str]:
        """Non-empty paragraph texts (text boxes inline); nested tables set aside."""
        lines: list[str] = []
        for el in _flat_children(container, _BLOCKS):
            if el.tag == W_TBL:
                self.nested.append(el)
                continue
            acc, _ = _paragraph_text(el, self.ctx, headings=False)
            text = acc.text
            if text:
                lines.append(text)
            for box in acc.boxes:
                lines.extend(self._cell_lines(box))
        return lines


@dataclass(frozen=True, slots=True)
class _RowProps:
    grid_before: int = 0
    grid_after: int = 0
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class _CellProps:
    span: int = 1
    h_continue: bool = False
    v_continue: bool = False


_PLAIN_ROW, _PLAIN_CELL = _RowProps(), _CellProps()
W_GRID_BEFORE, W_GRID_AFTER, W_DEL = _W + "gridBefore", _W + "gridAfter", _W + "del"
W_GRID_SPAN, W_HMERGE, W_VMERGE = _W + "gridSpan", _W + "hMerge", _W + "vMerge"


def _row_props(tr: etree._Element) -> _RowProps:
    trpr = tr.find(W_TRPR)  # not first: w:tblPrEx may precede it
    if trpr is None:
        return _PLAIN_ROW
    before, after, deleted = 0, 0, False
    for prop in trpr:
        tag = prop.tag
        if tag == W_GRID_BEFORE:
            before = _grid_count(prop, 0)
        elif tag == W_GRID_AFTER:
            after = _grid_count(prop, 0)
        elif tag == W_DEL:
            deleted = True
    return _RowProps(before, after, deleted)


def _cell_props_index(tbl: etree._Element) -> dict[etree._Element, _CellProps]:
    """w:tc -> spans and merge flags, for the cells that have any.

    One C-level ``iter`` over the table finds the few span/merge elements; walking every
    cell's w:tcPr in Python instead cost a third of the whole walk. lxml hands back the same
    proxy object for a node while one is alive, so the w:tc elements work as dict keys.
    """
    found: dict[etree._Element, dict[str, etree._Element]] = {}
    for prop in tbl.iter(W_GRID_SPAN, W_HMERGE, W_VMERGE):
        tcpr = prop.getparent()
        tc = None if tcpr is None or tcpr.tag != W_TCPR else tcpr.getparent()
        if tc is not None and tc.tag == W_TC:  # not the old values inside w:tcPrChange
            found.setdefault(tc, {})[prop.tag] = prop
    return {tc: _cell_props(props) for tc, props in found.items()}


def _cell_props(props: dict[str, etree._Element]) -> _CellProps:
    span, h_merge, v_merge = props.get(W_GRID_SPAN), props.get(W_HMERGE), props.get(W_VMERGE)
    return _CellProps(
        span=max(_grid_count(span, 1), 1),
        h_continue=h_merge is not None and _continues(h_merge),
        v_continue=v_merge is not None and _continues(v_merge),
    )


def _continues(merge: etree._Element) -> bool:
    """A w:vMerge/w:hMerge that continues a merge (no val, or val="continue")."""
    return merge.get(W_VAL, "continue") == "continue"


def _grid_count(prop: etree._Element | None, default: int) -> int:
    """A count of grid columns, clamped to 0..MAX_GRID_SPAN; unreadable -> ``default``."""
    value = _val(prop)
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return min(max(number, 0), MAX_GRID_SPAN)
