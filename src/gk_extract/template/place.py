"""Where a report's agency is, and which agency it is: the evidence a document gives.

The evidence is read in the order it deserves trust: the agency's name (from the title), the
body's own statements (the signature, ``本报告由…编制``, the contact address), the crawl
registry's region for the site, then the page's meta (``SiteName``, the site identifier code,
whose first six digits are the division's code). The first that names a place decides; the
later ones may only tell homonyms apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from gk_extract.models import Document
from gk_extract.normalize.agencies import Agency, identify
from gk_extract.normalize.regions import Evidence, Region, gazetteer
from gk_extract.normalize.text import squash
from gk_extract.template.meta import Meta

# How many closing paragraphs may hold the signature.
SIGNATURE_LINES = 5
# Longest paragraph read as a signature line.
SIGNATURE_MAX = 40
# How many paragraphs of the body are searched for the statements below.
BODY_PARAGRAPHS = 8
_COMPILED_BY = regex.compile(
    r"本(?:年度)?报告(?:是)?由(\p{Han}{2,40}?)(?:负责|编制|组织|根据|依据|按照|汇总|牵头|会同)")
_ADDRESS = regex.compile(r"(?:通讯|联系|办公)?地址[：:为是]?\s*(\p{Han}{2,30})")
_ORGAN = regex.compile(r"(?:政府|办公室|办公厅|委员会|管委会|局|委|办|厅|院|中心|处|所|站|队)$")
_SITE_CODE = regex.compile(r"^(\d{6})\d{4}$")


@dataclass(frozen=True, slots=True)
class Placed:
    region: Region = field(default_factory=Region)
    agency: Agency = field(default_factory=Agency)

    def report_fields(self) -> dict[str, Any]:
        """The Report fields the region and the agency fill."""
        region, agency = self.region, self.agency
        return {"province": region.province, "city": region.city, "county": region.county,
                "adcode": region.adcode, "region_level": region.level,
                "region_source": region.source, "region_note": region.note,
                "region_zone": region.zone, "agency_canonical": agency.canonical,
                "agency_kind": agency.kind, "agency_id": agency.agency_id}


def place(doc: Document, meta: Meta, registry_region: str | None = None) -> Placed:
    """The region of the report's agency and the agency's identity."""
    return place_by(meta.agency, list(_evidence(doc, meta, registry_region)))


def place_by(name: str | None, evidence: list[Evidence]) -> Placed:
    """The region the evidence gives the agency called ``name``, and the agency's identity;
    ``evidence`` starts with the name itself (source ``title``) when there is one."""
    region, mention = gazetteer().resolve(evidence)
    in_name = mention if name and evidence and evidence[0].source == "title" \
        and region.source and region.source.startswith("title") else None
    agency = identify(name, region, in_name, region_prefix(region))
    if agency.township and region.level == "county":
        region = replace(region, level="township")
    return Placed(region, agency)


def region_prefix(region: Region) -> str | None:
    """The region's names as an agency's name prints them before its organ: 淮安市洪泽区."""
    if region.level == "county":
        return (region.city or "") + (region.county or "")
    return {"city": region.city, "province": region.province}.get(region.level or "")


def _evidence(doc: Document, meta: Meta, registry_region: str | None) -> Iterator[Evidence]:
    if meta.agency:
        yield Evidence("title", meta.agency)
    elif meta.title:
        yield Evidence("title", squash(meta.title))
    for text in _signature(doc):
        yield Evidence("body", text)
    for paragraph in doc.paragraphs[:BODY_PARAGRAPHS]:
        text = squash(paragraph.text)
        for pattern in (_COMPILED_BY, _ADDRESS):
            for match in pattern.finditer(text):
                yield Evidence("body", match[1])
    if registry_region:
        yield Evidence("registry", squash(registry_region))
    for key in ("SiteName", "ColumnName"):
        if doc.meta.get(key):
            yield Evidence("meta", squash(doc.meta[key]))
    code = _SITE_CODE.match(doc.meta.get("SiteIDCode", ""))
    if code:
        yield Evidence("meta", code[1])


def _signature(doc: Document) -> list[str]:
    lines = [squash(p.text) for p in doc.paragraphs[-SIGNATURE_LINES:]]
    return [t for t in reversed(lines) if len(t) <= SIGNATURE_MAX and _ORGAN.search(t)]
