"""The results cache is keyed by the product's code: a change to the test tools keeps it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gk_extract"
PRINT_FINGERPRINT = "from gk_extract.pipeline.parts import FINGERPRINT; print(FINGERPRINT)"


def _fingerprint(src: Path) -> str:
    run = subprocess.run([sys.executable, "-c", PRINT_FINGERPRINT],
                         env={**os.environ, "PYTHONPATH": str(src)}, capture_output=True, text=True,
                         check=True)
    return run.stdout.strip()


def test_the_test_tools_are_not_part_of_the_fingerprint(tmp_path: Path) -> None:
    copy = tmp_path / "gk_extract"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = _fingerprint(tmp_path)
    with (copy / "testing" / "loopback.py").open("a", encoding="utf-8") as tool:
        tool.write("\n# a change to a test tool\n")
    assert _fingerprint(tmp_path) == before
    with (copy / "demo.py").open("a", encoding="utf-8") as product:
        product.write("\n# a change to the product\n")
    assert _fingerprint(tmp_path) != before
