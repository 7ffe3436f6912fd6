"""The indexed crossing search finds what pdfplumber's lines strategy finds, cell for cell."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st
from pdfplumber import table as plumber

from gk_extract.parse.layout.crossings import Crossings
from gk_extract.parse.layout.geometry import BBox, Edge
from gk_extract.parse.layout.lines import median_of

TOLERANCE_PT = 3.0

# Positions on a coarse grid with jitter: rulings that meet exactly, within the tolerance,
# and just beyond it, as printed tables draw them.
_POSITION = st.builds(lambda step, jitter: 20.0 * step + jitter,
                      st.integers(0, 12), st.sampled_from((0.0, 0.0, 0.4, -1.5, 2.9, 3.1)))


@st.composite
def _rulings(draw: st.DrawFn) -> list[Edge]:
    edges = []
    for _ in range(draw(st.integers(0, 14))):
        at, start, length = draw(_POSITION), draw(_POSITION), draw(_POSITION)
        if draw(st.booleans()):
            edges.append(Edge.horizontal(start, start + length, at))
        else:
            edges.append(Edge.vertical(at, start, start + length))
    return edges


def _plumber_cells(edges: list[Edge]) -> tuple[int, list[BBox]]:
    points = plumber.edges_to_intersections([e.as_plumber() for e in edges], TOLERANCE_PT,
                                            TOLERANCE_PT)
    return len(points), list(plumber.intersections_to_cells(points))


@settings(max_examples=300, deadline=None)
@given(_rulings())
def test_crossings_and_cells_are_pdfplumbers(edges: list[Edge]) -> None:
    crossings = Crossings(edges, TOLERANCE_PT)
    count, cells = _plumber_cells(edges)
    assert len(crossings) == count
    assert crossings.cells() == cells


def test_a_ruled_grid_with_a_merged_cell() -> None:
    xs, ys = (0.0, 50.0, 100.0, 150.0), (0.0, 20.0, 40.0)
    edges = [Edge.horizontal(0.0, 150.0, y) for y in ys]
    edges += [Edge.vertical(x, 0.0, 40.0) for x in xs if x != 100.0]
    edges.append(Edge.vertical(100.0, 20.0, 40.0))  # the first row's last two cells merged
    crossings = Crossings(edges, TOLERANCE_PT)
    assert crossings.cells() == [(0.0, 0.0, 50.0, 20.0), (0.0, 20.0, 50.0, 40.0),
                                 (50.0, 0.0, 150.0, 20.0), (50.0, 20.0, 100.0, 40.0),
                                 (100.0, 20.0, 150.0, 40.0)]
    assert crossings.cells() == _plumber_cells(edges)[1]


@given(st.lists(st.floats(0.5, 60.0, allow_nan=False), min_size=1, max_size=9))
def test_median_of_is_statistics_median(values: list[float]) -> None:
    assert median_of(values) == statistics.median(values)
