"""How a report prints its numbers: the raw cell text and the value an extractor must return.

Each report has one :class:`PrintStyle` (its habits: how zeros look, thousands separators),
and single cells stray from it now and then, as in real documents (report-format.md §4.3).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Printed = tuple[str, float | None]  # (raw text as printed, expected value or None)

# Placeholders real reports print instead of a zero (report-format.md §4.3).
PLACEHOLDERS: tuple[str, ...] = ("—", "-", "/", "无")
# A report's habit for zeros: mostly "0", sometimes blank or a placeholder. Repeats weight the draw.
ZERO_HABITS: tuple[str, ...] = ("0",) * 14 + ("",) * 3 + PLACEHOLDERS
STRAY_ZERO_RATE = 0.03  # chance one zero cell ignores the report's habit
THOUSANDS_SHARE = 0.5  # reports that print 1,234 rather than 1234
FULLWIDTH_SHARE = 0.15  # reports typed with a full-width input method now and then …
FULLWIDTH_RATE = 0.08  # … where this share of their numbers comes out as ０-９
THOUSANDS_FROM = 1000

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True, slots=True)
class PrintStyle:
    zero: str  # how this report prints a zero count: "0", "" or a placeholder
    thousands: bool  # group digits with "," from THOUSANDS_FROM on
    fullwidth_rate: float  # chance a number is printed with full-width digits


def random_print_style(rng: random.Random) -> PrintStyle:
    fullwidth = FULLWIDTH_RATE if rng.random() < FULLWIDTH_SHARE else 0.0
    return PrintStyle(rng.choice(ZERO_HABITS), rng.random() < THOUSANDS_SHARE, fullwidth)


def _digits(rng: random.Random, text: str, style: PrintStyle) -> str:
    return text.translate(_FULLWIDTH) if rng.random() < style.fullwidth_rate else text


def _zero(rng: random.Random, style: PrintStyle) -> Printed:
    habit = rng.choice(("0", "") + PLACEHOLDERS) if rng.random() < STRAY_ZERO_RATE else style.zero
    return (_digits(rng, habit, style), 0.0) if habit == "0" else (habit, None)


def print_count(rng: random.Random, value: int, style: PrintStyle) -> Printed:
    """A non-negative count: ``12``, ``1,234``, ``１２``, or a zero as ``0`` / blank / ``—``."""
    if value == 0:
        return _zero(rng, style)
    text = f"{value:,}" if style.thousands and value >= THOUSANDS_FROM else str(value)
    return _digits(rng, text, style), float(value)


def print_signed(rng: random.Random, value: int, style: PrintStyle) -> Printed:
    """The 2019 ``本年增/减`` column: ``+5`` or ``5``, ``-3``, and zeros as usual."""
    if value == 0:
        return _zero(rng, style)
    sign = "-" if value < 0 else rng.choice(("+", ""))
    return _digits(rng, f"{sign}{abs(value)}", style), float(value)


def print_amount(rng: random.Random, cents: int, style: PrintStyle, unit: str = "") -> Printed:
    """A money amount from integer cents: ``0.00``, ``12.5``, ``18651.06``, ``1,234.50``.

    Zero is printed ``0.00``/``0`` or per the report's habit; ``unit`` (e.g. ``万元``) is
    glued on when given, as some cells do.
    """
    if cents == 0:
        zero = rng.choice(("0.00", "0", "0.0", style.zero))
        return (zero + (unit if zero else ""), 0.0 if zero.startswith("0") else None)
    whole, frac = divmod(cents, 100)
    head = f"{whole:,}" if style.thousands and whole >= THOUSANDS_FROM else str(whole)
    tail = f"{frac:02d}" if rng.random() < 0.5 else f"{frac:02d}".rstrip("0")
    text = f"{head}.{tail}" if tail else head
    return _digits(rng, text, style) + unit, cents / 100


def with_revision_note(rng: random.Random, printed: Printed) -> Printed:
    """``22（其中修订16件）``: a count with a parenthesised note; the value stays 22."""
    raw, value = printed
    if value is None or value < 2:
        return printed
    return f"{raw}（其中修订{rng.randint(1, int(value) - 1)}件）", value
