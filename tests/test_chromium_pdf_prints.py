"""Generated report pages printed to PDF by real Chromium: every value right or flagged.

Chromium prints a web page's ``border="1"`` tables with a box around every cell, the boxes
2.25 pt apart, and carries rows to the next page in its own ways: a header cut under the
page's first rows, a caption left alone at the foot of a page with the sides of the rows
carried over drawn down to it. The bug fixtures below are the geometry of those prints.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise

import pytest

from gk_extract.parse.layout.geometry import Char, Edge, merge_edges
from gk_extract.parse.layout.join import join_parts
from gk_extract.parse.layout.tables import (
    CUT_ROW_MIN_PT,
    PartCell,
    TablePart,
    build_table,
    close_open_ends,
    ruled_regions,
    table_parts,
)
from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.corpora import CORPORA, missing_tool
from gk_extract.testing.tally import Tally, compare

CORPUS = CORPORA["chromium"]
H, V = Edge.horizontal, Edge.vertical


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Tally:
    if (tool := missing_tool(CORPUS)) is not None:
        pytest.skip(f"{tool} is not installed")
    found = Tally()
    # the fourth report's section 三 header is cut by a page break (2 cells were wrong)
    for data, truth in CORPUS.build(tmp_path_factory.mktemp("chromium"), 4, 20261):
        report = extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), timeout_s=300)
        found.add(compare(report, truth))
    return found


def test_no_wrong_value_goes_unflagged(tally: Tally) -> None:
    assert tally.unflagged == 0, tally.line("chromium")
    assert tally.invented == 0, tally.line("chromium")


def test_every_cell_is_read(tally: Tally) -> None:
    assert tally.cell_share == 1.0, tally.line("chromium")


def test_pdf_rulings_of_two_tables_far_apart_are_not_snapped_together() -> None:
    """Section 三's column ruling at 503.6-504.4 pt and section 四's at 499.9-500.6 pt, far
    below it, chain within the snap tolerance: each table keeps its own column."""
    above = [V(x, 30, 500) for x in (503.62, 504.38)] + [H(400, 600, 30), H(400, 600, 500)]
    below = [V(x, 660, 735) for x in (499.88, 500.62)] + [H(400, 600, 660), H(400, 600, 735)]
    columns = {(e.top, e.bottom): e.x0 for e in merge_edges(above + below, 3.0, 3.0)
               if e.orientation == "v"}
    assert columns == {(30, 500): pytest.approx(504.0), (660, 735): pytest.approx(500.25)}


def test_pdf_border_of_a_table_set_under_another_keeps_its_own_column() -> None:
    """A table's right border (176.6 and 178.9 pt, a browser's cell and table boxes) set
    right under another table whose column ruling is at 172.1 and 174.4 pt: each pair is one
    ruling, and neither goes over to the other's column."""
    upper = [V(x, 664.5, 722.25) for x in (172.12, 174.38)]
    lower = [V(178.88, 724.5, 764.25), V(176.62, 726.75, 747.75)]
    columns = sorted((round(e.x0, 2), e.top) for e in merge_edges(upper + lower, 3.0, 3.0))
    assert columns == [(173.25, 664.5), (177.75, 724.5)]


def _header_cut_at_the_top_of_a_page() -> list[Edge]:
    """A table continued at the top of a page, its header cut: the first two columns'
    header cells end at 48 pt, the others' at 68 pt, and the first data row's cells, boxed
    apart from them, begin at 69.75 pt (their bottoms and tops snapped to 69.26 pt)."""
    return [H(0, 140, 48.0), H(0, 220, 69.26), H(0, 220, 100.0),
            V(0, 30, 100), V(100, 27.75, 48.75), V(100, 69.75, 100), V(140, 29.25, 100),
            V(180, 30.75, 100), V(220, 30, 100)]


def test_pdf_header_cut_by_a_page_break_leaves_no_sliver_row() -> None:
    """The side rulings that begin just under the ruling closing the header close nothing
    more: no row of half a point is cut off the first data row, whose values it would
    take (a natural person's 10 read as blank)."""
    edges = _header_cut_at_the_top_of_a_page()
    assert all(e.top < 35 for e in close_open_ends(edges))
    (region,) = ruled_regions(edges) or []
    assert min(bottom - top for _, top, _, bottom in region) >= CUT_ROW_MIN_PT


