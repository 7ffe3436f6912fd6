"""What a batch reads: files named, folders walked, crawl stores listed; Office files converted.

A folder keeps only what sniffs as a document (``formats.might_be_document``); a file named
directly is always processed, so that its failure is reported rather than skipped.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from gk_extract.errors import GkError
from gk_extract.formats import OLE_MAGIC, SNIFF_BYTES, might_be_document
from gk_extract.parse.office import warm_cache
from gk_extract.pipeline.worker import MAX_FILE_BYTES, one_line
from gk_extract.store import is_store, store_files

logger = logging.getLogger(__name__)


def collect_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Files to process and files skipped, in a stable order.

    A file that cannot even be looked at (a path longer than the system allows, a folder
    that cannot be listed) is kept: its worker fails it with the reason, as one row."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if is_store(path):
            files.extend(f.path for f in store_files(path))
        elif path.is_dir():
            inside = path.resolve()
            for child in _walk(path):
                wanted = not _hidden(child.relative_to(path)) and _within(child, inside) \
                    and _sniffs_as_document(child)
                (files if wanted else skipped).append(child)
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files, skipped


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted; links to folders are not followed. The walk
    goes by folder descriptors, so it reaches files whose paths are too long to open:
    their workers fail them with that reason."""
    found: list[Path] = []
    for root, _dirs, names, root_fd in os.fwalk(folder, onerror=lambda exc: logger.warning(
            "cannot list %s: %s", exc.filename, exc.strerror)):
        for name in names:
            try:
                if not stat.S_ISREG(os.stat(name, dir_fd=root_fd).st_mode):
                    continue
            except OSError:
                continue  # a dangling link or a link loop
            found.append(Path(root, name))
    return sorted(found)


def convert_office_files(files: Sequence[Path], workers: int) -> None:
    """Convert all .doc/.wps files up front, many per LibreOffice call (far faster than one
    call per file); each is then parsed from the conversion cache. Files that fail here fail
    again, with their reason, when processed one by one."""
    office = [f for f in files if (_head(f) or b"").startswith(OLE_MAGIC)
              and _size(f) <= MAX_FILE_BYTES]  # larger ones fail in their worker, unread
    if not office:
        return
    try:
        converted = warm_cache(office, jobs=workers)
    except GkError as exc:
        logger.warning("not converting %d .doc/.wps files: %s", len(office), one_line(exc))
        return
    logger.info("converted %d of %d .doc/.wps files with LibreOffice", converted, len(office))


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` (a link: its target) lies inside ``folder``; a link loop does not."""
    try:
        if not path.is_symlink():
            return True
    except OSError:  # a path too long to look at: its worker says so
        return True
    try:
        return path.resolve(strict=True).is_relative_to(folder)
    except (OSError, RuntimeError):
        return False


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _sniffs_as_document(path: Path) -> bool:
    head = _head(path)
    return head is None or might_be_document(head)  # unreadable: the worker reports why


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return MAX_FILE_BYTES + 1


def _head(path: Path) -> bytes | None:
    """The file's first bytes, or None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return None
