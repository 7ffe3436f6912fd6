"""The real web-page samples printed to PDF by real headless Chromium, scored by the shared scorer.

"Print to PDF" from a browser is a common way a report page becomes a PDF: the text layer
writes radicals for ideographs, the rulings are thin filled boxes (mitred trapezoids for a
``<table border="1">``), the tables run over several pages with their outer borders drawn
to the page's foot. Every cell the page prints must come back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, sample
from test_eval_gate import load_scorer

from gk_extract.pipeline import Settings, extract_paths
from gk_extract.testing.synth import chromium

PAGES = ("pt2021", "pt2024")


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    sample("truth")
    if chromium.find_chromium() is None:
        pytest.skip("chromium is not installed")
    folder = tmp_path_factory.mktemp("printed")
    chromium.print_pdfs([SAMPLES / f"{page}.html" for page in PAGES], folder / "pdf")
    extract_paths([folder / "pdf"], Settings(out_dir=folder / "data"))
    return load_scorer().score(folder / "data", SAMPLES / "truth")


@pytest.mark.parametrize("page", PAGES)
def test_every_cell_and_section_of_a_printed_page_is_read(scored: dict, page: str) -> None:
    (line,) = [line for line in scored["lines"] if line.split()[0] == page]
    assert " cells 200/200 " in line and " sections 6/6 " in line, line
    assert "template=2021" in line, line


def test_nothing_is_invented_or_wrong_unflagged(scored: dict) -> None:
    assert scored["invented"] == 0 and scored["unflagged_wrong"] == 0, scored["lines"]


def test_the_pages_are_read_as_pdf(scored: dict) -> None:
    assert all(Path(line.split()[1]).suffix == ".pdf" for line in scored["lines"]), scored["lines"]
