"""A synthetic document as format-neutral blocks: paragraphs and span-aware table grids.

Both writers render these blocks, so the DOCX and the HTML of one report share one merged
cell layout, the official template's (gbtemplate_blank_2021.docx): section 二 as captioned
blocks on a 4-column grid, section 三 on a 10-column grid (3 label + 7 value columns) with a
3-row header, section 四 as 15 columns under a 3-row header.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from gk_extract.template.spec import (
    S3_COLS,
    S3_OTHER_HANDLING,
    S3_ROWS,
    S4_GROUPS,
    S4_OUTCOMES,
    SECTIONS,
    BlockSpec,
    RowSpec,
)

from .counts import s3_rows
from .values import SyntheticNotice, SyntheticReport, s2_blocks, s2_prefix

# Header texts of the official template that spec.py does not carry as labels.
S3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
S3_APPLICANTS = "申请人情况"
S3_LEGAL_PERSONS = "法人或其他组织"
S3_RESULTS = "三、本年度办理结果"
S2_CONTENT = "信息内容"
S4_SUIT = "行政诉讼"
GROUP_NUMERALS = "三四五六"  # （一）（二） are single rows; the four item groups follow

# Grid column widths (twips) copied from the official template's tblGrid, so that a DOCX
# fixture has the template's proportions.
S2_WIDTHS: tuple[int, ...] = (2435,) * 4
S3_WIDTHS: tuple[int, ...] = (754, 921, 3271) + (685,) * 7
S4_WIDTHS: tuple[int, ...] = (649,) * 7 + (650,) * 8
S4_GROUP_WIDTHS: tuple[int, ...] = (1950,) * 5

S3_HEADER_ROWS = 3
LABEL_COLS = 3  # section 三 label columns (一 | （三） | 1.)
SHORT_LABEL = 4  # labels shorter than this are never broken over lines
LONG_LABEL = 12  # labels longer than this break in two (after their first 、)
Role = Literal["title", "preamble", "heading", "body", "signature"]


@dataclass(frozen=True, slots=True)
class SpanCell:
    row: int
    col: int
    text: str  # lines joined by "\n"
    rowspan: int = 1
    colspan: int = 1
    header: bool = False  # a label (header row or row label), not a value
    vertical: bool = False  # a tall narrow label read top to bottom (三、本年度办理结果)


@dataclass(frozen=True, slots=True)
class GridTable:
    name: str  # "s2", "s2.1" …, "s3", "s4", "s4.1" …
    cells: tuple[SpanCell, ...]
    n_rows: int
    widths: tuple[int, ...]  # one per grid column

    @property
    def n_cols(self) -> int:
        return len(self.widths)

    def origin_grid(self) -> list[list[SpanCell | None]]:
        """Every slot, pointing at the cell covering it (None where no cell does)."""
        grid: list[list[SpanCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    grid[r][c] = cell
        return grid


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    role: Role
    section: str = ""  # the section key of a heading


Block = Para | GridTable


# ----------------------------------------------------------------------------- labels


def split_label(label: str) -> str:
    """Break a header label over lines as real tables do: 商业\\n企业, 三、本\\n年度办\\n理结果."""
    if len(label) < SHORT_LABEL:
        return label
    if len(label) > LONG_LABEL:
        cut = label.index("、", 3) + 1 if "、" in label[3:] else len(label) // 2
        return f"{label[:cut]}\n{label[cut:]}"
    size = 3 if len(label) > 6 else 2
    return "\n".join(label[i : i + size] for i in range(0, len(label), size))


def _label(text: str, split: bool) -> str:
    return split_label(text) if split else text


# ----------------------------------------------------------------------------- section 二


def _col_spans(n_cols: int) -> list[int]:
    """Spread a block's value columns over the 3 value grid columns (1 → [3], 2 → [1, 2])."""
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n_cols]


def _s2_block_cells(
    block: BlockSpec, top: int, values: list[tuple[str, list[str]]], split: bool
) -> list[SpanCell]:
    """Caption row, 信息内容 header row, then one row per (label, raw values)."""
    spans = _col_spans(len(block.cols))
    cells = [
        SpanCell(top, 0, block.caption, colspan=4, header=True),
        SpanCell(top + 1, 0, S2_CONTENT, header=True),
    ]
    for r, (label, raws) in enumerate(
        [("", [c.label for c in block.cols]), *values], start=top + 1
    ):
        if label:
            cells.append(SpanCell(r, 0, label, header=True))
        col = 1
        for text, span in zip(raws, spans):
            cells.append(
                SpanCell(
                    r,
                    col,
                    _label(text, split) if not label else text,
                    colspan=span,
                    header=not label,
                )
            )
            col += span
    return cells


