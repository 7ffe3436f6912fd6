"""Statistics tables of the years before 2019, read as ``legacy`` rows.

The 2014–2018 reports append the national 《政府信息公开情况统计表》 (``统计指标 | 单位 |
统计数``); earlier years print local tables of their own. Neither maps onto the 2021
template, so each printed row is kept as it is: its label, its unit, the value of each
column, under a key that is a slug of the label (prefixed with the number of the part it
stands in, since 其他情形数 appears under both 行政复议 and 行政诉讼). That lets one agency be
followed through the old years. A row means a 2021 cell only in the few cases where the two
certainly count the same thing; ``maps_to`` then names the 2021 key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import regex

from gk_extract.models import Cell, CellValue, Table, Value
from gk_extract.normalize.numbers import parse_value
from gk_extract.normalize.text import squash, tidy
from gk_extract.template.registry import cell_key

# A header cell naming the label column, the unit column, a value column.
_LABEL_HEAD = regex.compile(r"^(?:统计指标|指标名称|指标|项目|统计项目|内容)$")
_UNIT_HEAD = regex.compile(r"^(?:计量)?单位$")
# A part of the table: 一、依申请公开情况; its rows (（一）, 1., 其中：) stand under it.
_PART = regex.compile(r"^([一二三四五六七八九十]{1,3})[、.．]")
_ENUMERATOR = regex.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、]"
    r"|其中[：:]?)+")
_NOT_SLUG = regex.compile(r"[^\p{Han}\p{L}\p{N}]+")
# A printed unit at the end of a label: 收到申请数（件）.
_UNIT_IN_LABEL = regex.compile(r"[（(](条|件|次|篇|个|人|万元|元|场|期|人次)[）)]$")
# Longest label slug kept in a key.
MAX_SLUG = 40

# Rows of the 统计表 that certainly count what a 2021 cell counts: (part, label) -> key.
CERTAIN_MEANINGS: dict[tuple[str, str], str] = {
    ("三", "收到申请数"): cell_key("s3", "new_received", "total"),
    ("四", "行政复议数量"): cell_key("s4", "review", "total"),
    ("四", "维持具体行政行为数"): cell_key("s4", "review", "upheld"),
    ("四", "被依法纠错数"): cell_key("s4", "review", "corrected"),
}


def legacy_cells(tables: Iterable[Table], table_name: str) -> list[CellValue]:
    """Every row of the statistics tables among ``tables`` as cells of ``table_name``
    (``stat2014`` or ``legacy``); tables that are no statistics table give none."""
    found: dict[str, CellValue] = {}
    for table in tables:
        for cell in _read(table, table_name):
            found.setdefault(cell.key, cell)
    return list(found.values())


def _read(table: Table, table_name: str) -> list[CellValue]:
    rows = table.row_cells()
    head = _header(rows)
    if head is None:
        return []
    at, label_col, unit_col, value_cols = head
    part = ""
    found: list[CellValue] = []
    for cells in rows[at + 1:]:
        by_col = {c.col: c for c in cells}
        label_cell = by_col.get(label_col)
        label = tidy(label_cell.text) if label_cell else ""
        if not label:
            continue
        flat = squash(label)
        numbered = _PART.match(flat)
        part = numbered[1] if numbered else part
        name = _UNIT_IN_LABEL.sub("", _ENUMERATOR.sub("", flat)) or flat
        unit_cell = by_col.get(unit_col)
        unit = tidy(unit_cell.text) if unit_cell else None
        printed_unit = _UNIT_IN_LABEL.search(flat)
        unit = unit or (printed_unit[1] if printed_unit else None)
        row = f"{part}_{_slug(name)}" if part else _slug(name)
        printed = [by_col.get(col) for col, _ in value_cols]
        if not unit and not any(c is not None and c is not label_cell and tidy(c.text)
                                for c in printed):
            continue  # a part's heading, printing no value
        for col, header in value_cols:
            source = by_col.get(col)
            if source is None or source is label_cell:
                continue
            value = parse_value(source.text)
            found.append(CellValue(
                key=cell_key(table_name, row, header), table=table_name, row=row, col=header,
                row_label=label, col_label=header, value=_with_unit(value, unit),
                page=source.page, source_ref=source.ref, confidence=source.confidence,
                method=source.method, maps_to=CERTAIN_MEANINGS.get((part, name)),
                bbox=source.bbox))
    return found


def _header(rows: Sequence[Sequence[Cell]]
            ) -> tuple[int, int, int, list[tuple[int, str]]] | None:
    """The header row of a statistics table: its index, the label column, the unit column
    and each value column with its slug; None when the table has no such header."""
    for at, cells in enumerate(rows[:3]):
        texts = {c.col: squash(c.text) for c in cells}
        label = next((col for col, t in texts.items() if _LABEL_HEAD.match(t)), None)
        unit = next((col for col, t in texts.items() if _UNIT_HEAD.match(t)), None)
        if label is None or unit is None:
            continue
        values = [(col, t) for col, t in texts.items() if col not in (label, unit) and t]
        if not values:
            continue
        headers = [("value" if len(values) == 1 else _slug(t)) for _, t in values]
        return at, label, unit, [(col, h) for (col, _), h in zip(values, headers)]
    return None


def _with_unit(value: Value, unit: str | None) -> Value:
    return replace(value, unit=value.unit or unit) if unit else value


def _slug(text: str) -> str:
    return _NOT_SLUG.sub("", text)[:MAX_SLUG] or "row"
