from __future__ import annotations

from datetime import date

from gk_extract.models import Document, Paragraph
from gk_extract.template.meta import read_meta
from gk_extract.template.sections import find_sections


def doc(*lines: str, **meta: str) -> Document:
    return Document("html", tuple(Paragraph(line) for line in lines), meta=meta)


def test_headings_without_markup_glued_and_misnumbered() -> None:
    d = doc("某区财政局2023年政府信息公开工作年度报告",
            "本报告共分6个部分：总体情况、主动公开政府信息情况。",
            "一、总体情况 2023年，我局认真贯彻。", "（一）主动公开情况", "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "六、政府信息公开工作存在的主要问题及改进情况", "问题一。", "六、其他需要报告的事项", "无。",
            "某区财政局", "2024年1月10日")
    sections = find_sections(d)
    assert [s.key for s in sections] == ["s1_overview", "s2_proactive", "s3_requests",
                                         "s4_review_litigation", "s5_problems", "s6_other"]
    assert sections[0].heading == "一、总体情况"
    assert sections[0].text.startswith("2023年，我局认真贯彻。")
    assert sections[4].number == 6  # printed number kept, meaning from the words
    assert sections[5].text == "无。"  # signature lines are not section text


def test_title_over_two_lines_and_signature_date() -> None:
    d = doc("淮安市某区人民政府", "2024 年政府信息公开工作年度报告", "正文。", "2025年1月20日")
    meta = read_meta(d)
    assert (meta.agency, meta.year, meta.published) == ("淮安市某区人民政府", 2024, date(2025, 1, 20))


def test_page_meta_title_and_pubdate() -> None:
    d = doc("正文。", ArticleTitle="某市2024年度政府信息公开工作年度报告", PubDate="2025-03-10 15:35")
    meta = read_meta(d)
    assert (meta.agency, meta.year, meta.published) == ("某市人民政府", 2024, date(2025, 3, 10))


def test_site_suffix_removed_and_notice_recognised() -> None:
    assert read_meta(doc("x", ArticleTitle="某县2022年政府信息公开工作年度报告_某县人民政府网")).agency == "某县人民政府"
    notice = read_meta(doc("关于做好2023年政府信息公开工作年度报告编制发布工作的通知"))
    assert notice.title_is_other and not notice.title_is_report


def test_title_with_the_year_first() -> None:
    meta = read_meta(doc("2023年度某市交通运输局政府信息公开工作年度报告", "正文。"))
    assert (meta.agency, meta.year) == ("某市交通运输局", 2023)


def test_a_title_naming_only_a_place_gives_its_government() -> None:
    from gk_extract.template.meta import issuing_agency

    assert issuing_agency("某某综合实验区") == "某某综合实验区管委会"
    assert issuing_agency("某市某区") == "某市某区人民政府"
    assert issuing_agency("某区某某街道") == "某区某某街道办事处"
    assert issuing_agency("某市某区人民政府") == "某市某区人民政府"
    assert issuing_agency("某市交通运输局") == "某市交通运输局"
    assert issuing_agency("某区地方金融工作局") == "某区地方金融工作局"


def test_title_below_a_printed_pages_menu_and_breadcrumb() -> None:
    d = doc("· 首页", "· 政务公开", "· 政务服务", "· 互动交流", "· 走进本地",
            "当前位置：首页>政务公开>政府信息公开年报", "某县应急管理局2019年政府信息公开工作年度报告",
            "来源：某县应急管理局", "本报告根据《中华人民共和国政府信息公开条例》编制。")
    meta = read_meta(d)
    assert (meta.agency, meta.year, meta.title_is_report) == ("某县应急管理局", 2019, True)


def test_a_long_body_sentence_after_the_lead_is_no_title() -> None:
    body = ("本报告是根据某县2019年政府信息公开工作年度报告编写要求，结合本单位工作实际，"
            "由办公室汇总编制的全年情况说明，请予审阅。")
    d = doc("· 首页", "· 政务公开", "· 政务服务", "· 互动交流", "· 走进本地", body)
    assert read_meta(d).agency is None


def test_title_below_a_page_pictured_without_its_stylesheet() -> None:
    """Dozens of menu lines above the title (a page's screenshot without its CSS): a short
    title line before the first heading is still found; one after it is body text."""
    menus = [f"· 栏目{i}" for i in range(40)]
    d = doc(*menus, "某县应急管理局2021年政府信息公开工作年度报告", "来源：某县应急管理局",
            "一、总体情况", "正文。")
    assert (read_meta(d).agency, read_meta(d).year) == ("某县应急管理局", 2021)
    later = doc(*menus, "一、总体情况", "某县应急管理局2021年政府信息公开工作年度报告")
    assert read_meta(later).agency is None
    early = doc("正文。", "一、总体情况", *menus, "某县应急管理局2021年政府信息公开工作年度报告")
    assert read_meta(early).agency is None
    listing = doc(*menus, *(f"某县应急管理局{year}年政府信息公开工作年度报告" for year in (2021, 2022)))
    assert read_meta(listing).agency is None  # a column's listing, no report


def test_a_heading_wrapped_onto_a_line_of_its_own_is_joined() -> None:
    d = doc("三、收到和处理政府信息公开申请情况", "正文。", "四、政府信息公开行政复议、行政诉讼", "情况",
            "本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。", "五、存在的主要问题及改进情况",
            "情况说明如下。")
    sections = find_sections(d)
    assert sections[1].heading == "四、政府信息公开行政复议、行政诉讼情况"
    assert sections[1].text.startswith("本年度未发生")
    assert sections[2].text == "情况说明如下。"  # a whole heading takes no line after it
