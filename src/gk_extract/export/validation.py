"""A batch's validation report: one HTML page saying what to look at before using the data.

Counts by status and template, the failed checks with their cells, the doubtful cells, the
reports whose region is unresolved, and the documents that failed, each row naming its
source, so a reviewer goes from a number to its document in one click. Written beside the
tables as ``validation.html``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gk_extract.export.duckdb import connect

# Rows listed per section at most; the heading says how many there are.
MAX_ROWS = 300

_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Documents by status and template",
     ("select status, template, count(*) as documents from reports group by all "
      "order by documents desc, status, template"), ""),
    ("Failed checks",
     ("select r.source_path, r.agency, r.year, k.rule, k.scope, k.expected, k.found, "
      "array_to_string(k.cells, ', ') as cells from checks k join reports r using (report_id) "
      "where k.status = 'fail' order by r.agency, r.year, k.rule, k.scope"),
     "within a report (R…, T…), between copies (D1), across years (X1, X2)"),
    ("Doubtful cells",
     ("select r.source_path, r.agency, r.year, c.key, c.raw, c.source_ref, c.confidence, "
      "c.method from cells c join reports r using (report_id) where c.doubtful "
      "order by r.agency, r.year, c.key"),
     ("values that may be misread: low OCR confidence, text alignment, or pointed at by "
      "failed checks")),
    ("Unresolved regions",
     ("select source_path, agency, year, region_note from reports "
      "where adcode is null and status not in ('failed', 'not_a_report') order by agency, year"),
     "reports whose agency could not be placed without guessing"),
    ("Failed and partial documents",
     ("select source_path, status, error_kind, error from reports "
      "where status in ('failed', 'partial') order by status, source_path"), ""),
)

_STYLE = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}p.note{color:#666;margin:.2em 0 .6em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right}
p.more{color:#a60}
"""


def write_validation(data_dir: Path) -> Path:
    """``data_dir/validation.html`` from the dataset in ``data_dir`` (replaced if present)."""
    parts = [f"<h1>Validation report: {html.escape(str(data_dir))}</h1>"]
    with connect(data_dir) as con:
        total = con.execute("select count(*) from reports").fetchone()
        parts.append(f"<p>{total[0] if total else 0} documents.</p>")
        for title, sql, note in _SECTIONS:
            counted = con.execute(f"select count(*) from ({sql})").fetchone()
            result = con.execute(f"{sql} limit {MAX_ROWS}")  # a batch may hold millions
            columns = [d[0] for d in result.description]
            parts.append(_section(title, note, columns, result.fetchall(),
                                  counted[0] if counted else 0))
    out = data_dir / "validation.html"
    tmp = data_dir / f".validation.html.tmp-{os.getpid()}"
    page = ('<!doctype html><html lang="zh"><head><meta charset="utf-8">'
            f"<title>gk-extract validation</title><style>{_STYLE}</style></head><body>"
            + "".join(parts) + "</body></html>")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def _section(title: str, note: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
             total: int) -> str:
    head = f"<h2>{html.escape(title)} ({total})</h2>"
    if note:
        head += f'<p class="note">{html.escape(note)}</p>'
    if not rows:
        return head + "<p>none</p>"
    header = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(c, v) for c, v in zip(columns, row)) + "</tr>"
                   for row in rows)
    more = f'<p class="more">and {total - len(rows)} more</p>' if total > len(rows) else ""
    return f"{head}<table><tr>{header}</tr>{body}</table>{more}"


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, int | float):
        return f'<td class="num">{value:g}</td>'
    text = html.escape(str(value))
    if column == "source_path":
        target = Path(str(value))
        href = target.resolve().as_uri() if target.is_absolute() or target.exists() else text
        return f'<td><a href="{html.escape(href)}">{html.escape(target.name)}</a></td>'
    return f"<td>{text}</td>"
