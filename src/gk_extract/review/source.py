"""A report's source file, found by its id and nothing else.

The rules, before the code:

* A request names a report by its id (``^[0-9a-f]{64}$``, the sha256 of the file); no path
  from a request is ever opened.
* With a crawl store, the file is the store's blob of that sha256
  (``STORE/ab/<sha256>.<ext>``, the store's own layout). Otherwise it is the report's
  ``source_path`` from reports.parquet, served only when, symlinks resolved, it lies inside
  DATA or STORE.
* Either way the bytes must hash to the id: a file replaced since the extraction is not
  shown as the source of values read from another.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from gk_extract.formats import EXTENSIONS
from gk_extract.review.data import is_report_id

logger = logging.getLogger(__name__)

# Sources kept in memory, by report id: a report page asks for its file several times (the
# page, each PDF page's image); 16 reports of the usual few MB each.
CACHED_SOURCES = 16


@dataclass(frozen=True, slots=True)
class Source:
    report_id: str
    path: Path
    data: bytes


class Sources:
    """The source files of a dataset's reports, inside ``roots`` only."""

    def __init__(self, data_dir: Path, store: Path | None) -> None:
        self.store = store.resolve() if store else None
        self.roots = tuple(r for r in (data_dir.resolve(), self.store) if r is not None)
        self._cache: dict[str, Source] = {}
        self._lock = threading.Lock()

    def get(self, report_id: str, source_path: str | None) -> Source | None:
        """The verified source of ``report_id``, or None when none is within reach."""
        if not is_report_id(report_id):
            return None
        with self._lock:
            if report_id in self._cache:
                return self._cache[report_id]
        found = self._read(report_id, source_path)
        if found is not None:
            with self._lock:
                if len(self._cache) >= CACHED_SOURCES:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[report_id] = found
        return found

    def _read(self, report_id: str, source_path: str | None) -> Source | None:
        for path in self._candidates(report_id, source_path):
            if not self._inside(path) or not path.is_file():
                continue
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == report_id:
                return Source(report_id, path, data)
            logger.warning("%s: %s no longer holds the extracted bytes", report_id, path)
        return None

    def _candidates(self, report_id: str, source_path: str | None) -> list[Path]:
        found = []
        if self.store is not None:
            folder = self.store / report_id[:2]
            found += [(folder / f"{report_id}.{ext}").resolve() for ext in EXTENSIONS]
        if source_path:
            found.append(Path(source_path).resolve())
        return found

    def _inside(self, path: Path) -> bool:
        return any(path.is_relative_to(root) for root in self.roots)
