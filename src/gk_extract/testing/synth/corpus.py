"""A mixed corpus of synthetic files with a truth record for each.

The mix: reports in every requested format and HTML style (some GBK-encoded, a few 23-row
and 2019-format variants), one or two 通知 that are not reports, and optionally one junk
file. The same seed always gives the same names and bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from .docx_writer import render_docx
from .html_writer import STYLES, render_html
from .panel import panel_reports
from .values import SyntheticNotice, SyntheticReport, random_notice, random_report

FORMATS: tuple[str, ...] = ("html", "docx")
GBK_SHARE = 0.2  # HTML pages served as GBK (older hosts still do)
NOTICES_FROM = 4  # corpora this small hold no notice, so most files stay reports
TWO_NOTICES_FROM = 20
FORCED_VARIANTS_FROM = 6  # corpora this large force one 23-row and one 2019-format report
JUNK_BYTES = 2048
TRUTH_FILE = "truth.jsonl"


@dataclass(frozen=True, slots=True)
class CorpusItem:
    name: str  # file name inside the corpus folder
    data: bytes
    truth: dict[str, Any]  # one line of truth.jsonl
    source: SyntheticReport | SyntheticNotice | None = None  # None for junk


def _kinds(rng: random.Random, count: int, with_junk: bool) -> list[str]:
    notices = 0 if count < NOTICES_FROM else (1 if count < TWO_NOTICES_FROM else 2)
    junk = 1 if with_junk and count > notices else 0
    kinds = ["notice"] * notices + ["junk"] * junk
    kinds += ["report"] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _forced(report_index: int, report_count: int) -> dict[str, Any]:
    """Make sure a mid-sized corpus holds the rarer section 三 variants."""
    if report_count < FORCED_VARIANTS_FROM:
        return {}
    forced: dict[int, dict[str, Any]] = {
        1: {"template": "2021", "other_single_row": True},
        2: {"template": "2019"},
    }
    return forced.get(report_index, {})


def _render(
    source: SyntheticReport | SyntheticNotice, fmt: str, style: str, encoding: str
) -> bytes:
    return render_docx(source) if fmt == "docx" else render_html(source, style, encoding)


def _document_item(
    rng: random.Random, index: int, source: SyntheticReport | SyntheticNotice, fmt: str, style: str
) -> CorpusItem:
    encoding = "gbk" if rng.random() < GBK_SHARE else "utf-8"
    name = f"{index:04d}.{fmt}"
    truth = {
        "file": name,
        "format": fmt,
        "style": style if fmt == "html" else None,
        "encoding": encoding if fmt == "html" else None,
        **source.truth(),
    }
    return CorpusItem(name, _render(source, fmt, style, encoding), truth, source)


def _junk_item(rng: random.Random, index: int) -> CorpusItem:
    """Random bytes named .pdf, or a stray text file: neither is a document we read."""
    if rng.random() < 0.5:
        name, data = f"{index:04d}.pdf", rng.randbytes(JUNK_BYTES)
    else:
        name, data = f"{index:04d}.txt", "下载失败，请稍后重试。\n".encode()
    return CorpusItem(
        name,
        data,
        {
            "file": name,
            "format": name[-3:],
            "kind": "junk",
            "status": "failed",
            "template": "unknown",
        },
    )


def iter_corpus(
    count: int, seed: int, formats: tuple[str, ...] = FORMATS, with_junk: bool = False
) -> Iterator[CorpusItem]:
    """Yield ``count`` files (in memory) with their truth; deterministic for ``seed``."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats}")
    rng = random.Random(seed)
    kinds = _kinds(rng, count, with_junk)
    report_count, reports_made, html_made = kinds.count("report"), 0, 0
    for index, kind in enumerate(kinds):
        if kind == "junk":
            yield _junk_item(rng, index)
            continue
        fmt = rng.choice(formats)
        style = STYLES[html_made % len(STYLES)]  # cycle, so that every style appears
        html_made += fmt == "html"
        if kind == "notice":
            source: SyntheticReport | SyntheticNotice = random_notice(rng)
        else:
            source = random_report(rng, **_forced(reports_made, report_count))
            reports_made += 1
        yield _document_item(rng, index, source, fmt, style)


def iter_panel(first_index: int, seed: int) -> Iterator[CorpusItem]:
    """The reports of ``panel.panel_reports`` as HTML pages, numbered from ``first_index``."""
    rng = random.Random(f"{seed}:panel")
    for offset, report in enumerate(panel_reports(seed)):
        yield _document_item(rng, first_index + offset, report, "html",
                             STYLES[offset % len(STYLES)])


def write_corpus(
    out_dir: Path,
    count: int,
    seed: int,
    formats: tuple[str, ...] = FORMATS,
    with_junk: bool = False,
    panel: bool = False,
) -> list[Path]:
    """Write the corpus and ``truth.jsonl`` into ``out_dir``; return the files written.
    ``panel``: add, after the ``count`` files, several agencies' reports over several years
    (``panel.panel_reports``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, lines = [], []
    items = iter_corpus(count, seed, formats, with_junk)
    for item in chain(items, iter_panel(count, seed) if panel else ()):
        path = out_dir / item.name
        path.write_bytes(item.data)
        written.append(path)
        lines.append(json.dumps(item.truth, ensure_ascii=False))
    (out_dir / TRUTH_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def read_truth(out_dir: Path) -> list[dict[str, Any]]:
    """The truth records of a written corpus, in file order."""
    text = (out_dir / TRUTH_FILE).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]
