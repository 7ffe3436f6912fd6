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
# The height of the page the hand-made edges and glyphs lie on (points): A4.
PAGE_PT = 842.0


def table_image(rows: int, faint_row: int | None = None, noise: float = 8.0,
                seed: int = 0, right: int = RIGHT, width: int = 820) -> np.ndarray:
    """A page with a ruled table drawn in grey (as a scan of thin rulings reads); in the
    label column, the rows around the border under ``faint_row`` are filled with dense
    glyph-like strokes touching it from above and below, as tight rows of text are. A
    ``right`` beyond the image's ``width`` cuts the table off there, its right border lost."""
    paper, ink, ruling = 235, 60, 150
    image = np.full((TOP + rows * ROW_PX + 200, width), paper, np.uint8)
    bottom = TOP + rows * ROW_PX
    for r in range(rows + 1):
        cv2.line(image, (LEFT, TOP + r * ROW_PX), (right, TOP + r * ROW_PX), ruling, 2)
    for x in (*COLS[:-1], right):
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


def test_a_table_cut_off_at_the_image_edge_is_closed_there() -> None:
    """Printed wider than its page or cropped: the rows run to the edge, with no border."""
    image = table_image(4, right=900, width=800)
    edges = find_rulings(image, K)
    ends = [x1 for _, x1 in horizontals_at(edges, TOP + ROW_PX)]
    assert ends and min(ends) >= 795 * K  # the last column kept, not trimmed to 610 px
    closing = [e for e in edges if e.orientation == "v" and abs(e.x0 - ends[0]) <= 1]
    assert closing and closing[0].top <= TOP * K + 1 and closing[0].bottom >= (TOP + 4 * ROW_PX) * K - 1


