"""parse_docx: DOCX bytes -> Document, checked on files built here the way Word writes them.

Tables are built with python-docx and merged with ``cell.merge`` (which writes the same
w:gridSpan / w:vMerge structures as Word); constructs python-docx cannot write (text boxes,
tracked changes, content controls, w:gridBefore, legacy w:hMerge) are injected as XML.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import docx
import pytest
from conftest import SAMPLES
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.table import Table as DocxTable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gk_extract.errors import ParseError
from gk_extract.models import Cell, Document, Paragraph, Table
from gk_extract.parse.docx import package as docx_package
from gk_extract.parse.docx import parse_docx

BLANK_TEMPLATE = SAMPLES / "gbtemplate_blank_2021.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


# --------------------------------------------------------------------------- helpers


def to_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def append_body_xml(document: DocxDocument, xml: str) -> None:
    """Insert a block-level element (w:p, w:tbl, w:sdt) at the end of the body."""
    document.element.body.sectPr.addprevious(parse_xml(xml))


def paragraph_xml(inner: str) -> str:
    return f"<w:p {NS}>{inner}</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def spans(table: Table) -> set[tuple[int, int, int, int, str]]:
    return {(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells}


def cell_at(table: Table, row: int, col: int) -> Cell:
    cell = table.grid()[row][col]
    assert cell is not None, f"no cell covers r{row} c{col}"
    return cell


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_single_table(document: DocxDocument) -> Table:
    tables = parse_docx(to_bytes(document)).tables
    assert len(tables) == 1
    return tables[0]


# --------------------------------------------------------------------------- paragraphs


def test_blocks_keep_body_order_with_refs_and_heading_hints() -> None:
    document = docx.Document()
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph("")  # empty: dropped, but still counted in the refs
    document.add_paragraph("2023年，本机关认真贯彻落实《条例》。")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "规章"
    document.add_paragraph().add_run("二、主动公开政府信息情况").bold = True
    mixed = document.add_paragraph()
    mixed.add_run("加粗开头").bold = True
    mixed.add_run("，正文不加粗。")

    parsed = parse_docx(to_bytes(document))

    assert parsed.format == "docx"
    assert [type(b).__name__ for b in parsed.blocks] == [
        "Paragraph",
        "Paragraph",
        "Table",
        "Paragraph",
        "Paragraph",
    ]
    texts = [(b.ref, b.text, b.heading) for b in parsed.paragraphs]
    assert texts == [
        ("p1", "一、总体情况", True),
        ("p3", "2023年，本机关认真贯彻落实《条例》。", False),
        ("p4", "二、主动公开政府信息情况", True),
        ("p5", "加粗开头，正文不加粗。", False),
    ]


def test_heading_from_outline_level_and_chinese_style_name() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml('<w:pPr><w:outlineLvl w:val="1"/></w:pPr>' + run("（一）主动公开情况")),
    )
    append_body_xml(
        document, paragraph_xml('<w:pPr><w:outlineLvl w:val="9"/></w:pPr>' + run("正文级别的段落"))
    )
    parsed = parse_docx(to_bytes(document))
    assert [(p.text, p.heading) for p in parsed.paragraphs] == [
        ("（一）主动公开情况", True),
        ("正文级别的段落", False),
    ]


def test_heading_from_style_name_basedon_chain_and_bold_style() -> None:
    """Chinese Word writes numeric style ids: the name (or an ancestor's) says "heading"."""
    document = docx.Document()
    for xml in (
        '<w:style w:type="paragraph" w:styleId="3"><w:name w:val="heading 2"/></w:style>',
        ('<w:style w:type="paragraph" w:styleId="31"><w:name w:val="我的小标题"/>'
        '<w:basedOn w:val="3"/></w:style>'),
        ('<w:style w:type="paragraph" w:styleId="40"><w:name w:val="正文加粗"/>'
        "<w:rPr><w:b/></w:rPr></w:style>"),
        '<w:style w:type="paragraph" w:styleId="41"><w:name w:val="普通正文"/></w:style>',
    ):
        document.styles.element.append(parse_xml(xml.replace("<w:style ", f"<w:style {NS} ", 1)))
    for style_id, text in (
        ("3", "（一）主动公开"),
        ("31", "（二）依申请公开"),
        ("40", "三、加粗样式"),
        ("41", "正文段落"),
    ):
        append_body_xml(
            document, paragraph_xml(f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' + run(text))
        )
    parsed = parse_docx(to_bytes(document))
    assert [(p.text, p.heading) for p in parsed.paragraphs] == [
        ("（一）主动公开", True),
        ("（二）依申请公开", True),
        ("三、加粗样式", True),
        ("正文段落", False),
    ]


def test_run_text_rules_tab_break_hyphen_and_field_instructions() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml(
            run("联系电话")
            + "<w:r><w:tab/></w:r>"
            + run("027")
            + "<w:r><w:noBreakHyphen/></w:r>"
            + run("83790186")
            + "<w:r><w:br/></w:r>"
            + run("地址：中山大道")
            + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            + '<w:r><w:instrText xml:space="preserve"> PAGE \\* MERGEFORMAT </w:instrText></w:r>'
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + run("51号")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        ),
    )
    (paragraph,) = parse_docx(to_bytes(document)).paragraphs
    assert paragraph.text == "联系电话\t027-83790186\n地址：中山大道51号"


def test_tracked_changes_keep_insertions_and_drop_deletions() -> None:
    document = docx.Document()
    revision = 'w:id="{}" w:author="审核人" w:date="2024-01-10T00:00:00Z"'
    append_body_xml(
        document,
        paragraph_xml(
            run("本年新收申请")
            + f"<w:del {revision.format(1)}><w:r><w:delText>12</w:delText></w:r></w:del>"
            + f"<w:ins {revision.format(2)}>{run('15')}</w:ins>"
            + f"<w:moveFrom {revision.format(3)}>{run('（旧位置）')}</w:moveFrom>"
            + run("件")
        ),
    )
    (paragraph,) = parse_docx(to_bytes(document)).paragraphs
    assert paragraph.text == "本年新收申请15件"


def test_bookmark_and_proofing_marks_inside_a_word_do_not_split_it() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml(
            run("政府")
            + '<w:bookmarkStart w:id="0" w:name="_Toc1"/>'
            + '<w:proofErr w:type="spellStart"/>'
            + run("信息")
            + '<w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellEnd"/>'
            + run("公开")
        ),
    )
    (paragraph,) = parse_docx(to_bytes(document)).paragraphs
    assert paragraph.text == "政府信息公开"


