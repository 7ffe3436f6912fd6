"""Which readings are doubtful: low OCR confidence, placed by text alignment alone, or
pointed at by failed checks.

Readings are never changed here (report-format.md: printed values are kept as printed); a
doubtful cell keeps its value and is marked, so an analyst can filter or re-read it.

A failed rule names every cell it sums, but one misread digit fails a row rule and a
column rule that cross at it (R3.2 on its column and R3.3 on its row; R3.1 as well on
the four rows it sums). So within each failed rule the suspects are the cells taking part
in the most failed rules: the crossing when two rules fail, all of its cells when the rule
fails alone (a wrong total and a wrong part cannot then be told apart).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

import regex

from gk_extract.models import CellValue, Check
from gk_extract.template.tables import LOW_CONFIDENCE

_SPACED_DIGITS = regex.compile(r"\d\s+[+\-]?\d")


def doubtful_keys(cells: Iterable[CellValue], checks: Sequence[Check]) -> set[str]:
    """Keys of the cells read with low confidence, placed by text alignment, or suspected
    by failed checks."""
    keys = {c.key for c in cells if _low(c) or _unruled(c)}
    failed = [c for c in checks if c.status == "fail"]
    counts = Counter(k for check in failed for k in check.cells)
    for check in failed:
        most = max((counts[k] for k in check.cells), default=0)
        keys.update(k for k in check.cells if counts[k] == most)
    return keys


def _low(cell: CellValue) -> bool:
    """An OCR reading of a number (or of text where one was expected) below the threshold,
    or of digits with a gap between them (two cells whose ruling was lost, not split by
    the matcher: ``28 5`` is read as 285). A low-scored ``/`` or ``—`` is not doubted (a
    slanted stroke read as ``1`` is turned into the ``/`` it is; the score is the ``1``'s)."""
    if cell.confidence is None:
        return False
    if _SPACED_DIGITS.search(cell.value.raw):
        return True
    return cell.confidence < LOW_CONFIDENCE and cell.value.kind in ("text", "number", "zero")


def _unruled(cell: CellValue) -> bool:
    """A cell of a table found by its text lining up (no rulings): its row and column come
    from word positions alone, so a wrapped label or an empty cell can shift a value into
    its neighbour's place with nothing to tell."""
    return cell.method == "aligned"


def mark_doubtful(cells: Iterable[CellValue], checks: Sequence[Check],
                  ocr: bool = True) -> list[CellValue]:
    """The cells, those that are doubtful (see :func:`doubtful_keys`) marked so; from a
    text layer (``ocr`` false) only the cells placed by text alignment."""
    cells = list(cells)
    doubtful = (doubtful_keys(cells, checks) if ocr
                else {c.key for c in cells if _unruled(c)})
    return [replace(c, doubtful=True) if c.key in doubtful else c for c in cells]
