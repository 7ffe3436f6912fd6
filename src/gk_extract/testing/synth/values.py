"""Synthetic reports with known values: what is printed in every cell and what it means.

:func:`random_report` draws one plausible report; the writers (``docx_writer``,
``html_writer``) print it; an extractor run on the output must return ``expected``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any, Literal

from gk_extract.template.spec import S2_2019, S2_2021, BlockSpec

from . import counts as cnt
from . import texts
from .names import CITIES, is_government, random_agency
from .printing import (
    Printed,
    PrintStyle,
    print_amount,
    print_count,
    print_signed,
    random_print_style,
    with_revision_note,
)

TemplateName = Literal["2021", "2019"]
S2Layout = Literal["one_table", "four_tables"]
S4Layout = Literal["one_table", "three_tables"]

# Shares of the random draw, chosen so that a 50-file corpus holds every variant a few times.
TEMPLATE_2019_SHARE = 0.15  # reports on 2019/2020 use the 2019 试行 format
SINGLE_OTHER_ROW_SHARE = 0.10  # 2021-format reports printing （六）其他处理 as one row (hzq2024)
FOUR_S2_TABLES_SHARE = 0.5  # section 二 as separate block tables rather than one table
THREE_S4_TABLES_SHARE = 0.15  # converters that split section 四 per group
LABELS_SPLIT_SHARE = 0.4  # header labels broken over lines (商业\n企业)
EXTRA_S2_ROW_SHARE = 0.08  # a local extra row in section 二 (Hubei 2020)
TITLE_IN_TEXTBOX_SHARE = 0.1  # DOCX title drawn in a text box
CONSISTENT_SHARE = 0.7  # reports whose tables obey every 勾稽 rule
BLANK_TOTAL_SHARE = 0.05  # a filled row whose 总计 is left blank (Shanghai 2019)
REVISION_NOTE_SHARE = 0.05  # 行政规范性文件 issued printed as ``22（其中修订16件）``
MAX_PERTURBED_CELLS = 3

YEARS: dict[str, tuple[int, int]] = {"2021": (2021, 2024), "2019": (2019, 2020)}
PUBLISH_DAYS = (5, 85)  # days after 1 Jan of the next year (deadline 31 Jan / 31 Mar)
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
# Sections whose text (printed before their tables) takes the filler paragraphs: padding
# there moves the page breaks of the 二 and 三 tables to other rows.
FILLER_SECTIONS: tuple[str, str] = ("s2_proactive", "s3_requests")
# Neutral prose for filler: no ordinal at the start, no figures, nothing a checker reads.
_FILLER_SENTENCES: tuple[str, ...] = (
    "我单位坚持把政务公开作为转变政府职能、建设法治政府的重要抓手，",
    "按照上级部署要求，结合本单位工作实际，",
    "围绕群众关切和社会关注的热点问题，",
    "认真落实政府信息公开工作责任制，",
    "持续优化政府信息公开栏目设置和内容保障，",
    "进一步规范信息发布流程，严格执行保密审查制度，",
    "推动政务公开工作走深走实，",
)
_FILLER_ENDINGS: tuple[str, ...] = (
    "确保各项工作落到实处。",
    "不断提升政务公开工作质效。",
    "切实保障人民群众的知情权、参与权和监督权。",
)


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


# ----------------------------------------------------------------------------- plan


@dataclass(frozen=True, slots=True)
class _Plan:
    agency: str
    year: int
    published: date
    template: TemplateName
    other_single_row: bool
    s2_layout: S2Layout
    s4_layout: S4Layout
    labels_split: bool
    extra_s2_row: bool
    title_in_textbox: bool
    consistent: bool
    render_seed: int
    filler_paragraphs: int


_PLAN_FIELDS = frozenset(f.name for f in fields(_Plan))


def _draw_plan(rng: random.Random, over: dict[str, Any]) -> _Plan:
    """Each choice is drawn, then replaced by its override if any.

    Drawing even overridden choices keeps the rest of the report close to what the same
    seed gives without the override.
    """
    drawn_template = "2019" if rng.random() < TEMPLATE_2019_SHARE else "2021"
    default_template = drawn_template
    if "year" in over:
        default_template = "2019" if over["year"] < YEARS["2021"][0] else "2021"
    template = over.get("template", default_template)
    year = over.get("year", rng.randint(*YEARS[template]))
    published = over.get("published", date(year + 1, 1, 1) + timedelta(rng.randint(*PUBLISH_DAYS)))
    single = rng.random() < SINGLE_OTHER_ROW_SHARE or template == "2019"
    plan = _Plan(
        agency=over.get("agency", random_agency(rng)),
        year=year,
        published=published,
        template=template,
        other_single_row=over.get("other_single_row", single),
        s2_layout=over.get(
            "s2_layout", "four_tables" if rng.random() < FOUR_S2_TABLES_SHARE else "one_table"
        ),
        s4_layout=over.get(
            "s4_layout", "three_tables" if rng.random() < THREE_S4_TABLES_SHARE else "one_table"
        ),
        labels_split=over.get("labels_split", rng.random() < LABELS_SPLIT_SHARE),
        extra_s2_row=over.get("extra_s2_row", rng.random() < EXTRA_S2_ROW_SHARE),
        title_in_textbox=over.get("title_in_textbox", rng.random() < TITLE_IN_TEXTBOX_SHARE),
        consistent=over.get("consistent", rng.random() < CONSISTENT_SHARE),
        render_seed=over.get("render_seed", rng.getrandbits(32)),
        filler_paragraphs=over.get("filler_paragraphs", 0),  # not drawn: seeds keep their reports
    )
    _validate(plan)
    return plan


def _validate(plan: _Plan) -> None:
    if plan.template not in YEARS:
        raise ValueError(f"template must be '2021' or '2019', got {plan.template!r}")
    if plan.template == "2019" and not plan.other_single_row:
        raise ValueError(
            "other_single_row must be True for template '2019' (its （六） is one row)"
        )
    if plan.s2_layout not in ("one_table", "four_tables"):
        raise ValueError(f"s2_layout must be 'one_table' or 'four_tables', got {plan.s2_layout!r}")
    if plan.s4_layout not in ("one_table", "three_tables"):
        raise ValueError(f"s4_layout must be 'one_table' or 'three_tables', got {plan.s4_layout!r}")
    if not isinstance(plan.filler_paragraphs, int) or plan.filler_paragraphs < 0:
        raise ValueError(
            f"filler_paragraphs must be a non-negative int, got {plan.filler_paragraphs!r}"
        )


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


def _s2_printed(rng: random.Random, plan: _Plan, style: PrintStyle) -> dict[str, Printed]:
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


def _extra_rows(rng: random.Random, plan: _Plan, style: PrintStyle) -> dict[str, list[str]]:
    """A local extra row in the first section 二 block (e.g. 其他主动公开文件)."""
    if not plan.extra_s2_row:
        return {}
    cols = s2_blocks(plan.template)[0].cols
    return {rng.choice(EXTRA_S2_LABELS): [_s2_cell(rng, c.key, 1.0, style)[0] for c in cols]}


# ----------------------------------------------------------------------------- 三 and 四


def _table_counts(rng: random.Random, plan: _Plan) -> tuple[cnt.Counts, tuple[str, ...]]:
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


# ----------------------------------------------------------------------------- filler


def _filler_paragraph(rng: random.Random) -> str:
    sentences = rng.sample(_FILLER_SENTENCES, rng.randint(2, 4))
    return "".join(sentences) + rng.choice(_FILLER_ENDINGS)


def with_filler(sections: dict[str, str], count: int, seed: int) -> dict[str, str]:
    """Append ``count`` filler paragraphs to the text of sections 二 and 三, split at random.

    Drawn from a generator of their own (``seed``), so the rest of the report is the same
    with or without filler.
    """
    if not count:
        return sections
    rng = random.Random(f"{seed}:filler")
    before_s2 = rng.randint(0, count)
    padded = dict(sections)
    for key, n in zip(FILLER_SECTIONS, (before_s2, count - before_s2)):
        lines = [sections[key]] if sections[key] else []
        padded[key] = "\n".join(lines + [_filler_paragraph(rng) for _ in range(n)])
    return padded


# ----------------------------------------------------------------------------- assembly


def _build(rng: random.Random, plan: _Plan) -> SyntheticReport:
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
    report = _build(rng, _draw_plan(rng, overrides))
    late = {k: v for k, v in overrides.items() if k not in _PLAN_FIELDS}
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