def test_hidden_runs_are_not_text() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml(
            run("可见")
            + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
            + '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>也可见</w:t></w:r>'
        ),
    )
    (paragraph,) = parse_docx(to_bytes(document)).paragraphs
    assert paragraph.text == "可见也可见"


def test_content_controls_are_transparent_at_every_level() -> None:
    document = docx.Document()
    sdt = "<w:sdt><w:sdtPr><w:alias w:val='不应出现'/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>"
    append_body_xml(
        document,
        f"<w:sdt {NS}><w:sdtPr><w:alias w:val='封面'/></w:sdtPr><w:sdtContent>"
        f"<w:p>{run('某区2023年政府信息公开')}{sdt.format(run('工作年度报告'))}</w:p>"
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        f"<w:tr><w:tc><w:p>{run('规章')}</w:p></w:tc>"
        f"{sdt.format('<w:tc><w:p>' + run('3') + '</w:p></w:tc>')}</w:tr>"
        + sdt.format(
            f"<w:tr><w:tc><w:p>{run('行政规范性文件')}</w:p></w:tc>"
            f"<w:tc><w:p>{run('7')}</w:p></w:tc></w:tr>"
        )
        + "</w:tbl></w:sdtContent></w:sdt>",
    )
    parsed = parse_docx(to_bytes(document))
    assert [p.text for p in parsed.paragraphs] == ["某区2023年政府信息公开工作年度报告"]
    (table,) = parsed.tables
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert spans(table) == {
        (0, 0, 1, 1, "规章"),
        (0, 1, 1, 1, "3"),
        (1, 0, 1, 1, "行政规范性文件"),
        (1, 1, 1, 1, "7"),
    }


