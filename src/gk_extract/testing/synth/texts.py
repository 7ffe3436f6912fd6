"""Running text of synthetic reports and notices: title, preamble, sections, signature.

Numbers quoted in the text (rule T1 of report-format.md §3) come from the same counts as
the tables, so a checker comparing text with table finds them equal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from gk_extract.template.spec import SECTIONS

from .names import random_phone

# Formats cited in the preamble, by template (report-format.md §0).
FORMAT_NOTICES: dict[str, str] = {
    "2021": "国办公开办函〔2021〕30号",
    "2019": "国办公开办函〔2019〕60号",
}
# Headings real reports print instead of the official ones (report-format.md §1).
HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "s2_proactive": ("二、行政机关主动公开政府信息情况",),
    "s4_review_litigation": ("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",),
    "s5_problems": (
        "五、存在的主要问题和改进情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "五、存在问题及改进情况",
    ),
}
HEADING_VARIANT_RATE = 0.12  # chance one heading uses a variant wording
MISSING_COMMA_RATE = 0.03  # chance one heading lacks its 、 ("六 其他需要报告的事项")

_PUBLIC_TOPICS: tuple[str, ...] = (
    "重大建设项目",
    "财政预决算",
    "公共资源配置",
    "社会公益事业",
    "规划计划",
    "行政执法",
)
_WORK_VERBS: tuple[str, ...] = ("持续深化", "不断完善", "扎实推进", "进一步加强", "着力提升")


@dataclass(frozen=True, slots=True)
class RequestFigures:
    """The four section 三 totals quoted in the text (T1)."""

    new_received: int
    carried_over: int
    closed: int
    carried_forward: int


def title(rng: random.Random, agency: str, year: int) -> str:
    """``{agency}{year}年政府信息公开工作年度报告``, sometimes ``{year}年度``."""
    return f"{agency}{year}{rng.choice(('年', '年', '年度'))}政府信息公开工作年度报告"


def headings(rng: random.Random) -> dict[str, str]:
    """The six headings as printed: official, now and then a variant wording."""
    printed = {s.key: s.heading for s in SECTIONS}
    for key, variants in HEADING_VARIANTS.items():
        if rng.random() < HEADING_VARIANT_RATE:
            printed[key] = rng.choice(variants)
    if rng.random() < MISSING_COMMA_RATE:
        key = rng.choice(sorted(printed))
        printed[key] = printed[key].replace("、", " ", 1)
    return printed


def preamble(rng: random.Random, agency: str, year: int, template: str) -> str:
    """The paragraph before 一: legal basis, the six parts, the period and a contact."""
    parts = "、".join(s.heading.split("、", 1)[1] for s in SECTIONS)
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        f"《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉"
        f"的通知》（{FORMAT_NOTICES[template]}）要求编制。本报告共分{parts}六个部分。"
        f"本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。"
        f"如对本报告有任何疑问，请与{agency}办公室联系（电话：{random_phone(rng)}）。"
    )


def _overview(rng: random.Random, year: int, figures: RequestFigures) -> list[str]:
    topics = "、".join(rng.sample(_PUBLIC_TOPICS, 3))
    return [
        f"{year}年，我单位坚持以公开为常态、不公开为例外，{rng.choice(_WORK_VERBS)}政务公开工作。",
        (
            f"（一）主动公开。全年通过政府门户网站主动公开政府信息{rng.randint(20, 3000)}条，"
            f"重点做好{topics}等领域信息公开。"
        ),
        (
            f"（二）依申请公开。本年新收到政府信息公开申请{figures.new_received}件，"
            f"上年结转{figures.carried_over}件，已办结{figures.closed}件，"
            f"结转下年度继续办理{figures.carried_forward}件。"
        ),
        f"（三）政府信息管理。{rng.choice(_WORK_VERBS)}信息发布审核，严格落实“先审查、后公开”制度。",
        f"（四）政府信息公开平台建设。{rng.choice(_WORK_VERBS)}政府网站和政务新媒体建设管理。",
        "（五）监督保障。将政务公开工作纳入年度绩效考核，开展工作考核、社会评议和责任追究。",
    ]


def _problems(rng: random.Random, year: int) -> list[str]:
    return [
        (
            f"（一）上年度存在的问题及在本年度的改进情况。针对政策解读形式单一的问题，"
            f"{year}年{rng.choice(_WORK_VERBS)}图解、视频等多种形式解读。"
        ),
        (
            f"（二）本年度存在的问题及在下年度的改进措施。主动公开的及时性有待提高，"
            f"{year + 1}年将{rng.choice(_WORK_VERBS)}信息发布审核流程。"
        ),
    ]


def _other_matters(rng: random.Random, year: int) -> list[str]:
    fee = rng.choice(("", "", f"{rng.randint(1, 40) * 10}"))
    fee_text = f"共收取信息处理费{fee}元。" if fee else "未收取信息处理费。"
    return [
        f"（一）政府信息处理费收取情况。{year}年，本机关{fee_text}",
        f"（二）人大代表建议和政协提案办理情况。全年办理建议提案{rng.randint(0, 60)}件。",
    ]


def sections(
    rng: random.Random, year: int, figures: RequestFigures, no_cases: bool
) -> dict[str, str]:
    """Body text of the six sections (tables excluded), paragraphs joined by ``\\n``."""
    texts = {
        "s1_overview": _overview(rng, year, figures),
        "s2_proactive": [] if rng.random() < 0.7 else ["本年度主动公开政府信息情况如下："],
        "s3_requests": []
        if rng.random() < 0.6
        else [
            (
                f"本年度共收到政府信息公开申请{figures.new_received + figures.carried_over}件"
                f"（含上年结转{figures.carried_over}件）。"
            )
        ],
        "s4_review_litigation": ["本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。"]
        if no_cases and rng.random() < 0.5
        else [],
        "s5_problems": _problems(rng, year),
        "s6_other": _other_matters(rng, year),
    }
    return {key: "\n".join(paragraphs) for key, paragraphs in texts.items()}


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def signature(agency: str, published: date) -> str:
    """The closing lines: agency, then ``YYYY年M月D日``."""
    return f"{agency}\n{chinese_date(published)}"


def notice_paragraphs(rng: random.Random, agency: str, year: int, deadline: date) -> list[str]:
    """A 通知 about compiling the annual reports: on topic, but not a report itself."""
    parts = "、".join(s.heading.split("、", 1)[1] for s in SECTIONS)
    return [
        "各乡镇人民政府、街道办事处，各有关单位：",
        (
            f"根据《中华人民共和国政府信息公开条例》和{FORMAT_NOTICES['2021']}要求，"
            f"现就做好{year}年度政府信息公开工作年度报告编制和发布工作通知如下。"
        ),
        f"一、年度报告应包括{parts}等内容，严格按照统一格式填报数据表格。",
        f"二、各单位须于{chinese_date(deadline)}前在本单位政府信息公开专栏发布年度报告。",
        f"三、年度报告发布前须经本单位主要负责同志审定。联系电话：{random_phone(rng)}。",
    ]


def notice_title(year: int) -> str:
    return f"关于做好{year}年度政府信息公开工作年度报告编制发布工作的通知"


# Sections whose text (printed before their tables) takes the filler paragraphs: padding
# there moves the page breaks of the 二 and 三 tables to other rows.
FILLER_SECTIONS: tuple[str, str] = ("s2_proactive", "s3_requests")
# Neutral prose for filler: no ordinal at the start, no figures, nothing a checker reads.
_FILLER_SENTENCES: tuple[str, ...] = (
    "我单位坚持把政务公开作为转变政府职能、建设法治政府的重要抓手，",
    "按照上级部署要求，结合本单位工作实际，",
    "围绕群众关切和社会关注的热点问题，",
    "认真落实政府信息公开工作责任制，",
    "持续优化政府信息公开栏目设置和内容保障，",
    "进一步规范信息发布流程，严格执行保密审查制度，",
    "推动政务公开工作走深走实，",
)
_FILLER_ENDINGS: tuple[str, ...] = (
    "确保各项工作落到实处。",
    "不断提升政务公开工作质效。",
    "切实保障人民群众的知情权、参与权和监督权。",
)


# ----------------------------------------------------------------------------- filler


def _filler_paragraph(rng: random.Random) -> str:
    sentences = rng.sample(_FILLER_SENTENCES, rng.randint(2, 4))
    return "".join(sentences) + rng.choice(_FILLER_ENDINGS)


def with_filler(sections: dict[str, str], count: int, seed: int) -> dict[str, str]:
    """Append ``count`` filler paragraphs to the text of sections 二 and 三, split at random.

    Drawn from a generator of their own (``seed``), so the rest of the report is the same
    with or without filler.
    """
    if not count:
        return sections
    rng = random.Random(f"{seed}:filler")
    before_s2 = rng.randint(0, count)
    padded = dict(sections)
    for key, n in zip(FILLER_SECTIONS, (before_s2, count - before_s2)):
        lines = [sections[key]] if sections[key] else []
        padded[key] = "\n".join(lines + [_filler_paragraph(rng) for _ in range(n)])
    return padded
