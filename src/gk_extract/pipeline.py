"""Batch extraction: files -> reports -> dataset, one status per document, never aborting.

Each document is processed in a worker under a time limit; its report is saved at once
under ``OUT/.work/`` (keyed by the file's sha256 and the code's fingerprint), so a killed
run resumes where it stopped and a re-run on the same input rebuilds the same dataset
without parsing again. The parquet files are written at the end, atomically.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import gk_extract
from gk_extract.errors import DocumentTimeout, GkError, UnsupportedFormat
from gk_extract.export.parquet import DatasetWriter, write_manifest
from gk_extract.models import Report
from gk_extract.parse import parse_document
from gk_extract.parse.detect import OLE_MAGIC, detect_format
from gk_extract.parse.images import ImageSource, folder_images, no_images
from gk_extract.parse.office import warm_cache
from gk_extract.store import Manifest, is_store
from gk_extract.template.match import Source, build_report

if TYPE_CHECKING:
    from gk_extract.fetch import CrawlSettings, CrawlSummary, Site

logger = logging.getLogger(__name__)

# A text report parses in well under a second, but OCR reads a scanned page in about 4 s on
# one core: 300 s lets a 60-page scan through and still stops hostile or pathological files.
DEFAULT_TIMEOUT_S = 300.0
# Batch workers each take one core; OCR's own thread pool would otherwise take them all.
OCR_THREADS_PER_WORKER = "1"
# Bytes read to decide whether a file found in a folder is a document at all.
SNIFF_BYTES = 4096
# Files larger than this are refused unread: the largest real reports (scanned PDFs) stay below.
MAX_FILE_BYTES = 200 * 1024 * 1024
WORK_DIR = ".work"


def _fingerprint() -> str:
    """Version plus a hash of the package's code: cached reports from other code are not reused."""
    digest = hashlib.sha256(gk_extract.__version__.encode())
    root = Path(gk_extract.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


FINGERPRINT = _fingerprint()
# Store extensions of images (fetch/responses.py); a crawl stores them from article bodies.
STORED_IMAGE_EXTS = frozenset({"png", "jpg", "gif", "tif"})


# process_file's arguments: path, out_dir, timeout_s, reuse, source_url.
_Args = tuple[str, str, float, bool, str | None]


@dataclass(frozen=True, slots=True)
class Settings:
    out_dir: Path
    workers: int = 1
    timeout_s: float = DEFAULT_TIMEOUT_S
    reuse: bool = True

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the batch keeps in memory per document; the report itself waits on disk."""

    report_id: str
    source_path: str
    status: str
    template: str
    error: str | None
    part: str


@dataclass(slots=True)
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)


# ----------------------------------------------------------------------------- inputs


def collect_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Files to process and files skipped: folders are walked, keeping what sniffs as a document."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if is_store(path):
            files.extend(p for p, _ in store_files(path))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _hidden(child.relative_to(path)) or not _sniffs_as_document(child):
                    skipped.append(child)
                else:
                    files.append(child)
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files, skipped


def store_files(store: Path) -> list[tuple[Path, str]]:
    """The current file of every URL in a crawl store, with the URL it was fetched from
    (a replaced file's old version is left out; files missing on disk too; so are the
    images of article bodies, which are read as part of their page)."""
    manifest = Manifest(store)
    try:
        found = [(store / f.rel_path(), f.final_url) for f in manifest.current()
                 if not (f.kind == "attachment" and f.ext in STORED_IMAGE_EXTS)]
    finally:
        manifest.close()
    unique: dict[Path, str] = {}
    for path, url in found:
        if path.is_file():
            unique.setdefault(path, url)
    return list(unique.items())


def source_urls(paths: Sequence[Path]) -> dict[str, str]:
    """Where each file of the crawl stores among ``paths`` came from, by file path."""
    return {str(p): url for path in paths if is_store(path) for p, url in store_files(path)}


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _sniffs_as_document(path: Path) -> bool:
    head = _head(path)
    if head is None:
        return True  # unreadable: the worker reports why
    if head.startswith((b"PK\x03\x04", OLE_MAGIC)):
        return True  # a zip or OLE container: DOCX / DOC / WPS is decided on the whole file
    try:
        detect_format(head)
    except UnsupportedFormat:
        return False
    return True


# ----------------------------------------------------------------------------- one document


def process_file(path: str, out_dir: str, timeout_s: float, reuse: bool,
                 source_url: str | None = None) -> Outcome:
    """Worker entry: read, parse, match one file and save its report; never raises."""
    try:
        data = _read(Path(path))
    except (OSError, GkError) as exc:
        report = Report(report_id=hashlib.sha256(path.encode()).hexdigest(), source_path=path,
                        format="unknown", status="failed", error=one_line(exc),
                        source_url=source_url)
        return _save(report, Path(out_dir))
    report_id = hashlib.sha256(data).hexdigest()
    part = part_path(Path(out_dir), report_id)
    if reuse and part.exists():
        cached = load_part(part)
        if cached is not None and cached.source_path == path and cached.source_url == source_url \
                and cached.error_kind != DocumentTimeout.kind:  # a later run may allow more time
            return _outcome(cached, part)
    images = image_source(Path(path), source_url)
    return _save(extract_bytes(data, path, report_id, timeout_s, source_url, images), Path(out_dir))


def image_source(path: Path, source_url: str | None) -> ImageSource:
    """Where the images of the HTML page at ``path`` are read from: the page's folder for a
    local file, the crawl store for a crawled page (it stores the body's images)."""
    if source_url is None:
        return folder_images(path.parent)
    store = path.parent.parent
    return stored_images(store, source_url) if is_store(store) else no_images


def stored_images(store: Path, page_url: str) -> ImageSource:
    """Images a crawl stored with the page at ``page_url``, by their ``src``."""
    def read(src: str) -> tuple[bytes | None, str]:
        manifest = Manifest(store)
        try:
            fetch = manifest.latest(urljoin(page_url, src.strip()))
        finally:
            manifest.close()
        if fetch is None:
            return None, "image not in the store (not crawled)"
        file = store / fetch.rel_path()
        return (file.read_bytes(), "") if file.is_file() else (None, "stored image file missing")

    return read


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise GkError(f"file of {size} bytes is over the {MAX_FILE_BYTES} byte limit")
    return path.read_bytes()


def extract_bytes(data: bytes, source_path: str, report_id: str, timeout_s: float,
                  source_url: str | None = None, images: ImageSource | None = None) -> Report:
    """Given one file's bytes, return its report; failures become status ``failed``.

    ``images``: where an HTML page's images are read from (see :func:`image_source`).
    """
    fmt = "unknown"
    try:
        with time_limit(timeout_s):
            fmt = detect_format(data)
            document = parse_document(data, fmt, images)
            return build_report(document, Source(report_id, source_path, fmt, source_url))
    except Exception as exc:
        logger.debug("%s failed", source_path, exc_info=True)
        return Report(report_id=report_id, source_path=source_path, format=fmt, status="failed",
                      source_url=source_url, error=one_line(exc),
                      error_kind=exc.kind if isinstance(exc, GkError) else None)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, GkError):
        text = f"{type(exc).__name__}: {text}"
    return text[:300]


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


# ----------------------------------------------------------------------------- saved parts


def part_path(out_dir: Path, report_id: str) -> Path:
    return out_dir / WORK_DIR / FINGERPRINT / report_id[:2] / f"{report_id}.pickle"


def _save(report: Report, out_dir: Path) -> Outcome:
    part = part_path(out_dir, report.report_id)
    part.parent.mkdir(parents=True, exist_ok=True)
    tmp = part.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_bytes(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, part)
    return _outcome(report, part)


def load_part(part: Path) -> Report | None:
    """A saved report, or None when the file is unreadable (a run killed mid-write)."""
    try:
        report = pickle.loads(part.read_bytes())
    except Exception:  # noqa: BLE001 - any damage means: extract again
        return None
    return report if isinstance(report, Report) else None


def _outcome(report: Report, part: Path) -> Outcome:
    return Outcome(report.report_id, report.source_path, report.status, report.template,
                   report.error, str(part))


# ----------------------------------------------------------------------------- the batch


def run_batch(files: Sequence[Path], settings: Settings,
              on_done: Callable[[Outcome], None] = lambda o: None,
              urls: dict[str, str] | None = None) -> list[Outcome]:
    """Process every file (in parallel when workers > 1); returns one outcome per file.
    ``urls`` gives the source URL of files that came from a crawl store."""
    urls = urls or {}
    args = [(str(f), str(settings.out_dir), settings.timeout_s, settings.reuse, urls.get(str(f)))
            for f in files]
    if settings.workers == 1:
        results = []
        for a in args:
            results.append(process_file(*a))
            on_done(results[-1])
        return results
    return _run_pool(args, settings.workers, on_done)


def _run_pool(args: list[_Args], workers: int,
              on_done: Callable[[Outcome], None]) -> list[Outcome]:
    """A crashed worker (segfault, out of memory) fails its document; the others go on."""
    done: dict[str, Outcome] = {}
    pending = list(args)
    os.environ.setdefault("GK_EXTRACT_OCR_THREADS", OCR_THREADS_PER_WORKER)
    while pending:
        crashed: list[_Args] = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: dict[Future[Outcome], _Args] = {
                pool.submit(process_file, *a): a for a in pending}
            for future in as_completed(futures):
                a = futures[future]
                try:
                    done[a[0]] = future.result()
                except BrokenProcessPool:
                    crashed.append(a)
                    continue
                on_done(done[a[0]])
        pending = _after_crash(crashed, done, on_done)
    return [done[a[0]] for a in args]


def _after_crash(crashed: list[_Args], done: dict[str, Outcome],
                 on_done: Callable[[Outcome], None]) -> list[_Args]:
    """Retry documents lost with a crashed pool one by one; the one that crashes alone fails."""
    if len(crashed) == 1:
        path, out_dir = crashed[0][0], crashed[0][1]
        report = Report(report_id=hashlib.sha256(path.encode()).hexdigest(), source_path=path,
                        format="unknown", status="failed", error="the worker process crashed on this file")
        done[path] = _save(report, Path(out_dir))
        on_done(done[path])
        return []
    return crashed


def extract_paths(paths: Sequence[Path], settings: Settings,
                  on_start: Callable[[int], None] = lambda n: None,
                  on_done: Callable[[Outcome], None] = lambda o: None) -> BatchResult:
    """The whole ``extract`` command: inputs -> reports -> dataset in ``settings.out_dir``."""
    started = datetime.now(UTC)
    files, skipped = collect_inputs(paths)
    _convert_office_files(files, settings.workers)
    on_start(len(files))
    outcomes = run_batch(files, settings, on_done, source_urls(paths))
    result = BatchResult(skipped=[str(s) for s in skipped])
    seen: set[str] = set()
    for outcome in outcomes:
        if outcome.report_id in seen:
            result.duplicates.append(outcome.source_path)
            continue
        seen.add(outcome.report_id)
        result.outcomes.append(outcome)
    _write(result, settings, started)
    return result


def _convert_office_files(files: Sequence[Path], workers: int) -> None:
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


def _head(path: Path) -> bytes | None:
    """The file's first bytes, or None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return None


def _write(result: BatchResult, settings: Settings, started: datetime) -> None:
    ordered = sorted(result.outcomes, key=lambda o: o.report_id)
    with DatasetWriter(settings.out_dir) as writer:
        for report in _load_all(ordered):
            writer.add(report)
    write_manifest(settings.out_dir, {
        "command": " ".join(sys.argv), "inputs": len(result.outcomes) + len(result.duplicates),
        "documents": len(result.outcomes), "skipped": len(result.skipped),
        "duplicates": result.duplicates, "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(), "counts": dict(result.counts()),
    })


def _load_all(outcomes: Iterable[Outcome]) -> Iterator[Report]:
    for outcome in outcomes:
        report = load_part(Path(outcome.part))
        if report is None:  # vanished or damaged since: keep the row, say why
            report = Report(report_id=outcome.report_id, source_path=outcome.source_path,
                            format="unknown", status="failed", error="saved result could not be read")
        yield report


def extract_one(path: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Report:
    """One file to one report, in this process, saving nothing (``gk-extract show``)."""
    data = _read(path)
    return extract_bytes(data, str(path), hashlib.sha256(data).hexdigest(), timeout_s,
                         images=folder_images(path.parent))


def refresh(sites: Sequence[Site], crawl: CrawlSettings, settings: Settings,
            on_start: Callable[[int], None] = lambda n: None,
            on_done: Callable[[Outcome], None] = lambda o: None) -> tuple[CrawlSummary, BatchResult]:
    """The ``refresh`` command: crawl into the store, then rebuild the dataset from it.

    Files already extracted into ``settings.out_dir`` are not parsed again (saved results are
    keyed by sha256), so only new and replaced files cost parsing time."""
    from gk_extract.fetch import run_crawl

    summary = run_crawl(list(sites), crawl)
    return summary, extract_paths([crawl.store], settings, on_start, on_done)
