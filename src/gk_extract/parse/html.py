"""HTML article pages -> :class:`~gk_extract.models.Document`.

The cascade is: decode the bytes ourselves (HTTP charset, BOM, ``<meta>``, UTF-8, GB18030),
parse with libxml2 through lxml, find the article body among the site chrome by a score,
then walk the body in reading order emitting paragraphs and span-aware tables.

Reference conventions (stable across runs of the same bytes):

* ``Paragraph.ref`` is ``p{n}``: the 1-based index of the paragraph among the document's
  paragraphs.
* ``Table.ref`` is ``table{t}``: the 1-based index of the data table among the document's
  tables, so ``doc.tables[t - 1].ref == f"table{t}"``. Layout tables get no number.
* ``Cell.ref`` is ``table{t} r{row} c{col}`` where row/col are the 0-based grid coordinates
  of the origin slot, i.e. exactly ``Cell.row`` and ``Cell.col``.

Tables are laid out with the HTML table algorithm (slots covered by a rowspan from above are
skipped), then the grid keeps only the rows and columns where some cell starts: those are the
real boundaries, and junk spans (``colspan="50"``) cannot widen the table.

Nothing here knows about annual reports except the body-selection score, which looks for the
six section headings because that is what distinguishes the report from the page around it.
"""

from __future__ import annotations

import codecs
import logging
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias, cast

from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.models import Block, Cell, Document, Paragraph, Table
from gk_extract.parse._text import clean_line

logger = logging.getLogger(__name__)

Element: TypeAlias = etree._Element

# --------------------------------------------------------------------------- limits

# The largest real report page we have seen is ~370 KB; an archived page with inline images
# as data: URIs can reach a few MB. 32 MB is far beyond any page and keeps memory bounded.
MAX_INPUT_BYTES = 32 * 1024 * 1024
# pt2021's whole archived page has 2,161 elements; 100x that is no article page, and walking
# it in Python would take seconds before another limit fired.
MAX_ELEMENTS = 200_000
# A report's tables hold ~600 cells in all; a page with more than this is a data dump or an
# attack, and building Cell objects for it would only waste the batch's time.
MAX_CELLS_PER_DOCUMENT = 50_000
# HTML allows colspan up to 1000; report tables are at most ~16 columns wide and the 2021
# template's tallest rowspan is 22, so 100 keeps every real span and bounds junk.
MAX_SPAN = 100
# Cells starting beyond this column are dropped (with a warning); real tables are <= 16 wide.
MAX_TABLE_COLS = 256
# libxml2 stops nesting at depth 256; real pages reach ~30 (pt2021: 25). Below this depth the
# walker flattens the subtree's text, so its recursion (three frames per level) stays far
# inside Python's limit of 1000 frames even when called from deep in a pipeline.
MAX_WALK_DEPTH = 120

# --------------------------------------------------------------------------- decoding

# Browsers prescan 1 KB; TRS/Word pages put 20+ <meta name=...> and long comments first, so
# the charset declaration can sit further down. 4 KB found it on every sample.
META_SNIFF_BYTES = 4096
# Control bytes (other than tab/newline/CR/FF/ESC) practically never occur in HTML or text;
# PDF streams, OLE and ZIP containers are 10-40 % control bytes. 1 % separates them cleanly.
BINARY_CONTROL_RATIO = 0.01
BINARY_SAMPLE_BYTES = 65536

