"""What each site gave in a crawl: one tally per site, written as ``STORE/crawl_report.parquet``
and ``STORE/crawl_report.txt`` for the operator who reads them after a nightly run."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from gk_extract.fetch.politeness import ROBOTS_FORBIDDEN, ROBOTS_UNREACHABLE
from gk_extract.fetch.safety import SCHEMES, RefusedHost

REPORT_FILE = "crawl_report.parquet"
SUMMARY_FILE = "crawl_report.txt"
# A site is "failed" when not one of its listing pages could be read (nor was unchanged).
OK, PARTIAL, FAILED = "ok", "partial", "failed"

SCHEMA = pa.schema([
    ("site", pa.string()), ("family", pa.string()), ("status", pa.string()),
    ("run_started", pa.string()), ("run_finished", pa.string()), ("complete", pa.bool_()),
    ("listing_pages", pa.int64()), ("listing_unchanged", pa.int64()),
    ("report_links", pa.int64()), ("responses", pa.int64()),
    ("files_new", pa.int64()), ("files_replaced", pa.int64()), ("files_unchanged", pa.int64()),
    ("not_modified", pa.int64()), ("blocked", pa.int64()), ("skipped", pa.int64()),
    ("robots_denied", pa.int64()), ("refused", pa.int64()), ("errors", pa.int64()),
    ("error_kinds", pa.string()), ("last_success", pa.string()),
])


@dataclass(frozen=True, slots=True)
class Progress:
    """The crawl so far, for a live display."""

    sites_done: int
    sites: int
    pages: int
    files: int
    errors: int


def progress_of(tallies: list[SiteTally], started: set[str]) -> Progress:
    return Progress(
        sites_done=sum(1 for t in tallies if t.site in started and t.pending == 0),
        sites=len(tallies), pages=sum(t.listing_pages for t in tallies),
        files=sum(t.files for t in tallies), errors=sum(t.errors for t in tallies))


@dataclass(slots=True)
class SiteTally:
    """Counts of one site in one run."""

    site: str
    family: str
    listing_pages: int = 0
    listing_unchanged: int = 0
    report_links: int = 0
    responses: int = 0
    files_new: int = 0
    files_replaced: int = 0
    files_unchanged: int = 0
    not_modified: int = 0
    blocked: int = 0
    skipped: int = 0
    robots_denied: int = 0
    refused: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    pending: int = 0  # requests of this site not yet answered

    @property
    def errors(self) -> int:
        return sum(self.error_kinds.values())

    @property
    def files(self) -> int:
        return self.files_new + self.files_replaced

    @property
    def status(self) -> str:
        if self.listing_pages == 0 and self.listing_unchanged == 0:
            return FAILED
        return PARTIAL if self.errors else OK

    def count_failure(self, failure: Failure) -> None:
        """One failed request: a robots.txt denial, a refusal, or an error of some kind (a
        robots.txt that could not be fetched is an error: the site did not deny anything)."""
        kind = failure_kind(failure)
        if kind == "robots":
            self.robots_denied += 1
        elif kind == "refused":
            self.refused += 1
        else:
            self.error_kinds[kind] += 1
            if kind.startswith("http_"):
                self.responses += 1


def failure_kind(failure: Failure) -> str:
    """A short name for why a request failed: ``http_404``, ``dns``, ``timeout`` …"""
    error = failure.value
    if isinstance(error, HttpError):
        return "refused" if _redirect_out(error) else f"http_{error.response.status}"
    if isinstance(error, RefusedHost):
        return "refused"
    if isinstance(error, IgnoreRequest):
        if ROBOTS_FORBIDDEN in str(error):
            return "robots"
        return "robots_unreachable" if ROBOTS_UNREACHABLE in str(error) else "ignored"
    kinds: list[tuple[tuple[type[BaseException], ...], str]] = [
        ((DNSLookupError,), "dns"), ((TimeoutError, TCPTimedOutError), "timeout"),
        ((ConnectionRefusedError,), "connection_refused"),
        ((ConnectionLost, ResponseNeverReceived, ConnectError), "connection_lost")]
    for classes, kind in kinds:
        if isinstance(error, classes):
            return kind
    return type(error).__name__.lower()


def _redirect_out(error: HttpError) -> bool:
    """A redirect left unfollowed because it leads out of http and https (``file:`` …)."""
    location = (error.response.headers.get(b"Location") or b"").decode("latin-1").strip()
    scheme = urlsplit(location).scheme.lower()
    return 300 <= error.response.status < 400 and bool(scheme) and scheme not in SCHEMES


def report_rows(tallies: list[SiteTally], started: str, finished: str, complete: bool,
                last_success: dict[str, str]) -> list[dict[str, object]]:
    """One row per site, in SCHEMA's columns: the run's own, else the tally's of that name."""
    run = {"run_started": started, "run_finished": finished, "complete": complete}
    rows = []
    for t in tallies:
        own = run | {"error_kinds": json.dumps(dict(sorted(t.error_kinds.items())), ensure_ascii=False),
                     "last_success": last_success.get(t.site)}
        rows.append({name: own[name] if name in own else getattr(t, name) for name in SCHEMA.names})
    return rows


def write_report(store: Path, rows: list[dict[str, object]]) -> Path:
    """``crawl_report.parquet`` and its readable summary, each replaced atomically."""
    target = store / REPORT_FILE
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), temporary)
    os.replace(temporary, target)
    text = store / SUMMARY_FILE
    temporary = text.with_name(f".{text.name}.{os.getpid()}.tmp")
    temporary.write_text("\n".join(summary_lines(rows)) + "\n", encoding="utf-8")
    os.replace(temporary, text)
    return target


def summary_lines(rows: list[dict[str, object]]) -> list[str]:
    """The report as text: a line per failed or partial site, then the totals."""
    failed = [r for r in rows if r["status"] == FAILED]
    partial = [r for r in rows if r["status"] == PARTIAL]
    lines = [f"crawl {rows[0]['run_started']} - {rows[0]['run_finished']}" if rows else "crawl"]
    for row in failed + partial:
        kinds = json.loads(str(row["error_kinds"]))
        detail = ", ".join(f"{k} {n}" for k, n in kinds.items()) or "no listing page read"
        last = row["last_success"] or "never"
        lines.append(f"{row['status']:>7}  {row['site']}: {detail}; robots denied "
                     f"{row['robots_denied']}, refused {row['refused']}; last success {last}")
    total = Counter[str]()
    for row in rows:
        for key in ("listing_pages", "report_links", "files_new", "files_replaced",
                    "files_unchanged", "not_modified", "errors"):
            total[key] += int(row[key])  # type: ignore[call-overload]
    lines.append(
        f"{len(rows)} sites: {len(rows) - len(failed) - len(partial)} ok, {len(partial)} partial, "
        f"{len(failed)} failed; {total['listing_pages']} listing pages, {total['report_links']} "
        f"report links, {total['files_new']} new and {total['files_replaced']} replaced files, "
        f"{total['files_unchanged'] + total['not_modified']} unchanged, {total['errors']} errors")
    return lines
