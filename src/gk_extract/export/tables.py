"""The dataset on disk: each table a directory of parquet parts, updated without rewriting.

``DIR/cells.parquet/part-20261203T130512-4711.parquet`` … pandas, pyarrow and DuckDB read a
table's directory as one table. A run adds a part holding the reports new to the dataset and
leaves the parts it already holds alone, so adding 1,000 files to 100,000 writes 1,000
reports' rows. The tables come in two groups:

* **document** tables (``cells``, ``sections``): a report's rows depend on its file alone. A
  part is rewritten only when a report it holds leaves the dataset (its file was removed or
  changed); the rows it keeps are copied, never extracted again.
* **batch** tables (``reports``, ``checks``): a report's rows also hold what the whole batch
  decides (its copy group and primary, the checks between copies and years, a region found
  from its site). A part is kept when every one of its rows comes out the same.

``manifest.json`` names the live parts (key ``parts``) and ``.parts/NAME.ids`` the report ids
each holds. New parts are written under temporary names, renamed into place, then the
manifest is replaced, then the parts it no longer names are deleted: a run killed at any
moment leaves only whole files, and the next one deletes what the manifest does not name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gk_extract import __version__
from gk_extract.export.parquet import SCHEMA_VERSION, SCHEMAS, report_rows
from gk_extract.models import Report

GROUPS: dict[str, tuple[str, ...]] = {"document": ("cells", "sections"),
                                      "batch": ("reports", "checks")}
MANIFEST = "manifest.json"
IDS_DIR = ".parts"
# Reports whose rows make one row group (~250 cells each); rows wait as Python objects for at
# most ROWS_AS_OBJECTS reports, then as Arrow columns, a fraction of the memory.
ROW_GROUP_REPORTS = 500
ROWS_AS_OBJECTS = 50
# `compact` merges parts until a merged part holds this many reports.
COMPACT_REPORTS = 50_000
# The partition of the reports whose year is not known.
UNKNOWN_YEAR = "unknown"


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a group's tables: one file in each table's directory, named alike."""

    name: str  # part-<year>-<UTC time>-<pid>[-<n>]
    fingerprint: str  # of the code that extracted its reports
    reports: int
    year: str = UNKNOWN_YEAR  # the year its reports are of: parts are partitioned by year

    def file(self, out_dir: Path, table: str) -> Path:
        return out_dir / f"{table}.parquet" / f"{self.name}.parquet"


def table_dir(out_dir: Path, table: str) -> Path:
    return out_dir / f"{table}.parquet"


