"""Reports before 2019: the statistics tables read as legacy rows, through the pipeline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gk_extract.pipeline import Settings, extract_paths

STAT2014 = [
    ("一、主动公开情况", "", ""),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "1,204"),
    ("其中：主动公开规范性文件数", "条", "12"),
    ("三、依申请公开情况", "", ""),
    ("（一）收到申请数", "件", "37"),
    ("1.当面申请数", "件", "20"),
    ("2.网络申请数", "件", "17"),
    ("四、行政复议数量", "件", "3"),
    ("（一）维持具体行政行为数", "件", "2"),
    ("（三）其他情形数", "件", "1"),
    ("五、行政诉讼数量", "件", "1"),
    ("（三）其他情形数", "件", "—"),
    ("七、依申请公开信息收取的费用", "万元", "0"),
]


def page(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    head = "".join(f"<td>{h}</td>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    sections = "".join(f"<p>{h}</p><p>本年度工作情况说明。</p>" for h in (
        "一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况",
        "四、政府信息公开的收费及减免情况", "五、因政府信息公开申请提起行政复议、行政诉讼的情况",
        "六、存在的主要问题及改进措施"))
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='TRS_Editor'><p>{title}</p>{sections}<p>附表：政府信息公开情况统计表</p>"
            f"<table border='1'><tr>{head}</tr>{body}</table></div></body></html>").encode()


def test_the_2014_statistics_table_is_read_as_legacy_rows(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "2016.html").write_bytes(page("宜昌市夷陵区人民政府2016年政府信息公开工作年度报告",
                                            ("统计指标", "单位", "统计数"), STAT2014))
    (folder / "2012.html").write_bytes(page(
        "宜昌市夷陵区人民政府2012年政府信息公开工作年度报告", ("指标名称", "计量单位", "2011年", "2012年"),
        [("一、受理申请总数（件）", "", "8", "11"), ("二、行政复议数", "件", "0", "1")]))
    extract_paths([folder], Settings(out_dir=tmp_path / "out"))
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("year")
    assert reports.loc[2016, "template"] == "2014" and reports.loc[2016, "status"] == "ok"
    assert reports.loc[2012, "template"] == "legacy" and reports.loc[2012, "status"] == "ok"
    cells = pd.read_parquet(tmp_path / "out" / "cells.parquet")
    stat = cells[cells.table == "stat2014"].set_index("key")
    received = stat.loc["stat2014_三_收到申请数__value"]
    assert (received.value, received.unit, received.maps_to) == (37, "件", "s3_new_received__total")
    assert received.row_label == "（一）收到申请数"
    assert stat.loc["stat2014_一_主动公开政府信息数不同渠道和方式公开相同信息计1条__value"].value == 1204
    # 其他情形数 stands under both 行政复议 and 行政诉讼: the part keeps them apart
    assert stat.loc["stat2014_四_其他情形数__value"].value == 1
    assert stat.loc["stat2014_五_其他情形数__value"].kind == "placeholder"
    assert stat.loc["stat2014_四_维持具体行政行为数__value"].maps_to == "s4_review__upheld"
    assert pd.isna(stat.loc["stat2014_五_行政诉讼数量__value"].maps_to)  # no single 2021 cell
    assert stat.loc["stat2014_七_依申请公开信息收取的费用__value"].unit == "万元"
    old = cells[cells.table == "legacy"].set_index("key")
    assert old.loc["legacy_一_受理申请总数__2012年"].value == 11
    assert old.loc["legacy_一_受理申请总数__2011年"].unit == "件"
    panel = pd.read_parquet(tmp_path / "out" / "panel.parquet").set_index("year")
    assert panel.loc[2016, "s3_new_received__total"] == 37
    assert panel.loc[2016, "s4_review__total"] == 3
    assert reports.loc[2016, "agency_id"] == reports.loc[2012, "agency_id"] == "420506-人民政府"
