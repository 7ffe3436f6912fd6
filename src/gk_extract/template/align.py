"""Section 三's rows aligned to the template where the table's own ruling failed.

Scans and some printed tables lose a horizontal ruling in the label columns only (faint
lines beside dense text, a cell border the printer dropped): the data columns keep their
rows, but two or three row labels end up in one merged label cell, or a row is left with
no label cell at all. The template fixes both the labels and their order, so:

* :func:`split_merged_labels`: a row label cell spanning k rows that hold their own values
  is split into k labels, when its lines divide into k template labels in template order;
* :func:`place_unlabelled`: a row of values with no readable label between two known rows
  is the one template row that fits between them, when exactly one does.

Neither rule ever overrides a label that names a row: they only fill what is unnamed.

A lost column ruling leaves two or three numbers side by side in one cell (``0 0 0``);
:func:`split_number_runs` gives each its own cell when the row then holds the template's
count of values, and not before. Read by OCR, such a number's column is a guess from the
count, however sure its reading: its confidence is at most SPLIT_CONFIDENCE.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import combinations, pairwise

import regex

from gk_extract.models import Cell
from gk_extract.normalize.numbers import VALUE_KINDS, parse_value
from gk_extract.normalize.text import squash
from gk_extract.template import spec as T
from gk_extract.template.labels import best_match, contains_any

# A cell holding several numbers side by side, separated by spaces.
_NUMBER_RUN = regex.compile(r"^[+\-]?\d[\d,.]*(?:\s+[+\-]?\d[\d,.]*)+$")
# An OCR cell split into numbers keeps at most this confidence, under template/tables.py
# LOW_CONFIDENCE, so that its numbers are doubtful: the ruling between them was lost, and
# with it what says which column each belongs to (a stacked section 四 whose inner rulings
# a screenshot lost had three of its numbers put in the group above, unflagged).
SPLIT_CONFIDENCE = 0.5
# Lines of a merged label cell tried for splitting: k labels of up to 3 lines each.
MAX_SPLIT_LINES = 16
# A line that starts a template label: 1. 2、 （三） 四、
_NUMBERED = regex.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d{1,2}[.、．])")

N_VALUES = len(T.S3_COLS)
# Template order of section 三's rows; （六）其他处理 stands where its three rows stand.
ORDER: dict[str, int] = {s.key: i for i, s in enumerate(T.S3_ROWS)}
ORDER[T.S3_OTHER_HANDLING.key] = ORDER[T.S3_OTHER_ROWS[0]]


def split_merged_labels(rows: list[list[Cell]],
                        specs: Sequence[T.RowSpec]) -> list[tuple[list[Cell], bool]]:
    """Each row, and whether its own label (the cell left of the values) is its own.

    A merged own-label cell spanning k rows that hold their own values is split into k
    labels when its lines name one template row per grid row, in template order. When they
    do not, the label cannot be given to any one of those rows (which of them a lone
    readable label belongs to is not known), so all k are returned as unlabelled.
    """
    out = [(list(cells), True) for cells in rows]
    i = 0
    while i < len(out):
        own = _own_label(out[i][0])
        span = 1
        while (own is not None and i + span < len(out) and _own_label(out[i + span][0]) is own
               and out[i + span][0][-1] is not out[i + span - 1][0][-1]):
            span += 1  # the label spans this row too, and the row has values of its own
        if own is not None and span > 1:
            labels = _split(own, [_context(out[i + j][0]) for j in range(span)], specs)
            for j in range(span):
                cells = out[i + j][0]
                if labels is None:
                    out[i + j] = (cells, False)
                else:
                    cells[len(cells) - N_VALUES - 1] = replace(own, text=labels[j], rowspan=1)
        i += span
    return out


def _own_label(cells: Sequence[Cell]) -> Cell | None:
    if len(cells) < N_VALUES + 1:
        return None
    return cells[len(cells) - N_VALUES - 1]


def _context(cells: Sequence[Cell]) -> str:
    return "".join(squash(c.text) for c in cells[:len(cells) - N_VALUES - 1])


def _split(cell: Cell, contexts: Sequence[str], specs: Sequence[T.RowSpec]) -> list[str] | None:
    """The cell's text cut into one label per context, each naming a distinct template row
    of that context's group, in template order; cuts before numbered lines preferred."""
    lines = [ln for ln in cell.text.split("\n") if squash(ln)]
    k = len(contexts)
    if not k <= len(lines) <= MAX_SPLIT_LINES:
        return None
    best: tuple[int, list[str]] | None = None
    for cuts in combinations(range(1, len(lines)), k - 1):
        bounds = (0, *cuts, len(lines))
        groups = ["\n".join(lines[a:b]) for a, b in pairwise(bounds)]
        named = [_name(g, ctx, specs) for g, ctx in zip(groups, contexts)]
        if any(n is None for n in named):
            continue
        order = [ORDER[n.key] for n in named if n is not None]
        if any(a >= b for a, b in pairwise(order)):
            continue
        numbered = sum(bool(_NUMBERED.match(squash(lines[c]))) for c in cuts)
        if best is None or numbered > best[0]:
            best = (numbered, groups)
    return None if best is None else best[1]


