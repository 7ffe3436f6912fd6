"""OCR: scanned and pictured reports come out of the same pipeline, into the same cells.

These tests run the real engine (RapidOCR on onnxruntime, the ``[ocr]`` extra); they are
skipped, saying so, only where the extra is not installed. Fixtures are rendered here from
the real sample (hzq2024.pdf) and from LibreOffice-printed synthetic reports, degraded like
scans by ``ocr_scans``.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pypdfium2 as pdfium
import pytest
from conftest import sample
from fetch_sites import article, crawl, listing, serve, write_sources
from ocr_scans import (
    Degradation,
    degrade,
    docx_with_images,
    html_with_images,
    image_pdf,
    outlined_pdf,
    scan_pages,
    searchable_pdf,
)
from pdf_corpus import pdf_corpus
from PIL import Image

from gk_extract.models import Document, Report
from gk_extract.parse import parse_document
from gk_extract.parse.ocr.engine import OcrUnavailable, choose_provider, ocr_available
from gk_extract.pipeline import Settings, extract_bytes, extract_one, extract_paths
from gk_extract.template.match import Source, build_report
from gk_extract.testing.loopback import Resource
from gk_extract.testing.synth import SyntheticReport

requires_ocr = pytest.mark.skipif(
    not ocr_available(), reason="the [ocr] extra is not installed: pip install -e '.[ocr]'")

# Generated scans checked here (the large measurement is in the final report of the work).
SCAN_COUNT = 3
SCAN_SEED = 4711
# Share of template cells that must come back right from the generated scans (the goal; a
# 40-report run and a 200-report run are in benchmarks/ocr_accuracy.py's figures).
SCAN_CELL_FLOOR = 0.99


def extract(data: bytes, name: str = "scan") -> Report:
    return extract_bytes(data, name, hashlib.sha256(data).hexdigest(), timeout_s=600)


def wrong_cells(report: Report, expected: dict[str, float | None]) -> dict[str, str]:
    """Template cells whose value differs from the expected one, with how each is flagged."""
    got = {c.key: c for c in report.cells if c.table != "extra"}
    out = {}
    for key, want in expected.items():
        cell = got.get(key)
        if cell is None or cell.value.value != want:
            out[key] = "missing" if cell is None else "doubtful" if cell.doubtful else "unflagged"
    return out


# --------------------------------------------------------------------------- routing


def test_scan_without_ocr_extra_fails_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gk_extract.parse.ocr.engine.ocr_available", lambda: False)
    png = io.BytesIO()
    Image.new("L", (800, 1100), 255).save(png, "PNG")
    with pytest.raises(OcrUnavailable, match=r"pip install 'gk-extract\[ocr\]'"):
        parse_document(png.getvalue())


CUDA_AND_CPU = ["CUDAExecutionProvider", "CPUExecutionProvider"]


@pytest.mark.parametrize(("available", "device", "setting", "chosen"), [
    (CUDA_AND_CPU, "GPU", "auto", "CUDAExecutionProvider"),
    (CUDA_AND_CPU, "GPU", "", "CUDAExecutionProvider"),  # GK_EXTRACT_OCR_DEVICE= (empty)
    (CUDA_AND_CPU, "GPU", "CPU", "CPUExecutionProvider"),  # forced, whatever the case
    (CUDA_AND_CPU, "CPU", "auto", "CPUExecutionProvider"),  # onnxruntime-gpu, no device
    (["CPUExecutionProvider"], "GPU", "auto", "CPUExecutionProvider"),  # no CUDA build
])
def test_ocr_runs_on_cuda_only_when_there_and_allowed(available: list[str], device: str,
                                                      setting: str, chosen: str) -> None:
    assert choose_provider(available, device, setting) == chosen


def test_unknown_ocr_device_setting_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GK_EXTRACT_OCR_DEVICE='gpu0'"):
        choose_provider(CUDA_AND_CPU, "GPU", "gpu0")


@requires_ocr
def test_scan_names_the_ocr_engine_and_provider(hzq_doc: Document) -> None:
    assert hzq_doc.converter is not None and "CPUExecutionProvider" in hzq_doc.converter


@pytest.fixture(scope="module")
def hzq_pages() -> list[Image.Image]:
    """hzq2024.pdf's pages rasterised at 150 dpi."""
    pdf = pdfium.PdfDocument(sample("hzq2024.pdf").read_bytes())
    return [pdf[i].render(scale=150 / 72).to_pil().convert("L") for i in range(len(pdf))]


