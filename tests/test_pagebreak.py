"""Tables cut by a page break without the ruling at the cut, printed by real Chromium.

The generated web pages rule each cell's top only, so the last row on a page has no ruling
under it (as WPS exports show): the page layout must close that row at the ends of its side
rulings, and a group cell the break cuts must still name the rows on the next page.
"""

from __future__ import annotations

import hashlib

import pytest

from gk_extract.parse.layout.geometry import Char, Edge
from gk_extract.parse.layout.tables import close_open_ends, ruled_regions, table_parts
from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.corpora import CORPORA, missing_tool
from gk_extract.testing.tally import Tally, compare

CORPUS = CORPORA["pagebreak"]
# Cells right across the printed reports; what is missing is never wrong unflagged.
MIN_CELL_SHARE = 0.98


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Tally:
    if (tool := missing_tool(CORPUS)) is not None:
        pytest.skip(f"{tool} is not installed")
    found = Tally()
    for data, truth in CORPUS.build(tmp_path_factory.mktemp("pagebreak"), 8, 20261):
        report = extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), timeout_s=300)
        found.add(compare(report, truth))
    return found


def test_rows_at_the_cut_are_read(tally: Tally) -> None:
    assert tally.cell_share >= MIN_CELL_SHARE, tally.line("pagebreak")


def test_no_wrong_value_goes_unflagged(tally: Tally) -> None:
    assert tally.unflagged == 0, tally.line("pagebreak")
    assert tally.invented == 0, tally.line("pagebreak")


def test_every_section_is_found(tally: Tally) -> None:
    assert tally.sections_found == tally.sections


def _open_bottom_table(right_border_to: float) -> list[Edge]:
    """Two rows of three columns, no ruling under the second row; the outer right border
    reaches ``right_border_to``."""
    xs = (0.0, 100.0, 150.0, 200.0)
    edges = [Edge.horizontal(0, 200, y) for y in (0.0, 20.0)]
    edges += [Edge.vertical(x, 0, 40) for x in xs[:-1]]
    return [*edges, Edge.vertical(xs[-1], 0, right_border_to)]


# the outer border ends with the others; runs on to the page's margin; ends a few points
# past the others (a browser's separate borders), which cuts no sliver row under the last
@pytest.mark.parametrize("right_border_to", [40.0, 120.0, 43.0])
def test_a_row_without_its_bottom_ruling_is_closed_across_every_column(
        right_border_to: float) -> None:
    closing = close_open_ends(_open_bottom_table(right_border_to))
    spans = sorted((e.x0, e.x1) for e in closing if e.top == 40.0)
    assert spans == [(0.0, 100.0), (100.0, 150.0), (150.0, 200.0)]
    (region,) = ruled_regions(_open_bottom_table(right_border_to)) or []
    assert len(region) == 6


def test_side_rulings_running_on_together_are_not_cut_where_one_ends() -> None:
    """A long label cell's ruling ending above its neighbours' (a break's odd fragment)
    closes that cell only; the rows beside it go on to where their rulings end."""
    edges = [Edge.horizontal(0, 200, 0.0), Edge.horizontal(50, 200, 20.0),
             Edge.vertical(0, 0, 30), *(Edge.vertical(x, 0, 40) for x in (50.0, 120.0, 200.0))]
    levels = {(e.x0, e.x1): e.top for e in close_open_ends(edges)}
    assert levels == {(0.0, 50.0): 30.0, (50.0, 120.0): 40.0, (120.0, 200.0): 40.0}


def test_a_label_cut_below_its_cells_ruling_stays_in_its_cell() -> None:
    """A merged header cell cut by the break: its side ruling stops where the neighbouring
    cell on this page ends, so its last glyph lies under the closed box, in no cell. It
    joins the cell above it, and leaves no stray line of text between the table's parts."""
    edges = [Edge.horizontal(0, 200, 0.0), Edge.horizontal(0, 200, 20.0),
             Edge.vertical(0, 0, 60), Edge.vertical(50, 0, 60), Edge.vertical(80, 0, 40),
             Edge.vertical(200, 0, 60)]
    glyphs = [_glyph("总", 58, 24), _glyph("计", 58, 44), _glyph("1", 10, 44)]
    (part,), flow = table_parts(ruled_regions(edges) or [], glyphs, 1)
    texts = sorted(c.text for c in part.cells if c.text)
    assert texts == ["1", "总计"]
    assert flow == []


def _glyph(text: str, x0: float, top: float) -> Char:
    return Char(text, x0, top, x0 + 12, top + 12, True, 0)


def test_a_blank_sliver_between_stacked_rulings_is_no_row() -> None:
    """A table's last row border and its outer border 4 pt apart (a scan's separate
    borders): the gap between them is no row of blank cells."""
    edges = [*(Edge.horizontal(0, 200, y) for y in (0.0, 20.0, 40.0, 44.0)),
             *(Edge.vertical(x, 0, 44) for x in (0.0, 100.0, 200.0))]
    glyphs = [Char(t, x, top, x + 10, top + 10, True, 0)
              for t, x, top in (("甲", 10, 5), ("1", 110, 5), ("乙", 10, 25), ("2", 110, 25))]
    (part,), _ = table_parts(ruled_regions(edges) or [], glyphs, 1)
    assert sorted(c.text for c in part.cells) == ["1", "2", "乙", "甲"]
