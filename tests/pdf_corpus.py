"""Synthetic reports printed by real LibreOffice: DOC and PDF fixture sets with their truth.

The sets themselves are made by ``gk_extract.testing.corpora`` (random layouts, the
23-row variant, the 2019 format, split labels, four- and three-table sections, filler
paragraphs that make page breaks cut the tables at different rows); this module adds
what pytest needs::

    for data, truth in pdf_corpus(tmp_path, count=50, seed=1):
        assert_same(extract(data), truth, exact_text=False)

LibreOffice tests call :func:`require_soffice` first: it skips them, with the reason, where
soffice is absent (``make test`` installs it through ``scripts/install-system-deps.sh``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gk_extract.testing.corpora import OFFICE_JOBS as JOBS
from gk_extract.testing.corpora import (
    Pair,
    libreoffice_pdfs,
    printed_corpus,
    random_reports,
    render_all,
)

__all__ = ["JOBS", "pdf_corpus", "printed_corpus", "random_reports", "render_all", "require_soffice"]


def require_soffice() -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make test` installs it via "
                    "scripts/install-system-deps.sh (as root), or apt-get install "
                    "libreoffice-writer-nogui fonts-noto-cjk")


def pdf_corpus(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """``count`` random reports printed to PDF by LibreOffice, with their truth."""
    require_soffice()
    return libreoffice_pdfs(work_dir, count, seed)
