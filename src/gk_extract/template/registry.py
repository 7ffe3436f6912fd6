"""The report templates as a registry: which template a report follows, and its cell keys.

Each national format is one :class:`TemplateSpec` (report-format.md §0): the years it
applies to, the printed labels that identify it whatever year is printed, and the tables
of its own (section 二; sections 三 and 四 are shared by the mapped formats, spec.py).
Adding a template year is one :func:`register` call; the matcher, the checks and the
display look templates up here and never by name.

:func:`cell_key` is the only place a cell key is spelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gk_extract.template import spec as T

# Sentinel years for a template whose range is open at one end.
FIRST_YEAR = 1
LAST_YEAR = 9999
KEY_SEPARATOR = "__"  # between a cell key's row half and its column half


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """One report format: its name (``reports.template``), years, signs and own tables."""

    name: str
    years: tuple[int, int]  # first and last reported year the format applies to
    signs: tuple[str, ...] = ()  # labels that identify the format regardless of the year
    mapped: bool = True  # its tables are mapped onto template cells (and checked)
    s2_table: str = "s2"  # the key table of its section 二
    s2_blocks: tuple[T.BlockSpec, ...] = ()
    s2_words: tuple[str, ...] = ()  # printed words that mark a table as its section 二

    def covers(self, year: int | None) -> bool:
        return year is not None and self.years[0] <= year <= self.years[1]

    def s2_rows(self) -> tuple[T.RowSpec, ...]:
        return tuple(r for b in self.s2_blocks for r in b.rows)

    def s2_cols(self) -> tuple[T.ColSpec, ...]:
        return tuple({c.key: c for b in self.s2_blocks for c in b.cols}.values())

    def keys(self) -> tuple[str, ...]:
        """Every cell key of the format's own tables, in template order."""
        return tuple(cell_key(self.s2_table, r.key, c.key) for b in self.s2_blocks
                     for r in b.rows for c in b.cols)


TEMPLATES: dict[str, TemplateSpec] = {}


def cell_key(table: str, row: str, col: str) -> str:
    """The key of one template cell, e.g. ``s3_new_received__natural_person``."""
    return f"{table}_{row}{KEY_SEPARATOR}{col}"


def key_row(key: str, table: str) -> str | None:
    """The row half of ``key`` when the key belongs to ``table``, else None."""
    head, sep, _ = key.partition(KEY_SEPARATOR)
    prefix = table + "_"
    return head[len(prefix):] if sep and head.startswith(prefix) else None


def has_row(keys: Iterable[str], table: str, row: str) -> bool:
    """Whether any of ``keys`` (an iterable of cell keys) is a cell of ``table``'s ``row``."""
    start = cell_key(table, row, "")
    return any(k.startswith(start) for k in keys)


def register(template: TemplateSpec) -> TemplateSpec:
    """Add a template; its name must be new. Later templates are tried after earlier ones."""
    if template.name in TEMPLATES:
        raise ValueError(f"template {template.name!r} is already registered")
    TEMPLATES[template.name] = template
    return template


def unregister(name: str) -> None:
    del TEMPLATES[name]


def get(name: str) -> TemplateSpec | None:
    return TEMPLATES.get(name)


def newest() -> TemplateSpec:
    """The mapped template covering the latest years: the default for an undated report."""
    return max((t for t in TEMPLATES.values() if t.mapped), key=lambda t: t.years[1])


def mapped() -> list[TemplateSpec]:
    return [t for t in TEMPLATES.values() if t.mapped]


def unmapped() -> list[TemplateSpec]:
    return [t for t in TEMPLATES.values() if not t.mapped]


def all_keys() -> tuple[str, ...]:
    """Every cell key a mapped template may produce, each once, in template order: the
    section 二 keys of each template, then sections 三 and 四 (which all mapped ones share)."""
    s2 = [key for template in mapped() for key in template.keys()]  # noqa: SIM118
    s3 = [cell_key("s3", r.key, c.key) for r in T.S3_ALL_ROWS for c in T.S3_COLS]
    s4 = [cell_key("s4", g.key, o.key) for g in T.S4_GROUPS for o in T.S4_OUTCOMES]
    return tuple(dict.fromkeys(s2 + s3 + s4))


def all_s2_words() -> tuple[str, ...]:
    return tuple(w for t in TEMPLATES.values() for w in t.s2_words)


def all_s2_rows() -> tuple[T.RowSpec, ...]:
    """The section 二 rows of every registered template, each key once."""
    return tuple({r.key: r for t in TEMPLATES.values() for r in t.s2_rows()}.values())


register(TemplateSpec("2021", (2021, LAST_YEAR), T.SIGNS_2021, s2_table="s2", s2_blocks=T.S2_2021,
                      s2_words=("制发件数", "处理决定", "收费金额")))
register(TemplateSpec("2019", (2019, 2020), T.SIGNS_2019, s2_table="s2v19", s2_blocks=T.S2_2019,
                      s2_words=("新制作", "上一年项目", "集中采购")))
register(TemplateSpec("2014", (2014, 2018), T.SIGNS_2014, mapped=False))
register(TemplateSpec("legacy", (FIRST_YEAR, 2013), mapped=False))
