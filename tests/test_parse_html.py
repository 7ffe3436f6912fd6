"""parse/html: decoding, body selection, reading order, span-aware tables, hostile input.

Real samples are read from ../shared/samples (see its README); those tests skip when the folder
is absent, e.g. for a user who cloned only the project.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time

import pytest
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from gk_extract.cms import BODY_SELECTORS
from gk_extract.errors import ParseError
from gk_extract.models import Cell, Document, Paragraph, Table
from gk_extract.parse.html import decode_html, parse_html
from gk_extract.parse.html.body import _NUMBERED_HEADING

REPORT_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
CHROME_WORDS = ("版权所有", "友情链接", "当前位置", "网站地图", "ICP备", "闽政通")


def parse(html: str, encoding: str = "utf-8", **kwargs: str) -> Document:
    return parse_html(html.encode(encoding), **kwargs)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def texts(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def compact(text: str) -> str:
    return "".join(text.split())


def find_cell(table: Table, needle: str) -> Cell:
    """The first cell whose text, whitespace removed, contains ``needle``."""
    for cell in table.cells:
        if needle in compact(cell.text):
            return cell
    raise AssertionError(f"no cell containing {needle!r} in {table.ref}")


def table_with(doc: Document, needle: str) -> Table:
    for table in doc.tables:
        if any(needle in compact(c.text) for c in table.cells):
            return table
    raise AssertionError(f"no table with a cell containing {needle!r}")


def row_values(table: Table, label: str, width: int) -> list[str]:
    """The ``width`` rightmost distinct cells of the row whose label contains ``label``."""
    for cells in table.row_cells():
        if any(label in compact(c.text) for c in cells):
            return [c.text for c in cells[-width:]]
    raise AssertionError(f"no row labelled {label!r}")


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"real sample {path} is absent (clone ../shared next to the project)")
    return path.read_bytes()


def truth(name: str) -> dict[str, object]:
    path = SAMPLES / "truth" / f"{name}.json"
    if not path.exists():
        pytest.skip(f"truth file {path} is absent")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- decoding

REPORT_LINE = "政府信息公开工作年度报告：本年度收到申请二十件，喆（GBK 独有字）。"


def test_utf8_without_bom_decodes() -> None:
    assert REPORT_LINE in decode_html(page(f"<p>{REPORT_LINE}</p>").encode("utf-8"))


def test_utf8_bom_is_removed_and_wins_over_a_wrong_http_charset() -> None:
    data = b"\xef\xbb\xbf" + page(f"<p>{REPORT_LINE}</p>").encode("utf-8")
    text = decode_html(data, http_charset="gbk")
    assert text.startswith("<html>")
    assert REPORT_LINE in text


def test_utf16_with_bom_decodes() -> None:
    doc = parse_html(page(f"<p>{REPORT_LINE}</p>").encode("utf-16"))
    assert texts(doc) == [REPORT_LINE]


def test_gbk_page_declaring_gb2312_reads_gbk_only_characters() -> None:
    # 喆 is in GBK but not in GB2312; pages declaring gb2312 routinely hold such characters.
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    doc = parse(page(f"<p>{REPORT_LINE}</p>", head), encoding="gbk")
    assert texts(doc) == [REPORT_LINE]


def test_gbk_page_with_wrong_utf8_declaration_falls_through_to_gb18030() -> None:
    data = page(f"<p>{REPORT_LINE}</p>", '<meta charset="utf-8">').encode("gbk")
    assert REPORT_LINE in decode_html(data)


def test_gbk_page_without_declaration_falls_through_to_gb18030() -> None:
    doc = parse(page(f"<p>{REPORT_LINE}</p>"), encoding="gb18030")
    assert texts(doc) == [REPORT_LINE]


@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb_2312-80", "x-gbk", "GB18030"])
def test_gb_family_labels_all_decode_as_gb18030(label: str) -> None:
    data = page(f"<p>{REPORT_LINE} 𠀀</p>", f'<meta charset="{label}">').encode("gb18030")
    assert f"{REPORT_LINE} 𠀀" in decode_html(data)


def test_http_charset_overrides_what_the_bytes_would_suggest() -> None:
    traditional = "政府資訊公開工作年度報告：本年度收到申請二十件。"
    data = page(f"<p>{traditional}</p>").encode("big5")
    assert traditional not in decode_html(data)  # the cascade alone guesses GB18030
    assert traditional in decode_html(data, http_charset="big5")
    assert texts(parse_html(data, http_charset="BIG5")) == [traditional]


def test_meta_charset_in_the_page_is_used() -> None:
    traditional = "政府資訊公開工作年度報告：本年度收到申請二十件。"
    data = page(f"<p>{traditional}</p>", '<meta charset="big5">').encode("big5")
    assert texts(parse_html(data)) == [traditional]


def test_xml_declaration_of_an_xhtml_page_is_used() -> None:
    traditional = "政府資訊公開工作年度報告：本年度收到申請二十件。"
    data = ('<?xml version="1.0" encoding="big5"?>' + page(f"<p>{traditional}</p>")).encode("big5")
    assert texts(parse_html(data)) == [traditional]


def test_utf32_with_bom_decodes() -> None:
    assert texts(parse_html(page(f"<p>{REPORT_LINE}</p>").encode("utf-32"))) == [REPORT_LINE]


def test_latin1_http_charset_is_a_server_default_and_ignored() -> None:
    data = page(f"<p>{REPORT_LINE}</p>").encode("gbk")
    assert REPORT_LINE in decode_html(data, http_charset="ISO-8859-1")


def test_meta_gb2312_on_a_utf8_page_reads_utf8() -> None:
    data = page(f"<p>{REPORT_LINE}</p>", "<meta charset=gb2312>").encode("utf-8")
    assert REPORT_LINE in decode_html(data)


def test_undecodable_bytes_fall_back_to_gb18030_with_replacement() -> None:
    assert "\ufffd" in decode_html(b"<p>\xff\xff abc</p>")


def test_libxml2_does_not_redecode_by_the_meta_tag() -> None:
    # The page is UTF-8 (valid multibyte) although it declares GBK in an XML declaration and
    # a meta tag: parsing must keep our decoding.
    html = '<?xml version="1.0" encoding="gbk"?>' + page(
        f"<p>{REPORT_LINE}</p>", '<meta charset="gbk">'
    )
    assert texts(parse(html)) == [REPORT_LINE]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \r\n\t ",
        b"\x00" * 4096,
        b"%PDF-1.7\n" + random.Random(3).randbytes(20_000),
        b"PK\x03\x04" + b"\x00\x01\x02\x03" * 2000,
    ],
    ids=["empty", "whitespace", "nul", "pdf-like", "zip-like"],
)
def test_empty_or_binary_input_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_html(data)
    with pytest.raises(ParseError):
        decode_html(data)


# --------------------------------------------------------------------------- meta and title


def test_meta_pairs_keep_their_names_and_article_title_is_the_title() -> None:
    head = (
        '<meta name="ArticleTitle" content="某区2023年度政府信息公开工作年度报告">'
        '<meta name="PubDate" content="2024-01-20 09:30"><meta name="ContentSource" content="">'
        '<meta name="ContentSource" content="区政府办"><meta http-equiv="X-UA-Compatible" '
        'content="IE=edge"><title>别的标题_某区人民政府</title>'
    )
    doc = parse(page("<p>正文</p>", head))
    assert doc.title == "某区2023年度政府信息公开工作年度报告"
    assert doc.meta["PubDate"] == "2024-01-20 09:30"
    assert doc.meta["ContentSource"] == "区政府办"
    assert doc.format == "html"


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        (
            "<title>站点</title>",
            '<div class="article_title"> 可见标题 </div><h1>H1</h1>',
            "可见标题",
        ),
        ("<title>站点</title>", "<h1>一级标题</h1><p>x</p>", "一级标题"),
        ("<title>某区2021年度报告_年报_某区人民政府</title>", "<p>x</p>", "某区2021年度报告"),
        ("<title>某区2021年度报告 - 某区人民政府</title>", "<p>x</p>", "某区2021年度报告"),
        ("<title>某区年度报告|某区人民政府</title>", "<p>x</p>", "某区年度报告"),
        ("<title>2021-2022年度报告</title>", "<p>x</p>", "2021-2022年度报告"),
        ("", "<p>x</p>", None),
    ],
)
def test_title_fallbacks(head: str, body: str, title: str | None) -> None:
    assert parse(page(body, head)).title == title


def test_scripts_styles_and_comments_are_not_text() -> None:
    body = (
        "<p>可见<script>var a='脚本';</script>文字<!-- 注释 --></p>"
        "<style>p{color:red}</style><noscript>请启用</noscript>"
    )
    assert texts(parse(page(body))) == ["可见文字"]


def test_images_in_the_body_are_listed_in_meta_and_make_no_block() -> None:
    doc = parse(page('<p>见下图<img src="/a/1.png"></p><img data-src="2.jpg"><p>完</p>'))
    assert texts(doc) == ["见下图", "完"]
    assert doc.images == ("/a/1.png", "2.jpg")
    assert "images" not in parse(page("<p>无图</p>")).meta


# --------------------------------------------------------------------------- paragraphs


def test_blocks_cut_at_block_elements_and_br_with_spaces_collapsed() -> None:
    body = (
        "<div>前言<p>第一段&nbsp;&nbsp;&nbsp;有空格\u3000\u3000</p>尾巴<br>"
        "换行后<br/><br/>\n<span>  </span><p>&nbsp;</p><ul><li>条目一</li><li>条目\n二</li></ul>"
        "<blockquote>引文</blockquote></div>"
    )
    assert texts(parse(page(body))) == [
        "前言",
        "第一段 有空格",
        "尾巴",
        "换行后",
        "条目一",
        "条目 二",
        "引文",
    ]


def test_paragraph_refs_count_paragraphs_in_order() -> None:
    doc = parse(page("<p>一</p><p></p><p>二</p><table><tr><td>单格</td></tr></table><p>三</p>"))
    assert [(p.ref, p.text) for p in doc.paragraphs] == [
        ("p1", "一"),
        ("p2", "二"),
        ("p3", "单格"),
        ("p4", "三"),
    ]


def test_heading_hint_from_h_tags_and_all_bold_text() -> None:
    body = (
        "<h3>标题</h3><p><strong>一、总体情况</strong> </p><p><b>（一）</b>部分加粗</p>"
        '<p><span style="font-weight: bold">二、主动公开</span></p><p>正文</p>'
    )
    doc = parse(page(body))
    assert [(p.text, p.heading) for p in doc.paragraphs] == [
        ("标题", True),
        ("一、总体情况", True),
        ("（一）部分加粗", False),
        ("二、主动公开", True),
        ("正文", False),
    ]


# --------------------------------------------------------------------------- tables

# The 2021 template's section 三 header: a 3x3 corner cell, then three header rows.
SECTION3_HEADER = """
<table border=1>
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，
    等于第三项加第四项之和）</td>
    <td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
    <td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>21</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>
    <td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
