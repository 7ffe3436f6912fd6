"""The template tables of sections 二, 三 and 四 as grids of cell keys, for the pages to fill.

A mapped template's grids come from its specification (``template/spec.py`` and the
registry), so every cell of the template has its place whether the report printed it or
not. Cells no template grid holds (an unmapped template's rows, local extra rows) are laid
out from the cells themselves, by their printed labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.registry import cell_key

# Rows a report prints one way or the other: （六）其他处理 as one row, or its three rows.
# Whichever the report does not print is left out of its grid.
OPTIONAL_S3_ROWS = frozenset({T.S3_OTHER_HANDLING.key, *T.S3_OTHER_ROWS})


@dataclass(frozen=True, slots=True)
class GridRow:
    label: str
    keys: tuple[str | None, ...]  # one per column; None where the row has no such column
    indent: bool = False  # a row under a group (（三）不予公开 …)


@dataclass(frozen=True, slots=True)
class Grid:
    section: str  # 二 / 三 / 四 / 其他
    caption: str
    cols: tuple[str, ...]
    rows: tuple[GridRow, ...]

    def cell_keys(self) -> Iterable[str]:
        return (k for row in self.rows for k in row.keys if k)


def template_grids(template: str | None, present: Iterable[str]) -> list[Grid]:
    """The grids of ``template`` (a ``reports.template`` value); none for a template whose
    tables are not mapped. ``present``: the report's cell keys (which optional rows it has)."""
    spec = registry.get(template or "")
    if spec is None or not spec.mapped:
        return []
    return _mapped(spec, set(present))


def leftover_grids(grids: list[Grid], cells: Iterable[Mapping[str, Any]]) -> list[Grid]:
    """Grids of the cells outside ``grids``, one per table, rows and columns in the order
    their labels first appear."""
    placed = {k for g in grids for k in g.cell_keys()}
    by_table: dict[str, list[Mapping[str, Any]]] = {}
    for cell in cells:
        if cell["key"] not in placed:
            by_table.setdefault(str(cell["table"]), []).append(cell)
    return [_from_cells(table, found) for table, found in by_table.items()]


def _mapped(spec: registry.TemplateSpec, present: set[str]) -> list[Grid]:
    grids = [Grid("二", block.caption, tuple(c.label for c in block.cols),
                  tuple(GridRow(r.label, tuple(cell_key(spec.s2_table, r.key, c.key)
                                               for c in block.cols)) for r in block.rows))
             for block in spec.s2_blocks]
    s3_rows = tuple(
        GridRow(r.label, tuple(cell_key("s3", r.key, c.key) for c in T.S3_COLS), bool(r.group))
        for r in T.S3_ALL_ROWS
        if r.key not in OPTIONAL_S3_ROWS or registry.has_row(present, "s3", r.key))
    grids.append(Grid("三", "收到和处理政府信息公开申请情况", tuple(c.label for c in T.S3_COLS),
                      s3_rows))
    grids.append(Grid("四", "政府信息公开行政复议、行政诉讼情况",
                      tuple(o.label for o in T.S4_OUTCOMES),
                      tuple(GridRow(g.label, tuple(cell_key("s4", g.key, o.key)
                                                   for o in T.S4_OUTCOMES))
                            for g in T.S4_GROUPS)))
    return grids


def _from_cells(table: str, cells: list[Mapping[str, Any]]) -> Grid:
    rows = list(dict.fromkeys(str(c["row_label"] or c["row"]) for c in cells))
    cols = list(dict.fromkeys(str(c["col_label"] or c["col"]) for c in cells))
    at = {(str(c["row_label"] or c["row"]), str(c["col_label"] or c["col"])): str(c["key"])
          for c in cells}
    return Grid("其他", f"{table}: rows outside the template" if table == "extra" else table,
                tuple(cols), tuple(GridRow(r, tuple(at.get((r, c)) for c in cols)) for r in rows))
