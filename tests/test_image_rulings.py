"""Rulings found in page images, and cell readings that depend on the image.

The ruling tests draw tables with OpenCV (no OCR needed); the reading tests render a small
table with a CJK font and run the real OCR engine on it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from gk_extract.parse.ocr.engine import ocr_available
from gk_extract.parse.ocr.rulings import find_rulings

DPI = 100
K = 72 / DPI  # points per pixel
LEFT, RIGHT, TOP = 60, 760, 60
ROW_PX = 34
COLS = (60, 300, 460, 610, 760)


def table_image(rows: int, faint_row: int | None = None, noise: float = 8.0,
                seed: int = 0) -> np.ndarray:
    """A page with a ruled table drawn in grey (as a scan of thin rulings reads); in the
    label column, the rows around the border under ``faint_row`` are filled with dense
    glyph-like strokes touching it from above and below, as tight rows of text are."""
    paper, ink, ruling = 235, 60, 150
    image = np.full((TOP + rows * ROW_PX + 200, 820), paper, np.uint8)
    bottom = TOP + rows * ROW_PX
    for r in range(rows + 1):
        cv2.line(image, (LEFT, TOP + r * ROW_PX), (RIGHT, TOP + r * ROW_PX), ruling, 2)
    for x in COLS:
        cv2.line(image, (x, TOP), (x, bottom), ruling, 2)
    if faint_row is not None:
        y = TOP + (faint_row + 1) * ROW_PX
        rng = np.random.default_rng(seed)
        for x0 in range(LEFT + 6, COLS[1] - 20, 16):  # glyphs 14 px wide, 2 px apart
            for band in ((y - 15, y - 1), (y + 1, y + 15)):
                for _ in range(6):
                    if rng.random() < 0.5:
                        row = int(rng.integers(*band))
                        cv2.line(image, (x0, row), (x0 + 13, row), ink, 1)
                    else:
                        col = x0 + int(rng.integers(0, 14))
                        cv2.line(image, (col, band[0]), (col, band[1]), ink, 1)
    image = cv2.GaussianBlur(image, (0, 0), 0.7)  # the scanner's optics
    grain = np.random.default_rng(seed + 1).normal(0, noise, image.shape)
    return np.clip(image + grain, 0, 255).astype(np.uint8)


def horizontals_at(edges: list, y_px: int) -> list[tuple[float, float]]:
    return [(e.x0, e.x1) for e in edges
            if e.orientation == "h" and abs(e.top - y_px * K) <= 2]


def test_every_ruling_of_a_clean_table_is_found_end_to_end() -> None:
    edges = find_rulings(table_image(5), K)
    for r in range(6):
        spans = horizontals_at(edges, TOP + r * ROW_PX)
        assert len(spans) == 1 and spans[0] == pytest.approx((LEFT * K, RIGHT * K), abs=2)
    verticals = sorted(e.x0 for e in edges if e.orientation == "v")
    assert verticals == pytest.approx([x * K for x in COLS], abs=1.5)


@pytest.mark.parametrize("seed", range(4))
def test_faint_ruling_beside_dense_text_runs_through_the_label_column(seed: int) -> None:
    image = table_image(5, faint_row=2, seed=seed)
    spans = horizontals_at(find_rulings(image, K), TOP + 3 * ROW_PX)
    assert spans and min(x0 for x0, _ in spans) == pytest.approx(LEFT * K, abs=2)
    assert max(x1 for _, x1 in spans) == pytest.approx(RIGHT * K, abs=2)


def test_text_crossing_a_row_border_position_is_no_ruling() -> None:
    """A merged cell (no border under row 2 in the label column) with a line of glyphs
    centred where the border would be: the data columns' border is not carried across."""
    image = table_image(5)
    y = TOP + 3 * ROW_PX
    image[y - 1:y + 2, LEFT + 1:COLS[1]] = 250  # the border is really absent there
    rng = np.random.default_rng(3)
    x = LEFT + 30
    while x < COLS[1] - 40:  # glyphs 12 px wide with 4-px gaps, strokes crossing y
        for stroke in range(x, x + 12, 3):
            top = y - int(rng.integers(2, 7))
            cv2.line(image, (stroke, top), (stroke, top + 12), 60, 1)
        cv2.line(image, (x, y), (x + 11, y), 60, 1)
        x += 16
    spans = horizontals_at(find_rulings(image, K), y)
    assert spans and min(x0 for x0, _ in spans) == pytest.approx(COLS[1] * K, abs=2)


def test_glyph_stem_touching_a_ruling_neither_drops_nor_moves_it() -> None:
    image = table_image(5, noise=2.0)
    x = COLS[2]
    for r in (1, 2):  # a digit's stem just right of the ruling, hanging from the row's top
        y = TOP + r * ROW_PX
        cv2.line(image, (x + 3, y + 1), (x + 3, y + ROW_PX * 2 // 3), 40, 2)
    verticals = [e for e in find_rulings(image, K) if e.orientation == "v"]
    near = [e.x0 for e in verticals if abs(e.x0 - x * K) <= 4]
    assert near and min(abs(v - x * K) for v in near) <= 1.5


# --------------------------------------------------------------------------- readings


def _cjk_font() -> Path | None:
    for name in ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc"):
        found = list(Path("/usr/share/fonts").rglob(name))
        if found:
            return found[0]
    return None


def table_with_text(texts: list[list[str]], fill: int = 30) -> np.ndarray:
    """A drawn table (see table_image) with each text set in the middle of its cell."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = _cjk_font()
    if font_path is None:
        pytest.skip("no Noto CJK font (make installs fonts-noto-cjk)")
    image = Image.fromarray(table_image(len(texts), noise=3.0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), 15)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            cx, cy = (COLS[c] + COLS[c + 1]) // 2, TOP + r * ROW_PX + ROW_PX // 2
            draw.text((cx, cy), text, fill=fill, font=font, anchor="mm")
    return np.asarray(image)


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_slash_cells_read_as_slash_and_ones_as_ones() -> None:
    from gk_extract.parse.ocr.page import read_page_image

    texts = [["行政处罚", "/", "1", "/"], ["行政强制", "1", "/", "11"],
             ["行政许可", "/", "/", "1"], ["其他对外管理", "21", "/", "/"]]
    page = read_page_image(table_with_text(texts), DPI, 1)
    cells = sorted((c for p in page.parts for c in p.cells), key=lambda c: (c.top, c.x0))
    read = [[c.text for c in cells if abs((c.top + c.bottom) / 2 - (TOP + r * ROW_PX + ROW_PX / 2) * K) < 5]
            for r in range(4)]
    assert read == texts


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_cell_read_empty_but_holding_ink_is_read_again_alone() -> None:
    from gk_extract.parse.layout.tables import PartCell, TablePart
    from gk_extract.parse.ocr.readings import reread_cells

    image = table_with_text([["", "7", "", ""], [""] * 4], fill=60)
    box = [(COLS[c] * K, TOP * K, COLS[c + 1] * K, (TOP + ROW_PX) * K) for c in (1, 2)]
    cells = tuple(PartCell(*b, "", 1) for b in box)  # the detector saw neither
    confidence: dict[PartCell, float] = {}
    parts = reread_cells([TablePart(1, cells, "ruled")], confidence, image, K)
    assert [c.text for c in parts[0].cells] == ["7", ""]  # the blank one stays blank
    assert confidence[parts[0].cells[0]] > 0.5
