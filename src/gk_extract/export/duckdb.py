"""A written dataset for analysts: the wide panel, one DuckDB database file, or DataFrames.

``write_panel`` pivots the primary reports' cells into ``panel.parquet``: one row per report,
one column per cell key, beside the agency and its region.

``write_duckdb`` copies the four parquet tables into a DuckDB file (tables ``reports``,
``cells``, ``sections``, ``checks``) with the views

* ``corrections``: a reviewer's decisions (corrections.parquet; empty when there are none);
* ``cells_reviewed``: every cell with the latest decision laid over it: ``value_reviewed``
  (the reviewer's value, else the extracted one), ``reviewed``, and
  ``review_source_changed`` (the cell was extracted differently since it was reviewed: the
  decision is not laid over it);
* ``report_cells``: every cell (as in cells_reviewed) beside its report's agency, year,
  region, template and status, the join nearly every question starts with;
* ``panel``: the wide panel, as in panel.parquet;
* ``agency_years``: one row per agency and year: its primary report, how many copies were
  found, the headline counts (applications, outcomes, reviews, suits) and failed checks;
* ``region_years``: the same summed per region and year.

Files are written under a temporary name and moved into place when complete.

``load`` reads the tables back as DataFrames through pyarrow, keeping the parquet types
(Arrow-backed dtypes): a missing year stays missing instead of turning the column to floats,
a blank cell's ``value`` stays null, never 0.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from gk_extract.export.panel import PANEL_STATUSES
from gk_extract.export.parquet import CORRECTIONS, CORRECTIONS_FILE, PANEL, PANEL_HEAD, SCHEMAS
from gk_extract.export.tables import table_files
from gk_extract.template import registry

# What a batch's own queries (panel, validation) may hold in memory before DuckDB spills.
QUERY_MEMORY = "256MB"
SPILL_DIR = ".duckdb-spill"
_CONNECTIONS = itertools.count()
PANEL_BATCH_ROWS = 10_000
# The report columns the view puts beside each cell.
VIEW_REPORT_COLUMNS = ("agency", "year", "province", "city", "county", "adcode", "template",
                       "status", "source_url")
REPORT_CELLS_VIEW = (
    "create view report_cells as select "
    + ", ".join(f"r.{c}" for c in VIEW_REPORT_COLUMNS)
    + ", c.* from cells_reviewed c join reports r using (report_id)"
)
# A decision holds while the cell reads as it did when it was reviewed.
_UNCHANGED = "c.raw is not distinct from d.old_raw and c.value is not distinct from d.old_value"
CELLS_REVIEWED_VIEW = (
    "create view cells_reviewed as with decided as (select * from corrections qualify "
    "row_number() over (partition by report_id, key order by \"at\" desc) = 1) "
    f"select c.*, case when d.report_id is not null and {_UNCHANGED} then d.new_value "
    "else c.value end as value_reviewed, "
    f"coalesce(d.report_id is not null and {_UNCHANGED}, false) as reviewed, "
    f"coalesce(d.report_id is not null and not ({_UNCHANGED}), false) as review_source_changed "
    "from cells c left join decided d using (report_id, key)"
)




def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def panel_sql() -> str:
    """The wide panel over the tables ``reports`` and ``cells``."""
    keys = ", ".join("'" + k + "'" for k in registry.all_keys())
    head = ", ".join(f"r.{_quoted(c)}" for c in PANEL_HEAD)
    statuses = ", ".join(f"'{s}'" for s in sorted(PANEL_STATUSES))
    return (f"select {head}, p.* exclude (report_id), coalesce(v.reviewed, 0) as reviewed "
            f"from reports r join "
            f"(pivot (select report_id, coalesce(maps_to, key) as key, value_reviewed as value "
            f"from cells_reviewed) on key in ({keys}) "
            f"using first(value) group by report_id) p using (report_id) "
            f"left join (select report_id, count(*) filter (where reviewed) as reviewed "
            f"from cells_reviewed group by report_id) v using (report_id) "
            f"where r.{_quoted('primary')} and r.status in ({statuses}) "
            "order by r.agency_id, r.year, r.report_id")


# The headline counts agency_years and region_years carry, from the panel's cell keys.
HEADLINES = {
    "applications": '"s3_new_received__total"',
    "carried_over": '"s3_carried_over__total"',
    "closed": '"s3_result_total__total"',
    "granted": '"s3_granted__total"',
    "partially_granted": '"s3_partially_granted__total"',
    "carried_forward": '"s3_carried_forward__total"',
    "reviews": '"s4_review__total"',
    "suits": '"s4_suit_direct__total" + "s4_suit_after_review__total"',
}
AGENCY_YEARS_VIEW = (
    "create view agency_years as select p.agency_id, p.agency_canonical, p.agency_kind, "
    "p.province, p.city, p.county, p.adcode, p.region_level, p.year, p.report_id, p.template, "
    "p.status, g.copies, r.checks_failed, "
    + ", ".join(f"{sql} as {name}" for name, sql in HEADLINES.items())
    + " from panel p join reports r using (report_id) join (select report_group, count(*) as "
    "copies from reports group by report_group) g using (report_group) "
    "where p.agency_id is not null"
)
REGION_YEARS_VIEW = (
    "create view region_years as select province, city, county, adcode, region_level, year, "
    "count(*) as agencies, count(*) filter (where checks_failed > 0) as agencies_not_adding_up, "
    + ", ".join(f"sum({name}) as {name}" for name in HEADLINES)
    + " from agency_years group by all order by adcode, year"
)


@contextmanager
def connect(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB over the dataset's tables (views ``reports``, ``cells`` …) that
    keeps within ``QUERY_MEMORY`` and spills beyond it into a folder of its own under
    ``data_dir/.duckdb-spill`` (removed after): the memory a batch's queries take does not
    grow with the dataset, and connections may be open side by side."""
    spill = data_dir / SPILL_DIR / f"{os.getpid()}-{threading.get_ident()}-{next(_CONNECTIONS)}"
    files = dataset_files(data_dir)
    try:
        with duckdb.connect(config={"memory_limit": QUERY_MEMORY, "temp_directory": str(spill),
                                    "preserve_insertion_order": False}) as con:
            for name, paths in files.items():
                con.read_parquet([str(p) for p in paths]).create_view(name)
            _corrections(con, data_dir).create_view("corrections")
            con.execute(CELLS_REVIEWED_VIEW)
            yield con
    finally:
        shutil.rmtree(spill, ignore_errors=True)
        with suppress(OSError):
            spill.parent.rmdir()  # when no other connection spills there


