"""The template matcher on hand-built tables: one test per real-world variant (report-format.md §4)."""

from __future__ import annotations

from dataclasses import replace

from conftest import table

from gk_extract.models import Document, Paragraph, Table
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.match import Source, build_report
from gk_extract.template.tables import Extraction, extract_s2, extract_s3, extract_s4

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADER = [
    [(NOTE, 3, 3), ("申请人情况", 1, 7)],
    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]
GROUPS = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}


def s3_rows(values: dict[str, list[str]], single_other: bool = False,
            header: list | None = None) -> list[list]:
    """Section 三 laid out as the official template, values per row key."""
    rows = [list(r) for r in (header or HEADER)]
    items = [r for r in T.S3_ROWS if r.group]
    spans = 20 if single_other else 22
    for spec in T.S3_ROWS:
        cells = values.get(spec.key, ["0"] * 7)
        if spec.key in ("new_received", "carried_over", "carried_forward"):
            rows.append([(spec.label, 1, 3), *cells])
        elif spec.key == "granted":
            rows.append([("三、本年度办理结果", spans, 1), (spec.label, 1, 2), *cells])
        elif spec.key in ("partially_granted", "result_total"):
            rows.append([(spec.label, 1, 2), *cells])
        elif spec.group == ("其他处理",) and single_other:
            if spec.key == "other_no_correction":
                rows.append([(T.S3_OTHER_HANDLING.label, 1, 2), *values.get("other_handling", ["0"] * 7)])
        else:
            group = next(g for g, n in GROUPS.items() if spec.group[0] in g)
            first = next(r for r in items if r.group == spec.group) is spec
            lead = [(group, GROUPS[group], 1)] if first else []
            rows.append([*lead, spec.label, *cells])
    return rows


def cells_of(out: Extraction) -> dict[str, str]:
    return {k: c.value.raw for k, c in out.cells.items()}


def test_official_layout_reads_every_cell() -> None:
    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    out = Extraction()
    extract_s3([table(s3_rows(values))], out)
    got = cells_of(out)
    assert len(got) == 175
    assert got["s3_withheld_state_secret__natural_person"] == values["withheld_state_secret"][0]
    assert got["s3_other_other__total"] == values["other_other"][6]
    assert got["s3_result_total__other_org"] == values["result_total"][5]


def test_23_row_variant_gives_other_handling_and_no_invented_rows() -> None:
    out = Extraction()
    extract_s3([table(s3_rows({"other_handling": ["5"] * 7}, single_other=True))], out)
    got = cells_of(out)
    assert got["s3_other_handling__natural_person"] == "5"
    assert not any(k.startswith(("s3_other_no_correction", "s3_other_other")) for k in got)
    assert len(got) == 23 * 7


def test_labels_split_over_lines_typos_and_fill_in_notes() -> None:
    header = [[(NOTE, 3, 3), ("申请人\n情况", 1, 7)],
              [("自\n然\n人", 2, 1), ("法人或其他组织", 1, 5), ("总\n计", 2, 1)],
              ["商业\n企业", "科研\n机构", "社会\n公益\n组织", "法律\n服务\n机构", "其他"]]
    rows = s3_rows({"withheld_other_law": ["7"] * 7}, header=header)
    for row in rows:  # the typo seen in a real report and a bracketed instruction
        for i, cell in enumerate(row):
            if isinstance(cell, str) and "其他法律行政法规" in cell:
                row[i] = "2.其他法律行政止公开"
    out = Extraction()
    extract_s3([table(rows)], out)
    assert cells_of(out)["s3_withheld_other_law__total"] == "7"
    assert len(out.cells) == 175


