"""Several agencies, each over several years, whose years tie as real ones do.

Each year's 上年结转 is the year before's 结转下年度 (X1) and each 现行有效件数 the year
before's plus 本年制发 minus 本年废止 (X2); one agency's last year breaks X1 on purpose, so a
panel has something to find. The agencies are of several provinces, levels and kinds::

    reports = panel_reports(seed=7)          # len(PANEL_AGENCIES) * len(PANEL_YEARS) reports
"""

from __future__ import annotations

import random
from dataclasses import replace

from gk_extract.template import spec as T
from gk_extract.template.registry import cell_key

from . import texts
from .values import SyntheticReport, random_report

PANEL_AGENCIES: tuple[str, ...] = (
    "宜昌市夷陵区人民政府",  # a county's government (湖北)
    "宜昌市人民政府办公室",  # a city's general office
    "苏州市吴江区人民政府",  # 江苏
    "江苏省财政厅",  # a province's department
    "福州市鼓楼区人民政府",  # a name four cities share, told apart by its city
    "成都市武侯区市场监督管理局",  # a county's department (四川)
    "温州市鹿城区五马街道办事处",  # a street (浙江)
)
PANEL_YEARS: tuple[int, ...] = (2021, 2022, 2023)
# The agency and year whose 上年结转 of 自然人 is off by this much, on purpose.
BROKEN = (PANEL_AGENCIES[-1], PANEL_YEARS[-1], 2)
_COUNTED = ("new_received", "carried_over", "carried_forward")


def panel_reports(seed: int) -> list[SyntheticReport]:
    """Every agency's reports, year by year; deterministic for ``seed``."""
    rng = random.Random(seed)
    found: list[SyntheticReport] = []
    for agency in PANEL_AGENCIES:
        last: SyntheticReport | None = None
        for year in PANEL_YEARS:
            report = random_report(rng, template="2021", year=year, agency=agency,
                                   consistent=True)
            if last is not None:
                off = BROKEN[2] if (agency, year) == BROKEN[:2] else 0
                report = carried_on(report, last, off)
            found.append(report)
            last = report
    return found


def carried_on(report: SyntheticReport, last: SyntheticReport, off: int = 0) -> SyntheticReport:
    """``report`` with last year's 结转下年度 as its 上年结转 (自然人 ``off`` more) and last
    year's 现行有效件数 carried on; 本年新收 (or, where it would go negative, 结转下年度)
    moves so that the report's own totals still add up, and its text quotes the new totals."""
    expected = dict(report.expected)
    cols = [c.key for c in T.S3_COLS if c.key != T.TOTAL]
    for col in cols:
        over = cell_key("s3", "carried_over", col)
        wanted = (last.expected.get(cell_key("s3", "carried_forward", col)) or 0) \
            + (off if col == "natural_person" else 0)
        new, forward = cell_key("s3", "new_received", col), cell_key("s3", "carried_forward", col)
        closed = (expected[new] or 0) + (expected[over] or 0) - (expected[forward] or 0)
        received = max(0, closed + (expected[forward] or 0) - wanted)
        expected[over], expected[new] = wanted, received
        expected[forward] = received + wanted - closed
    for row in _COUNTED:
        expected[cell_key("s3", row, T.TOTAL)] = sum(expected[cell_key("s3", row, c)] or 0
                                                     for c in cols)
    for row in ("regulations", "normative_docs"):
        keys = [cell_key("s2", row, c) for c in ("in_force", "issued", "repealed")]
        before, issued, repealed = (last.expected.get(keys[0]) or 0,
                                    expected.get(keys[1]) or 0, expected.get(keys[2]) or 0)
        expected[keys[0]] = max(0, before + issued - repealed)
    changed = {k for k, v in expected.items() if v != report.expected.get(k)}
    cells = {k: (str(int(expected[k] or 0)) if k in changed else raw)
             for k, raw in report.cells.items()}
    return replace(report, cells=cells, expected=expected, sections=_texts(report, expected))


def _texts(report: SyntheticReport, expected: dict[str, float | None]) -> dict[str, str]:
    def total(row: str) -> int:
        return int(expected.get(cell_key("s3", row, T.TOTAL)) or 0)

    figures = texts.RequestFigures(total("new_received"), total("carried_over"),
                                   total("result_total"), total("carried_forward"))
    no_cases = not any(v for k, v in expected.items() if k.startswith("s4_"))
    rng = random.Random(f"{report.render_seed}:panel-text")
    return texts.with_filler(texts.sections(rng, report.year, figures, no_cases),
                             report.filler_paragraphs, report.render_seed)
