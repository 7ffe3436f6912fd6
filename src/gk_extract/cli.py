"""The ``gk-extract`` command line: thin commands, each calling one library function."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gk_extract import __version__
from gk_extract.demo import DEMO_DELAY_S, DemoSettings, prepare_store, run_demo
from gk_extract.export.tables import COMPACT_REPORTS
from gk_extract.fetch.crawl import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONTACT,
    DEFAULT_DELAY_S,
    DEFAULT_MAX_BYTES,
    CrawlSettings,
    CrawlSummary,
    run_crawl,
)
from gk_extract.fetch.report import Progress as CrawlProgress
from gk_extract.fetch.sources import RegistryError, Site, check_registry, load_sources
from gk_extract.pipeline import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT_S,
    Settings,
    extract_one,
    extract_paths,
)
from gk_extract.store import StoreBusy, store_lock
from gk_extract.store.manifest import now_iso

# Exit code of ``extract --strict`` when the batch finished but some documents failed.
EXIT_DOCUMENTS_FAILED = 3
# Exit code of ``crawl --check`` when the registry has problems (as click's usage errors).
EXIT_REGISTRY_PROBLEMS = 2
# Exit code of ``crawl`` and ``refresh`` when some site gave no listing page at all.
EXIT_SITES_FAILED = 4
# Exit code when another run holds the store (EX_TEMPFAIL: cron may simply try again later).
EXIT_STORE_BUSY = 75
_Decorator = Callable[[Callable[..., None]], Callable[..., None]]
DUCKDB_CONTENTS = ("tables reports, cells, sections, checks, corrections; views cells_reviewed, "
                   "report_cells, panel, agency_years, region_years")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gk-extract")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def main(verbose: int) -> None:
    """Turn government information disclosure annual reports into parquet datasets."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for reports/cells/sections/checks.parquet and manifest.json.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Documents processed in parallel (processes).")
@click.option("--timeout", "timeout_s", default=DEFAULT_TIMEOUT_S, show_default=True,
              type=click.FloatRange(min=0.1), help="Time limit per document, in seconds.")
@click.option("--max-memory", "max_memory_mb", default=DEFAULT_MAX_MEMORY // 1024**2,
              show_default=True, type=click.IntRange(min=256),
              help="Memory one document may take in its worker, in MiB; beyond it, it fails.")
@click.option("--scheduler", help="Run on a Dask cluster: a scheduler address "
              "(tcp://HOST:8786) or local:N for a LocalCluster of N workers (see docs/cluster.md).")
@click.option("--send-bytes", is_flag=True,
              help="With --scheduler: send the workers each document's bytes instead of its "
                   "path, for workers that share no file system with this machine.")
@click.option("--fresh", is_flag=True, help="Ignore results saved by earlier runs into --out.")
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_DOCUMENTS_FAILED} if any document failed.")
@click.option("--duckdb", "duckdb_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the dataset as this DuckDB database, with its views.")
def extract(paths: tuple[Path, ...], out_dir: Path, workers: int, timeout_s: float,
            max_memory_mb: int, scheduler: str | None, send_bytes: bool, fresh: bool, strict: bool,
            duckdb_file: Path | None) -> None:
    """Extract every report under PATHS into the parquet dataset in --out.

    Folders are walked recursively; files are recognised by their bytes (HTML, DOCX …) and
    anything else is skipped. A crawl store (made by crawl) is read through its manifest, and
    each report gets the URL it was fetched from. An interrupted run resumes: documents
    already extracted into --out are not parsed again. Each table is a folder of parquet
    parts: a later run writes the rows of new and changed files only (gk-extract compact
    merges the parts), and --out ends up holding exactly the reports of PATHS.

    Besides the four tables, --out gets panel.parquet (one row per report, one column per
    cell key) and validation.html (what to review: failed checks, doubtful cells, regions
    left unresolved).

    Example: gk-extract extract reports/ --out data/ --workers 4 --duckdb data/gk.duckdb
    """
    console = Console(stderr=True)
    try:
        settings = Settings(out_dir=out_dir, workers=workers, timeout_s=timeout_s,
                            reuse=not fresh, max_memory=max_memory_mb * 1024**2,
                            scheduler=scheduler, send_bytes=send_bytes)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("extract", total=None)
        result = extract_paths(list(paths), settings,
                               on_start=lambda n: progress.update(task, total=n),
                               on_done=lambda o: progress.advance(task))
    from gk_extract.display import batch_summary

    Console().print(batch_summary(result, str(out_dir)))
    if duckdb_file is not None:
        from gk_extract.export.duckdb import write_duckdb

        write_duckdb(out_dir, duckdb_file)
        click.echo(f"wrote {duckdb_file}: {DUCKDB_CONTENTS}")
    if strict and result.counts().get("failed"):
        sys.exit(EXIT_DOCUMENTS_FAILED)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