def test_misaligned_header_maps_data_by_position_in_row() -> None:
    """自然人 printed colspan=2 in the header while data rows give 商业企业 colspan=2."""
    header = [[(NOTE, 3, 3), ("申请人情况", 1, 8)],
              [("自然人", 2, 2), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
              ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
    rows = [*header, [("一、本年新收政府信息公开申请数量", 1, 3), "70", ("1", 1, 2), "0", "2", "0", "4", "77"]]
    out = Extraction()
    extract_s3([table(rows)], out)
    got = cells_of(out)
    assert got["s3_new_received__natural_person"] == "70"
    assert got["s3_new_received__commercial_enterprise"] == "1"
    assert got["s3_new_received__total"] == "77"


def test_table_split_in_two_keeps_column_order() -> None:
    rows = s3_rows({"unable_not_held": ["3"] * 7})
    cut = 16  # after （四）1, as a PDF page break would cut it
    first, second = table(rows[:cut]), table([r[-8:] if len(r) > 8 else r for r in rows[cut:]])
    out = Extraction()
    extract_s3([first, second], out)
    assert cells_of(out)["s3_unable_not_held__total"] == "3"
    assert "s3_carried_forward__total" in out.cells


S2_ONE_TABLE = [
    [("第二十条第（一）项", 1, 4)],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章（设区的市、自治州人民政府应提供相关数据）", "1", "0", "3"],
    ["行政规范性文件", "62", "33", "440"],
    [("第二十条第（五）项", 1, 4)],
    ["信息内容", ("本年处理决定数量", 1, 3)],
    ["行政许可", ("4529", 1, 3)],
    [("第二十条第（六）项", 1, 4)],
    ["信息内容", ("本年处理决定数量", 1, 3)],
    ["行政处罚", ("1100", 1, 3)],
    ["行政强制", ("65", 1, 3)],
    ["其他主动公开文件", ("12", 1, 3)],
    [("第二十条第（八）项", 1, 4)],
    ["信息内容", ("本年收费金额（单位：万元）", 1, 3)],
    ["行政事业性收费", ("18,651.06", 1, 3)],
]


def test_section_2_one_table_and_four_tables_agree() -> None:
    one, four = Extraction(), Extraction()
    extract_s2([table(S2_ONE_TABLE)], registry.TEMPLATES["2021"], one)
    blocks = [S2_ONE_TABLE[0:4], S2_ONE_TABLE[4:7], S2_ONE_TABLE[7:12], S2_ONE_TABLE[12:]]
    extract_s2([table(b) for b in blocks], registry.TEMPLATES["2021"], four)
    assert cells_of(one) == cells_of(four)
    fee = one.cells["s2_admin_fees__amount_wan_yuan"]
    assert fee.value.value == 18651.06 and fee.value.unit == "万元"
    assert one.cells["s2_regulations__issued"].value.value == 1
    extra = [c for c in one.cells.values() if c.table == "extra"]
    assert [c.row_label for c in extra] == ["其他主动公开文件"] and extra[0].value.value == 12


S4_HEADER = [
    [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
    [("结果维持", 2, 1), ("结果纠正", 2, 1), ("其他结果", 2, 1), ("尚未审结", 2, 1), ("总计", 2, 1),
     ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def test_section_4_one_row_of_15_and_three_tables_agree() -> None:
    data = [str(i) for i in range(15)]
    one, three = Extraction(), Extraction()
    extract_s4([table([*S4_HEADER, data])], one)
    labels = ["行政复议", "未经复议直接起诉", "复议后起诉"]
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    extract_s4([table([[label], outcomes, data[i * 5:(i + 1) * 5]]) for i, label in enumerate(labels)], three)
    assert cells_of(one) == cells_of(three)
    assert cells_of(one)["s4_suit_after_review__total"] == "14"
    assert cells_of(one)["s4_review__upheld"] == "0"


def test_notice_in_the_same_column_is_not_a_report() -> None:
    doc = Document("html", (Paragraph("关于做好2024年政府信息公开工作年度报告编制和发布工作的通知"),
                            Paragraph("各区县人民政府：现将有关事项通知如下。")))
    report = build_report(doc, Source("0" * 64, "n.html", "html"))
    assert report.status == "not_a_report" and report.template in ("not_a_report", "unknown")


def test_2019_template_detected_from_labels_not_year() -> None:
    s2 = table([["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "1", "2", "3"],
                ["规范性文件", "4", "5", "6"]])
    doc = Document("html", (Paragraph("某市某局2021年政府信息公开工作年度报告"), s2))
    report = build_report(doc, Source("1" * 64, "a.html", "html"))
    assert report.template == "2019"
    assert {c.key: c.value.value for c in report.cells}["s2v19_normative_docs__published_total"] == 6


def test_old_report_is_never_forced_into_2021_keys() -> None:
    stats = table([["统计指标", "单位", "统计数"], ["一、主动公开情况", "", ""], ["当面申请数", "件", "3"]])
    doc = Document("html", (Paragraph("某县人民政府2016年政府信息公开工作年度报告"), stats))
    report = build_report(doc, Source("2" * 64, "b.html", "html"))
    assert report.template == "2014"
    assert [(c.table, c.key, c.value.raw) for c in report.cells] == [
        ("stat2014", "stat2014_一_当面申请数__value", "3")]  # legacy rows, no 2021 key


def test_every_row_saved_as_a_table_of_its_own() -> None:
    values = {r.key: [str(i)] * 7 for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    tables = [table([row]) for row in rows[3:]]  # header dropped too, as such pages often do
    out = Extraction()
    extract_s3(tables, out)
    assert cells_of(out)["s3_new_received__total"] == "0"
    assert cells_of(out)["s3_carried_forward__natural_person"] == "24"
    doc = Document("html", (Paragraph("某局2023年政府信息公开工作年度报告"), *tables))
    report = build_report(doc, Source("3" * 64, "c.html", "html"))
    got = {c.key: c.value.raw for c in report.cells}
    assert got["s3_withheld_admin_query__total"] == "11"


def test_label_spanning_two_columns_read_as_a_label_and_an_empty_cell() -> None:
    """A PDF without the ruling that merges （七）总计 over the item column gives an empty cell."""
    rows = [*HEADER, [("三、本年度办理结果", 2, 1), "（六）其他处理", "", *["1"] * 7],
            ["（七）总计", "", *["9"] * 7]]
    out = Extraction()
    extract_s3([table(rows)], out)
    assert cells_of(out)["s3_result_total__total"] == "9"
    assert cells_of(out)["s3_other_handling__natural_person"] == "1"


# --------------------------------------------------------------------------- lost label rulings


def _merge_labels(rows: list[list], first: int, count: int) -> list[list]:
    """The rows with the detail labels of rows ``first``..``first+count-1`` (indices into
    ``rows``) printed in one label cell, as a scan whose label rulings were lost reads."""
    out = [list(r) for r in rows]
    labels = [out[first + i][-8] for i in range(count)]
    texts = [lab if isinstance(lab, str) else lab[0] for lab in labels]
    out[first][-8] = ("\n".join(texts), count, 1)
    for i in range(1, count):
        del out[first + i][-8]
    return out


def test_labels_merged_into_one_cell_are_split_by_template_order() -> None:
    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    at = next(i for i, r in enumerate(rows) if "5.属于三类内部事务信息" in r)
    rows = _merge_labels(rows, at, 3)  # 5., 6. and 7. in one cell spanning their three rows
    out = Extraction()
    extract_s3([table(rows)], out)
    got = cells_of(out)
    assert len(got) == 175
    for key in ("withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file"):
        assert [got[f"s3_{key}__{c.key}"] for c in T.S3_COLS] == values[key]


def test_merged_labels_that_name_fewer_rows_than_they_span_name_none_of_them() -> None:
    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    at = next(i for i, r in enumerate(rows) if "5.属于三类内部事务信息" in r)
    rows = _merge_labels(rows, at, 2)
    rows[at][-8] = ("5.属于三类内部事务信息", 2, 1)  # the second label unreadable
    out = Extraction()
    extract_s3([table(rows)], out)
    # which of the two rows the one readable label names is unknown: neither is guessed
    assert not any(k.startswith(("s3_withheld_internal_affairs", "s3_withheld_process_info"))
                   for k in out.cells)
    assert len(out.cells) == 175 - 14


def test_row_without_label_is_placed_only_where_one_template_row_fits() -> None:
    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    last = len(rows) - 1  # 四、结转下年度继续办理, its label lost
    rows[last] = values["carried_forward"]
    out = Extraction()
    extract_s3([table(rows)], out)
    assert [cells_of(out)[f"s3_carried_forward__{c.key}"] for c in T.S3_COLS] == values[
        "carried_forward"]
    assert any("template order" in n for n in out.notes)

    two_lost = s3_rows(values)
    for label in ("1.属于国家秘密", "2.其他法律行政法规禁止公开"):
        row = next(r for r in two_lost if label in r)
        row[row.index(label)] = ""  # the label cell printed, its text unread
    out = Extraction()
    extract_s3([table(two_lost)], out)
    assert not any(k.startswith(("s3_withheld_state_secret", "s3_withheld_other_law"))
                   for k in out.cells)  # two rows in one gap: no guessing which is which


def test_numbers_side_by_side_in_one_cell_are_split_when_the_row_then_fits() -> None:
    data = [str(i) for i in range(15)]
    merged = [*data[:6], " ".join(data[6:9]), *data[9:]]  # a lost ruling: "6 7 8" in one cell
    out = Extraction()
    extract_s4([table([*S4_HEADER, merged])], out)
    assert [cells_of(out)[f"s4_{g}__{o}"] for g in ("review", "suit_direct", "suit_after_review")
            for o in ("upheld", "corrected", "other", "pending", "total")] == data

    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    at = next(i for i, r in enumerate(rows) if "2.重复申请" in r)
    rows[at] = [*rows[at][:-7], *rows[at][-7:-5], " ".join(rows[at][-5:-3]), *rows[at][-3:]]
    out = Extraction()
    extract_s3([table(rows)], out)
    assert [cells_of(out)[f"s3_not_processed_duplicate__{c.key}"] for c in T.S3_COLS] == values[
        "not_processed_duplicate"]


def test_row_of_section_2_cut_off_from_its_block_is_still_read() -> None:
    head, tail = S2_ONE_TABLE[:3], S2_ONE_TABLE[3:4]  # 行政规范性文件 alone on the next page
    doc = Document("pdf", (Paragraph("二、主动公开政府信息情况"), table(head), table(tail)))
    report = build_report(doc, Source("0" * 64, "r.pdf", "pdf"))
    got = {c.key: c.value.raw for c in report.cells}
    assert got["s2_normative_docs__issued"] == "62" and got["s2_normative_docs__in_force"] == "440"
    assert got["s2_regulations__issued"] == "1"


def test_row_spanning_two_grid_rows_label_and_values_alike_is_one_row() -> None:
    values = {r.key: [str(i * 10 + j) for j in range(7)] for i, r in enumerate(T.S3_ROWS)}
    rows = s3_rows(values)
    at = next(i for i, r in enumerate(rows) if "2.重复申请" in r)
    rows[at] = [(c, 2, 1) if isinstance(c, str) else c for c in rows[at]]  # every cell rowspan 2
    rows.insert(at + 1, [])
    out = Extraction()
    extract_s3([table(rows)], out)
    assert [cells_of(out)[f"s3_not_processed_duplicate__{c.key}"] for c in T.S3_COLS] == values[
        "not_processed_duplicate"]
    assert len(out.cells) == 175


def test_stacked_section_4_with_a_group_row_unread_gives_the_values_to_the_group_above_them() -> None:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    data = [str(i) for i in range(15)]
    rows = [["行政复议"], outcomes, data[:5],
            ["行政诉讼（未经复议直接起诉）"], outcomes, ["0 0 0", "0无"],  # its rulings lost
            ["行政诉讼（复议后起诉）"], outcomes, data[10:]]
    out = Extraction()
    extract_s4([table(rows)], out)
    read = cells_of(out)
    assert [read[f"s4_suit_after_review__{o.key}"] for o in T.S4_OUTCOMES] == data[10:]
    assert [read[f"s4_review__{o.key}"] for o in T.S4_OUTCOMES] == data[:5]
    assert not any(k.startswith("s4_suit_direct") for k in read)


def test_numbers_split_out_of_one_ocr_cell_are_unsure_of_their_column() -> None:
    from gk_extract.template.align import SPLIT_CONFIDENCE

    data = [str(i) for i in range(15)]
    merged = table([*S4_HEADER, [*data[:6], " ".join(data[6:9]), *data[9:]]])
    read = replace(merged, cells=tuple(replace(c, confidence=0.99) for c in merged.cells))
    out = Extraction()
    extract_s4([read], out)
    confidence = {k: c.confidence for k, c in out.cells.items()}
    split = {"s4_suit_direct__corrected", "s4_suit_direct__other", "s4_suit_direct__pending"}
    assert all(confidence[k] == SPLIT_CONFIDENCE for k in split)
    assert all(v == 0.99 for k, v in confidence.items() if k not in split)


def _read_by_ocr(rows: list[list]) -> Table:
    printed = table(rows)
    return replace(printed, cells=tuple(replace(c, confidence=0.99) for c in printed.cells))


def test_scanned_group_table_named_nowhere_is_doubtful_and_a_named_one_is_not() -> None:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    unnamed, named, printed = Extraction(), Extraction(), Extraction()
    extract_s4([_read_by_ocr([outcomes, ["1", "2", "0", "0", "3"]])], unnamed)
    extract_s4([_read_by_ocr([["行政诉讼（复议后起诉）"], outcomes, ["1", "2", "0", "0", "3"]])], named)
    extract_s4([table([outcomes, ["1", "2", "0", "0", "3"]])], printed)
    assert unnamed.cells and all(c.doubtful for c in unnamed.cells.values())  # a lost table before?
    assert named.cells and not any(c.doubtful for c in named.cells.values())
    assert printed.cells and not any(c.doubtful for c in printed.cells.values())  # a text layer


def test_scanned_row_of_values_not_a_whole_number_of_groups_is_doubtful() -> None:
    data = [str(i) for i in range(15)]
    out = Extraction()
    extract_s4([_read_by_ocr([*S4_HEADER, [*data[:6], *data[7:]]])], out)  # one value lost
    assert out.cells and all(c.doubtful for c in out.cells.values())


def test_scanned_section_2_row_that_lost_a_column_ruling_is_doubtful() -> None:
    header = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    out, printed = Extraction(), Extraction()
    extract_s2([_read_by_ocr([header, ["行政规范性文件", "10 2", "80"]])], registry.TEMPLATES["2021"], out)
    extract_s2([_read_by_ocr([header, ["行政规范性文件", "10", "2", "80"]])], registry.TEMPLATES["2021"],
               printed)
    assert out.cells and all(c.doubtful for c in out.cells.values())
    assert printed.cells and not any(c.doubtful for c in printed.cells.values())


def test_scanned_section_2_header_that_lost_a_column_ruling_is_not_trusted() -> None:
    """The header's one cell over two value columns names one of them; the row's values
    go to the block's own columns, and are doubtful; from a text layer the same row has no
    doubt."""
    rows = [["第二十条第（九）项"], ["信息内容", ("采购项目数量采购总金额", 1, 2)], ["政府集中采购", "10", "无万元"]]
    out, printed = Extraction(), Extraction()
    extract_s2([_read_by_ocr(rows)], registry.TEMPLATES["2019"], out)
    extract_s2([table(rows)], registry.TEMPLATES["2019"], printed)
    items = "s2v19_central_procurement__procurement_items"
    assert out.cells[items].value.value == 10 and printed.cells[items].value.value == 10
    assert all(c.doubtful for c in out.cells.values())
    assert not any(c.doubtful for c in printed.cells.values())
