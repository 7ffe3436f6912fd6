"""The cluster path on a real Dask LocalCluster: the same dataset as the process pool, and a
document that kills its process fails alone while the cluster goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_pipeline import REPORT_HTML, write

from gk_extract.export.parquet import SCHEMAS
from gk_extract.pipeline import Settings, cluster, extract_paths
from gk_extract.testing.hostile import stream_bomb


def test_a_local_cluster_gives_the_pool_s_dataset(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for n in range(8):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=n))
    write(folder, "broken.docx", b"PK\x03\x04" + b"\x00" * 300)
    extract_paths([folder], Settings(out_dir=tmp_path / "pool", workers=2))
    seen: list[str] = []
    extract_paths([folder], Settings(out_dir=tmp_path / "dask", scheduler="local:2"),
                  on_done=lambda o: seen.append(o.source_path))
    assert len(seen) == 9  # the progress follows the futures
    for name in SCHEMAS:
        pool = pq.read_table(tmp_path / "pool" / f"{name}.parquet").sort_by("report_id")
        dask = pq.read_table(tmp_path / "dask" / f"{name}.parquet").sort_by("report_id")
        assert dask.equals(pool), name


def test_documents_in_chunks_give_the_same_dataset(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks of several documents, a broken one and a bomb among them: each still fails
    alone, and the tables are the pool's."""
    monkeypatch.setattr(cluster, "TASKS_PER_CLUSTER_WORKER", 1)
    folder = tmp_path / "in"
    for n in range(10):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=n))
    write(folder, "broken.docx", b"PK\x03\x04" + b"\x00" * 300)
    write(folder, "bomb.pdf", stream_bomb(1200 * 1024 * 1024))
    assert cluster.chunk_size(12, 2) == 6
    extract_paths([folder], Settings(out_dir=tmp_path / "pool", workers=2, max_memory=1024**3))
    seen: list[str] = []
    extract_paths([folder], Settings(out_dir=tmp_path / "dask", scheduler="local:2",
                                     max_memory=1024**3),
                  on_done=lambda o: seen.append(o.source_path))
    assert len(seen) == 12
    for name in SCHEMAS:
        pool = pq.read_table(tmp_path / "pool" / f"{name}.parquet").sort_by("report_id")
        dask = pq.read_table(tmp_path / "dask" / f"{name}.parquet").sort_by("report_id")
        assert dask.equals(pool), name


def test_chunks_share_a_task_s_cost_and_keep_every_worker_busy() -> None:
    assert cluster.chunk_size(9, 2) == 1  # small batches: a document per task
    assert cluster.chunk_size(100, 2) == 8
    assert cluster.chunk_size(200_000, 64) == cluster.MAX_CHUNK
    assert cluster.chunk_size(5, 0) == 1


def test_documents_sent_as_bytes_give_the_same_dataset(tmp_path: Path) -> None:
    """Workers given bytes, no path and no results folder: the batch reads and saves."""
    folder = tmp_path / "in"
    for n in range(6):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=n))
    write(folder, "broken.docx", b"PK\x03\x04" + b"\x00" * 300)
    write(folder, "bomb.pdf", stream_bomb(1200 * 1024 * 1024))
    extract_paths([folder], Settings(out_dir=tmp_path / "pool", workers=2, max_memory=1024**3))
    seen: list[str] = []
    result = extract_paths([folder], Settings(out_dir=tmp_path / "sent", scheduler="local:2",
                                              send_bytes=True, max_memory=1024**3),
                           on_done=lambda o: seen.append(o.source_path))
    assert len(seen) == 8
    bomb = next(o for o in result.outcomes if o.source_path.endswith("bomb.pdf"))
    assert bomb.status == "failed" and bomb.error_kind in ("crash", "memory"), bomb.error
    for name in SCHEMAS:
        pool = pq.read_table(tmp_path / "pool" / f"{name}.parquet").sort_by("report_id")
        sent = pq.read_table(tmp_path / "sent" / f"{name}.parquet").sort_by("report_id")
        assert sent.equals(pool), name
    # a second run reuses what the first saved: no part is written again
    parts = sorted((tmp_path / "sent" / ".work").rglob("*.json"))
    stamps = [p.stat().st_mtime_ns for p in parts]
    extract_paths([folder], Settings(out_dir=tmp_path / "sent", scheduler="local:1",
                                     send_bytes=True))
    kept = [p for p in parts if "bomb" not in json.loads(p.read_bytes())["source_path"]]
    assert [p.stat().st_mtime_ns for p in kept] == [s for p, s in zip(parts, stamps)
                                                    if p in kept]


def test_sending_bytes_needs_a_cluster(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a cluster"):
        Settings(out_dir=tmp_path, send_bytes=True)


def test_a_document_that_kills_its_process_fails_alone_on_the_cluster(tmp_path: Path) -> None:
    """A content-stream bomb makes PDFium abort under the memory limit: that document fails,
    the Dask worker (and the documents after it) go on."""
    folder = tmp_path / "in"
    for n in (3, 12):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=n))
    write(folder, "bomb.pdf", stream_bomb(1200 * 1024 * 1024))
    result = extract_paths([folder], Settings(out_dir=tmp_path / "out", scheduler="local:1",
                                              max_memory=1024**3))
    by_name = {Path(o.source_path).name: o for o in result.outcomes}
    assert by_name["bomb.pdf"].status == "failed"
    assert by_name["bomb.pdf"].error_kind in ("crash", "memory"), by_name["bomb.pdf"].error
    assert by_name["r3.html"].status == by_name["r12.html"].status == "partial"


def test_a_bad_scheduler_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="local:N"):
        Settings(out_dir=tmp_path, scheduler="local:zero")
