"""Regions and agency identity: names of places to GB/T 2260 codes, never guessed, and one
agency under all its spellings."""

from __future__ import annotations

import pytest

from gk_extract.formats import Format
from gk_extract.models import Document, Paragraph
from gk_extract.normalize.agencies import KINDS
from gk_extract.normalize.regions import Evidence, gazetteer, resolve
from gk_extract.template.match import Source, build_report
from gk_extract.template.meta import read_meta
from gk_extract.template.place import place


def region_of(*texts: str, sources: tuple[str, ...] = ("title", "body", "registry", "meta")):
    region, _ = resolve(Evidence(s, t) for s, t in zip(sources, texts))
    return region


def doc(*paragraphs: str, **meta: str) -> Document:
    return Document(Format.HTML, tuple(Paragraph(p) for p in paragraphs), meta=meta)


def test_a_full_name_resolves_to_its_county() -> None:
    region = region_of("淮安市洪泽区人民政府")
    assert (region.province, region.city, region.county, region.adcode, region.level) == (
        "江苏省", "淮安市", "洪泽区", "320813", "county")
    assert region.source == "title"


def test_an_ambiguous_name_stays_null_with_its_reason() -> None:
    region = region_of("鼓楼区人民政府")
    assert region.adcode is None and region.province is None
    assert "4 places share the name" in region.note
    assert "福州市鼓楼区" in region.note and "南京市鼓楼区" in region.note


def test_a_second_piece_of_evidence_tells_homonyms_apart() -> None:
    region = region_of("鼓楼区人民政府", "福州市鼓楼区人民政府办公室", sources=("title", "meta"))
    assert region.adcode == "350102" and region.source == "title+meta"
    # evidence naming a place none of the homonyms lies in decides nothing
    assert region_of("鼓楼区人民政府", "淮安市人民政府", sources=("title", "meta")).adcode is None


def test_a_renamed_county_resolves_to_its_current_division() -> None:
    listed = region_of("即墨市人民政府")  # in the dated changes file
    assert listed.adcode == "370215" and listed.county == "即墨区"
    assert "370282" in listed.note
    former = region_of("洪泽县财政局")  # 县 -> 区 under its earlier suffix
    assert former.adcode == "320813" and "洪泽县 is now 洪泽区" in former.note
    merged = region_of("长岛县人民政府")
    assert merged.adcode == "370614" and "merged" in merged.note


def test_a_division_newer_than_the_gazetteer_package_is_known() -> None:
    assert region_of("杭州市钱塘区人民政府").adcode == "330114"
    assert region_of("三明市沙县区人民政府").adcode == "350405"


def test_a_zone_maps_to_the_division_it_lies_in_with_a_flag() -> None:
    named = region_of("平潭综合实验区管委会")
    assert named.adcode == "350128" and named.county == "平潭县" and named.zone
    assert "lies in" in named.note
    listed = region_of("雄安新区管理委员会")
    assert listed.adcode == "130600" and listed.level == "city" and listed.zone
    # a zone named after a city lies in that city, however its name also reads as a county's
    city = region_of("淮安经济技术开发区管委会")
    assert city.adcode == "320800" and city.zone


def test_a_generic_district_name_needs_its_city() -> None:
    assert region_of("城区人民政府").adcode is None
    assert region_of("阳泉市城区人民政府").adcode == "140302"


def test_municipality_districts_and_province_level_agencies() -> None:
    district = region_of("北京市朝阳区人民政府办公室")
    assert (district.adcode, district.city, district.county) == ("110105", "北京市", "朝阳区")
    province = region_of("江苏省财政厅")
    assert (province.adcode, province.level, province.city) == ("320000", "province", None)


def test_a_bare_code_from_the_registry_or_site_code_names_its_division() -> None:
    region = region_of("财政局", "320813", sources=("title", "registry"))
    assert region.adcode == "320813" and region.source == "registry"


def test_a_name_naming_no_place_stays_null() -> None:
    region = region_of("教育部")
    assert region.adcode is None and region.note


