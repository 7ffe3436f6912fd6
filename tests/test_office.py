""".doc and .wps reports through real LibreOffice, and the fixture builders behind them.

Round trip: ~100 generated reports (random layouts, random filler before sections 二 and 三)
are rendered as DOCX, converted to .doc all at once, then each is extracted from its .doc
bytes with ``extract_bytes`` and must come back cell for cell. The first few convert
through the one-file path (a soffice call each); the rest are put in the conversion cache
by ``warm_cache`` in one call per CPU, which is what keeps this test affordable.

Tests that need soffice skip with the reason where it is absent; ``make test`` installs it.
The failure paths that need no LibreOffice (missing soffice, a hung converter) always run.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from pdf_corpus import JOBS, random_reports, render_all, require_soffice
from test_roundtrip import assert_same, extract

from gk_extract import pipeline
from gk_extract.formats import OLE_MAGIC, sniff
from gk_extract.models import Table
from gk_extract.parse import office, parse_document
from gk_extract.parse.office import ENV_CACHE, ENV_SOFFICE, ENV_TIMEOUT, OfficeSettings, warm_cache
from gk_extract.pipeline.worker import process_file
from gk_extract.testing.synth import SyntheticReport, random_report, render_docx
from gk_extract.testing.synth.office import convert_many

DOC_COUNT = 100
WPS_COUNT = 3
# Reports converted one soffice call each (~1.4 s apiece); the others come from the cache.
COLD_COUNT = 6
SEED = 20240611
# Where WPS Office leaves its name in a file; formats.sniff calls such OLE Word files "wps".
KINGSOFT_MARK = "Kingsoft WPS 文字"
# A Word-looking OLE file: the magic, the WordDocument stream name, then junk.
FAKE_DOC = OLE_MAGIC + "WordDocument".encode("utf-16-le") + bytes(range(256)) * 16


@dataclass(frozen=True)
class OfficeCorpus:
    docs: list[tuple[Path, SyntheticReport]]
    wps: list[tuple[Path, SyntheticReport]]
    cache: Path


def _with_kingsoft_footer(data: bytes) -> bytes:
    """The DOCX with WPS Office's name in its footer (the DOCX parser never reads footers)."""
    document = docx.Document(io.BytesIO(data))
    document.sections[0].footer.paragraphs[0].text = KINGSOFT_MARK
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> OfficeCorpus:
    require_soffice()
    root = tmp_path_factory.mktemp("office")
    reports, wps_reports = random_reports(DOC_COUNT, SEED), random_reports(WPS_COUNT, SEED + 1)
    sources = render_all(root / "docx", reports, "r")
    sources += render_all(root / "docx", wps_reports, "w", _with_kingsoft_footer)
    converted = convert_many(sources, "doc", root / "doc", jobs=JOBS)
    docs, wps = converted[:DOC_COUNT], [p.rename(p.with_suffix(".wps")) for p in converted[DOC_COUNT:]]
    cache = root / "cache"
    warm_cache(docs[COLD_COUNT:] + wps, OfficeSettings(cache_dir=cache), jobs=JOBS)
    return OfficeCorpus(list(zip(docs, reports)), list(zip(wps, wps_reports)), cache)


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_CACHE, str(cache))
    monkeypatch.delenv(ENV_SOFFICE, raising=False)
    monkeypatch.delenv(ENV_TIMEOUT, raising=False)
    return cache


def _cache_files(cache: Path) -> list[str]:
    return sorted(p.suffix for p in cache.rglob("*") if p.is_file())


