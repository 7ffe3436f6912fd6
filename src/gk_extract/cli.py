"""The ``gk-extract`` command line: thin commands, each calling one library function."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gk_extract import __version__
from gk_extract.pipeline import DEFAULT_TIMEOUT_S, Settings, extract_one, extract_paths

# Exit code of ``extract --strict`` when the batch finished but some documents failed.
EXIT_DOCUMENTS_FAILED = 3


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
@click.option("--fresh", is_flag=True, help="Ignore results saved by earlier runs into --out.")
@click.option("--strict", is_flag=True, help=f"Exit {EXIT_DOCUMENTS_FAILED} if any document failed.")
def extract(paths: tuple[Path, ...], out_dir: Path, workers: int, timeout_s: float, fresh: bool,
            strict: bool) -> None:
    """Extract every report under PATHS into the parquet dataset in --out.

    Folders are walked recursively; files are recognised by their bytes (HTML, DOCX …) and
    anything else is skipped. An interrupted run resumes: documents already extracted into
    --out are not parsed again.

    Example: gk-extract extract reports/ --out data/ --workers 4
    """
    console = Console(stderr=True)
    settings = Settings(out_dir=out_dir, workers=workers, timeout_s=timeout_s, reuse=not fresh)
    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("extract", total=None)
        result = extract_paths(list(paths), settings,
                               on_start=lambda n: progress.update(task, total=n),
                               on_done=lambda o: progress.advance(task))
    from gk_extract.display import batch_summary

    Console().print(batch_summary(result, str(out_dir)))
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


if __name__ == "__main__":
    main()