@pytest.fixture(scope="module")
def hzq_doc(hzq_pages: list[Image.Image]) -> Document:
    """The image-only PDF of hzq2024 at 150 dpi, parsed (once for the module: OCR is slow)."""
    if not ocr_available():
        pytest.skip("the [ocr] extra is not installed: pip install -e '.[ocr]'")
    return parse_document(image_pdf(hzq_pages, 150))


@requires_ocr
def test_hzq2024_scan_gives_the_text_pdfs_cells(hzq_doc: Document) -> None:
    text = extract(sample("hzq2024.pdf").read_bytes(), "hzq2024.pdf")
    scan = build_report(hzq_doc, Source("0" * 64, "hzq2024_scan.pdf", "pdf"))
    assert scan.ocr and scan.format == "pdf" and scan.status == "ok", scan.error
    assert (scan.agency, scan.year, scan.template) == (text.agency, text.year, text.template)
    assert [s.key for s in scan.sections] == [s.key for s in text.sections]
    for read, printed in zip(scan.sections, text.sections):  # each begins as printed
        assert "".join(read.text.split())[:12] == "".join(printed.text.split())[:12]
    wrong = wrong_cells(scan, {c.key: c.value.value for c in text.cells if c.table != "extra"})
    assert len(wrong) <= 0.01 * len(text.cells), wrong
    assert "unflagged" not in wrong.values(), wrong


@requires_ocr
@pytest.mark.parametrize("make", [outlined_pdf, searchable_pdf], ids=["outlines", "searchable"])
def test_pdf_of_outlines_or_a_searchable_scan_is_read_by_ocr(make) -> None:  # type: ignore[no-untyped-def]
    """hzq2024 with every glyph drawn as a filled outline and no text left, or as a scan with
    its text kept invisible over the picture (another program's OCR layer, without the
    rulings): each page is read by OCR, into the text PDF's cells and sections."""
    data = sample("hzq2024.pdf").read_bytes()
    text = extract(data, "hzq2024.pdf")
    read = extract(make(data), "hzq2024_made.pdf")
    assert read.ocr and read.status == "ok", read.error
    assert (read.agency, read.year) == (text.agency, text.year)
    for got, printed in zip(read.sections, text.sections, strict=True):
        assert "".join(got.text.split())[:12] == "".join(printed.text.split())[:12]
    wrong = wrong_cells(read, {c.key: c.value.value for c in text.cells if c.table != "extra"})
    assert len(wrong) <= 0.01 * len(text.cells), wrong
    assert "unflagged" not in wrong.values(), wrong


@requires_ocr
def test_ocr_cells_carry_method_and_confidence(hzq_doc: Document) -> None:
    doc = hzq_doc
    assert doc.ocr and doc.unreadable_pages == ()
    cells = [c for t in doc.tables for c in t.cells]
    assert cells and all(c.method == "ocr" and c.confidence is not None for c in cells)
    assert all(0.0 <= (c.confidence or 0) <= 1.0 for c in cells)
    assert all(" ocr-table" in c.ref for c in cells)


@requires_ocr
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_standalone_image_is_read_whichever_way_up(hzq_pages: list[Image.Image], turn: int) -> None:
    png = io.BytesIO()
    page = hzq_pages[2].rotate(-turn, expand=True)  # the page of sections 二 (end) and 三
    page.save(png, "PNG", dpi=(150, 150))
    doc = parse_document(png.getvalue())
    assert doc.format == "image" and doc.ocr
    assert doc.meta.get("ocr_turned_deg") == (f"1:{(360 - turn) % 360}" if turn else None)
    labels = {c.text for t in doc.tables for c in t.cells}
    assert {"行政处罚", "自然人", "总计"} <= labels
    assert any(p.text.startswith("三、") for p in doc.paragraphs)


@requires_ocr
def test_faint_scan_reads_like_a_dark_one(hzq_pages: list[Image.Image]) -> None:
    def values(page: Image.Image) -> dict[str, float | None]:
        png = io.BytesIO()
        page.save(png, "PNG", dpi=(150, 150))
        report = build_report(parse_document(png.getvalue()), Source("0" * 64, "p.png", "image"))
        return {c.key: c.value.value for c in report.cells}

    page = hzq_pages[2]  # section 三's table, most of it
    how = Degradation(150, 0.4, 0.6, 6.0, 60)
    dark = degrade(page, how, np.random.default_rng(1))
    faint = degrade(page, replace(how, contrast=0.3), np.random.default_rng(1))
    expected = values(dark)
    assert len(expected) > 80 and values(faint) == expected


