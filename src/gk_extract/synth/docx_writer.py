"""Render a synthetic report (or notice) as DOCX bytes with python-docx.

Tables are written cell by cell from the layout grid, with the official template's merges:
a horizontal merge is one ``w:tc`` with ``w:gridSpan``; a vertical merge is a ``w:vMerge
restart`` cell followed by ``w:vMerge`` continuation cells in the rows below. The output is
byte-for-byte deterministic for a given report (fixed core properties and zip timestamps).
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from lxml.etree import _Element

from .layout import Block, GridTable, Para, SpanCell, document_blocks
from .values import SyntheticNotice, SyntheticReport

HEADING_MODES = ("plain", "bold", "style")  # headings as real DOCX reports mark them
BODY_FONT = "仿宋_GB2312"    # the usual government document body font
TITLE_FONT = "方正小标宋简体"
TITLE_SIZE_PT = 22          # 二号, the usual title size
CELL_SIZE_HALF_PTS = "20"   # 10 pt in table cells, as in the official template
BODY_INDENT_PT = 32         # two characters of 16 pt text
GOBACK_RATE = 0.3           # Word leaves a _GoBack bookmark where the editor last was
TEXTBOX_XML = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:pict>'
    '<v:shape id="TitleBox" type="#_x0000_t202" style="width:415pt;height:64pt" stroked="f">'
    '<v:textbox><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/>'
    '<w:sz w:val="44"/></w:rPr><w:t></w:t></w:r></w:p></w:txbxContent></v:textbox>'
    '</v:shape></w:pict></w:r></w:p>'
)


@dataclass(frozen=True, slots=True)
class _Choices:
    """Minor presentation choices, drawn from the report's render seed."""

    heading_mode: str
    line_breaks: bool   # a multi-line cell as w:br inside one paragraph, else one w:p per line
    goback: bool


def _choices(seed: int) -> _Choices:
    rng = random.Random(f"{seed}:docx")
    return _Choices(rng.choice(HEADING_MODES), rng.random() < 0.5, rng.random() < GOBACK_RATE)


# ----------------------------------------------------------------------------- paragraphs


def _set_east_asian_font(run_props: _Element, font: str) -> None:
    fonts = run_props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_props.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _add_title(doc: DocxDocument, text: str, in_textbox: bool) -> None:
    if in_textbox:
        box = parse_xml(TEXTBOX_XML)
        box.find(".//" + qn("w:t")).text = text
        doc.element.body.append(box)
        return
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.font.size = True, Pt(TITLE_SIZE_PT)
    _set_east_asian_font(run._r.get_or_add_rPr(), TITLE_FONT)


def _add_heading(doc: DocxDocument, text: str, mode: str) -> None:
    if mode == "style":
        doc.add_paragraph(text, style="Heading 2")
        return
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(BODY_INDENT_PT)
    paragraph.add_run(text).bold = mode == "bold"


def _add_paragraph(doc: DocxDocument, block: Para) -> None:
    paragraph = doc.add_paragraph(block.text)
    if block.role == "signature":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        paragraph.paragraph_format.first_line_indent = Pt(BODY_INDENT_PT)


def _add_goback(doc: DocxDocument) -> None:
    last = doc.paragraphs[-1]._p
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), "_GoBack")
    end.set(qn("w:id"), "0")
    last.append(start)
    last.append(end)


# ----------------------------------------------------------------------------- tables


def _run(text: str) -> _Element:
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), CELL_SIZE_HALF_PTS)
    props.append(size)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    return run


def _cell_paragraph(lines: list[str]) -> _Element:
    """One centred paragraph; several lines are joined with w:br."""
    paragraph = OxmlElement("w:p")
    props = OxmlElement("w:pPr")
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    props.append(jc)
    paragraph.append(props)
    for i, line in enumerate(lines):
        if i:
            br_run = OxmlElement("w:r")
            br_run.append(OxmlElement("w:br"))
            paragraph.append(br_run)
        if line:
            paragraph.append(_run(line))
    return paragraph


