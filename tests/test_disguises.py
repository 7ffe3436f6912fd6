"""Every encoding and disguise a valid report arrives in is read, never skipped: wide
encodings with and without a BOM, NULs between a page's bytes, a GBK page that declares
UTF-8, and HTML or RTF saved under a .doc name (RTF converted by the real LibreOffice)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from test_pipeline import REPORT_HTML, write

from gk_extract.pipeline import Settings, extract_paths

WIDE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def _rtf(text: str) -> bytes:
    r"""A minimal RTF document, each line a paragraph, CJK as \uN? escapes."""
    body = "".join(
        "".join(ch if ord(ch) < 128 else f"\\u{ord(ch) - 65536 if ord(ch) > 32767 else ord(ch)}?"
                for ch in line) + "\\par\n" for line in text.splitlines())
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\n" + body + "}").encode("ascii")


def test_wide_encodings_nuls_and_wrong_declarations_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    html = REPORT_HTML.format(n=7)
    for codec in WIDE:
        write(folder, f"{codec}.html", html.encode(codec))
    write(folder, "nul-bytes.html", b"\x00".join(bytes([b]) for b in html.encode()))
    write(folder, "gbk-says-utf8.html", html.encode("gb18030"))
    write(folder, "page-saved-as.doc", html.encode("utf-8"))
    out = tmp_path / "out"
    result = extract_paths([folder], Settings(out_dir=out))
    assert result.skipped == []
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    assert len(reports) == len(WIDE) + 3
    for report in reports:
        assert (report["format"], report["agency"], report["year"]) == ("html", "某县财政局", 2024), \
            report["source_path"]


def test_rtf_saved_as_doc_is_converted(tmp_path: Path) -> None:
    text = ("某县财政局2024年政府信息公开工作年度报告\n一、总体情况\n2024年，本局新收到申请7件。\n"
            "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
            "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n问题。\n"
            "六、其他需要报告的事项\n无。")
    folder = tmp_path / "in"
    write(folder, "report.doc", _rtf(text))
    out = tmp_path / "out"
    result = extract_paths([folder], Settings(out_dir=out))
    assert result.skipped == []
    (report,) = pq.read_table(out / "reports.parquet").to_pylist()
    assert (report["format"], report["agency"], report["year"]) == ("rtf", "某县财政局", 2024), report
    assert report["converter"] and "LibreOffice" in report["converter"]
    sections = pq.read_table(out / "sections.parquet").to_pylist()
    assert {s["number"] for s in sections} == {1, 2, 3, 4, 5, 6}