TEXT_BOX = (
    "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><wp:anchor>"
    "<a:graphic><a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>"
    "<wps:wsp><wps:txbx><w:txbxContent><w:p>{text}</w:p></w:txbxContent></wps:txbx></wps:wsp>"
    "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p>{text}</w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
)


def test_text_box_becomes_one_paragraph_after_its_anchor() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml(run("锚定段落") + TEXT_BOX.format(text=run("文本框内容")) + run("之后")),
    )
    document.add_paragraph("下一段")
    parsed = parse_docx(to_bytes(document))
    assert [p.text for p in parsed.paragraphs] == ["锚定段落之后", "文本框内容", "下一段"]


def test_vml_only_text_box_is_read() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        paragraph_xml(
            f"<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p>{run('旧式文本框')}</w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        ),
    )
    assert [p.text for p in parse_docx(to_bytes(document)).paragraphs] == ["旧式文本框"]


def test_headers_and_footers_are_not_body() -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉：某区人民政府"
    document.sections[0].footer.paragraphs[0].text = "第 1 页"
    document.add_paragraph("正文")
    assert [p.text for p in parse_docx(to_bytes(document)).paragraphs] == ["正文"]


# --------------------------------------------------------------------------- tables


def test_top_left_three_by_three_merge_is_one_cell() -> None:
    document = docx.Document()
    table = document.add_table(rows=4, cols=5)
    note = table.cell(0, 0).merge(table.cell(2, 2))
    note.text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 3).merge(table.cell(0, 4)).text = "申请人情况"
    table.cell(1, 3).merge(table.cell(2, 3)).text = "自然人"
    table.cell(1, 4).text = "法人或其他组织"
    table.cell(2, 4).text = "商业企业"
    for col, value in enumerate(["一、本年新收", "", "", "5", "2"]):
        table.cell(3, col).text = value

    parsed = parse_single_table(document)

    assert (parsed.n_rows, parsed.n_cols) == (4, 5)
    top_left = cell_at(parsed, 0, 0)
    assert (top_left.rowspan, top_left.colspan) == (3, 3)
    assert "本列数据的勾稽关系" in top_left.text
    assert all(cell_at(parsed, r, c) is top_left for r in range(3) for c in range(3))
    assert [len(r) for r in parsed.row_cells()] == [2, 3, 3, 5]
    assert spans(parsed) == {
        (0, 0, 3, 3, note.text),
        (0, 3, 1, 2, "申请人情况"),
        (1, 3, 2, 1, "自然人"),
        (1, 4, 1, 1, "法人或其他组织"),
        (2, 4, 1, 1, "商业企业"),
        (3, 0, 1, 1, "一、本年新收"),
        (3, 1, 1, 1, ""),
        (3, 2, 1, 1, ""),
        (3, 3, 1, 1, "5"),
        (3, 4, 1, 1, "2"),
    }
    assert top_left.ref == "table1 r0 c0" and top_left.method == "docx"
    assert cell_at(parsed, 3, 4).ref == "table1 r3 c4"


