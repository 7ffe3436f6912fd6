"""PDF glyphs -> text: lines, their spacing, page furniture, and paragraphs.

Sizes are measured in *em* of the glyphs involved (the height of their box), so the rules
hold for 10.5-pt table text and 22-pt titles alike.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from statistics import median

import regex

from gk_extract.parse._text import clean_line
from gk_extract.parse.layout.geometry import Char

logger = logging.getLogger(__name__)

# Two glyphs share a line when their vertical extents overlap by at least this share of the
# smaller one. 0.5 keeps sub/superscripts on their line and separates lines set solid.
LINE_OVERLAP_SHARE = 0.5
# A line's band grows with its glyphs, but not for a glyph this much taller than the band (a
# large bracket or symbol would otherwise bridge two lines and merge them).
LINE_GROW_MAX_RATIO = 1.3
# A gap wider than this (in em of the larger glyph) between two glyphs that are not both CJK
# is a word space. Latin/digit glyphs sit < 0.1 em apart inside a word; a space is 0.25-0.33
# em, and WPS leaves 0.25 em between a digit and a following Han character (`2024 年`).
SPACE_GAP_EM = 0.2
# Two identical glyphs this close are one glyph printed twice (fake bold in WPS/Word exports).
DUPLICATE_OFFSET_PT = 1.0
# A line starting this far right of the left margin is indented (a first line). Chinese
# reports indent by 2 em; centred headings start much further right.
INDENT_MIN_EM = 1.0
# A line ending this far short of the right margin ends its paragraph. Justified lines end
# within 1 em of the margin (a line-start punctuation pushed down leaves just under 1 em).
SHORT_LINE_EM = 2.0
# A vertical gap this much (in em) larger than the document's usual line gap starts a
# paragraph even without indent (block-style paragraphs, space-after).
PARAGRAPH_GAP_EM = 0.8
# Glyph sizes differing by more than this share belong to different paragraphs (title/body).
SIZE_CHANGE_SHARE = 0.2
# Lines at least this much larger than the body text and centred are display lines (a title
# printed over two lines); consecutive ones form one paragraph.
DISPLAY_SIZE_RATIO = 1.15
CENTRED_TOLERANCE_EM = 2.0
# A heading is short: longer "headings" are run-in paragraph openings (（一）主动公开情况。…).
HEADING_MAX_CHARS = 40
# Header and footer bands: this share of the page height at the top and at the bottom. Word
# and WPS put the footer 50-60 pt above the bottom edge (A4: 842 pt; 0.12 -> 101 pt).
MARGIN_BAND_SHARE = 0.12
# A text in a margin band that recurs (digits ignored) on at least this share of the pages,
# and on two pages at least, is a running header or footer.
RUNNING_MIN_PAGE_SHARE = 0.5
# Margins are the extreme x positions shared by at least this many lines (one stray wide
# line, e.g. a long URL, does not move the margin).
MARGIN_MIN_LINES = 2
MARGIN_BIN_PT = 2.0
# With fewer lines than this on pages of one size the measured margins may be those of a few
# short lines; Word's default margin (3.17 cm = 90 pt) then bounds them from outside.
MIN_MEASURED_LINES = 8
FALLBACK_MARGIN_PT = 90.0
# Body text always reaches past this share of the page width (a right margin of 30 % would be
# 6.3 cm on A4); a measured right margin short of it comes from short lines only.
MIN_TEXT_RIGHT_SHARE = 0.7

_CJK_CLASS = r"\p{Han}\u3000-\u303f\uff00-\uffef"
_CJK = regex.compile(f"[{_CJK_CLASS}]")
# CJK_LATIN_SPACE rule: the text layer puts a space between CJK and Latin/digits (`2023 年`,
# `国令第 711 号`) where the printed page shows only a narrow autospace. One such space is
# deleted in either direction; spaces between Latin words stay.
_CJK_LATIN_SPACE = regex.compile(
    f"(?<=[{_CJK_CLASS}]) (?=[0-9A-Za-z])|(?<=[0-9A-Za-z]) (?=[{_CJK_CLASS}])"
)
_LATIN_END = regex.compile(r"[A-Za-z]$")
_LATIN_START = regex.compile(r"^[A-Za-z]")
# Page numbers as printed in footers/headers: `- 1 -`, `— 4 —`, `第 3 页`, `第3页 共5页`, `3/5`.
_PAGE_NUMBER = regex.compile(
    r"^(?:[-－—–―~～·•.]*\d{1,4}[-－—–―~～·•.]*"
    r"|第\d{1,4}页(?:[,，/／]?共\d{1,4}页)?|共\d{1,4}页[,，]?第\d{1,4}页"
    r"|\d{1,4}[/／]\d{1,4}|page\d{1,4}(?:of\d{1,4})?)$",
    regex.IGNORECASE,
)
# A continuation marker printed above the rest of a table: 续表, （续表）, 续上表.
_CONTINUED = regex.compile(r"^[（(]?续上?表[一二三四五六七八九十\d]*[）)]?$")
_HEADING = regex.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|第[一二三四五六七八九十]{1,3}[章节部分条])"
)
_DIGITS = regex.compile(r"\d+")
_X0 = attrgetter("x0")
_TOP_X0 = attrgetter("top", "x0")


@dataclass(slots=True)
class Line:
    """Glyphs on one baseline, left to right, with their text."""

    chars: list[Char]
    text: str = ""
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0

    def __post_init__(self) -> None:
        chars = self.chars
        chars.sort(key=_X0)
        self.x0 = chars[0].x0  # the sort's first: min() would pick the same value
        self.x1 = max([c.x1 for c in chars])
        self.top = min([c.top for c in chars])
        self.bottom = max([c.bottom for c in chars])
        self.size = median_of([c.size for c in chars])
        self.text = line_text(chars)


@dataclass(frozen=True, slots=True)
class Layout:
    """The text block of a page size: margins, body glyph size, usual gap between lines."""

    left: float
    right: float
    width: float
    body_size: float
    line_gap: float


@dataclass(slots=True)
class ParagraphText:
    text: str
    heading: bool
    lines: list[Line] = field(default_factory=list)


# --------------------------------------------------------------------------- lines


def group_lines(chars: Iterable[Char]) -> list[Line]:
    """Upright glyphs grouped into lines, top to bottom."""
    rows: list[list[Char]] = []
    bands: list[tuple[float, float]] = []
    for char in sorted(chars, key=_TOP_X0):
        char_top, char_bottom, size = char.top, char.bottom, char.size
        index = _band_of(char_top, char_bottom, size, bands)
        if index is None:
            rows.append([char])
            bands.append((char_top, char_bottom))
        else:
            rows[index].append(char)
            top, bottom = bands[index]
            if size <= LINE_GROW_MAX_RATIO * (bottom - top):
                # min() and max() written out (see _band_of)
                bands[index] = (char_top if char_top < top else top,  # noqa: FURB136
                                char_bottom if char_bottom > bottom else bottom)  # noqa: FURB136
    lines = [Line(r) for r in rows]
    return sorted((ln for ln in lines if ln.text), key=_TOP_X0)


def _band_of(char_top: float, char_bottom: float, size: float,
             bands: list[tuple[float, float]]) -> int | None:
    """The most recent line whose band a glyph (its top, bottom and size) overlaps enough
    (lines are few per page)."""
    for index in range(len(bands) - 1, max(len(bands) - 8, 0) - 1, -1):
        top, bottom = bands[index]
        # min(bottom, char_bottom) - max(top, char_top) and min(size, bottom - top), written
        # out: this runs for every glyph, and a two-argument min() or max() call costs six
        # times the conditional giving the same float
        height = bottom - top
        overlap = ((char_bottom if char_bottom < bottom else bottom)  # noqa: FURB136
                   - (char_top if char_top > top else top))  # noqa: FURB136
        if overlap >= LINE_OVERLAP_SHARE * (height if height < size else size):  # noqa: FURB136
            return index
    return None


def median_of(values: list[float]) -> float:
    """``statistics.median`` of a non-empty list, to the same float, without its generality
    (it runs for every line of every cell)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def line_text(chars: Sequence[Char]) -> str:
    """One line's glyphs (sorted left to right) as text, with inferred word spaces."""
    out: list[str] = []
    prev: Char | None = None
    pending_space = False
    for char in chars:
        if char.text == " ":
            pending_space = prev is not None
            continue
        if prev is not None:
            if _is_duplicate(prev, char):
                continue
            if pending_space or _is_word_gap(prev, char):
                out.append(" ")
        out.append(char.text)
        prev, pending_space = char, False
    return tidy_spacing("".join(out))