def _tc(width: int, text: str, span: int, vmerge: str | None, line_breaks: bool) -> _Element:
    tc = OxmlElement("w:tc")
    props = OxmlElement("w:tcPr")
    tc_w = OxmlElement("w:tcW")
    tc_w.set(qn("w:w"), str(width))
    tc_w.set(qn("w:type"), "dxa")
    props.append(tc_w)
    if span > 1:
        grid_span = OxmlElement("w:gridSpan")
        grid_span.set(qn("w:val"), str(span))
        props.append(grid_span)
    if vmerge is not None:
        merge = OxmlElement("w:vMerge")
        if vmerge == "restart":
            merge.set(qn("w:val"), "restart")
        props.append(merge)
    v_align = OxmlElement("w:vAlign")
    v_align.set(qn("w:val"), "center")
    props.append(v_align)
    tc.append(props)
    lines = text.split("\n")
    paragraphs = [lines] if line_breaks else [[line] for line in lines]
    for lines_of_p in paragraphs:
        tc.append(_cell_paragraph(lines_of_p))
    return tc


def _row_tcs(table: GridTable, grid: list[list[SpanCell | None]], r: int,
             line_breaks: bool) -> list[_Element]:
    """The w:tc elements of grid row ``r``: origins, and continuations of vertical merges."""
    tcs, c = [], 0
    while c < table.n_cols:
        cell = grid[r][c]
        if cell is None:  # an uncovered slot: an empty cell keeps the row full
            tcs.append(_tc(table.widths[c], "", 1, None, line_breaks))
            c += 1
            continue
        width = sum(table.widths[cell.col:cell.col + cell.colspan])
        origin = cell.row == r
        vmerge = None if cell.rowspan == 1 else ("restart" if origin else "continue")
        tcs.append(_tc(width, cell.text if origin else "", cell.colspan, vmerge, line_breaks))
        c += cell.colspan
    return tcs


def _set_grid(table: DocxTable, widths: tuple[int, ...]) -> None:
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        grid_col.set(qn("w:w"), str(width))


def _add_table(doc: DocxDocument, table: GridTable, line_breaks: bool) -> None:
    docx_table = doc.add_table(rows=0, cols=table.n_cols)
    docx_table.style = "Table Grid"
    _set_grid(docx_table, table.widths)
    grid = table.origin_grid()
    for r in range(table.n_rows):
        tr = OxmlElement("w:tr")
        for tc in _row_tcs(table, grid, r, line_breaks):
            tr.append(tc)
        docx_table._tbl.append(tr)


# ----------------------------------------------------------------------------- document


def _set_properties(doc: DocxDocument, source: SyntheticReport | SyntheticNotice, title: str) -> None:
    """Fixed core properties: python-docx would otherwise stamp its own defaults."""
    stamp = datetime(source.published.year, source.published.month, source.published.day,
                     9, 0, tzinfo=timezone.utc)
    props = doc.core_properties
    props.author = props.last_modified_by = source.agency
    props.title, props.comments, props.revision = title, "", 1
    props.created = props.modified = stamp


def _set_base_font(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _set_east_asian_font(normal.element.get_or_add_rPr(), BODY_FONT)


def _render_block(doc: DocxDocument, block: Block, choices: _Choices, previous: Block | None) -> None:
    if isinstance(block, GridTable):
        if isinstance(previous, GridTable):
            doc.add_paragraph()  # Word joins adjacent tables; real files keep an empty line
        _add_table(doc, block, choices.line_breaks)
    elif block.role == "heading":
        _add_heading(doc, block.text, choices.heading_mode)
    else:
        _add_paragraph(doc, block)


def _fixed_zip(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Rewrite the package with fixed entry timestamps (zipfile stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_docx(source: SyntheticReport | SyntheticNotice) -> bytes:
    """The report (or notice) as a .docx file; the same input gives the same bytes."""
    blocks = document_blocks(source)
    choices = _choices(source.render_seed)
    doc = Document()
    _set_base_font(doc)
    title, *rest = blocks
    assert isinstance(title, Para)
    _set_properties(doc, source, title.text)
    _add_title(doc, title.text, isinstance(source, SyntheticReport) and source.title_in_textbox)
    previous: Block | None = title
    for block in rest:
        _render_block(doc, block, choices, previous)
        previous = block
    if choices.goback:
        _add_goback(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    day = source.published
    return _fixed_zip(buffer.getvalue(), (day.year, day.month, day.day, 9, 0, 0))