# fmt: off
_GB_LABELS = frozenset({
    "gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "windows-936",
    "euc-cn", "x-euc-cn", "csgb2312", "chinese", "gb18030",
})
# fmt: on
# Servers and HTTP clients default to Latin-1 when nobody configured a charset; no Chinese
# report is written in a single-byte Western encoding, so such a declaration is ignored.
_UNTRUSTED_CODECS = frozenset({"iso8859-1", "ascii", "cp1252"})
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.IGNORECASE
)
_CONTROL_BYTES = bytes([*range(9), 11, *range(14, 27), *range(28, 32)])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode an HTML page: BOM, HTTP charset, ``<meta>`` charset, UTF-8, then GB18030.

    A declared charset that fails to decode strictly falls through to the next step; the
    last resort is GB18030 with replacement characters. Raises :class:`ParseError` for empty
    input or bytes that are clearly binary.
    """
    return _decode(data, http_charset)[0]


def _decode(data: bytes, http_charset: str | None) -> tuple[str, str]:
    """The decoded text and the codec that produced it."""
    bom = _bom_codec(data)
    if not data.strip():
        raise ParseError("empty HTML input")
    if bom not in ("utf-16", "utf-32") and not _is_wide_codec(http_charset):
        _reject_binary(data)
    for codec in _codec_cascade(data, bom, http_charset):
        try:
            return data.decode(codec).lstrip("\ufeff"), codec
        except (UnicodeDecodeError, LookupError):
            logger.debug("charset %s does not decode the page; trying the next", codec)
    return data.decode("gb18030", errors="replace"), "gb18030"


def _codec_cascade(data: bytes, bom: str | None, http_charset: str | None) -> Iterator[str]:
    """Codecs to try in order. The BOM goes first: it is evidence in the bytes themselves."""
    declared = [_normalise_charset(http_charset), _normalise_charset(_meta_charset(data))]
    if "gb18030" in declared and _is_multibyte_utf8(data):
        # CMS migrations leave `charset=gb2312` on pages now served as UTF-8; GBK text of any
        # length is essentially never valid UTF-8, so valid multibyte UTF-8 wins.
        declared.insert(0, "utf-8")
    seen: set[str] = set()
    for codec in (bom, *declared, "utf-8", "gb18030"):
        if codec and codec not in seen:
            seen.add(codec)
            yield codec


def _normalise_charset(label: str | None) -> str | None:
    """Python codec name for a declared charset; GB family -> gb18030; junk -> None."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("gbk", "gb2312"):
        return "gb18030"
    return None if name in _UNTRUSTED_CODECS else name


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:META_SNIFF_BYTES])
    if match is None:
        return None
    label = match.group(1).decode("ascii")
    # WHATWG: a page cannot declare UTF-16 in its own ASCII-compatible bytes; it means UTF-8.
    return "utf-8" if label.lower().startswith(("utf-16", "utf-32")) else label


def _bom_codec(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _is_wide_codec(label: str | None) -> bool:
    name = _normalise_charset(label) or ""
    return name.startswith(("utf-16", "utf-32"))


def _is_multibyte_utf8(data: bytes) -> bool:
    try:
        return len(data.decode("utf-8")) < len(data)
    except UnicodeDecodeError:
        return False


def _reject_binary(data: bytes) -> None:
    sample = data[:BINARY_SAMPLE_BYTES]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if controls > BINARY_CONTROL_RATIO * len(sample):
        raise ParseError(f"not HTML: {controls} control bytes in the first {len(sample)}")


# --------------------------------------------------------------------------- tree, meta, title

# Elements whose content is never printed text of the article.
# fmt: off
_DROPPED_TAGS = (
    "script", "style", "noscript", "template", "select", "button", "textarea", "iframe",
    "object", "embed", "svg", "canvas",
)
# fmt: on
_TITLE_CLASSES = frozenset({"article_title", "article-title"})
# `标题_栏目_站点`, `标题 - 站点`, `标题|站点`; a hyphen between digits (2021-2022) is kept.
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-–—－]\s|(?<![0-9])[-－](?![0-9]))")


def parse_html(data: bytes, *, http_charset: str | None = None) -> Document:
    """Parse an HTML page into a Document holding the article body's blocks."""
    if len(data) > MAX_INPUT_BYTES:
        raise ParseError(f"HTML input too large: {len(data)} bytes")
    root = _parse_tree(_utf8_payload(data, http_charset))
    meta = _collect_meta(root)
    title = _find_title(root, meta)
    body, warnings = _select_body(root)
    walker = _BodyWalker()
    walker.walk(body, bold=False, depth=0)
    walker.flush()
    return Document(
        format="html",
        blocks=tuple(walker.blocks),
        title=title,
        meta=meta,
        warnings=tuple(warnings + walker.warnings),
        images=tuple(walker.images),
    )