def remove_dead_spills(data_dir: Path, alive: Callable[[int], bool]) -> None:
    """Spill folders of connections whose process is gone (killed mid-query)."""
    for folder in (data_dir / SPILL_DIR).glob("*-*-*"):
        if folder.name.split("-")[0].isdigit() and not alive(int(folder.name.split("-")[0])):
            shutil.rmtree(folder, ignore_errors=True)


def write_panel(data_dir: Path) -> Path:
    """``data_dir/panel.parquet`` from the dataset's reports and cells (replaced if present),
    streamed from DuckDB in batches."""
    out = data_dir / "panel.parquet"
    tmp = data_dir / f".panel.parquet.tmp-{os.getpid()}"
    try:
        with connect(data_dir) as con, pq.ParquetWriter(tmp, PANEL, compression="zstd") as writer:
            for batch in con.sql(panel_sql()).to_arrow_reader(PANEL_BATCH_ROWS):
                writer.write_table(pa.Table.from_batches([batch]).cast(PANEL))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _corrections(con: duckdb.DuckDBPyConnection, data_dir: Path) -> duckdb.DuckDBPyRelation:
    """The reviewer's decisions as a relation: the file's rows, or none."""
    path = data_dir / CORRECTIONS_FILE
    return con.from_arrow(pq.read_table(path, schema=CORRECTIONS) if path.exists()
                          else CORRECTIONS.empty_table())


@dataclass(frozen=True, slots=True)
class Dataset:
    """The four tables of a dataset, one DataFrame each, and the reviewer's decisions."""

    reports: pd.DataFrame
    cells: pd.DataFrame
    sections: pd.DataFrame
    checks: pd.DataFrame
    corrections: pd.DataFrame

    def cells_reviewed(self) -> pd.DataFrame:
        """``cells`` with the latest decision laid over each value, as the DuckDB view:
        ``value_reviewed``, ``reviewed``, ``review_source_changed``."""
        with duckdb.connect() as con:
            con.register("cells", self.cells)
            con.register("corrections", self.corrections)
            con.execute(CELLS_REVIEWED_VIEW)
            table = con.sql("select * from cells_reviewed").to_arrow_table()
        return table.to_pandas(types_mapper=pd.ArrowDtype)


def dataset_files(data_dir: Path) -> dict[str, list[Path]]:
    """The live parquet files of each table in ``data_dir``; FileNotFoundError names a table
    that has none."""
    files = {name: table_files(data_dir, name) for name in SCHEMAS}
    missing = [f"{name}.parquet" for name, found in files.items() if not found]
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
            for name, paths in files.items():
                con.execute(f"create table {name} as select * from read_parquet(?)",
                            [[str(p) for p in paths]])
            _corrections(con, data_dir).create("corrections")
            con.execute(CELLS_REVIEWED_VIEW)
            con.execute(REPORT_CELLS_VIEW)
            con.execute(f"create view panel as {panel_sql()}")
            con.execute(AGENCY_YEARS_VIEW)
            con.execute(REGION_YEARS_VIEW)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def load(data_dir: Path) -> Dataset:
    """The dataset in ``data_dir`` as pandas DataFrames, read with pyarrow."""
    files = dataset_files(data_dir)
    frames = {name: ds.dataset([str(p) for p in paths], schema=SCHEMAS[name], format="parquet")
              .to_table().to_pandas(types_mapper=pd.ArrowDtype) for name, paths in files.items()}
    path = data_dir / CORRECTIONS_FILE
    corrections = pq.read_table(path, schema=CORRECTIONS) if path.exists() else CORRECTIONS.empty_table()
    return Dataset(**frames, corrections=corrections.to_pandas(types_mapper=pd.ArrowDtype))