def test_vertical_merge_over_22_rows_extends_one_origin_cell() -> None:
    document = docx.Document()
    table = document.add_table(rows=24, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "表头"
    table.cell(1, 0).merge(table.cell(22, 0)).text = "三、本年度办理结果"
    for row in range(1, 23):
        table.cell(row, 1).text = f"（{row}）"
        table.cell(row, 2).text = str(row * 10)
    table.cell(23, 0).merge(table.cell(23, 1)).text = "四、结转下年度继续办理"
    table.cell(23, 2).text = "0"

    parsed = parse_single_table(document)

    assert (parsed.n_rows, parsed.n_cols) == (24, 3)
    label = cell_at(parsed, 1, 0)
    assert (label.row, label.col, label.rowspan, label.colspan) == (1, 0, 22, 1)
    assert label.text == "三、本年度办理结果"
    assert sum(c.text == "三、本年度办理结果" for c in parsed.cells) == 1
    assert len(parsed.cells) == 1 + 1 + 22 * 2 + 2
    row_cells = parsed.row_cells()
    assert [len(r) for r in row_cells] == [1] + [3] * 22 + [2]
    assert all(r[0] is label for r in row_cells[1:23])
    assert [c.text for c in row_cells[22]] == ["三、本年度办理结果", "（22）", "220"]


GRID_BEFORE_TABLE = (
    f"<w:tbl {NS}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
    "<w:tr>"
    + "".join(f"<w:tc><w:p>{run(t)}</w:p></w:tc>" for t in ("项目", "甲", "乙", "丙"))
    + "</w:tr>"
    '<w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>'
    f"<w:tc><w:p>{run('1')}</w:p></w:tc><w:tc><w:p>{run('2')}</w:p></w:tc></w:tr>"
    '<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>'
    f'<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p>{run("合计")}</w:p></w:tc></w:tr>'
    "</w:tbl>"
)


def test_grid_before_and_after_skip_grid_columns() -> None:
    document = docx.Document()
    append_body_xml(document, GRID_BEFORE_TABLE)
    parsed = parse_single_table(document)
    assert (parsed.n_rows, parsed.n_cols) == (3, 4)
    assert spans(parsed) == {
        (0, 0, 1, 1, "项目"),
        (0, 1, 1, 1, "甲"),
        (0, 2, 1, 1, "乙"),
        (0, 3, 1, 1, "丙"),
        (1, 1, 1, 1, "1"),
        (1, 2, 1, 1, "2"),
        (2, 2, 1, 2, "合计"),
    }
    assert parsed.grid()[1][0] is None and parsed.grid()[1][3] is None


def test_legacy_hmerge_widens_the_restart_cell() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        (
            f"<w:tbl {NS}><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid><w:tr>"
            f'<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p>{run("申请人情况")}</w:p></w:tc>'
            "<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
            f"<w:tc><w:p>{run('总计')}</w:p></w:tc></w:tr></w:tbl>"
        ),
    )
    parsed = parse_single_table(document)
    assert spans(parsed) == {(0, 0, 1, 2, "申请人情况"), (0, 2, 1, 1, "总计")}
    assert parsed.n_cols == 3


def one_row_table(*cells: str) -> str:
    return f"<w:tbl {NS}><w:tr>{''.join(cells)}</w:tr></w:tbl>"


def test_hostile_grid_span_is_clamped_to_the_word_column_limit() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        one_row_table(
            f'<w:tc><w:tcPr><w:gridSpan w:val="1000000"/></w:tcPr><w:p>{run("宽")}</w:p></w:tc>'
        ),
    )
    parsed = parse_single_table(document)
    assert (parsed.cells[0].colspan, parsed.n_cols) == (63, 63)


def test_orphan_vmerge_continuation_becomes_a_cell_with_a_warning() -> None:
    document = docx.Document()
    append_body_xml(
        document,
        one_row_table(f"<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p>{run('孤立')}</w:p></w:tc>"),
    )
    parsed = parse_docx(to_bytes(document))
    assert spans(parsed.tables[0]) == {(0, 0, 1, 1, "孤立")}
    assert parsed.warnings == ("table1 r0 c0: vMerge continues no cell above",)