def test_a_whole_table_is_not_closed_again() -> None:
    edges = find_rulings(table_image(4), K)
    verticals = sorted(round(e.x0 / K) for e in edges if e.orientation == "v")
    assert len(verticals) == len(COLS)


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


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_dash_read_alone_is_a_dash_and_a_one_beside_a_ruling_is_a_one() -> None:
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_flat, is_slanted

    image = table_with_text([["行政处罚", "-", "1", "—"]])
    for col, flat in ((1, True), (2, False), (3, True)):
        cx = (COLS[col] + COLS[col + 1]) / 2
        # the box the recogniser gives a lone glyph: the line's height, wide enough to take
        # in the cell's left ruling when the glyph sits near it
        glyph = Glyph("1", COLS[col] - 1, TOP + 4, cx + 8, TOP + ROW_PX - 4, 0.95)
        assert is_flat(glyph, image) is flat
        assert not is_slanted(glyph, image)
    # a box as tight as the 1 itself: its stem runs from the box's top to its bottom
    cx = (COLS[2] + COLS[3]) // 2
    rows = np.flatnonzero((image[TOP + 4:TOP + ROW_PX - 4, cx - 6:cx + 6] < 128).any(axis=1))
    tight = Glyph("1", cx - 6, TOP + 4 + rows[0], cx + 6, TOP + 4 + rows[-1] + 1, 0.95)
    assert not is_flat(tight, image)


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_unsure_zero_against_a_double_border_is_read_again_without_it() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from gk_extract.parse.layout.tables import PartCell, TablePart
    from gk_extract.parse.ocr.readings import reread_cells

    font_path = _cjk_font()
    if font_path is None:
        pytest.skip("no Noto CJK font (make installs fonts-noto-cjk)")
    image = Image.fromarray(table_image(1, noise=3.0))
    draw = ImageDraw.Draw(image)
    x0, x1 = COLS[1], COLS[2]
    for inner in (x0 + 3, x1 - 3):  # each cell boxed on its own: a double border
        draw.line([(inner, TOP + 3), (inner, TOP + ROW_PX - 3)], fill=90, width=1)
    draw.line([(x0 + 3, TOP + 3), (x1 - 3, TOP + 3)], fill=90, width=1)
    draw.line([(x0 + 3, TOP + ROW_PX - 3), (x1 - 3, TOP + ROW_PX - 3)], fill=90, width=1)
    font = ImageFont.truetype(str(font_path), 15)
    draw.text((x0 + 5, TOP + ROW_PX // 2), "0", fill=30, font=font, anchor="lm")
    cell = PartCell(x0 * K, TOP * K, x1 * K, (TOP + ROW_PX) * K, "o", 1)
    confidence = {cell: 0.6}
    parts = reread_cells([TablePart(1, (cell,), "ruled")], confidence, np.asarray(image), K)
    assert parts[0].cells[0].text == "0"
    assert confidence[parts[0].cells[0]] > 0.9


def test_a_number_a_ruling_cuts_makes_its_whole_row_unsure() -> None:
    from gk_extract.parse.layout.geometry import Edge
    from gk_extract.parse.layout.tables import PartCell, TablePart
    from gk_extract.parse.ocr.engine import Glyph, TextLine
    from gk_extract.parse.ocr.page import CUT_ROW_CONFIDENCE, _cap_cut_rows, _chars

    k = 1.0
    ruling = [Edge.vertical(110.0, 0.0, 60.0)]
    tight = TextLine((Glyph("3", 100, 5, 109, 20, 0.99), Glyph("5", 109, 5, 118, 20, 0.99)), 0.99)
    apart = TextLine((Glyph("0", 90, 35, 99, 50, 0.99), Glyph("0", 125, 35, 134, 50, 0.99)), 0.99)
    chars, _, cut = _chars([tight, apart], k, ruling)
    assert [c.text for c in chars] == ["3", "5", "0", "0"]
    assert [c.text for c in cut] == ["3", "5"]  # the zeros of two cells are not a cut number
    cells = (PartCell(60, 0, 110, 25, "3", 1), PartCell(110, 0, 160, 25, "5", 1),
             PartCell(160, 0, 200, 25, "", 1), PartCell(60, 30, 110, 55, "0", 1),
             PartCell(110, 30, 160, 55, "0", 1))
    confidence = dict.fromkeys(cells, 0.99)
    _cap_cut_rows([TablePart(1, cells, "ruled")], cut, confidence)
    assert [confidence[c] for c in cells] == [CUT_ROW_CONFIDENCE] * 3 + [0.99, 0.99]


def test_rulings_in_a_crop_are_found_with_their_blur_at_any_size() -> None:
    from gk_extract.parse.ocr.readings import ruled_pixels

    thin = np.zeros((2, 5), dtype=bool)  # a crop narrower than the blur's reach
    thin[:, 0] = True
    assert ruled_pixels(thin, 0.6, blur=1).tolist() == [[True, True, False, False, False]] * 2
    box = np.zeros((6, 6), dtype=bool)
    box[2, :] = True  # a row's ruling
    box[2:5, 3] = True  # a stem across half the crop: no ruling
    found = ruled_pixels(box, 0.6, blur=1)
    assert found[1:4].all() and not found[[0, 4, 5]].any()
    box[:, 0] = True  # a ruling at the side; the row in the middle counts only where sides do
    assert ruled_pixels(box, 0.95, side=0.25).tolist() == [[True] + [False] * 5] * 6


def test_a_faint_slash_broken_into_pieces_is_still_slanted() -> None:
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_slanted

    image = np.full((19, 15), 235, dtype=np.uint8)
    for y, x in ((6, 10), (7, 10), (8, 9), (9, 9), (11, 8), (12, 8), (13, 7), (14, 7)):
        image[y, x] = 150  # a grey slash of a JPEG scan, gaps of a pixel between its pieces
    image[10, 9] = 200
    assert is_slanted(Glyph("1", 0, 0, 15, 19, 0.97), image)


def test_a_crisp_dash_in_a_box_as_tight_as_it_is_flat() -> None:
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_flat

    image = np.full((12, 8), 255, dtype=np.uint8)  # a screenshot: black on white, nothing between
    image[4, 2:6], image[5, 2:6], image[6, 2:6] = 240, 0, 196
    assert is_flat(Glyph("1", 0, 0, 8, 12, 0.99), image)


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_an_unsure_negative_number_read_again_keeps_its_one() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from gk_extract.parse.layout.tables import PartCell, TablePart
    from gk_extract.parse.ocr.readings import reread_cells

    font_path = _cjk_font()
    if font_path is None:
        pytest.skip("no Noto CJK font (make installs fonts-noto-cjk)")
    image = Image.fromarray(table_image(1, noise=3.0))
    font = ImageFont.truetype(str(font_path), 34)  # the 1's stem spans most of the row
    x0, x1 = COLS[1], COLS[2]
    ImageDraw.Draw(image).text(((x0 + x1) // 2, TOP + ROW_PX // 2), "-12", fill=30, font=font,
                               anchor="mm")
    cell = PartCell(x0 * K, TOP * K, x1 * K, (TOP + ROW_PX) * K, "-12", 1)
    confidence = {cell: 0.85}
    parts = reread_cells([TablePart(1, (cell,), "ruled")], confidence, np.asarray(image), K)
    assert parts[0].cells[0].text == "-12"


def test_a_dash_a_scan_blurs_into_a_blob_is_still_flat() -> None:
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_flat

    image = np.full((10, 7), 250, dtype=np.uint8)  # a 4-px dash at 100 dpi, blurred: 3 x 5 px
    image[4, 2:5], image[5, 1:6], image[6, 3] = 120, 90, 150
    assert is_flat(Glyph("1", 0, 0, 7, 10, 0.996), image)
    image[1:9, 3] = 90  # a 1 through it fills the line's height
    assert not is_flat(Glyph("1", 0, 0, 7, 10, 0.996), image)


def test_stems_of_one_glyph_down_a_column_are_no_ruling_however_long() -> None:
    from gk_extract.parse.layout.geometry import Edge
    from gk_extract.parse.ocr.engine import Glyph, TextLine
    from gk_extract.parse.ocr.page import _not_through_glyphs

    k = 1.0
    rows = [TextLine((Glyph("无", 100, top, 114, top + 16, 0.99),), 0.99) for top in (10, 40, 70, 100)]
    stems = Edge.vertical(107.0, 5.0, 120.0)  # through all four, blurred across the rows' rulings
    border = Edge.vertical(90.0, 5.0, 120.0)  # beside them
    flush = Edge.vertical(102.0, 5.0, 120.0)  # against their left sides, within their boxes
    kept = _not_through_glyphs([stems, border, flush], rows, k, PAGE_PT)
    assert stems not in kept
    assert border in kept and flush in kept


def test_a_broken_ruling_beside_a_one_does_not_make_it_slanted() -> None:
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_slanted

    image = np.full((24, 17), 250, dtype=np.uint8)
    image[[0, 2, *range(12, 24)], 1] = 120  # the cell's ruling, broken by the scan's blur
    image[6:17, 7:10] = 60  # the 1's stem, its flag and its foot two pixels from the ruling
    image[6, 4:7], image[7, 5:7], image[16:18, 4:12] = 60, 60, 60
    assert not is_slanted(Glyph("1", 0, 0, 17, 24, 1.0), image)


def test_a_border_running_on_into_a_blank_row_is_a_ruling_though_a_header_line_crosses_it() -> None:
    from gk_extract.parse.layout.geometry import Edge
    from gk_extract.parse.ocr.engine import Glyph, TextLine
    from gk_extract.parse.ocr.page import _not_through_glyphs

    k = 1.0
    rows = [Edge.horizontal(0.0, 300.0, y) for y in (0.0, 20.0, 40.0)]
    # narrow header cells read as one line across their borders: 果 over the border at x=100
    header = TextLine(tuple(Glyph(t, x, 3, x + 12, 17, 0.99) for t, x in
                            (("结", 70), ("果", 94), ("维", 118), ("持", 130))), 0.99)
    border = Edge.vertical(100.0, 0.0, 40.0)  # on through the blank row below
    stroke = Edge.vertical(100.0, 0.0, 20.0)  # the header row's only
    assert border in _not_through_glyphs([*rows, border], [header], k, PAGE_PT)
    assert stroke not in _not_through_glyphs([*rows, stroke], [header], k, PAGE_PT)
    below = TextLine((Glyph("4", 94, 23, 106, 37, 0.99),), 0.99)  # a stroke joined to the next row's
    assert border not in _not_through_glyphs([*rows, border], [header, below], k, PAGE_PT)
    # a large glyph's own strokes crossing (县 in a 22-pt title): no row of its own beyond it
    title = TextLine((Glyph("县", 80, 0, 120, 40, 0.99),), 0.99)
    stem = Edge.vertical(100.0, 5.0, 35.0)
    assert stem not in _not_through_glyphs([Edge.horizontal(85.0, 115.0, 28.0), stem], [title], k, PAGE_PT)


def test_rulings_stacked_a_few_pixels_apart_are_each_a_ruling() -> None:
    """A table's last row border, its outer border and the top border of a narrower table
    set right under it (separate borders, as a browser draws them), 3 px apart at 100 dpi:
    blur joins them into one band too thick for a ruling. Each is still found, and so are
    both tables' rows; a filled bar as long and as thick is still no ruling."""
    paper, ruling = 235, 150
    image = np.full((420, 820), paper, np.uint8)
    bottom_a = TOP + 3 * ROW_PX
    top_b = bottom_a + 6
    for y in (*(TOP + r * ROW_PX for r in range(3)), bottom_a, bottom_a + 3):
        cv2.line(image, (LEFT, y), (RIGHT, y), ruling, 1)
    for x in COLS:
        cv2.line(image, (x, TOP), (x, bottom_a + 3), ruling, 1)
    for y in (top_b, top_b + ROW_PX, top_b + 2 * ROW_PX):
        cv2.line(image, (LEFT, y), (COLS[3], y), ruling, 1)
    for x in COLS[:4]:
        cv2.line(image, (x, top_b), (x, top_b + 2 * ROW_PX), ruling, 1)
    cv2.rectangle(image, (LEFT, 380), (RIGHT, 388), ruling, -1)
    edges = find_rulings(cv2.GaussianBlur(image, (0, 0), 0.9), K)
    assert horizontals_at(edges, bottom_a) == [pytest.approx((LEFT * K, RIGHT * K), abs=2)]
    assert horizontals_at(edges, top_b) == [pytest.approx((LEFT * K, COLS[3] * K), abs=2)]
    assert not horizontals_at(edges, 384)


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_a_placeholder_told_from_its_shape_is_not_read_again() -> None:
    """A ``/`` the slant test made of an unsure ``1`` stays a ``/``: the recogniser, reading
    the same ink again, may only say ``1`` or ``7`` surer. An unsure number is read again."""
    from gk_extract.parse.layout.tables import PartCell, TablePart
    from gk_extract.parse.ocr.readings import reread_cells

    image = table_with_text([["", "7", "7", ""]], fill=60)
    box = [(COLS[c] * K, TOP * K, COLS[c + 1] * K, (TOP + ROW_PX) * K) for c in (1, 2)]
    slash, number = PartCell(*box[0], "/", 1), PartCell(*box[1], "1", 1)
    confidence = {slash: 0.5, number: 0.5}
    (part,) = reread_cells([TablePart(1, (slash, number), "ruled")], confidence, image, K)
    assert [c.text for c in part.cells] == ["/", "7"]
    assert confidence[part.cells[0]] == 0.5


def test_a_slanted_one_opening_a_word_makes_its_line_unsure() -> None:
    """``/万元`` read as ``1万元``: the slanted head keeps its reading but loses its score;
    an upright 1 before a word, and a slanted-looking 1 before a digit, keep theirs."""
    from gk_extract.parse.ocr.engine import Glyph, TextLine
    from gk_extract.parse.ocr.readings import UNSURE_GLYPH_SCORE, slashes_read

    image = np.full((30, 90), 235, dtype=np.uint8)
    cv2.line(image, (14, 6), (7, 24), 60, 2)  # a slash in the first box
    cv2.line(image, (40, 6), (40, 24), 60, 2)  # an upright 1 in the third
    word = Glyph("万", 20, 3, 34, 27, 0.99)
    slanted, upright = Glyph("1", 3, 3, 18, 27, 0.6), Glyph("1", 33, 3, 48, 27, 0.6)
    lines = [TextLine((slanted, word), 0.8), TextLine((upright, word), 0.8),
             TextLine((slanted, Glyph("2", 20, 3, 34, 27, 0.99)), 0.8)]
    heads = [line.glyphs[0] for line in slashes_read(lines, image)]
    assert [g.text for g in heads] == ["1", "1", "1"]
    assert [g.score for g in heads] == [UNSURE_GLYPH_SCORE, 0.6, 0.6]


def test_faint_column_rulings_beside_bold_text_are_carried_to_the_row_under() -> None:
    """A section 四 table scanned at 100 dpi (grey, JPEG): the sub-header row's column
    rulings are faint beside its bold glyphs, and thresholding keeps only their top
    pieces, which cross one ruling. Each is carried on down to the row's bottom, where the
    image shows it, instead of being dropped."""
    crop = cv2.imread(str(Path(__file__).parent / "fixtures" / "scan_faint_subheader.png"),
                      cv2.IMREAD_GRAYSCALE)
    edges = find_rulings(crop, K)
    sub_top, bottom = 55.2, 101.2  # the sub-header row (points), under 未经复议… / 复议后起诉
    inner = [e for e in edges if e.orientation == "v" and 155 < e.x0 < 430
             and e.top <= sub_top + 2 and e.bottom >= bottom - 8]
    assert len(inner) >= 5


def test_a_number_read_as_vertical_text_is_unsure() -> None:
    """A small crop taller than wide (a 5 with a ruling's piece above it) read as vertical
    text gives ``15``, its glyphs one above the other: they lose their scores. A number
    read across, and a label read down, keep theirs."""
    from gk_extract.parse.ocr.engine import Glyph, TextLine
    from gk_extract.parse.ocr.readings import UNSURE_GLYPH_SCORE, slashes_read

    image = np.full((40, 60), 235, dtype=np.uint8)
    down = TextLine((Glyph("1", 10, 5, 25, 15, 0.82), Glyph("5", 10, 15, 25, 26, 0.99)), 0.9)
    across = TextLine((Glyph("1", 10, 5, 20, 25, 0.82), Glyph("5", 20, 5, 30, 25, 0.99)), 0.9)
    label = TextLine((Glyph("结", 10, 5, 25, 18, 0.9), Glyph("果", 10, 18, 25, 31, 0.9)), 0.9)
    read = slashes_read([down, across, label], image)
    assert [g.score for g in read[0].glyphs] == [UNSURE_GLYPH_SCORE] * 2
    assert read[1] == across and read[2] == label


def test_a_seven_whose_stem_slants_is_no_slash() -> None:
    """A 7 read as ``1`` has a slanting stem, as a ``/`` has; its bar across the top tells
    it apart. A ruling's piece above a slash, a blank row away, is no bar."""
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_slanted

    seven = np.full((20, 14), 235, dtype=np.uint8)
    cv2.line(seven, (2, 3), (11, 3), 60, 2)
    cv2.line(seven, (11, 3), (5, 17), 60, 2)
    slash = np.full((20, 14), 235, dtype=np.uint8)
    cv2.line(slash, (1, 0), (13, 0), 60, 1)  # the ruling above, cut by the glyph's box
    cv2.line(slash, (10, 3), (4, 17), 60, 2)
    assert not is_slanted(Glyph("1", 0, 0, 14, 20, 0.66), seven)
    assert is_slanted(Glyph("1", 0, 0, 14, 20, 0.9), slash)


def test_a_steep_narrow_slash_has_no_bar() -> None:
    """A steep slash four pixels wide: its top rows span most of its width, and are still
    no wider than its stroke, so no 7's bar."""
    from gk_extract.parse.ocr.engine import Glyph
    from gk_extract.parse.ocr.readings import is_slanted

    image = np.full((25, 13), 235, dtype=np.uint8)
    for y, x in ((4, 7), (5, 7), (6, 6), (7, 6), (8, 6), (9, 6), (10, 5), (11, 5), (12, 5),
                 (13, 5), (14, 5)):
        image[y, x:x + 2] = 60
    image[6, 8] = image[10, 7] = 60
    assert is_slanted(Glyph("1", 0, 0, 13, 25, 0.97), image)


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_column_rulings_at_the_top_of_a_band_stay_beside_glyphs_set_against_them() -> None:
    """A tall screenshot is read in bands cut at a row's ruling: the rows at a band's top
    have column rulings no longer than their rows, with nothing above them in the band. A
    无 set flush against such a ruling touches it, as 行 touches its own left stem taken for
    a ruling; the ruling is kept, since it reaches the image's edge and may go on beyond."""
    from PIL import Image, ImageDraw, ImageFont

    from gk_extract.parse.ocr.page import read_page_image

    font_path = _cjk_font()
    if font_path is None:
        pytest.skip("no Noto CJK font (make installs fonts-noto-cjk)")
    image = Image.fromarray(table_image(2, noise=3.0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), 17)
    for r in range(2):
        for c in range(1, len(COLS) - 1):
            draw.text((COLS[c] + 2, TOP + r * ROW_PX + ROW_PX // 2), "无", fill=30, font=font,
                      anchor="lm")
    band = np.asarray(image)[TOP - 1:]  # the band starts on the table's top ruling
    page = read_page_image(band, DPI, 1)
    first_row = [c for p in page.parts for c in p.cells if c.top < ROW_PX * K / 2]
    assert sorted(c.text for c in first_row if c.x0 > COLS[1] * K - 3) == ["无"] * 3


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_brackets_read_beside_cjk_text_are_the_full_width_ones_printed() -> None:
    """The recogniser reads （一） as ``(一)``; the page printed the full-width brackets, and
    a section's text must begin as printed."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from gk_extract.parse.ocr.document import parse_image

    font_path = _cjk_font()
    if font_path is None:
        pytest.skip("no Noto CJK font (make installs fonts-noto-cjk)")
    image = Image.new("L", (1240, 300), 255)
    font = ImageFont.truetype(str(font_path), 26)
    ImageDraw.Draw(image).text((80, 120), "（一）存在的主要问题，政策解读形式不够丰富。", fill=20,
                                font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(150, 150))
    [paragraph] = parse_image(buffer.getvalue()).paragraphs
    assert "".join(paragraph.text.split()).startswith("（一）存在的主要问题，")