def test_pdf_cut_header_block_beside_one_with_its_top_ruling_is_one_table() -> None:
    """Section 四 cut inside its header: at the top of the next page the first block of
    header cells has bare side rulings (from 72.0 pt) and ends at 144.5 pt, while the block
    beside it has its top ruling drawn (72.3 pt) and reaches the value row. The first
    block is closed at the ruling beside it, so that both share their corner and form one
    table with the value row (it was a table of its own, and section 四 lost its values)."""
    edges = [V(x, 72.0, 144.9) for x in (95.6, 123.5, 151.7)] + [H(95.3, 151.7, 144.5)]
    edges += [H(151.9, 260.0, 72.3), H(95.6, 260.0, 164.6), H(95.6, 260.0, 203.0)]
    edges += [V(151.7, 72.0, 203.0), V(200.0, 72.3, 203.0), V(260.0, 72.3, 203.0)]
    edges += [V(x, 164.9, 203.0) for x in (95.6, 123.5)]
    assert {e.top for e in close_open_ends(edges)} == {72.3}
    (region,) = ruled_regions(edges) or []
    assert len(region) == 2 + 2 + 4  # the cut header, the header beside it, the value row


def _glyphs(text: str, x0: float, top: float, size: float = 10.5) -> list[Char]:
    return [Char(ch, x0 + i * size, top, x0 + (i + 1) * size, top + size, True, 0)
            for i, ch in enumerate(text)]


def test_pdf_caption_at_the_foot_of_a_page_joins_its_table_on_the_next() -> None:
    """A caption box alone at the foot of a page, the sides of the rows carried over
    drawn on below it to the page's foot (closed there as a blank box), heads the table
    the next page starts with."""
    caption = "行政诉讼（复议后起诉）"
    regions = [[(223.5, 653.4, 388.5, 699.4), (223.5, 699.4, 388.5, 764.25)]]
    (foot,), flow = table_parts(regions, _glyphs(caption, 230, 670), 6)
    assert not flow
    columns = list(pairwise((223.5, 280.5, 307.5, 334.5, 361.5, 388.5)))
    headings = ("维持", "纠正", "其他", "尚未", "总计")
    boxes = [(a, top, b, bottom) for top, bottom in ((28.1, 102.8), (102.8, 143.8))
             for a, b in columns]
    glyphs = [g for (a, _), text in zip(columns, headings, strict=True)
              for g in _glyphs(text, a + 2, 40)]
    glyphs += [g for a, _ in columns for g in _glyphs("0", a + 2, 115)]
    (head,), _ = table_parts([boxes], glyphs, 7)
    joined = join_parts(foot, head)
    assert joined is not None
    table = build_table(joined, 1)
    assert [[c.text for c in row] for row in table.row_cells()] == [
        [caption], ["维持", "纠正", "其他", "尚未", "总计"], ["0"] * 5]


def _cells_of(columns: list[float], rows: list[tuple[float, float]], texts: list[list[str]],
              page: int) -> list[PartCell]:
    return [PartCell(a, top, b, bottom, text, page)
            for (top, bottom), line in zip(rows, texts, strict=True)
            for (a, b), text in zip(pairwise(columns), line, strict=True)]


def test_pdf_third_of_three_stacked_tables_joins_its_rows_on_the_next_page() -> None:
    """Section 四 printed as three tables set one under another: the page ends with the
    third one's caption, the next page starts with its header and values, in columns of
    their own. They are joined, and the header stays: it is no repeat of the first table's,
    however alike."""
    first_columns = [35.7, 63.75, 92.25, 120.75, 149.25, 177.75]
    headings = ["维持", "纠正", "其他", "尚未", "总计"]
    above = _cells_of(first_columns, [(579.75, 619.5), (619.5, 638.4)],
                      [headings, ["1", "1", "0", "3", "5"]], 4)
    above = [PartCell(35.7, 556.5, 177.75, 579.75, "行政复议", 4), *above,
             PartCell(35.7, 723.2, 177.75, 747.4, "行政诉讼（复议后起诉）", 4)]
    below = _cells_of([35.62, 70.0, 100.0, 130.0, 150.0, 177.38], [(28.1, 67.5), (67.5, 89.2)],
                      [headings, ["0", "1", "2", "2", "5"]], 5)
    joined = join_parts(TablePart(4, tuple(above), "ruled"), TablePart(5, tuple(below), "ruled"))
    assert joined is not None
    rows = [[c.text for c in row] for row in build_table(joined, 1).row_cells()]
    assert rows[-3:] == [["行政诉讼（复议后起诉）"], headings, ["0", "1", "2", "2", "5"]]