def show(file: Path, as_json: bool) -> None:
    """Print one report: metadata, the three tables as in the template, failed checks.

    Example: gk-extract show reports/2024年度报告.html
    """
    from gk_extract.display import report_json, show_report

    report = extract_one(file)
    if as_json:
        click.echo(report_json(report))
    else:
        show_report(report, Console())


def _crawl_options(*, store_required: bool = True) -> _Decorator:
    """The options ``crawl`` and ``refresh`` share."""
    options = [
        click.option("--sources", "sources_file", required=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Sources registry (TOML, one [[site]] per report column)."),
        click.option("--store", required=store_required,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Store folder: STORE/ab/<sha256>.<ext> plus manifest.sqlite."
                          + ("" if store_required else " Required unless --check.")),
        click.option("--site", default=None, help="Crawl only the site with this name."),
        click.option("--delay", "delay_s", default=DEFAULT_DELAY_S, show_default=True,
                     type=click.FloatRange(min=0), help="Seconds between requests to one host."),
        click.option("--contact", envvar="GK_EXTRACT_CONTACT", default=DEFAULT_CONTACT,
                     show_default=True, help="URL or e-mail in the User-Agent, for site operators."),
        click.option("--max-bytes", default=DEFAULT_MAX_BYTES, show_default=True,
                     type=click.IntRange(min=1), help="Largest download accepted, in bytes."),
        click.option("--allow-private", is_flag=True,
                     help="Allow private/loopback addresses (tests and the local demo only)."),
        click.option("--concurrency", default=DEFAULT_CONCURRENCY, show_default=True,
                     type=click.IntRange(1, 1024),
                     help="Hosts crawled at the same time; each gets one request at a time."),
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _crawl_setup(sources_file: Path, site: str | None, store: Path, delay_s: float, contact: str,
                 max_bytes: int, allow_private: bool,
                 concurrency: int) -> tuple[list[Site], CrawlSettings]:
    try:
        sites = load_sources(sources_file, only=site)
    except RegistryError as exc:
        raise click.UsageError(str(exc)) from exc
    return sites, CrawlSettings(store=store, delay_s=delay_s, contact=contact,
                                max_bytes=max_bytes, allow_private=allow_private,
                                concurrency=concurrency)


@contextmanager
def _holding(store: Path) -> Iterator[None]:
    """The store's lock for a crawl or refresh; a second run exits at once."""
    try:
        with store_lock(store):
            yield
    except StoreBusy as exc:
        click.echo(f"gk-extract: {exc}", err=True)
        sys.exit(EXIT_STORE_BUSY)


def _crawl_progress(console: Console) -> tuple[Progress, Callable[[CrawlProgress], None]]:
    """A live line: sites done, listing pages, files stored, errors."""
    progress = Progress(TextColumn("crawling"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("sites  {task.fields[detail]}"), console=console,
                        transient=True)
    task = progress.add_task("crawl", total=None, detail="")

    def update(now: CrawlProgress) -> None:
        progress.update(task, total=now.sites, completed=now.sites_done,
                        detail=f"{now.pages} pages, {now.files} files, {now.errors} errors")

    return progress, update


def _run_crawl(sites: list[Site], settings: CrawlSettings) -> CrawlSummary:
    progress, update = _crawl_progress(Console(stderr=True))
    with progress:
        return run_crawl(sites, settings, on_progress=update)


def _report_crawl(summary: CrawlSummary) -> None:
    for line in summary.lines[1:]:
        click.echo(line)
    click.echo(_crawl_line(summary))
    if summary.report is not None:
        click.echo(f"crawl report: {summary.report}")


@main.command()
@_crawl_options(store_required=False)
@click.option("--check", is_flag=True,
              help="Only check the registry: print each problem as FILE:LINE: message.")
def crawl(sources_file: Path, store: Path | None, site: str | None, delay_s: float,
          contact: str, max_bytes: int, allow_private: bool, concurrency: int,
          check: bool) -> None:
    """Download new and replaced reports of the registry's sites into the store.

    Obeys robots.txt, one request at a time per host, many hosts at once; a second run asks
    only for listing pages and conditional re-checks. A killed crawl, run again, resumes.
    What each site gave is in STORE/crawl_report.parquet and crawl_report.txt. Exits
    4 if a site gave no listing page, 75 if another run holds the store. With --check it
    fetches nothing and exits 2 if the registry has problems, 0 if not (--store not needed).

    Example: gk-extract crawl --sources corpus/sources.toml --store store/
    """
    if check:
        sys.exit(_check_registry(sources_file))
    if store is None:
        raise click.UsageError("Missing option '--store' (needed unless --check).")
    sites, settings = _crawl_setup(sources_file, site, store, delay_s, contact, max_bytes,
                                   allow_private, concurrency)
    with _holding(store):
        summary = _run_crawl(sites, settings)
    _report_crawl(summary)
    if summary.failed_sites:
        sys.exit(EXIT_SITES_FAILED)


def _check_registry(sources_file: Path) -> int:
    """Print the registry's problems (or that it has none); the exit code."""
    try:
        text = sources_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{sources_file}: {exc}")
        return EXIT_REGISTRY_PROBLEMS
    problems = check_registry(text)
    for problem in problems:
        click.echo(f"{sources_file}:{problem.line}: {problem.message}")
    if problems:
        click.echo(f"{sources_file}: {len(problems)} problem(s)", err=True)
        return EXIT_REGISTRY_PROBLEMS
    sites = len(load_sources(sources_file))
    click.echo(f"{sources_file}: {sites} site{'s' * (sites != 1)}, no problems")
    return 0


@main.command()
@_crawl_options()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Dataset folder, as for extract.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Documents processed in parallel (processes).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also append the run's one-line summary to this file.")
def refresh(sources_file: Path, store: Path, site: str | None, delay_s: float, contact: str,
            max_bytes: int, allow_private: bool, concurrency: int, out_dir: Path, workers: int,
            log_file: Path | None) -> None:
    """Crawl, then extract only new or changed files and update the dataset in --out.

    Safe to run from cron or a systemd timer: a second run on the same store exits at once
    (code 75); the last line printed (and appended to --log-file) sums the run up. Exits 4
    if a site gave no listing page.

    Example: gk-extract refresh --sources corpus/sources.toml --store store/ --out data/
    """
    from gk_extract.display import batch_summary
    from gk_extract.pipeline import refresh as run_refresh

    sites, crawl_settings = _crawl_setup(sources_file, site, store, delay_s, contact, max_bytes,
                                         allow_private, concurrency)
    started = time.monotonic()
    progress, update = _crawl_progress(Console(stderr=True))
    with _holding(store), progress:
        summary, result = run_refresh(sites, crawl_settings,
                                      Settings(out_dir=out_dir, workers=workers),
                                      on_crawl=update)
    _report_crawl(summary)
    Console().print(batch_summary(result, str(out_dir)))
    counts = result.counts()
    line = (f"refresh {now_iso()}: {summary.sites} sites ({len(summary.failed_sites)} failed), "
            f"{summary.new} new and {summary.replaced} replaced files; "
            f"{sum(counts.values())} documents ({counts.get('ok', 0)} ok, "
            f"{counts.get('failed', 0)} failed) in {out_dir}; {time.monotonic() - started:.0f} s")
    click.echo(line)
    if log_file is not None:
        with log_file.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
    if summary.failed_sites:
        sys.exit(EXIT_SITES_FAILED)


@main.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--duckdb", "duckdb_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB database to write: the four tables and their views.")
def export(data_dir: Path, duckdb_file: Path) -> None:
    """Write the dataset in DATA_DIR (made by extract or refresh) as one DuckDB database.

    Example: gk-extract export data/ --duckdb data/gk.duckdb
    """
    from gk_extract.export.duckdb import write_duckdb

    try:
        write_duckdb(data_dir, duckdb_file)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"wrote {duckdb_file}: {DUCKDB_CONTENTS}")


@main.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--target", default=COMPACT_REPORTS, show_default=True, type=click.IntRange(1),
              help="Reports a merged part holds at most.")
def compact(data_dir: Path, target: int) -> None:
    """Merge the small parquet parts of the dataset in DATA_DIR (each run adds one per table)
    into parts of up to --target reports. Rows are copied unchanged.

    Example: gk-extract compact data/
    """
    from gk_extract.export.tables import compact as merge

    try:
        counts = merge(data_dir, target)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    for group, (before, after) in counts.items():
        click.echo(f"{group} tables: {before} part(s) -> {after}")


@main.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--duckdb", "duckdb_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the dataset as this DuckDB database, with its views.")
def panel(data_dir: Path, duckdb_file: Path | None) -> None:
    """Rebuild panel.parquet of the dataset in DATA_DIR (one row per report, one column per
    cell key), and with --duckdb the DuckDB database with the views panel, agency_years and
    region_years.

    Example: gk-extract panel data/ --duckdb data/gk.duckdb
    """
    from gk_extract.export.duckdb import write_duckdb, write_panel

    try:
        written = write_panel(data_dir)
        if duckdb_file is not None:
            write_duckdb(data_dir, duckdb_file)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"wrote {written}")
    if duckdb_file is not None:
        click.echo(f"wrote {duckdb_file}: {DUCKDB_CONTENTS}")


