"""Map a document's tables onto the template cells of sections 二, 三 and 四.

Rows are found by their printed labels (see ``labels.py``); data cells are read from the
right of each row, because label columns vary (merged, split, missing) while the data
columns of the national template do not (report-format.md §4.2).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import regex

from gk_extract.models import Cell, CellValue, Table
from gk_extract.normalize.numbers import VALUE_KINDS, parse_value
from gk_extract.normalize.text import squash, tidy
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.align import place_unlabelled, split_merged_labels, split_number_runs
from gk_extract.template.labels import best_match, contains_any, fuzzy_match

logger = logging.getLogger(__name__)

# Share of value-like cells that makes a row a data row of section 四 (its cells carry no
# labels); 0.8 tolerates one stray text cell in a 5-cell row.
S4_VALUE_SHARE = 0.8
# A header row of section 三 names at least this many of the 7 applicant columns.
S3_HEADER_MIN_LABELS = 3
# An OCR reading of a number below this engine confidence is doubtful (template/doubt.py):
# its value is kept, as read, and marked, so an analyst can filter or re-read it. Swept on
# 200 generated scans (benchmarks/ocr_accuracy.py, 27 misread digit cells among ~20,000):
# below 0.7 catches 11 misreads and marks 7 right readings, below 0.8 catches 17 and marks
# 18, below 0.9 catches 17 and marks 26. On hzq2024 at 150 dpi every digit cell scores >= 0.95.
LOW_CONFIDENCE = 0.8
# Two numbers side by side in one cell (a column ruling lost between them).
SIDE_BY_SIDE = regex.compile(r"\d\s+[+\-]?\d")


@dataclass(slots=True)
class Extraction:
    """Cells found so far in one document, keyed by cell key (first printing wins)."""

    cells: dict[str, CellValue] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra_rows: int = 0

    def add(self, cell: CellValue) -> None:
        if cell.key in self.cells:
            self.notes.append(f"{cell.key} printed twice ({cell.source_ref}); first kept")
            return
        self.cells[cell.key] = cell

    def has_table(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.cells)


def table_text(table: Table) -> str:
    return "".join(squash(c.text) for c in table.cells)


def make_cell(key_table: str, row: str, col: str, labels: tuple[str, str], source: Cell,
              unit: str | None = None, table: str | None = None) -> CellValue:
    value = parse_value(source.text)
    if unit and value.unit is None and value.value is not None:
        value = replace(value, unit=unit)
    return CellValue(key=registry.cell_key(key_table, row, col), table=table or key_table, row=row, col=col,
                     row_label=labels[0], col_label=labels[1], value=value, page=source.page,
                     source_ref=source.ref, confidence=source.confidence,
                     method=source.method, bbox=source.bbox)


def is_value_like(cell: Cell) -> bool:
    return parse_value(cell.text).kind in VALUE_KINDS


# ----------------------------------------------------------------------------- classification


# Words of every template's section 二 (each template adds its own, registry.py).
S2_WORDS = ("第二十条", "信息内容")


def table_kinds(table: Table) -> set[str]:
    """Which template sections a table holds data for, judged by its labels."""
    text = table_text(table)
    kinds = set()
    if "自然人" in text or "申请人情况" in text or _is_s3_fragment(table):
        kinds.add("s3")
    if contains_any(text, ("行政复议", "行政诉讼", "复议后起诉", "未经复议")) and contains_any(
            text, ("维持", "纠正", "审结")):
        kinds.add("s4")
    if "s3" not in kinds and (contains_any(text, S2_WORDS + registry.all_s2_words())
                              or (not kinds and _is_s2_fragment(table))):
        kinds.add("s2")
    return kinds


def _is_s2_fragment(table: Table) -> bool:
    """Rows of section 二 without their block header: the rows a page break (or a scan whose
    pages do not line up) cut off from the table above. Every row is a template label and
    its values."""
    rows = [cells for cells in table.row_cells() if len(cells) >= 2]
    s2_rows = registry.all_s2_rows()
    return bool(rows) and all(
        best_match(squash(cells[0].text), s2_rows) is not None
        and all(is_value_like(c) for c in cells[1:]) for cells in rows)


def _is_s3_fragment(table: Table) -> bool:
    """A piece of section 三 without its header: a page's continuation, or one row per table.

    Two labelled rows are needed, or one when the fragment is a single wide row (some CMS
    editors save every row of the table as a table of its own).
    """
    wide = [cells for cells in table.row_cells() if len(cells) >= len(T.S3_COLS) + 1]
    hits = sum(best_match(squash(cells[-len(T.S3_COLS) - 1].text), T.S3_ROWS) is not None
               for cells in wide)
    return hits >= min(2, len(wide)) and hits > 0


# ----------------------------------------------------------------------------- section 二


def extract_s2(tables: Iterable[Table], template: registry.TemplateSpec, out: Extraction) -> None:
    blocks, prefix = template.s2_blocks, template.s2_table
    row_specs, col_specs = template.s2_rows(), template.s2_cols()
    for table in tables:
        header: list[T.ColSpec | None] = []
        for cells in table.row_cells():
            if len(cells) < 2:
                continue  # a block caption such as 第二十条第（一）项
            first = squash(cells[0].text)
            if "信息内容" in first or _is_s2_header(cells, col_specs):
                header = [best_match(squash(c.text), col_specs) for c in cells[1:]]
                continue
            row = best_match(first, row_specs) if first else None
            if row is None:
                _extra_row(cells, out)
                continue
            block = next(b for b in blocks if row in b.rows)
            # a header with fewer cells than the row under it has lost a ruling, and its one
            # cell may name either column it spans (采购项目数量采购总金额)
            header_short = bool(header) and len(header) < len(cells) - 1 <= len(block.cols)
            cols = block.cols if header_short else _s2_columns(header, block)
            shifted = (_read_shifted(cells[1 + len(cols):])
                       or _lost_ruling(cells[1:], len(cols), header_short))
            for col, cell in zip(cols, cells[1:]):
                unit = _unit_in_label(col.label)
                made = make_cell(prefix, row.key, col.key, (row.label, col.label), cell, unit)
                out.add(replace(made, doubtful=True) if shifted else made)


def _is_s2_header(cells: Sequence[Cell], col_specs: tuple[T.ColSpec, ...]) -> bool:
    labelled = [c for c in cells[1:] if best_match(squash(c.text), col_specs) is not None]
    return bool(labelled) and not any(parse_value(c.text).value is not None for c in cells[1:])


def _s2_columns(header: Sequence[T.ColSpec | None], block: T.BlockSpec) -> Sequence[T.ColSpec]:
    """The header's columns when they belong to this block, else the block's own columns."""
    named = [c for c in header if c is not None]
    if named and all(c in block.cols for c in named) and len(named) == len(header):
        return named
    return block.cols


def _unit_in_label(label: str) -> str | None:
    return "万元" if "万元" in label else "元" if label.endswith("（元）") else None


def _extra_row(cells: Sequence[Cell], out: Extraction) -> None:
    """Keep a local row outside the template (e.g. 其他主动公开文件) when it carries numbers."""
    label = tidy(cells[0].text)
    values = cells[1:]
    if not label or label.startswith("第二十条") or not any(
            parse_value(c.text).value is not None for c in values):
        return
    out.extra_rows += 1
    for i, cell in enumerate(values, start=1):
        out.add(_extra_cell(f"extra_{out.extra_rows}", label, i, cell))


def _extra_cell(row: str, label: str, index: int, cell: Cell) -> CellValue:
    key = registry.cell_key("s2", row, f"c{index}")
    return CellValue(key=key, table="extra", row=f"s2_{row}", col=f"c{index}",
                     row_label=label, col_label="", value=parse_value(cell.text), page=cell.page,
                     source_ref=cell.ref, method=cell.method, bbox=cell.bbox)


# ----------------------------------------------------------------------------- section 三


_S3_SPECS = (*T.S3_ROWS, T.S3_OTHER_HANDLING)


def extract_s3(tables: Iterable[Table], out: Extraction) -> None:
    specs = _S3_SPECS
    order: Sequence[T.ColSpec] = T.S3_COLS
    printed: list[tuple[str | None, Sequence[Cell], Sequence[T.ColSpec]]] = []
    above: T.RowSpec | None = None
    for table in tables:
        for printed_cells, labelled in split_merged_labels(table.row_cells(), specs):
            cells = split_number_runs(printed_cells, lambda n: n == len(T.S3_COLS))
            header = _s3_header_order(cells)
            if header is not None:
                order = header if len(header) == len(T.S3_COLS) else order
                continue
            if len(cells) < len(T.S3_COLS):
                continue
            labels, values = cells[:-len(T.S3_COLS)], cells[-len(T.S3_COLS):]
            row = _s3_row(labels, above, out) if labelled else None
            above = row or above
            if row is not None:
                printed.append((row.key, values, order))
                _add_s3_row(row, values, order, out, doubtful=_read_shifted(labels[1:]))
            elif _is_value_row(values):
                printed.append((None, values, order))
    placed = place_unlabelled([key for key, _, _ in printed])
    by_key = {s.key: s for s in specs}
    for (key, unplaced, cols), now in zip(printed, placed):
        if key is None and now is not None:
            out.notes.append(f"s3 row without a readable label placed as {by_key[now].label!r} "
                             f"by template order ({unplaced[0].ref})")
            _add_s3_row(by_key[now], unplaced, cols, out)


def _add_s3_row(row: T.RowSpec, values: Sequence[Cell], order: Sequence[T.ColSpec],
                out: Extraction, doubtful: bool = False) -> None:
    for col, cell in zip(order, values):
        made = make_cell("s3", row.key, col.key, (row.label, col.label), cell)
        out.add(replace(made, doubtful=True) if doubtful else made)


def _read_shifted(outside: Sequence[Cell]) -> bool:
    """Whether a row read by OCR holds a number outside the template's value columns
    (``outside``: beyond the last, or among the labels): a stray ruling split a cell, and
    the row's values may sit a column off, each a valid number, with nothing else to tell."""
    return any(_by_ocr(c) and parse_value(c.text).value is not None for c in outside)


