"""Synthetic reports printed by real LibreOffice: DOC and PDF fixture sets with their truth.

Every report is drawn with a random layout (the 23-row variant, the 2019 format, split
labels, section 二 as four tables, section 四 as three, extra rows) and random filler
paragraphs before sections 二 and 三, so page breaks cut the tables at different rows
(through merged label cells too). All files of a set are converted in ONE soffice call per
CPU, which is several times faster than one call per file::

    for data, truth in pdf_corpus(tmp_path, count=50, seed=1):
        assert_same(extract(data), truth, exact_text=False)

LibreOffice tests call :func:`require_soffice` first: it skips them, with the reason, where
soffice is absent (``make test`` installs it through ``scripts/install-system-deps.sh``).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gk_extract.testing.synth import SyntheticReport, random_report, render_docx
from gk_extract.testing.synth.office import Target, convert_many

# Filler paragraphs per report: 0-14 moves the start of section 三 over about two pages.
MAX_FILLER = 14
# The first reports of every set force the rarer variants; the rest are drawn.
FORCED: tuple[dict[str, Any], ...] = (
    {"template": "2021", "other_single_row": True},  # the 23-row variant
    {"template": "2019"},
    {"labels_split": True, "s2_layout": "four_tables"},
    {"labels_split": True, "s4_layout": "three_tables", "extra_s2_row": True},
)
# soffice processes side by side: one per CPU, at most 4 (each takes ~150 MB).
JOBS = min(4, os.cpu_count() or 1)


def require_soffice() -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make test` installs it via "
                    "scripts/install-system-deps.sh (as root), or apt-get install "
                    "libreoffice-writer-nogui fonts-noto-cjk")


def _layout(rng: random.Random, index: int) -> dict[str, Any]:
    """Random layout choices (as tests/test_roundtrip.py draws them) plus filler."""
    template = rng.choice(["2021", "2021", "2019"])
    layout: dict[str, Any] = {
        "template": template,
        "other_single_row": template == "2019" or rng.random() < 0.3,
        "s2_layout": rng.choice(["one_table", "four_tables"]),
        "s4_layout": rng.choice(["one_table", "three_tables"]),
        "labels_split": rng.random() < 0.5,
        "extra_s2_row": rng.random() < 0.2,
        "filler_paragraphs": rng.randint(0, MAX_FILLER),
    }
    forced = FORCED[index] if index < len(FORCED) else {}
    if forced.get("template") == "2019":
        layout["other_single_row"] = True
    return layout | forced


def random_reports(count: int, seed: int) -> list[SyntheticReport]:
    rng = random.Random(seed)
    return [random_report(random.Random(rng.getrandbits(32)), **_layout(rng, i))
            for i in range(count)]


def render_all(docx_dir: Path, reports: list[SyntheticReport], prefix: str = "r",
               edit: Callable[[bytes], bytes] = lambda data: data) -> list[Path]:
    """Each report as ``{prefix}{index:04d}.docx`` (after ``edit``), in ``docx_dir``."""
    docx_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, report in enumerate(reports):
        path = docx_dir / f"{prefix}{i:04d}.docx"
        path.write_bytes(edit(render_docx(report)))
        paths.append(path)
    return paths


def printed_corpus(work_dir: Path, reports: list[SyntheticReport], target: Target) -> list[Path]:
    """Render each report as DOCX, then convert them all to ``target`` in one go."""
    return convert_many(render_all(work_dir / "docx", reports), target, work_dir / target,
                        jobs=JOBS)


def pdf_corpus(work_dir: Path, count: int, seed: int) -> list[tuple[bytes, SyntheticReport]]:
    """``count`` random reports printed to PDF by LibreOffice, with their truth."""
    require_soffice()
    reports = random_reports(count, seed)
    pdfs = printed_corpus(work_dir, reports, "pdf")
    return [(path.read_bytes(), report) for path, report in zip(pdfs, reports)]
