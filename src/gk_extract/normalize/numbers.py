"""Printed cell text -> Value (report-format.md §4.3): keep the raw, classify, parse.

Blank is never silently 0: ``''`` is ``blank``, ``—`` is ``placeholder``, and only a printed
zero is ``zero``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from gk_extract.models import Value

# A lone 一 in a count cell is a dash: typed for one on keyboards without —, and what OCR
# reads a printed — as; tables give counts in Arabic digits.
PLACEHOLDERS = frozenset({"—", "-", "--", "—-", "——", "―", "－", "/", "／", "\\", "不适用", "无",
                          "n/a", "na", "/ ", "…", "...", "x", "×", "空", "一", "一一"})
# The kinds a table's value cell may have (``text`` is a label, or a misreading).
VALUE_KINDS = frozenset({"number", "zero", "blank", "placeholder"})
UNITS = ("万元", "元", "件", "个", "条", "项", "次", "人", "%")

# A number, optionally signed, with thousands separators and decimals; a unit may follow.
_NUMBER = regex.compile(
    r"^(?P<sign>[+-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*(?P<unit>万元|元|件|个|条|项|次|人|%)?"
)
# What may follow a number without making the cell ``text``: an annotation in brackets.
_ANNOTATION = regex.compile(r"^\s*[(（\[【].*[)）\]】]\s*$", regex.S)
_WRAPPED_UNIT = regex.compile(r"^[(（](万元|元|件|个|条|项|次)[)）]$")
_SPACES = regex.compile(r"[\s\p{Zs}\u200b\ufeff]+")


@lru_cache(maxsize=65536)
def parse_value(raw: str | None) -> Value:
    """Given a cell's printed text, return its Value (raw kept, trimmed of whitespace)."""
    printed = (raw or "").strip().strip("\u3000\xa0").strip()
    flat = _SPACES.sub("", unicodedata.normalize("NFKC", printed))
    if not flat:
        return Value(printed, None, "blank")
    if flat.lower() in PLACEHOLDERS or set(flat) <= set("-—－―/／.·…"):
        return Value(printed, None, "placeholder")
    return _parse_number(printed, flat) or Value(printed, None, "text")


def _parse_number(printed: str, flat: str) -> Value | None:
    match = _NUMBER.match(flat)
    if not match:
        return None
    rest = flat[match.end():]
    unit = match["unit"]
    wrapped = _WRAPPED_UNIT.match(rest) if rest else None
    if wrapped:
        unit, rest = wrapped[1], ""
    if rest and not _ANNOTATION.match(rest):
        return None
    number = float(match["int"].replace(",", "") + (match["frac"] or ""))
    if match["sign"] == "-":
        number = -number
    return Value(printed, number, "zero" if number == 0 else "number", unit)
