"""docs/dataset.md is generated from the parquet schemas; the two never disagree."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from gk_extract.export.docs import markdown
from gk_extract.export.parquet import DOC, PANEL, SCHEMAS
from gk_extract.export.tables import table_files, write_dataset

DOCS = Path(__file__).resolve().parents[1] / "docs" / "dataset.md"


def test_dataset_md_is_what_the_schemas_render() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown(), (
        "docs/dataset.md is out of date: run python -m gk_extract.export.docs > docs/dataset.md")


def test_every_column_is_documented() -> None:
    for name, schema in {**SCHEMAS, "panel": PANEL}.items():
        for i, field in enumerate(schema):
            before = schema.field(i - 1) if i else None
            doc = (field.metadata or {}).get(DOC, b"")
            shares = before is not None and field.name != "report_id"
            assert doc or shares, f"{name}.{field.name} has no meaning in its schema"
            assert f"`{field.name}`" in markdown() or name == "panel", field.name


def test_written_files_carry_the_meanings(tmp_path: Path) -> None:
    write_dataset([], tmp_path)
    (part,) = table_files(tmp_path, "reports")
    schema = pq.read_schema(part)
    assert schema.field("province").metadata[DOC].startswith(b"region of the agency")
