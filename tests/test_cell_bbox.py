"""Each cell's box on its page (``Cell.bbox``, ``cells.parquet`` ``bbox``) holds its text.

* Reports printed by LibreOffice (ruled tables, and one without borders: aligned tables),
  and the real hzq2024.pdf, whose tables run on across pages: for every numeric cell, the
  text pdfplumber finds within its box, and PDFium within the same box, is the cell's raw
  text.
* The same report with its pages drawn sideways and set upright again by ``/Rotate 90``,
  under a crop box: the cells come back with their boxes moved by the crop, and the page as
  pypdfium2 renders it shows in each box what the plain page shows in its own.
* A scan: a printed page rendered to PNG, skewed, and stored sideways with an EXIF
  orientation that turns it back, read by OCR (one page; slow): each cell's box, in the
  pixels of the image as stored, is where the printed cell lies on it, within a few pixels.
* The geometry ``ocr/frame.py`` composes, against Pillow's, NumPy's and OpenCV's own turns,
  and where a scanned PDF page's own image lies on the page.
* The column in cells.parquet and the round trip through a saved part.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pyarrow as pa
import pyarrow.parquet as pq
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import sample
from pdf_corpus import require_soffice
from PIL import Image, ImageOps

from gk_extract.export.tables import table_files, write_dataset
from gk_extract.models import BBox, Report
from gk_extract.normalize.codepoints import unify_lookalikes
from gk_extract.parse import parse_document
from gk_extract.parse.ocr.engine import ocr_available
from gk_extract.parse.ocr.frame import (
    exif_turn,
    map_box,
    point,
    quarter_turns,
    straight_to_source,
)
from gk_extract.parse.ocr.rulings import skew_matrix
from gk_extract.pipeline import parts
from gk_extract.template.match import Source, build_report
from gk_extract.testing.corpora import OFFICE_JOBS, random_reports, render_all, without_borders
from gk_extract.testing.synth.office import convert_many

NUMERIC = ("number", "zero")
PRINTED_SEED = 20_511
# The scan: rendered at SCAN_DPI, turned SCAN_SKEW_DEG counter-clockwise (Pillow), stored
# with EXIF orientation 8 (shown turned a quarter counter-clockwise). OCR boxes come from
# the rulings it finds in the image; the printed boxes from the text layer: they agree to
# ~2 px at 150 dpi, skew and turns undone.
SCAN_DPI = 150
SCAN_SKEW_DEG = 1.2
SCAN_TOLERANCE_PX = 4.0
# The sideways-and-upright pages: crop box inset (points; whole pixels at RENDER_SCALE).
CROP_LEFT, CROP_BOTTOM = 20.0, 30.0
RENDER_SCALE = 2.0


def flat(text: str) -> str:
    return "".join(unify_lookalikes(text).split())


def report_of(data: bytes, name: str) -> Report:
    return build_report(parse_document(data, "pdf"), Source("0" * 64, name, "pdf"))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Two reports printed by LibreOffice with ruled tables, one without any borders."""
    require_soffice()
    work = tmp_path_factory.mktemp("bbox")
    ruled, plain = random_reports(3, PRINTED_SEED)[:2], random_reports(1, PRINTED_SEED + 1)
    docx = render_all(work / "docx", ruled) + render_all(work / "docx", plain, prefix="b",
                                                         edit=without_borders)
    return [p.read_bytes() for p in convert_many(docx, "pdf", work / "pdf", jobs=OFFICE_JOBS)]