def test_tracked_row_deletion_removes_the_row() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, label in enumerate(["规章", "已删除的行", "行政规范性文件"]):
        table.cell(row, 0).text = label
    table.rows[1]._tr.get_or_add_trPr().append(
        parse_xml(f'<w:del {NS} w:id="9" w:author="审核人" w:date="2024-01-10T00:00:00Z"/>')
    )
    parsed = parse_single_table(document)
    assert parsed.n_rows == 2
    assert [c.text for c in parsed.cells if c.col == 0] == ["规章", "行政规范性文件"]


def test_cell_text_joins_paragraphs_with_newlines() -> None:
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "商业"
    cell.add_paragraph("")
    cell.add_paragraph("企业 ")
    assert parse_single_table(document).cells[0].text == "商业\n企业"


def test_nested_table_is_its_own_block_after_the_outer_table() -> None:
    document = docx.Document()
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "外层表头"
    outer.cell(0, 1).text = "说明"
    holder = outer.cell(1, 0)
    holder.text = "见下表"
    inner = holder.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "内层甲", (0, 1): "内层乙", (1, 0): "1", (1, 1): "2"}.items():
        inner.cell(r, c).text = text
    outer.cell(1, 1).text = "9"
    document.add_table(rows=1, cols=1).cell(0, 0).text = "第二个表"

    parsed = parse_docx(to_bytes(document))

    assert [t.ref for t in parsed.tables] == ["table1", "table1.1", "table2"]
    outer_t, inner_t, second = parsed.tables
    assert cell_at(outer_t, 1, 0).text == "见下表"
    assert all("内层" not in c.text for c in outer_t.cells)
    assert spans(inner_t) == {
        (0, 0, 1, 1, "内层甲"),
        (0, 1, 1, 1, "内层乙"),
        (1, 0, 1, 1, "1"),
        (1, 1, 1, 1, "2"),
    }
    assert cell_at(inner_t, 1, 1).ref == "table1.1 r1 c1"
    assert second.cells[0].text == "第二个表"


def test_empty_table_is_dropped_but_keeps_its_number() -> None:
    document = docx.Document()
    document.add_table(rows=2, cols=2)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "有内容"
    parsed = parse_docx(to_bytes(document))
    assert [t.ref for t in parsed.tables] == ["table2"]


def test_text_box_inside_a_cell_stays_in_the_cell() -> None:
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "单元格"
    cell.paragraphs[0]._p.append(parse_xml(f"<w:r {NS}>" + TEXT_BOX.format(text=run("框内"))[5:]))
    parsed = parse_docx(to_bytes(document))
    assert parsed.tables[0].cells[0].text == "单元格\n框内"
    assert parsed.paragraphs == []


@st.composite
def merge_layouts(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """A grid and non-overlapping rectangles to merge, as (row, col, rowspan, colspan)."""
    n_rows, n_cols = draw(st.integers(1, 7)), draw(st.integers(1, 6))
    taken: set[tuple[int, int]] = set()
    rects: list[tuple[int, int, int, int]] = []
    for _ in range(draw(st.integers(0, 5))):
        r, c = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, n_cols - 1))
        h, w = draw(st.integers(1, n_rows - r)), draw(st.integers(1, n_cols - c))
        slots = {(r + i, c + j) for i in range(h) for j in range(w)}
        if not slots & taken:
            taken |= slots
            rects.append((r, c, h, w))
    return n_rows, n_cols, rects


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(merge_layouts())
def test_any_merge_layout_round_trips(
    layout: tuple[int, int, list[tuple[int, int, int, int]]],
) -> None:
    n_rows, n_cols, rects = layout
    document = docx.Document()
    table = document.add_table(rows=n_rows, cols=n_cols)
    for r, c, h, w in rects:
        table.cell(r, c).merge(table.cell(r + h - 1, c + w - 1))
    expected = {(r, c, h, w) for r, c, h, w in rects}
    covered = {(r + i, c + j) for r, c, h, w in rects for i in range(h) for j in range(w)}
    expected |= {
        (r, c, 1, 1) for r in range(n_rows) for c in range(n_cols) if (r, c) not in covered
    }
    for r, c, _, _ in expected:
        table.cell(r, c).text = f"r{r}c{c}"

    parsed = parse_single_table(document)

    assert (parsed.n_rows, parsed.n_cols) == (n_rows, n_cols)
    assert spans(parsed) == {(r, c, h, w, f"r{r}c{c}") for r, c, h, w in expected}


