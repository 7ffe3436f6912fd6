"""Consistency rules (勾稽关系, report-format.md §3) over the printed cells.

Printed values are never changed: a total that does not add up fails its rule. A rule is
``uncertain`` when a participating cell is blank, a placeholder or text, or not printed
(and, after ``doubt.unsure_checks``, when it fails on a doubtful OCR reading).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex

from gk_extract.models import CellValue, Check, CheckStatus, Section
from gk_extract.template import spec as T
from gk_extract.template.registry import cell_key, has_row

# Counts are integers, but a fee total may be summed from decimals; this absorbs float error.
TOLERANCE = 1e-6

Cells = Mapping[str, CellValue]


def run_checks(cells: Cells, sections: Sequence[Section]) -> list[Check]:
    checks: list[Check] = []
    if any(k.startswith("s3_") for k in cells):
        checks += _r3_1(cells) + _r3_2(cells) + _r3_3(cells) + _t1(cells, sections)
    if any(k.startswith("s4_") for k in cells):
        checks += _r4_1(cells)
    return checks


def identity(rule: str, scope: str, parts: Sequence[str], totals: Sequence[str], cells: Cells) -> Check:
    """Check that the sum of ``parts`` equals the sum of ``totals``."""
    expected, found = _sum(parts, cells), _sum(totals, cells)
    status: CheckStatus
    if expected is None or found is None:
        status = "uncertain"
    else:
        status = "pass" if abs(expected - found) <= TOLERANCE else "fail"
    return Check(rule, scope, expected, found, status, (*parts, *totals))


def _sum(keys: Iterable[str], cells: Cells) -> float | None:
    total = 0.0
    for key in keys:
        cell = cells.get(key)
        if cell is None or cell.value.value is None:
            return None
        total += cell.value.value
    return total


def _s3(row: str, col: str) -> str:
    return cell_key("s3", row, col)


def _detail_rows(cells: Cells) -> list[str]:
    """The rows under 三 that add up to （七）总计, as this report prints them."""
    single = has_row(cells, "s3", T.S3_OTHER_HANDLING.key)
    rows = [r for r in T.S3_DETAIL_ROWS if not (single and r in T.S3_OTHER_ROWS)]
    return rows + [T.S3_OTHER_HANDLING.key] if single else rows


def _r3_1(cells: Cells) -> list[Check]:
    return [identity("R3.1", c.key, [_s3("new_received", c.key), _s3("carried_over", c.key)],
                     [_s3("result_total", c.key), _s3("carried_forward", c.key)], cells)
            for c in T.S3_COLS]


def _r3_2(cells: Cells) -> list[Check]:
    rows = _detail_rows(cells)
    return [identity("R3.2", c.key, [_s3(r, c.key) for r in rows], [_s3("result_total", c.key)], cells)
            for c in T.S3_COLS]


def _r3_3(cells: Cells) -> list[Check]:
    rows = [r.key for r in T.S3_ROWS if r.key not in T.S3_OTHER_ROWS] + _other_rows(cells)
    parts = [c.key for c in T.S3_COLS if c.key != T.TOTAL]
    return [identity("R3.3", row, [_s3(row, p) for p in parts], [_s3(row, T.TOTAL)], cells)
            for row in rows if any(_s3(row, c.key) in cells for c in T.S3_COLS)]


def _other_rows(cells: Cells) -> list[str]:
    single = has_row(cells, "s3", T.S3_OTHER_HANDLING.key)
    return [T.S3_OTHER_HANDLING.key] if single else list(T.S3_OTHER_ROWS)


def _r4_1(cells: Cells) -> list[Check]:
    parts = [o.key for o in T.S4_OUTCOMES if o.key != T.TOTAL]
    return [identity("R4.1", g.key, [cell_key("s4", g.key, p) for p in parts],
                     [cell_key("s4", g.key, T.TOTAL)], cells)
            for g in T.S4_GROUPS]


# ----------------------------------------------------------------------------- T1: text vs table

_GAP = r"[^，,。；;\d]{0,%d}?"
_N = r"\s*(\d+)\s*件"


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A sentence pattern in the text and the table cells (总计 column) it may restate."""

    scope: str
    pattern: regex.Pattern[str]
    readings: tuple[tuple[str, ...], ...]
    strict: bool  # a mismatch fails; otherwise the text may count a part only: uncertain


def _phrase(scope: str, pattern: str, readings: tuple[tuple[str, ...], ...], strict: bool) -> _Phrase:
    keys = tuple(tuple(cell_key("s3", row, T.TOTAL) for row in reading) for reading in readings)
    return _Phrase(scope, regex.compile(pattern), keys, strict)


_PHRASES = (
    _phrase("new_received", r"新收[到取]?" + _GAP % 24 + _N, (("new_received",),), True),
    _phrase("carried_over", r"上年(?:度)?结转" + _GAP % 16 + _N, (("carried_over",),), True),
    _phrase("carried_forward", r"(?:结转(?:至)?下一?年度?" + _GAP % 12 + _N + r"|(\d+)\s*件"
            + _GAP % 6 + r"结转(?:至)?下一?年)", (("carried_forward",),), True),
    # "收到/受理申请 N 件" may mean new_received or new_received + carried_over, or one office.
    _phrase("received", r"(?<!新)(?:收到|受理)" + _GAP % 20 + r"(?:申请" + _N + r"|(\d+)\s*件" + _GAP % 10
            + r"申请)", (("new_received",), ("new_received", "carried_over")), False),
    _phrase("closed", r"办结" + _N, (("result_total",),), False),
)


def _t1(cells: Cells, sections: Sequence[Section]) -> list[Check]:
    text = "\n".join(s.text for s in sections if s.key in ("s1_overview", "s3_requests"))
    checks = []
    for phrase in _PHRASES:
        match = phrase.pattern.search(text)
        if match is None or not all(k in cells for k in phrase.readings[0]):
            continue
        printed = float(next(g for g in match.groups() if g is not None))
        checks.append(_text_check(phrase, printed, cells))
    return checks


def _text_check(phrase: _Phrase, printed: float, cells: Cells) -> Check:
    sums = [(_sum(keys, cells), keys) for keys in phrase.readings]
    for table, keys in sums:
        if table is not None and abs(table - printed) <= TOLERANCE:
            return Check("T1", phrase.scope, table, printed, "pass", keys)
    table, keys = sums[0]
    status: CheckStatus = "fail" if phrase.strict and table is not None else "uncertain"
    return Check("T1", phrase.scope, table, printed, status, keys)
