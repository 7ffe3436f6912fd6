"""One document: read, sniff, parse and match it under a time limit; save its report.

:func:`process_file` is what a worker process runs. It never raises: every failure
becomes a report with status ``failed``, a one-line ``error`` and an ``error_kind``.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import signal
from pathlib import Path

from gk_extract.errors import INTERNAL_KIND, MEMORY_KIND, DocumentTimeout, GkError, InputError
from gk_extract.formats import sniff
from gk_extract.models import ImageSource, Report
from gk_extract.parse import parse_document
from gk_extract.parse.images import folder_images, no_images
from gk_extract.pipeline.parts import (
    Outcome,
    encode,
    load_head,
    load_part,
    outcome_of,
    part_path,
    save,
)
from gk_extract.store import is_store, stored_images
from gk_extract.template.match import Source, build_report

logger = logging.getLogger(__name__)

# A text report parses in well under a second, but OCR reads a scanned page in about 4 s on
# one core: 300 s lets a 60-page scan through and still stops hostile or pathological files.
DEFAULT_TIMEOUT_S = 300.0
# Files larger than this are refused unread: the largest real reports (scanned PDFs) stay below.
MAX_FILE_BYTES = 200 * 1024 * 1024
# The longest error message a report keeps.
MAX_ERROR_CHARS = 300


def process_file(path: str, out_dir: str, timeout_s: float, reuse: bool,
                 source_url: str | None = None, region: str | None = None) -> Outcome:
    """Worker entry: one file to its saved report; a saved one is reused unless it timed out
    (a later run may allow more time). ``region``: the crawl registry's for the file's site."""
    shown = shown_path(path)
    try:
        data = read_file(Path(path))
    except (OSError, GkError) as exc:
        return save(failed_report(path, one_line(exc), error_kind(exc), source_url), Path(out_dir))
    report_id = hashlib.sha256(data).hexdigest()
    saved = saved_outcome(Path(out_dir), report_id, shown, source_url) if reuse else None
    if saved is not None:
        return saved
    images = image_source(Path(path), source_url)
    return save(extract_bytes(data, shown, report_id, timeout_s, source_url, images, region),
                Path(out_dir))


def saved_outcome(out_dir: Path, report_id: str, shown: str,
                  source_url: str | None) -> Outcome | None:
    """The outcome of the report saved for these bytes under this name, when there is a whole
    one to reuse (not one that timed out: a later run may allow more time)."""
    part = part_path(out_dir, report_id)
    head = load_head(part)
    if head is not None and head.report.source_path == shown \
            and head.report.source_url == source_url \
            and head.report.error_kind != DocumentTimeout.kind and load_part(part) is not None:
        return outcome_of(head.report, part, head.summary)
    return None


def preload() -> None:
    """Load what nearly every document needs before the workers are forked: the HTML and
    DOCX parsers, the template matcher and the region tables (cpca's table alone takes a
    third of a second). Every worker, the ones that replace others included, then starts
    warm and shares those pages. The PDF and OCR stacks still load in the worker that first
    needs them."""
    import gk_extract.parse.docx
    import gk_extract.parse.html
    import gk_extract.template.match  # noqa: F401
    from gk_extract.normalize.regions import gazetteer

    gazetteer()
    # What is loaded now lives as long as the workers: kept out of their garbage collector's
    # walks, which would otherwise visit (and, by the reference counts, copy) every object.
    gc.freeze()


def shown_path(path: str) -> str:
    """The path as the dataset records it: valid Unicode always. A name that is not UTF-8
    (GBK names from unpacked archives) keeps its bytes as ``\\xNN`` escapes, losslessly."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def failed_report(path: str, error: str, kind: str, source_url: str | None = None) -> Report:
    """The report of a file that was never parsed (keyed by its path: its bytes are unknown)."""
    shown = shown_path(path)
    return Report(report_id=hashlib.sha256(os.fsencode(path)).hexdigest(), source_path=shown,
                  format="unknown", status="failed", error=error, error_kind=kind,
                  source_url=source_url)


def image_source(path: Path, source_url: str | None) -> ImageSource:
    """Where the images of the HTML page at ``path`` are read from: the page's folder for a
    local file, the crawl store for a crawled page (it stores the body's images)."""
    if source_url is None:
        return folder_images(path.parent)
    store = path.parent.parent
    return stored_images(store, source_url) if is_store(store) else no_images


def read_file(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"file of {size} bytes is over the {MAX_FILE_BYTES} byte limit")
    return path.read_bytes()


def extract_bytes(data: bytes, source_path: str, report_id: str, timeout_s: float,
                  source_url: str | None = None, images: ImageSource | None = None,
                  region: str | None = None) -> Report:
    """Given one file's bytes, return its report; failures become status ``failed``.

    ``images``: where an HTML page's images are read from (see :func:`image_source`).
    """
    fmt = "unknown"
    try:
        with time_limit(timeout_s):
            fmt = sniff(data).value
            document = parse_document(data, fmt, images)
            return build_report(document, Source(report_id, source_path, fmt, source_url, region))
    except Exception as exc:
        logger.debug("%s failed", source_path, exc_info=True)
        return Report(report_id=report_id, source_path=source_path, format=fmt, status="failed",
                      source_url=source_url, error=one_line(exc), error_kind=error_kind(exc))


def extract_encoded(data: bytes, source_path: str, report_id: str, timeout_s: float,
                    source_url: str | None = None, region: str | None = None) -> bytes:
    """:func:`extract_bytes` with the report as JSON (what a cluster worker sends back when
    the documents are sent to it as bytes: it writes nothing itself)."""
    return encode(extract_bytes(data, source_path, report_id, timeout_s, source_url,
                                no_images, region))


def extract_one(path: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Report:
    """One file to one report, in this process, saving nothing (``gk-extract show``)."""
    data = read_file(path)
    return extract_bytes(data, str(path), hashlib.sha256(data).hexdigest(), timeout_s,
                         images=folder_images(path.parent))


def one_line(exc: BaseException) -> str:
    """The exception as one line; an unexpected one (a bug) is named by its type."""
    if isinstance(exc, MemoryError):
        return "out of memory: the document needs more than the worker's memory limit"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, GkError):
        text = f"{type(exc).__name__}: {text}"
    return text[:MAX_ERROR_CHARS]


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, GkError):
        return exc.kind
    if isinstance(exc, MemoryError):
        return MEMORY_KIND
    return InputError.kind if isinstance(exc, OSError) else INTERNAL_KIND


class time_limit:
    """Raise DocumentTimeout in this (main) thread after ``seconds``; a no-op elsewhere."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        try:
            signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.armed = True
        except ValueError:  # not the main thread: no alarm available
            self.armed = False

    def _expire(self, signum: int, frame: object) -> None:
        raise DocumentTimeout(f"time limit: parsing took longer than {self.seconds:g} s")

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