def assert_boxes_hold_their_text(data: bytes, report: Report) -> list[str]:
    """Every numeric cell has a box whose text (pdfplumber's and PDFium's) is its own; the
    cells' sources refs, for what the caller wants to know of them."""
    numeric = [c for c in report.cells if c.value.kind in NUMERIC]
    assert numeric, "no numeric cell to check"
    assert [c.key for c in numeric if c.bbox is None] == []
    pdf = pdfium.PdfDocument(data)
    wrong = []
    with pdfplumber.open(io.BytesIO(data)) as plumbed:
        for cell in numeric:
            assert cell.bbox is not None and cell.page is not None
            x0, top, x1, bottom = cell.bbox
            plumber = plumbed.pages[cell.page - 1].within_bbox(cell.bbox).extract_text()
            page = pdf[cell.page - 1]
            left, _, _, ceiling = page.get_bbox()
            textpage = page.get_textpage()
            pdfium_text = textpage.get_text_bounded(left + x0, ceiling - bottom, left + x1,
                                                    ceiling - top)
            if flat(plumber) != flat(cell.value.raw) or flat(pdfium_text) != flat(cell.value.raw):
                wrong.append(f"{cell.key} {cell.source_ref} {cell.bbox}: {cell.value.raw!r} "
                             f"printed; {plumber!r} (pdfplumber), {pdfium_text!r} (PDFium)")
    pdf.close()
    assert not wrong, f"{len(wrong)} boxes do not hold their text:\n" + "\n".join(wrong[:10])
    return [c.source_ref for c in numeric]


def pages_per_table(refs: Sequence[str]) -> Counter[str]:
    """How many pages each table's checked cells lie on, by table (``p3 table2 r5 c1``, or
    ``p3 aligned-s3 r5 c1``: section 三 rebuilt by the alignment stage)."""
    pages: dict[str, set[str]] = {}
    for ref in refs:
        match = re.match(r"p(\d+) (?:ocr-)?(table\d+|aligned-s\d)", ref)
        assert match, ref
        pages.setdefault(match[2], set()).add(match[1])
    return Counter({table: len(found) for table, found in pages.items()})


# --------------------------------------------------------------------------- text layer


def test_printed_cells_boxes_hold_their_text(printed: list[bytes]) -> None:
    split = 0
    methods = set()
    for index, data in enumerate(printed):
        report = report_of(data, f"printed{index}.pdf")
        refs = assert_boxes_hold_their_text(data, report)
        split += sum(n > 1 for n in pages_per_table(refs).values())
        methods |= {c.method for c in report.cells if c.value.kind in NUMERIC}
    assert methods == {"ruled", "aligned"}
    assert split, "no table of the printed reports runs on across a page break"


def test_hzq2024_boxes_hold_their_text_across_page_breaks() -> None:
    data = sample("hzq2024.pdf").read_bytes()
    refs = assert_boxes_hold_their_text(data, report_of(data, "hzq2024.pdf"))
    assert max(pages_per_table(refs).values()) > 1, "the split tables' cells were not checked"


def sideways_upright(data: bytes) -> bytes:
    """The PDF with each page's content drawn a quarter turn counter-clockwise on a
    landscape page that ``/Rotate 90`` shows upright again, under a crop box inset by
    CROP_LEFT and CROP_BOTTOM (as a landscape page's user space has them)."""
    pdf = pdfium.PdfDocument(data)
    for index in range(len(pdf)):
        page = pdf[index]
        left, bottom, right, top = page.get_mediabox()
        width, height = right - left, top - bottom
        turn = pdfium_c.FS_MATRIX(0, 1, -1, 0, height, 0)  # (x, y) -> (height - y, x)
        assert pdfium_c.FPDFPage_TransFormWithClip(page.raw, turn, None)
        page.set_mediabox(0, 0, height, width)
        page.set_cropbox(CROP_LEFT, CROP_BOTTOM, height, width)
        page.set_rotation(90)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def test_rotated_cropped_page_boxes_are_where_pdfium_draws_them(printed: list[bytes]) -> None:
    data = printed[0]
    turned = sideways_upright(data)
    plain_doc, turned_doc = parse_document(data, "pdf"), parse_document(turned, "pdf")
    plain = {c.ref: c for t in plain_doc.tables for c in t.cells}
    moved = {c.ref: c for t in turned_doc.tables for c in t.cells}
    assert plain.keys() == moved.keys()
    assert all(plain[ref].text == moved[ref].text for ref in plain)
    # shown upright, the landscape crop box's bottom and left are the page's left and top
    for ref, cell in plain.items():
        if cell.bbox is None:  # a cell mended across a page break
            assert moved[ref].bbox is None, ref
            continue
        x0, top, x1, bottom = cell.bbox
        want = (x0 - CROP_BOTTOM, top - CROP_LEFT, x1 - CROP_BOTTOM, bottom - CROP_LEFT)
        assert moved[ref].bbox == pytest.approx(want, abs=0.02), ref
    digits = [c for c in plain.values() if c.text.strip().isdigit()]
    page = Counter(c.page or 0 for c in digits).most_common(1)[0][0]
    assert_same_pixels(data, turned, [(c.bbox, moved[c.ref].bbox) for c in digits
                                      if c.page == page], page)


