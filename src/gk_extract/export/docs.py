"""docs/dataset.md, generated from the parquet schemas (their columns and meanings).

    python -m gk_extract.export.docs > docs/dataset.md

A test renders it again and fails when the file and the schemas disagree.
"""

from __future__ import annotations

import pyarrow as pa

from gk_extract.export.parquet import CORRECTIONS, DOC, NULLABLE, PANEL, PANEL_HEAD, SCHEMAS

INTRO = """\
# The output dataset: the contract with analysts

`gk-extract extract PATH... --out DIR` writes these parquet tables into DIR. Analysts load
them with pandas, polars or DuckDB, and the evaluation scorer reads them,
so the table and column names below are a public interface: add columns freely, but do not
rename or drop these without a migration note in the project's CHANGELOG.

Every table has an explicit pyarrow schema (declared once in code, never inferred from data;
each column's meaning below is in its field metadata under `doc`), and every row of every
table carries `report_id`, so any number can be traced back to the exact file it came from.
This file is generated from those schemas (`python -m gk_extract.export.docs`).

Each table is a folder of parquet parts (`DIR/cells.parquet/part-….parquet`) that pandas
and pyarrow read as one table (`pd.read_parquet("DIR/cells.parquet")`) and DuckDB as
`'DIR/cells.parquet/*.parquet'`. A run adds a part with the rows of the files new to the
dataset; `manifest.json` names the live parts, and `gk-extract compact DIR` merges them."""

TITLES = {
    "reports": "one row per input document",
    "cells": "one row per template cell per report (tidy, long)",
    "sections": "one row per report section",
    "checks": "one row per consistency rule evaluated",
}

AFTER = {
    "cells": """\
Rules:
* Printed values are kept as printed: a published total that does not add up is not "fixed";
  the disagreement goes to checks.parquet. An OCR reading is never corrected by the checks
  either; they only mark it `doubtful`.
* A row the document does not print (e.g. the three （六）其他处理 sub-rows when the
  document prints （六） as one row) produces no row here; the single printed row has key
  `s3_other_handling__{col}`.
* Rows outside the template (local extra rows) go in with `table = 'extra'`, a slug key and
  their printed label.""",
    "checks": """\
Rules within a report come from report-format.md §3. Between reports, over the whole batch:
* `D1`: a copy of a report (same agency and year: a page and its attachments, a re-upload)
  whose cell differs from the group's primary; on the copy, `expected` is the primary's
  value, `found` the copy's, `scope` names both report_ids. At most 20 such rows per copy:
  a copy that differs in more cells gets one more row, `expected` and `found` null, whose
  `scope` says how many more cells differ and whose `cells` names them (two reports that
  only share an agency name and a year).
* `X1`: this year's 上年结转 = last year's 结转下年度, per column, for the primary reports of
  one `agency_id`; on the later year's report, `scope` names both report_ids.
* `X2`: this year's 现行有效件数 = last year's + 本年制发 − 本年废止, for 规章 and
  行政规范性文件, likewise.""",
}

CORRECTIONS_TEXT = """\
## corrections.parquet — one row per reviewer decision

Written by the review app (`gk-extract review DIR`), one row appended per decision and never
changed; cells.parquet is not touched. The latest decision per (`report_id`, `key`) is laid
over the extracted value in panel.parquet and in the DuckDB views (`value_reviewed`). A
decision whose cell was extracted differently since (`old_raw` or `old_value` no longer
match, or the cell is gone) is kept but not applied: `review_source_changed` flags it, and
the batch summary counts it.

| column | type | meaning |
|---|---|---|
"""

PANEL_TEXT = """\
## panel.parquet — one row per primary report, wide

Written by `extract` (and rebuilt by `gk-extract panel DIR`) from the reports and cells of
the primary copy of each report whose status is `ok` or `partial`.

| column | type | meaning |
|---|---|---|
"""

FILES = """\
## Files beside the tables

* `manifest.json`: gk_extract version, command line, input count, started/finished times,
  counts by status, and the parquet schema version.
* `validation.html`: counts by status and template, failed checks with their cells, doubtful
  cells, reports whose region is unresolved, failed and partial documents; each row links
  its source file.
* With `--duckdb FILE` (or `gk-extract export DIR --duckdb FILE`): one DuckDB database with the
  four tables, `corrections`, and the views `cells_reviewed` (every cell with
  `value_reviewed`, `reviewed` and `review_source_changed`), `report_cells` (each such cell
  beside its report's agency, year, region, template, status), `panel` (as panel.parquet), `agency_years` (one row per agency
  and year: primary report, number of copies, headline counts, failed checks) and
  `region_years` (those summed per region and year)."""


def type_name(field: pa.Field) -> str:
    kinds = {"double": "float64", "float": "float32", "date32[day]": "date",
             "timestamp[us, tz=UTC]": "timestamp (UTC)",
             "list<item: string>": "list<string>", "list<item: float>": "list<float32>"}
    name = kinds.get(str(field.type), str(field.type))
    return name + (", null" if (field.metadata or {}).get(NULLABLE) == b"1" else "")


def _doc(field: pa.Field) -> str:
    doc: bytes = (field.metadata or {}).get(DOC, b"")
    return doc.decode()


def table_rows(fields: list[pa.Field]) -> list[str]:
    """Markdown rows; a column documented as SAME joins the row of the column before it."""
    rows: list[tuple[list[str], str, str]] = []
    for field in fields:
        doc = _doc(field)
        if not doc and rows and field.name != "report_id":
            rows[-1][0].append(field.name)
            continue
        rows.append(([field.name], type_name(field), doc))
    return ["| " + ", ".join(f"`{n}`" for n in names) + f" | {kind} | {doc} |"
            for names, kind, doc in rows]


def markdown() -> str:
    parts = [INTRO]
    for name, schema in SCHEMAS.items():
        lines = [f"## {name}.parquet — {TITLES[name]}", "", "| column | type | meaning |",
                 "|---|---|---|", *table_rows(list(schema))]
        parts.append("\n".join(lines))
        if name in AFTER:
            parts.append(AFTER[name])
    head = [PANEL.field(n) for n in PANEL_HEAD]
    cells = PANEL.field(len(PANEL_HEAD))
    parts.append(PANEL_TEXT + "\n".join(table_rows(head)) + "\n"
                 + f"| `s2_…`, `s3_…`, `s4_…` | {type_name(cells)} | {_doc(cells)} |\n"
                 + "\n".join(table_rows([PANEL.field("reviewed")])))
    parts.append(CORRECTIONS_TEXT + "\n".join(table_rows(list(CORRECTIONS))))
    parts.append(FILES)
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