# --------------------------------------------------------------------------- a whole report


def add_section3_table(document: DocxDocument) -> DocxTable:
    """The 2021 section 三 table (28 x 10) with the official merges and numbers filled in."""
    table = document.add_table(rows=28, cols=10)
    table.cell(0, 0).merge(
        table.cell(2, 2)
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 3).merge(table.cell(0, 9)).text = "申请人情况"
    table.cell(1, 3).merge(table.cell(2, 3)).text = "自然人"
    table.cell(1, 4).merge(table.cell(1, 8)).text = "法人或其他组织"
    table.cell(1, 9).merge(table.cell(2, 9)).text = "总计"
    for col, label in enumerate(
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], 4
    ):
        table.cell(2, col).text = label
    table.cell(3, 0).merge(table.cell(3, 2)).text = "一、本年新收政府信息公开申请数量"
    table.cell(4, 0).merge(table.cell(4, 2)).text = "二、上年结转政府信息公开申请数量"
    table.cell(5, 0).merge(table.cell(26, 0)).text = "三、本年度办理结果"
    for row, label in ((5, "（一）予以公开"), (6, "（二）部分公开"), (26, "（七）总计")):
        table.cell(row, 1).merge(table.cell(row, 2)).text = label
    for first, last, label in (
        (7, 14, "（三）不予公开"),
        (15, 17, "（四）无法提供"),
        (18, 22, "（五）不予处理"),
        (23, 25, "（六）其他处理"),
    ):
        table.cell(first, 1).merge(table.cell(last, 1)).text = label
        for item, row in enumerate(range(first, last + 1), 1):
            table.cell(row, 2).text = f"{item}.细项"
    table.cell(27, 0).merge(table.cell(27, 2)).text = "四、结转下年度继续办理"
    for row in range(3, 28):
        for col in range(3, 10):
            table.cell(row, col).text = str((row * 7 + col) % 13)
    return table


def build_report() -> bytes:
    """A realistic 2021-format report: six sections of prose and the three tables."""
    document = docx.Document()
    document.core_properties.title = "某区人民政府办公室2023年政府信息公开工作年度报告"
    document.add_heading("某区人民政府办公室2023年政府信息公开工作年度报告", level=1)
    filler = "依据《中华人民共和国政府信息公开条例》规定，编制本报告。" * 4
    for heading in ("一、总体情况", "二、主动公开政府信息情况"):
        document.add_heading(heading, level=2)
        for _ in range(4):
            document.add_paragraph(filler)
    s2 = document.add_table(rows=14, cols=4)
    for row in (0, 4, 7, 11):
        s2.cell(row, 0).merge(s2.cell(row, 3)).text = "第二十条第（一）项"
    for row in range(1, 14):
        if row not in (0, 4, 7, 11):
            for col in range(4):
                s2.cell(row, col).text = str(row + col)
    document.add_heading("三、收到和处理政府信息公开申请情况", level=2)
    add_section3_table(document)
    document.add_heading("四、政府信息公开行政复议、行政诉讼情况", level=2)
    s4 = document.add_table(rows=4, cols=15)
    s4.cell(0, 0).merge(s4.cell(0, 4)).text = "行政复议"
    s4.cell(0, 5).merge(s4.cell(0, 14)).text = "行政诉讼"
    for col in range(5):
        s4.cell(1, col).merge(s4.cell(2, col)).text = "结果维持"
    s4.cell(1, 5).merge(s4.cell(1, 9)).text = "未经复议直接起诉"
    s4.cell(1, 10).merge(s4.cell(1, 14)).text = "复议后起诉"
    for col in range(5, 15):
        s4.cell(2, col).text = "结果纠正"
    for col in range(15):
        s4.cell(3, col).text = "0"
    for heading in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        document.add_heading(heading, level=2)
        for _ in range(3):
            document.add_paragraph(filler)
    return to_bytes(document)


