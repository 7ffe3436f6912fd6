"""Round-trip fixture sets: generated reports made into files by real tools, with their truth.

Each corpus draws random reports (every layout variant, filler paragraphs that move the
page breaks through the tables) and turns them into documents the way real reports are
made: printed by LibreOffice, printed or screenshotted by Chromium, printed and then
scanned (``scan100``), a web page with its site's chrome pictured whole (``screenshot``,
the 图片版 report), a web page with one table pasted as a picture (``pictured_table``), and
so on. Tests take a few dozen (a report or two of the pictures,
which OCR reads at seconds a page); ``benchmarks/corpora.py`` takes the full sets and prints a tally per corpus::

    for data, truth in CORPORA["chromium"].build(work_dir, count=20, seed=1):
        tally.add(compare(extract(data), truth))

A builder needs its tools (``soffice``, ``chromium``); :func:`missing_tool` says which is
absent, so a test can skip with the reason.
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from PIL import Image

from gk_extract.testing.synth import (
    STYLES,
    SyntheticReport,
    chromium,
    random_report,
    render_docx,
    render_html,
)
from gk_extract.testing.synth.office import Target, convert_many

Pair = tuple[bytes, SyntheticReport]
Builder = Callable[[Path, int, int], list[Pair]]

# Filler paragraphs per report: 0-14 moves the start of section 三 over about two pages.
MAX_FILLER = 14
# The first reports of every set force the rarer variants; the rest are drawn.
FORCED: tuple[dict[str, Any], ...] = (
    {"template": "2021", "other_single_row": True},  # the 23-row variant
    {"template": "2019"},
    {"labels_split": True, "s2_layout": "four_tables"},
    {"labels_split": True, "s4_layout": "three_tables", "extra_s2_row": True},
)
# soffice processes side by side: one per CPU, at most 4 (each takes ~150 MB).
OFFICE_JOBS = min(4, os.cpu_count() or 1)


def _layout(rng: random.Random, index: int) -> dict[str, Any]:
    template = rng.choice(["2021", "2021", "2019"])
    layout: dict[str, Any] = {
        "template": template,
        "other_single_row": template == "2019" or rng.random() < 0.3,
        "s2_layout": rng.choice(["one_table", "four_tables"]),
        "s4_layout": rng.choice(["one_table", "three_tables"]),
        "labels_split": rng.random() < 0.5,
        "extra_s2_row": rng.random() < 0.2,
        "filler_paragraphs": rng.randint(0, MAX_FILLER),
    }
    forced = FORCED[index] if index < len(FORCED) else {}
    if forced.get("template") == "2019":
        layout["other_single_row"] = True
    return layout | forced


def random_reports(count: int, seed: int) -> list[SyntheticReport]:
    """``count`` reports of random layouts; the same (count, seed) gives the same reports."""
    rng = random.Random(seed)
    return [random_report(random.Random(rng.getrandbits(32)), **_layout(rng, i))
            for i in range(count)]


def render_all(docx_dir: Path, reports: list[SyntheticReport], prefix: str = "r",
               edit: Callable[[bytes], bytes] = lambda data: data) -> list[Path]:
    """Each report as ``{prefix}{index:04d}.docx`` (after ``edit``), in ``docx_dir``."""
    docx_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, report in enumerate(reports):
        path = docx_dir / f"{prefix}{i:04d}.docx"
        path.write_bytes(edit(render_docx(report)))
        paths.append(path)
    return paths


def printed_corpus(work_dir: Path, reports: list[SyntheticReport], target: Target) -> list[Path]:
    """Render each report as DOCX, then convert them all to ``target`` in one go."""
    return convert_many(render_all(work_dir / "docx", reports), target, work_dir / target,
                        jobs=OFFICE_JOBS)


# How often a report LibreOffice leaves rows of is drawn again before it is kept as it is.
REDRAWS = 3


def printed_whole(pdf: bytes, report: SyntheticReport) -> bool:
    """True when the PDF's text holds every digit the report prints, counted as a multiset.

    LibreOffice lays out some DOCX tables whose vertically merged cells cross a page break
    without the rows between: they are in the file but on no page, and no extractor can read
    them. Digits are counted rather than numbers because a narrow cell wraps a long number.
    """
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in source)
    finally:
        source.close()
    wanted = Counter(char for line in _printed_texts(report) for char in line if char.isdigit())
    return not wanted - Counter(char for char in text if char.isdigit())


def _printed_texts(report: SyntheticReport) -> list[str]:
    return [report.title, report.preamble, report.signature, *report.headings.values(),
            *report.sections.values(), *report.cells.values(),
            *(raw for cells in report.extra_rows.values() for raw in cells)]


def libreoffice_printed(work_dir: Path, reports: list[SyntheticReport], seed: int,
                        edit: Callable[[bytes], bytes] = lambda data: data) -> list[Pair]:
    """Each report as DOCX (after ``edit``) printed to PDF by LibreOffice, with its truth.

    A report that LibreOffice does not print whole (see :func:`printed_whole`) is replaced by
    one drawn anew with the same layout, up to REDRAWS times: the corpus then measures the
    extractor, not LibreOffice's layout.
    """
    docx = render_all(work_dir / "docx", reports, edit=edit)
    pdfs = convert_many(docx, "pdf", work_dir / "pdf", jobs=OFFICE_JOBS)
    pairs = [(path.read_bytes(), report) for path, report in zip(pdfs, reports)]
    rng = random.Random(seed)
    for i, (pdf, report) in enumerate(pairs):
        for attempt in range(1, REDRAWS + 1):
            if printed_whole(pdf, report):
                break
            report = random_report(random.Random(rng.getrandbits(32)), **report.layout_flags(),
                                   template=report.template)
            redo = render_all(work_dir / "docx", [report], prefix=f"r{i:04d}-{attempt}-",
                              edit=edit)
            pdf = convert_many(redo, "pdf", work_dir / "pdf")[0].read_bytes()
        pairs[i] = (pdf, report)
    return pairs


def libreoffice_pdfs(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """Reports written as DOCX and printed to PDF by LibreOffice."""
    return libreoffice_printed(work_dir, random_reports(count, seed), seed)


# Every edge of a table and of its cells set to nil: overrides the ruled table style.
_NIL_EDGES = "".join(f'<w:{edge} w:val="nil"/>'
                     for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
_TBL_PR = re.compile(r"<w:tblPr>(<w:tblStyle [^>]*/>)?")


def with_document_xml(data: bytes, edit: Callable[[str], str]) -> bytes:
    """The DOCX ``data`` with its ``word/document.xml`` rewritten by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "word/document.xml":
                body = edit(body.decode("utf-8")).encode("utf-8")
            target.writestr(item, body)
    return out.getvalue()


