"""The WordprocessingML vocabulary the parser reads, and small helpers over its elements.

"Strict Open XML" saves use another namespace for the same vocabulary; the package reader
maps it onto the transitional one before parsing instead of doubling every tag constant.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
W = f"{{{W_NS}}}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"

W_P, W_TBL, W_TR, W_TC, W_R, W_T = (W + t for t in ("p", "tbl", "tr", "tc", "r", "t"))
W_BODY, W_SDT, W_SDT_CONTENT = W + "body", W + "sdt", W + "sdtContent"
W_TXBX = W + "txbxContent"
W_PPR, W_RPR, W_TCPR, W_TRPR = W + "pPr", W + "rPr", W + "tcPr", W + "trPr"
W_VAL = W + "val"
MC_ALT, MC_CHOICE, MC_FALLBACK = MC + "AlternateContent", MC + "Choice", MC + "Fallback"
# Pictures: DrawingML's a:blip (r:embed) and legacy VML's v:imagedata (r:id) name an image
# part by a relationship of the document part.
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"

# Block-level wrappers (around w:p, w:tbl, w:tr, w:tc) that we look through.
_BLOCK_WRAPPERS = frozenset(W + t for t in ("customXml", "ins", "moveTo"))

_FALSE_VALUES = frozenset(("0", "false", "off"))
# Body-text outline level: levels 0-8 are headings, 9 means "no level".
_BODY_OUTLINE_LEVEL = 9


def is_outline(level: etree._Element | None) -> bool:
    """A w:outlineLvl that makes the paragraph a heading (levels 0-8)."""
    value = val(level)
    return value is not None and value.isdigit() and int(value) < _BODY_OUTLINE_LEVEL


def is_on(prop: etree._Element | None) -> bool:
    """An on/off property such as w:b or w:vanish: present and not switched off."""
    return prop is not None and prop.get(W_VAL, "true").lower() not in _FALSE_VALUES


def alternate_branch(alt: etree._Element) -> etree._Element | None:
    """The first mc:Choice (we can read every branch), else the mc:Fallback."""
    choice = alt.find(MC_CHOICE)
    return choice if choice is not None else alt.find(MC_FALLBACK)


def leading_props(el: etree._Element, tag: str) -> etree._Element | None:
    """The property child (w:pPr, w:rPr), which the schema puts first.

    Looking only at the first child is several times faster than ``find`` on the hot path.
    """
    for child in el:
        return child if child.tag == tag else None
    return None


def prop_map(props: etree._Element | None) -> dict[str, etree._Element]:
    """Property elements by tag: one pass instead of one ``find`` per property."""
    return {} if props is None else {child.tag: child for child in props}


def val(prop: etree._Element | None) -> str | None:
    return None if prop is None else prop.get(W_VAL)


BLOCKS = (W_P, W_TBL)


def flat_children(container: etree._Element, wanted: tuple[str, ...]) -> Iterator[etree._Element]:
    """Children with a ``wanted`` tag, looking through content controls and wrappers."""
    for child in container:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from flat_children(content, wanted)
        elif tag == MC_ALT:
            branch = alternate_branch(child)
            if branch is not None:
                yield from flat_children(branch, wanted)
        elif tag in _BLOCK_WRAPPERS:
            yield from flat_children(child, wanted)

