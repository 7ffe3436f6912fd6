"""The synthetic report generator: layouts match the official template, files carry every
printed value, output is deterministic, and the known values obey the declared rules.

These tests check the generator only, not the project's parsers or matcher.
"""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from pathlib import Path

import docx
import pytest
from conftest import SAMPLES
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from gk_extract.testing.synth import (
    STYLES,
    SyntheticReport,
    iter_corpus,
    random_notice,
    random_report,
    read_truth,
    render_docx,
    render_html,
    template_keys,
)
from gk_extract.testing.synth import counts as cnt
from gk_extract.testing.synth.__main__ import main as synth_main
from gk_extract.testing.synth.layout import S3_NOTE

BLANK_TEMPLATE = SAMPLES / "gbtemplate_blank_2021.docx"
PLACEHOLDERS = {"", "—", "-", "/", "无"}
S3_VALUE_COLS = 7


def _report(seed: int = 1, **overrides: object) -> SyntheticReport:
    return random_report(random.Random(seed), **overrides)


# ----------------------------------------------------------------------------- DOCX helpers


def _tc_shape(tc: object) -> tuple[int, str]:
    """(gridSpan, vMerge state) of one w:tc: state is '', 'restart' or 'continue'."""
    props = tc.tcPr  # type: ignore[attr-defined]
    merge = props.find(qn("w:vMerge")) if props is not None else None
    state = "" if merge is None else (merge.get(qn("w:val")) or "continue")
    return tc.grid_span, state  # type: ignore[attr-defined]