@main.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--store", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The crawl store the dataset was extracted from: sources are found in it "
                   "by their sha256.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the app (with its "
                   "token) to the network.")
@click.option("--reviewer", default=lambda: os.environ.get("USER", ""),
              help="The name decisions are recorded under (editable in the page).")
def review(data_dir: Path, store: Path | None, port: int, host: str, reviewer: str) -> None:
    """Open the dataset in DATA_DIR in a local web app to review it: the reports with
    filters, each report's source beside its template tables (click a cell to see where it
    was read), failed checks, year over year, printable pages, and corrections stored in
    DATA_DIR/corrections.parquet (cells.parquet is never changed). Prints the URL to open,
    with its access token.

    Example: gk-extract review out/demo --store out/demo-store
    """
    from gk_extract.review.app import ReviewSettings, serve

    try:
        settings = ReviewSettings(data_dir=data_dir, store=store, host=host, port=port,
                                  reviewer=reviewer)
        serve(settings, announce=lambda url: click.echo(f"review app: {url}"))
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc}") from exc


@main.command()
@click.option("--store", default=Path("out/demo-store"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Store folder for the demo crawl; emptied first if an earlier demo made it.")
@click.option("--out", "out_dir", default=Path("out/demo"), show_default=True,
              type=click.Path(path_type=Path), help="Dataset folder, as for extract.")
@click.option("--corpus", default=Path("corpus/demo"), show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The bundled demo corpus (HTML and DOCX reports with truth.jsonl).")
@click.option("--site-files", default=Path("corpus/demo-site"), show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The demo site's PDF and DOC attachments.")
@click.option("--delay", "delay_s", default=DEMO_DELAY_S, show_default=True,
              type=click.FloatRange(min=0), help="Seconds between requests to the demo site.")
def demo(store: Path, out_dir: Path, corpus: Path, site_files: Path, delay_s: float) -> None:
    """Serve the bundled demo government column on loopback, crawl it into --store, extract
    it into --out and print the summary: the whole product, offline.

    Example: gk-extract demo --store out/demo-store --out out/demo
    """
    from gk_extract.display import batch_summary

    if not prepare_store(store):
        raise click.UsageError(f"{store} is not a demo store; give --store an empty or new folder")
    settings = DemoSettings(store=store, out_dir=out_dir, corpus=corpus, site_files=site_files,
                            delay_s=delay_s)
    summary, result = run_demo(settings, on_serving=lambda url, n: click.echo(
        f"demo site on {url} ({n} resources)"))
    click.echo(_crawl_line(summary))
    Console().print(batch_summary(result, str(out_dir)))
    click.echo(f"store: {store} (manifest.sqlite)  dataset: {out_dir}/"
               "{reports,cells,sections,checks}.parquet")


def _crawl_line(summary: CrawlSummary) -> str:
    return (f"crawl {summary.finish_reason}: {summary.new} new, {summary.replaced} replaced, "
            f"{summary.not_modified} unchanged (304), {summary.blocked} blocked, "
            f"{summary.listing_pages} listing pages, {summary.requests} requests")


if __name__ == "__main__":
    main()