def test_department_township_and_vertical_bureau_agencies() -> None:
    dept = place(doc("淮安市洪泽区财政局2023年政府信息公开工作年度报告"),
                 read_meta(doc("淮安市洪泽区财政局2023年政府信息公开工作年度报告")))
    assert dept.agency.kind == "department"
    assert dept.agency.agency_id == "320813-财政局"
    body = doc("岔河镇2023年政府信息公开工作年度报告", "本报告由淮安市洪泽区岔河镇人民政府编制。")
    town = place(body, read_meta(body))
    assert town.region.level == "township" and town.region.adcode == "320813"
    assert town.region.source == "body"
    assert town.agency.kind == "township"
    assert town.agency.canonical == "淮安市洪泽区岔河镇人民政府"
    vertical = doc("国家税务总局淮安市洪泽区税务局2023年政府信息公开工作年度报告")
    tax = place(vertical, read_meta(vertical))
    assert tax.region.adcode == "320813" and tax.agency.kind == "vertical"
    assert {dept.agency.kind, town.agency.kind, tax.agency.kind} <= set(KINDS)


@pytest.mark.parametrize("title", [
    "洪泽区人民政府2022年政府信息公开工作年度报告",
    "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
    "江苏省淮安市洪泽区政府2024年度政府信息公开工作年度报告",
])
def test_one_agency_gets_one_id_under_every_spelling(title: str) -> None:
    document = doc(title)
    placed = place(document, read_meta(document))
    assert placed.agency.canonical == "淮安市洪泽区人民政府"
    assert placed.agency.agency_id == "320813-人民政府"
    assert placed.agency.kind == "government"


def test_a_zone_administration_keeps_its_name_and_joins_across_spellings() -> None:
    ids = set()
    for title in ("平潭综合实验区2021年度政府信息公开工作年度报告",
                  "平潭综合实验区管理委员会2022年度政府信息公开工作年度报告"):
        document = doc(title)
        placed = place(document, read_meta(document))
        assert placed.agency.kind == "zone"
        assert placed.agency.canonical == "平潭综合实验区管理委员会"
        ids.add(placed.agency.agency_id)
    assert ids == {"350128-平潭综合实验区管理委员会"}


def test_the_page_meta_and_the_registry_place_a_department_without_a_place_name() -> None:
    page = doc("财政局2023年政府信息公开工作年度报告", SiteName="淮安市洪泽区人民政府")
    placed = place(page, read_meta(page))
    assert placed.region.adcode == "320813" and placed.region.source == "meta"
    assert placed.agency.canonical == "淮安市洪泽区财政局"
    coded = doc("财政局2023年政府信息公开工作年度报告", SiteIDCode="3208130001")
    assert place(coded, read_meta(coded)).region.adcode == "320813"
    registered = place(doc("财政局2023年政府信息公开工作年度报告"),
                       read_meta(doc("财政局2023年政府信息公开工作年度报告")), "江苏省淮安市洪泽区")
    assert registered.region.source == "registry" and registered.region.adcode == "320813"


def test_a_report_row_carries_its_region() -> None:
    document = doc("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "一、总体情况")
    report = build_report(document, Source("r1", "x.html", "html"))
    assert (report.adcode, report.region_level, report.agency_id) == (
        "320813", "county", "320813-人民政府")


def test_every_division_name_of_the_table_resolves_to_itself_or_is_a_known_homonym() -> None:
    found = gazetteer()
    counties = [d for d in found.divisions.values() if d.level == "county" and d.name != "市辖区"]
    resolved = ambiguous = 0
    for division in counties:
        name = found.label(division) + "人民政府"
        region = region_of(name)
        if region.adcode is None:
            ambiguous += 1
            continue
        assert region.adcode == division.adcode, (name, region)
        resolved += 1
    assert resolved > 2800 and ambiguous < 20


def test_autonomous_divisions_resolve_under_their_short_names() -> None:
    from gk_extract.normalize.regions import base_name

    assert [base_name(n) for n in ("凉山彝族自治州", "塔什库尔干塔吉克自治县", "长白朝鲜族自治县",
                                   "陵水黎族自治县", "龙胜各族自治县", "内蒙古自治区",
                                   "新疆维吾尔自治区")] == [
        "凉山", "塔什库尔干", "长白", "陵水", "龙胜", "内蒙古", "新疆"]
    assert region_of("凉山州人民政府").adcode == region_of("凉山彝族自治州人民政府").adcode == "513400"
    assert region_of("本溪县财政局").adcode == "210521"
    zone = region_of("延边经济开发区管委会")
    assert zone.adcode == "222400" and zone.zone
