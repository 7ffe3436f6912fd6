"""The true integer tables behind a synthetic report.

Counts are drawn so that every 勾稽 rule of report-format.md §3 holds (R3.1–R3.3, R4.1);
:func:`perturb` then breaks a few cells on purpose for reports meant to be inconsistent.
Keys are the template cell keys (``s3_granted__natural_person`` …).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from gk_extract.template.spec import (
    S3_COLS,
    S3_DETAIL_ROWS,
    S3_OTHER_HANDLING,
    S3_OTHER_ROWS,
    S4_GROUPS,
    S4_OUTCOMES,
)

Counts = dict[str, int]

# Applications per year in the 自然人 column. Most units receive none or a handful; a big
# city receives thousands, which exercises thousands separators. Repeats weight the draw.
S3_SCALES: tuple[float, ...] = (0, 0, 0, 1, 2, 4, 8, 15, 40, 150, 600, 2500)

# Share of the 自然人 volume each applicant type sends (legal persons write far less).
APPLICANT_SHARE: dict[str, float] = {
    "natural_person": 1.0,
    "commercial_enterprise": 0.15,
    "research_institution": 0.01,
    "social_welfare_org": 0.01,
    "legal_service_org": 0.04,
    "other_org": 0.03,
}

# How the handled applications split over the detail rows (roughly as in real reports:
# most are granted or 不掌握; withholding reasons are rare).
OUTCOME_SHARE: dict[str, float] = {
    "granted": 0.38,
    "partially_granted": 0.08,
    "withheld_state_secret": 0.005,
    "withheld_other_law": 0.005,
    "withheld_three_safety_one_stability": 0.005,
    "withheld_third_party_rights": 0.02,
    "withheld_internal_affairs": 0.02,
    "withheld_process_info": 0.02,
    "withheld_enforcement_file": 0.01,
    "withheld_admin_query": 0.02,
    "unable_not_held": 0.22,
    "unable_needs_creation": 0.04,
    "unable_still_unclear": 0.03,
    "not_processed_petition_complaint": 0.04,
    "not_processed_duplicate": 0.03,
    "not_processed_publication": 0.005,
    "not_processed_mass_repeat": 0.01,
    "not_processed_confirm_or_reissue": 0.01,
    "other_no_correction": 0.03,
    "other_fee_unpaid": 0.003,
    "other_other": 0.05,
}
CARRIED_OVER_SHARE = 0.05  # applications still open from last year, relative to volume
CARRIED_FORWARD_SHARE = 0.05  # applications left open at year end

# Most agencies have no review or litigation over disclosure in a year.
NO_CASES_SHARE = 0.6
CASE_MEAN = 1.5  # mean cases per outcome when an agency has any

# Knuth's product method is exact but linear in the mean; beyond this use a normal approximation.
POISSON_EXACT_LIMIT = 30.0

# Section 四 has 15 of ~190 cells; give it a fair share of the deliberate errors.
S4_PERTURB_SHARE = 0.3

ORG_COLS: tuple[str, ...] = tuple(c.key for c in S3_COLS if c.key != "total")


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (counts of independent applications or cases)."""
    if mean <= 0:
        return 0
    if mean > POISSON_EXACT_LIMIT:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def s3_rows(single_other: bool) -> tuple[str, ...]:
    """The row keys printed in section 三 (23 rows when （六） is one row, else 25)."""
    details = [r for r in S3_DETAIL_ROWS if not (single_other and r in S3_OTHER_ROWS)]
    if single_other:
        details.insert(S3_DETAIL_ROWS.index(S3_OTHER_ROWS[0]), S3_OTHER_HANDLING.key)
    return ("new_received", "carried_over", *details, "result_total", "carried_forward")


def _s3_column(rng: random.Random, volume: float) -> dict[str, int]:
    """One applicant column, consistent by construction (R3.1, R3.2)."""
    column = {row: poisson(rng, volume * share) for row, share in OUTCOME_SHARE.items()}
    column["result_total"] = sum(column.values())
    column["carried_forward"] = poisson(rng, volume * CARRIED_FORWARD_SHARE)
    closable = column["result_total"] + column["carried_forward"]
    column["carried_over"] = min(poisson(rng, volume * CARRIED_OVER_SHARE), closable)
    column["new_received"] = closable - column["carried_over"]
    return column


def _fold_other_rows(column: dict[str, int]) -> None:
    """Print （六）其他处理 as one row: its three items summed (2019 format, 23-row variant)."""
    column[S3_OTHER_HANDLING.key] = sum(column.pop(r) for r in S3_OTHER_ROWS)


