"""The template's tables rebuilt from positioned text lines, where no ruling drew them.

A borderless (or faint-lined) table reaches the template as lines of positioned words
(``Document.lines``). Cutting them into columns at wide gaps alone (``parse/layout``'s
``aligned`` fallback) cannot tell a wrapped label from a row, nor a header from the first
row. Knowing the template, this stage rebuilds each table as its rows and columns and hands
it to the same extraction as any other table (``template/tables.py``):

* section 三: its seven value columns are where the rows printing all seven values put
  them (the median centre of each, in printed order), else under the header that names all
  seven. The table runs from the first line naming a template row beside the values to the
  first line of prose after it. Each row is anchored on its own label cell: the label words
  reaching right of the group cells (``（三）``, ``不予公开`` stacked left of the labels name
  no row); a numbered line, or one naming another row, starts a cell, the lines under it
  continue it (wrapped labels, also over a page break). The value lines beside a cell are
  its row's, and a number wrapped over lines (``2,64`` over ``3``) is joined top to bottom.
  Rows are then named by their labels, as in a ruled table; a labelled row printing nothing
  is a row of blank cells;
* section 二: a line naming a template row of a block under that block's header (or under a
  row of the block) takes its values in printed order when it prints one per column, else
  on the centres of the header's columns (a header cell wrapped over lines read column by
  column);
* section 四: a line of values is a data row under the header lines above it, up to the
  title that names its group; its values in printed order when it prints five, ten or
  fifteen, else on the columns of its header's cells. A header with no row under it is a
  row printed blank.

A value is only placed where it lies on one column's centre: a value between two centres,
or two values on one centre, are left out (a missing cell, never a guessed one). Every cell
is ``method = "aligned"``, which ``doubt.py`` marks doubtful: its place comes from word
positions alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from statistics import median

import regex

from gk_extract.models import BBox, Cell, Document, Table, TextLine, Word
from gk_extract.normalize.numbers import VALUE_KINDS, parse_value
from gk_extract.normalize.text import squash
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.labels import best_match
from gk_extract.template.tables import Extraction, extract_s2, extract_s3, extract_s4

METHOD = "aligned"
_S3_SPECS = (*T.S3_ROWS, T.S3_OTHER_HANDLING)
# A value belongs to a column when its centre lies within this share of the narrowest
# column spacing from the column's centre: a centred value sits on it (within 0.1 of the
# spacing in LibreOffice prints), one between two columns is ambiguous and left out.
CENTRE_TOLERANCE = 0.3
# A label word joins the nearest row within this many line heights (a label wrapped over
# three lines beside a centred value is one line height away; a table's header further).
LABEL_REACH_LINES = 1.6
# Label words starting within this many em of each other are in one label column.
LABEL_COLUMN_EM = 1.0
# Lines around the rows naming section 三's labels searched for its wrapped labels and values.
SPAN_MARGIN_LINES = 3
# A label word reaching this far right of the group cells' right edge is a row's own label.
GROUP_SLACK_PT = 2.0
# Lines above a row of section 四 searched for the names of its groups (a group's name and
# the three lines of its outcome columns' header).
S4_HEADER_REACH = 5
# Header words at most this many em wide are the outcome cells' (维持, 尚未, 总计 wrapped at
# two to four glyphs a line); titles over groups are wider (行政复议 at 4 em is too).
S4_CELL_MAX_EM = 3.5
# ...or, where those make no whole group, this many (a four-glyph cell on one line).
S4_CELL_WIDE_EM = 4.5
# ...and it names at least this many of the five outcomes (their words may wrap apart).
S4_HEADER_MIN_OUTCOMES = 3
# Lines above section 三's first row searched for its header (seven lines in LibreOffice
# prints: the header's cells wrap over up to four lines, with notes beside them).
S3_HEADER_REACH = 8
# Lines read together by stacked_text: a header cell wraps over three lines at most.
STACK_LINES = 3
# The first header cell of each block of section 二.
_S2_HEADER = "信息内容"
# The caption over each block of section 二 (第二十条第（一）项): no header line.
_S2_CAPTION = "第二十条"
# A value wrapped in a narrow column: a number piece above, digits below (tables.py's rule).
_NUMBER_PIECE = regex.compile(r"^[+\-]?\d[\d,，.．]*$")
_DIGITS = regex.compile(r"^\d[\d,，.．]*$")
_HAN = regex.compile(r"\p{Han}")
# A bracketed note after a value: 5（其中修订1件）
_NOTE = regex.compile(r"[（(][^（()）]*[）)]")
# A squashed label line that starts a row's label: (三) 四、 1. 2、
_NUMBERING = regex.compile(r"^(?:\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、.,]|\d{1,2}[、.,．])")


def aligned_cells(doc: Document, template: registry.TemplateSpec) -> Extraction:
    """The cells of sections 二, 三 and 四 read from the document's positioned lines."""
    out = Extraction()
    lines = list(doc.lines)
    if not lines:
        return out
    extract_s2(_s2_tables(lines, template), template, out)
    s3 = _s3_table(lines)
    if s3 is not None:
        extract_s3([s3], out)
    extract_s4(_s4_tables(lines), out)
    return out


