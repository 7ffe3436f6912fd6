"""Golden records of the real samples: every value, place, section and check, as extracted.

A change that moves any of them fails here and says what moved. When the change is meant,
regenerate with ``GK_REGEN_GOLDEN=1 pytest tests/test_golden.py`` and review the diff of
``tests/golden/*.json`` like code. The flag must never be left on where the suite is the
gate (CI): :func:`test_regeneration_flag_is_off_in_ci` fails then.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import sample

from gk_extract.models import Report
from gk_extract.pipeline import extract_one

GOLDEN = Path(__file__).parent / "golden"
REGEN_FLAG = "GK_REGEN_GOLDEN"
# The real samples that are documents (the .txt dump and the truth folder are not).
SAMPLES = ("hzq2024.pdf", "pt2024.html", "pt2021.html", "pt_list_index.html",
           "gbtemplate_blank_2021.docx")


def record(report: Report) -> dict[str, Any]:
    """What a golden file holds: the report without its paths, cells keyed by cell key."""
    return {
        "status": report.status, "template": report.template, "error": report.error,
        "agency": report.agency, "year": report.year,
        "published_date": report.published_date and report.published_date.isoformat(),
        "cells": {c.key: [c.value.raw, c.value.value, c.value.kind, c.page, c.source_ref,
                          c.bbox and list(c.bbox)]
                  for c in report.cells},
        "sections": {s.key: [s.heading, s.text] for s in report.sections},
        "checks": [[c.rule, c.scope, c.expected, c.found, c.status] for c in report.checks],
    }


def regenerating() -> bool:
    return os.environ.get(REGEN_FLAG, "") not in ("", "0")


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_its_golden_record(name: str) -> None:
    got = record(extract_one(sample(name)))
    golden = GOLDEN / f"{Path(name).stem}.json"
    if regenerating():
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert_same(expected, got)


def assert_same(expected: dict[str, Any], got: dict[str, Any]) -> None:
    """Equal records, or a failure that lists what moved (a few lines, not a dump)."""
    moved = [f"{field}: {expected[field]!r} -> {got[field]!r}"
             for field in ("status", "template", "error", "agency", "year", "published_date")
             if expected[field] != got[field]]
    for part in ("cells", "sections"):
        keys = sorted(set(expected[part]) | set(got[part]))
        moved += [f"{part} {k}: {expected[part].get(k)!r} -> {got[part].get(k)!r}"
                  for k in keys if expected[part].get(k) != got[part].get(k)]
    if expected["checks"] != got["checks"]:
        moved.append(f"checks: {len(expected['checks'])} -> {len(got['checks'])} (or changed)")
    assert not moved, f"{len(moved)} differences from the golden record:\n" + "\n".join(moved[:20])


def test_regeneration_flag_is_off_in_ci() -> None:
    assert not (regenerating() and os.environ.get("CI")), (
        f"{REGEN_FLAG} is set in CI: golden records would be rewritten instead of checked")