def read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        body = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def write_json_atomically(path: Path, body: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def live_parts(out_dir: Path) -> dict[str, list[Part]]:
    """The parts the manifest names, per group; none for a dataset of an older layout."""
    found = read_manifest(out_dir).get("parts") or {}
    parts: dict[str, list[Part]] = {group: [] for group in GROUPS}
    for group in GROUPS:
        for entry in found.get(group, ()):
            try:
                parts[group].append(Part(str(entry["name"]), str(entry["fingerprint"]),
                                         int(entry["reports"]),
                                         str(entry.get("year", UNKNOWN_YEAR))))
            except (KeyError, TypeError, ValueError):
                continue
    return parts


def table_files(out_dir: Path, table: str) -> list[Path]:
    """The live files of one table: those the manifest names, else every part in its folder."""
    group = next(g for g, tables in GROUPS.items() if table in tables)
    parts = live_parts(out_dir)[group]
    if parts:
        return [p.file(out_dir, table) for p in parts]
    folder = table_dir(out_dir, table)
    if folder.is_file():  # written before tables were folders
        return [folder]
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def ids_file(out_dir: Path, group: str, part: Part) -> Path:
    return out_dir / IDS_DIR / f"{group}-{part.name}.ids"


def part_ids(out_dir: Path, group: str, part: Part) -> list[str]:
    return ids_file(out_dir, group, part).read_text(encoding="ascii").split()


def new_part_name(year: str, suffix: str = "") -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"part-{year}-{stamp}-{os.getpid()}{suffix}"


def year_of(year: int | None) -> str:
    """The partition of a report of ``year``: the year, or ``unknown``."""
    return str(year) if year is not None else UNKNOWN_YEAR


class PartWriter:
    """Streams rows into one new part of a group's tables, under temporary names until
    :meth:`publish`."""

    def __init__(self, out_dir: Path, group: str, year: str, fingerprint: str,
                 suffix: str = "") -> None:
        self.out_dir, self.group, self.tables = out_dir, group, GROUPS[group]
        self.part = Part(new_part_name(year, suffix), fingerprint, 0, year)
        self.ids: list[str] = []
        self._buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}
        self._columns: dict[str, list[pa.Table]] = {t: [] for t in self.tables}
        self._pending = 0
        self._writers: dict[str, pq.ParquetWriter] = {}
        for table in self.tables:
            table_dir(out_dir, table).mkdir(parents=True, exist_ok=True)
            self._writers[table] = pq.ParquetWriter(self._tmp(table), SCHEMAS[table],
                                                    compression="zstd")

    def _tmp(self, table: str) -> Path:
        return table_dir(self.out_dir, table) / f".{self.part.name}.parquet.tmp-{os.getpid()}"

    def add(self, report: Report, doubtful: int | None = None) -> None:
        rows = report_rows(report, doubtful)
        for table in self.tables:
            self._buffers[table].extend(rows[table])
        self.ids.append(report.report_id)
        self._pending += 1
        if self._pending % ROWS_AS_OBJECTS == 0:
            self._to_columns()
        if self._pending >= ROW_GROUP_REPORTS:
            self._flush()

    def _to_columns(self) -> None:
        for table, rows in self._buffers.items():
            if rows:
                self._columns[table].append(pa.Table.from_pylist(rows, schema=SCHEMAS[table]))
            rows.clear()

    def copy(self, source: Part, keep: Sequence[str]) -> None:
        """The rows of ``keep`` (report ids) from a live part, copied batch by batch."""
        self._flush()
        wanted = pa.array(keep, pa.string())
        for table in self.tables:
            with pq.ParquetFile(source.file(self.out_dir, table)) as old:
                for batch in old.iter_batches():
                    kept = batch.filter(pc.is_in(batch.column("report_id"), value_set=wanted))
                    if kept.num_rows:
                        self._writers[table].write_table(
                            pa.Table.from_batches([kept]).cast(SCHEMAS[table]))
        self.ids.extend(keep)

    def _flush(self) -> None:
        self._to_columns()
        for table, chunks in self._columns.items():
            if chunks:
                self._writers[table].write_table(pa.concat_tables(chunks))
            chunks.clear()
        self._pending = 0

    def close(self) -> Part:
        """Finish the files (still under temporary names) and the ids list."""
        self._flush()
        for writer in self._writers.values():
            writer.close()
        self.part = replace(self.part, reports=len(self.ids))
        final = ids_file(self.out_dir, self.group, self.part)
        final.parent.mkdir(exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        tmp.write_text("".join(f"{i}\n" for i in self.ids), encoding="ascii")
        os.replace(tmp, final)
        return self.part

    def publish(self) -> None:
        for table in self.tables:
            os.replace(self._tmp(table), self.part.file(self.out_dir, table))

    def abort(self) -> None:
        for table, writer in self._writers.items():
            writer.close()
            self._tmp(table).unlink(missing_ok=True)
        ids_file(self.out_dir, self.group, self.part).unlink(missing_ok=True)


# What a report's rows are made of: the report (for batch tables: with the batch's additions
# and without its cells and sections) and its count of doubtful cells when the report does not
# carry its cells.
Rows = Callable[[str], tuple[Report, int | None]]


@dataclass(slots=True)
class Update:
    """What one update did, per group: parts kept, written and dropped."""

    kept: dict[str, int]
    written: dict[str, int]  # reports in the new part (new ones and rows moved from old parts)
    dropped: dict[str, int]


class _Writes:
    """New parts written together: published, and named in the manifest, only when every one
    is complete; all of them removed when any fails."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.writers: list[PartWriter] = []

    def part(self, group: str, year: str, fingerprint: str, suffix: str = "") -> PartWriter:
        writer = PartWriter(self.out_dir, group, year, fingerprint, suffix)
        self.writers.append(writer)
        return writer

    def commit(self, parts: dict[str, list[Part]], dropped: Iterable[tuple[str, Part]]) -> None:
        for writer in self.writers:
            writer.publish()
        _commit(self.out_dir, parts, dropped)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if kind is not None:
            for writer in self.writers:
                writer.abort()


def update_dataset(out_dir: Path, members: Sequence[str], years: Callable[[str], str],
                   fingerprint: str, document: Rows, batch: Rows) -> Update:
    """Make the dataset in ``out_dir`` hold exactly ``members`` (report ids), writing only what
    changed. ``years(id)`` is a report's partition (:func:`year_of`); ``document(id)`` gives a
    report with its cells and sections (asked only for reports no live part holds);
    ``batch(id)`` the report as the batch tables show it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_older_layout(out_dir)
    wanted = sorted(set(members))
    live = live_parts(out_dir)
    update = Update({}, {}, {})
    result: dict[str, list[Part]] = {}
    dropped: list[tuple[str, Part]] = []
    with _Writes(out_dir) as writes:
        for group, rows in (("document", document), ("batch", batch)):
            # batch rows carry the batch's decisions: a part is kept only if they come out
            # the same; document rows never change, a part goes only with its reports
            kept, moved, gone = _sort_parts(out_dir, group, live[group], wanted, fingerprint,
                                            rows if group == "batch" else None)
            covered = {i for p in kept for i in part_ids(out_dir, group, p)}
            covered.update(i for _, ids in moved for i in ids)
            todo: dict[str, tuple[list[tuple[Part, list[str]]], list[str]]] = {}
            for part, ids in moved:
                todo.setdefault(part.year, ([], []))[0].append((part, ids))
            for rid in wanted:
                if rid not in covered:
                    todo.setdefault(years(rid), ([], []))[1].append(rid)
            if not kept and not todo:  # an empty dataset still has its tables
                todo[UNKNOWN_YEAR] = ([], [])
            parts = list(kept)
            for year, (copies, fresh) in sorted(todo.items()):
                writer = writes.part(group, year, fingerprint)
                for part, ids in copies:
                    writer.copy(part, ids)
                for rid in fresh:
                    writer.add(*rows(rid))
                parts.append(writer.close())
            result[group] = parts
            dropped += [(group, p) for p in gone + [p for p, _ in moved]]
            update.kept[group] = len(kept)
            update.written[group] = sum(p.reports for p in parts[len(kept):])
            update.dropped[group] = len(gone) + len(moved)
        writes.commit(result, dropped)
    return update


def _sort_parts(out_dir: Path, group: str, parts: Sequence[Part], wanted: Sequence[str],
                fingerprint: str, compare: Rows | None,
                ) -> tuple[list[Part], list[tuple[Part, list[str]]], list[Part]]:
    """Live parts as (kept whole, moved: the rows to copy from them, dropped). ``compare``:
    keep a part only when these rows of its reports are the ones it holds."""
    members = set(wanted)
    kept: list[Part] = []
    moved: list[tuple[Part, list[str]]] = []
    gone: list[Part] = []
    for part in parts:
        try:
            ids = part_ids(out_dir, group, part)
        except OSError:
            gone.append(part)
            continue
        mine = [i for i in ids if i in members]
        if part.fingerprint != fingerprint or not mine:
            gone.append(part)
        elif compare is not None:
            whole = len(mine) == len(ids) and _same_rows(out_dir, part, ids, compare)
            (kept if whole else gone).append(part)
        elif len(mine) == len(ids):
            kept.append(part)
        else:
            moved.append((part, mine))
    return kept, moved, gone


def _same_rows(out_dir: Path, part: Part, ids: list[str], batch: Rows) -> bool:
    """Whether the batch tables' rows of ``ids`` are those the part holds, compared a few
    hundred reports at a time (a part may hold 100,000)."""
    try:
        old = {t: pq.read_table(part.file(out_dir, t), schema=SCHEMAS[t]) for t in GROUPS["batch"]}
    except (OSError, pa.ArrowException):
        return False
    offset = dict.fromkeys(old, 0)
    for start in range(0, len(ids), ROW_GROUP_REPORTS):
        fresh: dict[str, list[dict[str, Any]]] = {t: [] for t in old}
        for rid in ids[start:start + ROW_GROUP_REPORTS]:
            rows = report_rows(*batch(rid))
            for table, made in fresh.items():
                made.extend(rows[table])
        for table, made in fresh.items():
            chunk = pa.Table.from_pylist(made, schema=SCHEMAS[table])
            if not old[table].slice(offset[table], len(made)).equals(chunk):
                return False
            offset[table] += len(made)
    return all(offset[t] == old[t].num_rows for t in old)


def _commit(out_dir: Path, parts: dict[str, list[Part]],
            dropped: Iterable[tuple[str, Part]]) -> None:
    """Name ``parts`` in the manifest, then delete the dropped parts' files."""
    body = read_manifest(out_dir)
    body["parts"] = {group: [asdict(p) for p in found] for group, found in parts.items()}
    write_json_atomically(out_dir / MANIFEST, body)
    for group, part in dropped:
        for table in GROUPS[group]:
            part.file(out_dir, table).unlink(missing_ok=True)
        ids_file(out_dir, group, part).unlink(missing_ok=True)


def _remove_older_layout(out_dir: Path) -> None:
    """A dataset written before tables were folders: its single files give way."""
    for tables in GROUPS.values():
        for table in tables:
            path = table_dir(out_dir, table)
            if path.is_file():
                path.unlink()


def remove_stale_parts(out_dir: Path, alive: Callable[[int], bool]) -> None:
    """Delete part files the manifest does not name (a killed run's), and temporary files of
    processes that are gone. A folder whose manifest names no parts is left alone."""
    live = live_parts(out_dir)
    if not any(live.values()):
        return
    named = {ids_file(out_dir, group, p) for group, parts in live.items() for p in parts}
    folders = [(out_dir / IDS_DIR, "*.ids", named)]
    for group, tables in GROUPS.items():
        files = {p.file(out_dir, t) for p in live[group] for t in tables}
        folders += [(table_dir(out_dir, t), "part-*.parquet", files) for t in tables]
    for folder, pattern, keep in folders:
        if not folder.is_dir():
            continue
        remove_dead_temporaries(folder.glob("*.tmp-*"), alive)
        for path in folder.glob(pattern):
            if path not in keep:
                path.unlink(missing_ok=True)


def remove_dead_temporaries(paths: Iterable[Path], alive: Callable[[int], bool]) -> None:
    """Delete the temporary files (``….tmp-<pid>``) among ``paths`` whose process is gone."""
    for path in paths:
        pid = path.name.rsplit(".tmp-", 1)[-1]
        if pid.isdigit() and not alive(int(pid)):
            path.unlink(missing_ok=True)


def compact(out_dir: Path, target: int = COMPACT_REPORTS) -> dict[str, tuple[int, int]]:
    """Merge each group's small parts into parts of up to ``target`` reports; returns, per
    group, (parts before, parts after). Rows are copied, never changed."""
    live = live_parts(out_dir)
    if not any(live.values()):
        raise FileNotFoundError(f"{out_dir} holds no dataset of parts (no parts in its {MANIFEST})")
    result: dict[str, list[Part]] = {}
    dropped: list[tuple[str, Part]] = []
    counts: dict[str, tuple[int, int]] = {}
    with _Writes(out_dir) as writes:
        for group, parts in live.items():
            result[group] = [p for p in parts if p.reports >= target]
            for batch in _batches([p for p in parts if p.reports < target], target):
                if len(batch) == 1:
                    result[group].append(batch[0])
                    continue
                writer = writes.part(group, batch[0].year, batch[0].fingerprint,
                                     f"-{len(writes.writers)}")
                for part in batch:
                    writer.copy(part, part_ids(out_dir, group, part))
                result[group].append(writer.close())
                dropped += [(group, p) for p in batch]
            counts[group] = (len(parts), len(result[group]))
        writes.commit(result, dropped)
    return counts


def _batches(parts: Sequence[Part], target: int) -> Iterator[list[Part]]:
    """Runs of parts of one year and fingerprint holding up to ``target`` reports."""
    batch: list[Part] = []
    size = 0
    for part in sorted(parts, key=lambda p: (p.year, p.fingerprint, p.name)):
        if batch and (size + part.reports > target or part.year != batch[0].year
                      or part.fingerprint != batch[0].fingerprint):
            yield batch
            batch, size = [], 0
        batch.append(part)
        size += part.reports
    if batch:
        yield batch


def write_dataset(reports: Iterable[Report], out_dir: Path, fingerprint: str = "") -> None:
    """A dataset of exactly ``reports``, streamed into one new part per group and year
    (replacing whatever ``out_dir`` held)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_older_layout(out_dir)
    live = live_parts(out_dir)
    with _Writes(out_dir) as writes:
        writers: dict[tuple[str, str], PartWriter] = {}
        for report in reports:
            for group in GROUPS:
                key = (group, year_of(report.year))
                if key not in writers:
                    writers[key] = writes.part(group, key[1], fingerprint)
                writers[key].add(report)
        for group in GROUPS:
            if not any(g == group for g, _ in writers):
                writers[(group, UNKNOWN_YEAR)] = writes.part(group, UNKNOWN_YEAR, fingerprint)
        parts: dict[str, list[Part]] = {group: [] for group in GROUPS}
        for (group, _), writer in sorted(writers.items()):
            parts[group].append(writer.close())
        writes.commit(parts, [(g, p) for g, found in live.items() for p in found])


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """The run's account in ``manifest.json``, keeping what it says of the dataset's parts."""
    parts = read_manifest(out_dir).get("parts")
    body = {"gk_extract_version": __version__, "schema_version": SCHEMA_VERSION, **manifest}
    if parts is not None:
        body["parts"] = parts
    write_json_atomically(out_dir / MANIFEST, body)
