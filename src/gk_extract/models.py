"""Data shared by every stage: the neutral document model and the extracted report.

Format parsers (``parse/``) produce a :class:`Document`; they know nothing about annual
reports. The template matcher (``template/``) turns a Document into a :class:`Report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from gk_extract.formats import Format

ValueKind = Literal["number", "zero", "blank", "placeholder", "text"]
CheckStatus = Literal["pass", "fail", "uncertain"]
Status = Literal["ok", "partial", "link_only", "failed", "not_a_report"]
# Where a document's images come from, by their ``src`` (an HTML page's: files beside the
# page, a crawl store, nothing at all) or their part name (a Word document's own package):
# their bytes, or None and why not.
ImageSource = Callable[[str], tuple[bytes | None, str]]
# Where a cell sits on its page: (x0, top, x1, bottom), origin at the page's top-left corner,
# y growing downwards (pdfplumber's convention); in PDF points of the page as PDFium renders
# it (crop box, /Rotate) for a PDF, text layer or scan alike; in pixels of the image file as
# stored for an image (an HTML page's picture: that picture, ``page`` its index).
BBox = tuple[float, float, float, float]


# --------------------------------------------------------------------------- document model


@dataclass(frozen=True, slots=True)
class Cell:
    """One origin cell of a table (a merged cell appears once, with its spans).

    ``text`` keeps the cell's lines joined by ``\\n`` (paragraphs, ``<br>``, ``<p>``);
    ``ref`` says where the cell sits in the source, e.g. ``table2 r7 c3``; ``bbox`` where it
    sits on its page (see :data:`BBox`), for cells read from a PDF or an image.
    """

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    ref: str = ""
    page: int | None = None
    method: str = ""
    confidence: float | None = None
    bbox: BBox | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table as origin cells on a grid of ``n_rows`` x ``n_cols`` slots."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    ref: str = ""
    page: int | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Every slot of the grid, each pointing at the origin cell that covers it."""
        slots: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    slots[r][c] = cell
        return slots

    def row_cells(self) -> list[list[Cell]]:
        """For each grid row, the distinct cells covering it, left to right.

        A cell spanning several columns appears once; a cell spanning several rows
        appears in each of those rows (it labels all of them).
        """
        rows: list[list[Cell]] = []
        for slots in self.grid():
            distinct: list[Cell] = []
            for cell in slots:
                if cell is not None and (not distinct or distinct[-1] is not cell):
                    distinct.append(cell)
            rows.append(distinct)
        return rows


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of text in reading order; ``heading`` is a hint from markup, never required."""

    text: str
    ref: str = ""
    page: int | None = None
    heading: bool = False


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class Word:
    """Glyphs set together on one line of a page, with their box (``BBox``)."""

    text: str
    bbox: BBox


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of a page as positioned words, left to right (a borderless table's row, or
    a piece of one: its cells are words far apart on the line)."""

    page: int
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """What a format parser recovers from one file, independent of its format.

    ``meta`` holds what the file says of itself (its properties, an HTML page's ``<meta>``);
    what one parsing stage hands the next is in typed fields:

    * ``unreadable_pages``: 1-based pages whose text layer cannot be used (left for OCR);
    * ``ocr_pages``: the pages that were read by OCR;
    * ``images``: the ``src`` of each body image of an HTML page, or the image part of each
      picture of a Word document, in reading order;
    * ``converter``: the program that converted the file before parsing (LibreOffice for
      .doc/.wps), with its version; for a document read by OCR without one, the OCR engine
      and the onnxruntime provider it ran on (``parse/ocr/engine.py`` ``describe``);
    * ``links``: the ``href`` of each document file an HTML page links (PDF, Word, WPS …), as
      printed, in page order;
    * ``lines``: the positioned text lines of the pages that hold no ruled table, in reading
      order, for the template's alignment stage (``template/aligned.py``): the tables found
      by text alignment alone are rebuilt there, knowing the template's rows and columns;
    * ``pictures``: a PDF's large images on pages with a text layer that no text lies over
      (a table pasted as a picture), as (page, box on it), left for OCR.
    """

    format: Format
    blocks: tuple[Block, ...]
    title: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    ocr: bool = False
    unreadable_pages: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    images: tuple[str, ...] = ()
    converter: str | None = None
    links: tuple[str, ...] = ()
    lines: tuple[TextLine, ...] = ()
    pictures: tuple[tuple[int, BBox], ...] = ()

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]


# --------------------------------------------------------------------------- extracted report


@dataclass(frozen=True, slots=True)
class Value:
    """A printed cell value: the raw text and what it parses to."""

    raw: str
    value: float | None
    kind: ValueKind
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class CellValue:
    """One template cell of one report, traced to its place in the source.

    ``confidence`` is the OCR engine's mean glyph score for a scanned cell (None when the
    cell was read from a text layer); ``doubtful`` marks an OCR reading that is below the
    confidence threshold or that the failed consistency checks point at (template/doubt.py).
    """

    key: str
    table: str
    row: str
    col: str
    row_label: str
    col_label: str
    value: Value
    page: int | None
    source_ref: str
    confidence: float | None = None
    doubtful: bool = False
    method: str = ""  # the parse step that produced the source cell: ruled, aligned, ocr, html, docx …
    maps_to: str | None = None  # a legacy row: the 2021 cell key it certainly means, if any
    bbox: BBox | None = None  # the source cell's box on its page (Cell.bbox), if known


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    number: int
    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    scope: str
    expected: float | None
    found: float | None
    status: CheckStatus
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything extracted from one input file; one row of reports.parquet and its children."""

    report_id: str
    source_path: str
    format: str
    status: Status
    template: str = "unknown"
    source_url: str | None = None
    ocr: bool = False
    agency: str | None = None
    year: int | None = None
    published_date: date | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    region_level: str | None = None  # province, city, county, township
    region_source: str | None = None  # the evidence that decided: title, body, registry, meta …
    region_note: str | None = None  # why the region is null, or what is special about it
    region_zone: bool = False  # the agency is a zone's: its region is the division it lies in
    agency_canonical: str | None = None
    agency_kind: str | None = None
    agency_id: str | None = None
    report_group: str | None = None  # copies of one report share it (set over a whole batch)
    primary: bool = True  # the copy of its group that represents the report
    links: tuple[str, ...] = ()  # document files the page links, as printed (Document.links)
    linked_report_id: str | None = None  # a link_only page: its attachment's report, if stored
    error: str | None = None
    error_kind: str | None = None  # errors.GkError.kind of a failed document, e.g. "timeout"
    converter: str | None = None  # the program that converted the file before parsing, if any
    warnings: tuple[str, ...] = ()  # what had to be repaired to keep the report (one line each)
    cells: tuple[CellValue, ...] = ()
    sections: tuple[Section, ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def checks_failed(self) -> int:
        return sum(c.status == "fail" for c in self.checks)

    @property
    def checks_uncertain(self) -> int:
        return sum(c.status == "uncertain" for c in self.checks)
