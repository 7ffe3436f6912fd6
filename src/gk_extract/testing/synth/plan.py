"""The draw of a synthetic report's identity and layout: template, year, tables' layout, and
which variants it prints; every choice can be fixed by the caller."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, Literal

from .names import random_agency

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

YEARS: dict[str, tuple[int, int]] = {"2021": (2021, 2024), "2019": (2019, 2020)}
PUBLISH_DAYS = (5, 85)  # days after 1 Jan of the next year (deadline 31 Jan / 31 Mar)


@dataclass(frozen=True, slots=True)
class Plan:
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


PLAN_FIELDS = frozenset(f.name for f in fields(Plan))


def draw_plan(rng: random.Random, over: dict[str, Any]) -> Plan:
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
    plan = Plan(
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
    validate(plan)
    return plan


def validate(plan: Plan) -> None:
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
