"""The template registry: a made-up template registered through the public API works end to
end (document -> parse -> match -> its cells under its keys), and the keys of the real ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gk_extract.export.tables import write_dataset
from gk_extract.parse import parse_document
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.match import Source, build_report
from gk_extract.template.registry import TemplateSpec, cell_key

TOY = TemplateSpec(
    name="toy", years=(1901, 1902), signs=("苹果数量",), s2_table="toy", s2_words=("苹果数量",),
    s2_blocks=(T.BlockSpec("果园表", (T.RowSpec("orchard", "果园", ("果园",)),), (
        T.ColSpec("apples", "苹果数量", ("苹果",)),
        T.ColSpec("pears", "梨数量", ("梨",)),
    )),),
)
TOY_PAGE = """<html><head><meta charset="utf-8"></head><body>
<h1>某某局2022年政府信息公开工作年度报告</h1>
<table><tr><td>项目</td><td>苹果数量</td><td>梨数量</td></tr>
<tr><td>果园</td><td>5</td><td>7</td></tr></table>
</body></html>"""


@pytest.fixture
def toy() -> Iterator[TemplateSpec]:
    registry.register(TOY)
    yield TOY
    registry.unregister(TOY.name)


def test_a_registered_template_is_detected_and_its_cells_come_out_under_its_keys(toy: TemplateSpec) -> None:
    doc = parse_document(TOY_PAGE.encode("utf-8"), "html")
    report = build_report(doc, Source("toy-report", "toy.html", "html"))
    assert report.template == "toy"
    cells = {c.key: c for c in report.cells}
    assert set(toy.keys()) <= set(cells)
    assert cells["toy_orchard__apples"].value.value == 5
    assert cells["toy_orchard__pears"].value.value == 7
    assert cells["toy_orchard__pears"].col_label == "梨数量"
    assert cells["toy_orchard__apples"].method == "html"


def test_without_registration_the_toy_page_is_no_toy_report() -> None:
    doc = parse_document(TOY_PAGE.encode("utf-8"), "html")
    report = build_report(doc, Source("toy-report", "toy.html", "html"))
    assert report.template != "toy"
    assert not any(c.key.startswith("toy_") for c in report.cells)


def test_a_name_is_registered_once(toy: TemplateSpec) -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register(toy)


def test_cell_key_spells_table_row_and_column() -> None:
    assert cell_key("s3", "new_received", "natural_person") == "s3_new_received__natural_person"
    assert cell_key("s2v19", "regulations", "new_made") == "s2v19_regulations__new_made"
    assert registry.key_row("s3_new_received__total", "s3") == "new_received"
    assert registry.key_row("s4_review__total", "s3") is None


def test_the_national_formats_are_registered_with_their_years() -> None:
    assert list(registry.TEMPLATES)[:4] == ["2021", "2019", "2014", "legacy"]
    assert [t.name for t in registry.mapped()] == ["2021", "2019"]
    assert registry.newest().name == "2021"
    assert registry.TEMPLATES["2019"].covers(2020) and not registry.TEMPLATES["2019"].covers(2021)


def test_every_template_spells_each_key_once() -> None:
    shared = [cell_key("s3", r.key, c.key) for r in T.S3_ALL_ROWS for c in T.S3_COLS]
    shared += [cell_key("s4", g.key, o.key) for g in T.S4_GROUPS for o in T.S4_OUTCOMES]
    assert len(shared) == len(set(shared))
    for template in registry.TEMPLATES.values():
        keys = template.keys()
        assert len(keys) == len(set(keys)), template.name
        assert not set(keys) & set(shared), template.name


def test_row_roles_name_the_rows_they_stood_for() -> None:
    assert len(T.S3_DETAIL_ROWS) == 21
    assert T.S3_DETAIL_ROWS[0] == "granted" and T.S3_DETAIL_ROWS[-1] == "other_other"
    assert T.S3_OTHER_ROWS == ("other_no_correction", "other_fee_unpaid", "other_other")


def test_parquet_carries_cell_method_and_report_error_kind(toy: TemplateSpec, tmp_path: Path) -> None:
    doc = parse_document(TOY_PAGE.encode("utf-8"), "html")
    report = build_report(doc, Source("toy-report", "toy.html", "html"))
    write_dataset([report, replace(report, report_id="failed-one", error_kind="timeout", cells=())],
                  tmp_path)
    cells = pq.read_table(tmp_path / "cells.parquet").to_pylist()
    assert cells and {c["method"] for c in cells} == {"html"}
    reports = {r["report_id"]: r["error_kind"] for r in pq.read_table(tmp_path / "reports.parquet").to_pylist()}
    assert reports == {"toy-report": None, "failed-one": "timeout"}
