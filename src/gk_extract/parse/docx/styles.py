"""Just enough of styles.xml to tell heading styles and bold styles, read lazily."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex
from lxml import etree

from gk_extract.parse.docx.ooxml import W_PPR, W_RPR, W, is_on, is_outline, val
from gk_extract.parse.docx.package import optional_xml

_HEADING_STYLE = regex.compile(r"^\s*(heading|标题|title|subtitle|副标题)", regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _StyleDef:
    based_on: str | None
    heading: bool
    bold: bool | None


@dataclass(slots=True)
class Styles:
    """Just enough of styles.xml to answer "is this a heading style" and "is it bold".

    Loaded on the first question that a style id alone cannot answer: styles.xml is often
    larger than the document itself (python-docx's template: 350 KB, ~9 ms to parse and
    index), and most paragraphs of a report either carry no style or a ``Heading*`` id.
    """

    package: zipfile.ZipFile
    name: str
    warnings: list[str]
    elements: dict[str, etree._Element] | None = None
    defs: dict[str, _StyleDef | None] = field(default_factory=dict)

    def is_heading(self, style_id: str | None) -> bool:
        if style_id and _HEADING_STYLE.match(style_id):
            return True
        return any(d.heading for d in self._chain(style_id))

    def bold(self, style_id: str | None) -> bool | None:
        """Whether the style (or the nearest ancestor that says) is bold; None if none says."""
        for d in self._chain(style_id):
            if d.bold is not None:
                return d.bold
        return None

    def _chain(self, style_id: str | None) -> Iterator[_StyleDef]:
        """The style and its basedOn ancestors; a cycle in a corrupt file stops the walk."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            definition = self._definition(style_id)
            if definition is None:
                return
            yield definition
            style_id = definition.based_on

    def _definition(self, style_id: str) -> _StyleDef | None:
        if style_id not in self.defs:
            if self.elements is None:
                self.elements = _style_elements(
                    optional_xml(self.package, self.name, self.warnings)
                )
            element = self.elements.get(style_id)
            self.defs[style_id] = None if element is None else _style_def(element)
        return self.defs[style_id]


def _style_elements(root: etree._Element | None) -> dict[str, etree._Element]:
    """w:styleId -> w:style; no styles part means no style-based hints, not an error."""
    if root is None:
        return {}
    return {s.get(W + "styleId", ""): s for s in root.iterchildren(W + "style")}


def _style_def(style: etree._Element) -> _StyleDef:
    name = val(style.find(W + "name")) or ""
    ppr, rpr = style.find(W_PPR), style.find(W_RPR)
    outline = None if ppr is None else ppr.find(W + "outlineLvl")
    bold = None if rpr is None else rpr.find(W + "b")
    return _StyleDef(
        based_on=val(style.find(W + "basedOn")),
        heading=bool(_HEADING_STYLE.match(name)) or is_outline(outline),
        bold=None if bold is None else is_on(bold),
    )