def assert_same_pixels(plain: bytes, turned: bytes, boxes: list[tuple[BBox | None, BBox | None]],
                       page: int) -> None:
    """Each pair of boxes frames the same ink on the two PDFs' pages rendered by pypdfium2."""
    images = []
    for data in (plain, turned):
        pdf = pdfium.PdfDocument(data)
        bitmap = pdf[page - 1].render(scale=RENDER_SCALE, grayscale=True)
        images.append(np.asarray(bitmap.to_pil().convert("L"), dtype=np.int16))
        pdf.close()
    for a, b in boxes:
        assert a is not None and b is not None
        crops = [image[round(box[1] * RENDER_SCALE):round(box[3] * RENDER_SCALE),
                       round(box[0] * RENDER_SCALE):round(box[2] * RENDER_SCALE)]
                 for image, box in zip(images, (a, b))]
        assert crops[0].shape == crops[1].shape
        assert (crops[0] < 128).sum() > 0, f"no ink in {a}"
        assert np.abs(crops[0] - crops[1]).mean() < 8, (a, b)


# --------------------------------------------------------------------------- scans


@pytest.mark.skipif(not ocr_available(), reason="the [ocr] extra is not installed")
def test_scanned_cells_boxes_are_on_the_image_as_stored(printed: list[bytes]) -> None:
    whole = parse_document(printed[0], "pdf")
    number = Counter(c.page or 0 for t in whole.tables for c in t.cells).most_common(1)[0][0]
    data = one_page(printed[0], number)  # alone, no cell of it is mended with another page's
    printed_boxes = [c.bbox for t in parse_document(data, "pdf").tables for c in t.cells
                     if c.bbox is not None]
    png, expected = scan_of(data, 1, printed_boxes)

    scanned = parse_document(png, "image")
    assert scanned.meta.get("ocr_turned_deg") == "1:90", scanned.meta
    boxes = [c.bbox for t in scanned.tables for c in t.cells if c.text.strip() and c.bbox]
    assert len(boxes) >= len(printed_boxes) // 2, "the scan's tables were not read"
    errors = [min(max(abs(u - v) for u, v in zip(box, want)) for want in expected)
              for box in boxes]
    far = [(box, round(e, 1)) for box, e in zip(boxes, errors) if e > SCAN_TOLERANCE_PX]
    assert not far, f"{len(far)} of {len(boxes)} boxes off the printed cells: {far[:5]}"


