"""Fixture builder: many DOCX files to .doc or .pdf with ONE LibreOffice call.

Starting soffice costs ~1 s, converting a report 0.15-0.45 s, so a test or benchmark
that needs 100 DOC or PDF reports converts them together::

    docx_paths = [...]                                   # rendered with render_docx
    pdfs = convert_many(docx_paths, "pdf", tmp / "pdf")  # same order, same stems

LibreOffice is found and run as :mod:`gk_extract.parse.office` does (``GK_EXTRACT_SOFFICE``,
a profile slot per run, the process group killed on timeout). PDFs come from Writer's own
layout: tables break across pages between rows and inside tall rows (Word's default, which
the DOCX writer keeps), so a vertically merged label can be cut by a page break.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from gk_extract.parse.office import (
    BATCH_SECONDS_PER_FILE,
    OfficeSettings,
    find_soffice,
    first_error,
    run_soffice,
)

logger = logging.getLogger(__name__)

Target = Literal["pdf", "doc"]
# soffice's --convert-to value per target: extension, then the export filter's name.
EXPORT_FILTERS: dict[str, str] = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97"}
# Files per soffice call: one call for a usual fixture set, argv far below ARG_MAX.
CHUNK_FILES = 500


def convert_many(paths: Sequence[Path], target: Target, out_dir: Path,
                 settings: OfficeSettings | None = None, jobs: int = 1) -> list[Path]:
    """Convert every file into ``out_dir`` as ``{stem}.{target}``; return them in input order.

    ``jobs`` soffice processes run side by side, each on its share of the files (one call
    each, up to CHUNK_FILES files). Raises ConverterMissing without LibreOffice, ValueError
    on clashing stems or an unknown target, RuntimeError naming the files not converted.
    """
    if target not in EXPORT_FILTERS:
        raise ValueError(f"target must be one of {sorted(EXPORT_FILTERS)}, got {target!r}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    _check_stems(paths)
    settings = settings or OfficeSettings.from_env()
    soffice = find_soffice(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:  # an old output must not pass for a conversion that failed
        (out_dir / f"{path.stem}.{target}").unlink(missing_ok=True)

    def convert(chunk: Sequence[Path]) -> str:
        budget = settings.timeout_s + BATCH_SECONDS_PER_FILE * len(chunk)
        args = ["--convert-to", EXPORT_FILTERS[target], "--outdir", str(out_dir)]
        return run_soffice(soffice, [*args, *map(str, chunk)], budget).stderr

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        stderr = "".join(pool.map(convert, _chunks(paths, jobs)))
    return _outputs(paths, target, out_dir, stderr)


def _chunks(paths: Sequence[Path], jobs: int) -> list[Sequence[Path]]:
    """At least ``jobs`` parts of nearly equal size, none over CHUNK_FILES."""
    parts = max(jobs, math.ceil(len(paths) / CHUNK_FILES))
    size = math.ceil(len(paths) / parts) or 1
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def _check_stems(paths: Sequence[Path]) -> None:
    """soffice names each output after its input's stem: two equal stems would overwrite."""
    clashes = sorted(stem for stem, n in Counter(p.stem for p in paths).items() if n > 1)
    if clashes:
        raise ValueError(f"input files share stems {clashes[:5]}: outputs would overwrite each other")


def _outputs(paths: Sequence[Path], target: str, out_dir: Path, stderr: str) -> list[Path]:
    outputs = [out_dir / f"{p.stem}.{target}" for p in paths]
    missing = [p.name for p, out in zip(paths, outputs) if not out.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice did not convert {len(missing)} file(s) "
                           f"({', '.join(missing[:5])}): {first_error(stderr, 0)}")
    logger.info("converted %d files to %s in %s", len(outputs), target, out_dir)
    return outputs
