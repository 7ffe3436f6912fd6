"""A dataset as a DuckDB database and as pandas DataFrames, read back as an analyst would."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from gk_extract.cli import main
from gk_extract.export.duckdb import VIEW_REPORT_COLUMNS, load, write_duckdb
from gk_extract.export.parquet import SCHEMAS
from gk_extract.pipeline import Settings, extract_paths
from gk_extract.testing.synth import SyntheticReport, random_report, render_docx, render_html

TOTAL = "s3_new_received__total"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SyntheticReport]]:
    """Two generated reports (DOCX and HTML) and a broken file, extracted by the pipeline."""
    root = tmp_path_factory.mktemp("export")
    truths = [random_report(random.Random(seed), template="2021") for seed in (11, 12)]
    (root / "in").mkdir()
    (root / "in" / "a.docx").write_bytes(render_docx(truths[0]))
    (root / "in" / "b.html").write_bytes(render_html(truths[1]))
    (root / "in" / "broken.docx").write_bytes(b"PK\x03\x04 this zip is cut short")
    extract_paths([root / "in"], Settings(out_dir=root / "data"))
    return root / "data", truths


def test_duckdb_file_holds_the_four_tables_and_the_view(dataset: tuple[Path, list[SyntheticReport]],
                                                        tmp_path: Path) -> None:
    data, truths = dataset
    db = tmp_path / "gk.duckdb"
    write_duckdb(data, db)
    with duckdb.connect(str(db), read_only=True) as con:
        for name in SCHEMAS:
            count = con.execute(f"select count(*) from {name}").fetchone()
            assert count == (pq.read_table(data / f"{name}.parquet").num_rows,)
        rows = con.execute("select agency, value from report_cells where key = ? order by agency",
                           [TOTAL]).fetchall()
        failed = con.execute("select count(*) from reports where status = 'failed'").fetchone()
        columns = [c[0] for c in con.execute("describe report_cells").fetchall()]
    assert rows == sorted((t.agency, t.expected[TOTAL]) for t in truths)
    assert failed == (1,)
    assert columns[:len(VIEW_REPORT_COLUMNS)] == list(VIEW_REPORT_COLUMNS)
    assert not list(tmp_path.glob(".gk.duckdb.tmp-*"))


def test_writing_again_replaces_the_file(dataset: tuple[Path, list[SyntheticReport]],
                                         tmp_path: Path) -> None:
    db = tmp_path / "gk.duckdb"
    write_duckdb(dataset[0], db)
    write_duckdb(dataset[0], db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from reports").fetchone() == (3,)


def test_load_gives_dataframes_with_the_parquet_types(
        dataset: tuple[Path, list[SyntheticReport]]) -> None:
    data, truths = dataset
    tables = load(data)
    assert len(tables.reports) == 3 and len(tables.checks) > 0 and len(tables.sections) > 0
    broken = tables.reports[tables.reports["status"] == "failed"].iloc[0]
    assert pd.isna(broken["year"])  # missing, not a float NaN in a float column
    assert str(tables.reports["year"].dtype) == "int16[pyarrow]"
    totals = tables.cells[tables.cells["key"] == TOTAL].merge(tables.reports, on="report_id")
    assert sorted(zip(totals["agency"], totals["value"], strict=True)) == sorted(
        (t.agency, t.expected[TOTAL]) for t in truths)


def test_a_folder_that_is_no_dataset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="reports.parquet"):
        write_duckdb(tmp_path, tmp_path / "gk.duckdb")
    with pytest.raises(FileNotFoundError, match="not a gk-extract dataset"):
        load(tmp_path)
    assert not (tmp_path / "gk.duckdb").exists()


def test_export_command(dataset: tuple[Path, list[SyntheticReport]], tmp_path: Path) -> None:
    db = tmp_path / "out.duckdb"
    done = CliRunner().invoke(main, ["export", str(dataset[0]), "--duckdb", str(db)])
    assert done.exit_code == 0, done.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from report_cells where key = ?", [TOTAL]).fetchone() == (2,)
    refused = CliRunner().invoke(main, ["export", str(tmp_path), "--duckdb", str(tmp_path / "x.duckdb")])
    assert refused.exit_code == 2 and "not a gk-extract dataset" in refused.output
