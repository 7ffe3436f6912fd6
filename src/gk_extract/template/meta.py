"""Report metadata from the text: title, agency, year reported on, published date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import regex

from gk_extract.models import Document
from gk_extract.normalize.text import squash, tidy

# {机关名称}{YYYY}年(度)政府信息公开工作年度报告, allowing the variants seen in titles.
_TITLE = regex.compile(
    r"(?P<agency>[^。；;！!？?]*?)(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*"
    r"(?:政府)?(?:信息公开|政务公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
)
# The year first: 2023年度某某局政府信息公开工作年度报告.
_TITLE_YEAR_FIRST = regex.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?!政府信息|政务公开|信息公开)(?P<agency>[^。；;！!？?]{2,40}?)\s*"
    r"(?:政府)?(?:信息公开|政务公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
)
_NOT_A_REPORT = regex.compile(r"关于.*(?:报告|年报).*(?:通知|函|通报|意见)|编制.*(?:通知|函)$|政府工作报告")
_SITE_SUFFIX = regex.compile(r"[_|｜\-—]+[^_|｜\-—]*$")
_AGENCY_JUNK = regex.compile(r"^[\s《“\"'「(（]+|[\s》”\"'」:：,，]+$")
_PERIOD = regex.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*至\s*\1\s*年\s*12\s*月\s*31\s*日")
_DATE_CN = regex.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = regex.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
# How many leading paragraphs may hold the title (a PDF may print it over two lines).
TITLE_LINES = 4
# A printed or photographed web page puts the site's menu and breadcrumb above the title
# (首页 · 政务公开 · … · 当前位置：…): short lines, up to this many, may come before it.
LEAD_LINES = 12
LEAD_MAX_CHARS = 60
# A page pictured without its stylesheet prints its menus as dozens of lines above the
# title: short lines up to the report's first heading (一、), within the first FAR_LINES, are
# looked at after all the others.
FAR_LINES = 80
_FIRST_HEADING = regex.compile(r"^\s*一\s*[、.．]")
# How many closing paragraphs may hold the signature date.
SIGNATURE_LINES = 4
# Longest paragraph taken as a bare signature date (a date inside a sentence is no signature).
SIGNATURE_MAX = 40


@dataclass(frozen=True, slots=True)
class Meta:
    title: str | None
    agency: str | None
    year: int | None
    published: date | None
    title_is_report: bool
    title_is_other: bool


def read_meta(doc: Document) -> Meta:
    title, match = _find_title(doc)
    agency = issuing_agency(_clean_agency(match["agency"])) if match else None
    year = int(match["year"]) if match else _year_from_period(doc)
    other = bool(title and _NOT_A_REPORT.search(squash(title)))
    return Meta(title, agency or None, year, _published(doc), match is not None and not other, other)


def _candidates(doc: Document) -> list[str]:
    lead = [tidy(p.text) for p in doc.paragraphs[:TITLE_LINES]]
    joined = ["".join(lead[i:i + 2]) for i in range(len(lead) - 1)]
    short = [text for p in doc.paragraphs[TITLE_LINES:LEAD_LINES]
             if len(text := tidy(p.text)) <= LEAD_MAX_CHARS]
    found = [doc.meta.get("ArticleTitle"), doc.title, *lead, *joined, *short, *_far(doc)]
    return [t for t in found if t]


def _far(doc: Document) -> list[str]:
    """The short lines after the lead and before the report's first heading; none when no
    heading follows within FAR_LINES (a column's listing of report titles is no report)."""
    far: list[str] = []
    for index, paragraph in enumerate(doc.paragraphs[:FAR_LINES]):
        text = tidy(paragraph.text)
        if _FIRST_HEADING.match(text):
            return far
        if index >= LEAD_LINES and len(text) <= LEAD_MAX_CHARS:
            far.append(text)
    return []


def _find_title(doc: Document) -> tuple[str | None, regex.Match[str] | None]:
    """The first title naming an agency, else the first title at all (the agency may be absent)."""
    candidates = _candidates(doc)
    found: list[tuple[str, regex.Match[str]]] = []
    for text in candidates:
        flat = _SITE_SUFFIX.sub("", tidy(text)) if "_" in text or "|" in text else tidy(text)
        match = _match_title(flat.replace(" ", ""))
        if match and _clean_agency(match["agency"]):
            return flat, match
        if match:
            found.append((flat, match))
    if found:
        return found[0]
    return (candidates[0] if candidates else None), None


def _match_title(text: str) -> regex.Match[str] | None:
    match = _TITLE.search(text)
    if match is None or not _clean_agency(match["agency"]):
        return _TITLE_YEAR_FIRST.search(text) or match
    return match


def _clean_agency(raw: str) -> str:
    agency = _AGENCY_JUNK.sub("", raw.strip())
    return agency.removeprefix("关于")


# A title naming only a place (平潭综合实验区2024年度…) is the report of that place's government.
_PLACE = regex.compile(r"(?:省|市|区|县|旗|州|盟|镇|乡|街道)$")
_ORGAN = regex.compile(r"政府|局|委|办|厅|院|中心|会|处|所|站|队|部|署|室|司|行|社")
_ZONE = regex.compile(r"(?:实验区|试验区|开发区|新区|高新区|园区|合作区)$")


def issuing_agency(name: str) -> str:
    """The organ that issues a place's report: 管委会 of a zone, 办事处 of a street, else 人民政府."""
    if not _PLACE.search(name) or _ORGAN.search(name):
        return name
    if _ZONE.search(name):
        return name + "管委会"
    return name + ("办事处" if name.endswith("街道") else "人民政府")


def _year_from_period(doc: Document) -> int | None:
    for paragraph in doc.paragraphs[:12]:
        match = _PERIOD.search(paragraph.text)
        if match:
            return int(match[1])
    return None


def _published(doc: Document) -> date | None:
    for paragraph in reversed(doc.paragraphs[-SIGNATURE_LINES:]):
        text = squash(paragraph.text)
        match = _DATE_CN.search(text)
        if match and len(text) <= SIGNATURE_MAX and text.endswith("日"):
            return _date(*match.groups())
    stamp = doc.meta.get("PubDate") or doc.meta.get("pubdate") or ""
    match = _DATE_ISO.search(stamp) or _DATE_CN.search(stamp)
    return _date(*match.groups()) if match else None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
