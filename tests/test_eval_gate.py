"""Evaluation gate: the real samples scored by the shared scorer must not fall below the floors.

Floors live in ``eval_floors.json`` and only move up: raise them when extraction improves.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

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
    for doc, floor in FLOORS["documents"].items():
        line = lines[doc]
        for field, minimum in floor.items():
            got = int(line.split(f"{field} ")[1].split("/")[0])
            assert got >= minimum, f"{doc}: {field} {got} < floor {minimum}\n{line}"
    assert total["invented"] == 0, "cells invented for rows the documents do not print"
