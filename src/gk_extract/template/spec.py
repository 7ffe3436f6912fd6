"""The report templates as data: sections, tables, rows, columns, cell keys and label variants.

Everything the matcher knows about the national formats lives here (see report-format.md
§1, §2 and §5). A label spec is a tuple of *alternative* normalised substrings; a printed
label matches when it contains one of them. Longer alternatives win over shorter ones, so
``行政规范性文件`` beats ``规范性文件``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ColSpec:
    key: str
    label: str
    match: tuple[str, ...]
    exact: bool = False  # the printed label must equal (not contain) one alternative

    def __hash__(self) -> int:  # by key alone: specs key the label caches, hashed per lookup
        return hash(self.key)


@dataclass(frozen=True, slots=True)
class RowSpec:
    key: str
    label: str
    match: tuple[str, ...]
    group: tuple[str, ...] = ()  # the enclosing group label (（三）不予公开 …), when any
    exact: bool = False

    def __hash__(self) -> int:  # by key alone, as ColSpec
        return hash(self.key)


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One section 二 block: its rows and the columns printed in its header row."""

    caption: str
    rows: tuple[RowSpec, ...]
    cols: tuple[ColSpec, ...]


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    number: int
    heading: str
    match: tuple[str, ...]  # keywords that identify the heading after its number


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("s1_overview", 1, "一、总体情况", ("总体情况", "概述", "基本情况")),
    SectionSpec("s2_proactive", 2, "二、主动公开政府信息情况", ("主动公开",)),
    SectionSpec("s3_requests", 3, "三、收到和处理政府信息公开申请情况",
                ("收到和处理", "依申请公开", "处理政府信息公开申请")),
    SectionSpec("s4_review_litigation", 4, "四、政府信息公开行政复议、行政诉讼情况",
                ("行政复议", "行政诉讼", "复议")),
    SectionSpec("s5_problems", 5, "五、存在的主要问题及改进情况",
                ("存在的主要问题", "主要问题", "存在问题", "问题及改进", "问题和改进")),
    SectionSpec("s6_other", 6, "六、其他需要报告的事项", ("其他需要报告", "其他事项", "需要报告的事项")),
)

# ----------------------------------------------------------------------------- section 二

_COUNT_2021 = (
    ColSpec("issued", "本年制发件数", ("本年制发", "制发件数", "制发")),
    ColSpec("repealed", "本年废止件数", ("本年废止", "废止件数", "废止")),
    ColSpec("in_force", "现行有效件数", ("现行有效", "有效件数")),
)
_DECISIONS_2021 = (ColSpec("decisions", "本年处理决定数量", ("处理决定",)),)
_FEES_2021 = (ColSpec("amount_wan_yuan", "本年收费金额（单位：万元）", ("收费金额", "金额")),)

S2_2021: tuple[BlockSpec, ...] = (
    BlockSpec("第二十条第（一）项", (
        RowSpec("regulations", "规章", ("规章",)),
        RowSpec("normative_docs", "行政规范性文件", ("行政规范性文件", "规范性文件")),
    ), _COUNT_2021),
    BlockSpec("第二十条第（五）项", (
        RowSpec("licensing", "行政许可", ("行政许可", "许可")),
    ), _DECISIONS_2021),
    BlockSpec("第二十条第（六）项", (
        RowSpec("penalty", "行政处罚", ("行政处罚", "处罚")),
        RowSpec("coercion", "行政强制", ("行政强制", "强制")),
    ), _DECISIONS_2021),
    BlockSpec("第二十条第（八）项", (
        RowSpec("admin_fees", "行政事业性收费", ("行政事业性收费", "事业性收费", "收费")),
    ), _FEES_2021),
)