def _is_duplicate(prev: Char, char: Char) -> bool:
    return (char.text == prev.text and abs(char.x0 - prev.x0) < DUPLICATE_OFFSET_PT
            and abs(char.top - prev.top) < DUPLICATE_OFFSET_PT)


def _is_word_gap(prev: Char, char: Char) -> bool:
    """A gap that is a space: never between two CJK glyphs (that is justification)."""
    if _is_cjk(prev.text) and _is_cjk(char.text):
        return False
    prev_size, size = prev.size, char.size
    larger = size if size > prev_size else prev_size  # max(), see _band_of  # noqa: FURB136
    return char.x0 - prev.x1 > SPACE_GAP_EM * larger


@lru_cache(maxsize=8192)
def _is_cjk(text: str) -> bool:
    """Whether a glyph's text starts with a CJK character (cached: a page repeats a few
    hundred distinct glyphs thousands of times)."""
    return _CJK.match(text) is not None


def tidy_spacing(text: str) -> str:
    """Layout whitespace collapsed, then the CJK_LATIN_SPACE rule applied."""
    text = clean_line(text)
    return _CJK_LATIN_SPACE.sub("", text) if " " in text else text  # the rule drops a space


def join_lines(texts: Iterable[str]) -> str:
    """Lines of one paragraph as running text: no separator, except between Latin words."""
    out = ""
    for text in texts:
        space = " " if _LATIN_END.search(out) and _LATIN_START.search(text) else ""
        out = f"{out}{space}{text}" if out else text
    return tidy_spacing(out)


