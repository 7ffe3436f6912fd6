"""Tables as folders of parquet parts: a run writes what changed, and the dataset is always
the one a fresh run over the same files gives; pandas, pyarrow and DuckDB read the folders."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from gk_extract import pipeline
from gk_extract.cli import main
from gk_extract.export.parquet import SCHEMAS
from gk_extract.export.tables import live_parts, table_files
from gk_extract.pipeline import Settings, extract_paths
from gk_extract.testing.synth import random_report, render_docx, render_html

ORDER = {"reports": ["report_id"], "cells": ["report_id", "key"],
         "sections": ["report_id", "key"], "checks": ["report_id", "rule", "scope"]}


def tables(out: Path) -> dict[str, pa.Table]:
    """Each table read as pyarrow reads the folder, in a fixed order."""
    return {name: pq.read_table(out / f"{name}.parquet").sort_by([(k, "ascending") for k in keys])
            for name, keys in ORDER.items()}


def files(out: Path) -> dict[Path, tuple[int, int]]:
    """Every part file with its inode and modification time: what a rewrite would change."""
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns)
            for name in SCHEMAS for p in (out / f"{name}.parquet").glob("*.parquet")}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Three generated reports of 2023 (HTML and DOCX), and beside the folder a DOCX copy of
    the first's report."""
    truths = [random_report(random.Random(seed), template="2021", year=2023)
              for seed in (21, 22, 23)]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_bytes(render_html(truths[0]))
    (folder / "b.html").write_bytes(render_html(truths[1]))
    (folder / "c.docx").write_bytes(render_docx(truths[2]))
    (tmp_path / "copy-of-a.docx").write_bytes(render_docx(truths[0]))
    return folder


def fresh_run(folder: Path, tmp_path: Path) -> dict[str, pa.Table]:
    out = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    extract_paths([folder], Settings(out_dir=out))
    return tables(out)


