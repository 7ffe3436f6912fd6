"""Rulings drawn the way other producers draw them, read back from a real PDF written by PDFium."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from gk_extract.parse.layout.geometry import Edge
from gk_extract.parse.pdf.rulings import read_rulings

PAGE_W, PAGE_H = 595.0, 842.0
# A grey a browser prints a 1 px table border with (0.75 pt at 96 dpi).
BORDER_GREY = 84
BORDER_PT = 0.75


def _rect_path(x: float, y: float, w: float, h: float, back_to_start: bool) -> object:
    """A filled rectangle path; ``back_to_start``: a last line drawn to the start before the
    path is closed, as Chromium writes them."""
    path = pdfium_c.FPDFPageObj_CreateNewPath(x, y)
    for px, py in ((x + w, y), (x + w, y + h), (x, y + h)):
        pdfium_c.FPDFPath_LineTo(path, px, py)
    if back_to_start:
        pdfium_c.FPDFPath_LineTo(path, x, y)
    pdfium_c.FPDFPath_Close(path)
    pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_WINDING, False)
    pdfium_c.FPDFPageObj_SetFillColor(path, BORDER_GREY, BORDER_GREY, BORDER_GREY, 255)
    return path


def _pdf_with(paths: list[tuple[float, float, float, float]], back_to_start: bool) -> bytes:
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(PAGE_W, PAGE_H)
    for x, y, w, h in paths:
        pdfium_c.FPDFPage_InsertObject(page.raw, _rect_path(x, y, w, h, back_to_start))
    assert pdfium_c.FPDFPage_GenerateContent(page.raw)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _edges(data: bytes) -> list[Edge]:
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    drawing = read_rulings(page.raw, lambda x, y: (x, PAGE_H - y), 1)
    assert drawing.warnings == []
    return drawing.edges


@pytest.mark.parametrize("back_to_start", [False, True])
def test_thin_filled_boxes_are_rulings_however_the_path_is_closed(back_to_start: bool) -> None:
    grid = [(100.0, 700.0, 300.0, BORDER_PT), (100.0, 600.0, 300.0, BORDER_PT),
            (100.0, 600.0, BORDER_PT, 100.0), (400.0, 600.0, BORDER_PT, 100.75)]
    edges = _edges(_pdf_with(grid, back_to_start))
    assert sorted(e.orientation for e in edges) == ["h", "h", "v", "v"]
    top = min((e for e in edges if e.orientation == "h"), key=lambda e: e.top)
    assert top.x0 == pytest.approx(100.0) and top.x1 == pytest.approx(400.0)
    assert top.top == pytest.approx(PAGE_H - 700.0 - BORDER_PT / 2)


def test_a_shaded_cell_gives_its_four_sides() -> None:
    edges = _edges(_pdf_with([(100.0, 600.0, 200.0, 40.0)], back_to_start=True))
    assert sorted(e.orientation for e in edges) == ["h", "h", "v", "v"]



def _trapezoid_pdf(corners: list[tuple[float, float]]) -> bytes:
    """One filled four-cornered path, not closed explicitly (a 3-D border side)."""
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(PAGE_W, PAGE_H)
    path = pdfium_c.FPDFPageObj_CreateNewPath(*corners[0])
    for x, y in corners[1:]:
        pdfium_c.FPDFPath_LineTo(path, x, y)
    pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_WINDING, False)
    pdfium_c.FPDFPageObj_SetFillColor(path, BORDER_GREY, BORDER_GREY, BORDER_GREY, 255)
    pdfium_c.FPDFPage_InsertObject(page.raw, path)
    assert pdfium_c.FPDFPage_GenerateContent(page.raw)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def test_a_mitred_border_side_is_a_ruling() -> None:
    """Browsers print an ``outset`` table border (``<table border="1">``) as four trapezoids
    mitred at the corners; each is one ruling."""
    x, top, bottom, t = 460.0, 100.0, 700.0, 0.8
    edges = _edges(_trapezoid_pdf([(x + t, top), (x + t, bottom), (x, bottom - t), (x, top + t)]))
    assert [(e.orientation, round(e.top), round(e.bottom)) for e in edges] == [
        ("v", round(PAGE_H - bottom), round(PAGE_H - top))]
