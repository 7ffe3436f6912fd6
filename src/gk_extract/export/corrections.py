"""A reviewer's decisions about cells, kept beside the dataset and never written into it.

``DATA/corrections.parquet`` holds one row per decision: a cell confirmed as extracted, or
given the value the reviewer read in the source, with a reason. Rows are only ever added
(the whole file is written anew under a temporary name and renamed, under a lock, so a
reader sees the old file or the new one). cells.parquet is never changed: the panel, the
DuckDB views and the exports lay the latest decision per (report_id, key) over the
extracted value as ``value_reviewed``.

A decision records the cell as the reviewer saw it (``old_raw``, ``old_value``). When a later
extraction gives that cell another raw text or value, or no longer gives it, the decision
is ``source_changed``: it is kept and shown, but no longer laid over the value, which the
reviewer should look at again.
"""

from __future__ import annotations

import fcntl
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from gk_extract.export.duckdb import connect, write_panel
from gk_extract.export.parquet import CORRECTIONS, CORRECTIONS_FILE

LOCK_FILE = ".corrections.lock"
ACTIONS = ("confirm", "correct")


class CorrectionError(ValueError):
    """A decision that cannot be stored (unknown action, no reason for a correction …)."""


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer decision about one cell of one report."""

    report_id: str
    key: str
    old_raw: str | None
    old_value: float | None
    new_value: float | None  # what the reviewer says is right; a confirm repeats old_value
    action: str  # "confirm" or "correct"
    reason: str
    reviewer: str
    at: datetime  # UTC

    def problem(self) -> str | None:
        """Why this decision cannot be stored, or None."""
        if self.action not in ACTIONS:
            return f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}"
        if not self.reviewer.strip():
            return "a decision needs the reviewer's name"
        if self.action == "correct" and not self.reason.strip():
            return "a correction needs a reason"
        if self.new_value is not None and not math.isfinite(self.new_value):
            return "the new value must be a finite number"
        return None


@dataclass(frozen=True, slots=True)
class ReviewedCell:
    """The latest decision about a cell, and whether the cell has changed since."""

    correction: Correction
    source_changed: bool


def corrections_path(data_dir: Path) -> Path:
    return data_dir / CORRECTIONS_FILE


def append_correction(data_dir: Path, correction: Correction) -> None:
    """Add one decision to ``DATA/corrections.parquet``, atomically."""
    if problem := correction.problem():
        raise CorrectionError(problem)
    row = pa.Table.from_pylist([_row(correction)], schema=CORRECTIONS)
    with _locked(data_dir):
        path = corrections_path(data_dir)
        table = pa.concat_tables([pq.read_table(path, schema=CORRECTIONS), row]) \
            if path.exists() else row
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            pq.write_table(table, temporary, compression="zstd")
            with temporary.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


def read_corrections(data_dir: Path) -> list[Correction]:
    """Every decision, in the order they were made."""
    path = corrections_path(data_dir)
    if not path.exists():
        return []
    return [Correction(**row) for row in pq.read_table(path, schema=CORRECTIONS).to_pylist()]


def latest(corrections: list[Correction]) -> dict[tuple[str, str], Correction]:
    """The last decision per (report_id, key)."""
    return {(c.report_id, c.key): c for c in corrections}


def reviewed_cells(data_dir: Path) -> dict[tuple[str, str], ReviewedCell]:
    """The latest decision per cell, each checked against the cell as extracted now."""
    decisions = latest(read_corrections(data_dir))
    if not decisions:
        return {}
    with connect(data_dir) as con:
        rows = con.execute(
            "select report_id, key, raw, value from cells where report_id in "
            "(select unnest(?::varchar[]))", [sorted({rid for rid, _ in decisions})]).fetchall()
    now = {(rid, key): (raw, value) for rid, key, raw, value in rows}
    return {cell: ReviewedCell(c, now.get(cell) != (c.old_raw, c.old_value))
            for cell, c in decisions.items()}


def refresh_panel(data_dir: Path) -> Path:
    """``DATA/panel.parquet`` written anew, the decisions laid over the values."""
    return write_panel(data_dir)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _row(correction: Correction) -> dict[str, object]:
    return {name: getattr(correction, name) for name in CORRECTIONS.names}


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
