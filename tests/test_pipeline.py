"""The batch end to end: real files in a folder, parquet read back with pyarrow and DuckDB."""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import sample

from gk_extract import pipeline
from gk_extract.export.parquet import SCHEMAS
from gk_extract.export.tables import table_files
from gk_extract.pipeline import Settings, extract_paths

REPORT_HTML = """<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="某县财政局2024年政府信息公开工作年度报告">
<meta name="PubDate" content="2025-01-20 10:00"></head><body><div class="TRS_Editor">
<p>一、总体情况</p><p>2024年，本局新收到政府信息公开申请{n}件。</p><p>二、主动公开政府信息情况</p>
<table><tr><td colspan="4">第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p>
<p>五、存在的主要问题及改进情况</p><p>问题。</p><p>六、其他需要报告的事项</p><p>无。</p></div></body></html>"""


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder, "a.html", REPORT_HTML.format(n=3))
    write(folder, "sub/b.htm", REPORT_HTML.format(n=5))
    write(folder, "notes.txt", "not a report, just notes")
    write(folder, "broken.docx", b"PK\x03\x04" + os.urandom(300))
    return folder


def test_batch_writes_the_four_tables_with_their_schemas(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = extract_paths([corpus], Settings(out_dir=out))
    assert result.skipped == [str(corpus / "notes.txt")]
    for name, schema in SCHEMAS.items():
        for part in table_files(out, name):  # a part per year: 2024, and the failed file's
            assert pq.read_schema(part).equals(schema, check_metadata=False), name
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    statuses = {Path(r["source_path"]).name: r["status"] for r in reports}
    assert statuses == {"a.html": "partial", "b.htm": "partial", "broken.docx": "failed"}
    broken = next(r for r in reports if r["status"] == "failed")
    assert "\n" not in broken["error"] and broken["error"]
    con = duckdb.connect()
    rows = con.execute(f"select r.source_path, c.value from '{out}/cells.parquet/*.parquet' c "
                       f"join '{out}/reports.parquet/*.parquet' r "
                       "using (report_id) where c.key = 's2_regulations__issued' order by 1").fetchall()
    assert [v for _, v in rows] == [0.0, 0.0]
    assert (out / "manifest.json").exists()


def test_rerun_reuses_saved_results_and_gives_the_same_dataset(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([corpus], Settings(out_dir=out))
    first = {n: pq.read_table(out / f"{n}.parquet") for n in SCHEMAS}
    parts = sorted((out / ".work").rglob("*.json"))
    stamps = [p.stat().st_mtime_ns for p in parts]
    time.sleep(0.01)
    extract_paths([corpus], Settings(out_dir=out))
    assert [p.stat().st_mtime_ns for p in parts] == stamps  # nothing parsed again
    for name, table in first.items():
        assert pq.read_table(out / f"{name}.parquet").equals(table), name


def test_killed_run_leaves_no_torn_file_and_resumes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([corpus], Settings(out_dir=out))
    before = pq.read_table(out / "cells.parquet")
    part = next((out / ".work").rglob("*.json"))
    part.write_bytes(part.read_bytes()[:20])  # a save cut short by a kill
    (out / "cells.parquet" / ".part-1.parquet.tmp-1").write_bytes(b"half a file")
    stray = out / "cells.parquet" / "part-renamed-but-never-named.parquet"
    stray.write_bytes(b"PAR1 a part a killed run moved in before its manifest")
    stray_ids = out / ".parts" / "document-part-renamed-but-never-named.ids"
    stray_ids.write_text("0" * 64 + "\n")
    extract_paths([corpus], Settings(out_dir=out))
    assert not stray.exists() and not stray_ids.exists()
    assert pq.read_table(out / "cells.parquet").equals(before)


class _Planted:
    """A pickle payload: unpickling it would create ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_planted_or_mistyped_part_never_runs_and_is_extracted_again(
        corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([corpus], Settings(out_dir=out))
    before = pq.read_table(out / "cells.parquet")
    first, second, third = sorted((out / ".work").rglob("*.json"))[:3]
    marker = tmp_path / "code-ran"
    first.write_bytes(pickle.dumps(_Planted(marker)))
    saved = json.loads(second.read_bytes())
    saved["cells"] = "not a list of cells"
    second.write_text(json.dumps(saved))
    head = third.with_suffix(".head")
    head.write_bytes(pickle.dumps(_Planted(marker)))
    extract_paths([corpus], Settings(out_dir=out))
    assert not marker.exists()
    assert pq.read_table(out / "cells.parquet").equals(before)
    assert json.loads(second.read_bytes())["cells"] != "not a list of cells"
    assert json.loads(head.read_bytes())["summary"]["report_id"] == third.stem


def test_slow_document_hits_the_time_limit_and_the_batch_goes_on(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.worker.parse_document

    def slow_for_b(data: bytes, fmt: str | None = None, images=None):  # type: ignore[no-untyped-def]
        if b"\xe7\x94\xb3\xe8\xaf\xb75" in data:  # 申请5: only b.htm
            time.sleep(5)
        return real(data, fmt, images)

    monkeypatch.setattr(pipeline.worker, "parse_document", slow_for_b)
    result = extract_paths([corpus], Settings(out_dir=tmp_path / "out", timeout_s=0.5))
    by_name = {Path(o.source_path).name: o for o in result.outcomes}
    assert by_name["b.htm"].status == "failed" and "time limit" in (by_name["b.htm"].error or "")
    assert by_name["a.html"].status == "partial"


def test_parallel_workers_give_the_same_dataset(corpus: Path, tmp_path: Path) -> None:
    extract_paths([corpus], Settings(out_dir=tmp_path / "one"))
    extract_paths([corpus], Settings(out_dir=tmp_path / "two", workers=2, reuse=False))
    for name in SCHEMAS:
        assert pq.read_table(tmp_path / "one" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "two" / f"{name}.parquet")), name


def test_real_html_samples(tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract_paths([sample("pt2024.html"), sample("pt2021.html")], Settings(out_dir=out))
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    assert {r["status"] for r in reports} == {"ok"}
    assert {r["year"] for r in reports} == {2021, 2024}


def test_folder_of_doc_and_pdf_files_converted_in_one_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder walk finds OLE .doc files (decided on the whole file) and converts them up front."""
    from pdf_corpus import printed_corpus, random_reports, require_soffice

    require_soffice()
    monkeypatch.setenv("GK_EXTRACT_CACHE", str(tmp_path / "cache"))
    reports = random_reports(3, seed=404)
    docs = printed_corpus(tmp_path / "work", reports, "doc")
    folder = tmp_path / "in"
    folder.mkdir()
    for doc in docs:
        (folder / doc.name).write_bytes(doc.read_bytes())
    result = extract_paths([folder], Settings(out_dir=tmp_path / "out"))
    assert not result.skipped
    assert sorted(o.status for o in result.outcomes) == ["ok"] * 3
    assert len(list((tmp_path / "cache").rglob("*.docx"))) == 3