<tr><td rowspan="1">（三）不予公开</td><td>1.属于国家秘密</td>
    <td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>"""


def test_rowspan_colspan_header_expands_onto_the_grid() -> None:
    (table,) = parse(page(SECTION3_HEADER)).tables
    assert (table.n_rows, table.n_cols, table.ref) == (6, 10, "table1")
    corner = find_cell(table, "勾稽关系")
    assert (corner.row, corner.col, corner.rowspan, corner.colspan) == (0, 0, 3, 3)
    natural = find_cell(table, "自然人")
    assert (natural.row, natural.col, natural.rowspan) == (1, 3, 2)
    assert [c.text for c in table.grid()[2][3:]] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert row_values(table, "一、本年新收", 7) == ["1", "2", "3", "4", "5", "6", "21"]
    # Slots under the 三、 rowspan are skipped: the next row's first cell lands in column 1.
    secret = find_cell(table, "不予公开")
    assert (secret.row, secret.col) == (5, 1)
    assert table.grid()[5][0] is find_cell(table, "本年度办理结果")


def test_cells_carry_refs_and_method() -> None:
    (table,) = parse(page("<p>前</p>" + SECTION3_HEADER + SECTION3_HEADER)).tables[1:]
    cell = find_cell(table, "法人或其他组织")
    assert (cell.ref, cell.method) == ("table2 r1 c4", "html")
    assert all(c.ref == f"table2 r{c.row} c{c.col}" for c in table.cells)


def test_pt2021_misaligned_header_is_kept_as_printed() -> None:
    # As in pt2021: 自然人 is colspan=2, an empty cell sits under it, and every data row has
    # the 自然人 value in one cell and 商业企业 colspan=2. The grid keeps that literally.
    html = """<div align=center><table>
      <tr><td rowspan=3 colspan=3>说明</td><td colspan=8>申请人情况</td></tr>
      <tr><td colspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>
      <tr><td>&nbsp;</td><td colspan=2>商业企业</td><td>科研机构</td><td>社会公益组织</td>
          <td>法律服务机构</td><td>其他</td></tr>
      <tr><td colspan=3>一、本年新收政府信息公开申请数量</td><td>64</td><td colspan=2>0</td>
          <td>0</td><td>2</td><td>0</td><td>4</td><td>70</td></tr>
      <tr><td rowspan=2>三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>27</td>
          <td colspan=2>0</td><td>0</td><td>2</td><td>0</td><td>1</td><td>30</td></tr>
      <tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td>
          <td colspan=2>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
    </table></div>"""
    (table,) = parse(page(html)).tables
    assert (table.n_rows, table.n_cols) == (6, 11)
    positions = {c.text: (c.row, c.col, c.colspan) for c in table.cells}
    assert positions["自然人"] == (1, 3, 2)
    assert positions[""] == (2, 3, 1)
    assert positions["商业企业"] == (2, 4, 2)
    assert positions["64"] == (3, 3, 1)
    assert positions["70"] == (3, 10, 1)
    assert row_values(table, "一、本年新收", 7) == ["64", "0", "0", "2", "0", "4", "70"]


@pytest.mark.parametrize(
    ("attr", "colspan"),
    [
        ('colspan="2 "', 2),
        ("colspan='\"2\"'", 2),
        ('colspan="+2"', 2),
        ('colspan="x"', 1),
        ('colspan="-2"', 1),
        ('colspan="0"', 1),
        ('colspan=""', 1),
        ('colspan="99999999999"', 2),
    ],
)
def test_span_attributes_are_read_leniently_and_clamped(attr: str, colspan: int) -> None:
    html = f"<table><tr><td>头</td><td {attr}>尾</td></tr><tr><td>a</td><td>b</td><td>c</td></tr>"
    (table,) = parse(page(html + "</table>")).tables
    assert find_cell(table, "尾").colspan == colspan
    assert table.n_cols == 3


def test_huge_colspan_mid_row_spans_real_columns_only() -> None:
    # A browser puts 尾 after 5000 (HTML clamps to 1000) empty columns; the grid keeps only
    # the boundaries cells start at: 头 spans a, b, c and 尾 is a fourth column.
    html = (
        '<table><tr><td colspan="5000">头</td><td>尾</td></tr>'
        "<tr><td>a</td><td>b</td><td>c</td></tr></table>"
    )
    (table,) = parse(page(html)).tables
    assert table.n_cols == 4
    assert [(c.text, c.col, c.colspan) for c in table.row_cells()[0]] == [
        ("头", 0, 3),
        ("尾", 3, 1),
    ]


def test_columns_where_no_cell_starts_are_dropped() -> None:
    html = (
        "<table><tr><td colspan=3>标题</td><td>甲</td></tr>"
        "<tr><td colspan=3>行</td><td>1</td></tr></table>"
    )
    (table,) = parse(page(html)).tables
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert [(c.text, c.col, c.colspan) for c in table.cells] == [
        ("标题", 0, 1),
        ("甲", 1, 1),
        ("行", 0, 1),
        ("1", 1, 1),
    ]


def test_huge_rowspan_is_clamped_to_the_rows_present() -> None:
    html = (
        '<table><tr><td rowspan="1000">甲</td><td>1</td></tr><tr><td>2</td></tr>'
        "<tr><td>3</td></tr></table>"
    )
    (table,) = parse(page(html)).tables
    assert (table.n_rows, table.n_cols) == (3, 2)
    assert find_cell(table, "甲").rowspan == 3
    assert [c.col for c in table.cells if c.text in "123"] == [1, 1, 1]


def test_thead_first_and_tfoot_last_whatever_the_source_order() -> None:
    html = (
        "<table><tfoot><tr><td>合计</td><td>3</td></tr></tfoot>"
        "<tbody><tr><td>甲</td><td>1</td></tr><tr><td>乙</td><td>2</td></tr></tbody>"
        "<thead><tr><th>项目</th><th>数量</th></tr></thead></table>"
    )
    (table,) = parse(page(html)).tables
    assert [[c.text for c in row] for row in table.row_cells()] == [
        ["项目", "数量"],
        ["甲", "1"],
        ["乙", "2"],
        ["合计", "3"],
    ]


def test_cell_text_keeps_lines_and_collapses_padding() -> None:
    html = (
        "<table><tr><td><p>社会</p><p>公益&nbsp; &nbsp; &nbsp;\n</p><p>&nbsp;</p>组织<br>"
        "<span>（个）</span></td><td><font>&nbsp;</font><font>5</font><o:p></o:p></td></tr>"
        "<tr><td>结<br>果</td><td> </td></tr></table>"
    )
    (table,) = parse(page(html)).tables
    assert [c.text for c in table.cells] == ["社会\n公益\n组织\n（个）", "5", "结\n果", ""]


def test_layout_table_is_descended_into_in_reading_order() -> None:
    running = "我区认真贯彻落实《条例》，" * 40
    html = f"""<table width="100%"><tr><td>
        <h2>某区2023年度政府信息公开工作年度报告</h2>
        <p>一、总体情况</p><p>{running}</p>
        <p>三、收到和处理政府信息公开申请情况</p>
        <table border=1><tr><td>项目</td><td>数量</td></tr><tr><td>新收</td><td>5</td></tr></table>
        <p>六、其他需要报告的事项</p></td></tr></table>"""
    doc = parse(page(html))
    kinds = [b.text[:6] if isinstance(b, Paragraph) else b.ref for b in doc.blocks]
    assert kinds == [
        "某区2023",
        "一、总体情况",
        running[:6],
        "三、收到和处",
        "table1",
        "六、其他需要",
    ]
    assert doc.paragraphs[0].heading
    assert doc.tables[0].n_rows == 2


def test_layout_table_holding_another_table_is_not_a_table() -> None:
    html = (
        "<table><tr><td>左栏</td><td><table><tr><td>a</td><td>b</td></tr>"
        "<tr><td>c</td><td>d</td></tr></table></td></tr></table>"
    )
    doc = parse(page(html))
    assert texts(doc) == ["左栏"]
    assert [[c.text for c in row] for row in doc.tables[0].row_cells()] == [["a", "b"], ["c", "d"]]


def test_a_section_title_row_inside_a_data_table_keeps_it_a_table() -> None:
    html = (
        "<table><tr><td colspan=2><h3>二、主动公开政府信息情况</h3></td></tr>"
        "<tr><td>规章</td><td>0</td></tr></table>"
    )
    assert len(parse(page(html)).tables) == 1


def test_one_cell_table_and_empty_table_give_paragraphs_or_nothing() -> None:
    doc = parse(
        page(
            "<table><tr><td><p>注：本表数据截至12月31日。</p></td></tr></table>"
            "<table><tr><td></td><td>&nbsp;</td></tr><tr><td></td><td></td></tr></table>"
        )
    )
    assert texts(doc) == ["注：本表数据截至12月31日。"]
    assert doc.tables == []


def test_unclosed_table_still_yields_its_cells() -> None:
    doc = parse(page("<p>表</p><table><tr><td>1<td>2<tr><td>3<td>4"))
    assert [[c.text for c in row] for row in doc.tables[0].row_cells()] == [["1", "2"], ["3", "4"]]


# --------------------------------------------------------------------------- body selection

CHROME = (
    '<div class="nav"><a>首页</a> &gt; <span>当前位置：信息公开</span><a>网站地图</a></div>'
    '<div class="side"><p>友情链接</p><p>国务院</p><p>省政府</p><p>市政府</p><p>区政府</p>'
    "<p>县政府</p></div>"
)
FOOTER = (
    '<div class="footer"><p>版权所有：某区人民政府</p><p>闽ICP备12345678号</p><a>打印</a></div>'
)


def test_known_container_is_chosen_over_chrome() -> None:
    report = "".join(f"<p>{h}</p><p>正文。</p>" for h in REPORT_HEADINGS) + SECTION3_HEADER
    doc = parse(
        page(CHROME + f'<div id="zoom"><div class="TRS_Editor">{report}</div></div>' + FOOTER)
    )
    assert texts(doc)[::2] == list(REPORT_HEADINGS)
    assert not any(word in text for text in texts(doc) for word in (*CHROME_WORDS, "打印"))
    assert len(doc.tables) == 1
    assert doc.warnings == ()


def test_generic_container_found_by_headings_without_known_selectors() -> None:
    report = "".join(f"<p>{h}</p><p>内容{i}</p>" for i, h in enumerate(REPORT_HEADINGS))
    body = CHROME + f'<div class="wrap"><div class="x1">{report}{SECTION3_HEADER}</div></div>'
    doc = parse(page(body + FOOTER))
    assert texts(doc)[0] == REPORT_HEADINGS[0]
    assert not any(word in text for text in texts(doc) for word in CHROME_WORDS)


def container(selector: str, inner: str) -> str:
    """An element matching one of the CMS body selectors (``#id``, ``.class``, ``td#id``)."""
    match = re.fullmatch(r"(\w*)([#.])([\w-]+)", selector)
    assert match is not None, selector
    tag, kind, name = match.groups()
    attr = f'{"id" if kind == "#" else "class"}="{name}"'
    if tag == "td":
        return f"<table><tr><td {attr}>{inner}</td></tr></table>"
    return f"<div {attr}>{inner}</div>"


@pytest.mark.parametrize("selector", BODY_SELECTORS)
def test_every_cms_body_container_is_chosen_over_chrome(selector: str) -> None:
    doc = parse(page(CHROME + container(selector, "<p>正文第一段。</p><p>正文第二段。</p>") + FOOTER))
    assert texts(doc) == ["正文第一段。", "正文第二段。"]


def test_body_is_found_by_numbered_sections_whatever_the_document_is() -> None:
    # No report vocabulary anywhere: a work plan beside a news column holding more text.
    news = "".join(f"<p>{'本市召开重点项目建设推进会议并部署下一阶段任务' * 3}{i}</p>" for i in range(8))
    sections = ("一、工作目标", "二、主要任务", "三、保障措施")
    plan = "".join(f"<p>{h}</p><p>按计划推进。</p>" for h in sections)
    doc = parse(page(f'<div class="news">{news}</div><div class="x1">{plan}</div>' + FOOTER))
    assert texts(doc)[::2] == list(sections)


def test_subsection_numbers_and_running_text_are_no_sections() -> None:
    # `（一）` numbers subsections and `第一、` is prose: only the column with `一、` … is a body.
    subsections = "".join(f"<p>（{n}）第{n}、子项内容说明</p>" for n in "一二三四五六")
    sections = [f"{n}、章节" for n in "一二三四五"]
    body = f'<div class="a">{subsections * 3}</div><div class="b">'
    body += "".join(f"<p>{s}</p>" for s in sections) + "</div>"
    assert texts(parse(page(body))) == sections


def test_smallest_container_keeping_all_headings_and_tables_wins() -> None:
    # The known selector .article_content also holds a sidebar; the report sits in .inner.
    report = "".join(f"<p>{h}</p>" for h in REPORT_HEADINGS) + SECTION3_HEADER
    body = (
        f'<div class="article_content"><div class="related"><p>相关阅读</p></div>'
        f'<div class="inner">{report}</div></div>'
    )
    assert texts(parse(page(body))) == list(REPORT_HEADINGS)


def test_page_without_body_gives_no_head_text() -> None:
    doc = parse('<head><title>只有标题</title><meta name="PubDate" content="2024-01-01"></head>')
    assert doc.blocks == ()
    assert (doc.title, doc.meta["PubDate"]) == ("只有标题", "2024-01-01")


def test_page_without_any_container_uses_body() -> None:
    doc = parse(page("纯文本<br>第二行"))
    assert texts(doc) == ["纯文本", "第二行"]


# --------------------------------------------------------------------------- real samples


def test_pt2021_whole_page_selects_the_article_body() -> None:
    doc = parse_html(sample("pt2021.html"))
    paragraphs = texts(doc)
    for word in CHROME_WORDS:
        assert not any(word in text for text in paragraphs), word
    assert [t for t in paragraphs if t in REPORT_HEADINGS] == list(REPORT_HEADINGS)
    assert paragraphs[-1] == "2021年，无收取信息处理费情况。"
    assert doc.meta["PubDate"] == "2022-02-08 16:34"
    assert doc.title == "平潭综合实验区2021年度政府信息公开工作年度报告"
    assert [t.ref for t in doc.tables] == ["table1", "table2", "table3"]


def test_pt2021_tables_of_sections_two_three_four() -> None:
    doc = parse_html(sample("pt2021.html"))
    expected = truth("pt2021")
    section2 = table_with(doc, "第二十条第（一）项")
    assert row_values(section2, "行政规范性文件", 3) == ["69", "3", "665"]
    assert row_values(section2, "行政事业性收费", 1) == ["24252.311082"]
    section3 = table_with(doc, "申请人情况")
    natural = find_cell(section3, "自然人")
    assert (natural.row, natural.col, natural.colspan) == (1, 3, 2)
    applications = expected["applications"]
    assert isinstance(applications, dict)
    for label in ("一、本年新收政府信息公开申请数量", "四、结转下年度继续办理"):
        assert [int(v) for v in row_values(section3, label, 7)] == applications[label]
    assert find_cell(section3, "本年度办理结果").rowspan == 22
    section4 = table_with(doc, "行政复议")
    assert section4.n_cols == 15
    assert find_cell(section4, "结果维持").text == "结\n果\n维\n持"
    assert [int(c.text) for c in section4.row_cells()[-1]] == expected["review_litigation"]


def test_pt2024_headings_are_paragraphs_and_meta_is_read() -> None:
    doc = parse_html(sample("pt2024.html"))
    assert [t for t in texts(doc) if t in REPORT_HEADINGS] == list(REPORT_HEADINGS)
    assert doc.meta["PubDate"] == "2025-03-10 15:35"
    assert doc.meta["ArticleTitle"] == "平潭综合实验区2024年度政府信息公开工作年度报告"
    assert doc.title == doc.meta["ArticleTitle"]
    assert [p.ref for p in doc.paragraphs] == [f"p{i}" for i in range(1, len(doc.paragraphs) + 1)]


def test_pt2024_split_header_cells_keep_their_lines() -> None:
    doc = parse_html(sample("pt2024.html"))
    section3 = table_with(doc, "申请人情况")
    assert compact(find_cell(section3, "三、本年度办理结果").text) == "三、本年度办理结果"
    assert find_cell(section3, "社会公益组织").text == "社会\n公益\n组织"
    assert find_cell(section3, "法律服务机构").text == "法律\n服务\n机构"
    applications = truth("pt2024")["applications"]
    assert isinstance(applications, dict)
    for label, values in applications.items():
        if values is not None and "." not in label:  # the top-level rows 一、二、四、
            assert [int(v) for v in row_values(section3, label, 7)] == values
    band = table_with(doc, "第二十条第（五）项")  # a bare-text <td> next to <p>-wrapped ones
    assert find_cell(band, "第二十条第（五）项").colspan == 4


# --------------------------------------------------------------------------- hostile input

HOSTILE_SECONDS = 10.0  # generous: a hang, not a slow machine, is what these tests catch


@pytest.mark.parametrize(
    "data",
    [
        b"<div>" * 200_000,
        b"<table><tr><td>" * 50_000 + b"x",
        b"<span>" * 300 + "深层文字".encode(),
        (b"<p>abc<b>x</i>&amp;&#99999999;<td rowspan=99999999999 colspan=-3><tr>" * 160_000),
        b"<table>" + (b"<tr>" + b"<td rowspan=100 colspan=100>x</td>" * 3 + b"</tr>") * 5_000,
        b"<table><tr>" + b"<td>1</td>" * 60_000 + b"</tr></table>",
        b"<p>" + b"a" * 9_000_000,
        b"<<<>>><</p></table></td><td><tr>&&&;\xff\xfe<!--",
    ],
    ids=[
        "deep-divs",
        "deep-tables",
        "deep-inline",
        "10MB-junk",
        "span-bomb",
        "wide-row",
        "huge-text",
        "broken-tags",
    ],
)
def test_hostile_input_gives_parse_error_or_document_quickly(data: bytes) -> None:
    started = time.perf_counter()
    try:
        doc = parse_html(data)
    except ParseError:
        pass
    else:
        assert isinstance(doc, Document)
        for table in doc.tables:
            assert table.n_cols <= 256
            assert all(c.row + c.rowspan <= table.n_rows for c in table.cells)
            assert all(c.col + c.colspan <= table.n_cols for c in table.cells)
    assert time.perf_counter() - started < HOSTILE_SECONDS


def test_input_beyond_the_size_limit_is_refused() -> None:
    with pytest.raises(ParseError, match="too large"):
        parse_html(b"<p>" + b"x" * (33 * 1024 * 1024))


HTML_BITS = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "<td>",
        "<td rowspan=3>",
        "<td colspan='2 '>",
        "<th>",
        "</td>",
        "<p>",
        "</p>",
        "<br>",
        "<div class=TRS_Editor>",
        "</div>",
        "<b>",
        "&nbsp;",
        "一、总体情况",
        "三、收到和处理",
        "自然人",
        "12",
        "<img src=a.png>",
        "<script>",
        "<!--",
        "<thead>",
        "<tfoot>",
        "<caption>",
        "<h2>",
        "\u3000",
        "\x00",
        "<meta charset=gbk>",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(HTML_BITS, max_size=60))
def test_any_tag_soup_parses_or_raises_parse_error(bits: list[str]) -> None:
    try:
        doc = parse_html("".join(bits).encode("utf-8"))
    except ParseError:
        return
    for table in doc.tables:
        assert table.n_rows == len({c.row for c in table.cells})
        assert table.n_cols == len({c.col for c in table.cells})
        assert all(
            c.row + c.rowspan <= table.n_rows and c.col + c.colspan <= table.n_cols
            for c in table.cells
        )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_html(data)


# The section numbers the article body is scored on, in the plain form: the look-behind first.
_PLAIN_NUMBERED_HEADING = re.compile(
    r"(?<![一二三四五六七八九十第（(])([一二三四五六七八九十]{1,3})、(?=[\u4e00-\u9fff])"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="一二三四五六七八九十第（(、政a 1", max_size=16))
def test_section_numbers_are_found_as_the_plain_pattern_finds_them(text: str) -> None:
    assert _NUMBERED_HEADING.findall(text) == _PLAIN_NUMBERED_HEADING.findall(text)