def stacked_text(lines: Sequence[TextLine]) -> str:
    """The squashed text of every few lines read column by column: a header cell wrapped
    over lines (本年 / 制发 / 件数) read whole, as template detection looks for it."""
    out: list[str] = []
    for i, line in enumerate(lines):
        window = [w for ln in lines[i:i + STACK_LINES] if ln.page == line.page for w in ln.words]
        out.extend(text for _, text in _header_columns(window))
    return "".join(out)


def is_value(word: Word) -> bool:
    """A word that is a printed value on its own: a number, 0, a placeholder (``无`` too,
    a number with its unit, ``0.00万元``, or with a note, ``5（其中修订1件）``; no other word
    with a Han glyph)."""
    value = parse_value(word.text)
    return value.kind in VALUE_KINDS - {"blank"} and (
        value.kind == "placeholder" or value.unit is not None
        or not _HAN.search(_NOTE.sub("", word.text)))


def _cx(box: BBox) -> float:
    return (box[0] + box[2]) / 2


def _cy(box: BBox) -> float:
    return (box[1] + box[3]) / 2


def _height(line: TextLine) -> float:
    return median(w.bbox[3] - w.bbox[1] for w in line.words)


def _cell(word: Word | None, row: int, col: int, page: int, ref: str,
          words: Sequence[Word] = ()) -> Cell:
    chosen = [word] if word is not None else list(words)
    text = "".join(w.text for w in chosen)
    bbox = _union([w.bbox for w in chosen]) if chosen else None
    return Cell(row, col, text, ref=f"p{page} {ref} r{row} c{col}", page=page, method=METHOD,
                bbox=bbox)


def _union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _table(cells: Sequence[Cell], ref: str) -> Table:
    n_rows = max((c.row for c in cells), default=0) + 1
    n_cols = max((c.col for c in cells), default=0) + 1
    page = cells[0].page if cells else None
    return Table(tuple(cells), n_rows, n_cols, ref=ref, page=page)


# ----------------------------------------------------------------------------- columns


def _centres(lines: Sequence[TextLine], n: int) -> list[float] | None:
    """Column centres of ``n`` values: the median centre of each value, in printed order, on
    the lines printing exactly ``n`` values."""
    full = [vals for vals in ([w for w in ln.words if is_value(w)] for ln in lines) if len(vals) == n]
    if not full:
        return None
    centres = [median(_cx(vals[i].bbox) for vals in full) for i in range(n)]
    if any(b <= a for a, b in pairwise(centres)):
        return None
    return centres


def _column(centres: Sequence[float], x: float) -> int | None:
    """The column whose centre ``x`` lies on, if one."""
    spacing = min((b - a for a, b in pairwise(centres)), default=0.0)
    index = min(range(len(centres)), key=lambda i: abs(centres[i] - x))
    if len(centres) > 1 and abs(centres[index] - x) > CENTRE_TOLERANCE * spacing:
        return None
    return index


def _place(words: Sequence[Word], centres: Sequence[float]) -> dict[int, Word] | None:
    """Each value word on its column; None when one is between columns or two share one."""
    placed: dict[int, Word] = {}
    for word in words:
        col = _column(centres, _cx(word.bbox))
        if col is None or col in placed:
            return None
        placed[col] = word
    return placed


# ----------------------------------------------------------------------------- section 三


@dataclass(slots=True)
class _Block:
    """One row's own label cell: its lines (a wrapped label), and the value lines beside it."""

    page: int
    words: list[Word]
    values: list[dict[int, Word]] = field(default_factory=list)
    # the label's end carried over to the next page: its text, not its place
    carried: list[Word] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(w.bbox[1] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bbox[3] for w in self.words)


