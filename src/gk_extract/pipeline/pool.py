"""Worker processes that a document can cost, but never the batch.

Every document runs in a pebble process pool. Each worker lives under a memory limit and
dies with its parent. The per-document time limit is enforced from outside: a
worker that overruns is killed and replaced, even inside native code. A worker that
crashes (a native fault, the memory limit) costs only the document it held; the others
go on in the same pool, so a batch always finishes.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from itertools import islice
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from gk_extract.errors import CRASH_KIND, INTERNAL_KIND, DocumentTimeout
from gk_extract.pipeline.parts import Outcome, save
from gk_extract.pipeline.worker import failed_report, one_line, preload, process_file

# process_file's arguments: path, out_dir, timeout_s, reuse, source_url, region.
Args = tuple[str, str, float, bool, str | None, str | None]
OnDone = Callable[[Outcome], None]

# The memory a document may take in its worker: one that needs more (a bomb) fails alone.
DEFAULT_MAX_MEMORY = 2 * 1024**3
# Batch workers each take one core; OCR's own thread pool would otherwise take them all.
OCR_THREADS_PER_WORKER = "1"
# The worker's own alarm stops Python code at the limit with a clear message; the pool
# kills the worker this much later, for native code that an alarm cannot interrupt.
KILL_GRACE_S = 5.0
# Workers are replaced now and then, so that what a parser library leaks stays bounded.
TASKS_PER_WORKER = 200
# Documents handed to the pool ahead of the workers, per worker.
IN_FLIGHT_PER_WORKER = 4

_PR_SET_PDEATHSIG = 1
# Linux forks safely and cheaply; elsewhere the platform's own way of starting processes.
_FORK = multiprocessing.get_context("fork") if sys.platform.startswith("linux") \
    else multiprocessing.get_context()


def run_pool(args: Sequence[Args], workers: int, max_memory: int | None,
             on_done: OnDone) -> list[Outcome]:
    """Every document through the pool; one outcome per document, in the order given."""
    if workers > 1:
        os.environ.setdefault("GK_EXTRACT_OCR_THREADS", OCR_THREADS_PER_WORKER)
    preload()
    done: dict[str, Outcome] = {}
    waiting = iter(args)
    running: dict[Future[Outcome], Args] = {}
    with worker_pool(workers, max_memory) as pool:
        while True:
            # a few documents per worker in flight: enough to keep each busy, and the pool's
            # own bookkeeping stays the same size for 100 documents or 200,000
            for a in islice(waiting, IN_FLIGHT_PER_WORKER * workers - len(running)):
                running[schedule(pool, a)] = a
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                a = running.pop(future)
                done[a[0]] = result_of(future, a, max_memory)
                on_done(done[a[0]])
    return [done[a[0]] for a in args]


def worker_pool(workers: int, max_memory: int | None) -> ProcessPool:
    """Workers forked from this process, so that they start with what ``preload`` loaded.

    Forked explicitly: a Dask worker is itself a spawned process, and a spawned process makes
    its own children by spawning too, each of them importing everything again (about a
    second for every worker, and every worker is replaced after ``TASKS_PER_WORKER``)."""
    return ProcessPool(max_workers=workers, max_tasks=TASKS_PER_WORKER,
                       initializer=limit_worker, initargs=(max_memory,), context=_FORK)


def schedule(pool: ProcessPool, a: Args) -> Future[Outcome]:
    """One document into the pool, to be killed ``KILL_GRACE_S`` after its time limit."""
    future: Future[Outcome] = pool.schedule(process_file, args=a, timeout=a[2] + KILL_GRACE_S)
    return future


def result_of(future: Future[Outcome], a: Args, max_memory: int | None) -> Outcome:
    """The document's outcome; a worker killed or crashed on it makes a failed one."""
    path, out_dir, timeout_s, _reuse, url, _region = a
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - the result could not come back: this file fails
        error, kind = failure(exc, timeout_s, max_memory)
    return save(failed_report(path, error, kind, url), Path(out_dir))


def failure(exc: Exception, timeout_s: float, max_memory: int | None) -> tuple[str, str]:
    """Why a document's worker gave no result, and the error kind: killed at the time limit,
    died (a crash, the memory limit), or the result could not come back."""
    if isinstance(exc, FutureTimeout):
        return f"time limit: the worker was stopped after {timeout_s:g} s", DocumentTimeout.kind
    if isinstance(exc, ProcessExpired):
        return _crash_reason(exc, max_memory), CRASH_KIND
    return one_line(exc), INTERNAL_KIND


def _crash_reason(exc: ProcessExpired, max_memory: int | None) -> str:
    code = exc.exitcode
    how = f"signal {signal.Signals(-code).name}" if code and code < 0 and -code in \
        signal.valid_signals() else f"exit code {code}"
    limit = f" (memory limit {max_memory // 1024**2} MiB per document)" if max_memory else ""
    return f"the worker process died on this file: {how}{limit}"


def limit_worker(max_memory: int | None) -> None:
    """Pool initializer: the memory limit, and death with the parent (Linux).

    The limit is on the data segment (heap and private writable maps), not the address
    space: PDFium and onnxruntime reserve far more address space than they use. A forked
    worker starts with its parent's data, so the limit is ``max_memory`` beyond that."""
    if max_memory:
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = _data_bytes() + max_memory
        resource.setrlimit(resource.RLIMIT_DATA,
                           (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    die_with_parent()


def _data_bytes() -> int:
    """This process's data segment now (VmData), 0 where /proc does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (no-op off Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request was made
        os._exit(1)