def _s2_block_rows(
    report: SyntheticReport, index: int, block: BlockSpec
) -> list[tuple[str, list[str]]]:
    prefix = s2_prefix(report.template)
    rows = [
        (row.label, [report.cells[f"{prefix}_{row.key}__{c.key}"] for c in block.cols])
        for row in block.rows
    ]
    if index == 0:
        rows += list(report.extra_rows.items())
    return rows


def s2_tables(report: SyntheticReport) -> list[GridTable]:
    """Section 二: one captioned table, or one table per block (``s2_layout``)."""
    blocks = [(b, _s2_block_rows(report, i, b)) for i, b in enumerate(s2_blocks(report.template))]
    if report.s2_layout == "four_tables":
        return [
            GridTable(
                f"s2.{i + 1}",
                tuple(_s2_block_cells(b, 0, rows, report.labels_split)),
                2 + len(rows),
                S2_WIDTHS,
            )
            for i, (b, rows) in enumerate(blocks)
        ]
    cells: list[SpanCell] = []
    top = 0
    for block, rows in blocks:
        cells += _s2_block_cells(block, top, rows, report.labels_split)
        top += 2 + len(rows)  # caption row, header row, data rows
    return [GridTable("s2", tuple(cells), top, S2_WIDTHS)]


# ----------------------------------------------------------------------------- section 三


def _s3_header(split: bool) -> list[SpanCell]:
    org_cols = S3_COLS[1:-1]
    cells = [
        SpanCell(0, 0, S3_NOTE, rowspan=3, colspan=3, header=True),
        SpanCell(0, 3, S3_APPLICANTS, colspan=7, header=True),
        SpanCell(1, 3, S3_COLS[0].label, rowspan=2, header=True),
        SpanCell(1, 4, S3_LEGAL_PERSONS, colspan=5, header=True),
        SpanCell(1, 9, S3_COLS[-1].label, rowspan=2, header=True),
    ]
    cells += [
        SpanCell(2, 4 + i, _label(c.label, split), header=True) for i, c in enumerate(org_cols)
    ]
    return cells


def _row_specs() -> dict[str, RowSpec]:
    return {r.key: r for r in (*S3_ROWS, S3_OTHER_HANDLING)}


def _group_labels() -> dict[str, str]:
    """（三）不予公开 … （六）其他处理, numbered in template order."""
    groups = list(dict.fromkeys(r.group[0] for r in S3_ROWS if r.group))
    return {g: f"（{n}）{g}" for n, g in zip(GROUP_NUMERALS, groups)}


def _s3_label_cells(row: int, key: str, rows: tuple[str, ...], split: bool) -> list[SpanCell]:
    """The label cells that start on this data row (groups start on their first item)."""
    spec = _row_specs()[key]
    if key in (rows[0], rows[1], rows[-1]):
        return [SpanCell(row, 0, spec.label, colspan=LABEL_COLS, header=True)]
    if not spec.group:
        return [SpanCell(row, 1, spec.label, colspan=2, header=True)]
    members = [k for k in rows if _row_specs()[k].group == spec.group]
    cells = [
        SpanCell(row, 2, _label(spec.label, split and len(spec.label) > LONG_LABEL), header=True)
    ]
    if members[0] == key:
        cells.insert(
            0, SpanCell(row, 1, _group_labels()[spec.group[0]], rowspan=len(members), header=True)
        )
    return cells


def _s3_body(report: SyntheticReport) -> list[SpanCell]:
    rows = s3_rows(report.other_single_row)
    results = len(rows) - 3  # every row but 一、二、四 sits under 三、本年度办理结果
    cells = [
        SpanCell(
            S3_HEADER_ROWS + 2,
            0,
            _label(S3_RESULTS, report.labels_split),
            rowspan=results,
            header=True,
            vertical=True,
        )
    ]
    for r, key in enumerate(rows, start=S3_HEADER_ROWS):
        cells += _s3_label_cells(r, key, rows, report.labels_split)
        cells += [
            SpanCell(r, LABEL_COLS + i, report.cells[f"s3_{key}__{c.key}"])
            for i, c in enumerate(S3_COLS)
        ]
    return cells


def s3_table(report: SyntheticReport) -> GridTable:
    cells = _s3_header(report.labels_split) + _s3_body(report)
    n_rows = S3_HEADER_ROWS + len(s3_rows(report.other_single_row))
    return GridTable("s3", tuple(cells), n_rows, S3_WIDTHS)