_COUNT_2019 = (
    ColSpec("new_made", "本年新制作数量", ("新制作",)),
    ColSpec("new_published", "本年新公开数量", ("新公开",)),
    ColSpec("published_total", "对外公开总数量", ("对外公开总数", "公开总数")),
)
_ITEMS_2019 = (
    ColSpec("prev_year_items", "上一年项目数量", ("上一年项目", "上年项目")),
    ColSpec("change", "本年增/减", ("增/减", "增减", "增/减少")),
    ColSpec("decisions", "处理决定数量", ("处理决定",)),
)

S2_2019: tuple[BlockSpec, ...] = (
    BlockSpec("第二十条第（一）项", (
        RowSpec("regulations", "规章", ("规章",)),
        RowSpec("normative_docs", "规范性文件", ("规范性文件",)),
    ), _COUNT_2019),
    BlockSpec("第二十条第（五）项", (
        RowSpec("licensing", "行政许可", ("行政许可", "许可")),
        RowSpec("other_services", "其他对外管理服务事项", ("其他对外管理服务", "对外管理服务")),
    ), _ITEMS_2019),
    BlockSpec("第二十条第（六）项", (
        RowSpec("penalty", "行政处罚", ("行政处罚", "处罚")),
        RowSpec("coercion", "行政强制", ("行政强制", "强制")),
    ), _ITEMS_2019),
    BlockSpec("第二十条第（八）项", (
        RowSpec("admin_fees", "行政事业性收费", ("行政事业性收费", "事业性收费", "收费")),
    ), _ITEMS_2019[:2]),
    BlockSpec("第二十条第（九）项", (
        RowSpec("central_procurement", "政府集中采购", ("政府集中采购", "集中采购")),
    ), (
        ColSpec("procurement_items", "采购项目数量", ("采购项目",)),
        ColSpec("procurement_amount", "采购总金额", ("采购总金额", "总金额")),
    )),
)

# ----------------------------------------------------------------------------- section 三

TOTAL = "total"  # the column (三) or outcome (四) that sums the others

S3_COLS: tuple[ColSpec, ...] = (
    ColSpec("natural_person", "自然人", ("自然人",)),
    ColSpec("commercial_enterprise", "商业企业", ("商业企业", "企业")),
    ColSpec("research_institution", "科研机构", ("科研机构", "科研")),
    ColSpec("social_welfare_org", "社会公益组织", ("社会公益组织", "公益组织", "社会组织")),
    ColSpec("legal_service_org", "法律服务机构", ("法律服务机构", "法律服务")),
    ColSpec("other_org", "其他", ("其他",), exact=True),
    ColSpec(TOTAL, "总计", ("总计", "合计"), exact=True),
)

_WITHHELD = ("不予公开",)
_UNABLE = ("无法提供",)
_NOT_PROCESSED = ("不予处理",)
_OTHER = ("其他处理",)

