"""The SQLite manifest: one row per stored fetch, plus listing validators and site runs.

A row is inserted only after its file is in place (``BlobStore.put`` renames atomically), so
a crash can leave an unreferenced file but never a row for a missing file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

MANIFEST_NAME = "manifest.sqlite"
# Waits for a concurrent writer (a second crawl on the same store) instead of failing at once.
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
create table if not exists fetches (
    id integer primary key,
    site text not null, kind text not null,
    requested_url text not null, final_url text not null, referer text,
    title text, pub_date text, year integer, filename text,
    fetched_at text not null, http_status integer not null, content_type text,
    etag text, last_modified text, sha256 text not null, size integer not null, ext text not null
);
create index if not exists fetches_url on fetches (requested_url);
create table if not exists listings (
    url text primary key, site text not null, etag text, last_modified text, fetched_at text not null
);
create table if not exists runs (
    site text primary key, started_at text, finished_at text
);
create table if not exists sites (
    site text primary key, region text
);
"""


@dataclass(frozen=True, slots=True)
class Fetch:
    """One stored download (an article page or an attachment)."""

    site: str
    kind: str  # "article" or "attachment"
    requested_url: str
    final_url: str
    referer: str | None
    title: str | None
    pub_date: str | None
    year: int | None
    filename: str | None
    fetched_at: str
    http_status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    sha256: str
    size: int
    ext: str

    def rel_path(self) -> Path:
        return Path(self.sha256[:2]) / f"{self.sha256}.{self.ext}"


_COLUMNS = [f.name for f in fields(Fetch)]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_store(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST_NAME).is_file()


class Manifest:
    """The manifest of one store; every write is its own committed transaction."""

    def __init__(self, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(store / MANIFEST_NAME, timeout=BUSY_TIMEOUT_S)
        self.db.execute("pragma journal_mode=wal")  # readers (extract) never block the crawler
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def add(self, fetch: Fetch) -> None:
        marks = ", ".join("?" for _ in _COLUMNS)
        with self.db:
            self.db.execute(f"insert into fetches ({', '.join(_COLUMNS)}) values ({marks})",
                            astuple(fetch))

    def latest(self, url: str) -> Fetch | None:
        row = self.db.execute(f"select {', '.join(_COLUMNS)} from fetches where requested_url = ?"
                              " order by id desc limit 1", (url,)).fetchone()
        return Fetch(*row) if row else None

    def known_urls(self) -> set[str]:
        return {u for (u,) in self.db.execute("select distinct requested_url from fetches")}

    def current(self) -> Iterator[Fetch]:
        """The newest fetch of every URL (a replaced file's old version is not current)."""
        query = (f"select {', '.join(_COLUMNS)} from fetches where id in "
                 "(select max(id) from fetches group by requested_url) order by id")
        for row in self.db.execute(query):
            yield Fetch(*row)

    def due_for_recheck(self, site: str, days: int) -> list[Fetch]:
        """Current fetches of ``site`` published (or, undated, first fetched) in the last days."""
        since = (datetime.now(UTC) - timedelta(days=days)).date().isoformat()
        return [f for f in self.current() if f.site == site
                and (f.pub_date or f.fetched_at)[:10] >= since]

    # ------------------------------------------------------------------ listings and runs

    def listing_validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("select etag, last_modified from listings where url = ?",
                              (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_listing(self, url: str, site: str, etag: str | None, last_modified: str | None) -> None:
        with self.db:
            self.db.execute("insert or replace into listings values (?, ?, ?, ?, ?)",
                            (url, site, etag, last_modified, now_iso()))

    def start_run(self, site: str) -> bool:
        """Mark a run of ``site`` as started; True when the previous run had finished."""
        row = self.db.execute("select started_at, finished_at from runs where site = ?",
                              (site,)).fetchone()
        finished = bool(row and row[1])
        with self.db:
            self.db.execute("insert into runs values (?, ?, null) on conflict(site) do update "
                            "set started_at = excluded.started_at, finished_at = null",
                            (site, now_iso()))
        return finished

    def set_site_region(self, site: str, region: str | None) -> None:
        """Record the registry's ``region`` of ``site`` (evidence for its reports' region)."""
        with self.db:
            self.db.execute("insert or replace into sites values (?, ?)", (site, region))

    def site_regions(self) -> dict[str, str]:
        return {site: region for site, region in
                self.db.execute("select site, region from sites where region is not null")}

    def last_success(self) -> dict[str, str]:
        """Per site, when it last answered: its first listing page read, or a file stored."""
        query = ("select site, max(at) from (select site, fetched_at as at from listings "
                 "union all select site, fetched_at from fetches) group by site")
        return {site: at for site, at in self.db.execute(query) if at}

    def finish_run(self, site: str) -> None:
        with self.db:
            self.db.execute("update runs set finished_at = ? where site = ?", (now_iso(), site))


def iter_rows(manifest: Manifest) -> Iterator[tuple[object, ...]]:
    """Every fetch row as a tuple, oldest first (for reports and tests)."""
    yield from manifest.db.execute(f"select {', '.join(_COLUMNS)} from fetches order by id")