# ----------------------------------------------------------------------------- section 四


def _s4_values(report: SyntheticReport, row: int, group_keys: list[str]) -> list[SpanCell]:
    keys = [f"s4_{g}__{o.key}" for g in group_keys for o in S4_OUTCOMES]
    return [SpanCell(row, i, report.cells[k]) for i, k in enumerate(keys)]


def _s4_one_table(report: SyntheticReport) -> GridTable:
    split = report.labels_split
    review, *suits = S4_GROUPS
    cells = [
        SpanCell(0, 0, review.label, colspan=5, header=True),
        SpanCell(0, 5, S4_SUIT, colspan=10, header=True),
    ]
    cells += [
        SpanCell(1, i, _label(o.label, split), rowspan=2, header=True)
        for i, o in enumerate(S4_OUTCOMES)
    ]
    cells += [
        SpanCell(1, 5 + 5 * i, g.label.split(" › ")[-1], colspan=5, header=True)
        for i, g in enumerate(suits)
    ]
    cells += [
        SpanCell(2, 5 + i, _label(o.label, split), header=True)
        for i, o in enumerate(S4_OUTCOMES * 2)
    ]
    cells += _s4_values(report, 3, [g.key for g in S4_GROUPS])
    return GridTable("s4", tuple(cells), 4, S4_WIDTHS)


def _s4_group_table(report: SyntheticReport, index: int) -> GridTable:
    group = S4_GROUPS[index]
    parts = group.label.split(" › ")
    caption = parts[0] if len(parts) == 1 else f"{parts[0]}（{parts[1]}）"
    cells = [SpanCell(0, 0, caption, colspan=5, header=True)]
    cells += [
        SpanCell(1, i, _label(o.label, report.labels_split), header=True)
        for i, o in enumerate(S4_OUTCOMES)
    ]
    cells += _s4_values(report, 2, [group.key])
    return GridTable(f"s4.{index + 1}", tuple(cells), 3, S4_GROUP_WIDTHS)


def s4_tables(report: SyntheticReport) -> list[GridTable]:
    """Section 四: one 15-column table, or one table per group (``s4_layout``)."""
    if report.s4_layout == "three_tables":
        return [_s4_group_table(report, i) for i in range(len(S4_GROUPS))]
    return [_s4_one_table(report)]


# ----------------------------------------------------------------------------- documents


def _section_tables(report: SyntheticReport, key: str) -> list[GridTable]:
    if key == "s2_proactive":
        return s2_tables(report)
    if key == "s3_requests":
        return [s3_table(report)]
    if key == "s4_review_litigation":
        return s4_tables(report)
    return []


def _paragraphs(text: str, role: Role) -> list[Block]:
    return [Para(line, role) for line in text.split("\n") if line]


def report_blocks(report: SyntheticReport) -> list[Block]:
    """Title, preamble, the six sections (heading, text, tables), signature."""
    blocks: list[Block] = [Para(report.title, "title"), *_paragraphs(report.preamble, "preamble")]
    for section in SECTIONS:
        heading = report.headings.get(section.key, section.heading)
        blocks.append(Para(heading, "heading", section.key))
        blocks += _paragraphs(report.sections.get(section.key, ""), "body")
        blocks += _section_tables(report, section.key)
    return blocks + _paragraphs(report.signature, "signature")


def notice_blocks(notice: SyntheticNotice) -> list[Block]:
    body = [Para(p, "body") for p in notice.paragraphs]
    return [Para(notice.title, "title"), *body, *_paragraphs(notice.signature, "signature")]


def document_blocks(doc: SyntheticReport | SyntheticNotice) -> list[Block]:
    return report_blocks(doc) if isinstance(doc, SyntheticReport) else notice_blocks(doc)


def widen_column(table: GridTable, col: int) -> GridTable:
    """Split grid column ``col`` in two, as Word-pasted HTML often does (colspan 8 over 7).

    Cells covering the column span one more grid column; cells to its right move over.
    """

    def moved(cell: SpanCell) -> SpanCell:
        if cell.col <= col < cell.col + cell.colspan:
            return replace(cell, colspan=cell.colspan + 1)
        return replace(cell, col=cell.col + 1) if cell.col > col else cell

    half = table.widths[col] // 2
    widths = table.widths[:col] + (half, table.widths[col] - half) + table.widths[col + 1 :]
    return replace(table, cells=tuple(moved(c) for c in table.cells), widths=widths)
