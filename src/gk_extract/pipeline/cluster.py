"""Big batches on a Dask cluster: the same per-document work, spread over many machines.

``--scheduler tcp://HOST:8786`` sends the documents to an existing ``dask.distributed``
scheduler; ``--scheduler local:N`` starts a LocalCluster of N single-threaded worker
processes on this machine. Every Dask worker runs its documents in a one-process pebble
pool of its own (``pipeline.pool``), so the time and memory limits and crash isolation hold
there as they do locally: a document that kills its process is marked failed and the Dask
worker goes on. Inputs are read from paths that every worker sees (a shared file system),
and each worker writes its parts into the same ``OUT/.work/``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from gk_extract.pipeline.parts import Outcome
from gk_extract.pipeline.pool import Args, OnDone, outcome_of, schedule, worker_pool

LOCAL = "local:"
# Dask workers are daemonic by default, and a daemonic process may not start the pool's
# worker process: each Dask worker must run with this setting (see docs/cluster.md).
WORKER_CONFIG = {"distributed.worker.daemon": False}

_local = threading.local()


def run_cluster(args: Sequence[Args], scheduler: str, max_memory: int | None,
                on_done: OnDone) -> list[Outcome]:
    """Every document through the cluster; one outcome per document, in the order given."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    with dask.config.set(WORKER_CONFIG):
        if scheduler.startswith(LOCAL):
            workers = int(scheduler[len(LOCAL):] or 1)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0)
            client = Client(cluster)
        else:
            cluster, client = None, Client(scheduler)
        try:
            futures = client.map(run_document, list(args), [max_memory] * len(args),
                                 pure=False, retries=0)
            done: dict[str, Outcome] = {}
            for future in as_completed(futures):
                path, outcome = future.result()
                done[path] = outcome
                on_done(outcome)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return [done[a[0]] for a in args]


def run_document(a: Args, max_memory: int | None) -> tuple[str, Outcome]:
    """On a Dask worker: one document in that worker's own pool (made on first use)."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = worker_pool(1, max_memory)
    return a[0], outcome_of(schedule(pool, a), a, max_memory)


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

