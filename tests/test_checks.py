from __future__ import annotations

from dataclasses import replace

from gk_extract.models import CellValue, Section
from gk_extract.normalize.numbers import parse_value
from gk_extract.template import spec as T
from gk_extract.template.checks import run_checks
from gk_extract.template.doubt import doubtful_keys, mark_doubtful, unsure_checks


def s3_cells(values: dict[str, list[str]], rows=T.S3_ROWS) -> dict[str, CellValue]:  # type: ignore[no-untyped-def]
    cells = {}
    for row in rows:
        for col, raw in zip(T.S3_COLS, values.get(row.key, ["0"] * 7)):
            key = f"s3_{row.key}__{col.key}"
            cells[key] = CellValue(key, "s3", row.key, col.key, row.label, col.label, parse_value(raw), None, "")
    return cells


def consistent() -> dict[str, list[str]]:
    return {"new_received": ["3", "1", "0", "0", "0", "0", "4"], "granted": ["2", "1", "0", "0", "0", "0", "3"],
            "unable_not_held": ["1", "0", "0", "0", "0", "0", "1"],
            "result_total": ["3", "1", "0", "0", "0", "0", "4"]}


def by_rule(checks, rule: str, scope: str):  # type: ignore[no-untyped-def]
    return next(c for c in checks if c.rule == rule and c.scope == scope)


def test_consistent_table_passes_every_rule() -> None:
    checks = run_checks(s3_cells(consistent()), [])
    assert {c.status for c in checks} == {"pass"}
    assert len([c for c in checks if c.rule == "R3.3"]) == 25


def test_wrong_printed_total_fails_and_stays_printed() -> None:
    values = consistent()
    values["result_total"] = ["3", "1", "0", "0", "0", "0", "5"]
    cells = s3_cells(values)
    checks = run_checks(cells, [])
    failed = {(c.rule, c.scope) for c in checks if c.status == "fail"}
    assert failed == {("R3.1", "total"), ("R3.2", "total"), ("R3.3", "result_total")}
    assert cells["s3_result_total__total"].value.value == 5


def test_blank_cell_makes_rule_uncertain_not_failed() -> None:
    values = consistent()
    values["granted"] = ["2", "", "0", "0", "0", "0", "3"]
    checks = run_checks(s3_cells(values), [])
    assert by_rule(checks, "R3.3", "granted").status == "uncertain"
    assert by_rule(checks, "R3.2", "commercial_enterprise").status == "uncertain"


def test_single_other_row_replaces_the_three_other_rows() -> None:
    rows = [r for r in T.S3_ROWS if r.key not in T.S3_OTHER_ROWS] + [T.S3_OTHER_HANDLING]
    values = consistent()
    values["other_handling"] = ["1", "0", "0", "0", "0", "0", "1"]
    values["result_total"] = ["4", "1", "0", "0", "0", "0", "5"]
    values["new_received"] = ["4", "1", "0", "0", "0", "0", "5"]
    checks = run_checks(s3_cells(values, rows), [])
    assert by_rule(checks, "R3.2", "natural_person").status == "pass"
    assert "s3_other_handling__total" in by_rule(checks, "R3.2", "total").cells


def test_text_versus_table() -> None:
    text = "本年度新收到政府信息公开申请4件，上年结转0件，结转下年度继续办理2件。"
    checks = run_checks(s3_cells(consistent()), [Section("s3_requests", 3, "三、", text)])
    t1 = {c.scope: c.status for c in checks if c.rule == "T1"}
    assert t1 == {"new_received": "pass", "carried_over": "pass", "carried_forward": "fail"}


def test_one_office_count_in_text_is_flagged_uncertain_not_failed() -> None:
    text = "区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。"
    checks = run_checks(s3_cells(consistent()), [Section("s1_overview", 1, "一、", text)])
    assert [(c.scope, c.status) for c in checks if c.rule == "T1"] == [("received", "uncertain")]


# --------------------------------------------------------------------------- doubtful readings


def test_misread_digit_is_the_crossing_of_the_failed_row_and_column_rules() -> None:
    values = consistent()
    values["granted"] = ["2", "7", "0", "0", "0", "0", "3"]  # an OCR 1 read as 7
    cells = s3_cells(values)
    checks = run_checks(cells, [])
    marked = {c.key: c for c in mark_doubtful(cells.values(), checks)}
    assert {k for k, c in marked.items() if c.doubtful} == {"s3_granted__commercial_enterprise"}
    assert marked["s3_granted__commercial_enterprise"].value.value == 7  # flagged, not changed


def test_rule_failing_alone_marks_all_its_cells_and_low_confidence_is_doubtful() -> None:
    values = consistent()
    values["granted"] = ["2", "7", "", "0", "0", "0", "3"]  # the row's own rule is uncertain
    cells = s3_cells(values)
    low = cells["s3_new_received__natural_person"]
    cells[low.key] = replace(low, confidence=0.42)
    checks = run_checks(cells, [])
    failed = [c for c in checks if c.status == "fail"]
    assert [(c.rule, c.scope) for c in failed] == [("R3.2", "commercial_enterprise")]
    doubtful = doubtful_keys(cells.values(), checks)
    assert doubtful == {low.key, *failed[0].cells}


def test_ocr_digits_with_a_gap_are_doubtful_text_layer_ones_are_not() -> None:
    cells = s3_cells(consistent())
    merged = cells["s3_granted__natural_person"]
    cells[merged.key] = replace(merged, value=parse_value("2 1"), confidence=0.99)
    assert merged.key in doubtful_keys(cells.values(), [])
    cells[merged.key] = replace(merged, value=parse_value("2 1"), confidence=None)
    assert merged.key not in doubtful_keys(cells.values(), [])


def test_a_rule_over_a_doubtful_reading_is_uncertain_one_over_sure_readings_fails() -> None:
    """A lone 1 scored 0.52 where the report prints nothing (a placeholder's stroke) breaks
    its row's rule: the rule shows a doubtful reading, not a report that does not add up.
    The same row printed wrong and read for sure still fails; the cells are marked as
    before."""
    values = consistent()
    values["unable_not_held"] = ["1", "0", "0", "1", "0", "0", "1"]
    cells = s3_cells(values)
    stroke = cells["s3_unable_not_held__social_welfare_org"]
    sure = {k: replace(c, confidence=0.99) for k, c in cells.items()}
    checks = run_checks(sure, [])
    assert by_rule(unsure_checks(checks, sure.values()), "R3.3", "unable_not_held").status == "fail"
    read = {**sure, stroke.key: replace(stroke, confidence=0.52)}
    checks = run_checks(read, [])
    assert by_rule(checks, "R3.3", "unable_not_held").status == "fail"
    assert by_rule(unsure_checks(checks, read.values()), "R3.3", "unable_not_held").status == "uncertain"
    assert by_rule(unsure_checks(checks, read.values()), "R3.1", "total").status == "pass"
    assert any(c.doubtful for c in mark_doubtful(read.values(), checks) if c.key == stroke.key)
    # from a text layer a printed total that does not add up always fails, even placed by
    # text alignment (doubtful as to its place, exact as to its value)
    aligned = {k: replace(c, method="aligned", doubtful=True) for k, c in cells.items()}
    assert by_rule(unsure_checks(checks, aligned.values()), "R3.3", "unable_not_held").status == "fail"