# --------------------------------------------------------------------------- page furniture


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match("".join(text.split())))


def in_margin_band(line: Line, page_height: float) -> bool:
    band = MARGIN_BAND_SHARE * page_height
    return line.bottom <= band or line.top >= page_height - band


def running_texts(pages: Sequence[tuple[float, Sequence[Line]]]) -> set[str]:
    """Keys of margin-band texts repeated on many pages (running headers and footers)."""
    seen: Counter[str] = Counter()
    for height, lines in pages:
        seen.update({furniture_key(ln.text) for ln in lines if in_margin_band(ln, height)})
    threshold = max(2, math.ceil(RUNNING_MIN_PAGE_SHARE * len(pages)))
    return {key for key, count in seen.items() if count >= threshold}


def furniture_key(text: str) -> str:
    return _DIGITS.sub("#", "".join(text.split()))


def is_furniture(line: Line, page_height: float, running: set[str]) -> bool:
    """Page numbers and running texts in the margin bands; 续表 markers anywhere."""
    if _CONTINUED.match("".join(line.text.split())):
        return True
    if not in_margin_band(line, page_height):
        return False
    return is_page_number(line.text) or furniture_key(line.text) in running


# --------------------------------------------------------------------------- paragraphs


def measure_layout(lines: Sequence[Line], width: float) -> Layout:
    """Margins, body size and usual line gap of pages of one size."""
    if not lines:
        return Layout(0.0, width, width, 10.0, 0.0)
    left = _shared_extreme([ln.x0 for ln in lines], lowest=True)
    right = _shared_extreme([ln.x1 for ln in lines], lowest=False)
    if len(lines) < MIN_MEASURED_LINES:
        left, right = min(left, FALLBACK_MARGIN_PT), max(right, width - FALLBACK_MARGIN_PT)
    right = max(right, MIN_TEXT_RIGHT_SHARE * width)
    sizes = [ln.size for ln in lines]
    gaps = [b.top - a.bottom for a, b in pairwise(lines)
            if 0 <= b.top - a.bottom < 3 * a.size]
    return Layout(left, right, width, median(sizes), median(gaps) if gaps else 0.0)


def _shared_extreme(values: list[float], *, lowest: bool) -> float:
    bins = Counter(round(v / MARGIN_BIN_PT) for v in values)
    shared = [b for b, n in bins.items() if n >= MARGIN_MIN_LINES]
    if not shared:
        return min(values) if lowest else max(values)
    return (min(shared) if lowest else max(shared)) * MARGIN_BIN_PT


def paragraphs(lines: Sequence[Line], layout: Layout) -> list[ParagraphText]:
    """Consecutive lines of one text run merged into paragraphs."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups and not _starts_paragraph(groups[-1][-1], line, layout):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [_paragraph(g, layout) for g in groups]


def _starts_paragraph(prev: Line, line: Line, layout: Layout) -> bool:
    if _is_display(prev, layout) and _is_display(line, layout):
        return abs(line.size - prev.size) > SIZE_CHANGE_SHARE * prev.size
    return (
        abs(line.size - prev.size) > SIZE_CHANGE_SHARE * max(prev.size, line.size)
        or line.top - prev.bottom > layout.line_gap + PARAGRAPH_GAP_EM * prev.size
        or layout.right - prev.x1 > SHORT_LINE_EM * prev.size
        or line.x0 - layout.left > INDENT_MIN_EM * line.size
        or _is_heading(line, layout)
    )


def _is_display(line: Line, layout: Layout) -> bool:
    centre = (line.x0 + line.x1) / 2
    return (line.size >= DISPLAY_SIZE_RATIO * layout.body_size
            and abs(centre - (layout.left + layout.right) / 2) <= CENTRED_TOLERANCE_EM * line.size)


def _is_heading(line: Line, layout: Layout) -> bool:
    return (bool(_HEADING.match(line.text)) and len(line.text) <= HEADING_MAX_CHARS
            and layout.right - line.x1 > SHORT_LINE_EM * line.size)


def _paragraph(lines: list[Line], layout: Layout) -> ParagraphText:
    heading = len(lines) == 1 and (_is_heading(lines[0], layout) or _is_display(lines[0], layout))
    heading = heading or all(_is_display(ln, layout) for ln in lines)
    return ParagraphText(join_lines(ln.text for ln in lines), heading, lines)
