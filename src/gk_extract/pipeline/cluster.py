"""Big batches on a Dask cluster: the same per-document work, spread over many machines.

``--scheduler tcp://HOST:8786`` sends the documents to an existing ``dask.distributed``
scheduler; ``--scheduler local:N`` starts a LocalCluster of N single-threaded worker
processes on this machine. Every Dask worker runs its documents in a one-process pebble
pool of its own (``pipeline.pool``), so the time and memory limits and crash isolation hold
there as they do locally: a document that kills its process is marked failed and the Dask
worker goes on.

Inputs reach the workers in one of two ways:

* by path (the default): every worker sees the inputs and ``OUT`` on a shared file system,
  reads its documents and writes their parts into ``OUT/.work/`` itself;
* as bytes (``--send-bytes``): the batch reads each file (a few at a time, never all at
  once), sends its bytes, and the worker sends the report back as JSON, which the batch
  saves. The workers need no file system in common with the batch; an HTML page's images
  are not read then.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gk_extract.errors import INTERNAL_KIND, GkError
from gk_extract.pipeline.parts import Outcome, decode, encode, save
from gk_extract.pipeline.pool import (
    KILL_GRACE_S,
    Args,
    OnDone,
    failure,
    result_of,
    schedule,
    worker_pool,
)
from gk_extract.pipeline.worker import (
    error_kind,
    extract_encoded,
    failed_report,
    one_line,
    preload,
    read_file,
    saved_outcome,
    shown_path,
)

if TYPE_CHECKING:
    from distributed import Client
    from pebble import ProcessPool

LOCAL = "local:"
# Dask workers are daemonic by default, and a daemonic process may not start the pool's
# worker process: each Dask worker must run with this setting (see docs/cluster.md).
WORKER_CONFIG = {"distributed.worker.daemon": False,
                 # the statistical profiler samples every thread's stack 100 times a second,
                 # a share of a core that the documents' work needs more
                 "distributed.worker.profile.enabled": False}
# The scheduler holds back tasks until a worker is nearly idle (queuing), which costs a round
# trip per document of a few milliseconds; documents are many and alike, so every worker gets
# its share up front (a LocalCluster's scheduler runs here; see docs/cluster.md for others).
SCHEDULER_CONFIG = {"distributed.scheduler.worker-saturation": float("inf")}

# Documents in flight per worker when they are sent as bytes: enough to keep each busy.
SENT_PER_WORKER = 4
# Documents sent by path go in tasks of up to MAX_CHUNK, at least this many tasks per worker.
MAX_CHUNK = 8
TASKS_PER_CLUSTER_WORKER = 4

# Each Dask worker thread's own pool, made on first use (see ``_pool``).
_pools: dict[int, ProcessPool] = {}


def run_cluster(args: Sequence[Args], scheduler: str, max_memory: int | None,
                on_done: OnDone, send_bytes: bool = False) -> list[Outcome]:
    """Every document through the cluster; one outcome per document, in the order given.
    ``send_bytes``: send each document's bytes instead of its path."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    with dask.config.set({**WORKER_CONFIG, **SCHEDULER_CONFIG}):
        if scheduler.startswith(LOCAL):
            workers = int(scheduler[len(LOCAL):] or 1)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0)
            client = Client(cluster)
        else:
            cluster, client = None, Client(scheduler)
        try:
            if send_bytes:
                return _sent(client, args, max_memory, on_done)
            size = chunk_size(len(args), len(client.scheduler_info().get("workers", {})))
            chunks = [list(args[i:i + size]) for i in range(0, len(args), size)]
            futures = client.map(run_documents, chunks, [max_memory] * len(chunks),
                                 pure=False, retries=0)
            done: dict[str, Outcome] = {}
            for future in as_completed(futures):
                for path, outcome in future.result():
                    done[path] = outcome
                    on_done(outcome)
        finally:
            if cluster is not None:
                client.run(stop_pools)
            client.close()
            if cluster is not None:
                cluster.close()
    return [done[a[0]] for a in args]


