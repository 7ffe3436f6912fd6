"""What a batch reads: files named, folders walked, crawl stores listed; Office files converted.

A folder keeps only what sniffs as a document (``formats.might_be_document``); a file named
directly is always processed, so that its failure is reported rather than skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from gk_extract.errors import GkError
from gk_extract.formats import OLE_MAGIC, SNIFF_BYTES, might_be_document
from gk_extract.parse.office import warm_cache
from gk_extract.pipeline.worker import one_line
from gk_extract.store import is_store, store_files

logger = logging.getLogger(__name__)


def collect_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Files to process and files skipped, in a stable order."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if is_store(path):
            files.extend(f.path for f in store_files(path))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                wanted = not _hidden(child.relative_to(path)) and _sniffs_as_document(child)
                (files if wanted else skipped).append(child)
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files, skipped


def convert_office_files(files: Sequence[Path], workers: int) -> None:
    """Convert all .doc/.wps files up front, many per LibreOffice call (far faster than one
    call per file); each is then parsed from the conversion cache. Files that fail here fail
    again, with their reason, when processed one by one."""
    office = [f for f in files if (_head(f) or b"").startswith(OLE_MAGIC)]
    if not office:
        return
    try:
        converted = warm_cache(office, jobs=workers)
    except GkError as exc:
        logger.warning("not converting %d .doc/.wps files: %s", len(office), one_line(exc))
        return
    logger.info("converted %d of %d .doc/.wps files with LibreOffice", converted, len(office))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _sniffs_as_document(path: Path) -> bool:
    head = _head(path)
    return head is None or might_be_document(head)  # unreadable: the worker reports why


def _head(path: Path) -> bytes | None:
    """The file's first bytes, or None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return None