def without_borders(data: bytes) -> bytes:
    """The DOCX ``data`` with no table rulings, as reports typed without borders are printed.

    The table style draws the rulings, so each table gets explicit nil borders and every
    cell's own borders are dropped.
    """
    def unruled(xml: str) -> str:
        xml = re.sub(r"<w:tcBorders>.*?</w:tcBorders>|<w:tblBorders>.*?</w:tblBorders>", "", xml)
        return _TBL_PR.sub(lambda m: m.group(0) + f"<w:tblBorders>{_NIL_EDGES}</w:tblBorders>",
                           xml)

    return with_document_xml(data, unruled)


def borderless_pdfs(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """Reports written as DOCX without any table borders, printed to PDF by LibreOffice."""
    return libreoffice_printed(work_dir, random_reports(count, seed), seed, edit=without_borders)


def html_pages(work_dir: Path, reports: list[SyntheticReport]) -> list[Path]:
    """Each report as a web page, the CMS styles and encodings taken in turn."""
    work_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, report in enumerate(reports):
        style = STYLES[i % len(STYLES)]
        encoding = ("utf-8", "gbk")[i // len(STYLES) % 2]
        path = work_dir / f"h{i:04d}.html"
        path.write_bytes(render_html(report, style, encoding))
        paths.append(path)
    return paths


def chromium_pdfs(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """The generator's web pages, every CMS style, printed to PDF by headless Chromium."""
    reports = random_reports(count, seed)
    pdfs = chromium.print_pdfs(html_pages(work_dir / "html", reports), work_dir / "pdf")
    return [(path.read_bytes(), report) for path, report in zip(pdfs, reports)]


# Each cell of a ruled table (not the page's layout table) draws its own top and left
# rulings (a header row its bottom one too), the table its right and bottom ones: a row
# carried to the next page takes its top ruling with it, so the last row on a page has no
# ruling under it and its side rulings end in the open (what WPS exports show at a break).
_RULED_ON_TOP = (b"<style>table[border]:not([border='0']){border-collapse:separate!important;"
                 b"border-spacing:0!important;border:none!important;"
                 b"border-right:1px solid #000!important;border-bottom:1px solid #000!important}"
                 b"table[border]:not([border='0'])>*>tr>:is(td,th){border:none!important;"
                 b"border-top:1px solid #000!important;border-left:1px solid #000!important}"
                 b"table[border]:not([border='0'])>thead>tr>:is(td,th){"
                 b"border-bottom:1px solid #000!important}</style></head>")


def pagebreak_pdfs(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """Web pages whose cells rule only their tops, printed to PDF by headless Chromium: every
    table cut by a page break lacks the ruling at the cut."""
    reports = random_reports(count, seed)
    pages = html_pages(work_dir / "html", reports)
    for page in pages:
        page.write_bytes(page.read_bytes().replace(b"</head>", _RULED_ON_TOP, 1))
    pdfs = chromium.print_pdfs(pages, work_dir / "pdf")
    return [(path.read_bytes(), report) for path, report in zip(pdfs, reports)]


# Scans as the cheapest office scanners make them: 100 dpi grey, JPEG quality 50-60, each
# page tilted by about a degree (the sheet laid on the glass by hand), either way.
SCAN_DPI = 100
SCAN_JPEG_QUALITY = (50, 60)
SCAN_TILT_DEG = (0.7, 1.3)


def scan_of(pdf: bytes, rng: random.Random) -> bytes:
    """The pages of ``pdf`` rasterised at SCAN_DPI in grey, each tilted and saved as a JPEG,
    wrapped as an image-only PDF (the JPEG bytes as they are, one page each)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    try:
        pages = [source[i].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
                 for i in range(len(source))]
    finally:
        source.close()
    quality = rng.randint(*SCAN_JPEG_QUALITY)
    jpegs = []
    for page in pages:
        tilt = rng.uniform(*SCAN_TILT_DEG) * rng.choice((-1, 1))
        page = page.rotate(tilt, resample=Image.Resampling.BILINEAR, fillcolor=255)
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=quality)
        jpegs.append(buffer.getvalue())
    return jpeg_pdf(jpegs, SCAN_DPI)


def jpeg_pdf(jpegs: list[bytes], dpi: int) -> bytes:
    """An image-only PDF whose pages are the JPEGs, embedded without re-encoding."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    try:
        for data in jpegs:
            width, height = Image.open(io.BytesIO(data)).size
            w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
            page = pdf.new_page(w_pt, h_pt)
            image = pdfium.PdfImage.new(pdf)
            image.load_jpeg(io.BytesIO(data), inline=True)
            image.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt))
            page.insert_obj(image)
            page.gen_content()
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def scan100(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """Reports printed to PDF (even ones as DOCX by LibreOffice, odd ones as web pages by
    Chromium), then scanned: 100 dpi grey JPEG pages, tilted about a degree."""
    reports = random_reports(count, seed)
    office = libreoffice_printed(work_dir, reports[0::2], seed)
    web = reports[1::2]
    pages = chromium.print_pdfs(html_pages(work_dir / "html", web), work_dir / "pdf-web")
    browser = [(path.read_bytes(), report) for path, report in zip(pages, web)]
    printed = [pair for pairs in zip(office, browser) for pair in pairs] + office[len(browser):]
    rng = random.Random(seed)
    return [(scan_of(pdf, rng), report) for pdf, report in printed]


# What a government site draws around an article in a browser: a banner with the site's name,
# a navigation bar, a side menu of the disclosure columns (one of them the reports' own, in
# the same words as the reports' titles), the breadcrumb and a footer. The CMS pages carry the
# markup of some of it; the stylesheet they link is not there, so it is given inline.
_CHROME_CSS = (
    "<style>body{margin:0;font-family:sans-serif;background:#fff}"
    ".gk-banner{background:#b5121b;color:#fff;padding:18px 40px;font-size:30px;font-weight:bold}"
    ".gk-banner small{display:block;font-size:14px;font-weight:normal}"
    ".header{background:#1d4f91;padding:0 40px}.header .logo{display:none}"
    ".nav{margin:0;padding:0;list-style:none;overflow:hidden}"
    ".nav li{float:left;padding:10px 22px}.nav a{color:#fff;text-decoration:none;font-size:17px}"
    ".breadcrumb{padding:8px 40px;color:#555;font-size:13px}"
    ".gk-side{float:left;width:210px;margin:10px 20px 10px 30px;border:1px solid #ccc}"
    ".gk-side h3{margin:0;padding:8px 12px;background:#1d4f91;color:#fff;font-size:16px}"
    ".gk-side li{padding:7px 4px;border-bottom:1px dashed #ccc;font-size:14px}"
    ".gk-side ul{margin:0;padding:0 10px;list-style:none}"
    ".gk-main{margin-left:280px;margin-right:30px;padding-top:10px}"
    ".article_title,.bt{font-size:22px;font-weight:bold;text-align:center;margin:14px 0}"
    ".article_extend,.xx{text-align:center;color:#666;font-size:13px;margin-bottom:12px}"
    ".footer{clear:both;background:#eee;color:#444;text-align:center;padding:16px;"
    "font-size:13px;margin-top:20px}</style></head>"
)
SIDE_MENU: tuple[str, ...] = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容",
                              "政府信息公开年报", "依申请公开", "政府信息公开目录")


def _with_chrome(page: str, site: str) -> str:
    """A generated page with site chrome drawn around its article."""
    page = page.replace("</head>", _CHROME_CSS, 1)
    items = "".join(f"<li>{item}</li>" for item in SIDE_MENU)
    banner = (f'<div class="gk-banner">{site}<small>www.example.gov.cn</small></div>')
    side = f'<div class="gk-side"><h3>政府信息公开</h3><ul>{items}</ul></div><div class="gk-main">'
    page = re.sub(r"<body[^>]*>", lambda m: m.group(0) + banner, page, count=1)
    if '<div class="footer">' in page:
        first = page.find('<div class="breadcrumb">')
        start = first if first >= 0 else page.find("<table width")
        if start < 0:
            start = page.find("</div>", page.find('<div class="header">')) + len("</div>")
        page = page[:start] + side + page[start:]
        page = page.replace('<div class="footer">', '</div><div class="footer">', 1)
    return page


def screenshot_pages(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """The generator's web pages, site chrome drawn around the article, as full-page
    screenshots by headless Chromium: the 图片版 reports sites publish."""
    reports = random_reports(count, seed)
    pages = html_pages(work_dir / "html", reports)
    for page, report in zip(pages, reports):
        raw = page.read_bytes()
        encoding = "gbk" if b"gbk" in raw[:400].lower() else "utf-8"
        site = f"{report.agency}门户网站"
        page.write_bytes(_with_chrome(raw.decode(encoding), site).encode(encoding))
    shots = chromium.screenshots(pages, work_dir / "png")
    return [(path.read_bytes(), report) for path, report in zip(shots, reports)]


def pictured_table_pages(work_dir: Path, count: int, seed: int) -> list[Pair]:
    """The generator's web pages with section 三's table pasted in as a picture (Chromium's
    screenshot of the table alone), the other tables typed: what a site's editor makes of a
    table too merged for it."""
    reports = random_reports(count, seed)
    pages = html_pages(work_dir / "html", reports)
    alone_dir = work_dir / "table"
    alone_dir.mkdir(parents=True, exist_ok=True)
    found = []
    for page in pages:
        root = lxml.html.document_fromstring(page.read_bytes())
        table = _innermost_table(root, "申请人情况")
        (alone_dir / page.name).write_text(
            '<html><head><meta charset="utf-8"></head><body>'
            + lxml.html.tostring(table, encoding="unicode") + "</body></html>", encoding="utf-8")
        found.append((page, root, table))
    shots = chromium.screenshots([alone_dir / page.name for page, _, _ in found],
                                 work_dir / "png", width=1000)
    pairs = []
    for (page, root, table), shot, report in zip(found, shots, reports, strict=True):
        uri = "data:image/png;base64," + base64.b64encode(shot.read_bytes()).decode()
        picture = lxml.html.fragment_fromstring(f'<p><img src="{uri}"></p>')
        table.getparent().replace(table, picture)
        encoding = "gbk" if b"gbk" in page.read_bytes()[:400].lower() else "utf-8"
        pairs.append((lxml.html.tostring(root, encoding=encoding, doctype="<!DOCTYPE html>"),
                      report))
    return pairs


def _innermost_table(root: Any, text: str) -> Any:
    """The table holding ``text`` that holds no table holding it (not a layout table)."""
    holding = [t for t in root.iter("table") if text in t.text_content()]
    return next(t for t in holding
                if not any(u is not t and text in u.text_content() for u in t.iter("table")))


@dataclass(frozen=True, slots=True)
class Corpus:
    build: Builder
    count: int  # how many reports the benchmark draws
    tools: tuple[str, ...]  # the programs the builder runs
    scanned: bool = False  # read by OCR: every wrong cell must be flagged doubtful


CORPORA: dict[str, Corpus] = {
    "libreoffice": Corpus(libreoffice_pdfs, 200, ("soffice",)),
    "chromium": Corpus(chromium_pdfs, 200, ("chromium",)),
    "borderless": Corpus(borderless_pdfs, 100, ("soffice",)),
    "pagebreak": Corpus(pagebreak_pdfs, 100, ("chromium",)),
    "scan100": Corpus(scan100, 100, ("soffice", "chromium"), scanned=True),
    "screenshot": Corpus(screenshot_pages, 50, ("chromium",), scanned=True),
    "pictured_table": Corpus(pictured_table_pages, 50, ("chromium",), scanned=True),
}


def missing_tool(corpus: Corpus) -> str | None:
    """The first program ``corpus`` needs that is not installed, or None."""
    found = {"soffice": lambda: shutil.which("soffice") or shutil.which("libreoffice"),
             "chromium": chromium.find_chromium}
    return next((tool for tool in corpus.tools if not found[tool]()), None)
