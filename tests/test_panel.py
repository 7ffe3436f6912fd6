"""The batch as a panel, through the real pipeline: copies of one report grouped with one
primary, a page that only links its attachment, checks across years, panel.parquet."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from pdf_corpus import require_soffice

from gk_extract.cli import main
from gk_extract.export.panel import D1_MAX_CELLS
from gk_extract.pipeline import Settings, extract_paths
from gk_extract.template.registry import cell_key
from gk_extract.testing.synth import SyntheticReport, random_report, render_docx, render_html
from gk_extract.testing.synth.office import convert_many
from gk_extract.testing.synth.panel import carried_on

AGENCY = "宜昌市夷陵区人民政府"
ADCODE = "420506"


def report_of(year: int, seed: int) -> SyntheticReport:
    return random_report(random.Random(seed), template="2021", year=year, agency=AGENCY)


def read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{table}.parquet")


@pytest.fixture(scope="module")
def three_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SyntheticReport]]:
    """A dataset of one agency's reports of 2022-2024; 2024's 上年结转 of 自然人 is 3 more
    than 2023's 结转下年度, on purpose."""
    root = tmp_path_factory.mktemp("years")
    y22 = report_of(2022, 11)
    y23 = carried_on(report_of(2023, 12), y22)
    y24 = carried_on(report_of(2024, 13), y23, off=3)  # 自然人 off by 3
    folder = root / "in"
    folder.mkdir()
    for r in (y22, y23, y24):
        (folder / f"{r.year}.docx").write_bytes(render_docx(r))
    extract_paths([folder], Settings(out_dir=root / "out"))
    return root / "out", [y22, y23, y24]


def test_three_years_of_one_agency_are_checked_against_each_other(
        three_years: tuple[Path, list[SyntheticReport]]) -> None:
    out, (_, _, y24) = three_years
    reports = read(out, "reports").set_index("year")
    assert set(reports.agency_id) == {f"{ADCODE}-人民政府"}
    assert reports.primary.all()
    checks = read(out, "checks")
    x1 = checks[checks.rule == "X1"].merge(reports.reset_index()[["report_id", "year"]])
    assert set(x1.year) == {2023, 2024}  # the first year has no year before it
    assert (x1[x1.year == 2023].status == "pass").all()
    failed = x1[x1.status == "fail"]
    assert sorted(failed.scope.str.split(":").str[0]) == ["natural_person", "total"]
    assert (failed.year == 2024).all()
    row = failed[failed.scope.str.startswith("natural_person")].iloc[0]
    assert row.found - row.expected == 3
    assert reports.loc[2023, "report_id"] in row.scope and reports.loc[2024, "report_id"] in row.scope
    assert reports.loc[2024, "checks_failed"] >= 2
    x2 = checks[checks.rule == "X2"]
    assert set(x2.scope.str.split(":").str[0]) <= {"regulations", "normative_docs"}
    panel = read(out, "panel")
    assert sorted(panel.year) == [2022, 2023, 2024]
    assert set(panel.adcode) == {ADCODE}
    at = panel.set_index("year")
    key = cell_key("s3", "carried_over", "natural_person")
    assert at.loc[2024, key] == y24.expected[key]


def test_the_duckdb_file_has_the_panel_views(three_years: tuple[Path, list[SyntheticReport]],
                                               tmp_path: Path) -> None:
    out, reports = three_years
    db = tmp_path / "gk.duckdb"
    result = CliRunner().invoke(main, ["panel", str(out), "--duckdb", str(db)])
    assert result.exit_code == 0, result.output
    assert "agency_years" in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        panel = con.execute("select year, adcode, \"s3_new_received__total\" from panel "
                            "order by year").fetchall()
        assert panel == [(r.year, ADCODE, r.expected["s3_new_received__total"]) for r in reports]
        years = con.execute("select year, copies, applications, closed from agency_years "
                            "order by year").fetchall()
        assert years == [(r.year, 1, r.expected["s3_new_received__total"],
                          r.expected["s3_result_total__total"]) for r in reports]
        region = con.execute("select province, city, county, agencies, agencies_not_adding_up "
                             "from region_years where year = 2024").fetchall()
        assert region == [("湖北省", "宜昌市", "夷陵区", 1, 1)]  # 2024 fails X1 on purpose
        cells = con.execute("select count(*) from report_cells where adcode = ?",
                            [ADCODE]).fetchone()
        assert cells is not None and cells[0] > 600


def test_the_validation_report_lists_the_failed_checks(
        three_years: tuple[Path, list[SyntheticReport]]) -> None:
    out, _ = three_years
    page = (out / "validation.html").read_text(encoding="utf-8")
    assert "Failed checks (" in page and "X1" in page and "natural_person" in page
    assert "Unresolved regions (0)" in page