def _lost_ruling(values: Sequence[Cell], columns: int, header_short: bool) -> bool:
    """Whether a row read by OCR, or its header, has lost a column ruling: fewer cells than
    the block has columns, two numbers side by side in one cell, or a header with fewer
    cells than the row. Which column each value then belongs to is a guess (``10 2 | 80``
    under three columns put 80 in the middle one)."""
    if not any(map(_by_ocr, values)):
        return False
    return header_short or len(values) < columns or any(SIDE_BY_SIDE.search(c.text)
                                                        for c in values)


def _by_ocr(cell: Cell) -> bool:
    """Whether the cell was read by OCR: only OCR gives a reading its confidence."""
    return cell.confidence is not None


def _is_value_row(values: Sequence[Cell]) -> bool:
    kinds = [parse_value(c.text).kind for c in values]
    return all(k in VALUE_KINDS for k in kinds) and any(k != "blank" for k in kinds)


def _s3_header_order(cells: Sequence[Cell]) -> list[T.ColSpec] | None:
    """The applicant columns a header row names, in printed order; None for other rows."""
    found: dict[str, tuple[int, T.ColSpec]] = {}
    for cell in cells:
        col = _s3_col(cell.text)
        if col is not None and col.key not in found:
            found[col.key] = (cell.col, col)
    if len(found) < S3_HEADER_MIN_LABELS:
        return None
    return [c for _, c in sorted(found.values(), key=lambda p: p[0])]