def _s3_table(lines: Sequence[TextLine]) -> Table | None:
    n = len(T.S3_COLS)
    named = [ln for ln in lines if _names_s3_row(ln)]
    centres = _centres(named, n) or _s3_header_centres(lines, named)
    if centres is None:
        return None
    spacing = min(b - a for a, b in pairwise(centres))
    left = centres[0] - spacing / 2  # the values' side of the table
    anchored = _anchors(lines, named, left, centres)
    if not anchored:
        return None
    span = lines[_span_end(lines, anchored[0], -1, centres):_span_end(lines, anchored[-1], 1, centres) + 1]
    blocks = _label_blocks(span, left)
    loose: list[_Block] = []
    for line in span:
        values = [w for w in line.words if _cx(w.bbox) >= left
                  and (is_value(w) or _NUMBER_PIECE.match(w.text))]  # 2,64 over 3
        placed = _place(values, centres) if values else None
        if not placed:
            continue
        block = _block_of(line, blocks)
        if block is None:
            loose.append(_Block(line.page, [], [placed]))
        else:
            block.values.append(placed)
    # a labelled row printing no value is a row of blank cells, as a ruled table's would be
    rows = sorted([*blocks, *loose],
                  key=lambda b: (b.page, b.top if b.words else _cy(next(iter(b.values[0].values())).bbox)))
    return _s3_grid(rows) if rows else None


def _span_end(lines: Sequence[TextLine], start: int, step: int, centres: Sequence[float]) -> int:
    """The last line from ``start`` on (by ``step``) within SPAN_MARGIN_LINES lines that is
    not prose: a word running from the labels' side across the first value column is text
    around the table."""
    end = start
    left = centres[0] - (centres[1] - centres[0]) / 2
    for i in range(start + step, start + step * (SPAN_MARGIN_LINES + 1), step):
        if not 0 <= i < len(lines) or lines[i].page != lines[start].page or _is_prose(
                lines[i], left, centres):
            break
        end = i
    return end


def _anchors(lines: Sequence[TextLine], named: Sequence[TextLine], left: float,
             centres: Sequence[float]) -> list[int]:
    """The lines naming a template row with their text beside the values (not prose, not
    words under the value columns), from the first up to the first line of prose after it."""
    anchored: list[int] = []
    for i, line in enumerate(lines):
        if anchored and _is_prose(line, left, centres):
            break
        if line in named and all(_cx(w.bbox) < left or is_value(w) for w in line.words) and (
                not _is_prose(line, left, centres)):
            anchored.append(i)
    return anchored


def _is_prose(line: TextLine, left: float, centres: Sequence[float]) -> bool:
    """A word runs from the labels' side across the first value column: text, not a row."""
    return any(w.bbox[0] < left and w.bbox[2] > centres[0] for w in line.words)


def _s3_header_centres(lines: Sequence[TextLine], named: Sequence[TextLine]) -> list[float] | None:
    """The centres of the applicant columns, where the lines above a row naming a template
    row name all seven in template order: for a table where no row prints all seven."""
    for first in named:
        i = lines.index(first)
        # on the page before, too: a page break may part the header from the rows
        above = [w for ln in lines[max(i - S3_HEADER_REACH, 0):i] for w in ln.words]
        columns = [(x, best_match(text, T.S3_COLS)) for x, text in _header_columns(above)]
        found = [(x, col) for x, col in columns if col is not None]
        if [col for _, col in found] == list(T.S3_COLS):
            return [x for x, _ in found]
    return None


def _names_s3_row(line: TextLine) -> bool:
    label = squash("".join(w.text for w in line.words if not is_value(w)))
    return bool(label) and best_match(label, T.S3_ROWS) is not None


def _label_blocks(span: Sequence[TextLine], left: float) -> list[_Block]:
    """The own label cells of the rows: label words reaching right of the group cells, a
    numbered line starting a new cell, the lines under it continuing it."""
    labels = [[w for w in ln.words if _cx(w.bbox) < left and not is_value(w)] for ln in span]
    # words with another label word right of them on their line are group cells
    beside = [a.bbox[2] for words in labels for a, _ in pairwise(words)]
    groups = max(beside, default=float("-inf"))
    blocks: list[_Block] = []
    for line, words in zip(span, labels):
        own = [w for w in words if w.bbox[2] > groups + GROUP_SLACK_PT]
        if not own:
            continue
        text = squash("".join(w.text for w in own))
        last = blocks[-1] if blocks else None
        if last is None or _NUMBERING.match(text) or _names_another(last, text):
            blocks.append(_Block(line.page, list(own)))
        elif last.page == line.page and (
                own[0].bbox[1] - last.bottom <= LABEL_REACH_LINES * _height(line)):
            last.words.extend(own)
        elif last.page == line.page - 1 and not last.carried:
            last.carried.extend(own)  # the page's first label line ends the one above
        else:
            blocks.append(_Block(line.page, list(own)))
    return blocks


