"""DOC and WPS bytes -> :class:`~gk_extract.models.Document`, through LibreOffice.

Both formats are OLE files holding Word's 97-2003 binary format (Kingsoft WPS writes that
format plus extensions of its own, which LibreOffice ignores), so one route serves both:
``soffice --headless`` converts the file to DOCX and :func:`parse_docx` reads the result.

* **Finding LibreOffice**: ``$GK_EXTRACT_SOFFICE`` (a path or a command name), else
  ``soffice`` or ``libreoffice`` on ``PATH``. Without it the file fails with
  :class:`ConverterMissing`, whose one-line message says how to install it.
* **Import filter**: always ``MS Word 97``. Left to detect the type, soffice "converts" any
  junk by falling back on its plain-text import, so a corrupt file would pass as an empty
  document instead of failing. Kingsoft ``.wps`` files load with this filter (LibreOffice
  itself lists ``wps`` among the extensions of its Word 97 type); Microsoft Works files,
  also named ``.wps``, would not, but ``detect.py`` never calls those ``wps``. Word 6/95
  files are not read by this filter and fail with soffice's message.
* **Profiles**: concurrent soffice processes sharing one user profile hand their work to
  the first one and return at once without converting, so every run leases a profile slot
  (an ``flock``-ed directory under the temp dir, freed when the run ends or its process
  dies). Slots outlive the run, so a worker reuses its profile call after call: a fresh
  profile costs ~0.5 s.
* **Time limit**: ``$GK_EXTRACT_SOFFICE_TIMEOUT`` seconds (default
  :data:`CONVERT_TIMEOUT_S`); soffice runs in a session of its own and the whole process
  group (``oosplash`` and ``soffice.bin``) is killed on timeout or on any exception,
  including the pipeline's own per-document alarm.
* **Cache**: the converted DOCX is kept under the source's sha256 in
  ``$GK_EXTRACT_CACHE`` (default ``$XDG_CACHE_HOME/gk_extract/converted``, or
  ``~/.cache/gk_extract/converted``), with the converter's version beside it, so a re-run
  converts nothing and needs no LibreOffice at all. :func:`warm_cache` converts many files
  into the cache with one soffice call: 0.15 s per report instead of 1.0 s.

The Document is the DOCX parser's, refs and ``method="docx"`` included, with
``format`` = ``doc``/``wps`` and ``converter`` (the
soffice version string) added.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from gk_extract.errors import ConverterMissing, DocumentTimeout, ParseError
from gk_extract.formats import Format
from gk_extract.models import Document
from gk_extract.parse.docx import parse_docx

logger = logging.getLogger(__name__)

__all__ = [
    "INSTALL_HINT",
    "OfficeSettings",
    "find_soffice",
    "parse_office",
    "run_soffice",
    "soffice_version",
    "warm_cache",
]

OFFICE_FORMATS: dict[str, Format] = {"doc": Format.DOC, "wps": Format.WPS, "rtf": Format.RTF}
INSTALL_HINT = (
    "LibreOffice is needed for .doc/.wps files: run scripts/install-system-deps.sh as root, "
    "or apt-get install libreoffice-writer-nogui fonts-noto-cjk"
)
ENV_SOFFICE = "GK_EXTRACT_SOFFICE"
ENV_CACHE = "GK_EXTRACT_CACHE"
ENV_TIMEOUT = "GK_EXTRACT_SOFFICE_TIMEOUT"
ENV_MAX_MEMORY = "GK_EXTRACT_SOFFICE_MAX_MEMORY"  # MiB
SOFFICE_NAMES = ("soffice", "libreoffice")

# One report takes ~1.0 s in its own soffice call (measured, LibreOffice 7.4, 2 cores), ~0.85
# of it start-up. 45 s stops a hung soffice before the pipeline's 60 s document limit, so the
# reason names LibreOffice.
CONVERT_TIMEOUT_S = 45.0
# The data segment one soffice may grow to (prlimit): a conversion needs a few hundred MB,
# a hostile document that wants more stops that conversion, not the machine.
SOFFICE_MAX_MEMORY = 2 * 1024**3
# `soffice --version` answers in ~0.1 s once the binaries are in the page cache.
VERSION_TIMEOUT_S = 20.0
# Budget per file of a many-file call: measured 0.15 s (DOC->DOCX) to 0.45 s (DOCX->PDF)
# per report; 5 s leaves room for 300-page files.
BATCH_SECONDS_PER_FILE = 5.0
# Files per soffice call in warm_cache: a hung file costs its batch, and argv stays small.
MAX_BATCH_FILES = 200
# Profile slots per user: one per concurrent soffice run; beyond that, a private temp one.
MAX_PROFILE_SLOTS = 256

IMPORT_ARGS = ("--infilter=MS Word 97",)
# The import filter by format: Word 97 reads .doc and .wps (WPS writes Word's format).
_FILTERS = {"doc": IMPORT_ARGS, "wps": IMPORT_ARGS, "rtf": ("--infilter=Rich Text Format",)}
DOCX_TARGET = "docx:MS Word 2007 XML"
# Conversion folders are named by the converting process, so that a later run can tell the
# ones a killed run left behind.
CONVERT_PREFIX = "gk_extract-convert-"
# LibreOffice fetches the pictures a document links to (OPTIONS, HEAD and GET on any
# address): conversions run where there is no network to reach.
_NO_NETWORK = (("unshare", "--user", "--map-root-user", "--net"), ("unshare", "--net"))
_QUIET_ARGS = ("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck")


# --------------------------------------------------------------------------- settings


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/gk_extract/converted``, else under ``~/.cache``, else the temp dir."""
    base = environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no passwd entry (some containers)
            base = tempfile.gettempdir()
    return Path(base) / "gk_extract" / "converted"


