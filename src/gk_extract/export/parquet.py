"""Reports -> the parquet dataset of dataset.md, with explicit schemas and atomic writes.

The schemas and a report's rows; how the tables sit on disk, as folders of parts updated
without rewriting, is export.tables.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from gk_extract import __version__
from gk_extract.models import Report
from gk_extract.template import registry

SCHEMA_VERSION = "6"

# A column's meaning is part of its schema: written into every parquet file's field metadata
# and rendered into docs/dataset.md (export/docs.py), so the two never disagree.
DOC = b"doc"
NULLABLE = b"null"
SAME = ""  # the meaning of the column before (documented together: province, city …)


def col(name: str, kind: pa.DataType, doc: str, null: bool = False) -> pa.Field:
    """A column with its meaning; ``null``: the column may hold nulls."""
    return pa.field(name, kind, metadata={DOC: doc.encode(), NULLABLE: b"1" if null else b"0"})


REPORTS = pa.schema([
    col("report_id", pa.string(),
        "sha256 (hex) of the source file's bytes; the same bytes always get the"
        " same id"),
    col("source_path", pa.string(),
        "the input path as given (or the store path for crawled files)"),
    col("source_url", pa.string(), "where it was fetched from, when it was crawled", null=True),
    col("format", pa.string(),
        "detected from the bytes: `html`, `docx`, `doc`, `wps`, `rtf`, `pdf`, `image`"),
    col("ocr", pa.bool_(), "true when any value or text came from OCR"),
    col("template", pa.string(),
        "`2021` (国办公开办函〔2021〕30号), `2019` (2019 试行 format), `2014` (统计表 era), "
        "`legacy`, `not_a_report`, `unknown`"),
    col("agency", pa.string(),
        "issuing agency as named in the title, e.g. `硚口区地方金融工作局`", null=True),
    col("year", pa.int16(), "the year reported on (not the publication year)", null=True),
    col("published_date", pa.date32(),
        "the date printed at the end of the report or on the page", null=True),
    col("province", pa.string(),
        "region of the agency: GB/T 2260 names and 6-digit code, resolved "
        "offline; never guessed (null when the evidence leaves several places)", null=True),
    col("city", pa.string(), SAME, null=True),
    col("county", pa.string(), SAME, null=True),
    col("adcode", pa.string(), SAME, null=True),
    col("region_level", pa.string(),
        "`province`, `city`, `county` or `township` (a township's or street's "
        "agency: `adcode` is its county's)", null=True),
    col("region_source", pa.string(),
        "the evidence that decided: `title` (the agency's name), `body` "
        "(signature, 本报告由…, contact address), `registry` (the crawl registry's "
        "`region`), `meta` (the page's `SiteName`, site identifier code); "
        "`title+meta` when the second told homonyms apart", null=True),
    col("region_note", pa.string(),
        "why the region is null (e.g. the places sharing the name), or what is "
        "special: a former name (`洪泽县 is now 洪泽区`), a merged division, a zone", null=True),
    col("region_zone", pa.bool_(),
        "the agency is a zone's (综合实验区, 新区, 开发区, 高新区 …): its region is the "
        "division the zone lies in"),
    col("agency_canonical", pa.string(),
        "the full name with its region prefix and the organ spelled out (洪泽区政府 "
        "→ 淮安市洪泽区人民政府)", null=True),
    col("agency_kind", pa.string(),
        "`government`, `general_office`, `department`, `township` (township or "
        "street), `zone` (zone administration), `vertical` (vertically managed "
        "bureau: tax, customs, statistics survey teams …)", null=True),
    col("agency_id", pa.string(),
        "`adcode-organ`, e.g. `320813-人民政府`: the same agency gets the same id "
        "across years and spellings; null when the region is", null=True),
    col("report_group", pa.string(),
        "copies of one report (a page and its PDF/DOCX/DOC attachments, "
        "re-uploads) share it"),
    col("primary", pa.bool_(),
        "the copy that stands for its group (the most complete, least doubtful)"),
    col("linked_report_id", pa.string(),
        "a `link_only` page: the report of the attachment it links, when the "
        "batch holds it", null=True),
    col("links", pa.list_(pa.string()),
        "the document files (PDF, Word, WPS …) an HTML page links, as printed"),
    col("status", pa.string(),
        "`ok`, `partial` (some tables or sections missing), `link_only` (an "
        "article page that only links its report's attachment), `failed`, "
        "`not_a_report`"),
    col("error", pa.string(), "why a document failed or is partial, in one line", null=True),
    col("error_kind", pa.string(),
        "the kind of error that failed a document (e.g. `timeout`), null when "
        "none was raised", null=True),
    col("checks_failed", pa.int32(), "counts from checks.parquet"),
    col("checks_uncertain", pa.int32(), SAME),
    col("parser_version", pa.string(), "version of gk_extract that produced the row"),
    col("converter", pa.string(),
        "the program that converted the file before parsing (LibreOffice for "
        "DOC/WPS), or for a file read by OCR alone the OCR engine and the onnxruntime "
        "provider it ran on (CPU or CUDA)", null=True),
    col("cells_doubtful", pa.int32(),
        "how many of the report's cells are `doubtful` (OCR readings only)"),
    col("warnings", pa.list_(pa.string()),
        "what had to be repaired to keep the report, one line each (e.g. text that was "
        "not valid Unicode)"),
])
CELLS = pa.schema([
    col("report_id", pa.string(), "the report the row belongs to"),
    col("key", pa.string(),
        "full cell key from report-format.md, e.g. "
        "`s3_new_received__natural_person`"),
    col("table", pa.string(),
        "`s2`, `s3`, `s4` (2021 keys), `s2v19` (2019 section 二), `stat2014` (a row "
        "of the 2014–2018 统计表, keyed by a slug of its part and label), `legacy` (a row "
        "of an earlier local table, likewise), `extra`"),
    col("row", pa.string(), "the two halves of the key"),
    col("col", pa.string(), SAME),
    col("row_label", pa.string(), "canonical Chinese labels of the template"),
    col("col_label", pa.string(), SAME),
    col("raw", pa.string(),
        "the cell text exactly as printed (after whitespace trimming)", null=True),
    col("value", pa.float64(),
        "the number, or null for blank / placeholder / text cells", null=True),
    col("kind", pa.string(),
        "`number`, `zero`, `blank`, `placeholder` (`—`, `/`, `无` …), `text`"),
    col("unit", pa.string(),
        "unit printed in or beside the cell (`万元`, `元`, `件`), when there is one", null=True),
    col("page", pa.int16(), "1-based page for PDF/DOCX-as-PDF sources", null=True),
    col("source_ref", pa.string(),
        "where the cell sits in the source: e.g. `p4 table2 r7 c3` or an "
        "HTML/DOCX table path"),
    col("confidence", pa.float32(),
        "OCR only: the engine's mean score (0–1) over the cell's glyphs; 1.0 "
        "for a cell where nothing was read; null for cells read from a text "
        "layer", null=True),
    col("doubtful", pa.bool_(),
        "OCR only: a reading of a number (or of unreadable text) below the "
        "confidence threshold (0.8; the number is then kept as `kind = 'text'` "
        "with the raw reading), or a cell the failed checks point at (within "
        "each failed rule, the cells that take part in the most failed rules). "
        "A report whose own totals do not add up gets doubtful cells too: the "
        "checks cannot tell a misreading from a misprint"),
    col("method", pa.string(),
        "the parse step that produced the source cell: `ruled` (a PDF table "
        "from its rulings), `aligned` (a PDF table from text alignment), `ocr`,"
        " `html`, `docx`, `text`; empty when unknown"),
    col("maps_to", pa.string(),
        "a `stat2014` or `legacy` row: the 2021 cell key it certainly counts the same as "
        "(收到申请数 -> `s3_new_received__total`, 行政复议数量 and its 维持 / 纠错 rows -> "
        "`s4_review__…`); null for every other row", null=True),
    col("bbox", pa.list_(pa.float32()),
        "where the source cell sits on its page: `[x0, top, x1, bottom]` from the page's "
        "top-left corner, y growing downwards (pdfplumber's convention); in PDF points of "
        "the page as PDFium renders it (crop box and `/Rotate` applied: at scale s the box "
        "in pixels is bbox × s) for PDFs, text layer or scanned alike; in pixels of the "
        "image file as stored for images (and an HTML page's pictures, `page` being the "
        "picture's index). A merged cell's box is the whole merged cell. Null for HTML and "
        "DOCX cells (see `source_ref`) and where no one box on a page holds the cell's "
        "text (a cell continued across a page break, a number split out of a cell of "
        "several)", null=True),
])
SECTIONS = pa.schema([
    col("report_id", pa.string(), "the report the row belongs to"),
    col("key", pa.string(),
        "`s1_overview`, `s2_proactive`, `s3_requests`, `s4_review_litigation`, "
        "`s5_problems`, `s6_other` (other templates: a slug of the heading)"),
    col("number", pa.int8(), "1–6 in the 2021 template"),
    col("heading", pa.string(), "the heading as printed"),
    col("text", pa.string(),
        "the section's running text, tables excluded, paragraphs joined by `\\n`"),
])
CHECKS = pa.schema([
    col("report_id", pa.string(), "the report the row belongs to"),
    col("rule", pa.string(),
        "rule id from report-format.md §3 (`R3.1`, `R3.2`, `R3.3`, `R4.1`, `T1` …); "
        "between copies of one report `D1`; across years `X1`, `X2`"),
    col("scope", pa.string(),
        "the column or row it was applied to, e.g. `natural_person`, `review`; for `D1`, "
        "`X1` and `X2` also the report_ids compared"),
    col("expected", pa.float64(), "the two sides of the identity", null=True),
    col("found", pa.float64(), SAME, null=True),
    col("status", pa.string(),
        "`pass`, `fail`, `uncertain` (a participating cell is blank or not "
        "numeric; or the rule would fail on a doubtful OCR reading)"),
    col("cells", pa.list_(pa.string()), "the keys involved"),
])

# corrections.parquet: a reviewer's decisions about cells, appended, never changing the cells
# (export.corrections).
CORRECTIONS_FILE = "corrections.parquet"
CORRECTIONS = pa.schema([
    col("report_id", pa.string(), "the report whose cell was reviewed"),
    col("key", pa.string(), "the cell's key, as in cells.parquet"),
    col("old_raw", pa.string(), "the cell's printed text as extracted when it was reviewed",
        null=True),
    col("old_value", pa.float64(), "its value as extracted when it was reviewed", null=True),
    col("new_value", pa.float64(),
        "the value the reviewer read in the source (a `confirm` repeats `old_value`); null "
        "when the source prints no number there", null=True),
    col("action", pa.string(), "`confirm` (the extracted value is right) or `correct`"),
    col("reason", pa.string(), "why, in the reviewer's words (required for `correct`)"),
    col("reviewer", pa.string(), "who decided"),
    col("at", pa.timestamp("us", tz="UTC"), "when"),
])

# panel.parquet: one row per primary report, one column per cell key (written from the
# tables above by export.duckdb.write_panel).
PANEL_HEAD = ("report_id", "agency_id", "agency_canonical", "agency_kind", "province", "city",
              "county", "adcode", "region_level", "year", "template", "status")
PANEL_CELL_DOC = ("one column per cell key of every mapped template (`s2_regulations__issued` "
                  "… `s4_suit_after_review__total`): the cell's value (a reviewer's value "
                  "where corrections.parquet gives one), null when the report does not print "
                  "it or prints no number")
PANEL = pa.schema([REPORTS.field(name) for name in PANEL_HEAD]
                  + [col(key, pa.float64(), PANEL_CELL_DOC, null=True) for key in registry.all_keys()]
                  + [col("reviewed", pa.int32(),
                         "how many of the report's cell values above are a reviewer's "
                         "(corrections.parquet) instead of the extracted ones")])
SCHEMAS = {"reports": REPORTS, "cells": CELLS, "sections": SECTIONS, "checks": CHECKS}


def report_rows(r: Report, doubtful: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """One report as rows of each of the four tables. ``doubtful``: its count of doubtful
    cells, for a report given without its cells."""
    head = {
        "report_id": r.report_id, "source_path": r.source_path, "source_url": r.source_url,
        "format": r.format, "ocr": r.ocr, "template": r.template, "agency": r.agency, "year": r.year,
        "published_date": r.published_date, "province": r.province, "city": r.city,
        "county": r.county, "adcode": r.adcode, "region_level": r.region_level,
        "region_source": r.region_source, "region_note": r.region_note,
        "region_zone": r.region_zone, "agency_canonical": r.agency_canonical,
        "agency_kind": r.agency_kind, "agency_id": r.agency_id,
        "report_group": r.report_group or r.report_id, "primary": r.primary,
        "linked_report_id": r.linked_report_id, "links": list(r.links),
        "status": r.status, "error": r.error,
        "error_kind": r.error_kind,
        "checks_failed": r.checks_failed, "checks_uncertain": r.checks_uncertain,
        "parser_version": __version__, "converter": r.converter,
        "cells_doubtful": sum(c.doubtful for c in r.cells) if doubtful is None else doubtful, "warnings": list(r.warnings),
    }
    cells = [{"report_id": r.report_id, "key": c.key, "table": c.table, "row": c.row, "col": c.col,
              "row_label": c.row_label, "col_label": c.col_label, "raw": c.value.raw,
              "value": c.value.value, "kind": c.value.kind, "unit": c.value.unit, "page": c.page,
              "source_ref": c.source_ref, "confidence": c.confidence, "doubtful": c.doubtful,
              "method": c.method, "maps_to": c.maps_to,
              "bbox": None if c.bbox is None else list(c.bbox)}
             for c in r.cells]
    sections = [{"report_id": r.report_id, "key": s.key, "number": s.number, "heading": s.heading,
                 "text": s.text} for s in r.sections]
    checks = [{"report_id": r.report_id, "rule": c.rule, "scope": c.scope, "expected": c.expected,
               "found": c.found, "status": c.status, "cells": list(c.cells)} for c in r.checks]
    return {"reports": [head], "cells": cells, "sections": sections, "checks": checks}
