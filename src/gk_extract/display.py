"""Human views of reports and batches for the CLI (rich tables); no library code prints."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from gk_extract.models import CellValue, Report
from gk_extract.pipeline import BatchResult
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.registry import cell_key

STATUSES = ("ok", "partial", "link_only", "failed", "not_a_report")
# How many distinct failure reasons the batch summary lists.
TOP_REASONS = 8


def batch_summary(result: BatchResult, out_dir: str) -> Group:
    counts = result.counts()
    table = RichTable(title=f"gk-extract: {len(result.outcomes)} documents -> {out_dir}")
    table.add_column("status")
    table.add_column("documents", justify="right")
    for status in STATUSES:
        table.add_row(status, str(counts.get(status, 0)))
    table.add_row("skipped (not a document)", str(len(result.skipped)), style="dim")
    if result.duplicates:
        table.add_row("duplicates (same bytes)", str(len(result.duplicates)), style="dim")
    written = (Text(f"dataset: rows of {result.update.written['document']} report(s) written, "
                    f"{result.update.kept['document']} part(s) kept as they were", style="dim")
               if result.update is not None else Text(""))
    if result.reviewed:
        written.append(f"\ncorrections: {result.reviewed} reviewed cell(s) kept"
                       + (f", {result.review_source_changed} extracted differently since they "
                          "were reviewed (cells_reviewed.review_source_changed): look again"
                          if result.review_source_changed else ""),
                       style="yellow" if result.review_source_changed else "dim")
    reasons = Counter(o.error for o in result.outcomes if o.status in ("failed", "partial") and o.error)
    why = RichTable(title="why documents failed or are partial", show_header=True)
    why.add_column("documents", justify="right")
    why.add_column("reason")
    for reason, n in reasons.most_common(TOP_REASONS):
        why.add_row(str(n), reason)
    return Group(table, written, why) if reasons else Group(table, written)


def report_json(report: Report) -> str:
    def encode(value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    body = asdict(report)
    body["checks_failed"], body["checks_uncertain"] = report.checks_failed, report.checks_uncertain
    return json.dumps(body, ensure_ascii=False, indent=2, default=encode)


def show_report(report: Report, console: Console) -> None:
    meta = RichTable.grid(padding=(0, 2))
    for name in ("source_path", "format", "status", "error", "template", "agency", "year",
                 "published_date"):
        meta.add_row(name, str(getattr(report, name)))
    meta.add_row("region", _region(report))
    meta.add_row("agency_id", str(report.agency_id))
    meta.add_row("checks", f"{report.checks_failed} failed, {report.checks_uncertain} uncertain")
    if report.ocr:
        doubtful = sum(c.doubtful for c in report.cells)
        meta.add_row("ocr", f"read from scans; {doubtful} doubtful cells (marked ?)")
    console.print(meta)
    cells = {c.key: c for c in report.cells}
    for view in (_s2_view(cells, report.template), _s3_view(cells), _s4_view(cells)):
        if view is not None:
            console.print(view)
    failed = [c for c in report.checks if c.status == "fail"]
    for check in failed:
        console.print(f"[red]{check.rule} {check.scope}[/red]: parts {check.expected:g} "
                      f"!= total {check.found:g}  ({', '.join(check.cells)})")


def _region(report: Report) -> str:
    """江苏省淮安市洪泽区 (320813, county, from title), or why there is none."""
    if report.adcode is None:
        return f"unresolved: {report.region_note}" if report.region_note else "unresolved"
    names = "".join(dict.fromkeys(n for n in (report.province, report.city, report.county) if n))
    zone = ", zone" if report.region_zone else ""
    note = f"; {report.region_note}" if report.region_note else ""
    return (f"{names} ({report.adcode}, {report.region_level}{zone}, from "
            f"{report.region_source}){note}")


def _text(cell: CellValue | None) -> str:
    if cell is None:
        return "·"
    text = escape(cell.value.raw) if cell.value.raw else "(blank)"
    return f"[yellow]{text}?[/yellow]" if cell.doubtful else text


def _s2_view(cells: dict[str, CellValue], template: str) -> RichTable | None:
    found = registry.get(template)
    spec = found if found is not None and found.mapped else registry.newest()
    prefix, blocks = spec.s2_table, spec.s2_blocks
    if not any(k.startswith(prefix + "_") for k in cells):
        return None
    view = RichTable(title="二、主动公开政府信息情况")
    view.add_column("信息内容")
    view.add_column("values")
    for block in blocks:
        for row in block.rows:
            printed = [f"{c.label}={_text(cells.get(cell_key(prefix, row.key, c.key)))}" for c in block.cols]
            view.add_row(row.label, "  ".join(printed))
    return view


def _s3_view(cells: dict[str, CellValue]) -> RichTable | None:
    rows: Sequence[T.RowSpec] = [r for r in T.S3_ALL_ROWS
                                 if any(cell_key("s3", r.key, c.key) in cells for c in T.S3_COLS)]
    if not rows:
        return None
    view = RichTable(title="三、收到和处理政府信息公开申请情况")
    view.add_column("申请人情况")
    for col in T.S3_COLS:
        view.add_column(col.label, justify="right")
    for row in rows:
        view.add_row(row.label[:24], *(_text(cells.get(cell_key("s3", row.key, c.key))) for c in T.S3_COLS))
    return view


def _s4_view(cells: dict[str, CellValue]) -> RichTable | None:
    if not any(k.startswith("s4_") for k in cells):
        return None
    view = RichTable(title="四、政府信息公开行政复议、行政诉讼情况")
    view.add_column("")
    for outcome in T.S4_OUTCOMES:
        view.add_column(outcome.label, justify="right")
    for group in T.S4_GROUPS:
        view.add_row(group.label, *(_text(cells.get(cell_key("s4", group.key, o.key))) for o in T.S4_OUTCOMES))
    return view