def _names_another(block: _Block, text: str) -> bool:
    """The line names a template row, and the label so far names another: an unnumbered
    label of the next row, not the end of this one."""
    here = best_match(text, _S3_SPECS)
    so_far = best_match(squash("".join(w.text for w in block.words)), _S3_SPECS)
    return here is not None and so_far is not None and here is not so_far


def _block_of(line: TextLine, blocks: Sequence[_Block]) -> _Block | None:
    """The label cell a value line stands beside: the one whose lines it lies within, else
    the nearest within reach (a value wrapped over the cell's lines)."""
    y = _cy(line.words[0].bbox)
    same = [b for b in blocks if b.page == line.page]
    within = [b for b in same if b.top <= y <= b.bottom]
    if within:
        return within[0]
    reach = LABEL_REACH_LINES * _height(line)
    near = [(min(abs(b.top - y), abs(b.bottom - y)), i) for i, b in enumerate(same)]
    distance, index = min(near, default=(float("inf"), -1))
    return same[index] if distance <= reach / 2 else None


def _joined(pieces: Sequence[Word]) -> Word | None:
    """A column's value from the pieces on the cell's lines, top to bottom: one value, or a
    number wrapped over lines; None when they are several values (not one cell's)."""
    ordered = sorted(pieces, key=lambda w: w.bbox[1])
    if len(ordered) > 1 and not (_NUMBER_PIECE.match(ordered[0].text)
                                 and all(_DIGITS.match(w.text) for w in ordered[1:])):
        return None
    word = Word("".join(w.text for w in ordered), _union([w.bbox for w in ordered]))
    return word if is_value(word) else None


def _s3_grid(rows: Sequence[_Block]) -> Table:
    n = len(T.S3_COLS)
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        own = sorted(row.words, key=lambda w: (w.bbox[1], w.bbox[0]))
        label = _cell(None, r, 0, row.page, "aligned-s3", own)
        if row.carried:  # its box is the part on the row's own page
            label = replace(label, text=label.text + "".join(w.text for w in row.carried))
        cells.append(label)
        for c in range(n):
            pieces = [placed[c] for placed in row.values if c in placed]
            cells.append(_cell(_joined(pieces) if pieces else None, r, c + 1, row.page, "aligned-s3"))
    return _table(cells, f"p{rows[0].page} aligned-s3")


# ----------------------------------------------------------------------------- section 二


def _s2_tables(lines: Sequence[TextLine], template: registry.TemplateSpec) -> list[Table]:
    """Each line naming a template row of section 二 under its block's header (or under a row
    of its block), its values on the block's columns; a row printing none is blank."""
    row_specs = template.s2_rows()
    cells: list[Cell] = []
    above: T.BlockSpec | None = None  # the block of the row on the line above
    header: list[Word] = []
    for line in lines:
        values = [w for w in line.words if is_value(w)]
        # the label: the words left of the values (a word right of them, 无万元, says nothing)
        labels = [w for w in line.words if not is_value(w)
                  and (not values or w.bbox[2] <= values[0].bbox[0])]
        label = squash("".join(w.text for w in labels))
        row = best_match(label, row_specs) if label and _S2_HEADER not in label else None
        if row is None:
            header = [] if values or _S2_CAPTION in label else [*header, *line.words]
            above = None
            continue
        here = next(b for b in template.s2_blocks if row in b.rows)
        under = above is here or _names_columns(header, here)
        placed = _s2_values(values, here, header) if values or under else None
        above = here if placed is not None else None
        if placed is None:  # a header cell naming a row's words: 本年收费金额
            header = [] if values else [*header, *line.words]
            continue
        r = len(cells)
        cells.append(_cell(None, r, 0, line.page, "aligned-s2", labels))
        cells.extend(_cell(placed.get(c), r, c + 1, line.page, "aligned-s2")
                     for c in range(len(here.cols)))
    return [_table(cells, "aligned-s2")] if cells else []


def _names_columns(header: Sequence[Word], block: T.BlockSpec) -> bool:
    """The header's last columns are the block's, all of them, in order."""
    texts = [text for _, text in _header_columns(header)]
    named = texts[len(texts) - len(block.cols):] if len(texts) > len(block.cols) else []
    return bool(named) and all(any(alt in t for alt in c.match) for c, t in zip(block.cols, named))


def _s2_values(values: Sequence[Word], block: T.BlockSpec,
               header: Sequence[Word]) -> dict[int, Word] | None:
    """The row's values by the block's column: in printed order when there is one per
    column, else on the centres of the header's columns right of its label column."""
    if len(values) == len(block.cols):
        return dict(enumerate(values))
    columns = [x for x, _ in _header_columns(header)]
    if len(columns) <= len(block.cols):
        return None
    return _place(values, columns[len(columns) - len(block.cols):])