# --------------------------------------------------------------------------- generated scans


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[Image.Image], int, SyntheticReport]]:
    if not ocr_available():
        pytest.skip("the [ocr] extra is not installed: pip install -e '.[ocr]'")
    corpus = pdf_corpus(tmp_path_factory.mktemp("ocr"), SCAN_COUNT, SCAN_SEED)
    out = []
    for index, (data, truth) in enumerate(corpus):
        how = Degradation.draw(random.Random(SCAN_SEED * 1000 + index))
        out.append((scan_pages(data, how, seed=index), how.dpi, truth))
    return out


@requires_ocr
def test_generated_scans_round_trip(scans: list[tuple[list[Image.Image], int, SyntheticReport]]) -> None:
    total = wrong = 0
    unflagged: list[str] = []
    for pages, dpi, truth in scans:
        report = extract(image_pdf(pages, dpi))
        assert report.ocr and report.template == truth.template
        assert (report.agency, report.year) == (truth.agency, truth.year)
        bad = wrong_cells(report, truth.expected)
        total += len(truth.expected)
        wrong += len(bad)
        unflagged += [k for k, how in bad.items() if how == "unflagged"]
    assert 1 - wrong / total >= SCAN_CELL_FLOOR, (wrong, total, unflagged)
    assert len(unflagged) <= 1, unflagged


@requires_ocr
def test_html_with_image_tables(scans: list[tuple[list[Image.Image], int, SyntheticReport]],
                                tmp_path: Path) -> None:
    pages, _, truth = scans[0]
    report = extract(html_with_images(pages))
    assert report.ocr and report.template == truth.template
    bad = wrong_cells(report, truth.expected)
    assert len(bad) <= 0.01 * len(truth.expected), bad


@requires_ocr
def test_html_with_one_tall_picture_of_the_whole_report(
        scans: list[tuple[list[Image.Image], int, SyntheticReport]]) -> None:
    """A 图片版 page whose body is one picture of every page stacked (a long screenshot): it
    is read in bands, as an image file is, not shrunk whole to the detector's size."""
    pages, _, truth = scans[0]
    tall = Image.new("L", (pages[0].width, sum(p.height for p in pages)), 255)
    for i, page in enumerate(pages):
        tall.paste(page, (0, sum(p.height for p in pages[:i])))
    report = extract(html_with_images([tall]))
    assert report.ocr and report.template == truth.template
    bad = wrong_cells(report, truth.expected)
    assert len(bad) <= 0.01 * len(truth.expected), bad


@requires_ocr
def test_word_report_of_pictured_pages_is_read_from_its_pictures(
        scans: list[tuple[list[Image.Image], int, SyntheticReport]], tmp_path: Path) -> None:
    """A report typed in Word as pictures of its pages: the pictures are read from the
    document's own package, as a .docx and as the .doc LibreOffice saves it."""
    from pdf_corpus import require_soffice

    from gk_extract.testing.synth.office import convert_many

    pages, _, truth = scans[0]
    data = docx_with_images(pages)
    report = extract(data, "report.docx")
    assert report.ocr and report.format == "docx" and report.template == truth.template
    bad = wrong_cells(report, truth.expected)
    assert len(bad) <= 0.01 * len(truth.expected), bad
    require_soffice()
    (tmp_path / "report.docx").write_bytes(data)
    [doc] = convert_many([tmp_path / "report.docx"], "doc", tmp_path / "doc")
    old = extract(doc.read_bytes(), "report.doc")
    assert old.ocr and old.format == "doc", old.error
    assert wrong_cells(old, truth.expected) == bad


@requires_ocr
def test_text_pdf_with_tables_pasted_as_pictures_reads_them(
        scans: list[tuple[list[Image.Image], int, SyntheticReport]], tmp_path: Path) -> None:
    """A report typed in Word with its pages pasted in as pictures beside typed text, printed
    to PDF: the text layer is read as text, and each picture no text lies on is read by
    OCR when it holds a ruled table."""
    from pdf_corpus import require_soffice

    from gk_extract.testing.synth.office import convert_many

    require_soffice()
    pages, _, truth = scans[0]
    (tmp_path / "report.docx").write_bytes(
        docx_with_images(pages, truth.title, truth.preamble, width_cm=11.0))
    [pdf] = convert_many([tmp_path / "report.docx"], "pdf", tmp_path / "pdf")
    document = parse_document(pdf.read_bytes())
    assert document.pictures and document.ocr and not document.unreadable_pages
    assert truth.preamble[:20] in "".join(p.text for p in document.paragraphs)
    report = extract(pdf.read_bytes(), "report.pdf")
    assert report.template == truth.template and report.agency == truth.agency
    bad = wrong_cells(report, truth.expected)
    assert len(bad) <= 0.01 * len(truth.expected), bad


