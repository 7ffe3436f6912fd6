"""Look-alike code points: a Kangxi radical a PDF producer wrote for 行 reads as 行.

Every mapping of the table is checked against the Unicode data Python ships: its source lies
in one of the declared blocks, its target is a unified ideograph, and where the source has a
decomposition the target is its NFKC form; the others (radicals supplement, strokes) carry
their UCD name, checked against unicodedata. End to end, a report whose text layer spells
its labels and headings with radicals (printed by LibreOffice) comes out as the same report.
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from pdf_corpus import render_all, require_soffice
from test_roundtrip import assert_same, extract

from gk_extract.models import Document, Report
from gk_extract.normalize.codepoints import (
    BLOCKS,
    EQUIVALENT_NAMES,
    LOOKALIKES,
    has_lookalikes,
    unify_lookalikes,
)
from gk_extract.parse import parse_document, unify_document
from gk_extract.testing.synth import random_report
from gk_extract.testing.synth.office import convert_many

KANGXI = range(0x2F00, 0x2FD6)
SUPPLEMENT = range(0x2E80, 0x2EF4)
# The one assigned radical of the supplement with no equivalent ideograph in the UCD.
NO_EQUIVALENT = "\u2e80"


def _block(char: str) -> str | None:
    return next((name for name, (first, last) in BLOCKS.items()
                 if first <= ord(char) <= last), None)


@pytest.mark.parametrize(("source", "target"), sorted(LOOKALIKES.items()),
                         ids=[f"U+{ord(s):04X}" for s in sorted(LOOKALIKES)])
def test_each_mapping_goes_from_a_look_alike_block_to_a_unified_ideograph(
        source: str, target: str) -> None:
    assert _block(source) is not None
    assert unicodedata.name(target).startswith("CJK UNIFIED IDEOGRAPH")
    if unicodedata.decomposition(source):
        assert target == unicodedata.normalize("NFKC", source)
    else:
        assert unicodedata.name(source) == EQUIVALENT_NAMES[source]


def test_the_table_covers_every_radical_and_compatibility_ideograph() -> None:
    assert all(chr(c) in LOOKALIKES for c in KANGXI)
    assigned = {chr(c) for c in SUPPLEMENT if unicodedata.name(chr(c), "")}
    assert assigned - set(LOOKALIKES) == {NO_EQUIVALENT}
    for block in ("CJK Compatibility Ideographs", "CJK Compatibility Ideographs Supplement"):
        first, last = BLOCKS[block]
        decomposed = {chr(c) for c in range(first, last + 1) if unicodedata.decomposition(chr(c))}
        assert decomposed <= set(LOOKALIKES), block


def test_radicals_read_as_the_ideographs_of_the_label() -> None:
    printed = "⾏政规范性⽂件 ⻔户⽹站 ⼆、主动公开 ⾮⻓期"
    assert has_lookalikes(printed)
    assert unify_lookalikes(printed) == "行政规范性文件 门户网站 二、主动公开 非长期"
    assert unify_lookalikes("\uf900\U0002f800") == "\u8c48\u4e3d"  # 豈 丽


@pytest.mark.parametrize("text", [
    "二、主动公开政府信息情况", "（一）行政复议", "１２３，、。：；！？", "１,２３４．５ 件",
    "ABC abc 0.5% - / ( )", "〔2021〕30号", "", "\u3000 \n\t",
    NO_EQUIVALENT, "\ufa0e",  # in a look-alike block, yet nothing to map to (﨎 is unified)
])
def test_ordinary_and_full_width_text_stays_as_printed(text: str) -> None:
    assert not has_lookalikes(text)
    assert unify_lookalikes(text) == text


def test_every_text_of_a_parsed_document_is_unified() -> None:
    page = ("<html><head><meta charset='utf-8'><title>⾏政规范性⽂件</title></head><body>"
            "<p>⼀、总体情况</p><table><tr><td>⾏政许可</td><td>１２</td></tr>"
            "<tr><td>⻔户⽹站</td><td>（⼀）</td></tr></table></body></html>").encode()
    doc = parse_document(page, "html")
    assert doc.title == "行政规范性文件"
    assert "一、总体情况" in [p.text for p in doc.paragraphs]
    assert [c.text for c in doc.tables[0].cells] == ["行政许可", "１２", "门户网站", "（一）"]


def test_a_document_without_look_alikes_is_returned_as_it_is() -> None:
    page = "<html><body><p>二、主动公开</p><table><tr><td>行政许可</td><td>１２</td></tr></table>"
    doc = parse_document(page.encode(), "html")
    assert unify_document(doc) is doc


# ------------------------------------------------------------------ end to end, through PDF

# Each unified ideograph -> the radical a producer may write for it (Kangxi radicals over
# supplement ones where both exist, as the font's one glyph serves both).
_TO_RADICALS = str.maketrans({
    **{dst: src for src, dst in LOOKALIKES.items() if ord(src) in SUPPLEMENT},
    **{dst: src for src, dst in LOOKALIKES.items() if ord(src) in KANGXI},
})
# The printed report has hundreds of such ideographs; fewer radicals in its text layer would
# mean the printer did not keep them, and the test would prove nothing.
RADICALS_IN_LAYER = 50
_RUN_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)")


def with_radicals(docx: bytes) -> bytes:
    """The DOCX with every ideograph that has a radical written as that radical (text only,
    not font names or styles)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            body = old.read(item)
            if item.filename == "word/document.xml":
                text = _RUN_TEXT.sub(lambda m: m[1] + m[2].translate(_TO_RADICALS), body.decode())
                body = text.encode()
            new.writestr(item, body)
    return out.getvalue()


def _texts(doc: Document) -> str:
    return "".join([*(p.text for p in doc.paragraphs),
                    *(c.text for t in doc.tables for c in t.cells)])


def _cells(report: Report) -> dict[str, tuple[str, float | None]]:
    return {c.key: ("".join(c.value.raw.split()), c.value.value) for c in report.cells}


def test_a_pdf_spelled_with_radicals_extracts_as_the_same_report(tmp_path: Path) -> None:
    require_soffice()
    truth = random_report(random.Random(5))
    plain = render_all(tmp_path / "docx", [truth], prefix="plain")
    radicals = render_all(tmp_path / "docx", [truth], prefix="radicals", edit=with_radicals)
    plain_pdf, radicals_pdf = (p.read_bytes() for p in
                               convert_many([*plain, *radicals], "pdf", tmp_path / "pdf"))
    from gk_extract.parse.pdf import parse_pdf

    layer = _texts(parse_pdf(radicals_pdf))
    assert sum(char in LOOKALIKES for char in layer) > RADICALS_IN_LAYER  # as printed
    assert not has_lookalikes(_texts(parse_document(radicals_pdf)))
    report = extract(radicals_pdf)
    assert_same(report, truth, exact_text=False)
    assert _cells(report) == _cells(extract(plain_pdf))
    assert any(c.key.startswith("s2") for c in report.cells)
