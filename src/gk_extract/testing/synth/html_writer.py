"""Render a synthetic report (or notice) as an HTML page of one CMS family.

Styles imitate how real pages are marked up (see shared/samples/pt2024.html, pt2021.html):

* ``trs``    TRS WCM page: site chrome, metadata, body in ``div.TRS_Editor``, headings as
             plain ``<p><span>``, split header labels as several ``<p>``, ``&nbsp;`` padding;
* ``word``   text pasted from Word: ``<p class=MsoNormal>``, styled ``<span>``, ``<o:p>``,
             tables in ``<div align=center>``, vertical labels one character per ``<br>``,
             and sometimes an extra grid column under 自然人 (colspan 8 over 7 values);
* ``hanweb`` Hanweb JCMS page, body in ``div#zoom``, tables with ``<tbody>`` and ``<br/>``,
             header rows in ``<thead>`` (Word-pasted tables now and then too), which a
             browser repeats on every printed page;
* ``plain``  a bare article, ``<strong>`` headings, ``<th>`` header cells.

Tables keep the DOCX layout's rowspans and colspans. In the CMS styles a heading is now
and then glued to the end of the previous paragraph, as happens when editors paste text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape

from . import html_pages as pages
from .layout import Block, GridTable, Para, SpanCell, document_blocks, widen_column
from .values import SyntheticNotice, SyntheticReport

STYLES: tuple[str, ...] = ("trs", "word", "hanweb", "plain")
ENCODINGS: dict[str, str] = {
    "utf-8": "utf-8",
    "gbk": "gbk",
    "gb2312": "gbk",
}  # gb2312 pages hold GBK text
GLUE_RATE = 0.08  # chance a heading is glued to the previous paragraph (CMS styles only)
PAD_RATE = 0.3  # TRS cells padded with &nbsp; runs, as the editor leaves them
WIDEN_RATE = 0.5  # Word-pasted section 三 tables with an extra grid column under 自然人
NATURAL_PERSON_COL = 3  # grid column of 自然人 in the section 三 layout
NBSP_RUN = " &nbsp; &nbsp; &nbsp; &nbsp;"
# Chance a table's header rows are marked up as <thead> (Hanweb's editor always does it,
# Word only when "repeat as header row" is ticked).
THEAD_RATE: dict[str, float] = {"trs": 0.0, "word": 0.5, "hanweb": 1.0, "plain": 0.0}
PT_PER_TWIP = 1 / 20

Renderer = Callable[[Para, random.Random], str]


def _t(text: str) -> str:
    return escape(text, quote=False)


# ----------------------------------------------------------------------------- paragraphs


def _trs_para(block: Para, rng: random.Random) -> str:
    if block.role == "heading":
        return f"<p><span>{_t(block.text)}{'&nbsp;' if rng.random() < 0.3 else ''}</span></p>"
    if block.role == "signature":
        return f'<p style="text-align: right;">{_t(block.text)}</p>'
    return f'<p style="text-indent: 2em;">{_t(block.text)}</p>'


def _word_para(block: Para, rng: random.Random) -> str:
    font, size, bold = {"title": ("方正小标宋简体", 22, False), "heading": ("黑体", 16, True)}.get(
        block.role, ("仿宋_GB2312", 16, False)
    )
    align = {
        "title": " align=center style='text-align:center'",
        "signature": " align=right style='text-align:right'",
    }.get(block.role, " style='text-indent:32.0pt;mso-char-indent-count:2.0'")
    span = f"<span style='font-size:{size}.0pt;font-family:{font}'>{_t(block.text)}</span>"
    if bold:
        span = f"<b>{span}</b>"
    return f"<p class=MsoNormal{align}>{span}<span lang=EN-US style='font-size:{size}.0pt'><o:p></o:p></span></p>"


def _hanweb_para(block: Para, rng: random.Random) -> str:
    if block.role == "signature":
        return f'<p style="text-align:right;">{_t(block.text)}</p>'
    text = _t(block.text)
    if block.role == "heading" and rng.random() < 0.5:
        text = f"<b>{text}</b>"
    return f'<p style="text-indent:2em;">{text}</p>'


def _plain_para(block: Para, rng: random.Random) -> str:
    if block.role == "heading":
        return f"<p><strong>{_t(block.text)}</strong></p>"
    if block.role == "signature":
        return f'<p align="right">{_t(block.text)}</p>'
    return f"<p>{_t(block.text)}</p>"


# ----------------------------------------------------------------------------- cells


def _spans(cell: SpanCell) -> str:
    return (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )


def _trs_cell(cell: SpanCell, width: int, rng: random.Random) -> str:
    if not cell.text:
        return f"<td{_spans(cell)}><p>&nbsp;</p></td>"
    lines = cell.text.split("\n")
    pad = len(lines) > 1 and rng.random() < PAD_RATE
    inner = "".join(
        f"<p>{_t(line)}{NBSP_RUN if pad and i else ''}</p>" for i, line in enumerate(lines)
    )
    return f"<td{_spans(cell)}>{inner}</td>"


def _word_cell(cell: SpanCell, width: int, rng: random.Random) -> str:
    pt = width * PT_PER_TWIP
    attrs = (
        f" width={round(pt * 4 / 3)} valign=center style='width:{pt:.1f}pt;"
        f"border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    )
    if cell.vertical:
        inner = "<br>".join(_t(ch) for ch in cell.text.replace("\n", ""))
    else:
        inner = "<br>".join(_t(line) for line in cell.text.split("\n"))
    span = (
        (
            f"<span style='font-size:10.5pt;font-family:宋体'>{inner}</span>"
            f"<span lang=EN-US><o:p></o:p></span>"
        )
        if inner
        else "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
    )
    para = f"<p class=MsoNormal align=center style='text-align:center'>{span}</p>"
    return f"<td{_spans(cell)}{attrs}>{para}</td>"


def _hanweb_cell(cell: SpanCell, width: int, rng: random.Random) -> str:
    inner = "<br/>".join(_t(line) for line in cell.text.split("\n")) or "&nbsp;"
    return f'<td{_spans(cell)} style="text-align:center;">{inner}</td>'


def _plain_cell(cell: SpanCell, width: int, rng: random.Random) -> str:
    tag = "th" if cell.header else "td"
    return (
        f"<{tag}{_spans(cell)}>{'<br>'.join(_t(line) for line in cell.text.split(chr(10)))}</{tag}>"
    )


# ----------------------------------------------------------------------------- tables

CellRenderer = Callable[[SpanCell, int, random.Random], str]
TABLE_WRAPS: dict[str, tuple[str, str]] = {
    "trs": ('<table border="1" cellspacing="0" align="center"><tbody>', "</tbody></table>"),
    "word": (
        (
            "<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
            "style='border-collapse:collapse;border:none'>"
        ),
        "</table></div>",
    ),
    "hanweb": (
        (
            '<table border="1" cellspacing="0" cellpadding="0" width="100%" '
            'style="border-collapse:collapse;"><tbody>'
        ),
        "</tbody></table>",
    ),
    "plain": ('<table border="1"><tbody>', "</tbody></table>"),
}


def _table(table: GridTable, style: str, cell_html: CellRenderer, rng: random.Random) -> str:
    if style == "word" and table.name == "s3" and rng.random() < WIDEN_RATE:
        table = widen_column(table, NATURAL_PERSON_COL)
    by_row: dict[int, list[SpanCell]] = {}
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        by_row.setdefault(cell.row, []).append(cell)
    rows = []
    for r in range(table.n_rows):
        tds = "".join(
            cell_html(c, sum(table.widths[c.col : c.col + c.colspan]), rng)
            for c in by_row.get(r, [])
        )
        rows.append(f"<tr>{tds}</tr>")
    head, tail = TABLE_WRAPS[style]
    n_head = header_rows(table) if rng.random() < THEAD_RATE[style] else 0
    if n_head:
        # <thead> before <tbody>: a browser repeats it at the top of every printed page.
        thead = f"<thead>{''.join(rows[:n_head])}</thead>"
        if head.endswith("<tbody>"):
            return head[: -len("<tbody>")] + thead + "<tbody>" + "".join(rows[n_head:]) + tail
        return head + thead + "<tbody>" + "".join(rows[n_head:]) + "</tbody>" + tail
    return head + "".join(rows) + tail


def header_rows(table: GridTable) -> int:
    """How many leading rows hold only labels, no cell of them reaching further down."""
    count = 0
    for r in range(table.n_rows):
        starting = [c for c in table.cells if c.row == r]
        if not starting or not all(c.header for c in starting):
            break
        covering = [c for c in table.cells if c.row <= r < c.row + c.rowspan]
        if not all(c.header for c in covering):
            break
        count = r + 1
    while count and any(c.row < count < c.row + c.rowspan for c in table.cells):
        count -= 1  # a label spanning past the cut (三、本年度办理结果) stays in the body
    return count


# ----------------------------------------------------------------------------- document

PARAGRAPHS: dict[str, Renderer] = {
    "trs": _trs_para,
    "word": _word_para,
    "hanweb": _hanweb_para,
    "plain": _plain_para,
}
CELLS: dict[str, CellRenderer] = {
    "trs": _trs_cell,
    "word": _word_cell,
    "hanweb": _hanweb_cell,
    "plain": _plain_cell,
}
PAGES: dict[str, Callable[[pages.PageMeta, str, random.Random], str]] = {
    "trs": pages.trs_page,
    "word": pages.word_page,
    "hanweb": pages.hanweb_page,
    "plain": pages.plain_page,
}


def _glue_headings(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Append a heading's text to the paragraph before it, now and then."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            isinstance(block, Para)
            and block.role == "heading"
            and isinstance(previous, Para)
            and previous.role == "body"
            and rng.random() < GLUE_RATE
        ):
            out[-1] = Para(previous.text + block.text, "body")
            continue
        out.append(block)
    return out


def _body(blocks: list[Block], style: str, rng: random.Random) -> str:
    """The article body; only Word-pasted bodies repeat the title (the page shows it)."""
    if style != "plain":
        blocks = _glue_headings(blocks, rng)
    parts = []
    for block in blocks:
        if isinstance(block, GridTable):
            parts.append(_table(block, style, CELLS[style], rng))
        elif block.role != "title" or style == "word":
            parts.append(PARAGRAPHS[style](block, rng))
    return "\n".join(parts)


def _charset_tag(encoding: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f'<meta charset="{encoding}"/>'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}"/>'


def _meta(
    source: SyntheticReport | SyntheticNotice, title: str, encoding: str, rng: random.Random
) -> pages.PageMeta:
    return pages.PageMeta(
        title=title,
        agency=source.agency,
        published=source.published.isoformat(),
        pub_time=f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}",
        doc_id=rng.randint(100000, 9999999),
        charset_tag=_charset_tag(encoding, rng),
    )


def render_html(
    source: SyntheticReport | SyntheticNotice, style: str = "trs", encoding: str = "utf-8"
) -> bytes:
    """The report (or notice) as a page of CMS family ``style``, encoded as declared.

    ``encoding`` is ``utf-8``, ``gbk`` or ``gb2312`` (written with the GBK codec, as real
    pages labelled gb2312 are); the same arguments give the same bytes.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    rng = random.Random(f"{source.render_seed}:html:{style}")
    blocks = document_blocks(source)
    title = blocks[0].text if isinstance(blocks[0], Para) else ""
    meta = _meta(source, title, encoding, rng)
    page = PAGES[style](meta, _body(blocks, style, rng), rng)
    return page.encode(ENCODINGS[encoding], errors="xmlcharrefreplace")
