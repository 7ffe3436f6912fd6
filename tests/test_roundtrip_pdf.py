"""Round trip through PDF: generated reports printed by LibreOffice come back cell for cell.

The fixture set (``pdf_corpus.pdf_corpus``) holds random layouts, the 23-row variant, the
2019 format, split labels, and filler paragraphs that make page breaks cut the tables of
sections 二 and 三 at different rows, through merged label cells too. Section texts are
compared with whitespace removed: PDF line wrapping does not keep paragraph boundaries.

Skipped, with the reason, while ``gk_extract.parse.pdf`` is missing or raises
NotImplementedError, and where LibreOffice is absent (``make test`` installs it).
"""

from __future__ import annotations

import importlib.util

import pytest
from pdf_corpus import pdf_corpus
from test_roundtrip import assert_same, extract

from gk_extract.errors import UnsupportedFormat
from gk_extract.parse import parse_document
from gk_extract.testing.synth import SyntheticReport

PDF_COUNT = 200
SEED = 7051


def _require_pdf_parser() -> None:
    if importlib.util.find_spec("gk_extract.parse.pdf") is None:
        pytest.skip("gk_extract.parse.pdf is not there yet")


@pytest.fixture(scope="session")
def pdf_reports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, SyntheticReport]]:
    _require_pdf_parser()
    corpus = pdf_corpus(tmp_path_factory.mktemp("pdf"), PDF_COUNT, SEED)
    try:
        parse_document(corpus[0][0], "pdf")
    except NotImplementedError:
        pytest.skip("gk_extract.parse.pdf raises NotImplementedError")
    except UnsupportedFormat as exc:
        pytest.skip(f"parse_document does not read PDF yet: {exc}")
    return corpus


@pytest.mark.parametrize("index", range(PDF_COUNT))
def test_pdf_round_trip(pdf_reports: list[tuple[bytes, SyntheticReport]], index: int) -> None:
    data, truth = pdf_reports[index]
    report = extract(data)
    assert report.format == "pdf"
    assert_same(report, truth, exact_text=False)
