"""One agency under all its spellings: canonical name, kind and a stable id.

洪泽区人民政府 one year and 淮安市洪泽区人民政府 the next are one agency: the region prefix is
rewritten from the resolved region (``normalize.regions``) and the organ's short forms are
spelled out (政府 -> 人民政府, 管委会 -> 管理委员会), so both get the id ``320813-人民政府``.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from gk_extract.normalize.regions import Mention, Region, base_name

KINDS = ("government", "general_office", "department", "township", "zone", "vertical")

# Short forms of the organ, spelled out: (pattern, replacement), applied in order.
_ORGAN_FORMS = (
    (regex.compile(r"^(?:人民)?政府办(?:公室)?$"), "人民政府办公室"),
    (regex.compile(r"^(?:人民)?政府办公厅$"), "人民政府办公厅"),
    (regex.compile(r"^政府"), "人民政府"),
    (regex.compile(r"管委会"), "管理委员会"),
    (regex.compile(r"党工委管理委员会$"), "管理委员会"),
)
# Offices under the central government's vertical management, whatever place they serve.
_VERTICAL = regex.compile(
    r"国家税务总局|税务局$|海关$|国家统计局|调查队$|中国人民银行|国家金融监督管理总局|金融监管"
    r"|银保监|国家外汇管理局|气象局$|烟草专卖局$|邮政管理局$|地震局$|出入境边防检查站$")
_TOWNSHIP = regex.compile(r"^\p{Han}{1,10}?(?:镇|乡|街道)(?:人民政府|政府|办事处|党工委)?$")
_OFFICE = regex.compile(r"^人民政府办公[室厅]$")
_ZONE_ORGAN = regex.compile(r"管理委员会$|管委会$|工作委员会$")
_NOT_SLUG = regex.compile(r"[^\p{Han}\p{L}\p{N}]+")


@dataclass(frozen=True, slots=True)
class Agency:
    canonical: str | None = None
    kind: str | None = None
    agency_id: str | None = None
    township: bool = False  # the agency is a township's or a street's: a level below its county


def identify(name: str | None, region: Region, mention: Mention | None,
             prefix: str | None) -> Agency:
    """The agency called ``name``, in ``region``; ``mention``: the chain of place names inside
    ``name`` that the region was read from (None when the name names no place); ``prefix``:
    the region's full name prefix (淮安市洪泽区)."""
    if not name:
        return Agency()
    lead, place, organ = _split(name, mention)
    zone = bool(mention is not None and mention.zone) or region.zone
    organ = spell_out(organ)
    own = ""  # a zone's own name, after the division's name it may start with
    if zone and mention is not None and mention.zone:
        own = _after_division(name[mention.start:mention.end], region)
        named = mention.listed or any(n and own.startswith(base_name(n))
                                      for n in (region.county, region.city, region.province))
        place = own if named else (prefix or "") + own
    elif prefix is not None:
        place = prefix
    canonical = lead + place + organ
    kind = agency_kind(lead + organ, zone)
    agency_id = f"{region.adcode}-{slug(lead + own + organ)}" if region.adcode else None
    return Agency(canonical, kind, agency_id, kind == "township")


def _split(name: str, mention: Mention | None) -> tuple[str, str, str]:
    """``name`` as what precedes its place names, the place names, and the organ after."""
    if mention is None:
        return "", "", name
    return name[:mention.start], name[mention.start:mention.end], name[mention.end:]


def _after_division(zone: str, region: Region) -> str:
    """A zone's name without the division's full name it starts with (南平市高新区 ->
    高新区, 河北雄安新区 -> 雄安新区); a zone named after a division's base (平潭综合实验区)
    keeps its whole name."""
    names = (region.county, region.city, region.province,
             base_name(region.province) if region.province else None)
    for name in names:
        if name and zone.startswith(name) and len(zone) > len(name):
            return _after_division(zone[len(name):], region)
    return zone


def spell_out(organ: str) -> str:
    for pattern, full in _ORGAN_FORMS:
        organ = pattern.sub(full, organ)
    return organ


def agency_kind(organ: str, zone: bool) -> str:
    if _VERTICAL.search(organ):
        return "vertical"
    if zone and (not organ or _ZONE_ORGAN.search(organ)):
        return "zone"
    if organ == "人民政府":
        return "government"
    if _OFFICE.match(organ):
        return "general_office"
    if _TOWNSHIP.match(organ):
        return "township"
    return "department"


def slug(text: str) -> str:
    """The name without spaces and punctuation: the stable half of an agency_id."""
    return _NOT_SLUG.sub("", text)
