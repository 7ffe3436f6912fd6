"""Evaluation gate: the real samples scored by the shared scorer must not fall below the floors.

Floors live in ``eval_floors.json``, per format and per document of that format, and only
move up: raise them when extraction improves. A format with no real sample yet has no floor;
add one with the first sample.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import duckdb
from conftest import SAMPLES, sample

from gk_extract.pipeline import Settings, extract_paths

FLOORS = json.loads((Path(__file__).with_name("eval_floors.json")).read_text(encoding="utf-8"))


def load_scorer():  # type: ignore[no-untyped-def]
    path = sample("../eval/score.py")
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_real_samples_score_at_least_the_floors(tmp_path: Path) -> None:
    sample("truth")
    scorer = load_scorer()
    extract_paths([SAMPLES], Settings(out_dir=tmp_path))
    total = scorer.score(tmp_path, SAMPLES / "truth")
    lines = {line.split()[0]: line for line in total["lines"]}
    formats = dict(duckdb.sql(f"SELECT regexp_extract(source_path, '([^/]+?)\\.[^/.]+$', 1), format "
                              f"FROM '{tmp_path / 'reports.parquet'}'").fetchall())
    for fmt, documents in FLOORS["formats"].items():
        for doc, floor in documents.items():
            line = lines[doc]
            assert formats[doc] == fmt, f"{doc} was read as {formats[doc]}, its floor is for {fmt}"
            for field, minimum in floor.items():
                got = int(line.split(f"{field} ")[1].split("/")[0])
                assert got >= minimum, f"{fmt} {doc}: {field} {got} < floor {minimum}\n{line}"
    assert total["invented"] == 0, "cells invented for rows the documents do not print"