def _page_linking(report: SyntheticReport, *hrefs: str, body: bool) -> bytes:
    page = render_html(report, "trs", "utf-8").decode()
    links = "".join(f'<p><a href="{h}">附件：{report.title}</a></p>' for h in hrefs)
    if not body:
        page = (f'<html><head><meta charset="utf-8"><title>{report.title}</title></head><body>'
                f'<h1>{report.title}</h1><p>发布日期：{report.published}</p>{links}</body></html>')
        return page.encode()
    return page.replace("</body>", links + "</body>").encode()


def test_a_page_and_its_pdf_and_docx_copies_form_one_group_with_one_primary(
        tmp_path: Path) -> None:
    require_soffice()
    report = report_of(2023, 21)
    folder = tmp_path / "in"
    folder.mkdir()
    docx = folder / "report.docx"
    docx.write_bytes(render_docx(report))
    convert_many([docx], "pdf", folder)
    (folder / "page.html").write_bytes(_page_linking(report, "report.pdf", "report.docx",
                                                     body=True))
    # a re-upload of the DOCX with one value changed, and a page that only links the PDF
    key = cell_key("s3", "granted", "natural_person")
    changed = replace(report, cells={**report.cells, key: str(int(report.expected[key] or 0) + 5)})
    (folder / "reupload.docx").write_bytes(render_docx(changed))
    (folder / "notice.html").write_bytes(_page_linking(report, "report.pdf", body=False))
    extract_paths([folder], Settings(out_dir=tmp_path / "out"))
    reports = read(tmp_path / "out", "reports")
    by_name = reports.assign(name=reports.source_path.map(lambda p: Path(p).name)).set_index("name")
    assert len(reports) == 5
    assert reports.report_group.nunique() == 1
    assert reports.report_group.iloc[0] == f"{ADCODE}-人民政府/2023"
    assert reports.primary.sum() == 1
    primary = reports[reports.primary].iloc[0]
    assert primary.status == "ok" and Path(primary.source_path).name != "notice.html"
    notice = by_name.loc["notice.html"]
    assert notice.status == "link_only"
    assert notice.linked_report_id == by_name.loc["report.pdf", "report_id"]
    assert list(by_name.loc["page.html", "links"]) == ["report.pdf", "report.docx"]
    checks = read(tmp_path / "out", "checks")
    d1 = checks[checks.rule == "D1"]
    assert list(d1.cells.map(tuple)) == [(key,)]
    odd = d1.iloc[0]
    assert odd.status == "fail" and abs(odd.found - odd.expected) == 5
    assert primary.report_id in odd.scope and odd.report_id in odd.scope
    assert read(tmp_path / "out", "panel").report_id.tolist() == [primary.report_id]


@pytest.mark.parametrize("second_agency", ["宜昌市西陵区人民政府"])
def test_different_agencies_of_one_year_stay_apart(tmp_path: Path, second_agency: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    one = report_of(2023, 31)
    other = random_report(random.Random(32), template="2021", year=2023, agency=second_agency)
    (folder / "a.docx").write_bytes(render_docx(one))
    (folder / "b.docx").write_bytes(render_docx(other))
    extract_paths([folder], Settings(out_dir=tmp_path / "out"))
    reports = read(tmp_path / "out", "reports")
    assert reports.report_group.nunique() == 2 and reports.primary.all()
    assert set(read(tmp_path / "out", "panel").adcode) == {ADCODE, "420502"}


def test_reports_that_only_share_agency_and_year_get_bounded_d1_rows(tmp_path: Path) -> None:
    """Two different reports of one agency name and year (its region unresolved, say): the
    copy's D1 rows stop at D1_MAX_CELLS, and one more row names every other cell."""
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in (1, 2):
        report = random_report(random.Random(seed), template="2021", year=2023, agency="财政局")
        (folder / f"r{seed}.html").write_bytes(render_html(report))
    extract_paths([folder], Settings(out_dir=tmp_path / "out"))
    reports = read(tmp_path / "out", "reports")
    assert reports.report_group.nunique() == 1
    d1 = read(tmp_path / "out", "checks").query("rule == 'D1'")
    assert len(d1) == D1_MAX_CELLS + 1
    (summary,) = [row for _, row in d1.iterrows() if "more cells differ" in row.scope]
    assert pd.isna(summary.expected) and len(summary.cells) > 0
    named = {k for cells in d1.cells for k in cells}
    assert len(named) == D1_MAX_CELLS + len(summary.cells)
