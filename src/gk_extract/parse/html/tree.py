"""The libxml2 tree of a page, its ``<meta>`` pairs and its title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TypeAlias, cast

from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.formats import ATTACHMENT_EXTS
from gk_extract.parse._text import clean_line

Element: TypeAlias = etree._Element

# pt2021's whole archived page has 2,161 elements; 100x that is no article page, and walking
# it in Python would take seconds before another limit fired.
MAX_ELEMENTS = 200_000

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


def parse_tree(payload: bytes) -> Element:
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


def collect_meta(root: Element) -> dict[str, str]:
    """``<meta name content>`` pairs under their original names; first non-empty value wins."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name, content = (el.get("name") or "").strip(), el.get("content")
        if name and content is not None and not meta.get(name):
            meta[name] = clean_line(content)
    return meta


def document_links(root: Element) -> list[str]:
    """The ``href`` of every link to a document file (PDF, Word, WPS …), once each, in page
    order: a page that only links its report names it here."""
    found: dict[str, None] = {}
    for el in root.iter("a"):
        href = (el.get("href") or "").strip()
        path = href.split("#")[0].split("?")[0].lower()
        if path.endswith(ATTACHMENT_EXTS):
            found.setdefault(href.split("#")[0], None)
    return list(found)


def find_title(root: Element, meta: dict[str, str]) -> str | None:
    for name, value in meta.items():
        if name.lower() == "articletitle" and value:
            return value
    for el in _title_elements(root):
        text = clean_line(text_of(el))
        if text:
            return text
    title = root.find(".//title")
    if title is None:
        return None
    parts = [p for p in _TITLE_SUFFIX.split(clean_line(text_of(title))) if p]
    return parts[0] if parts else None


def _title_elements(root: Element) -> Iterator[Element]:
    """Visible title elements: `.article_title` / `.article-title` first, then <h1>."""
    yield from elements_with_class(root, _TITLE_CLASSES)
    yield from root.iter("h1")


def elements_with_class(root: Element, names: frozenset[str]) -> list[Element]:
    """Elements having one of the class ``names``, in document order.

    Found from the attribute values, which lxml returns as "smart" strings knowing their
    element: XPath ``contains(@class, ...)`` over a 370 KB page costs ~15 ms, this ~0.3 ms.
    """
    values = cast("list[Any]", root.xpath("//@class"))
    return [v.getparent() for v in values if not names.isdisjoint(v.split())]


def text_of(el: Element) -> str:
    """All text under ``el`` (not its tail); the C serializer is ~20x faster than itertext."""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text

