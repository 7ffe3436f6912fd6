"""Which readings are doubtful: low OCR confidence, read blank where the report prints its
zeros, placed by text alignment alone, or pointed at by failed checks; and which failed
checks only show a doubtful reading.

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

from gk_extract.models import CellValue, Check
from gk_extract.template.tables import LOW_CONFIDENCE, SIDE_BY_SIDE

# A lone 1 is also what OCR makes of a placeholder's stroke it did not take for one (a
# ``/`` in a screenshot's table read as ``1`` scored 0.876, three times, in the screenshot
# corpus, while every printed 1 there scored 1.0): below this score it is doubtful.
LONE_ONE_CONFIDENCE = 0.95


def doubtful_keys(cells: Iterable[CellValue], checks: Sequence[Check]) -> set[str]:
    """Keys of the cells read with low confidence (or as text, or blank where the report
    prints its zeros), placed by text alignment, or suspected by failed checks."""
    cells = list(cells)
    keys = {c.key for c in cells if _low(c) or _unruled(c)}
    keys.update(c.key for c in _lost(cells))
    failed = [c for c in checks if c.status == "fail"]
    counts = Counter(k for check in failed for k in check.cells)
    for check in failed:
        most = max((counts[k] for k in check.cells), default=0)
        keys.update(k for k in check.cells if counts[k] == most)
    return keys


def _low(cell: CellValue) -> bool:
    """An OCR reading of a number (or of text where one was expected) below the threshold,
    or of digits with a gap between them (two cells whose ruling was lost, not split by
    the matcher: ``28 5`` is read as 285), a lone ``1`` scored below LONE_ONE_CONFIDENCE,
    or anything that is not a number, a blank or a placeholder (``。`` for a 0). A
    low-scored ``/`` or ``—`` is not doubted (a slanted stroke read as ``1`` is turned
    into the ``/`` it is; the score is the ``1``'s)."""
    if cell.confidence is None:
        return False
    if SIDE_BY_SIDE.search(cell.value.raw):
        return True
    if cell.value.raw.strip() in ("1", "１") and cell.confidence < LONE_ONE_CONFIDENCE:
        return True
    if cell.value.kind == "text":
        return True  # no value cell prints words: a 0 read as 。 or o, however sure the engine
    return cell.confidence < LOW_CONFIDENCE and cell.value.kind in ("number", "zero")


def _lost(cells: Sequence[CellValue]) -> list[CellValue]:
    """OCR cells read empty in a report that prints its zeros as ``0``: a number whose glyphs
    sat on a ruling, or were placed in the neighbouring row, leaves its own cell blank with
    nothing to tell (an empty cell's confidence is 1.0, ocr/document.py). In a report that
    leaves its zeros blank as a habit, a blank is what is expected and stays certain."""
    read = [c for c in cells if c.confidence is not None]
    blank = [c for c in read if c.value.kind == "blank"]
    zeros = sum(1 for c in read if c.value.kind == "zero")
    return blank if zeros > len(blank) else []


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


def unsure_checks(checks: Sequence[Check], cells: Iterable[CellValue]) -> list[Check]:
    """The checks, a failed one ``uncertain`` when it sums an OCR reading doubtful in itself
    (a low score, a blank among printed zeros, see :func:`doubtful_keys`; or marked so by
    the matcher: a row whose columns were guessed). Such a rule fails on what was read, not
    surely on what the report prints. A rule over sure readings, or over a text layer's
    (exact, if placed by alignment), that does not add up still fails."""
    cells = list(cells)
    unsure = {c.key for c in cells if c.confidence is not None and (c.doubtful or _low(c))}
    unsure.update(c.key for c in _lost(cells))
    return [replace(check, status="uncertain")
            if check.status == "fail" and not unsure.isdisjoint(check.cells) else check
            for check in checks]
