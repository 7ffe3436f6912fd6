"""The text of one ``w:p``: runs, special characters, hidden runs, bold hints, text boxes."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from gk_extract.parse.docx.ooxml import (
    MC_ALT,
    W_PPR,
    W_R,
    W_RPR,
    W_T,
    W_TXBX,
    W,
    alternate_branch,
    is_on,
    is_outline,
    leading_props,
    prop_map,
    val,
)
from gk_extract.parse.docx.styles import Styles

# Subtrees of a paragraph whose text a reader never sees (deleted or moved-away revisions,
# property blocks). Every other element is walked through, so an unknown wrapper
# (hyperlink, smartTag, fldSimple, sdt, ins, dir …) never loses text.
_INVISIBLE = frozenset(W + t for t in ("del", "moveFrom", "pPr", "rPr", "sdtPr", "sdtEndPr"))
# Run children that stand for a character; w:t is handled separately.
_RUN_CHARS = {
    W + "tab": "\t",
    W + "ptab": "\t",
    W + "br": "\n",
    W + "cr": "\n",
    W + "noBreakHyphen": "-",
}
# Run children that may hold a text box (DrawingML, VML, embedded object).
_RUN_HOSTS = frozenset((W + "drawing", W + "pict", W + "object", MC_ALT))


@dataclass(frozen=True, slots=True)
class Context:
    """Per-document facts the text walk needs.

    ``any_hidden`` is False when the document never mentions w:vanish, which lets the walk
    skip reading every run's properties in table cells (the hot path: ~300 cells/report).
    """

    styles: Styles
    any_hidden: bool


@dataclass(slots=True)
class ParaText:
    """What one w:p yields: pieces of text, bold flags of its inked runs, its text boxes.

    ``track_bold`` is off for table cells and for paragraphs whose style already makes them
    headings: reading every run's formatting is the expensive part of the walk.
    """

    ctx: Context
    track_bold: bool
    style: str | None = None
    pieces: list[str] = field(default_factory=list)
    bold_runs: list[bool] = field(default_factory=list)
    boxes: list[etree._Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces).strip()


def paragraph_text(p: etree._Element, ctx: Context, *, headings: bool) -> tuple[ParaText, bool]:
    """The paragraph's text and, when ``headings``, whether markup says it is a heading."""
    if not headings:
        acc = ParaText(ctx, track_bold=False)
        _collect(p, acc)
        return acc, False
    props = prop_map(leading_props(p, W_PPR))
    style = val(props.get(W + "pStyle"))
    styled = is_outline(props.get(W + "outlineLvl")) or ctx.styles.is_heading(style)
    acc = ParaText(ctx, track_bold=not styled, style=style)
    _collect(p, acc)
    return acc, styled or (bool(acc.bold_runs) and all(acc.bold_runs))


def _collect(el: etree._Element, acc: ParaText) -> None:
    for child in el:
        tag = child.tag
        if tag == W_R:
            _run(child, acc)
        elif tag == MC_ALT:
            branch = alternate_branch(child)
            if branch is not None:
                _collect(branch, acc)
        elif isinstance(tag, str) and tag not in _INVISIBLE:
            _collect(child, acc)


def _run(r: etree._Element, acc: ParaText) -> None:
    parts: list[str] = []
    for child in r:
        tag = child.tag
        if tag == W_T:
            parts.append(child.text or "")
        elif tag in _RUN_CHARS:
            parts.append(_RUN_CHARS[tag])
        elif tag in _RUN_HOSTS:
            _find_boxes(child, acc)
    if not parts:
        return
    text = "".join(parts)
    inked = acc.track_bold and not text.isspace()
    props = prop_map(leading_props(r, W_RPR)) if inked or acc.ctx.any_hidden else {}
    if is_on(props.get(W + "vanish")):
        return  # hidden text: not what a reader of the report sees
    acc.pieces.append(text)
    if inked:
        acc.bold_runs.append(_run_bold(props, acc.ctx.styles, acc.style))


def _run_bold(props: dict[str, etree._Element], styles: Styles, para_style: str | None) -> bool:
    """Direct w:b, else the character style's, else the paragraph style's boldness."""
    direct = props.get(W + "b")
    if direct is not None:
        return is_on(direct)
    for style_id in (val(props.get(W + "rStyle")), para_style):
        bold = styles.bold(style_id)
        if bold is not None:
            return bold
    return False


def _find_boxes(el: etree._Element, acc: ParaText) -> None:
    """Text boxes in a drawing/VML/object subtree, reading one AlternateContent branch only."""
    if el.tag == W_TXBX:
        acc.boxes.append(el)
        return
    branch = alternate_branch(el) if el.tag == MC_ALT else el
    for child in () if branch is None else branch:
        if isinstance(child.tag, str):
            _find_boxes(child, acc)

