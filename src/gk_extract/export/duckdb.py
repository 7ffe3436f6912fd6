"""A written dataset for analysts: one DuckDB database file, or pandas DataFrames.

``write_duckdb`` copies the four parquet tables into a DuckDB file (tables ``reports``,
``cells``, ``sections``, ``checks``) with the view ``report_cells``: every cell beside its
report's agency, year, region, template and status, the join nearly every question starts
with. The file is written under a temporary name and moved into place when complete.

``load`` reads the tables back as DataFrames through pyarrow, keeping the parquet types
(Arrow-backed dtypes): a missing year stays missing instead of turning the column to floats,
a blank cell's ``value`` stays null, never 0.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from gk_extract.export.parquet import SCHEMAS

# The report columns the view puts beside each cell.
VIEW_REPORT_COLUMNS = ("agency", "year", "province", "city", "county", "adcode", "template",
                       "status", "source_url")
REPORT_CELLS_VIEW = (
    "create view report_cells as select "
    + ", ".join(f"r.{c}" for c in VIEW_REPORT_COLUMNS)
    + ", c.* from cells c join reports r using (report_id)"
)


@dataclass(frozen=True, slots=True)
class Dataset:
    """The four tables of a dataset, one DataFrame each."""

    reports: pd.DataFrame
    cells: pd.DataFrame
    sections: pd.DataFrame
    checks: pd.DataFrame


def dataset_files(data_dir: Path) -> dict[str, Path]:
    """The parquet file of each table in ``data_dir``; FileNotFoundError names a missing one."""
    files = {name: data_dir / f"{name}.parquet" for name in SCHEMAS}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"{data_dir} is not a gk-extract dataset: no {', '.join(missing)}")
    return files


def write_duckdb(data_dir: Path, db_path: Path) -> None:
    """The dataset in ``data_dir`` as the DuckDB database ``db_path`` (replaced if present)."""
    files = dataset_files(data_dir)
    tmp = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            for name, path in files.items():
                con.execute(f"create table {name} as select * from read_parquet(?)", [str(path)])
            con.execute(REPORT_CELLS_VIEW)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def load(data_dir: Path) -> Dataset:
    """The dataset in ``data_dir`` as pandas DataFrames, read with pyarrow."""
    files = dataset_files(data_dir)
    frames = {name: pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)
              for name, path in files.items()}
    return Dataset(**frames)
