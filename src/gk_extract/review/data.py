"""What the review app reads from a dataset: the reports with their filters and counts, one
report's cells, checks and sections, an agency's years, and the reviewer's decisions.

Every read opens the dataset afresh through :func:`gk_extract.export.duckdb.connect` (the
live parts of each table, corrections.parquet laid over the cells), so a re-extraction or a
decision made a moment ago shows on the next page. Reads are serialised by one lock: DuckDB
keeps within its memory limit per connection, and two at once would only double that.
Every value from a request reaches DuckDB as a bound parameter, never inside the SQL text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import duckdb

from gk_extract.export.corrections import ReviewedCell, reviewed_cells
from gk_extract.export.duckdb import connect
from gk_extract.export.panel import PANEL_STATUSES

REPORT_ID = re.compile(r"[0-9a-f]{64}")
# The list shows this many reports; the counts are over all that match.
LIST_LIMIT = 500
Row = dict[str, Any]
LIST_COLUMNS = ("report_id", "agency", "agency_id", "year", "format", "template", "status",
                "province", "city", "county", "adcode", "region_note", "checks_failed",
                "cells_doubtful", "primary", "source_url")


def is_report_id(text: str) -> bool:
    return REPORT_ID.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Filters:
    """The list's filters, from the page's query string; unknown or malformed ones ignored."""

    status: str | None = None
    template: str | None = None
    year: int | None = None
    province: str | None = None
    failed: bool = False  # some check failed
    doubtful: bool = False  # some cell is doubtful
    unresolved: bool = False  # the region is not resolved

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        year = query.get("year", "")
        return cls(status=query.get("status") or None, template=query.get("template") or None,
                   year=int(year) if year.isdigit() else None,
                   province=query.get("province") or None,
                   failed=query.get("failed") == "1", doubtful=query.get("doubtful") == "1",
                   unresolved=query.get("unresolved") == "1")

    def where(self, skip: str = "") -> tuple[str, list[object]]:
        """The SQL condition and its parameters, leaving out the filter named ``skip``."""
        terms, params = ["true"], []
        for name in ("status", "template", "year", "province"):
            value = getattr(self, name)
            if value is not None and name != skip:
                terms.append(f"{name} = ?")
                params.append(value)
        for name, sql in FLAGS.items():
            if getattr(self, name) and name != skip:
                terms.append(sql)
        return " and ".join(terms), params

    def query(self, **change: object) -> dict[str, str]:
        """These filters as query parameters, with ``change`` applied (None drops one)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | change
        return {k: "1" if v is True else str(v) for k, v in values.items()
                if v is not None and v is not False}


FLAGS = {
    "failed": "checks_failed > 0",
    "doubtful": "cells_doubtful > 0",
    "unresolved": "adcode is null and status not in ('failed', 'not_a_report')",
}
FACETS = ("status", "template", "year", "province")


@dataclass(frozen=True, slots=True)
class ReportList:
    rows: list[Row]
    total: int
    facets: dict[str, list[tuple[object, int]]]  # facet -> (value, count) with the others applied
    flags: dict[str, int]  # flag -> count with the others applied


class ReviewData:
    """The dataset in ``data_dir``, read for the review app."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._lock = threading.Lock()

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock, connect(self.data_dir) as con:
            yield con

    def reports(self, filters: Filters) -> ReportList:
        where, params = filters.where()
        columns = ", ".join(f'"{c}"' for c in LIST_COLUMNS)
        with self._connection() as con:
            rows = _rows(con, f"select {columns} from reports where {where} order by agency_id "
                              f"nulls last, year, report_id limit {LIST_LIMIT}", params)
            total = con.execute(f"select count(*) from reports where {where}", params).fetchone()
            facets = {name: _facet(con, filters, name) for name in FACETS}
            flags = {name: _flag(con, filters, name) for name in FLAGS}
        return ReportList(rows, int(total[0]) if total else 0, facets, flags)

    def report(self, report_id: str) -> Row | None:
        with self._connection() as con:
            found = _rows(con, "select * from reports where report_id = ?", [report_id])
        return found[0] if found else None

    def details(self, report_id: str) -> tuple[list[Row], list[Row], list[Row]]:
        """The report's cells (with ``value_reviewed`` and ``reviewed``), checks and sections."""
        with self._connection() as con:
            cells = _rows(con, "select * from cells_reviewed where report_id = ? order by key",
                          [report_id])
            checks = _rows(con, "select * from checks where report_id = ? order by "
                                "status = 'pass', status = 'uncertain', rule, scope", [report_id])
            sections = _rows(con, "select * from sections where report_id = ? order by number, "
                                  "key", [report_id])
        return cells, checks, sections

    def agency_years(self, agency_id: str) -> list[Row]:
        """The agency's primary report of each year, oldest first."""
        statuses = sorted(PANEL_STATUSES)
        with self._connection() as con:
            return _rows(con, 'select report_id, year, agency, format, status from reports where '
                              'agency_id = ? and "primary" and status in (select unnest(?)) and '
                              "year is not null order by year, report_id",
                         [agency_id, statuses])

    def decisions(self) -> dict[tuple[str, str], ReviewedCell]:
        with self._lock:
            return reviewed_cells(self.data_dir)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[Row]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description or []]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def _facet(con: duckdb.DuckDBPyConnection, filters: Filters, name: str) -> list[tuple[object, int]]:
    where, params = filters.where(skip=name)
    found = con.execute(f"select {name}, count(*) from reports where {where} and {name} is not "
                        f"null group by 1 order by 1", params).fetchall()
    return [(value, int(count)) for value, count in found]


def _flag(con: duckdb.DuckDBPyConnection, filters: Filters, name: str) -> int:
    where, params = filters.where(skip=name)
    found = con.execute(f"select count(*) from reports where {where} and {FLAGS[name]}",
                        params).fetchone()
    return int(found[0]) if found else 0
