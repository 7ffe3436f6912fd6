"""The glyph loops of the page layout written for speed give what their plain forms give.

Each runs for every glyph of every page (two-argument ``min``/``max`` written out as
conditionals, a one-glyph cell read without grouping lines); each is held here against the
plain form it replaces, value for value.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gk_extract.parse.layout.geometry import BBox, Char
from gk_extract.parse.layout.lines import (
    LINE_GROW_MAX_RATIO,
    LINE_OVERLAP_SHARE,
    Line,
    group_lines,
)
from gk_extract.parse.layout.tables import _region_holding, cell_text, join_cell_lines
from gk_extract.parse.pdf.page import _Frame

# Positions on a coarse grid with jitter: glyphs on one line, on lines set solid, and
# overlapping by about the line-grouping share, as printed pages set them.
_COORD = st.builds(lambda step, jitter: 6.0 * step + jitter,
                   st.integers(0, 12), st.sampled_from((0.0, 0.0, 0.5, -0.5, 2.9, -3.1, 0.01)))
_TEXT = st.sampled_from(("0", "1", "年", "申", " ", "\u3000", "a", "（", "-", "\u200b"))


_CHAR = st.builds(lambda text, x0, top, width, height: Char(text, x0, top, x0 + width,
                                                             top + height, True, 0),
                  _TEXT, _COORD, _COORD, st.sampled_from((0.0, 0.5, 5.0, 10.5)),
                  st.sampled_from((0.0, 0.6, 9.0, 10.5, 24.0)))
_CHARS = st.lists(_CHAR, max_size=12)


def _plain_group_lines(chars: list[Char]) -> list[Line]:
    """``group_lines`` in its plain form, with min() and max()."""
    rows: list[list[Char]] = []
    bands: list[tuple[float, float]] = []
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        size = max(char.bottom - char.top, 1.0)
        index = None
        for i in range(len(bands) - 1, max(len(bands) - 8, 0) - 1, -1):
            top, bottom = bands[i]
            overlap = min(bottom, char.bottom) - max(top, char.top)
            if overlap >= LINE_OVERLAP_SHARE * min(size, bottom - top):
                index = i
                break
        if index is None:
            rows.append([char])
            bands.append((char.top, char.bottom))
        else:
            rows[index].append(char)
            top, bottom = bands[index]
            if size <= LINE_GROW_MAX_RATIO * (bottom - top):
                bands[index] = (min(top, char.top), max(bottom, char.bottom))
    lines = [Line(r) for r in rows]
    return sorted((ln for ln in lines if ln.text), key=lambda ln: (ln.top, ln.x0))


@given(_CHARS)
def test_lines_are_the_plain_grouping(chars: list[Char]) -> None:
    assert group_lines(chars) == _plain_group_lines(chars)


@given(_CHARS)
def test_a_glyphs_size_is_its_height_at_least_one_point(chars: list[Char]) -> None:
    assert [c.size for c in chars] == [max(c.bottom - c.top, 1.0) for c in chars]


@given(_CHAR)
def test_a_one_glyph_cell_reads_as_its_grouped_line(char: Char) -> None:
    assert cell_text([char]) == join_cell_lines([ln.text for ln in group_lines([char])])


_FLOAT = st.floats(-2000.0, 2000.0, allow_nan=False)


@given(st.sampled_from((0, 90, 180, 270)), st.tuples(_FLOAT, _FLOAT, _FLOAT, _FLOAT),
       st.tuples(_FLOAT, _FLOAT, _FLOAT, _FLOAT))
def test_a_glyphs_display_box_is_the_min_and_max_of_its_corners(
        rotation: int, crop: tuple[float, float, float, float],
        box: tuple[float, float, float, float]) -> None:
    frame = _Frame(rotation, *crop)
    left, bottom, right, top = box
    (ax, ay), (bx, by) = frame.point(left, bottom), frame.point(right, top)
    plain = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
    assert repr(frame.box(*box)) == repr(plain)


@given(_COORD, _COORD, st.lists(st.tuples(_COORD, _COORD, _COORD, _COORD), max_size=5))
def test_a_glyph_belongs_to_the_first_region_holding_its_centre(
        x: float, y: float, boxes: list[BBox]) -> None:
    plain = next((i for i, (x0, top, x1, bottom) in enumerate(boxes)
                  if x0 <= x <= x1 and top <= y <= bottom), None)
    assert _region_holding(x, y, boxes) == plain
