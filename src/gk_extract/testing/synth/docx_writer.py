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
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt

from .layout import Block, GridTable, Para, SpanCell, document_blocks
from .values import SyntheticNotice, SyntheticReport

HEADING_MODES = ("plain", "bold", "style")  # headings as real DOCX reports mark them
BODY_FONT = "仿宋_GB2312"  # the usual government document body font
TITLE_FONT = "方正小标宋简体"
TITLE_SIZE_PT = 22  # 二号, the usual title size
CELL_SIZE_HALF_PTS = "20"  # 10 pt in table cells, as in the official template
TABLE_STYLE = "Table Grid"  # ruled borders on every cell, like the template
BODY_INDENT_PT = 32  # two characters of 16 pt text
GOBACK_RATE = 0.3  # Word leaves a _GoBack bookmark where the editor last was
# A legacy VML text box (what WPS and older Word write): the title then lives in
# w:txbxContent, outside the body's paragraph list.
TEXTBOX_XML = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    "<w:r><w:pict>"
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
    '<v:shape id="TitleBox" type="#_x0000_t202" style="width:415pt;height:64pt" stroked="f">'
    '<v:textbox><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/>'
    '<w:sz w:val="44"/></w:rPr><w:t></w:t></w:r></w:p></w:txbxContent></v:textbox>'
    "</v:shape></w:pict></w:r></w:p>"
)


@dataclass(frozen=True, slots=True)
class _Choices:
    """Minor presentation choices, drawn from the report's render seed."""

    heading_mode: str
    line_breaks: bool  # a multi-line cell as w:br inside one paragraph, else one w:p per line
    goback: bool


def _choices(seed: int) -> _Choices:
    rng = random.Random(f"{seed}:docx")
    return _Choices(rng.choice(HEADING_MODES), rng.random() < 0.5, rng.random() < GOBACK_RATE)


# ----------------------------------------------------------------------------- paragraphs


def _set_east_asian_font(run_props: BaseOxmlElement, font: str) -> None:
    fonts = run_props.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_props.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _add_title(doc: DocxDocument, text: str, in_textbox: bool) -> None:
    if in_textbox:
        box = parse_xml(TEXTBOX_XML)
        box.findall(".//" + qn("w:t"))[0].text = text
        doc.element.body.sectPr.addprevious(box)  # body content goes before the section properties
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


def _cell_paragraph(lines: list[str]) -> str:
    """One centred paragraph (WordprocessingML); several lines are joined with w:br."""
    runs = []
    for i, line in enumerate(lines):
        if i:
            runs.append("<w:r><w:br/></w:r>")
        if line:
            runs.append(
                f'<w:r><w:rPr><w:sz w:val="{CELL_SIZE_HALF_PTS}"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
            )
    return f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{"".join(runs)}</w:p>'


def _tc(width: int, text: str, span: int, vmerge: str | None, line_breaks: bool) -> str:
    """One w:tc: a gridSpan for a horizontal merge, vMerge restart/continue for a vertical one."""
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    lines = text.split("\n")
    groups = [lines] if line_breaks else [[line] for line in lines]
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(_cell_paragraph(g) for g in groups)}</w:tc>"


def _row_tcs(
    table: GridTable, grid: list[list[SpanCell | None]], r: int, line_breaks: bool
) -> list[str]:
    """The w:tc elements of grid row ``r``: origins, and continuations of vertical merges."""
    tcs, c = [], 0
    while c < table.n_cols:
        cell = grid[r][c]
        if cell is None:  # an uncovered slot: an empty cell keeps the row full
            tcs.append(_tc(table.widths[c], "", 1, None, line_breaks))
            c += 1
            continue
        width = sum(table.widths[cell.col : cell.col + cell.colspan])
        origin = cell.row == r
        vmerge = None if cell.rowspan == 1 else ("restart" if origin else "continue")
        tcs.append(_tc(width, cell.text if origin else "", cell.colspan, vmerge, line_breaks))
        c += cell.colspan
    return tcs


def _table_xml(table: GridTable, style_id: str, line_breaks: bool) -> str:
    grid = table.origin_grid()
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in table.widths)
    rows = "".join(
        f"<w:tr>{''.join(_row_tcs(table, grid, r, line_breaks))}</w:tr>"
        for r in range(table.n_rows)
    )
    return (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{style_id}"/>'
        f'<w:tblW w:w="{sum(table.widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{columns}</w:tblGrid>{rows}</w:tbl>'
    )


def _add_table(doc: DocxDocument, table: GridTable, line_breaks: bool) -> None:
    style_id = doc.styles[TABLE_STYLE].style_id
    body = doc.element.body
    body.sectPr.addprevious(parse_xml(_table_xml(table, style_id, line_breaks)))


# ----------------------------------------------------------------------------- document


def _set_properties(
    doc: DocxDocument, source: SyntheticReport | SyntheticNotice, title: str
) -> None:
    """Fixed core properties: python-docx would otherwise stamp its own defaults."""
    stamp = datetime(
        source.published.year, source.published.month, source.published.day, 9, 0, tzinfo=UTC
    )
    props = doc.core_properties
    props.author = props.last_modified_by = source.agency
    props.title, props.comments, props.revision = title, "", 1
    props.created = props.modified = stamp


def _set_base_font(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _set_east_asian_font(normal.element.get_or_add_rPr(), BODY_FONT)


def _render_block(
    doc: DocxDocument, block: Block, choices: _Choices, previous: Block | None
) -> None:
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
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
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
