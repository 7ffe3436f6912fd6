"""Reports typed without table borders, printed by real LibreOffice: no wrong value unflagged.

The text-alignment fallback places these tables' values by word positions alone, so every
cell it gives must be marked doubtful; sections and metadata are still found.
"""

from __future__ import annotations

import hashlib

import pytest

from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.corpora import CORPORA, missing_tool
from gk_extract.testing.tally import Tally, compare

CORPUS = CORPORA["borderless"]


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