def _name(label: str, context: str, specs: Sequence[T.RowSpec]) -> T.RowSpec | None:
    candidates = tuple(s for s in specs if not s.group or not context or contains_any(context, s.group))
    return best_match(squash(label), candidates)


def place_unlabelled(found: Sequence[str | None]) -> list[str | None]:
    """Row keys for a table's value rows in printed order, ``None`` (no label read) filled
    with the one template row that fits between its known neighbours, where exactly one
    does and nobody else printed it; all other entries are returned unchanged."""
    taken = {k for k in found if k is not None}
    single = T.S3_OTHER_HANDLING.key in taken or not taken & set(T.S3_OTHER_ROWS)
    out = list(found)
    for i, key in enumerate(found):
        if key is not None:
            continue
        before = next((ORDER[k] for k in reversed(found[:i]) if k is not None), -1)
        after = next((ORDER[k] for k in found[i + 1:] if k is not None), len(T.S3_ROWS))
        fits = [s.key for s in _sequence(single) if before < ORDER[s.key] < after
                and s.key not in taken]
        if len(fits) == 1 and _unnamed_between(found, i) == 1:
            out[i] = fits[0]
            taken.add(fits[0])
    return out


def _sequence(single_other_row: bool) -> list[T.RowSpec]:
    if not single_other_row:
        return list(T.S3_ROWS)
    rows = [s for s in T.S3_ROWS if s.key not in T.S3_OTHER_ROWS]
    at = next(i for i, s in enumerate(rows) if s.key == "result_total")
    return [*rows[:at], T.S3_OTHER_HANDLING, *rows[at:]]


def _unnamed_between(found: Sequence[str | None], i: int) -> int:
    """How many unnamed rows share row ``i``'s gap between named rows."""
    lo = next((j for j in range(i - 1, -1, -1) if found[j] is not None), -1)
    hi = next((j for j in range(i + 1, len(found)) if found[j] is not None), len(found))
    return hi - lo - 1


def split_number_runs(cells: Sequence[Cell], fits: Callable[[int], bool]) -> list[Cell]:
    """The row with each cell of several numbers split into one cell per number, when the
    row's trailing values then fit the template (``fits``) and did not before."""
    if not any(_NUMBER_RUN.match(c.text.strip()) for c in cells):
        return list(cells)
    split: list[Cell] = []
    for cell in cells:
        if _NUMBER_RUN.match(cell.text.strip()):
            # each number's own place in the cell is not known: no box, rather than one
            # holding all of them
            confidence = None if cell.confidence is None else min(cell.confidence, SPLIT_CONFIDENCE)
            split.extend(replace(cell, text=part, colspan=1, bbox=None, confidence=confidence)
                         for part in cell.text.split())
        else:
            split.append(cell)
    return split if fits(_trailing_values(split)) and not fits(_trailing_values(cells)) else list(cells)


def _trailing_values(cells: Sequence[Cell]) -> int:
    count = 0
    for cell in reversed(cells):
        if parse_value(cell.text).kind not in VALUE_KINDS:
            break
        count += 1
    return count