S3_ROWS: tuple[RowSpec, ...] = (
    RowSpec("new_received", "一、本年新收政府信息公开申请数量", ("本年新收", "新收")),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    RowSpec("granted", "（一）予以公开", ("予以公开",)),
    RowSpec("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)),
    RowSpec("withheld_state_secret", "1.属于国家秘密", ("国家秘密",), _WITHHELD),
    RowSpec("withheld_other_law", "2.其他法律行政法规禁止公开",
            ("其他法律行政法规", "其他法律", "行政法规禁止", "法规禁止", "禁止公开"), _WITHHELD),
    RowSpec("withheld_three_safety_one_stability", "3.危及“三安全一稳定”", ("三安全一稳定", "三安全"), _WITHHELD),
    RowSpec("withheld_third_party_rights", "4.保护第三方合法权益", ("第三方合法权益", "第三方"), _WITHHELD),
    RowSpec("withheld_internal_affairs", "5.属于三类内部事务信息", ("内部事务",), _WITHHELD),
    RowSpec("withheld_process_info", "6.属于四类过程性信息", ("过程性信息", "过程性"), _WITHHELD),
    RowSpec("withheld_enforcement_file", "7.属于行政执法案卷", ("执法案卷",), _WITHHELD),
    RowSpec("withheld_admin_query", "8.属于行政查询事项", ("行政查询", "查询事项"), _WITHHELD),
    RowSpec("unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), _UNABLE),
    RowSpec("unable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), _UNABLE),
    RowSpec("unable_still_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "不明确"), _UNABLE),
    RowSpec("not_processed_petition_complaint", "1.信访举报投诉类申请", ("信访", "举报投诉"), _NOT_PROCESSED),
    RowSpec("not_processed_duplicate", "2.重复申请", ("重复申请",), _NOT_PROCESSED),
    RowSpec("not_processed_publication", "3.要求提供公开出版物", ("出版物",), _NOT_PROCESSED),
    RowSpec("not_processed_mass_repeat", "4.无正当理由大量反复申请", ("大量反复", "反复申请"), _NOT_PROCESSED),
    RowSpec("not_processed_confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息",
            ("重新出具", "确认或重新", "已获取信息"), _NOT_PROCESSED),
    RowSpec("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ("不补正", "逾期不补"), _OTHER),
    RowSpec("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ("缴纳费用", "收费通知", "未按收费"), _OTHER),
    RowSpec("other_other", "3.其他", ("其他",), _OTHER, exact=True),
    RowSpec("result_total", "（七）总计", ("总计", "合计"), exact=True),
    RowSpec("carried_forward", "四、结转下年度继续办理", ("结转下年", "继续办理")),
)

# The 2019 format prints （六）其他处理 as a single row; so do some later reports.
S3_OTHER_HANDLING = RowSpec("other_handling", "（六）其他处理", ("其他处理",))



def _row_keys(first: str, last: str) -> tuple[str, ...]:
    """The keys of section 三's rows from ``first`` to ``last``, both included, in template order."""
    keys = [r.key for r in S3_ROWS]
    return tuple(keys[keys.index(first):keys.index(last) + 1])


# Named row roles of section 三 (report-format.md §3).
S3_DETAIL_ROWS: tuple[str, ...] = _row_keys("granted", "other_other")  # the 21 rows adding up to （七）总计
S3_OTHER_ROWS: tuple[str, ...] = _row_keys("other_no_correction", "other_other")  # under （六）其他处理
# Every row section 三 may print, （六）其他处理 as one row standing before its three rows.
_AT_OTHER = [r.key for r in S3_ROWS].index(S3_OTHER_ROWS[0])
S3_ALL_ROWS: tuple[RowSpec, ...] = (*S3_ROWS[:_AT_OTHER], S3_OTHER_HANDLING, *S3_ROWS[_AT_OTHER:])

# ----------------------------------------------------------------------------- section 四

S4_GROUPS: tuple[ColSpec, ...] = (
    ColSpec("review", "行政复议", ("行政复议",)),
    ColSpec("suit_direct", "行政诉讼 › 未经复议直接起诉", ("未经复议", "直接起诉")),
    ColSpec("suit_after_review", "行政诉讼 › 复议后起诉", ("复议后起诉", "复议后")),
)
S4_OUTCOMES: tuple[ColSpec, ...] = (
    ColSpec("upheld", "结果维持", ("维持",)),
    ColSpec("corrected", "结果纠正", ("纠正",)),
    ColSpec("other", "其他结果", ("其他",)),
    ColSpec("pending", "尚未审结", ("尚未审结", "未审结")),
    ColSpec(TOTAL, "总计", ("总计", "合计")),
)

# ----------------------------------------------------------------------------- version detection

# Labels that identify a template regardless of the year printed (report-format.md §0).
SIGNS_2021: tuple[str, ...] = ("本年制发件数", "现行有效件数", "本年废止件数", "制发件数")
SIGNS_2019: tuple[str, ...] = ("本年新制作数量", "对外公开总数量", "上一年项目数量", "第二十条第（九）项",
                               "本年新公开数量", "新制作数量")
SIGNS_2014: tuple[str, ...] = ("统计指标", "当面申请数", "回应解读", "传真申请数", "信函申请数")
