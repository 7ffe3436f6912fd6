"""Which element holds the article: candidates scored on generic evidence of a document body.

Candidates are the containers the common CMS families use (:data:`gk_extract.cms.BODY_SELECTORS`),
generic containers with many direct ``<p>`` children, the wrappers of the page's data tables,
and ``<body>`` itself. Each is scored on what sets an official document apart from the site
chrome around it, whatever the document is: numbered section headings (``一、`` ``二、`` …),
data tables, text length; minus the distinct navigation words it contains. The best one is then
narrowed to the smallest candidate that still holds all its headings and tables.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from lxml import etree

from gk_extract.cms import BODY_SELECTORS
from gk_extract.parse.html.tree import elements_with_class, text_of

logger = logging.getLogger(__name__)

Element: TypeAlias = etree._Element

# fmt: off
NOISE_WORDS = (
    "首页", "当前位置", "打印", "关闭", "网站地图", "ICP备", "版权所有", "友情链接",
    "主办单位", "联系我们", "网站标识码", "公网安备", "上一篇", "下一篇", "无障碍",
    "分享到", "收藏",
)
# fmt: on
# Weights: a document's numbered sections (a report has six: 60) must beat any amount of
# text (<= 10), a data table (8) is the next best evidence; each distinct chrome word costs 4
# so that <body> (typically 8+ noise words) loses to the article container holding the same
# headings and tables.
HEADING_WEIGHT = 10.0
TABLE_WEIGHT = 8.0
SELECTOR_BONUS = 3.0
NOISE_WEIGHT = 4.0
TEXT_UNIT_CHARS = 500
TEXT_SCORE_CAP = 10.0
# A generic candidate needs this many direct <p> children: fewer is a sidebar or a footer.
MIN_P_CHILDREN = 5
# Wrappers above the lowest element holding every data table that are still candidates: the
# document's text may sit in a sibling of the tables' wrapper (two levels seen in TRS pages).
LEVELS_ABOVE_TABLES = 2
# A <table> with fewer cells is a layout strip (date line, buttons), not data.
MIN_DATA_TABLE_CELLS = 4

# A top-level section number as official documents print it: `一、` … `十二、` followed by the
# heading's words (whitespace is removed before matching). `第一、` and `（一）` do not count:
# the first is running text, the second a subsection. The same as
# `(?<![一…十第（(])([一…十]{1,3})、(?=…)`, with the look-behind moved after the first numeral:
# a pattern that starts with a character set lets the regex engine skip to the numerals, and
# finding them in a page's text costs a fifth as much.
_NUMBERED_HEADING = re.compile(
    r"([一二三四五六七八九十](?<![一二三四五六七八九十第（(].)[一二三四五六七八九十]{0,2})、"
    r"(?=[\u4e00-\u9fff])"
)
_GENERIC_TAGS = frozenset({"div", "td", "article", "section", "main"})


@dataclass(frozen=True, slots=True)
class _Candidate:
    element: Element
    headings: frozenset[str]
    tables: int
    text_len: int
    noise: int
    from_selector: bool

    @property
    def score(self) -> float:
        return (
            HEADING_WEIGHT * len(self.headings)
            + TABLE_WEIGHT * self.tables
            + min(self.text_len / TEXT_UNIT_CHARS, TEXT_SCORE_CAP)
            + SELECTOR_BONUS * self.from_selector
            - NOISE_WEIGHT * self.noise
        )

    def keeps(self, other: _Candidate) -> bool:
        """True when this candidate holds every heading and table ``other`` holds."""
        return self.headings >= other.headings and self.tables >= other.tables


def select_body(root: Element) -> tuple[Element, list[str]]:
    """The element holding the article: best score, then the smallest that keeps its content."""
    body = root.find("body")
    if body is None:
        body = root
    candidates = [
        _measure(el, tables, sel) for el, (tables, sel) in _candidates(root, body).items()
    ]
    best = max(candidates, key=lambda c: c.score)
    if best.score <= 0:
        return body, ["no article container scored; using <body>"]
    if best.headings:
        best = min((c for c in candidates if c.keeps(best)), key=lambda c: c.text_len)
    logger.debug(
        "article body: <%s class=%r id=%r> score %.1f",
        best.element.tag,
        best.element.get("class"),
        best.element.get("id"),
        best.score,
    )
    return best.element, []


def _candidates(root: Element, body: Element) -> dict[Element, tuple[int, bool]]:
    """Candidate containers -> (data tables inside, matched a known selector)."""
    selected = set(_selector_matches(root))
    tables = cast("list[Element]", root.xpath(_DATA_TABLE_XPATH))
    counts: dict[Element, int] = {}
    for table in tables:
        for ancestor in table.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    elements = [*selected, *_paragraph_holders(root), *_table_holders(tables, counts), body]
    return {el: (counts.get(el, 0), el in selected) for el in elements}


def _table_holders(tables: list[Element], counts: dict[Element, int]) -> list[Element]:
    """Generic containers holding data tables, up to a few levels above the lowest one that
    holds all of them: higher wrappers only add chrome, and measuring each costs ~0.1 ms on
    a big page (<body> is measured anyway)."""
    if not tables:
        return []
    holding_all = [a for a in tables[0].iterancestors() if counts[a] == len(tables)]
    too_high = set(holding_all[1 + LEVELS_ABOVE_TABLES :])
    return [el for el in counts if el.tag in _GENERIC_TAGS and el not in too_high]


def _selector_matches(root: Element) -> list[Element]:
    """Elements matching BODY_SELECTORS (see :func:`_elements_with_class` on speed)."""
    matches = elements_with_class(root, _SELECTOR_CLASSES)
    for el_id in cast("list[Any]", root.xpath("//@id")):
        el = el_id.getparent()
        if el_id in _SELECTOR_IDS or (el.tag, str(el_id)) in _SELECTOR_TAG_IDS:
            matches.append(el)
    return matches


def _paragraph_holders(root: Element) -> list[Element]:
    """Generic containers: div/td/article/section/main with many direct <p> children."""
    counts: dict[Element, int] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None and parent.tag in _GENERIC_TAGS:
            counts[parent] = counts.get(parent, 0) + 1
    return [el for el, n in counts.items() if n >= MIN_P_CHILDREN]


def _measure(el: Element, tables: int, from_selector: bool) -> _Candidate:
    compact = "".join(text_of(el).split())
    headings = frozenset(_NUMBERED_HEADING.findall(compact))
    noise = sum(word in compact for word in NOISE_WORDS)
    return _Candidate(el, headings, tables, len(compact), noise, from_selector)


def _parse_selectors(
    selectors: Iterable[str],
) -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]]:
    """Split the simple selectors above (``#id``, ``.class``, ``tag#id``) by kind."""
    ids: set[str] = set()
    classes: set[str] = set()
    tag_ids: set[tuple[str, str]] = set()
    for selector in selectors:
        match = re.fullmatch(r"(\w*)([#.])([\w-]+)", selector)
        if match is None:
            raise ValueError(f"unsupported container selector {selector!r}")
        tag, kind, name = match.groups()
        if kind == ".":
            classes.add(name)
        elif tag:
            tag_ids.add((tag, name))
        else:
            ids.add(name)
    return frozenset(ids), frozenset(classes), frozenset(tag_ids)


_SELECTOR_IDS, _SELECTOR_CLASSES, _SELECTOR_TAG_IDS = _parse_selectors(BODY_SELECTORS)
_DATA_TABLE_XPATH = f"//table[not(.//table)][count(.//td | .//th) >= {MIN_DATA_TABLE_CELLS}]"
