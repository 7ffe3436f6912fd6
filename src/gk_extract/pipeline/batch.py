"""The batch: every input through a worker process (``pipeline.pool``), then the dataset.

A worker that crashes, overruns its time limit or its memory costs only its own document.
The dataset is updated at the end from the saved parts (export.tables): a run writes
the rows of the reports that are new to it and leaves the others where they are.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from gk_extract.export.corrections import reviewed_cells
from gk_extract.export.duckdb import remove_dead_spills, write_panel
from gk_extract.export.panel import plan
from gk_extract.export.tables import (
    Update,
    remove_dead_temporaries,
    remove_stale_parts,
    update_dataset,
    write_manifest,
    year_of,
)
from gk_extract.export.validation import write_validation
from gk_extract.models import Report
from gk_extract.pipeline.cluster import check_scheduler
from gk_extract.pipeline.inputs import collect_inputs, convert_office_files
from gk_extract.pipeline.parts import (
    FINGERPRINT,
    WORK_DIR,
    Outcome,
    remove_other_code_parts,
    saved_report,
)
from gk_extract.pipeline.pool import DEFAULT_MAX_MEMORY, Args, OnDone, run_pool
from gk_extract.pipeline.worker import DEFAULT_TIMEOUT_S, shown_path
from gk_extract.store import StoredFile, stored_sources

if TYPE_CHECKING:
    from gk_extract.fetch import CrawlSettings, CrawlSummary, Site
    from gk_extract.fetch.report import Progress



@dataclass(frozen=True, slots=True)
class Settings:
    out_dir: Path
    workers: int = 1
    timeout_s: float = DEFAULT_TIMEOUT_S
    reuse: bool = True
    max_memory: int | None = DEFAULT_MAX_MEMORY  # bytes a worker may take for one document
    scheduler: str | None = None  # a Dask scheduler's address, or local:N (pipeline.cluster)
    send_bytes: bool = False  # send the cluster the documents' bytes, not their paths

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.max_memory is not None and self.max_memory < 256 * 1024**2:
            raise ValueError(f"max_memory must be at least 256 MiB, got {self.max_memory} bytes")
        if self.scheduler is not None:
            check_scheduler(self.scheduler)
        elif self.send_bytes:
            raise ValueError("sending documents as bytes needs a cluster (--scheduler)")


@dataclass(slots=True)
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    update: Update | None = None  # what the dataset's update wrote and kept
    reviewed: int = 0  # cells a reviewer decided on (corrections.parquet)
    review_source_changed: int = 0  # of those, cells extracted differently since

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)


def extract_paths(paths: Sequence[Path], settings: Settings,
                  on_start: Callable[[int], None] = lambda n: None,
                  on_done: OnDone = lambda o: None) -> BatchResult:
    """The whole ``extract`` command: inputs -> reports -> dataset in ``settings.out_dir``."""
    started = datetime.now(UTC)
    remove_leftovers(settings.out_dir)
    files, skipped = collect_inputs(paths)
    convert_office_files(files, settings.workers)
    on_start(len(files))
    outcomes = run_batch(files, settings, on_done, stored_sources(paths))
    result = BatchResult(skipped=[shown_path(str(s)) for s in skipped])
    seen: set[str] = set()
    for outcome in outcomes:
        if outcome.report_id in seen:
            result.duplicates.append(outcome.source_path)
            continue
        seen.add(outcome.report_id)
        result.outcomes.append(outcome)
    _write(result, settings, started)
    return result


def remove_leftovers(out_dir: Path) -> None:
    """Delete what killed runs left: temporary tables and parts of processes that are gone,
    and their LibreOffice conversion folders."""
    from gk_extract.parse.office import process_alive
    from gk_extract.parse.office import remove_leftovers as remove_conversions

    remove_conversions()
    if not out_dir.is_dir():
        return
    remove_stale_parts(out_dir, process_alive)
    remove_dead_spills(out_dir, process_alive)
    remove_dead_temporaries([*out_dir.glob(".*.tmp-*"), *(out_dir / WORK_DIR).glob("*/*/*.tmp-*")],
                            process_alive)


def refresh(sites: Sequence[Site], crawl: CrawlSettings, settings: Settings,
            on_start: Callable[[int], None] = lambda n: None,
            on_done: OnDone = lambda o: None,
            on_crawl: Callable[[Progress], None] | None = None) -> tuple[CrawlSummary, BatchResult]:
    """The ``refresh`` command: crawl into the store, then rebuild the dataset from it.

    Files already extracted into ``settings.out_dir`` are not parsed again (saved results are
    keyed by sha256), so only new and replaced files cost parsing time. ``on_crawl`` follows
    the crawl's progress."""
    from gk_extract.fetch import run_crawl

    summary = run_crawl(list(sites), crawl, on_progress=on_crawl)
    return summary, extract_paths([crawl.store], settings, on_start, on_done)


def run_batch(files: Sequence[Path], settings: Settings, on_done: OnDone = lambda o: None,
              sources: dict[str, StoredFile] | None = None) -> list[Outcome]:
    """Process every file in worker processes; returns one outcome per file.
    ``sources``: where the files that came from a crawl store were fetched (URL, region)."""
    sources = sources or {}
    args: list[Args] = []
    for f in files:
        stored = sources.get(str(f))
        args.append((str(f), str(settings.out_dir), settings.timeout_s, settings.reuse,
                     stored.url if stored else None, stored.region if stored else None))
    if settings.scheduler is not None:
        from gk_extract.pipeline.cluster import run_cluster

        return run_cluster(args, settings.scheduler, settings.max_memory, on_done,
                           settings.send_bytes)
    return run_pool(args, settings.workers, settings.max_memory, on_done)


def _write(result: BatchResult, settings: Settings, started: datetime) -> None:
    """The batch plan from the summaries the workers sent (copies grouped, years checked
    against each other), then the dataset updated: new reports' rows added, the batch's
    additions applied, rows that did not change left where they are."""
    by_id = {o.report_id: o for o in result.outcomes}
    batch = plan([by_id[rid].summary for rid in sorted(by_id)],
                 lambda rid: saved_report(by_id[rid], whole=True) if rid in by_id else None)

    def document(rid: str) -> tuple[Report, int | None]:
        return saved_report(by_id[rid], whole=True), None

    def batch_rows(rid: str) -> tuple[Report, int | None]:
        outcome = by_id[rid]
        return batch.apply(saved_report(outcome, whole=False)), outcome.summary.doubtful

    result.update = update_dataset(settings.out_dir, sorted(by_id),
                                   lambda rid: year_of(by_id[rid].summary.year), FINGERPRINT,
                                   document, batch_rows)
    remove_other_code_parts(settings.out_dir)  # the dataset now holds what this code made
    write_panel(settings.out_dir)
    write_validation(settings.out_dir)
    decided = reviewed_cells(settings.out_dir)
    result.reviewed = len(decided)
    result.review_source_changed = sum(cell.source_changed for cell in decided.values())
    write_manifest(settings.out_dir, {
        "command": " ".join(sys.argv), "inputs": len(result.outcomes) + len(result.duplicates),
        "documents": len(result.outcomes), "skipped": len(result.skipped),
        "duplicates": result.duplicates, "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(), "counts": dict(result.counts()),
    })
