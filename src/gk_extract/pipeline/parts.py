"""Resumable results: each document's report saved under ``OUT/.work/`` as soon as it is done.

A part is keyed by the file's sha256 and the code's fingerprint, so a killed run resumes
where it stopped, and results made by other code are never reused. Parts are JSON, decoded
into :class:`Report` with every field's type checked: a results folder someone else can
write to can at worst hold a wrong report, never run code.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
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


FINGERPRINT = _fingerprint()
_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Report)


def part_path(out_dir: Path, report_id: str) -> Path:
    return out_dir / WORK_DIR / FINGERPRINT / report_id[:2] / f"{report_id}.json"


def save(report: Report, out_dir: Path) -> Outcome:
    """Write the report's part atomically (a crash never leaves half a file) and say so.

    Text that is not valid Unicode (lone surrogates from a broken ToUnicode map, a file
    name in another encoding) is repaired first, and the report says so in ``warnings``."""
    try:
        data = _ENCODER.encode(report)
    except UnicodeEncodeError:
        report = valid_unicode(report)
        data = _ENCODER.encode(report)
    part = part_path(out_dir, report.report_id)
    part.parent.mkdir(parents=True, exist_ok=True)
    tmp = part.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, part)
    return outcome_of(report, part)


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


def outcome_of(report: Report, part: Path) -> Outcome:
    return Outcome(report.report_id, report.source_path, report.status, report.template,
                   report.error, str(part), summarize(report), report.error_kind)


def load_all(outcomes: Iterable[Outcome]) -> Iterator[Report]:
    """The saved reports of ``outcomes``; a part gone or damaged since keeps its row as failed."""
    for outcome in outcomes:
        report = load_part(Path(outcome.part))
        if report is None:
            report = Report(report_id=outcome.report_id, source_path=outcome.source_path,
                            format="unknown", status="failed", error="saved result could not be read",
                            error_kind=INTERNAL_KIND)
        elif report.source_path != outcome.source_path:
            # copies with the same bytes share a part: the last one saved holds its own path
            report = replace(report, source_path=outcome.source_path)
        yield report
