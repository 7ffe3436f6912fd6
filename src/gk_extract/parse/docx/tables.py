"""One ``w:tbl`` -> a :class:`Table` of origin cells on the table's span-aware grid.

``w:gridBefore``/``w:gridAfter`` skip grid columns, ``w:gridSpan`` and legacy ``w:hMerge``
widen a cell, ``w:vMerge`` continuations extend the cell above. Nested tables are set aside
for the caller, which emits them after this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from gk_extract.models import Cell, Table
from gk_extract.parse.docx.ooxml import (
    BLOCKS,
    W_T,
    W_TBL,
    W_TC,
    W_TCPR,
    W_TR,
    W_TRPR,
    W_VAL,
    W,
    flat_children,
    val,
)
from gk_extract.parse.docx.text import Context, paragraph_text

# Word's tables have at most 63 grid columns, so no gridSpan/gridBefore/gridAfter can
# exceed it; a bigger value is corrupt or hostile and would blow up Table.grid() later.
MAX_GRID_SPAN = 63


@dataclass(slots=True)
class _Pending:
    """A mutable origin cell while its row/column spans are still growing."""

    row: int
    col: int
    text: str
    colspan: int
    rowspan: int = 1


@dataclass(slots=True)
class TableBuilder:
    """Walks one w:tbl into origin cells on the table grid."""

    ref: str
    ctx: Context
    nested: list[etree._Element]
    warnings: list[str]
    cells: list[_Pending] = field(default_factory=list)
    props: dict[etree._Element, _CellProps] = field(default_factory=dict)
    n_cols: int = 0

    def build(self, tbl: etree._Element) -> Table | None:
        self.props = _cell_props_index(tbl)
        above: dict[int, _Pending] = {}
        n_rows = 0
        for tr in flat_children(tbl, (W_TR,)):
            row = _row_props(tr)
            if row.deleted:
                continue  # a tracked row deletion: the reader sees no such row
            above = self._row(tr, row, n_rows, above)
            n_rows += 1
        if not any(c.text for c in self.cells):
            return None
        cells = tuple(
            Cell(
                c.row,
                c.col,
                c.text,
                c.rowspan,
                c.colspan,
                ref=f"{self.ref} r{c.row} c{c.col}",
                method="docx",
            )
            for c in self.cells
        )
        return Table(cells, n_rows=n_rows, n_cols=self.n_cols, ref=self.ref)

    def _row(
        self, tr: etree._Element, row: _RowProps, r: int, above: dict[int, _Pending]
    ) -> dict[int, _Pending]:
        """Place one row's cells; return grid column -> cell covering it in this row."""
        col = row.grid_before
        here: dict[int, _Pending] = {}
        last: _Pending | None = None
        for tc in flat_children(tr, (W_TC,)):
            props = self.props.get(tc, _PLAIN_CELL)
            cell = self._place(tc, props, r, col, above, last)
            for c in range(cell.col, cell.col + cell.colspan):
                here[c] = cell
            last, col = cell, col + props.span
        self.n_cols = max(self.n_cols, col + row.grid_after)
        return here

    def _place(
        self,
        tc: etree._Element,
        props: _CellProps,
        r: int,
        col: int,
        above: dict[int, _Pending],
        last: _Pending | None,
    ) -> _Pending:
        """The cell this w:tc belongs to: a merge origin it extends, or a new cell."""
        if props.h_continue and last is not None:
            last.colspan += props.span
            return last
        if props.v_continue:
            origin = above.get(col)
            if origin is not None and origin.row + origin.rowspan == r:
                origin.rowspan += 1
                if any(t.text for t in tc.iter(W_T)):  # Word never shows it; say we dropped it
                    self.warnings.append(f"{self.ref} r{r} c{col}: text in a vMerge continuation")
                return origin
            if origin is None:
                self.warnings.append(f"{self.ref} r{r} c{col}: vMerge continues no cell above")
        cell = _Pending(r, col, self._cell_text(tc), props.span)
        self.cells.append(cell)
        return cell

    def _cell_text(self, container: etree._Element) -> str:
        return "\n".join(self._cell_lines(container)).strip()

    def _cell_lines(self, container: etree._Element) -> list[str]:
        """Non-empty paragraph texts (text boxes inline); nested tables set aside."""
        lines: list[str] = []
        for el in flat_children(container, BLOCKS):
            if el.tag == W_TBL:
                self.nested.append(el)
                continue
            acc, _ = paragraph_text(el, self.ctx, headings=False)
            text = acc.text
            if text:
                lines.append(text)
            for box in acc.boxes:
                lines.extend(self._cell_lines(box))
        return lines


@dataclass(frozen=True, slots=True)
class _RowProps:
    grid_before: int = 0
    grid_after: int = 0
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class _CellProps:
    span: int = 1
    h_continue: bool = False
    v_continue: bool = False


_PLAIN_ROW, _PLAIN_CELL = _RowProps(), _CellProps()
W_GRID_BEFORE, W_GRID_AFTER, W_DEL = W + "gridBefore", W + "gridAfter", W + "del"
W_GRID_SPAN, W_HMERGE, W_VMERGE = W + "gridSpan", W + "hMerge", W + "vMerge"


def _row_props(tr: etree._Element) -> _RowProps:
    trpr = tr.find(W_TRPR)  # not first: w:tblPrEx may precede it
    if trpr is None:
        return _PLAIN_ROW
    before, after, deleted = 0, 0, False
    for prop in trpr:
        tag = prop.tag
        if tag == W_GRID_BEFORE:
            before = _grid_count(prop, 0)
        elif tag == W_GRID_AFTER:
            after = _grid_count(prop, 0)
        elif tag == W_DEL:
            deleted = True
    return _RowProps(before, after, deleted)


def _cell_props_index(tbl: etree._Element) -> dict[etree._Element, _CellProps]:
    """w:tc -> spans and merge flags, for the cells that have any.

    One C-level ``iter`` over the table finds the few span/merge elements; walking every
    cell's w:tcPr in Python instead cost a third of the whole walk. lxml hands back the same
    proxy object for a node while one is alive, so the w:tc elements work as dict keys.
    """
    found: dict[etree._Element, dict[str, etree._Element]] = {}
    for prop in tbl.iter(W_GRID_SPAN, W_HMERGE, W_VMERGE):
        tcpr = prop.getparent()
        tc = None if tcpr is None or tcpr.tag != W_TCPR else tcpr.getparent()
        if tc is not None and tc.tag == W_TC:  # not the old values inside w:tcPrChange
            found.setdefault(tc, {})[prop.tag] = prop
    return {tc: _cell_props(props) for tc, props in found.items()}


def _cell_props(props: dict[str, etree._Element]) -> _CellProps:
    span, h_merge, v_merge = props.get(W_GRID_SPAN), props.get(W_HMERGE), props.get(W_VMERGE)
    return _CellProps(
        span=max(_grid_count(span, 1), 1),
        h_continue=h_merge is not None and _continues(h_merge),
        v_continue=v_merge is not None and _continues(v_merge),
    )


def _continues(merge: etree._Element) -> bool:
    """A w:vMerge/w:hMerge that continues a merge (no val, or val="continue")."""
    return merge.get(W_VAL, "continue") == "continue"


def _grid_count(prop: etree._Element | None, default: int) -> int:
    """A count of grid columns, clamped to 0..MAX_GRID_SPAN; unreadable -> ``default``."""
    value = val(prop)
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return min(max(number, 0), MAX_GRID_SPAN)