def _header_columns(header: Sequence[Word]) -> list[tuple[float, str]]:
    """A header's columns, left to right: their centre, and their words' text top to bottom
    (a header cell wrapped over lines: 上一年 / 项目数 / 量)."""
    if not header:
        return []
    size = median(w.bbox[3] - w.bbox[1] for w in header)
    groups: list[list[Word]] = []
    for word in sorted(header, key=lambda w: _cx(w.bbox)):
        if groups and _cx(word.bbox) - _cx(groups[-1][-1].bbox) <= LABEL_COLUMN_EM * size:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [(median(_cx(w.bbox) for w in g),
             squash("".join(w.text for w in sorted(g, key=lambda w: w.bbox[1])))) for g in groups]


# ----------------------------------------------------------------------------- section 四


def _s4_tables(lines: Sequence[TextLine]) -> list[Table]:
    """Each row of section 四 under its header (the lines above it, which name its groups
    and outcomes) as a table of two rows: the header, and the values on its columns. A
    header followed by no line of values (a group's title, the next section) heads a row
    printed blank."""
    tables = []
    for i, line in enumerate(lines):
        header = _s4_header(lines, i)
        if not header or not _names_s4(header):
            continue
        values = [w for w in line.words if is_value(w)]
        if values and len(values) == len(line.words):
            placed = _s4_values(values, header)
        elif not values and _is_title(line):
            placed = ({}, len(_s4_columns(header)))  # no row under this header
        else:
            continue
        if placed is None or placed[1] not in _S4_WIDTHS:
            continue
        by_col, n = placed
        cells = [_cell(None, 0, 0, line.page, "aligned-s4", header),
                 *(_cell(by_col.get(c), 1, c, line.page, "aligned-s4") for c in range(n))]
        tables.append(_table(cells, f"p{line.page} aligned-s4"))
    return tables


def _s4_header(lines: Sequence[TextLine], i: int) -> list[Word]:
    """The words of the lines of text right above line ``i`` (on the page before, when a
    page break parts the header from its row), up to the title over them (行政诉讼（复议后
    起诉）: the group's name) or the row before."""
    header: list[Word] = []
    for above in reversed(lines[max(i - S4_HEADER_REACH, 0):i]):
        if any(is_value(w) for w in above.words):
            break
        header = [*above.words, *header]
        if _is_title(above):
            break
    return header


def _is_title(line: TextLine) -> bool:
    """A line with a word wider than a header cell's: a group's title, a heading, text."""
    return len(_cell_words(line.words, S4_CELL_WIDE_EM)) < len(line.words)


def _s4_values(values: list[Word], header: Sequence[Word]) -> tuple[dict[int, Word], int] | None:
    """The values by column, and the count of columns: in printed order when the line holds
    five, ten or fifteen values, else on the columns of the header words above it."""
    if len(values) in _S4_WIDTHS:
        return dict(enumerate(values)), len(values)
    columns = _s4_columns(header)
    if len(columns) not in _S4_WIDTHS or len(values) > len(columns):
        return None
    placed = _place(values, columns)
    return None if placed is None else (placed, len(columns))


def _cell_words(header: Sequence[Word], most_em: float = S4_CELL_MAX_EM) -> list[Word]:
    """The header's words of its outcome cells, not the titles over them (行政复议, a
    section's heading): a title's centre need not be a column's."""
    return [w for w in header if w.bbox[2] - w.bbox[0] <= most_em * (w.bbox[3] - w.bbox[1])]


def _s4_columns(header: Sequence[Word]) -> list[float]:
    """The centres of the header's outcome columns: of its narrow words (two glyphs a line),
    else of its words up to 4 glyphs (结果维持 on one line), whichever are a whole number of
    groups' columns."""
    for most in (S4_CELL_MAX_EM, S4_CELL_WIDE_EM):
        columns = [x for x, _ in _header_columns(_cell_words(header, most))]
        if len(columns) in _S4_WIDTHS:
            return columns
    return []


_S4_WIDTHS = tuple(k * len(T.S4_OUTCOMES) for k in range(1, len(T.S4_GROUPS) + 1))


def _names_s4(header: Sequence[Word]) -> bool:
    """The header names section 四's outcomes (a wrapped one, 尚未/审结, in pieces)."""
    text = "".join(w.text for w in header)
    return sum(any(alt in text for alt in o.match) for o in T.S4_OUTCOMES) >= S4_HEADER_MIN_OUTCOMES