@dataclass(frozen=True, slots=True)
class OfficeSettings:
    """How to reach LibreOffice; :meth:`from_env` reads the ``GK_EXTRACT_*`` variables.

    ``soffice`` is a path or command name, None to look up ``soffice``/``libreoffice``.
    """

    cache_dir: Path
    soffice: str | None = None
    timeout_s: float = CONVERT_TIMEOUT_S
    max_memory: int = SOFFICE_MAX_MEMORY  # bytes

    def __post_init__(self) -> None:
        if not (self.timeout_s > 0 and math.isfinite(self.timeout_s)):
            raise ValueError(f"timeout_s must be a positive number of seconds, got {self.timeout_s}")
        if self.max_memory < 16 * 1024**2:
            raise ValueError(f"max_memory must be at least 16 MiB, got {self.max_memory} bytes")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OfficeSettings:
        env = os.environ if environ is None else environ
        raw_timeout = env.get(ENV_TIMEOUT) or str(CONVERT_TIMEOUT_S)
        try:
            timeout_s = float(raw_timeout)
        except ValueError:
            raise ValueError(f"{ENV_TIMEOUT} must be a number of seconds, got {raw_timeout!r}") from None
        raw_memory = env.get(ENV_MAX_MEMORY) or str(SOFFICE_MAX_MEMORY // 1024**2)
        if not raw_memory.isdigit():
            raise ValueError(f"{ENV_MAX_MEMORY} must be a number of MiB, got {raw_memory!r}")
        cache = env.get(ENV_CACHE)
        return cls(
            cache_dir=Path(cache) if cache else default_cache_dir(env),
            soffice=env.get(ENV_SOFFICE) or None,
            timeout_s=timeout_s,
            max_memory=int(raw_memory) * 1024**2,
        )


def find_soffice(settings: OfficeSettings) -> str:
    """The soffice executable to run; ConverterMissing (with the install hint) if none."""
    for name in (settings.soffice,) if settings.soffice else SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissing(INSTALL_HINT)


@functools.cache
def soffice_version(soffice: str) -> str:
    """``LibreOffice 7.4.7.2 40(Build:2)``: the first line of ``soffice --version``."""
    try:
        result = subprocess.run([soffice, "--version"], capture_output=True, text=True,
                                timeout=VERSION_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("%s --version failed: %s", soffice, exc)
        return "LibreOffice (version unknown)"
    lines = result.stdout.strip().splitlines()
    return lines[0].strip() if lines else "LibreOffice (version unknown)"


# --------------------------------------------------------------------------- running soffice


def _profile_root() -> Path | None:
    """A per-user folder for profile slots, or None if someone else owns that name."""
    root = Path(tempfile.gettempdir()) / f"gk_extract-soffice-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root if root.stat().st_uid == os.getuid() else None


@contextmanager
def _profile() -> Iterator[Path]:
    """Lease the first free profile slot for one soffice run (``flock``: freed if we die).

    Slots persist, so a worker converting file after file reuses its profile; concurrent
    runs (processes or threads) get different slots. Past MAX_PROFILE_SLOTS: a temporary one.
    """
    root = _profile_root()
    leased = _lease_slot(root) if root is not None else None
    if leased is None:
        with tempfile.TemporaryDirectory(prefix="gk_extract-soffice-") as tmp:
            yield Path(tmp)
        return
    fd, path = leased
    try:
        yield path
    finally:
        os.close(fd)


def _lease_slot(root: Path) -> tuple[int, Path] | None:
    for number in range(MAX_PROFILE_SLOTS):
        fd = _try_lock(root / f"profile-{number}.lock")
        if fd is not None:
            return fd, root / f"profile-{number}"
    return None


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def remove_leftovers() -> int:
    """Remove the conversion folders of processes that are gone (a killed run); how many."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{CONVERT_PREFIX}*-*"):
        pid = folder.name[len(CONVERT_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@functools.cache
def no_network() -> tuple[str, ...]:
    """The command prefix that starts a program in a network namespace of its own (only a
    loopback, down): unprivileged through a user namespace, or as root. Empty, with a
    warning, where neither is allowed."""
    for prefix in _NO_NETWORK:
        if shutil.which(prefix[0]) is None:
            continue
        try:
            probe = subprocess.run([*prefix, "true"], check=False, capture_output=True, timeout=10)
            if probe.returncode == 0:
                return prefix
        except (OSError, subprocess.SubprocessError):
            continue
    logger.warning("LibreOffice runs with network access (unshare is missing or not allowed "
                   "here): a document that links a picture can make it fetch the address")
    return ()


def memory_limit(max_memory: int) -> tuple[str, ...]:
    """The command prefix that caps a program's data segment (util-linux prlimit); empty,
    and the program runs under the limits it inherits, where prlimit is missing."""
    return ("prlimit", f"--data={max_memory}", "--") if shutil.which("prlimit") else ()


def run_soffice(soffice: str, args: Sequence[str], timeout_s: float,
                max_memory: int = SOFFICE_MAX_MEMORY) -> subprocess.CompletedProcess[str]:
    """Run soffice headless with a profile of its own, no network and a data segment of at
    most ``max_memory`` bytes; kill its process group on timeout.

    Raises DocumentTimeout (kind ``timeout``) when it takes over ``timeout_s``.
    """
    with _profile() as profile:
        command = [*no_network(), *memory_limit(max_memory), soffice,
                   f"-env:UserInstallation={profile.as_uri()}", *_QUIET_ARGS, *args]
        env = {**os.environ, "HOME": os.environ.get("HOME") or str(profile.parent)}
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       stdin=subprocess.DEVNULL, text=True, errors="replace",
                                       env=env, start_new_session=True)
        except OSError as exc:
            raise ConverterMissing(f"{INSTALL_HINT} (cannot run {soffice}: {exc.strerror})") from None
        return _communicate(process, command, timeout_s)


def _communicate(process: subprocess.Popen[str], command: list[str],
                 timeout_s: float) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        # DocumentTimeout's kind tells the pipeline not to reuse the failure: it may allow more time
        raise DocumentTimeout(f"LibreOffice took longer than {timeout_s:g} s to convert") from None
    except BaseException:  # the pipeline's alarm, Ctrl-C: leave no soffice behind
        _kill_group(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Kill soffice with everything it started (its session's group has its pid)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def first_error(stderr: str, returncode: int) -> str:
    """The line of soffice's stderr that says what went wrong, skipping Java noise."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    others = [line for line in lines if not line.startswith("Warning:")]
    fallback = f"soffice exited with status {returncode} and wrote no file"
    return (errors or others or lines or [fallback])[0]


# --------------------------------------------------------------------------- cache


def _cache_paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    folder = cache_dir / key[:2]
    return folder / f"{key}.docx", folder / f"{key}.json"


def _cached(cache_dir: Path, key: str) -> tuple[bytes, str] | None:
    """The converted DOCX and converter string; the JSON is written last, so it marks a whole entry."""
    docx, info = _cache_paths(cache_dir, key)
    try:
        converter = str(json.loads(info.read_text(encoding="utf-8"))["converter"])
        return docx.read_bytes(), converter
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(cache_dir: Path, key: str, docx: bytes, converter: str, fmt: str) -> None:
    """Atomically add an entry; a cache that cannot be written costs a warning, not the file."""
    docx_path, info_path = _cache_paths(cache_dir, key)
    info = json.dumps({"converter": converter, "source_format": fmt})
    try:
        docx_path.parent.mkdir(parents=True, exist_ok=True)
        for path, data in ((docx_path, docx), (info_path, info.encode())):
            tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
    except OSError as exc:
        logger.warning("cannot write the conversion cache %s: %s", cache_dir, exc)


# --------------------------------------------------------------------------- conversion


def _convert(data: bytes, fmt: str, soffice: str, settings: OfficeSettings) -> bytes:
    """One file through soffice; ParseError with soffice's own message when nothing comes out."""
    with tempfile.TemporaryDirectory(prefix=f"{CONVERT_PREFIX}{os.getpid()}-") as tmp:
        source, out_dir = Path(tmp) / f"source.{fmt}", Path(tmp) / "out"
        source.write_bytes(data)
        args = [*_FILTERS[fmt], "--convert-to", DOCX_TARGET, "--outdir", str(out_dir), str(source)]
        result = run_soffice(soffice, args, settings.timeout_s, settings.max_memory)
        produced = out_dir / "source.docx"
        if not produced.is_file() or produced.stat().st_size == 0:
            reason = first_error(result.stderr, result.returncode)
            raise ParseError(f"{fmt}: LibreOffice could not convert the file: {reason}")
        return produced.read_bytes()


def _converted(data: bytes, fmt: str, settings: OfficeSettings) -> tuple[bytes, str]:
    key = hashlib.sha256(data).hexdigest()
    hit = _cached(settings.cache_dir, key)
    if hit is not None:
        logger.debug("%s: conversion cache hit", key[:12])
        return hit
    soffice = find_soffice(settings)
    started = time.monotonic()
    docx = _convert(data, fmt, soffice, settings)
    logger.info("%s: %s converted to DOCX in %.1f s", key[:12], fmt, time.monotonic() - started)
    converter = soffice_version(soffice)
    _store(settings.cache_dir, key, docx, converter, fmt)
    return docx, converter


def parse_office(data: bytes, fmt: str, settings: OfficeSettings | None = None) -> Document:
    """Parse a .doc or .wps file's bytes by way of a LibreOffice conversion to DOCX."""
    return parse_office_package(data, fmt, settings)[0]


def parse_office_package(data: bytes, fmt: str,
                         settings: OfficeSettings | None = None) -> tuple[Document, bytes]:
    """:func:`parse_office`, with the DOCX it was read from (where its pictures are)."""
    if fmt not in OFFICE_FORMATS:
        raise ValueError(f"fmt must be one of {sorted(OFFICE_FORMATS)}, got {fmt!r}")
    docx, converter = _converted(data, fmt, settings or OfficeSettings.from_env())
    document = parse_docx(docx)
    return replace(document, format=OFFICE_FORMATS[fmt], converter=converter), docx


# --------------------------------------------------------------------------- many files


def warm_cache(paths: Iterable[Path], settings: OfficeSettings | None = None, jobs: int = 1) -> int:
    """Convert the .doc/.wps files not yet cached, many per soffice call; return how many.

    ``jobs`` soffice processes run side by side. Later :func:`parse_office` calls on the same
    bytes hit the cache. Files soffice cannot convert, or a batch that runs out of time, are
    left out: they fail (with the reason) when parsed one by one.
    """
    settings = settings or OfficeSettings.from_env()
    todo: dict[str, Path] = {}
    for path in paths:
        with path.open("rb") as handle:  # streamed: a huge file is never held whole
            key = hashlib.file_digest(handle, "sha256").hexdigest()
        if _cached(settings.cache_dir, key) is None:
            todo[key] = path
    if not todo:
        return 0
    soffice = find_soffice(settings)
    keys = list(todo)
    size = min(MAX_BATCH_FILES, math.ceil(len(keys) / max(jobs, 1)))
    batches = [{k: todo[k] for k in keys[i:i + size]} for i in range(0, len(keys), size)]
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        return sum(pool.map(lambda batch: _warm_batch(soffice, batch, settings), batches))


def _warm_batch(soffice: str, batch: dict[str, Path], settings: OfficeSettings) -> int:
    with tempfile.TemporaryDirectory(prefix=f"{CONVERT_PREFIX}{os.getpid()}-") as tmp:
        in_dir, out_dir = Path(tmp) / "in", Path(tmp) / "out"
        in_dir.mkdir()
        for key, path in batch.items():  # named by hash: unique stems, whatever the names
            (in_dir / f"{key}.doc").symlink_to(path.resolve())
        sources = [str(in_dir / f"{key}.doc") for key in batch]
        budget = settings.timeout_s + BATCH_SECONDS_PER_FILE * len(batch)
        args = [*IMPORT_ARGS, "--convert-to", DOCX_TARGET, "--outdir", str(out_dir), *sources]
        try:
            run_soffice(soffice, args, budget, settings.max_memory)
        except DocumentTimeout as exc:
            logger.warning("warm_cache: a batch of %d files stopped: %s", len(batch), exc)
        return _collect(out_dir, batch, settings, soffice_version(soffice))


def _collect(out_dir: Path, batch: dict[str, Path], settings: OfficeSettings, converter: str) -> int:
    stored = 0
    for key, path in batch.items():
        produced = out_dir / f"{key}.docx"
        if produced.is_file() and produced.stat().st_size:
            fmt = "wps" if path.suffix.lower() == ".wps" else "doc"
            _store(settings.cache_dir, key, produced.read_bytes(), converter, fmt)
            stored += 1
    return stored