def test_adding_files_writes_new_parts_and_leaves_the_old_ones(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    late = tmp_path / "late"
    late.mkdir()
    shutil.move(folder / "c.docx", late / "c.docx")
    extract_paths([folder], Settings(out_dir=out))
    before = files(out)
    (folder / "c.docx").write_bytes((late / "c.docx").read_bytes())
    result = extract_paths([folder], Settings(out_dir=out))
    after = files(out)
    assert {p: after[p] for p in before} == before  # not one old part rewritten
    assert len(after) == len(before) + 4  # one new part per table
    assert result.update is not None and result.update.written == {"document": 1, "batch": 1}
    assert tables(out) == fresh_run(folder, tmp_path)


def test_a_run_with_nothing_new_writes_no_part(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([folder], Settings(out_dir=out))
    before = files(out)
    extract_paths([folder], Settings(out_dir=out))
    assert files(out) == before


def test_removed_changed_and_copied_files_give_the_fresh_runs_dataset(folder: Path,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([folder], Settings(out_dir=out))
    (folder / "b.html").unlink()  # its rows leave; a's and c's are copied, not extracted
    parts = sorted((out / ".work").rglob("*.json"))
    stamps = [p.stat().st_mtime_ns for p in parts]
    extract_paths([folder], Settings(out_dir=out))
    assert [p.stat().st_mtime_ns for p in parts if p.exists()] == stamps
    assert tables(out) == fresh_run(folder, tmp_path)
    # a changed file: new bytes under the same name
    changed = random_report(random.Random(99), template="2021", year=2023)
    (folder / "a.html").write_bytes(render_html(changed))
    extract_paths([folder], Settings(out_dir=out))
    assert tables(out) == fresh_run(folder, tmp_path)
    assert changed.agency in set(tables(out)["reports"].column("agency").to_pylist())
    # a copy of a report already held: the batch tables change (group, primary, D1) and the
    # document tables only gain the copy
    shutil.copy(tmp_path / "copy-of-a.docx", folder / "copy-of-a.docx")
    (folder / "a.html").write_bytes(render_html(
        random_report(random.Random(21), template="2021", year=2023)))
    extract_paths([folder], Settings(out_dir=out))
    assert tables(out) == fresh_run(folder, tmp_path)
    groups = pd.read_parquet(out / "reports.parquet").groupby("report_group").size()
    assert groups.max() == 2  # the page and its DOCX copy are one report group


def test_results_of_other_code_replace_every_part(folder: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    extract_paths([folder], Settings(out_dir=out))
    before = files(out)
    monkeypatch.setattr(pipeline.parts, "FINGERPRINT", "another-version")
    monkeypatch.setattr(pipeline.batch, "FINGERPRINT", "another-version")
    extract_paths([folder], Settings(out_dir=out))
    assert not set(files(out)) & set(before)
    assert {p["fingerprint"] for g in json.loads((out / "manifest.json").read_text())["parts"].values()
            for p in g} == {"another-version"}
    # the earlier code's saved results are gone, this code's are kept
    assert [p.name for p in (out / ".work").iterdir()] == ["another-version"]
    assert list((out / ".work" / "another-version").rglob("*.json"))


def test_pandas_pyarrow_and_duckdb_read_the_folders(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([folder], Settings(out_dir=out))
    (folder / "d.html").write_bytes(render_html(
        random_report(random.Random(31), template="2021", year=2023)))
    extract_paths([folder], Settings(out_dir=out))
    assert len(table_files(out, "cells")) == 2
    by_pandas = pd.read_parquet(out / "cells.parquet")
    by_arrow = pq.read_table(out / "cells.parquet")
    (by_duckdb,) = duckdb.sql(f"select count(*) from '{out}/cells.parquet/*.parquet'").fetchall()
    assert len(by_pandas) == by_arrow.num_rows == by_duckdb[0] > 0
    assert len(pd.read_parquet(out / "reports.parquet")) == 4
    joined = duckdb.sql(f"select count(distinct r.agency) from '{out}/reports.parquet/*.parquet' r "
                        f"join '{out}/cells.parquet/*.parquet' c using (report_id)").fetchall()
    assert joined == [(4,)]


def test_compact_merges_the_parts_and_keeps_every_row(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = sorted(folder.iterdir())
    for n in range(1, len(names) + 1):
        run = tmp_path / f"run{n}"
        run.mkdir()
        for name in names[:n]:
            shutil.copy(name, run / name.name)
        extract_paths([run], Settings(out_dir=out))
    assert len(live_parts(out)["document"]) == 3
    before = tables(out)
    result = CliRunner().invoke(main, ["compact", str(out)])
    assert result.exit_code == 0, result.output
    assert "document tables: 3 part(s) -> 1" in result.output
    assert {g: len(p) for g, p in live_parts(out).items()} == {"document": 1, "batch": 1}
    assert tables(out) == before
    assert all(len(list((out / f"{name}.parquet").glob("*.parquet"))) == 1 for name in SCHEMAS)
    # the next run keeps the merged parts
    merged = files(out)
    extract_paths([run], Settings(out_dir=out))
    assert files(out) == merged


def test_parts_are_partitioned_by_year(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([folder], Settings(out_dir=out))
    before = files(out)
    (folder / "e.html").write_bytes(render_html(
        random_report(random.Random(41), template="2021", year=2021)))
    extract_paths([folder], Settings(out_dir=out))
    assert {p: v for p, v in files(out).items() if p in before} == before
    for group, parts in live_parts(out).items():
        assert sorted(p.year for p in parts) == ["2021", "2023"], group
        for part in parts:
            table = "reports" if group == "batch" else "cells"
            ids = set(pq.read_table(part.file(out, table)).column("report_id").to_pylist())
            years = pq.read_table(out / "reports.parquet", filters=[("report_id", "in", ids)])
            assert set(years.column("year").to_pylist()) == {int(part.year)}
    assert tables(out) == fresh_run(folder, tmp_path)


def test_compact_refuses_a_folder_that_is_no_dataset(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compact", str(tmp_path)])
    assert result.exit_code == 2 and "holds no dataset" in result.output
