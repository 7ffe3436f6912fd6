"""Round trips: generated reports rendered as DOCX and HTML come back cell for cell.

The generator (gk_extract.testing.synth) draws random values, including blanks, placeholders,
decimals, large numbers and full-width digits, and random layouts: the 23-row variant,
section 二 as one table or four, section 四 as one row or three tables, split labels, local
extra rows, headings glued to text, site chrome, GBK pages.
"""

from __future__ import annotations

import hashlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gk_extract.models import Report
from gk_extract.pipeline import extract_bytes
from gk_extract.testing.synth import (
    STYLES,
    SyntheticReport,
    random_report,
    render_docx,
    render_html,
)

EXAMPLES = 200

layouts = st.fixed_dictionaries({
    "template": st.sampled_from(["2021", "2021", "2019"]),
    "other_single_row": st.booleans(),
    "s2_layout": st.sampled_from(["one_table", "four_tables"]),
    "s4_layout": st.sampled_from(["one_table", "three_tables"]),
    "labels_split": st.booleans(),
    "extra_s2_row": st.booleans(),
})


def draw(seed: int, layout: dict[str, object]) -> SyntheticReport:
    if layout["template"] == "2019":
        layout = {**layout, "other_single_row": True}
    return random_report(random.Random(seed), **layout)


def extract(data: bytes) -> Report:
    return extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), timeout_s=60)


def assert_same(report: Report, truth: SyntheticReport, exact_text: bool = True) -> None:
    """Every cell, the metadata, the sections and the checks as the generator made them.

    ``exact_text=False`` compares raw cell texts and section texts with all whitespace
    removed, for formats (PDF) whose line wrapping keeps neither paragraph boundaries nor
    a number that wraps in a narrow column (``2,68`` / ``1``) on one line.
    """

    def same(got: str, want: str) -> bool:
        return got == want if exact_text else "".join(got.split()) == "".join(want.split())

    got = {c.key: c for c in report.cells if c.table != "extra"}
    assert set(got) == set(truth.expected), "cells missing or invented"
    for key, want in truth.expected.items():
        cell = got[key]
        assert cell.value.value == want, (key, cell.value.raw, want)
        assert same(cell.value.raw, truth.cells[key].strip()), (key, cell.value.raw)
        assert cell.source_ref, key
    extra = {c.row_label for c in report.cells if c.table == "extra"}
    assert extra == set(truth.extra_rows)
    assert (report.agency, report.year, report.published_date) == (truth.agency, truth.year, truth.published)
    assert report.template == truth.template
    assert [s.key for s in report.sections] == list(truth.headings)
    for section in report.sections:
        assert same(section.text, truth.sections[section.key].strip()), section.key
    assert report.status == "ok", report.error
    assert (report.checks_failed == 0) == truth.consistent


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), layout=layouts)
def test_docx_round_trip(seed: int, layout: dict[str, object]) -> None:
    truth = draw(seed, layout)
    assert_same(extract(render_docx(truth)), truth)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), layout=layouts, style=st.sampled_from(STYLES),
       encoding=st.sampled_from(["utf-8", "gbk"]))
def test_html_round_trip(seed: int, layout: dict[str, object], style: str, encoding: str) -> None:
    truth = draw(seed, layout)
    assert_same(extract(render_html(truth, style, encoding)), truth)