@lru_cache(maxsize=4096)
def _s3_col(text: str) -> T.ColSpec | None:
    """The applicant column a printed header cell names (cached: every report prints them)."""
    return best_match(squash(text), T.S3_COLS)


@lru_cache(maxsize=16384)
def _s3_named(own: str, context: str, above: tuple[str, ...]) -> T.RowSpec | None:
    """The row a label names within its group (``context``: the group cells beside it),
    else within the group of the row above; cached by the texts, as they recur in every
    report."""
    candidates = _s3_candidates(context)
    row = best_match(own, candidates)
    if row is None and above:
        row = best_match(own, tuple(s for s in _S3_SPECS if s.group == above))
    return row


def _s3_candidates(context: str) -> tuple[T.RowSpec, ...]:
    return tuple(s for s in _S3_SPECS
                 if not s.group or not context or contains_any(context, s.group))


def _s3_row(labels: Sequence[Cell], above: T.RowSpec | None, out: Extraction) -> T.RowSpec | None:
    """The template row a printed row's labels name. Its group comes from its own group cell,
    else from the row above: a group cell cut by a page break leaves the rows on the next
    page without it."""
    labels = [c for c in labels if squash(c.text)]  # an unruled or empty label cell says nothing
    if not labels:
        return None
    own = squash(labels[-1].text)
    context = "".join(squash(c.text) for c in labels[:-1])
    row = _s3_named(own, context, above.group if above is not None else ())
    if row is None:
        candidates = _s3_candidates(context)
        taken = {registry.key_row(k, "s3") for k in out.cells}
        free = [s for s in candidates if s.key not in taken]
        row = fuzzy_match(own, free)
        if row is not None:
            out.notes.append(f"s3 row label {own!r} read as {row.label!r}")
    return row