@requires_ocr
def test_web_page_with_one_table_pasted_as_a_picture_reads_it(tmp_path: Path) -> None:
    """Section 三's table a screenshot, the other tables typed: the picture's table is read
    by OCR beside the typed ones, and nothing else of it is taken for the report's text."""
    from gk_extract.testing.corpora import CORPORA, missing_tool
    from gk_extract.testing.tally import Tally, compare

    corpus = CORPORA["pictured_table"]
    if (tool := missing_tool(corpus)) is not None:
        pytest.skip(f"{tool} is not installed")
    tally = Tally()
    for data, truth in corpus.build(tmp_path, 2, 2026):
        report = extract(data, "page.html")
        assert report.ocr and any(c.method == "ocr" for c in report.cells)
        assert any(c.method != "ocr" for c in report.cells)  # the typed tables' cells
        tally.add(compare(report, truth))
    assert tally.cell_share >= 0.99 and tally.unflagged == 0, tally.line("pictured_table")
    assert tally.sections_found == tally.sections, tally.line("pictured_table")


@requires_ocr
def test_saved_page_reads_the_images_beside_it_and_none_outside(
        scans: list[tuple[list[Image.Image], int, SyntheticReport]], tmp_path: Path) -> None:
    pages, _, truth = scans[0]
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "report.html").write_bytes(html_with_images(pages, folder))
    out = tmp_path / "out"
    extract_paths([folder / "report.html"], Settings(out_dir=out))
    cells = duckdb.sql(f"SELECT key, value, confidence, doubtful FROM '{out / 'cells.parquet'}'").fetchall()
    got = {key: value for key, value, _, _ in cells}
    right = sum(got.get(k) == v for k, v in truth.expected.items())
    assert right >= 0.99 * len(truth.expected)
    assert all(confidence is not None for _, _, confidence, _ in cells)
    (ocr,) = pq.read_table(out / "reports.parquet", columns=["ocr"]).column("ocr").to_pylist()
    assert ocr

    outside = tmp_path / "other"
    outside.mkdir()
    (outside / "report.html").write_bytes(
        html_with_images(pages[:1], None).replace(b"data:image/png;base64,", b"../saved/page1.png#"))
    report = extract_one(outside / "report.html")
    assert not report.ocr and not report.cells  # the image outside the page's folder is not read


@requires_ocr
def test_crawled_picture_report_is_read_through_its_stored_images(
        scans: list[tuple[list[Image.Image], int, SyntheticReport]], tmp_path: Path) -> None:
    """A 图片版 report on a CMS: the article's body is images of the pages. The crawl stores
    them beside the page, and the page comes out as one report with the tables read."""
    pages, _, truth = scans[0]
    routes: dict[str, Resource] = {}
    body = ""
    for i, page in enumerate(pages, start=1):
        png = io.BytesIO()
        page.save(png, "PNG")
        routes[f"/col/img/p{i}.png"] = Resource(png.getvalue(), "image/png")
        body += f'<p><img src="img/p{i}.png"></p>'
    name = f"{truth.agency}{truth.year}年度政府信息公开工作年度报告（图片版）"
    routes["/col/index.html"] = listing([("./t1.html", name)])
    routes["/col/t1.html"] = article(name, "2025-01-20", [], body)
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("pic", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        assert crawl(sources, store).returncode == 0
        out = tmp_path / "data"
        extract_paths([store], Settings(out_dir=out))
    finally:
        site.stop()
    (report,) = pq.read_table(out / "reports.parquet").to_pylist()  # the images are no reports
    assert report["source_url"] == site.url("/col/t1.html") and report["ocr"]
    cells = pq.read_table(out / "cells.parquet").to_pylist()
    got = {c["key"]: c["value"] for c in cells}
    assert sum(got.get(k) == v for k, v in truth.expected.items()) >= 0.99 * len(truth.expected)


@requires_ocr
def test_show_says_a_report_was_read_from_a_scan(hzq_pages: list[Image.Image], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gk_extract.cli import main

    page = tmp_path / "p3.png"
    hzq_pages[2].save(page, "PNG", dpi=(150, 150))
    shown = CliRunner().invoke(main, ["show", str(page)])
    assert shown.exit_code == 0, shown.output
    assert "read from scans" in shown.output and "doubtful cells" in shown.output