def s3_counts(rng: random.Random, single_other: bool) -> Counts:
    """Section 三: every row × the 7 applicant columns, totals included (R3.3)."""
    scale = rng.choice(S3_SCALES)
    columns = {col: _s3_column(rng, scale * APPLICANT_SHARE[col]) for col in ORG_COLS}
    if single_other:
        for column in columns.values():
            _fold_other_rows(column)
    counts: Counts = {}
    for row in s3_rows(single_other):
        for col in ORG_COLS:
            counts[f"s3_{row}__{col}"] = columns[col][row]
        counts[f"s3_{row}__total"] = sum(columns[col][row] for col in ORG_COLS)
    return counts


def s4_keys() -> tuple[str, ...]:
    """The 15 section 四 keys in printed order (group by group)."""
    return tuple(f"s4_{g.key}__{o.key}" for g in S4_GROUPS for o in S4_OUTCOMES)


def s4_counts(rng: random.Random) -> Counts:
    """Section 四: 15 cells, each group's 总计 the sum of its four outcomes (R4.1)."""
    has_cases = rng.random() >= NO_CASES_SHARE
    counts: Counts = {}
    for group in S4_GROUPS:
        parts = [poisson(rng, CASE_MEAN if has_cases else 0) for _ in S4_OUTCOMES[:-1]]
        for outcome, n in zip(S4_OUTCOMES[:-1], parts):
            counts[f"s4_{group.key}__{outcome.key}"] = n
        counts[f"s4_{group.key}__{S4_OUTCOMES[-1].key}"] = sum(parts)
    return counts


@dataclass(frozen=True, slots=True)
class Rule:
    """One 勾稽 identity: the cells on the left add up to the cells on the right."""

    id: str  # ``R3.1:natural_person`` (rule id of report-format.md §3, then its scope)
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return self.left + self.right


def rules(single_other: bool) -> list[Rule]:
    """R3.1–R3.3 and R4.1 over the cell keys of a report with this section 三 layout."""
    rows = s3_rows(single_other)
    cols = (*ORG_COLS, "total")

    def keys(row_keys: tuple[str, ...], col_keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f"s3_{r}__{c}" for r in row_keys for c in col_keys)

    found = [
        Rule(
            f"R3.1:{c}",
            keys(("new_received", "carried_over"), (c,)),
            keys(("result_total", "carried_forward"), (c,)),
        )
        for c in cols
    ]
    found += [
        Rule(f"R3.2:{c}", keys(("result_total",), (c,)), keys(rows[2:-2], (c,))) for c in cols
    ]
    found += [Rule(f"R3.3:{r}", keys((r,), ("total",)), keys((r,), ORG_COLS)) for r in rows]
    for group in S4_GROUPS:
        outcomes = tuple(f"s4_{group.key}__{o.key}" for o in S4_OUTCOMES)
        found.append(Rule(f"R4.1:{group.key}", outcomes[-1:], outcomes[:-1]))
    return found


def failing(values: Mapping[str, float | None], checked: list[Rule]) -> list[Rule]:
    """The rules that fail outright; a rule with a blank or placeholder cell (None) is skipped."""
    failed = []
    for rule in checked:
        if any(values[k] is None for k in rule.cells):
            continue
        if sum(values[k] or 0 for k in rule.left) != sum(values[k] or 0 for k in rule.right):
            failed.append(rule)
    return failed


def rule_failures(counts: Counts, single_other: bool) -> list[str]:
    """Ids of the rules that ``counts`` breaks, e.g. ``["R3.3:granted"]``."""
    return [rule.id for rule in failing(counts, rules(single_other))]


def perturb(
    rng: random.Random, counts: Counts, how_many: int, single_other: bool
) -> tuple[Counts, tuple[str, ...]]:
    """Raise ``how_many`` cells by a few so that the tables break at least one rule.

    Raised cells are never zero, so they always print as numbers and a checker sees a
    failure rather than an uncertain rule. Two raises can cancel out (a section 四 outcome
    and its 总计 raised alike), so draw again until a rule fails.
    """
    section_four = sorted(k for k in counts if k.startswith("s4_"))
    while True:
        pool = section_four if rng.random() < S4_PERTURB_SHARE else sorted(counts)
        keys = sorted(rng.sample(pool, how_many))
        changed = dict(counts)
        for key in keys:
            changed[key] += rng.randint(1, 5)
        if rule_failures(changed, single_other):
            return changed, tuple(keys)
