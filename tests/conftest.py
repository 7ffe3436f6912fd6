"""Shared test helpers: where the real samples live, and building tables by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gk_extract.models import Cell, Table

# OCR in tests runs on the CPU even where onnxruntime sees a GPU: what the tests measure and
# fix is the CPU's reading (parse/ocr/engine.py DEVICE_ENV).
os.environ.setdefault("GK_EXTRACT_OCR_DEVICE", "cpu")

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def sample(name: str) -> Path:
    """A real sample document; the test is skipped when the samples folder is absent."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"real samples not found at {SAMPLES} (clone the shared folder beside the project)")
    return path


def table(rows: list[list[str | tuple[str, int, int]]]) -> Table:
    """A table from rows of cells; a cell is its text or (text, rowspan, colspan).

    Slots covered by a rowspan from above are skipped as in HTML.
    """
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            text, rowspan, colspan = (item, 1, 1) if isinstance(item, str) else item
            while (r, c) in taken:
                c += 1
            cells.append(Cell(r, c, text, rowspan, colspan, ref=f"table1 r{r} c{c}"))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
            width = max(width, c)
    return Table(tuple(cells), len(rows), width, ref="table1")
