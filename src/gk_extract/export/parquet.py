"""Reports -> the parquet dataset of dataset.md, with explicit schemas and atomic writes.

Tables are streamed in row groups so a batch of tens of thousands of reports never sits in
memory at once; each file is written under a temporary name and renamed into place only
when complete, so a killed run leaves the previous dataset intact, never a torn file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pyarrow as pa
import pyarrow.parquet as pq

from gk_extract import __version__
from gk_extract.models import Report

SCHEMA_VERSION = "4"
# Reports buffered before a row group is written: ~250 cells each, so ~125k cell rows.
ROW_GROUP_REPORTS = 500

REPORTS = pa.schema([
    ("report_id", pa.string()), ("source_path", pa.string()), ("source_url", pa.string()),
    ("format", pa.string()), ("ocr", pa.bool_()), ("template", pa.string()),
    ("agency", pa.string()), ("year", pa.int16()), ("published_date", pa.date32()),
    ("province", pa.string()), ("city", pa.string()), ("county", pa.string()),
    ("adcode", pa.string()), ("region_level", pa.string()), ("region_source", pa.string()),
    ("region_note", pa.string()), ("region_zone", pa.bool_()), ("agency_canonical", pa.string()),
    ("agency_kind", pa.string()), ("agency_id", pa.string()), ("report_group", pa.string()),
    ("primary", pa.bool_()), ("status", pa.string()), ("error", pa.string()),
    ("error_kind", pa.string()), ("checks_failed", pa.int32()), ("checks_uncertain", pa.int32()),
    ("parser_version", pa.string()), ("converter", pa.string()), ("cells_doubtful", pa.int32()),
])
CELLS = pa.schema([
    ("report_id", pa.string()), ("key", pa.string()), ("table", pa.string()), ("row", pa.string()),
    ("col", pa.string()), ("row_label", pa.string()), ("col_label", pa.string()),
    ("raw", pa.string()), ("value", pa.float64()), ("kind", pa.string()), ("unit", pa.string()),
    ("page", pa.int16()), ("source_ref", pa.string()), ("confidence", pa.float32()),
    ("doubtful", pa.bool_()), ("method", pa.string()),
])
SECTIONS = pa.schema([
    ("report_id", pa.string()), ("key", pa.string()), ("number", pa.int8()),
    ("heading", pa.string()), ("text", pa.string()),
])
CHECKS = pa.schema([
    ("report_id", pa.string()), ("rule", pa.string()), ("scope", pa.string()),
    ("expected", pa.float64()), ("found", pa.float64()), ("status", pa.string()),
    ("cells", pa.list_(pa.string())),
])
SCHEMAS = {"reports": REPORTS, "cells": CELLS, "sections": SECTIONS, "checks": CHECKS}


def report_rows(r: Report) -> dict[str, list[dict[str, Any]]]:
    """One report as rows of each of the four tables."""
    head = {
        "report_id": r.report_id, "source_path": r.source_path, "source_url": r.source_url,
        "format": r.format, "ocr": r.ocr, "template": r.template, "agency": r.agency, "year": r.year,
        "published_date": r.published_date, "province": r.province, "city": r.city,
        "county": r.county, "adcode": r.adcode, "region_level": r.region_level,
        "region_source": r.region_source, "region_note": r.region_note,
        "region_zone": r.region_zone, "agency_canonical": r.agency_canonical,
        "agency_kind": r.agency_kind, "agency_id": r.agency_id,
        "report_group": r.report_group or r.report_id, "primary": r.primary,
        "status": r.status, "error": r.error,
        "error_kind": r.error_kind,
        "checks_failed": r.checks_failed, "checks_uncertain": r.checks_uncertain,
        "parser_version": __version__, "converter": r.converter,
        "cells_doubtful": sum(c.doubtful for c in r.cells),
    }
    cells = [{"report_id": r.report_id, "key": c.key, "table": c.table, "row": c.row, "col": c.col,
              "row_label": c.row_label, "col_label": c.col_label, "raw": c.value.raw,
              "value": c.value.value, "kind": c.value.kind, "unit": c.value.unit, "page": c.page,
              "source_ref": c.source_ref, "confidence": c.confidence, "doubtful": c.doubtful,
              "method": c.method}
             for c in r.cells]
    sections = [{"report_id": r.report_id, "key": s.key, "number": s.number, "heading": s.heading,
                 "text": s.text} for s in r.sections]
    checks = [{"report_id": r.report_id, "rule": c.rule, "scope": c.scope, "expected": c.expected,
               "found": c.found, "status": c.status, "cells": list(c.cells)} for c in r.checks]
    return {"reports": [head], "cells": cells, "sections": sections, "checks": checks}


class DatasetWriter:
    """Streams reports into ``DIR/{reports,cells,sections,checks}.parquet`` atomically."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self._buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
        self._pending = 0
        self._writers = {name: pq.ParquetWriter(self._tmp(name), schema, compression="zstd")
                         for name, schema in SCHEMAS.items()}

    def _tmp(self, name: str) -> Path:
        return self.out_dir / f".{name}.parquet.tmp-{os.getpid()}"

    def add(self, report: Report) -> None:
        for name, rows in report_rows(report).items():
            self._buffers[name].extend(rows)
        self._pending += 1
        if self._pending >= ROW_GROUP_REPORTS:
            self._flush()

    def _flush(self) -> None:
        for name, rows in self._buffers.items():
            if rows:
                self._writers[name].write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]))
            rows.clear()
        self._pending = 0

    def commit(self) -> None:
        """Finish every file and move them into place together."""
        self._flush()
        for name, writer in self._writers.items():
            writer.close()
        for name in SCHEMAS:
            os.replace(self._tmp(name), self.out_dir / f"{name}.parquet")

    def abort(self) -> None:
        for name, writer in self._writers.items():
            writer.close()
            self._tmp(name).unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def write_dataset(reports: Iterable[Report], out_dir: Path) -> None:
    with DatasetWriter(out_dir) as writer:
        for report in reports:
            writer.add(report)


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    body = {"gk_extract_version": __version__, "schema_version": SCHEMA_VERSION, **manifest}
    tmp = out_dir / f".manifest.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, out_dir / "manifest.json")