# ----------------------------------------------------------------------------- section 四


def extract_s4(tables: Iterable[Table], out: Extraction) -> None:
    """Rows of five, ten or fifteen values. A five-value row takes the group named by the
    rows above it since the previous value row: the three group tables printed one on
    another (a web page's tables with no space between them) read as one table."""
    for table in tables:
        whole = table_text(table)
        above = ""
        for cells in table.row_cells():
            values = _trailing_values(split_number_runs(cells, _whole_s4_groups))
            if len(values) < len(T.S4_OUTCOMES):
                above += "".join(squash(c.text) for c in cells)
                continue
            text, above = above or whole, ""
            guessed = _groups_guessed(len(values), text)
            for group, five in _s4_groups(values, text, out):
                for outcome, cell in zip(T.S4_OUTCOMES, five):
                    labels = (group.label, outcome.label)
                    made = make_cell("s4", group.key, outcome.key, labels, cell)
                    out.add(replace(made, doubtful=True) if guessed and _by_ocr(cell) else made)


def _whole_s4_groups(count: int) -> bool:
    return count > 0 and count % len(T.S4_OUTCOMES) == 0


def _trailing_values(cells: Sequence[Cell]) -> list[Cell]:
    """The run of value-like cells ending the row, when the row is mostly values."""
    run: list[Cell] = []
    for cell in reversed(cells):
        if not is_value_like(cell):
            break
        run.append(cell)
    run.reverse()
    if not run or len(run) < S4_VALUE_SHARE * len(cells):
        return []
    if all(parse_value(c.text).kind == "blank" for c in run) and (
            len(run) != len(cells) or len(run) % len(T.S4_OUTCOMES)):
        return []  # an empty spacer row, unlike a data row printed blank (the blank template)
    return run


def _s4_groups(values: list[Cell], text: str, out: Extraction) -> list[tuple[T.ColSpec, list[Cell]]]:
    n = len(T.S4_OUTCOMES)
    groups = list(T.S4_GROUPS)
    if len(values) >= 3 * n:
        values = values[-3 * n:]
    elif len(values) >= 2 * n:
        values, groups = values[-2 * n:], groups[1:]
    else:
        values, groups = values[-n:], [_lone_group(text, out)]
    return [(g, values[i * n:(i + 1) * n]) for i, g in enumerate(groups)]


def _groups_guessed(count: int, text: str) -> bool:
    """Whether, read by OCR, a row of ``count`` values takes its groups by guess: a row not
    a whole number of groups lost or merged a value, and a lone group's table whose name
    is not in it may follow one that was lost, so its order says nothing certain."""
    n = len(T.S4_OUTCOMES)
    named = any(contains_any(text, group.match) for group in T.S4_GROUPS)
    return count % n != 0 or (count < 2 * n and not named)


def _last_position(text: str, terms: Iterable[str]) -> int:
    """Where the last of ``terms`` found in ``text`` starts; -1 when none is."""
    return max((text.rfind(term) for term in terms), default=-1)


def _lone_group(text: str, out: Extraction) -> T.ColSpec:
    """The group of a five-cell table: by its label (of the two suits' labels, the one
    named last, nearest above the values: the rows since the previous value row may name a
    group whose values were not read), else the first group not yet read."""
    review, direct, after = T.S4_GROUPS
    named = [(_last_position(text, group.match), group) for group in (direct, after)]
    named = [(at, group) for at, group in named if at >= 0]
    if named:
        return max(named, key=lambda found: found[0])[1]
    if "行政复议" in text and not registry.has_row(out.cells, "s4", review.key):
        return review
    for group in T.S4_GROUPS:
        if not registry.has_row(out.cells, "s4", group.key):
            return group
    return review


