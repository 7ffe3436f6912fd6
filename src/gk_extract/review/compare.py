"""Two years of one agency side by side: the cells that changed and by how much, the
sections' sentences added and removed, and the checks that tie the two years together.

A cell has changed when its value differs between the years, or when one year prints a
number and the other none. Values are the reviewed ones (a reviewer's correction laid over
the extraction). Sentences are the sections' text cut after 。；！？ and at line ends, compared
with difflib's longest matching blocks, so a sentence moved within a section counts as
removed and added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|\n")
CROSS_YEAR_RULES = ("X1", "X2")


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    row_label: str
    col_label: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def relative(self) -> float | None:
        """The change as a share of the earlier value; None from 0 or from nothing."""
        delta = self.delta
        return None if delta is None or not self.before else delta / abs(self.before)


@dataclass(frozen=True, slots=True)
class SectionDiff:
    key: str
    heading: str
    removed: tuple[str, ...]
    added: tuple[str, ...]
    kept: int


def changed_cells(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]],
                  ) -> list[Change]:
    """The cells of both years whose values differ, in the later year's key order."""
    old = {str(c["key"]): c for c in before}
    new = {str(c["key"]): c for c in after}
    changes = []
    for key in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(key), new.get(key)
        va, vb = _value(a), _value(b)
        if va != vb:
            label = b if b is not None else a
            assert label is not None
            changes.append(Change(key, str(label["row_label"]), str(label["col_label"]), va, vb))
    return changes


def _value(cell: Mapping[str, Any] | None) -> float | None:
    if cell is None:
        return None
    value = cell.get("value_reviewed", cell.get("value"))
    return None if value is None else float(value)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text or "") if s and s.strip()]


def section_diffs(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]],
                  ) -> list[SectionDiff]:
    """Each section either year has, in section order, with its sentences removed and added."""
    old = {str(s["key"]): s for s in before}
    new = {str(s["key"]): s for s in after}
    order = sorted({*old, *new}, key=lambda k: (int((new.get(k) or old[k])["number"]), k))
    return [_diff(key, old.get(key), new.get(key)) for key in order]


def _diff(key: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> SectionDiff:
    a = sentences(str(old["text"])) if old else []
    b = sentences(str(new["text"])) if new else []
    removed: list[str] = []
    added: list[str] = []
    kept = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            kept += i2 - i1
        else:
            removed += a[i1:i2]
            added += b[j1:j2]
    heading = str((new or old or {}).get("heading") or key)
    return SectionDiff(key, heading, tuple(removed), tuple(added), kept)


def cross_year_checks(checks: Iterable[Mapping[str, Any]], earlier_id: str) -> list[Mapping[str, Any]]:
    """The later report's X1/X2 checks that compare it with the report ``earlier_id``."""
    return [c for c in checks if c["rule"] in CROSS_YEAR_RULES and earlier_id in str(c["scope"])]