def _table_shape(table: docx.table.Table) -> list[list[tuple[int, str]]]:
    return [[_tc_shape(tc) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def _docx_tables(data: bytes) -> list[docx.table.Table]:
    return docx.Document(io.BytesIO(data)).tables


def _s3_docx_table(data: bytes) -> docx.table.Table:
    return next(t for t in _docx_tables(data) if S3_NOTE in t._tbl.xml)


# ----------------------------------------------------------------------------- HTML helpers


def _cell_text(cell: lxml_html.HtmlElement) -> str:
    return cell.text_content().replace("\xa0", " ").strip()


Slot = tuple[int, str]  # (origin cell number, its text): a spanned cell fills several slots


def _html_tables(data: bytes, encoding: str = "utf-8") -> list[list[list[Slot]]]:
    """Each table as a grid of slots, rowspan/colspan expanded."""
    root = lxml_html.fromstring(data.decode(encoding))
    return [_expand(table) for table in root.iter("table")]


def _expand(table: lxml_html.HtmlElement) -> list[list[Slot]]:
    grid: dict[tuple[int, int], Slot] = {}
    origin = 0
    for r, tr in enumerate(table.xpath("./tr | ./tbody/tr | ./thead/tr")):  # not nested tables
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            origin += 1
            rows, cols = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(rows):
                for dc in range(cols):
                    grid[r + dr, c + dc] = (origin, _cell_text(cell))
            c += cols
    n_rows = max(r for r, _ in grid) + 1
    return [[grid[r, c] for c in sorted(c for rr, c in grid if rr == r)] for r in range(n_rows)]


def _rightmost(row: list[Slot], n: int) -> list[str]:
    """The texts of the ``n`` rightmost distinct cells of a grid row."""
    distinct = list(dict.fromkeys(row))
    return [text for _, text in distinct[-n:]]


# ----------------------------------------------------------------------------- the layout of DOCX tables


def test_docx_opens_with_python_docx_and_has_the_six_headings() -> None:
    report = _report(3, title_in_textbox=False)
    document = docx.Document(io.BytesIO(render_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.title in text
    for heading in report.headings.values():
        assert heading in text
    assert report.signature.splitlines()[-1] in text


def test_docx_title_in_text_box_lives_in_txbx_content() -> None:
    report = _report(3, title_in_textbox=True)
    document = docx.Document(io.BytesIO(render_docx(report)))
    assert report.title not in [p.text for p in document.paragraphs]
    boxes = document.element.body.findall(".//" + qn("w:txbxContent"))
    assert any(report.title in "".join(box.itertext()) for box in boxes)


def test_docx_section_3_top_left_cell_spans_three_rows_and_three_columns() -> None:
    shape = _table_shape(_s3_docx_table(render_docx(_report(4, other_single_row=False))))
    assert [row[0] for row in shape[:3]] == [(3, "restart"), (3, "continue"), (3, "continue")]
    assert shape[0][1] == (7, "")  # 申请人情况 spans 7
    assert shape[1][1:] == [
        (1, "restart"),
        (5, ""),
        (1, "restart"),
    ]  # 自然人 | 法人或其他组织 | 总计
    assert shape[2][1] == (1, "continue") and shape[2][-1] == (1, "continue")


def test_docx_section_3_result_label_spans_22_rows() -> None:
    shape = _table_shape(_s3_docx_table(render_docx(_report(4, other_single_row=False))))
    first_cells = [row[0] for row in shape[3:]]
    assert len(shape) == 3 + 25
    assert first_cells.count((1, "restart")) == 1
    assert first_cells.count((1, "continue")) == 21
    assert sum(tc == (1, "restart") for row in shape[3:] for tc in row[1:3]) == 4  # （三）–（六）


def test_docx_23_row_variant_prints_other_handling_as_one_row() -> None:
    report = _report(4, template="2021", other_single_row=True)
    table = _s3_docx_table(render_docx(report))
    shape = _table_shape(table)
    assert len(shape) == 3 + 23
    assert [row[0] for row in shape[3:]].count((1, "continue")) == 19  # 三 spans 20 rows
    labels = [row.cells[1].text for row in table.rows]
    row = labels.index("（六）其他处理")
    assert shape[row][1] == (2, "")
    assert "s3_other_handling__total" in report.cells
    assert "s3_other_other__total" not in report.cells


@pytest.fixture(scope="module")
def official_tables() -> list[docx.table.Table]:
    if not BLANK_TEMPLATE.exists():
        pytest.skip(
            f"official blank template not found at {BLANK_TEMPLATE} "
            "(shared/samples is not part of the project)"
        )
    return docx.Document(str(BLANK_TEMPLATE)).tables


def test_docx_section_3_grid_equals_the_official_template(
    official_tables: list[docx.table.Table],
) -> None:
    ours = _s3_docx_table(render_docx(_report(4, template="2021", other_single_row=False)))
    official = next(t for t in official_tables if "勾稽关系" in t._tbl.xml)
    assert _table_shape(ours) == _table_shape(official)
    assert len(ours._tbl.tblGrid.findall(qn("w:gridCol"))) == 10


def test_docx_sections_2_and_4_grids_equal_the_official_template(
    official_tables: list[docx.table.Table],
) -> None:
    data = render_docx(
        _report(
            4, template="2021", s2_layout="one_table", s4_layout="one_table", extra_s2_row=False
        )
    )
    ours = _docx_tables(data)
    assert _table_shape(ours[0]) == _table_shape(official_tables[0])
    assert _table_shape(ours[-1]) == _table_shape(official_tables[-1])


def test_docx_split_layouts_give_one_table_per_block_and_group() -> None:
    two_one_nine = _report(5, template="2019", s2_layout="four_tables", s4_layout="three_tables")
    tables = _docx_tables(render_docx(two_one_nine))
    assert len(tables) == 5 + 1 + 3  # five 2019 blocks, section 三, three groups


def test_docx_cells_hold_every_raw_value_in_template_order() -> None:
    report = _report(6, template="2021", other_single_row=False)
    table = _s3_docx_table(render_docx(report))
    for row_key, row in zip(cnt.s3_rows(False), table.rows[3:]):
        values = [c.text for c in row.cells[-S3_VALUE_COLS:]]
        expected = [report.cells[f"s3_{row_key}__{col}"] for col in (*cnt.ORG_COLS, "total")]
        assert values == expected


def test_docx_labels_split_over_lines_when_asked() -> None:
    table = _s3_docx_table(render_docx(_report(6, labels_split=True)))
    assert table.rows[2].cells[4].text == "商业\n企业"


# ----------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("style", STYLES)
def test_html_parses_and_contains_every_raw_value(style: str) -> None:
    for seed in range(4):
        report = _report(seed, extra_s2_row=True)
        root = lxml_html.fromstring(render_html(report, style).decode("utf-8"))
        cells = {_cell_text(c) for c in root.iter("td", "th")}
        missing = {k: raw for k, raw in report.cells.items() if raw.strip() and raw not in cells}
        assert not missing, f"{style} seed {seed}"
        for label, raws in report.extra_rows.items():
            assert label in cells and all(raw in cells for raw in raws if raw)


@pytest.mark.parametrize("style", STYLES)
def test_html_section_3_values_sit_in_their_rows_after_span_expansion(style: str) -> None:
    for seed in range(6):
        report = _report(seed)
        grid = next(g for g in _html_tables(render_html(report, style)) if g[0][0][1] == S3_NOTE)
        rows = cnt.s3_rows(report.other_single_row)
        assert len(grid) == 3 + len(rows)
        for row_key, row in zip(rows, grid[3:]):
            expected = [report.cells[f"s3_{row_key}__{c}"] for c in (*cnt.ORG_COLS, "total")]
            assert _rightmost(row, S3_VALUE_COLS) == expected, f"{style} seed {seed} {row_key}"


def test_html_trs_page_has_cms_chrome_and_metadata() -> None:
    report = _report(2)
    page = render_html(report, "trs").decode("utf-8")
    root = lxml_html.fromstring(page)
    assert root.xpath('//meta[@name="ArticleTitle"]/@content') == [report.title]
    assert root.xpath('//meta[@name="PubDate"]/@content')[0].startswith(
        report.published.isoformat()
    )
    assert root.xpath('//meta[@name="ContentSource"]/@content') == [report.agency]
    assert root.xpath('//div[@class="TRS_Editor"]//table')
    assert "当前位置" in page and "版权所有" in page and "ICP备" in page
    hosts = set(re.findall(r"https?://([^/\"']+)", page))
    assert all(host.endswith("example.gov.cn") for host in hosts)


def test_html_word_style_has_word_markup() -> None:
    page = render_html(_report(2), "word").decode("utf-8")
    assert "class=MsoNormal" in page and "<o:p>" in page and "<div align=center>" in page
    assert "三<br>、<br>本<br>年" in page  # the vertical label, one character per line


def test_html_hanweb_body_is_in_zoom_div() -> None:
    root = lxml_html.fromstring(render_html(_report(2), "hanweb").decode("utf-8"))
    assert root.xpath('//div[@id="zoom"]//table/tbody')


@pytest.mark.parametrize("style", STYLES)
def test_gbk_pages_declare_gbk_and_decode_with_gb18030(style: str) -> None:
    report = _report(8)
    data = render_html(report, style, encoding="gbk")
    assert re.search(rb"charset=\"?gbk", data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert report.title in text
    assert lxml_html.fromstring(text).xpath("//table")


def test_render_html_rejects_unknown_style_and_encoding() -> None:
    with pytest.raises(ValueError, match="style"):
        render_html(_report(), "frontpage")
    with pytest.raises(ValueError, match="encoding"):
        render_html(_report(), "trs", "latin-1")


# ----------------------------------------------------------------------------- values


def _value_of(raw: str) -> float | None:
    """What a printed cell means, by the rules of report-format.md §4.3 (test oracle)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"\(其中.*\)$", "", text).removesuffix("万元").replace(",", "")
    if text in PLACEHOLDERS:
        return None
    return float(text)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_expected_is_what_the_raw_text_means(seed: int) -> None:
    report = _report(seed)
    assert list(report.cells) == template_keys(report.template, report.other_single_row)
    assert report.cells.keys() == report.expected.keys()
    for key, raw in report.cells.items():
        assert report.expected[key] == _value_of(raw), key


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_consistent_flag_matches_a_strict_check_of_the_printed_values(seed: int) -> None:
    report = _report(seed)
    failed = cnt.failing(report.expected, cnt.rules(report.other_single_row))
    assert report.consistent == (not failed)
    assert report.consistent == (not report.violations)


def test_consistency_can_be_forced_either_way() -> None:
    assert _report(9, consistent=True).consistent
    broken = _report(9, consistent=False)
    assert not broken.consistent and broken.violations


def test_text_quotes_the_section_3_totals() -> None:
    for seed in range(20):
        report = _report(seed)
        figures = {
            row: report.expected[f"s3_{row}__total"]
            for row in ("new_received", "carried_over", "carried_forward")
        }
        overview = report.sections["s1_overview"]
        for row, phrase in (
            ("new_received", "本年新收到政府信息公开申请"),
            ("carried_over", "上年结转"),
            ("carried_forward", "结转下年度继续办理"),
        ):
            if figures[row] is not None:
                assert f"{phrase}{int(figures[row])}件" in overview


def test_2019_template_uses_its_keys() -> None:
    report = _report(10, template="2019")
    assert report.year in (2019, 2020) and report.other_single_row
    assert any(k.startswith("s2v19_central_procurement__") for k in report.cells)
    assert not any(k.startswith("s2_") for k in report.cells)
    assert "国办公开办函〔2019〕60号" in report.preamble


def test_random_report_rejects_bad_overrides() -> None:
    with pytest.raises(TypeError, match="colour"):
        _report(colour="red")
    with pytest.raises(ValueError, match="other_single_row"):
        _report(template="2019", other_single_row=False)


def test_agencies_and_titles_look_like_reports() -> None:
    for seed in range(30):
        report = _report(seed)
        assert re.fullmatch(r".+(人民政府|局|委员会|办公室|办事处)", report.agency)
        assert report.title.startswith(f"{report.agency}{report.year}年")
        assert report.title.endswith("政府信息公开工作年度报告")
        assert report.published.year == report.year + 1


def test_notice_is_not_a_report_but_renders() -> None:
    notice = random_notice(random.Random(3))
    assert "通知" in notice.title and notice.truth()["status"] == "not_a_report"
    assert not _docx_tables(render_docx(notice))
    assert notice.title in render_html(notice, "hanweb").decode("utf-8")


# ----------------------------------------------------------------------------- determinism and corpus


def test_generator_is_deterministic() -> None:
    first, again = _report(11), _report(11)
    assert first == again
    assert render_docx(first) == render_docx(again)
    for style in STYLES:
        assert render_html(first, style, "gbk") == render_html(again, style, "gbk")
    assert _report(12) != first


def test_corpus_is_deterministic_for_a_seed() -> None:
    def snapshot(seed: int) -> list[tuple[str, bytes]]:
        return [(item.name, item.data) for item in iter_corpus(12, seed, with_junk=True)]

    assert snapshot(5) == snapshot(5)
    assert snapshot(5) != snapshot(6)


def test_cli_writes_files_and_truth(tmp_path: Path) -> None:
    assert synth_main([str(tmp_path), "--count", "24", "--seed", "3", "--with-junk"]) == 0
    truth = read_truth(tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir() if p.name != "truth.jsonl")
    assert sorted(t["file"] for t in truth) == files and len(files) == 24
    kinds = [t["kind"] for t in truth]
    assert kinds.count("notice") == 2 and kinds.count("junk") == 1
    reports = [t for t in truth if t["kind"] == "report"]
    assert {t["format"] for t in reports} == {"html", "docx"}
    assert any(t["layout"]["other_single_row"] for t in reports)
    assert any(t["template"] == "2019" for t in reports)
    for t in reports:
        assert list(t["expected"]) == template_keys(t["template"], t["layout"]["other_single_row"])
    json.dumps(truth)  # plain JSON all the way down


def test_cli_rejects_unknown_format(tmp_path: Path) -> None:
    assert synth_main([str(tmp_path), "--count", "2", "--formats", "pdf"]) == 2


def test_panel_reports_tie_their_years_except_the_one_broken_on_purpose() -> None:
    from itertools import pairwise

    from gk_extract.testing.synth.panel import BROKEN, PANEL_AGENCIES, PANEL_YEARS, panel_reports

    reports = panel_reports(3)
    assert len(reports) == len(PANEL_AGENCIES) * len(PANEL_YEARS)
    for last, this in pairwise(reports):
        if last.agency != this.agency:
            continue
        off = BROKEN[2] if (this.agency, this.year) == BROKEN[:2] else 0
        forward = last.expected["s3_carried_forward__natural_person"] or 0
        assert this.expected["s3_carried_over__natural_person"] == forward + off
        for col in ("natural_person", "total"):  # the report's own totals still add up
            e = this.expected
            assert (e[f"s3_new_received__{col}"] or 0) + (e[f"s3_carried_over__{col}"] or 0) == \
                (e[f"s3_result_total__{col}"] or 0) + (e[f"s3_carried_forward__{col}"] or 0)