def chunk_size(documents: int, workers: int) -> int:
    """Documents per Dask task: up to ``MAX_CHUNK``, so that a task's own cost (messages,
    serialisation, the scheduler's bookkeeping) is shared by several documents, while every
    worker still gets several tasks to balance the load."""
    return max(1, min(MAX_CHUNK, documents // (TASKS_PER_CLUSTER_WORKER * max(workers, 1))))


def run_documents(chunk: Sequence[Args], max_memory: int | None) -> list[tuple[str, Outcome]]:
    """On a Dask worker: each document of ``chunk`` in that worker's own pool (made on first
    use), each under its own limits."""
    pool = _pool(max_memory)
    futures = [schedule(pool, a) for a in chunk]
    return [(a[0], result_of(f, a, max_memory)) for a, f in zip(chunk, futures, strict=True)]


def _pool(max_memory: int | None) -> ProcessPool:
    pool = _pools.get(threading.get_ident())
    if pool is None:
        preload()
        pool = _pools[threading.get_ident()] = worker_pool(1, max_memory)
    return pool


def stop_pools() -> None:
    """On a Dask worker: stop its pools. Their processes are forked from the worker and hold
    its pipes, so the LocalCluster closing it would otherwise wait seconds for them."""
    while _pools:
        _thread, pool = _pools.popitem()
        pool.stop()
        pool.join()


def _sent(client: Client, args: Sequence[Args], max_memory: int | None,
          on_done: OnDone) -> list[Outcome]:
    """The documents sent as bytes, a few per worker at a time; their reports saved here."""
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    done: dict[str, Outcome] = {}
    waiting = iter(args)
    running = as_completed()
    sent: dict[str, Args] = {}

    def finish(a: Args, outcome: Outcome) -> None:
        done[a[0]] = outcome
        on_done(outcome)

    def send_next() -> None:
        for a in waiting:
            path, out_dir, timeout_s, reuse, url, region = a
            try:
                data = read_file(Path(path))
            except (OSError, GkError) as exc:
                finish(a, save(failed_report(path, one_line(exc), error_kind(exc), url),
                               Path(out_dir)))
                continue
            report_id = hashlib.sha256(data).hexdigest()
            saved = saved_outcome(Path(out_dir), report_id, shown_path(path), url) \
                if reuse else None
            if saved is not None:
                finish(a, saved)
                continue
            job: Args = (shown_path(path), "", timeout_s, False, url, region)
            future = client.submit(run_sent, job, data, report_id, max_memory, pure=False,
                                   retries=0)
            sent[str(future.key)] = a
            running.add(future)
            return

    for _ in range(SENT_PER_WORKER * workers):
        send_next()
    for future in running:
        a = sent.pop(str(future.key))
        try:
            report = decode(future.result())
        except Exception as exc:  # noqa: BLE001 - the report could not come back: this file fails
            report = failed_report(a[0], one_line(exc), INTERNAL_KIND, a[4])
        finish(a, save(report, Path(a[1])))
        send_next()
    return [done[a[0]] for a in args]


def run_sent(a: Args, data: bytes, report_id: str, max_memory: int | None) -> bytes:
    """On a Dask worker: one document's bytes to its report as JSON, in the worker's pool."""
    shown, _out_dir, timeout_s, _reuse, url, region = a
    future = _pool(max_memory).schedule(extract_encoded, args=(data, shown, report_id, timeout_s,
                                                               url, region),
                                        timeout=timeout_s + KILL_GRACE_S)
    try:
        encoded: bytes = future.result()
        return encoded
    except Exception as exc:  # noqa: BLE001 - any failure of the worker fails this document
        error, kind = failure(exc, timeout_s, max_memory)
    # keyed by its path, as the pool keys a document its worker died on
    return encode(failed_report(shown, error, kind, url))


def check_scheduler(value: str) -> str:
    """The --scheduler value checked: ``local:N`` or a scheduler address."""
    if value.startswith(LOCAL):
        count = value[len(LOCAL):]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--scheduler local:N needs a number of workers, got {value!r}")
        return value
    if "://" not in value:
        raise ValueError(f"--scheduler must be local:N or an address like tcp://host:8786, "
                         f"got {value!r}")
    return value