def test_realistic_report_parses_into_three_span_aware_tables() -> None:
    parsed = parse_docx(build_report())
    assert parsed.title == "某区人民政府办公室2023年政府信息公开工作年度报告"
    assert [(t.ref, t.n_rows, t.n_cols) for t in parsed.tables] == [
        ("table1", 14, 4),
        ("table2", 28, 10),
        ("table3", 4, 15),
    ]
    s3 = parsed.tables[1]
    assert (cell_at(s3, 5, 0).rowspan, cell_at(s3, 7, 1).rowspan) == (22, 8)
    assert [len(r) for r in s3.row_cells()][:6] == [2, 4, 8, 8, 8, 9]
    assert [len(r) for r in parsed.tables[2].row_cells()] == [2, 7, 15, 15]
    headings = [p.text for p in parsed.paragraphs if p.heading]
    assert headings[1:] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


# --------------------------------------------------------------------------- title and metadata


def test_core_properties_give_title_and_meta() -> None:
    document = docx.Document()
    document.core_properties.title = "某局2023年政府信息公开工作年度报告"
    document.core_properties.author = "办公室"
    parsed = parse_docx(to_bytes(document))
    assert parsed.title == "某局2023年政府信息公开工作年度报告"
    assert parsed.meta["title"] == parsed.title
    assert parsed.meta["creator"] == "办公室"
    assert parsed.meta["created"] == "2013-12-23T23:15:00+00:00"  # python-docx's template date
    assert set(parsed.meta) == {"title", "creator", "created", "modified"}


@pytest.mark.parametrize(
    "title",
    [
        "Microsoft Word - 2023年年报.doc",
        "2023年年报.docx",
        "新建 Microsoft Word 文档",
        "Document1",
        "无标题",
        "  ",
    ],
)
def test_default_or_filename_titles_are_not_titles(title: str) -> None:
    document = docx.Document()
    document.core_properties.title = title
    assert parse_docx(to_bytes(document)).title is None


# --------------------------------------------------------------------------- the official template


@pytest.fixture(scope="module")
def template() -> Document:
    if not BLANK_TEMPLATE.exists():
        pytest.skip(f"official template not available: {BLANK_TEMPLATE} is missing")
    return parse_docx(BLANK_TEMPLATE.read_bytes())


def table_containing(document: Document, needle: str) -> Table:
    for table in document.tables:
        if any(needle in squash(c.text) for c in table.cells):
            return table
    raise AssertionError(f"no table contains {needle!r}")


def test_template_section3_header_block_spans_three_by_three(template: Document) -> None:
    table = table_containing(template, "本列数据的勾稽关系")
    top_left = cell_at(table, 0, 0)
    assert (top_left.rowspan, top_left.colspan) == (3, 3)
    assert "本列数据的勾稽关系" in top_left.text
    assert (table.n_rows, table.n_cols) == (28, 10)


def test_template_section3_results_label_spans_the_result_rows(template: Document) -> None:
    table = table_containing(template, "本列数据的勾稽关系")
    (label,) = [c for c in table.cells if squash(c.text) == "三、本年度办理结果"]
    assert label.rowspan >= 20 and label.colspan == 1
    assert label.rowspan == 22
    items = [squash(c.text) for c in table.cells if c.col == 2 and c.row >= label.row]
    assert items[0].startswith("1.属于国家秘密") and items[-1] == "3.其他"


def test_template_section4_data_row_has_fifteen_cells(template: Document) -> None:
    table = table_containing(template, "行政诉讼")
    assert [len(r) for r in table.row_cells()] == [2, 7, 15, 15]
    assert table.n_cols == 15