def _utf8_payload(data: bytes, http_charset: str | None) -> bytes:
    """The page as UTF-8 bytes for libxml2, which we tell the encoding explicitly so that it
    ignores in-page declarations (already weighed by :func:`decode_html`).

    Pages that already are UTF-8 go through untouched: re-encoding 370 KB costs ~1 ms.
    NULs are dropped because libxml2 stops reading text at them.
    """
    text, codec = _decode(data, http_charset)
    if codec in ("utf-8", "utf-8-sig") and b"\x00" not in data:
        return data[3:] if codec == "utf-8-sig" else data
    return text.replace("\x00", "").encode("utf-8", errors="replace")


def _parse_tree(payload: bytes) -> Element:
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
    )
    try:
        root = etree.fromstring(payload, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise ParseError(f"unparseable HTML: {exc}") from exc
    if root is None:
        raise ParseError("HTML input has no elements")
    etree.strip_elements(root, *_DROPPED_TAGS, with_tail=False)
    n_elements = int(cast(float, root.xpath("count(//*)")))  # in C: ~0.1 ms on a real page
    if n_elements > MAX_ELEMENTS:
        raise ParseError(f"{n_elements} HTML elements; more than {MAX_ELEMENTS}, not an article")
    return root


def _collect_meta(root: Element) -> dict[str, str]:
    """``<meta name content>`` pairs under their original names; first non-empty value wins."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name, content = (el.get("name") or "").strip(), el.get("content")
        if name and content is not None and not meta.get(name):
            meta[name] = clean_line(content)
    return meta


def _find_title(root: Element, meta: dict[str, str]) -> str | None:
    for name, value in meta.items():
        if name.lower() == "articletitle" and value:
            return value
    for el in _title_elements(root):
        text = clean_line(_text_of(el))
        if text:
            return text
    title = root.find(".//title")
    if title is None:
        return None
    parts = [p for p in _TITLE_SUFFIX.split(clean_line(_text_of(title))) if p]
    return parts[0] if parts else None


def _title_elements(root: Element) -> Iterator[Element]:
    """Visible title elements: `.article_title` / `.article-title` first, then <h1>."""
    yield from _elements_with_class(root, _TITLE_CLASSES)
    yield from root.iter("h1")


def _elements_with_class(root: Element, names: frozenset[str]) -> list[Element]:
    """Elements having one of the class ``names``, in document order.

    Found from the attribute values, which lxml returns as "smart" strings knowing their
    element: XPath ``contains(@class, ...)`` over a 370 KB page costs ~15 ms, this ~0.3 ms.
    """
    values = cast("list[Any]", root.xpath("//@class"))
    return [v.getparent() for v in values if not names.isdisjoint(v.split())]


def _text_of(el: Element) -> str:
    """All text under ``el`` (not its tail); the C serializer is ~20x faster than itertext."""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text


# --------------------------------------------------------------------------- body selection

# fmt: off
CONTAINER_SELECTORS = (
    "#ivs_content", "#webeditorview", ".webeditorview", ".TRS_Editor", ".trs_editor",
    ".trs_editor_view", ".Custom_UnionStyle", "#zoom", "#Zoom", "#article", "#articleContent",
    ".article-content", ".article_content", ".detail-content", ".xxgk_content", ".zw-content",
    ".zfxxgk_zw_content", "td#td_DocContent", "#Content", ".main-content",
)
# fmt: on
# Section headings as printed (一、总体情况 …) or shortened to the number and a keyword.
SECTION_KEYWORDS = {
    "一": ("总体情况", "概述", "基本情况"),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请"),
    "四": ("复议", "诉讼"),
    "五": ("问题", "改进"),
    "六": ("其他需要报告", "其他需报告", "其他事项"),
}
# Characters allowed between `四、` and its keyword: `四、因政府信息公开申请提起行政复议` has 13.
HEADING_KEYWORD_GAP = 14
# fmt: off
NOISE_WORDS = (
    "首页", "当前位置", "打印", "关闭", "网站地图", "ICP备", "版权所有", "友情链接",
    "主办单位", "联系我们", "网站标识码", "公网安备", "上一篇", "下一篇", "无障碍",
    "分享到", "收藏",
)
# fmt: on
# Weights: six headings (60) must beat any amount of text (<= 10), a data table (8) is the
# next best evidence; each distinct chrome word costs 4 so that <body> (typically 8+ noise
# words) loses to the article container holding the same headings and tables.
HEADING_WEIGHT = 10.0
TABLE_WEIGHT = 8.0
SELECTOR_BONUS = 3.0
NOISE_WEIGHT = 4.0
TEXT_UNIT_CHARS = 500
TEXT_SCORE_CAP = 10.0
# A generic candidate needs this many direct <p> children: fewer is a sidebar or a footer.
MIN_P_CHILDREN = 5
# Wrappers above the lowest element holding every data table that are still candidates: the
# report's text may sit in a sibling of the tables' wrapper (two levels seen in TRS pages).
LEVELS_ABOVE_TABLES = 2
# A <table> with fewer cells is a layout strip (date line, buttons), not report data.
MIN_DATA_TABLE_CELLS = 4

_HEADING_PATTERNS = {
    number: re.compile(f"{number}、[^、。；]{{0,{HEADING_KEYWORD_GAP}}}?(?:{'|'.join(words)})")
    for number, words in SECTION_KEYWORDS.items()
}
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


def _select_body(root: Element) -> tuple[Element, list[str]]:
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
    """Elements matching CONTAINER_SELECTORS (see :func:`_elements_with_class` on speed)."""
    matches = _elements_with_class(root, _SELECTOR_CLASSES)
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
    compact = "".join(_text_of(el).split())
    headings = frozenset(n for n, pattern in _HEADING_PATTERNS.items() if pattern.search(compact))
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


_SELECTOR_IDS, _SELECTOR_CLASSES, _SELECTOR_TAG_IDS = _parse_selectors(CONTAINER_SELECTORS)
_DATA_TABLE_XPATH = f"//table[not(.//table)][count(.//td | .//th) >= {MIN_DATA_TABLE_CELLS}]"


# --------------------------------------------------------------------------- reading-order walk

# fmt: off
_BLOCK_TAGS = frozenset({
    "html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl",
    "dt", "dd", "section", "article", "blockquote", "header", "footer", "nav", "aside", "main",
    "center", "pre", "address", "figure", "figcaption", "table", "caption", "thead", "tbody",
    "tfoot", "tr", "td", "th", "form", "fieldset", "legend", "details", "summary",
})
# fmt: on
_BREAK_TAGS = frozenset({"br", "hr"})
_LINE_CUT_TAGS = _BLOCK_TAGS | _BREAK_TAGS
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD_TAGS = frozenset({"strong", "b"})
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
# Real pages hold ~100 paragraphs; more than this is junk we refuse rather than slowly build.
MAX_BLOCKS_PER_DOCUMENT = 100_000
# The longest label in the report templates is ~45 characters and notes under a table run to
# ~200; a cell holding more is running article text, i.e. the table only positions the page.
LONG_CELL_CHARS = 400


class _BodyWalker:
    """Walks the article body in reading order, emitting Paragraph and Table blocks.

    Text accumulates into a run until a block element or ``<br>`` cuts it; each non-empty run
    becomes a paragraph. Data tables become :class:`Table` blocks; layout tables are walked
    like any other block so that their content comes out in order.
    """

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[str] = []
        self.warnings: list[str] = []
        self._pieces: list[str] = []
        self._has_bold = False
        self._has_plain = False
        self._heading_depth = 0
        self._n_paragraphs = 0
        self._n_tables = 0
        self._n_cells = 0

    def walk(self, el: Element, bold: bool, depth: int) -> None:
        tag = el.tag
        if tag.__class__ is not str:  # entities and the like; their tail is read by the caller
            return
        if tag in _BREAK_TAGS:
            self.flush()
        elif tag == "head":  # only reached when a page has no <body>; meta/title read apart
            return
        elif tag == "img":
            _add_image(el, self.images)
        elif tag != "table" or not self._on_table(el, depth):
            self._walk_element(el, tag, bold, depth)

    def flush(self) -> None:
        """End the current run of text: emit it as a paragraph unless it is blank."""
        if not self._pieces:
            return
        text = clean_line("".join(self._pieces))
        heading = self._heading_depth > 0 or (self._has_bold and not self._has_plain)
        self._pieces.clear()
        self._has_bold = self._has_plain = False
        if text:
            self._n_paragraphs += 1
            self.blocks.append(Paragraph(text=text, ref=f"p{self._n_paragraphs}", heading=heading))
            self._check_size()

    def _walk_element(self, el: Element, tag: str, bold: bool, depth: int) -> None:
        block = tag in _BLOCK_TAGS
        heading = tag in _HEADING_TAGS
        if block:
            self.flush()
        self._heading_depth += heading
        self._walk_contents(el, bold or tag in _BOLD_TAGS or _has_bold_style(el), depth)
        if block:
            self.flush()
        self._heading_depth -= heading

    def _walk_contents(self, el: Element, bold: bool, depth: int) -> None:
        if depth >= MAX_WALK_DEPTH:
            self._add(_text_of(el), bold)
            return
        if el.text:
            self._add(el.text, bold)
        for child in el:
            self.walk(child, bold, depth + 1)
            if child.tail:
                self._add(child.tail, bold)

    def _add(self, text: str, bold: bool) -> None:
        self._pieces.append(text)
        if not text.isspace():
            if bold:
                self._has_bold = True
            else:
                self._has_plain = True

    def _on_table(self, el: Element, depth: int) -> bool:
        """Emit a data table and return True; False means "walk it as ordinary blocks"."""
        rows = _table_rows(el)
        self._n_cells += sum(map(len, rows))
        self._check_size()
        if el.find(".//table") is not None:  # a table of tables only positions them
            return False
        images: list[str] = []
        readers = [[_read_cell(td, images, depth) for td in row] for row in rows]
        if _is_layout(readers):
            return False
        self.flush()
        for caption in el.iterchildren("caption"):
            self.walk(caption, False, depth + 1)
        self.images.extend(images)
        self._emit_table(rows, readers)
        return True

    def _emit_table(self, rows: list[list[Element]], readers: list[list[_CellReader]]) -> None:
        number = self._n_tables + 1
        slots, dropped = _place(rows)
        if dropped:
            self.warnings.append(
                f"table{number}: {dropped} cells beyond column {MAX_TABLE_COLS} dropped"
            )
        text_at = {
            id(td): readers[r][i].text() for r, row in enumerate(rows) for i, td in enumerate(row)
        }
        if not any(text_at[id(slot.element)] for slot in slots):
            return  # an empty frame carries nothing
        self._n_tables = number
        self.blocks.append(_make_table(slots, text_at, f"table{number}"))

    def _check_size(self) -> None:
        if self._n_cells > MAX_CELLS_PER_DOCUMENT:
            raise ParseError(f"more than {MAX_CELLS_PER_DOCUMENT} table cells; not a report page")
        if len(self.blocks) > MAX_BLOCKS_PER_DOCUMENT:
            raise ParseError(f"more than {MAX_BLOCKS_PER_DOCUMENT} blocks; not an article page")


def _has_bold_style(el: Element) -> bool:
    style = el.get("style")
    return style is not None and "weight" in style and _BOLD_STYLE.search(style) is not None


def _add_image(el: Element, images: list[str]) -> None:
    src = (el.get("src") or el.get("data-src") or "").strip()
    if src:
        images.append(src)


class _CellReader:
    """The text of one table cell as lines: blocks, ``<br>`` and nested tables cut lines.

    This is the hot path of the parser (a report has ~600 cells of 3-8 elements each), hence
    one method call per element and no bold/heading bookkeeping beyond "has an <h*>".
    """

    __slots__ = ("_pieces", "has_heading", "images", "lines")

    def __init__(self, images: list[str]) -> None:
        self.lines: list[str] = []
        self.images = images
        self.has_heading = False
        self._pieces: list[str] = []

    def read(self, el: Element, depth: int) -> None:
        if el.text:
            self._pieces.append(el.text)
        for child in el:
            tag = child.tag
            if tag in _LINE_CUT_TAGS:
                self.has_heading |= tag in _HEADING_TAGS
                self.cut()
                self._read_child(child, depth)
                self.cut()
            elif tag == "img":
                _add_image(child, self.images)
            elif tag.__class__ is str:
                self._read_child(child, depth)
            if child.tail:
                self._pieces.append(child.tail)

    def cut(self) -> None:
        if self._pieces:
            line = clean_line("".join(self._pieces))
            self._pieces.clear()
            if line:
                self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)

    def _read_child(self, child: Element, depth: int) -> None:
        if depth < MAX_WALK_DEPTH:
            self.read(child, depth + 1)
        else:
            self._pieces.append(_text_of(child))


def _read_cell(td: Element, images: list[str], depth: int) -> _CellReader:
    reader = _CellReader(images)
    reader.read(td, depth + 1)
    reader.cut()
    return reader


def _is_layout(cells: list[list[_CellReader]]) -> bool:
    """A table whose cells hold running text, or a heading with text, only lays out the page.

    A one-cell table is a framed paragraph. A lone heading in a cell is not enough: reports
    put the section title in a data table's first row.
    """
    flat = [cell for row in cells for cell in row]
    if len(flat) <= 1:
        return True
    return any(
        sum(map(len, cell.lines)) > LONG_CELL_CHARS or (cell.has_heading and len(cell.lines) > 1)
        for cell in flat
    )


def _table_rows(table: Element) -> list[list[Element]]:
    """This table's rows (not nested tables'), header group first and footer group last."""
    head: list[list[Element]] = []
    body: list[list[Element]] = []
    foot: list[list[Element]] = []
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table"), None) is not table:
            continue
        parent = tr.getparent()
        group = parent.tag if parent is not None else ""
        cells = [c for c in tr if c.tag in ("td", "th")]
        (head if group == "thead" else foot if group == "tfoot" else body).append(cells)
    return head + body + foot


# --------------------------------------------------------------------------- grid placement


class _Slot(NamedTuple):
    row: int
    col: int
    rowspan: int
    colspan: int
    element: Element


# HTML's "rules for parsing non-negative integers", plus the quotes that broken generators
# leave inside the value: '2 ' -> 2, '"3"' -> 3, '+4' -> 4; '-1', 'abc', '' fail.
_SPAN_VALUE = re.compile(r"\s*[\"']?\s*\+?([0-9]+)")


def _span(raw: str | None) -> int:
    """A rowspan/colspan attribute read leniently; junk or 0 -> 1, huge -> ``MAX_SPAN``."""
    match = _SPAN_VALUE.match(raw) if raw else None
    if match is None:
        return 1
    return min(max(int(match.group(1)[:6]), 1), MAX_SPAN)


def _place(rows: list[list[Element]]) -> tuple[list[_Slot], int]:
    """The HTML table algorithm: each cell takes the first slot no rowspan from above covers.

    Returns the placed cells and how many were dropped beyond ``MAX_TABLE_COLS``.
    """
    busy_until: list[int] = []  # per column: the first row no longer covered from above
    slots: list[_Slot] = []
    dropped = 0
    for r, cells in enumerate(rows):
        c = 0
        for td in cells:
            while c < len(busy_until) and busy_until[c] > r:
                c += 1
            if c >= MAX_TABLE_COLS:
                dropped += 1
                continue
            rowspan = _span(td.get("rowspan"))
            colspan = min(_span(td.get("colspan")), MAX_TABLE_COLS - c)
            if len(busy_until) < c + colspan:
                busy_until.extend([0] * (c + colspan - len(busy_until)))
            busy_until[c : c + colspan] = [r + rowspan] * colspan
            slots.append(_Slot(r, c, rowspan, colspan, td))
            c += colspan
    return slots, dropped


def _make_table(slots: list[_Slot], text_at: dict[int, str], ref: str) -> Table:
    """Cells on a grid of only the rows and columns where some cell starts.

    A column (or row) where no cell starts is covered by spans alone and marks no boundary,
    so dropping it loses nothing; this is what clamps junk spans to the table's real size:
    ``colspan="50"`` in a 4-column table, a rowspan into trailing empty ``<tr>``s.
    """
    rows = sorted({s.row for s in slots})
    cols = sorted({s.col for s in slots})
    cells = []
    for s in slots:
        row, rowspan = _squeeze(rows, s.row, s.rowspan)
        col, colspan = _squeeze(cols, s.col, s.colspan)
        cells.append(
            Cell(
                row=row,
                col=col,
                text=text_at[id(s.element)],
                rowspan=rowspan,
                colspan=colspan,
                ref=f"{ref} r{row} c{col}",
                method="html",
            )
        )
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=len(cols), ref=ref)


def _squeeze(starts: list[int], start: int, span: int) -> tuple[int, int]:
    """Position and span of a cell once only the ``starts`` lines are kept."""
    first = bisect_left(starts, start)
    return first, bisect_left(starts, start + span, first) - first