def _alive(pid: int) -> bool:
    """True while the process exists and is no zombie (PID 1 may never reap in a container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_text(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return [pid for pid in found if _alive(pid)]


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(("kind", "index"), [("doc", i) for i in range(DOC_COUNT)]
                         + [("wps", i) for i in range(WPS_COUNT)])
def test_office_round_trip(corpus: OfficeCorpus, kind: str, index: int,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CACHE, str(corpus.cache))
    path, truth = (corpus.docs if kind == "doc" else corpus.wps)[index]
    data = path.read_bytes()
    assert sniff(data) == kind
    report = extract(data)
    assert report.format == kind
    assert_same(report, truth)


def test_converted_document_is_the_docx_parsers_with_conversion_meta(
        corpus: OfficeCorpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CACHE, str(corpus.cache))
    for path, fmt in ((corpus.docs[0][0], "doc"), (corpus.wps[0][0], "wps")):
        document = parse_document(path.read_bytes())
        assert document.format == fmt
        assert document.converter is not None and document.converter.startswith("LibreOffice ")
        tables = [b for b in document.blocks if isinstance(b, Table)]
        assert [t.ref for t in tables] == [f"table{i}" for i in range(1, len(tables) + 1)]
        cell = tables[0].cells[0]
        assert cell.method == "docx" and cell.ref == f"table1 r{cell.row} c{cell.col}"


def test_second_extraction_hits_the_cache_and_needs_no_libreoffice(
        corpus: OfficeCorpus, fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, truth = corpus.docs[1]
    data = path.read_bytes()
    started = time.perf_counter()
    assert extract(data).status == "ok"
    cold = time.perf_counter() - started
    key = hashlib.sha256(data).hexdigest()
    assert (fresh_cache / key[:2] / f"{key}.docx").is_file()
    assert _cache_files(fresh_cache) == [".docx", ".json"]
    monkeypatch.setenv(ENV_SOFFICE, str(fresh_cache / "no-such-soffice"))
    started = time.perf_counter()
    report = extract(data)
    warm = time.perf_counter() - started
    assert_same(report, truth)
    assert warm < cold / 3, (warm, cold)


def test_warm_cache_converts_only_what_is_missing(corpus: OfficeCorpus) -> None:
    settings = OfficeSettings(cache_dir=corpus.cache)
    assert warm_cache([p for p, _ in corpus.docs[COLD_COUNT:]], settings) == 0


def test_batch_with_two_workers_converts_in_parallel(
        corpus: OfficeCorpus, fresh_cache: Path, tmp_path: Path) -> None:
    """Worker processes convert at the same time, each soffice with a profile of its own."""
    files = [p for p, _ in corpus.docs[COLD_COUNT:COLD_COUNT + 4]]
    settings = pipeline.Settings(out_dir=tmp_path / "out", workers=2)
    outcomes = pipeline.run_batch(files, settings)
    assert [o.status for o in outcomes] == ["ok"] * 4, [o.error for o in outcomes]
    assert len(_cache_files(fresh_cache)) == 8


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize("how", ["empty PATH", "GK_EXTRACT_SOFFICE"])
def test_without_libreoffice_the_file_fails_with_the_install_hint(
        how: str, fresh_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    if how == "empty PATH":
        monkeypatch.setenv("PATH", str(empty))
    else:
        monkeypatch.setenv(ENV_SOFFICE, str(empty / "soffice"))
    report = extract(FAKE_DOC)
    assert (report.status, report.format) == ("failed", "doc")
    assert report.error == office.INSTALL_HINT
    assert "install-system-deps.sh" in report.error and "libreoffice-writer-nogui" in report.error


def test_corrupt_doc_fails_with_soffices_reason_on_one_line(fresh_cache: Path) -> None:
    require_soffice()
    report = extract(FAKE_DOC)
    assert (report.status, report.format) == ("failed", "doc")
    assert report.error is not None and "\n" not in report.error
    assert report.error.startswith("doc: LibreOffice could not convert the file: "), report.error
    assert "Warning" not in report.error and _cache_files(fresh_cache) == []


def test_hung_converter_is_killed_with_everything_it_started(
        fresh_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(  # a "soffice" that starts a child and hangs, needing nothing on PATH
        f"#!{sys.executable}\nimport os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\ntime.sleep(60)\n")
    fake.chmod(0o755)
    monkeypatch.setenv(ENV_SOFFICE, str(fake))
    monkeypatch.setenv(ENV_TIMEOUT, "1.5")  # time enough for the fake to start its child
    started = time.perf_counter()
    report = extract(FAKE_DOC)
    assert time.perf_counter() - started < 10
    assert report.status == "failed"
    assert report.error == "LibreOffice took longer than 1.5 s to convert"
    assert report.error_kind == "timeout"
    time.sleep(0.1)
    assert not any(_alive(int(pid)) for pid in pids.read_text().split())


@pytest.mark.parametrize("limit", ["conversion", "document"])
def test_conversion_over_its_time_limit_fails_and_leaves_no_soffice(
        limit: str, corpus: OfficeCorpus, fresh_cache: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own subprocess limit, or the pipeline's per-document alarm firing mid-conversion."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # soffice's argv then names tmp_path
    data = corpus.docs[2][0].read_bytes()
    if limit == "conversion":
        monkeypatch.setenv(ENV_TIMEOUT, "0.05")
        report = extract(data)
    else:
        report = pipeline.extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), 0.3)
    assert report.status == "failed"
    assert report.error_kind == "timeout"
    time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path)) == []
    assert _cache_files(fresh_cache) == []


def test_a_timed_out_conversion_is_retried_by_the_next_run(
        corpus: OfficeCorpus, fresh_cache: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure's kind, not its wording, tells a rerun that more time may help."""
    path, out = str(corpus.docs[2][0]), str(tmp_path / "out")
    monkeypatch.setenv(ENV_TIMEOUT, "0.05")
    assert process_file(path, out, 60.0, reuse=True).status == "failed"
    monkeypatch.delenv(ENV_TIMEOUT)
    assert process_file(path, out, 60.0, reuse=True).status != "failed"