def one_page(data: bytes, number: int) -> bytes:
    pdf, out = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    out.import_pages(pdf, [number - 1])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def scan_of(data: bytes, number: int, boxes: Sequence[BBox]) -> tuple[bytes, list[BBox]]:
    """Page ``number`` as a skewed PNG stored sideways (EXIF), and where each printed box
    lies on its pixels as stored: the box scaled, then turned with the page about its
    centre (the box around the turned box)."""
    pdf = pdfium.PdfDocument(data)
    page = pdf[number - 1].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    skewed = page.rotate(SCAN_SKEW_DEG, resample=Image.Resampling.BILINEAR, fillcolor=255)
    exif = Image.Exif()
    exif[0x0112] = 8  # shown turned a quarter counter-clockwise: sideways
    out = io.BytesIO()
    skewed.save(out, "PNG", exif=exif, dpi=(SCAN_DPI, SCAN_DPI))
    angle = math.radians(SCAN_SKEW_DEG)
    cx, cy = skewed.width / 2, skewed.height / 2
    # Pillow turns counter-clockwise as shown (y down): this is where a point goes
    turn = (math.cos(angle), math.sin(angle), cx - cx * math.cos(angle) - cy * math.sin(angle),
            -math.sin(angle), math.cos(angle), cy + cx * math.sin(angle) - cy * math.cos(angle))
    s = SCAN_DPI / 72
    return out.getvalue(), [map_box(turn, (b[0] * s, b[1] * s, b[2] * s, b[3] * s))
                            for b in boxes]


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_turn_is_what_pillow_shows(orientation: int) -> None:
    stored = Image.new("L", (30, 20), 255)
    stored.putpixel((4, 7), 0)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "PNG", exif=exif)
    shown = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(out.getvalue()))))
    (y,), (x,) = np.nonzero(shown == 0)
    assert point(exif_turn(orientation, 30, 20), 4.5, 7.5) == pytest.approx((x + 0.5, y + 0.5))


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_quarter_turns_are_what_numpy_does(degrees: int) -> None:
    image = np.full((20, 30), 255, np.uint8)
    image[7, 4] = 0
    turned = np.rot90(image, -degrees // 90)
    (y,), (x,) = np.nonzero(turned == 0)
    assert point(quarter_turns(30, 20, degrees), 4.5, 7.5) == pytest.approx((x + 0.5, y + 0.5))


@pytest.mark.parametrize(("skew", "turned"), [(0.0, 0), (1.5, 90), (-2.0, 270), (0.7, 180)])
def test_straight_points_map_back_onto_the_image_read(skew: float, turned: int) -> None:
    """A dot deskewed by OpenCV and turned by NumPy, as OCR does, found again on the image
    read from where the straight page has it."""
    image = np.full((300, 400), 255, np.uint8)
    cv2.circle(image, (123, 87), 4, 0, -1)
    matrix = skew_matrix(400, 300, skew)
    straight = cv2.warpAffine(image, matrix, (400, 300), borderValue=255) if skew else image
    straight = np.rot90(straight, -turned // 90)
    ys, xs = np.nonzero(straight < 128)
    k = 72 / 150  # points of the straight page per pixel (centres, as OCR lays them out)
    mapping = straight_to_source((400, 300), matrix.ravel() if skew else None, turned, k,
                                 (1.0, 0.0, 0.0, 0.0, 1.0, 0.0))
    x, y = point(mapping, xs.mean() * k, ys.mean() * k)
    assert (x, y) == pytest.approx((123.5, 87.5), abs=0.6)


def test_scanned_pdf_page_image_lies_where_it_is_drawn() -> None:
    """A scan's own image, placed off the page's corner under a crop box, read at its own
    resolution: its pixels map onto the page's points where PDFium draws it."""
    from gk_extract.parse.ocr.document import _page_pixels

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(520, 760)
    image = pdfium.PdfImage.new(pdf)
    pixels = np.full((740, 500), 255, np.uint8)
    pixels[100:110, 200:220] = 0
    image.set_bitmap(pdfium.PdfBitmap.from_pil(Image.fromarray(pixels)))
    image.set_matrix(pdfium.PdfMatrix().scale(500, 740).translate(12, 10))
    page.insert_obj(image)
    page.gen_content()
    page.set_cropbox(2, 0, 520, 755)
    read, _, mapping = _page_pixels(page)
    assert read.shape == (740, 500)
    # x from the crop box's left (12 - 2), y from its top (755 - (10 + 740))
    assert map_box(mapping, (200, 100, 220, 110)) == pytest.approx((210, 105, 230, 115))
    rendered = np.asarray(page.render(scale=1).to_pil().convert("L"))
    assert rendered[105:115, 210:230].mean() < 60 and rendered[95:100, 210:230].min() > 200
    pdf.close()


# --------------------------------------------------------------------------- dataset


def test_bbox_column_and_saved_parts(printed: list[bytes], tmp_path: Path) -> None:
    report = report_of(printed[0], "printed0.pdf")
    first = report.cells[0]
    report = replace(report, cells=(replace(first, bbox=None), *report.cells[1:]))
    assert parts.decode(parts.encode(report)) == report
    write_dataset([report], tmp_path)
    (part,) = table_files(tmp_path, "cells")
    cells = pq.read_table(part)
    assert cells.schema.field("bbox").type == pa.list_(pa.float32())
    rows = {r["key"]: r["bbox"] for r in cells.select(["key", "bbox"]).to_pylist()}
    assert rows[first.key] is None
    for cell in report.cells[1:]:
        assert cell.bbox is not None
        assert rows[cell.key] == pytest.approx(cell.bbox, abs=1e-3)
