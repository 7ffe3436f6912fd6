"""Find the six section headings in running text and cut the text between them.

Headings often carry no markup at all (plain ``<span>``s, Word ``MsoNormal`` paragraphs, PDF
lines), so they are found from the text: a Chinese ordinal, a separator, and a keyword of
the section (``spec.SECTIONS``). A heading may be glued to the text that follows it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex

from gk_extract.models import Document, Section, Table
from gk_extract.normalize.text import squash, tidy
from gk_extract.template.spec import SECTIONS, SectionSpec

_ORDINALS = "一二三四五六"
_HEADING = regex.compile(r"^\s*(?P<num>[一二三四五六])\s*[、.．,，:：]?\s*(?P<rest>\S.*)$", regex.S)
# An ordinal heading glued after the end of a sentence in the same paragraph.
_GLUED = regex.compile(r"(?<=[。！？；!?;])\s*(?P<num>[一二三四五六])(?:\s*[、.．]|\s+)")
# How far into a paragraph the section keyword may sit after the ordinal: the longest official
# heading variant (五、政府信息公开工作存在的主要问题及改进情况) puts it 10 characters in.
KEYWORD_WINDOW = 16
# A heading glued to its text ends at the first of these words after the keyword.
_HEADING_END = regex.compile(r"^.*?(?:情况|事项|情形)")
# The end of a heading wrapped onto a line of its own: its closing word, a few before it.
_WRAPPED_END = regex.compile(r"^.{0,4}(?:情况|事项|情形)$")
# Paragraph length above which an unnumbered paragraph is body text, not a bare heading.
BARE_HEADING_MAX = 20


@dataclass(slots=True)
class _Open:
    spec: SectionSpec
    number: int
    heading: str
    lines: list[str]


def find_sections(doc: Document) -> list[Section]:
    """Given a document, return the sections it prints, in printed order."""
    found: list[_Open] = []
    seen: set[str] = set()
    for block in doc.blocks:
        if isinstance(block, Table):
            continue
        for piece in _unglue(tidy(block.text)):
            hit = _heading(piece, seen)
            if hit is not None:
                found.append(hit)
                seen.add(hit.spec.key)
            elif found and _wraps(found[-1], piece):
                found[-1].heading += piece
            elif found:
                found[-1].lines.append(piece)
    return [Section(o.spec.key, o.number, o.heading, "\n".join(_trim_signature(o.lines)))
            for o in found]


def _wraps(opened: _Open, piece: str) -> bool:
    """Whether ``piece`` is the end of the heading just opened, wrapped onto a line of its
    own (四、政府信息公开行政复议、行政诉讼 / 情况): the heading lacks its closing word and
    the line is little more than that word."""
    return (not opened.lines and _HEADING_END.match(squash(opened.heading)) is None
            and _WRAPPED_END.match(squash(piece)) is not None)


def _unglue(text: str) -> list[str]:
    """Split a paragraph where a section heading was glued after the end of a sentence."""
    cuts = [m.start("num") for m in _GLUED.finditer(text) if _names_section(text[m.end():])]
    bounds = [0, *cuts, len(text)]
    return [p for p in (text[a:b].strip() for a, b in itertools.pairwise(bounds)) if p]


def _names_section(rest: str) -> bool:
    window = squash(rest)[:KEYWORD_WINDOW]
    return any(k in window for spec in SECTIONS for k in spec.match)


def _heading(text: str, seen: set[str]) -> _Open | None:
    match = _HEADING.match(text)
    if match is None:
        return _bare_heading(text, seen)
    window = squash(match["rest"])[:KEYWORD_WINDOW]
    for spec in SECTIONS:
        if spec.key in seen:
            continue
        hits = [window.find(k) for k in spec.match if k in window]
        if hits:
            heading, rest = _split_heading(text, match.start("rest"), spec)
            opened = _Open(spec, _ORDINALS.index(match["num"]) + 1, heading, [])
            if rest:
                opened.lines.append(rest)
            return opened
    return None


def _split_heading(text: str, rest_at: int, spec: SectionSpec) -> tuple[str, str]:
    """A heading glued to its first sentence: cut after 情况/事项, else keep the paragraph."""
    tail = text[rest_at:]
    end = _HEADING_END.match(tail)
    if end is None or len(squash(end[0])) > KEYWORD_WINDOW + 12:
        return text, ""
    cut = rest_at + end.end()
    return text[:cut].strip(), text[cut:].lstrip(" 。:：").strip()


def _bare_heading(text: str, seen: set[str]) -> _Open | None:
    """An unnumbered heading such as ``总体情况`` on a line of its own."""
    flat = squash(text)
    if not flat or len(flat) > BARE_HEADING_MAX:
        return None
    for spec in SECTIONS:
        canonical = squash(spec.heading)[2:]
        if spec.key not in seen and flat in (canonical, canonical.rstrip("情况")):
            return _Open(spec, spec.number, text, [])
    return None


_DATE_LINE = regex.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# Lines at the end of the last section shorter than this may be the signature (agency, date).
SIGNATURE_MAX = 30


def _trim_signature(lines: list[str]) -> list[str]:
    """Drop a closing date line and the agency line above it from the last section's text."""
    if lines and _DATE_LINE.match(squash(lines[-1])):
        lines = lines[:-1]
        if lines and len(squash(lines[-1])) <= SIGNATURE_MAX and not lines[-1].endswith("。"):
            lines = lines[:-1]
    return lines