# ----------------------------------------------------------------------------- settings


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    settings = OfficeSettings.from_env({"XDG_CACHE_HOME": str(tmp_path)})
    assert settings.cache_dir == tmp_path / "gk_extract" / "converted"
    assert settings.soffice is None and settings.timeout_s == office.CONVERT_TIMEOUT_S
    settings = OfficeSettings.from_env({ENV_CACHE: "/c", ENV_SOFFICE: "/opt/lo/soffice",
                                        ENV_TIMEOUT: "7.5"})
    assert (settings.cache_dir, settings.soffice, settings.timeout_s) == (
        Path("/c"), "/opt/lo/soffice", 7.5)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan"])
def test_bad_timeout_setting_names_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="GK_EXTRACT_SOFFICE_TIMEOUT|timeout_s"):
        OfficeSettings.from_env({ENV_TIMEOUT: value})


# ----------------------------------------------------------------------------- fixture builders


def test_filler_pads_sections_2_and_3_and_nothing_else() -> None:
    plain = random_report(random.Random(8))
    padded = random_report(random.Random(8), filler_paragraphs=9)
    assert padded == random_report(random.Random(8), filler_paragraphs=9)
    assert render_docx(padded) == render_docx(random_report(random.Random(8), filler_paragraphs=9))
    assert padded.cells == plain.cells and padded.title == plain.title
    changed = {k for k in plain.sections if plain.sections[k] != padded.sections[k]}
    assert changed <= {"s2_proactive", "s3_requests"} and changed
    added = sum(_paragraphs(padded.sections[k]) - _paragraphs(plain.sections[k])
                for k in ("s2_proactive", "s3_requests"))
    assert added == 9 and padded.truth()["layout"]["filler_paragraphs"] == 9
    with pytest.raises(ValueError, match="filler_paragraphs"):
        random_report(random.Random(8), filler_paragraphs=-1)


def _paragraphs(text: str) -> int:
    return len(text.split("\n")) if text else 0


@pytest.mark.parametrize("seed", range(8))
def test_docx_round_trip_with_filler(seed: int) -> None:
    truth = random_report(random.Random(seed), filler_paragraphs=seed * 2)
    assert_same(extract(render_docx(truth)), truth)


def test_docx_table_rows_may_break_across_pages() -> None:
    """No w:cantSplit: Word's default, so a page break can cut a merged label cell."""
    data = render_docx(random_report(random.Random(3), filler_paragraphs=5))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"cantSplit" not in xml and b"<w:tr" in xml


def test_convert_many_refuses_clashing_stems_and_unknown_targets(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "x.docx", tmp_path / "b" / "x.docx"
    with pytest.raises(ValueError, match="stems"):
        convert_many([a, b], "doc", tmp_path / "out")
    with pytest.raises(ValueError, match="target"):
        convert_many([a], "odt", tmp_path / "out")  # type: ignore[arg-type]


def test_convert_many_returns_outputs_in_input_order(tmp_path: Path) -> None:
    require_soffice()
    reports = random_reports(3, 5)
    sources = render_all(tmp_path / "docx", reports, "z")[::-1]
    outputs = convert_many(sources, "pdf", tmp_path / "pdf", jobs=2)
    assert [p.stem for p in outputs] == [p.stem for p in sources]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in outputs)
    assert os.path.commonpath(outputs) == str(tmp_path / "pdf")
