"""The worker pool: a document can cost its worker, never the batch (real processes)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_pipeline import REPORT_HTML, write

from gk_extract import pipeline
from gk_extract.pipeline import Settings, extract_paths

REAL_PARSE = pipeline.worker.parse_document


def _hostile(data: bytes, fmt: str | None = None, images=None):  # type: ignore[no-untyped-def]
    """Parses as usual, except for the documents whose count names a misbehaviour."""
    if "申请11件".encode() in data:  # a native fault
        os.kill(os.getpid(), signal.SIGSEGV)
    if "申请12件".encode() in data:  # native code that no alarm interrupts
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
    if "申请13件".encode() in data:  # a bomb
        _ = bytearray(1024**3)
    if "申请14件".encode() in data:  # slow, but inside its limit
        time.sleep(1)
    return REAL_PARSE(data, fmt, images)


@pytest.fixture()
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pipeline.worker, "parse_document", _hostile)
    folder = tmp_path / "in"
    for n in (3, 11, 12, 13, 14, 15):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=n))
    return folder


@pytest.mark.parametrize("workers", [1, 2])
def test_a_crash_a_hang_and_a_bomb_cost_only_their_own_documents(
        hostile: Path, tmp_path: Path, workers: int) -> None:
    started = time.monotonic()
    result = extract_paths([hostile], Settings(out_dir=tmp_path / "out", workers=workers,
                                               timeout_s=3, max_memory=512 * 1024**2))
    by_name = {Path(o.source_path).name: o for o in result.outcomes}
    assert len(by_name) == 6
    assert (by_name["r11.html"].status, by_name["r11.html"].error_kind) == ("failed", "crash")
    assert "SIGSEGV" in (by_name["r11.html"].error or "")
    assert (by_name["r12.html"].status, by_name["r12.html"].error_kind) == ("failed", "timeout")
    assert (by_name["r13.html"].status, by_name["r13.html"].error_kind) == ("failed", "memory")
    for name in ("r3.html", "r14.html", "r15.html"):
        assert by_name[name].status == "partial", by_name[name].error
    assert time.monotonic() - started < 60  # the hang was killed, not waited for


def test_workers_do_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    """A parent killed by SIGKILL takes its workers with it (the kernel's parent-death signal)."""
    folder = tmp_path / "in"
    for n in range(4):
        write(folder, f"r{n}.html", REPORT_HTML.format(n=12))
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, time\n"
        "from pathlib import Path\n"
        "from gk_extract import pipeline\n"
        "real = pipeline.worker.parse_document\n"
        "def slow(data, fmt=None, images=None):\n"
        "    time.sleep(60)\n"
        "    return real(data, fmt, images)\n"
        "pipeline.worker.parse_document = slow\n"
        "pipeline.extract_paths([Path(sys.argv[1])], pipeline.Settings(\n"
        "    out_dir=Path(sys.argv[2]), workers=2, timeout_s=120))\n")
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, str(script), str(folder), str(tmp_path / "out")])
    children: list[int] = []
    deadline = time.monotonic() + 30
    while len(children) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        children = _children(parent.pid)
    assert len(children) >= 2
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(c) for c in children)


def _children(pid: int) -> list[int]:
    import psutil

    return [c.pid for c in psutil.Process(pid).children(recursive=True)]


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_names_that_are_not_utf8_text_that_is_not_unicode_and_long_paths_are_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A GBK-named file, a parser that yields lone surrogates, a path past PATH_MAX and a
    link out of the folder: each is one row or one skip, and the batch writes its dataset."""
    import pyarrow.parquet as pq

    folder = tmp_path / "in"
    write(folder, "r3.html", REPORT_HTML.format(n=3))
    gbk = os.fsencode(folder) + b"/" + "年度报告.html".encode("gbk")
    with open(gbk, "wb") as handle:
        handle.write(REPORT_HTML.format(n=4).encode())
    write(folder, "r16.html", REPORT_HTML.format(n=16))
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(20):  # a path of over 5,000 bytes, made one folder at a time
        os.mkdir("d" * 250, dir_fd=fd)
        inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    deep = os.open("deep.html", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
    os.write(deep, REPORT_HTML.format(n=6).encode())
    os.close(deep)
    os.close(fd)
    outside = tmp_path / "secret.html"
    outside.write_text(REPORT_HTML.format(n=5))
    (folder / "link.html").symlink_to(outside)

    def surrogates(data: bytes, fmt: str | None = None, images=None):  # type: ignore[no-untyped-def]
        document = REAL_PARSE(data, fmt, images)
        if "申请16件".encode() in data:  # a ToUnicode map that yields a lone surrogate
            from dataclasses import replace
            document = replace(document, title="某县\udc80财政局2024年政府信息公开工作年度报告",
                               meta={**document.meta,
                                     "ArticleTitle": "某县\udc80财政局2024年政府信息公开工作年度报告"})
        return document

    monkeypatch.setattr(pipeline.worker, "parse_document", surrogates)
    out = tmp_path / "out"
    result = extract_paths([folder], Settings(out_dir=out))
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    by_path = {r["source_path"]: r for r in reports}
    assert any("\\xc4\\xea" in p for p in by_path)  # 年 in GBK, escaped losslessly
    assert [r["status"] for p, r in by_path.items() if "\\x" in p] == ["partial"]
    r16 = by_path[str(folder / "r16.html")]
    assert r16["status"] == "partial" and "\ufffd" in (r16["agency"] or "\ufffd")
    assert any("lone surrogates" in w for w in r16["warnings"])
    assert str(folder / "link.html") in result.skipped
    assert str(outside) not in by_path
    too_long = [r for p, r in by_path.items() if p.endswith("deep.html")]
    assert [(r["status"], r["error_kind"]) for r in too_long] == [("failed", "input")]
    assert "too long" in too_long[0]["error"]


def test_workers_start_with_what_their_parent_loaded_even_where_processes_are_spawned(
        tmp_path: Path) -> None:
    """A Dask worker is a spawned process, and its own children would be spawned too, each
    loading everything again. The pool forks its workers, so they start with what ``preload``
    loaded (here: the region tables, built once in the parent)."""
    import subprocess
    import sys

    script = tmp_path / "spawned.py"
    script.write_text(
        "import multiprocessing\n"
        "from gk_extract.normalize.regions import gazetteer\n"
        "from gk_extract.pipeline.pool import worker_pool\n"
        "from gk_extract.pipeline.worker import preload\n"
        "def tables_built():\n"
        "    return gazetteer.cache_info().currsize\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.set_start_method('spawn')\n"
        "    preload()\n"
        "    with worker_pool(1, None) as pool:\n"
        "        print(pool.schedule(tables_built).result(timeout=60))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "1"
