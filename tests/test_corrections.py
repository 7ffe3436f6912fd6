"""A reviewer's decisions: appended beside the dataset, laid over the values in the panel and
the DuckDB views, never written into cells.parquet, and flagged when the cell changes."""

from __future__ import annotations

import os
import random
import shutil
import threading
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from gk_extract.cli import main
from gk_extract.export.corrections import (
    Correction,
    CorrectionError,
    append_correction,
    now_utc,
    read_corrections,
    refresh_panel,
    reviewed_cells,
)
from gk_extract.export.duckdb import connect, load, remove_dead_spills, write_duckdb
from gk_extract.pipeline import Settings, extract_paths
from gk_extract.testing.synth import SyntheticReport, random_report, render_html

TOTAL = "s3_new_received__total"


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[Path, SyntheticReport, str]:
    truth = random_report(random.Random(7), template="2021")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_bytes(render_html(truth))
    extract_paths([tmp_path / "in"], Settings(out_dir=tmp_path / "data"))
    report_id = str(pq.read_table(tmp_path / "data" / "reports.parquet")["report_id"][0])
    return tmp_path / "data", truth, report_id


def decision(report_id: str, old: float | None, new: float | None, action: str = "correct",
             raw: str | None = None, reason: str = "the scan shows another number") -> Correction:
    return Correction(report_id=report_id, key=TOTAL, old_raw=raw if raw is not None else
                      (f"{old:g}" if old is not None else None), old_value=old, new_value=new,
                      action=action, reason=reason, reviewer="李审核", at=now_utc())


def cells_bytes(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (data / "cells.parquet").glob("*.parquet")}


def test_a_correction_is_laid_over_the_panel_and_never_changes_cells(
        dataset: tuple[Path, SyntheticReport, str], tmp_path: Path) -> None:
    data, truth, report_id = dataset
    before = cells_bytes(data)
    old = truth.expected[TOTAL]
    append_correction(data, decision(report_id, old, old + 5))
    assert [c.new_value for c in read_corrections(data)] == [old + 5]
    panel = pq.read_table(refresh_panel(data)).to_pylist()
    assert panel[0][TOTAL] == old + 5 and panel[0]["reviewed"] == 1
    assert cells_bytes(data) == before
    frames = load(data)
    assert len(frames.corrections) == 1
    reviewed = frames.cells_reviewed().set_index("key")
    assert (reviewed.loc[TOTAL, "value_reviewed"], bool(reviewed.loc[TOTAL, "reviewed"])) == (old + 5, True)
    assert reviewed["reviewed"].sum() == 1
    db = tmp_path / "gk.duckdb"
    write_duckdb(data, db)
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select value, value_reviewed, reviewed, review_source_changed from "
                          "report_cells where key = ?", [TOTAL]).fetchone()
        assert row == (old, old + 5, True, False)
        assert con.execute("select count(*) from corrections").fetchone() == (1,)


def test_the_latest_decision_wins_and_a_changed_cell_is_flagged(
        dataset: tuple[Path, SyntheticReport, str]) -> None:
    data, truth, report_id = dataset
    old = truth.expected[TOTAL]
    append_correction(data, decision(report_id, old, old + 5))
    append_correction(data, decision(report_id, old, old, action="confirm", reason=""))
    cell = reviewed_cells(data)[(report_id, TOTAL)]
    assert cell.correction.action == "confirm" and not cell.source_changed
    assert pq.read_table(refresh_panel(data)).to_pylist()[0][TOTAL] == old
    # reviewed when the cell read otherwise (another extraction): kept, flagged, not applied
    append_correction(data, decision(report_id, old + 1, old + 9, raw=f"{old + 1:g}"))
    cell = reviewed_cells(data)[(report_id, TOTAL)]
    assert cell.source_changed and cell.correction.new_value == old + 9
    assert pq.read_table(refresh_panel(data)).to_pylist()[0][TOTAL] == old
    assert len(read_corrections(data)) == 3


def test_corrections_survive_a_new_extraction_run(dataset: tuple[Path, SyntheticReport, str]) -> None:
    data, truth, report_id = dataset
    old = truth.expected[TOTAL]
    append_correction(data, decision(report_id, old, old + 2))
    append_correction(data, decision("f" * 64, 1.0, 2.0))  # gone
    result = CliRunner().invoke(main, ["extract", str(data.parent / "in"), "--out", str(data)])
    assert result.exit_code == 0, result.output
    assert "corrections: 2 reviewed cell(s) kept, 1 extracted differently" in result.output
    assert len(read_corrections(data)) == 2
    panel = pq.read_table(data / "panel.parquet").to_pylist()
    assert panel[0][TOTAL] == old + 2 and panel[0]["reviewed"] == 1


def test_appends_from_many_threads_lose_nothing(dataset: tuple[Path, SyntheticReport, str]) -> None:
    data, _, report_id = dataset
    threads = [threading.Thread(target=append_correction,
                                args=(data, decision(report_id, 1.0, float(n))))
               for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c.new_value or 0 for c in read_corrections(data)) == [float(n) for n in range(12)]
    assert not list(data.glob(".corrections.parquet.tmp-*"))


@pytest.mark.parametrize(("action", "reason", "reviewer", "message"), [
    ("delete", "x", "a", "action must be"),
    ("correct", " ", "a", "needs a reason"),
    ("confirm", "", "", "reviewer's name"),
])
def test_decisions_that_cannot_be_stored(tmp_path: Path, action: str, reason: str,
                                         reviewer: str, message: str) -> None:
    bad = Correction("0" * 64, TOTAL, "1", 1.0, 2.0, action, reason, reviewer, now_utc())
    with pytest.raises(CorrectionError, match=message):
        append_correction(tmp_path, bad)
    assert not (tmp_path / "corrections.parquet").exists()


def test_a_dataset_without_corrections_reads_as_before(
        dataset: tuple[Path, SyntheticReport, str], tmp_path: Path) -> None:
    data, truth, _ = dataset
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    assert reviewed_cells(copy) == {}
    panel = pq.read_table(refresh_panel(copy)).to_pylist()
    assert panel[0][TOTAL] == truth.expected[TOTAL] and panel[0]["reviewed"] == 0


def test_connections_side_by_side_spill_into_folders_of_their_own(
        dataset: tuple[Path, SyntheticReport, str]) -> None:
    """The review app reads while it rebuilds the panel: one connection closing must not take
    the other's spill folder with it."""
    data = dataset[0]
    with connect(data) as first:
        with connect(data) as second:
            folders = {con.execute("select current_setting('temp_directory')").fetchone()
                       for con in (first, second)}
        assert len(folders) == 2
        assert first.execute("select count(*) from cells_reviewed").fetchone() == (
            pq.read_table(data / "cells.parquet").num_rows,)
    gone, ours = data / ".duckdb-spill" / "999999999-1-0", data / ".duckdb-spill" / f"{os.getpid()}-1-0"
    gone.mkdir(parents=True)
    ours.mkdir()
    remove_dead_spills(data, lambda pid: pid == os.getpid())
    assert not gone.exists() and ours.exists()
