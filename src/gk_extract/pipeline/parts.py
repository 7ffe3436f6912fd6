"""Resumable results: each document's report saved under ``OUT/.work/`` as soon as it is done.

A part is keyed by the file's sha256 and the code's fingerprint, so a killed run resumes
where it stopped, and results made by other code are never reused. Beside each part its
head: the report without its cells and sections, and its summary, which is all a later run
needs of a report it keeps. Parts are JSON, decoded into :class:`Report` with every field's
type checked: a results folder someone else can write to can at worst hold a wrong report,
never run code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

import gk_extract
from gk_extract.errors import INTERNAL_KIND
from gk_extract.export.panel import Summary, summarize
from gk_extract.models import Report

WORK_DIR = ".work"
# Test tools do not change what the product extracts: editing them keeps saved results.
_NOT_FINGERPRINTED = ("testing",)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the batch keeps in memory per document; the report itself waits on disk."""

    report_id: str
    source_path: str
    status: str
    template: str
    error: str | None
    part: str
    summary: Summary  # what the batch plan needs of it (export.panel)
    error_kind: str | None = None


def _fingerprint() -> str:
    """Version plus a hash of the product's code."""
    digest = hashlib.sha256(gk_extract.__version__.encode())
    root = Path(gk_extract.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] not in _NOT_FINGERPRINTED:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Head:
    """A report without its cells and sections, and its summary: what the batch tables need."""

    report: Report
    summary: Summary


FINGERPRINT = _fingerprint()
_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Report)
_HEAD_DECODER = msgspec.json.Decoder(Head)


def remove_other_code_parts(out_dir: Path) -> int:
    """Delete the saved results of other code (an earlier version's ``.work/<fingerprint>/``):
    never reused, they would only fill the disk with a copy of the dataset per upgrade.
    Returns how many folders went."""
    work = out_dir / WORK_DIR
    stale = [p for p in work.iterdir() if p.is_dir() and p.name != FINGERPRINT] \
        if work.is_dir() else []
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return len(stale)


def part_path(out_dir: Path, report_id: str) -> Path:
    return out_dir / WORK_DIR / FINGERPRINT / report_id[:2] / f"{report_id}.json"


def save(report: Report, out_dir: Path) -> Outcome:
    """Write the report's part atomically (a crash never leaves half a file) and say so.

    Text that is not valid Unicode (lone surrogates from a broken ToUnicode map, a file
    name in another encoding) is repaired first, and the report says so in ``warnings``."""
    report, data = _encoded(report)
    part = part_path(out_dir, report.report_id)
    part.parent.mkdir(parents=True, exist_ok=True)
    summary = summarize(report)
    head = _ENCODER.encode(Head(replace(report, cells=(), sections=()), summary))
    for path, body in ((part, data), (head_path(part), head)):
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(body)
        os.replace(tmp, path)
    return outcome_of(report, part, summary)


def _encoded(report: Report) -> tuple[Report, bytes]:
    """The report as JSON, repaired by :func:`valid_unicode` when it holds text that is not
    Unicode; and the report so repaired."""
    try:
        return report, _ENCODER.encode(report)
    except UnicodeEncodeError:
        report = valid_unicode(report)
        return report, _ENCODER.encode(report)


def encode(report: Report) -> bytes:
    """The report as JSON, repaired first where needed."""
    return _encoded(report)[1]


def decode(data: bytes) -> Report:
    """A report from JSON, every field's type checked (msgspec.DecodeError when not)."""
    return _DECODER.decode(data)


def head_path(part: Path) -> Path:
    return part.with_suffix(".head")


def valid_unicode(report: Report) -> Report:
    """The report with each unpaired surrogate replaced by U+FFFD, counted in ``warnings``."""
    replaced = 0

    def clean(value: object) -> object:
        nonlocal replaced
        if isinstance(value, str):
            fixed = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            replaced += fixed.count("\ufffd") - value.count("\ufffd")
            return fixed
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    builtins = clean(msgspec.to_builtins(report))
    repaired: Report = msgspec.convert(builtins, Report)
    note = f"{replaced} code point(s) that are not valid Unicode (lone surrogates) replaced by U+FFFD"
    return replace(repaired, warnings=(*repaired.warnings, note))


def load_part(part: Path) -> Report | None:
    """A saved report, or None when the file is unreadable, damaged or not a report."""
    try:
        return _DECODER.decode(part.read_bytes())
    except (OSError, msgspec.DecodeError):
        return None


def load_head(part: Path) -> Head | None:
    """A saved report's head, or None when it is unreadable, damaged or not a head."""
    try:
        return _HEAD_DECODER.decode(head_path(part).read_bytes())
    except (OSError, msgspec.DecodeError):
        return None


def outcome_of(report: Report, part: Path, summary: Summary | None = None) -> Outcome:
    return Outcome(report.report_id, report.source_path, report.status, report.template,
                   report.error, str(part), summary or summarize(report), report.error_kind)


def saved_report(outcome: Outcome, whole: bool) -> Report:
    """The saved report of ``outcome``: ``whole``, or its head only (no cells or sections).
    A part gone or damaged since keeps its row, as failed."""
    if whole:
        report = load_part(Path(outcome.part))
    else:
        head = load_head(Path(outcome.part))
        report = head.report if head is not None else None
    if report is None:
        return Report(report_id=outcome.report_id, source_path=outcome.source_path,
                      format="unknown", status="failed", error="saved result could not be read",
                      error_kind=INTERNAL_KIND)
    if report.source_path != outcome.source_path:
        # copies with the same bytes share a part: the last one saved holds its own path
        report = replace(report, source_path=outcome.source_path)
    return report
