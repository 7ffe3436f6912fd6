"""The command line as a user runs it, and docs that cannot rot."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from gk_extract.cli import main
from gk_extract.testing.synth import random_report, render_docx

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_with_an_example() -> None:
    for name, command in main.commands.items():
        assert f"gk-extract {name}" in README, f"README does not show `gk-extract {name}`"
        assert "Example: gk-extract " + name in (command.help or ""), f"{name} --help has no example"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head and "make test" in head


def test_extract_then_show(tmp_path: Path) -> None:
    truth = random_report(random.Random(3), template="2021")
    doc = tmp_path / "in" / "report.docx"
    doc.parent.mkdir()
    doc.write_bytes(render_docx(truth))
    (tmp_path / "in" / "junk.docx").write_bytes(b"PK\x03\x04 this zip is cut short")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "gk_extract.cli", "extract", str(tmp_path / "in"),
                          "--out", str(out), "--strict"], capture_output=True, text=True, check=False)
    assert run.returncode == 3, run.stderr
    assert "failed" in run.stdout and "ok" in run.stdout
    statuses = sorted(r["status"] for r in pq.read_table(out / "reports.parquet").to_pylist())
    assert statuses == ["failed", "ok"]

    shown = CliRunner().invoke(main, ["show", str(doc), "--json"])
    body = json.loads(shown.output)
    assert body["agency"] == truth.agency and body["status"] == "ok"
    assert {c["key"] for c in body["cells"]} == set(truth.expected)
    table = CliRunner().invoke(main, ["show", str(doc)])
    assert "三、收到和处理政府信息公开申请情况" in table.output and truth.agency in table.output
    assert "region" in table.output and "agency_id" in table.output
