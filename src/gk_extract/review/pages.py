"""What each page of the review app shows, as plain data for its template: the cells of a
report with their decisions, its source pane, two years of an agency side by side."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gk_extract.errors import GkError
from gk_extract.export.corrections import ReviewedCell
from gk_extract.review import compare as yoy
from gk_extract.review.data import ReviewData, Row
from gk_extract.review.grids import Grid, leftover_grids, template_grids
from gk_extract.review.render import PageSize, PdfPages, document_blocks, word_document
from gk_extract.review.source import Source

WORD_FORMATS = frozenset({"docx", "doc", "wps", "rtf"})


@dataclass(frozen=True, slots=True)
class SourcePane:
    kind: str  # pdf, image, html, word, none
    pages: list[PageSize] = field(default_factory=list)
    blocks: list[tuple[str, object]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportView:
    report: Row
    grids: list[Grid]
    cells: dict[str, Row]  # key -> the cell with its decision, as the page's script reads it
    checks: list[Row]
    sections: list[Row]
    gone: list[ReviewedCell]  # decisions about cells the extraction no longer gives
    failed_keys: frozenset[str]


def report_view(data: ReviewData, report: Row) -> ReportView:
    cells, checks, sections = data.details(report["report_id"])
    decisions = {key: d for (rid, key), d in data.decisions().items()
                 if rid == report["report_id"]}
    grids = template_grids(report["template"], (c["key"] for c in cells))
    grids += leftover_grids(grids, cells)
    shown = {c["key"]: cell_data(c, decisions.get(c["key"])) for c in cells}
    failed = frozenset(k for c in checks if c["status"] == "fail" for k in c["cells"] or ())
    return ReportView(report, grids, shown, checks, sections,
                      [d for k, d in decisions.items() if k not in shown], failed)


def cell_data(cell: Mapping[str, Any], decision: ReviewedCell | None) -> Row:
    """One cell as the page shows it and its script reads it (JSON-ready)."""
    bbox = cell.get("bbox")
    shown: Row = {name: _plain(cell.get(name)) for name in (
        "key", "row_label", "col_label", "raw", "value", "kind", "unit", "page", "source_ref",
        "confidence", "doubtful", "method", "value_reviewed")}
    shown["bbox"] = [float(v) for v in bbox] if bbox is not None and len(bbox) == 4 else None
    shown["decision"] = None if decision is None else {
        "action": decision.correction.action, "new_value": decision.correction.new_value,
        "reason": decision.correction.reason, "reviewer": decision.correction.reviewer,
        "at": decision.correction.at.isoformat(timespec="seconds"),
        "source_changed": decision.source_changed}
    return shown


def _plain(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def source_pane(report: Row, source: Source | None, pdf: PdfPages, data_dir: Path) -> SourcePane:
    fmt = str(report["format"])
    if source is None:
        return SourcePane("none", note="The source file is not within reach: it is looked up "
                                       "by its sha256 in --store, or at its source_path inside "
                                       "DATA or STORE.")
    if fmt == "pdf":
        return SourcePane("pdf", pages=pdf.sizes(source.data))
    if fmt == "image":
        return SourcePane("image")
    if fmt == "html":
        return SourcePane("html")
    if fmt in WORD_FORMATS:
        try:
            return SourcePane("word", blocks=document_blocks(word_document(source.data, fmt,
                                                                           data_dir)))
        except GkError as exc:
            return SourcePane("none", note=f"The document cannot be shown: {exc}")
    return SourcePane("none", note=f"No view for {fmt} files.")


@dataclass(frozen=True, slots=True)
class CompareView:
    agency_id: str
    years: list[Row]  # the agency's primary report per year
    before: ReportView
    after: ReportView
    changes: list[yoy.Change]
    sections: list[yoy.SectionDiff]
    checks: list[Mapping[str, Any]]

    @property
    def changed(self) -> dict[str, yoy.Change]:
        return {c.key: c for c in self.changes}


def pick_years(years: list[Row], a: str | None, b: str | None) -> tuple[Row, Row] | None:
    """The two reports to compare: the years asked for, else the latest two."""
    by_year = {str(r["year"]): r for r in years}
    if a in by_year and b in by_year and a != b:
        first, second = sorted((by_year[a], by_year[b]), key=lambda r: int(r["year"]))
        return first, second
    return (years[-2], years[-1]) if len(years) >= 2 else None


def compare_view(data: ReviewData, agency_id: str, years: list[Row], pair: tuple[Row, Row],
                 ) -> CompareView | None:
    reports = [data.report(r["report_id"]) for r in pair]
    if reports[0] is None or reports[1] is None:
        return None
    before, after = (report_view(data, r) for r in (reports[0], reports[1]))
    return CompareView(agency_id, years, before, after,
                       yoy.changed_cells(before.cells.values(), after.cells.values()),
                       yoy.section_diffs(before.sections, after.sections),
                       yoy.cross_year_checks(after.checks, before.report["report_id"]))


def checks_by_status(checks: Iterable[Row]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {"fail": [], "uncertain": [], "pass": []}
    for check in checks:
        found.setdefault(str(check["status"]), []).append(check)
    return found
