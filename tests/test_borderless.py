"""Reports typed without table borders, printed by real LibreOffice: no wrong value unflagged.

The alignment stage (template/aligned.py) places these tables' values by word positions and
the template's labels alone, so every cell it gives must be marked doubtful; sections and
metadata are still found, and nearly every cell is right.
"""

from __future__ import annotations

import hashlib

import pytest

from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.corpora import CORPORA, missing_tool
from gk_extract.testing.tally import Tally, compare

CORPUS = CORPORA["borderless"]
# Share of cells right on this sample (6 reports, seed 3); only moves up. 1,176/1,176 since
# the alignment stage (template/aligned.py); 99.99 % at 100 reports, seed 20261. The
# layout's gap-cut aligned tables alone gave about 53 %.
CELLS_RIGHT_FLOOR = 1.0


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Tally:
    if (tool := missing_tool(CORPUS)) is not None:
        pytest.skip(f"{tool} is not installed")
    found = Tally()
    for data, truth in CORPUS.build(tmp_path_factory.mktemp("borderless"), 6, 3):
        report = extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), timeout_s=300)
        found.add(compare(report, truth))
    return found


def test_no_wrong_value_goes_unflagged(tally: Tally) -> None:
    assert tally.unflagged == 0, tally.line("borderless")


def test_every_section_is_found(tally: Tally) -> None:
    assert tally.sections_found == tally.sections


def test_cells_are_right(tally: Tally) -> None:
    assert tally.cell_share >= CELLS_RIGHT_FLOOR, tally.line("borderless")
    assert tally.invented == 0, tally.line("borderless")
