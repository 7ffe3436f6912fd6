"""Synthetic reports with known values: what is printed in every cell and what it means.

:func:`random_report` draws one plausible report; the writers (``docx_writer``,
``html_writer``) print it; an extractor run on the output must return ``expected``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from gk_extract.template.spec import S2_2019, S2_2021, BlockSpec

from . import counts as cnt
from . import texts
from .names import CITIES, is_government
from .plan import (
    BLANK_TOTAL_SHARE,
    PLAN_FIELDS,
    REVISION_NOTE_SHARE,
    YEARS,
    Plan,
    S2Layout,
    S4Layout,
    TemplateName,
    draw_plan,
)
from .printing import (
    Printed,
    PrintStyle,
    print_amount,
    print_count,
    print_signed,
    random_print_style,
    with_revision_note,
)
from .texts import with_filler

MAX_PERTURBED_CELLS = 3

EXTRA_S2_LABELS: tuple[str, ...] = ("其他主动公开文件", "其他主动公开信息")

# Per-row scale of section 二 counts: wide, so that some print with thousands separators.
DECISION_SCALES: tuple[float, ...] = (0, 0, 3, 30, 300, 4000, 40000)
S2_MEANS: dict[str, float] = {
    "issued": 4,
    "repealed": 1.5,
    "in_force": 60,
    "new_made": 5,
    "new_published": 5,
    "published_total": 80,
    "prev_year_items": 40,
    "procurement_items": 8,
}
FEE_CENTS_CHOICES: tuple[tuple[int, int], ...] = ((0, 0), (0, 0), (1, 5000), (100000, 3000000))
CHANGE_RANGE = 12  # |本年增/减| of the 2019 format


@dataclass(frozen=True)
class SyntheticReport:
    """One report: its identity, every printed cell, the values to extract, its layout.

    ``cells`` maps template keys to the raw printed text; ``expected`` maps the same keys to
    the number an extractor must return (None for blank / placeholder). ``extra_rows`` maps
    a local extra row's label to its raw cells (not template keys, not in ``expected``).
    ``consistent`` is False when ``violations`` lists cells raised to break a 勾稽 rule.
    """

    agency: str
    year: int
    published: date
    template: TemplateName
    cells: dict[str, str]
    expected: dict[str, float | None]
    sections: dict[str, str]
    title: str = ""
    headings: dict[str, str] = field(default_factory=dict)
    preamble: str = ""
    signature: str = ""
    other_single_row: bool = False
    s2_layout: S2Layout = "one_table"
    s4_layout: S4Layout = "one_table"
    labels_split: bool = False
    extra_s2_row: bool = False
    extra_rows: dict[str, list[str]] = field(default_factory=dict)
    title_in_textbox: bool = False
    consistent: bool = True
    violations: tuple[str, ...] = ()
    render_seed: int = 0
    filler_paragraphs: int = 0

    def layout_flags(self) -> dict[str, Any]:
        return {
            "other_single_row": self.other_single_row,
            "s2_layout": self.s2_layout,
            "s4_layout": self.s4_layout,
            "labels_split": self.labels_split,
            "extra_s2_row": self.extra_s2_row,
            "title_in_textbox": self.title_in_textbox,
            "filler_paragraphs": self.filler_paragraphs,
        }

    def truth(self) -> dict[str, Any]:
        """A JSON-ready record of everything an extractor should recover."""
        return {
            "kind": "report",
            "status": "ok",
            "template": self.template,
            "agency": self.agency,
            "year": self.year,
            "published": self.published.isoformat(),
            "title": self.title,
            "headings": self.headings,
            "sections": self.sections,
            "cells": self.cells,
            "expected": self.expected,
            "extra_rows": self.extra_rows,
            "consistent": self.consistent,
            "violations": list(self.violations),
            "layout": self.layout_flags(),
        }


@dataclass(frozen=True)
class SyntheticNotice:
    """A 通知 about compiling the annual reports: same column, not a report."""

    agency: str
    year: int
    published: date
    title: str
    paragraphs: tuple[str, ...]
    render_seed: int = 0

    @property
    def signature(self) -> str:
        return texts.signature(self.agency, self.published)

    def truth(self) -> dict[str, Any]:
        return {
            "kind": "notice",
            "status": "not_a_report",
            "template": "not_a_report",
            "agency": self.agency,
            "year": self.year,
            "published": self.published.isoformat(),
            "title": self.title,
        }


# ----------------------------------------------------------------------------- keys


def s2_blocks(template: str) -> tuple[BlockSpec, ...]:
    return S2_2021 if template == "2021" else S2_2019


def s2_prefix(template: str) -> str:
    return "s2" if template == "2021" else "s2v19"


def template_keys(template: str, other_single_row: bool) -> list[str]:
    """Every cell key a report of this template and layout prints, in table order."""
    prefix = s2_prefix(template)
    keys = [
        f"{prefix}_{row.key}__{col.key}"
        for block in s2_blocks(template)
        for row in block.rows
        for col in block.cols
    ]
    keys += [
        f"s3_{row}__{col}"
        for row in cnt.s3_rows(other_single_row)
        for col in (*cnt.ORG_COLS, "total")
    ]
    return keys + list(cnt.s4_keys())


# ----------------------------------------------------------------------------- section 二


def _s2_count(rng: random.Random, col: str, row_scale: float) -> int:
    if col == "decisions":
        return cnt.poisson(rng, row_scale)
    return cnt.poisson(rng, S2_MEANS.get(col, 0.0) * (row_scale > 0))


def _s2_cell(rng: random.Random, col: str, row_scale: float, style: PrintStyle) -> Printed:
    """One section 二 cell: counts, the signed 2019 change, or an amount."""
    if col in ("amount_wan_yuan", "procurement_amount"):
        low, high = rng.choice(FEE_CENTS_CHOICES) if row_scale > 0 else (0, 0)
        unit = "万元" if col == "procurement_amount" and rng.random() < 0.3 else ""
        return print_amount(rng, rng.randint(low, high), style, unit)
    if col == "change":
        return print_signed(rng, rng.randint(-CHANGE_RANGE, CHANGE_RANGE) * (row_scale > 0), style)
    return print_count(rng, _s2_count(rng, col, row_scale), style)


def _s2_row_scale(rng: random.Random, row: str, government: bool) -> float:
    if row == "regulations" and not government:
        return 0.0  # only a region's government issues 规章
    return rng.choice(DECISION_SCALES) if rng.random() < 0.85 else 0.0


def _s2_printed(rng: random.Random, plan: Plan, style: PrintStyle) -> dict[str, Printed]:
    government = is_government(plan.agency)
    prefix = s2_prefix(plan.template)
    printed: dict[str, Printed] = {}
    for block in s2_blocks(plan.template):
        for row in block.rows:
            scale = _s2_row_scale(rng, row.key, government)
            for col in block.cols:
                printed[f"{prefix}_{row.key}__{col.key}"] = _s2_cell(rng, col.key, scale, style)
    issued = f"{prefix}_normative_docs__issued"
    if issued in printed and rng.random() < REVISION_NOTE_SHARE:
        printed[issued] = with_revision_note(rng, printed[issued])
    return printed


def _extra_rows(rng: random.Random, plan: Plan, style: PrintStyle) -> dict[str, list[str]]:
    """A local extra row in the first section 二 block (e.g. 其他主动公开文件)."""
    if not plan.extra_s2_row:
        return {}
    cols = s2_blocks(plan.template)[0].cols
    return {rng.choice(EXTRA_S2_LABELS): [_s2_cell(rng, c.key, 1.0, style)[0] for c in cols]}


# ----------------------------------------------------------------------------- 三 and 四


def _table_counts(rng: random.Random, plan: Plan) -> tuple[cnt.Counts, tuple[str, ...]]:
    counts = cnt.s3_counts(rng, plan.other_single_row) | cnt.s4_counts(rng)
    if plan.consistent:
        return counts, ()
    return cnt.perturb(rng, counts, rng.randint(1, MAX_PERTURBED_CELLS), plan.other_single_row)


def _counts_printed(
    rng: random.Random, counts: cnt.Counts, style: PrintStyle, protected: tuple[str, ...]
) -> dict[str, Printed]:
    printed = {key: print_count(rng, n, style) for key, n in counts.items()}
    if rng.random() < BLANK_TOTAL_SHARE:
        filled = sorted(
            k
            for k, n in counts.items()
            if k.startswith("s3_") and k.endswith("__total") and n and k not in protected
        )
        if filled:
            printed[rng.choice(filled)] = ("", None)
    return printed


def _expose_failure(printed: dict[str, Printed], counts: cnt.Counts, single_other: bool) -> None:
    """Make a deliberately broken table visibly broken to a strict checker.

    A rule with a blank or placeholder cell is only "uncertain"; so when no rule fails on
    the printed values, print every cell of one broken rule as a plain number.
    """
    checked = cnt.rules(single_other)
    if cnt.failing({k: v for k, (_, v) in printed.items()}, checked):
        return
    for key in cnt.failing(counts, checked)[0].cells:
        if printed[key][1] is None:
            printed[key] = (str(counts[key]), float(counts[key]))


def _figures(counts: cnt.Counts, expected: dict[str, float | None]) -> texts.RequestFigures:
    """The totals quoted in the text: as printed, or the true count where the cell is blank."""

    def total(row: str) -> int:
        value = expected[f"s3_{row}__total"]
        return int(value) if value is not None else counts[f"s3_{row}__total"]

    return texts.RequestFigures(
        total("new_received"),
        total("carried_over"),
        total("result_total"),
        total("carried_forward"),
    )


def _no_cases(counts: cnt.Counts) -> bool:
    return not any(n for k, n in counts.items() if k.startswith("s4_"))


# ----------------------------------------------------------------------------- assembly


def _build(rng: random.Random, plan: Plan) -> SyntheticReport:
    style = random_print_style(rng)
    printed = _s2_printed(rng, plan, style)
    extra = _extra_rows(rng, plan, style)
    counts, violations = _table_counts(rng, plan)
    printed |= _counts_printed(rng, counts, style, violations)
    if violations:
        _expose_failure(printed, counts, plan.other_single_row)
    expected = {key: value for key, (_, value) in printed.items()}
    return SyntheticReport(
        agency=plan.agency,
        year=plan.year,
        published=plan.published,
        template=plan.template,
        cells={key: raw for key, (raw, _) in printed.items()},
        expected=expected,
        sections=with_filler(
            texts.sections(rng, plan.year, _figures(counts, expected), _no_cases(counts)),
            plan.filler_paragraphs,
            plan.render_seed,
        ),
        title=texts.title(rng, plan.agency, plan.year),
        headings=texts.headings(rng),
        preamble=texts.preamble(rng, plan.agency, plan.year, plan.template),
        signature=texts.signature(plan.agency, plan.published),
        other_single_row=plan.other_single_row,
        s2_layout=plan.s2_layout,
        s4_layout=plan.s4_layout,
        labels_split=plan.labels_split,
        extra_s2_row=plan.extra_s2_row,
        extra_rows=extra,
        title_in_textbox=plan.title_in_textbox,
        consistent=not violations,
        violations=violations,
        render_seed=plan.render_seed,
        filler_paragraphs=plan.filler_paragraphs,
    )


def random_report(rng: random.Random, **overrides: Any) -> SyntheticReport:
    """A random but plausible report; any field may be fixed by keyword.

    Layout and identity fields (``template``, ``year``, ``other_single_row``, ``s2_layout``,
    ``s4_layout``, ``labels_split``, ``extra_s2_row``, ``title_in_textbox``, ``consistent``,
    ``agency``, ``published``, ``render_seed``, ``filler_paragraphs``) steer the draw; any
    other field replaces the drawn value as given (e.g. ``sections=``), without re-deriving
    the rest. ``filler_paragraphs=N`` pads sections 二 and 三 with N paragraphs of prose
    before their tables, so that page breaks cut the tables at other rows.
    """
    known = {f.name for f in fields(SyntheticReport)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TypeError(f"random_report() got unknown field(s): {', '.join(unknown)}")
    report = _build(rng, draw_plan(rng, overrides))
    late = {k: v for k, v in overrides.items() if k not in PLAN_FIELDS}
    return replace(report, **late) if late else report


def random_notice(rng: random.Random) -> SyntheticNotice:
    """A 通知 about compiling last year's reports, as published in the same column."""
    year = rng.randint(*YEARS["2021"])
    agency = f"{rng.choice(CITIES)}市人民政府办公室"
    published = date(year, 12, 1) + timedelta(rng.randint(0, 40))
    deadline = date(year + 1, 1, 31)
    return SyntheticNotice(
        agency=agency,
        year=year,
        published=published,
        title=texts.notice_title(year),
        paragraphs=tuple(texts.notice_paragraphs(rng, agency, year, deadline)),
        render_seed=rng.getrandbits(32),
    )