def test_template_section2_blocks_are_one_table(template: Document) -> None:
    table = table_containing(template, "第二十条第（八）项")
    assert (table.n_rows, table.n_cols) == (14, 4)
    captions = [c.text for c in table.cells if c.colspan == 4]
    assert [squash(t) for t in captions] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]


def test_template_headings_and_untitled_meta(template: Document) -> None:
    headings = [squash(p.text) for p in template.paragraphs if p.heading]
    assert "一、总体情况" in headings and "六、其他需要报告的事项" in headings
    assert template.title is None
    assert template.meta.get("creator")


# --------------------------------------------------------------------------- broken and hostile input


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_raise_parse_error(seed: int) -> None:
    data = random.Random(seed).randbytes(2000)
    with pytest.raises(ParseError, match="^docx: "):
        parse_docx(data)


def test_zip_without_document_xml_raises_parse_error() -> None:
    members = members_of(to_bytes(docx.Document()))
    del members["word/document.xml"]
    with pytest.raises(ParseError, match="word/document.xml"):
        parse_docx(zip_bytes(members))


def test_truncated_docx_raises_parse_error() -> None:
    data = build_report()
    for cut in (len(data) // 2, len(data) - 30, 100):
        with pytest.raises(ParseError):
            parse_docx(data[:cut])


def test_corrupted_document_member_raises_parse_error() -> None:
    data = bytearray(to_bytes(docx.Document()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 40] = b"\x00" * 30  # damage the deflate stream itself
    with pytest.raises(ParseError):
        parse_docx(bytes(data))


def test_xml_syntax_error_raises_one_line_parse_error() -> None:
    members = members_of(to_bytes(docx.Document()))
    members["word/document.xml"] = members["word/document.xml"][:-40]
    with pytest.raises(ParseError, match="not well-formed") as caught:
        parse_docx(zip_bytes(members))
    assert "\n" not in str(caught.value)


def test_oversized_member_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    members = members_of(to_bytes(docx.Document()))
    body_end = members["word/document.xml"].rindex(b"<w:sectPr")
    padding = b"<w:p/>" * 200_000  # 1.2 MB that deflates to a few KB: a small zip bomb
    xml = members["word/document.xml"]
    members["word/document.xml"] = xml[:body_end] + padding + xml[body_end:]
    monkeypatch.setattr(docx_package, "MAX_PART_BYTES", 1_000_000)
    with pytest.raises(ParseError, match="over|beyond"):
        parse_docx(zip_bytes(members))


def test_entity_expansion_is_not_performed() -> None:
    members = members_of(to_bytes(docx.Document()))
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "'
        + b"x" * 1000
        + b'">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
            for i in range(8)
        )
        + b']><w:document xmlns:w="'
        + W_NS.encode()
        + b'"><w:body><w:p><w:r><w:t>&i;</w:t>'
        + b"</w:r></w:p></w:body></w:document>"
    )
    members["word/document.xml"] = bomb
    try:
        parsed = parse_docx(zip_bytes(members))
    except ParseError:
        return  # refusing the file is fine too
    assert all(len(p.text) < 10_000 for p in parsed.paragraphs)


def test_document_without_body_raises_parse_error() -> None:
    members = members_of(to_bytes(docx.Document()))
    members["word/document.xml"] = f'<w:document xmlns:w="{W_NS}"/>'.encode()
    with pytest.raises(ParseError, match="no w:body"):
        parse_docx(zip_bytes(members))


def test_broken_core_properties_only_cost_the_metadata() -> None:
    members = members_of(to_bytes(docx.Document()))
    members["docProps/core.xml"] = b"<cp:coreProperties"
    parsed = parse_docx(zip_bytes(members))
    assert parsed.meta == {} and parsed.title is None
    assert any("core.xml" in w for w in parsed.warnings)


def test_paragraph_model_is_returned() -> None:
    document = docx.Document()
    document.add_paragraph("一段")
    (block,) = parse_docx(to_bytes(document)).blocks
    assert block == Paragraph("一段", ref="p1", heading=False)
