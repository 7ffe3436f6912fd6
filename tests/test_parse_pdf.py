"""parse_pdf: PDF bytes -> Document, on the real WPS sample and on PDFs written here by hand.

The hand-made PDFs use the Adobe standard CJK font STSong-Light through the predefined CMaps
UniGB-UCS2-H (horizontal) and UniGB-UCS2-V (vertical, as WPS's Identity-V row headers), so
no font file is needed; rulings are stroked paths like WPS's. Encryption is the PDF standard
security handler, revision 2 (RC4, 40-bit), written here in a few lines.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import SAMPLES, sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gk_extract.errors import ParseError
from gk_extract.models import Cell, Document, Table
from gk_extract.parse.layout.lines import tidy_spacing
from gk_extract.parse.pdf.document import parse_pdf

A4 = (595.0, 842.0)


# --------------------------------------------------------------------------- a tiny PDF writer

CJK_FONT = (
    "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /{encoding} "
    "/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
    "/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    "/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
    "/StemV 93 >> /DW 1000 /W [1 95 500] >>] >>"
)
# A subset TrueType font without ToUnicode: its glyphs cannot be mapped to text ((cid:NN)).
UNMAPPED_FONT = (
    "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H "
    "/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun "
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
    "/FontDescriptor << /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 "
    "/FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 859 "
    "/StemV 80 >> /DW 1000 >>] >>"
)
FONTS = {
    "F1": CJK_FONT.format(encoding="UniGB-UCS2-H"),
    "F2": CJK_FONT.format(encoding="UniGB-UCS2-V"),
    "F3": UNMAPPED_FONT,
}
# Standard security handler padding string (PDF 1.7, algorithm 2).
PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


@dataclass
class Page:
    """Content of one page; positions in points from the top-left corner, as the parser's."""

    width: float = A4[0]
    height: float = A4[1]
    ops: list[str] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float = 10.5, font: str = "F1") -> Page:
        baseline = self.height - top - 0.88 * size
        self.ops.append(f"BT /{font} {size} Tf {x:.2f} {baseline:.2f} Td <{_hex(text)}> Tj ET")
        return self

    def turned(self, x: float, top: float, text: str, size: float = 10.5) -> Page:
        """Text turned 90 degrees counter-clockwise (reads upwards), starting at (x, top)."""
        self.ops.append(f"BT /F1 {size} Tf 0 1 -1 0 {x:.2f} {self.height - top:.2f} Tm "
                        f"<{_hex(text)}> Tj ET")
        return self

    def vertical(self, x: float, top: float, text: str, size: float = 10.5) -> Page:
        """Vertical writing (UniGB-UCS2-V), one glyph under the other from (x, top)."""
        self.ops.append(f"BT /F2 {size} Tf {x + size / 2:.2f} {self.height - top:.2f} Td "
                        f"<{_hex(text)}> Tj ET")
        return self

    def box(self, x0: float, top: float, x1: float, bottom: float) -> Page:
        self.ops.append(f"0.5 w {x0:.2f} {self.height - bottom:.2f} {x1 - x0:.2f} "
                        f"{bottom - top:.2f} re S")
        return self

    def table(self, xs: Sequence[float], ys: Sequence[float],
              cells: Sequence[tuple[int, int, str] | tuple[int, int, str, int, int]]) -> Page:
        """Ruled cells on the grid ``xs`` x ``ys``: (row, col, text[, rowspan, colspan])."""
        for spec in cells:
            row, col, text = spec[:3]
            rowspan, colspan = (spec[3], spec[4]) if len(spec) == 5 else (1, 1)
            self.box(xs[col], ys[row], xs[col + colspan], ys[row + rowspan])
            for i, line in enumerate(text.split("\n") if text else []):
                self.text(xs[col] + 3, ys[row] + 3 + 13 * i, line)
        return self

    def stream(self) -> bytes:
        return "\n".join(self.ops).encode("latin-1")


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _pdf_string(text: str) -> str:
    return f"<FEFF{_hex(text)}>"


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


@dataclass
class _Security:
    """RC4 40-bit (R2) keys for a user password, and the /Encrypt dictionary."""

    user: str
    file_id: bytes = hashlib.md5(b"gk_extract test").digest()
    permissions: int = -44

    def __post_init__(self) -> None:
        def pad(password: str) -> bytes:
            return (password.encode("latin-1") + PASSWORD_PAD)[:32]

        self.owner_entry = _rc4(hashlib.md5(pad("owner")).digest()[:5], pad(self.user))
        self.key = hashlib.md5(pad(self.user) + self.owner_entry
                               + self.permissions.to_bytes(4, "little", signed=True)
                               + self.file_id).digest()[:5]
        self.user_entry = _rc4(self.key, PASSWORD_PAD)

    def encrypt(self, number: int, data: bytes) -> bytes:
        object_key = hashlib.md5(self.key + number.to_bytes(3, "little") + b"\0\0").digest()
        return _rc4(object_key[:10], data)

    def dictionary(self) -> str:
        return (f"<< /Filter /Standard /V 1 /R 2 /O <{self.owner_entry.hex()}> "
                f"/U <{self.user_entry.hex()}> /P {self.permissions} >>")


def make_pdf(pages: Sequence[Page], *, info: dict[str, str] | None = None,
             user_password: str | None = None, rotate: int = 0) -> bytes:
    """A complete PDF with the pages' content, the fonts above and an optional Info dict."""
    security = None if user_password is None else _Security(user_password)
    objects: list[bytes] = []

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    fonts = " ".join(f"/{name} {add(src)} 0 R" for name, src in FONTS.items())
    pages_id = add(b"")
    kids = []
    for page in pages:
        data = page.stream()
        if security is not None:
            data = security.encrypt(len(objects) + 1, data)
        content = add(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {page.width} "
                        f"{page.height}] /Rotate {rotate} /Resources << /Font << {fonts} >> >> "
                        f"/Contents {content} 0 R >>"))
    objects[pages_id - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                             f"/Count {len(kids)} >>").encode("latin-1")
    trailer = f"/Root {add(f'<< /Type /Catalog /Pages {pages_id} 0 R >>')} 0 R"
    if info:
        entries = " ".join(f"/{k} {_pdf_string(v)}" for k, v in info.items())
        trailer += f" /Info {add(f'<< {entries} >>')} 0 R"
    if security is not None:
        trailer += (f" /Encrypt {add(security.dictionary())} 0 R "
                    f"/ID [<{security.file_id.hex()}> <{security.file_id.hex()}>]")
    return _serialise(objects, trailer)


def _serialise(objects: list[bytes], trailer: str) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --------------------------------------------------------------------------- helpers


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def texts(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for c in t.cells]


def rows_of(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.row_cells()]


def data_rows(table: Table, width: int) -> list[list[Cell]]:
    """Rows ending in ``width`` numbers."""
    return [row for row in table.row_cells()
            if len(row) > width and all(re.fullmatch(r"\d+", c.text) for c in row[-width:])]


def numbers(cells: Sequence[Cell]) -> list[int]:
    return [int(c.text) for c in cells]


def body_page(lines: Sequence[str], top: float = 80.0, pitch: float = 28.0) -> Page:
    """Body text as Word sets it: 16-pt lines from x=72 to ~520, paragraphs indented 2 em."""
    page = Page()
    for i, line in enumerate(lines):
        indent = 32.0 if line.startswith("\t") else 0.0
        page.text(72 + indent, top + pitch * i, line.lstrip("\t"), size=16)
    return page


# --------------------------------------------------------------------------- the real sample


@pytest.fixture(scope="module")
def hzq() -> Document:
    path = SAMPLES / "hzq2024.pdf"
    if not path.exists():
        pytest.skip(f"real samples not found at {SAMPLES} (clone the shared folder beside the project)")
    return parse_pdf(path.read_bytes())


@pytest.fixture(scope="module")
def hzq_truth() -> dict[str, Any]:
    path = SAMPLES / "truth" / "hzq2024.json"
    if not path.exists():
        pytest.skip(f"truth for the real samples not found at {path}")
    truth: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return truth


def _tables_with(doc: Document, label: str) -> list[Table]:
    return [t for t in doc.tables if any(label in squash(c.text) for c in t.cells)]


def test_hzq2024_section3_table_split_over_pages_3_and_4_comes_out_as_one_table(
        hzq: Document, hzq_truth: dict[str, Any]) -> None:
    (s3,) = _tables_with(hzq, "自然人")
    assert s3.page == 3 and {c.page for c in s3.cells} == {3, 4}
    rows = data_rows(s3, 7)
    applications = hzq_truth["applications"]
    expected = [v for k, v in applications.items() if v is not None and "(七)" not in k]
    expected.insert(-1, *hzq_truth["applications_extra"].values())
    expected.insert(-1, applications["三.(七) 总计"])
    assert [numbers(r[-7:]) for r in rows] == expected  # 23 rows, (六) printed as one row


def test_hzq2024_row_one_holds_its_label_and_seven_numbers(
        hzq: Document, hzq_truth: dict[str, Any]) -> None:
    (s3,) = _tables_with(hzq, "自然人")
    label = "一、本年新收政府信息公开申请数量"
    (row,) = [r for r in s3.row_cells() if squash(r[0].text) == label]
    assert numbers(row[1:]) == hzq_truth["applications"][label]
    assert all(c.method == "ruled" for c in row)


def test_hzq2024_vertical_row_header_reads_top_to_bottom_and_spans_the_page_break(
        hzq: Document) -> None:
    (s3,) = _tables_with(hzq, "自然人")
    (header,) = [c for c in s3.cells if squash(c.text) == "三、本年度办理结果"]
    assert header.rowspan == 20  # （一）…（七）with （六）as one row, across pages 3-4


def test_hzq2024_cut_group_label_keeps_three_item_rows(hzq: Document) -> None:
    (s3,) = _tables_with(hzq, "自然人")
    rows = [r for r in s3.row_cells() if any("（四）无法提供" in c.text for c in r)]
    assert [squash(r[-8].text)[:4] for r in rows] == ["1.本机", "2.没有", "3.补正"]
    assert all(len(r) == 10 for r in rows)  # 三, （四）, item, 7 numbers


def test_hzq2024_repeated_nothing_and_no_page_numbers(hzq: Document) -> None:
    page_number = re.compile(r"[-—–]\s*\d+\s*[-—–]")
    assert not [t for t in texts(hzq) if page_number.search(t)]


def test_hzq2024_section4_data_row_has_the_15_printed_numbers(
        hzq: Document, hzq_truth: dict[str, Any]) -> None:
    (s4,) = _tables_with(hzq, "复议后起诉")
    last = s4.row_cells()[-1]
    assert numbers(last) == hzq_truth["review_litigation"]
    assert [squash(c.text) for c in s4.row_cells()[0]] == ["行政复议", "", "行政诉讼"]


def test_hzq2024_section2_blocks_joined_across_pages_2_and_3(hzq: Document) -> None:
    (s2,) = _tables_with(hzq, "第二十条")
    captions = [c for c in s2.cells if c.text.startswith("第二十条")]
    assert [c.text for c in captions] == [f"第二十条第（{n}）项" for n in "一五六八"]
    assert all(c.colspan == s2.n_cols for c in captions)
    assert [c.page for c in captions] == [2, 2, 3, 3]
    assert rows_of(s2)[-1] == ["行政事业性收费", "7545"]


def test_hzq2024_headings_are_paragraphs_in_reading_order(
        hzq: Document, hzq_truth: dict[str, Any]) -> None:
    headings = list(hzq_truth["section_headings"].values())
    found = [p.text for p in hzq.paragraphs if p.text in headings]
    assert found == headings
    assert all(p.heading for p in hzq.paragraphs if p.text in headings)
    kinds = [type(b).__name__ for b in hzq.blocks]
    assert kinds.count("Table") == 3
    second = next(i for i, b in enumerate(hzq.blocks) if getattr(b, "text", "") == headings[1])
    assert kinds[second + 1] == "Table"


def test_hzq2024_text_layer_spacing_artefacts_removed(hzq: Document) -> None:
    body = "\n".join(p.text for p in hzq.paragraphs)
    assert "2024年" in body and "2024 年" not in body
    assert "（国令第711号）" in body and "电话：0517-87290606" in body
    assert hzq.paragraphs[0].text == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    (s3,) = _tables_with(hzq, "自然人")
    assert any(c.text.startswith("（二）部分公开（区分处理的，只计这一情形，不") for c in s3.cells)


def test_hzq2024_paragraph_continued_on_next_page_is_one_paragraph(hzq: Document) -> None:
    (para,) = [p for p in hzq.paragraphs if p.text.startswith("针对存在问题")]
    assert para.page == 4 and "答复书模板，使各行政机关答复的方式" in para.text


def test_hzq2024_refs_carry_page_table_row_and_column(hzq: Document) -> None:
    assert [t.ref for t in hzq.tables] == ["p2 table1", "p3 table2", "p4 table3"]
    for number, table in enumerate(hzq.tables, start=1):
        for cell in table.cells:
            assert cell.ref == f"p{cell.page} table{number} r{cell.row} c{cell.col}"
    refs = [p.ref for p in hzq.paragraphs]
    assert refs[:2] == ["p1 para1", "p1 para2"]
    assert all(p.page is not None and p.ref.startswith(f"p{p.page} para") for p in hzq.paragraphs)


def test_hzq2024_metadata(hzq: Document) -> None:
    assert hzq.format == "pdf"
    assert hzq.meta["pages"] == "5"
    assert hzq.meta["Author"] == "王守强" and "WPS" in hzq.meta["Creator"]
    assert hzq.meta["CreationDate"].startswith("D:20250225")
    assert hzq.title == "政府信息公开工作年度报告"
    assert hzq.warnings == () and hzq.unreadable_pages == ()


def test_hzq2024_parses_quickly() -> None:
    path = SAMPLES / "hzq2024.pdf"
    if not path.exists():
        pytest.skip(f"real samples not found at {SAMPLES}")
    data = path.read_bytes()
    parse_pdf(data)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        parse_pdf(data)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 1.0  # ~0.1 s on one core; 10x headroom for CI


# --------------------------------------------------------------------------- opening


def test_password_protected_pdf_is_a_parse_error() -> None:
    data = make_pdf([Page().text(72, 72, "机密内容")], user_password="secret")
    with pytest.raises(ParseError, match="^PDF is password-protected$"):
        parse_pdf(data)


def test_encrypted_pdf_with_empty_user_password_opens() -> None:
    data = make_pdf([Page().text(72, 72, "一、总体情况", size=16)], user_password="")
    assert b"/Encrypt" in data and "一、总体情况".encode("utf-16-be").hex().upper().encode() not in data
    assert [p.text for p in parse_pdf(data).paragraphs] == ["一、总体情况"]


def test_truncated_pdf_is_a_parse_error() -> None:
    data = make_pdf([Page().text(72, 72, "一、总体情况")] * 3)
    with pytest.raises(ParseError, match="truncated"):
        parse_pdf(data[: len(data) * 2 // 3])


@pytest.mark.parametrize("data", [
    b"",
    b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n",
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
])
def test_corrupt_pdf_is_a_parse_error_with_a_one_line_reason(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_pdf(data)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_pages_beyond_the_cap_are_skipped_with_a_warning() -> None:
    doc = parse_pdf(make_pdf([Page().text(72, 300, f"第{n}页正文。") for n in range(1, 204)]))
    assert doc.warnings == ("203 pages; only the first 200 read",)
    assert doc.meta["pages"] == "203" and len(doc.paragraphs) == 200


_DAMAGE_PAGE = Page().text(72, 72, "一、总体情况", size=16).table(
    [72.0, 200.0, 300.0], [100.0, 120.0, 140.0],
    [(0, 0, "规章"), (0, 1, "0"), (1, 0, "行政许可"), (1, 1, "12")])
_DAMAGE_BASE = make_pdf([_DAMAGE_PAGE] * 2, info={"Title": "洪泽区2024年政府信息公开工作年度报告"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=0, max_size=8)), max_size=6))
def test_damaged_pdf_gives_a_document_or_a_parse_error(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(_DAMAGE_BASE)
    for position, replacement in edits:
        at = position % len(data)
        data[at:at + len(replacement)] = replacement
    try:
        doc = parse_pdf(bytes(data))
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert doc.format == "pdf"


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(("title", "expected"), [
    ("洪泽区2024年政府信息公开工作年度报告", "洪泽区2024年政府信息公开工作年度报告"),
    ("Microsoft Word - 2024年报.docx", None),
    ("2024年度报告.wps", None),
    ("untitled", None),
    ("文档1", None),
])
def test_title_only_when_metadata_title_looks_real(title: str, expected: str | None) -> None:
    doc = parse_pdf(make_pdf([Page().text(72, 72, "正文")], info={"Title": title, "Author": "办公室"}))
    assert doc.title == expected
    assert doc.meta["Title"] == title and doc.meta["Author"] == "办公室" and doc.meta["pages"] == "1"


def test_no_metadata_no_title() -> None:
    doc = parse_pdf(make_pdf([Page().text(72, 72, "正文")]))
    assert doc.title is None and doc.meta == {"pages": "1"}


# --------------------------------------------------------------------------- unreadable text


def test_unmapped_glyphs_are_reported_per_page_and_not_parsed() -> None:
    garbage = Page()
    for i in range(8):
        codes = "".join(f"{1000 + 37 * i + 11 * k:04X}" for k in range(20))
        garbage.ops.append(f"BT /F3 12 Tf 72 {700 - 20 * i} Td <{codes}> Tj ET")
    readable = body_page(["\t一、总体情况"])
    doc = parse_pdf(make_pdf([readable, garbage, garbage]))
    assert doc.warnings == ("page 2: text layer unreadable ((cid:) glyphs); needs OCR",
                            "page 3: text layer unreadable ((cid:) glyphs); needs OCR")
    assert doc.unreadable_pages == (2, 3)
    assert [p.text for p in doc.paragraphs] == ["一、总体情况"]


def test_text_drawn_as_outlines_is_left_for_ocr() -> None:
    """Every glyph a filled outline and no text layer: each page needs OCR, and says why."""
    from ocr_scans import outlined_pdf

    doc = parse_pdf(outlined_pdf(sample("hzq2024.pdf").read_bytes()))
    assert doc.unreadable_pages == (1, 2, 3, 4, 5) and not doc.tables
    assert [w for w in doc.warnings if "outlines" in w] == [
        f"page {n}: no text layer (text drawn as outlines); needs OCR" for n in range(1, 6)]


@pytest.mark.parametrize("strips", [1, 4])
def test_scan_under_an_invisible_text_layer_is_left_for_ocr(strips: int) -> None:
    """A searchable scan (the page a picture, or strips of one, another program's OCR text
    invisible over it): each page is read by OCR again, and says why."""
    from ocr_scans import searchable_pdf

    doc = parse_pdf(searchable_pdf(sample("hzq2024.pdf").read_bytes(), strips=strips))
    assert doc.unreadable_pages == (1, 2, 3, 4, 5) and not doc.tables
    assert sum("invisible text layer" in w for w in doc.warnings) == 5


def test_invisible_text_with_no_picture_under_it_is_no_scan() -> None:
    """Invisible text over no picture is not another program's OCR layer of a scan: there is
    nothing to read again, and the page is not sent to OCR."""
    page = Page()
    for i, line in enumerate(["政府信息公开工作年度报告", "一、总体情况", "本机关全年主动公开信息"]):
        page.ops.append(f"BT 3 Tr /F1 10.5 Tf 72 {700 - 20 * i} Td <{_hex(line)}> Tj ET")
    doc = parse_pdf(make_pdf([page]))
    assert doc.unreadable_pages == ()
    assert not any("invisible" in w for w in doc.warnings)


def test_latin_garbage_on_a_chinese_page_is_unreadable() -> None:
    page = body_page(["Ë¼Ïë¹¤×÷µÄÖ¸µ¼Ë¼ÏëºÍ¹¤×÷" * 2, "ÕþÎñ¹«¿ª¹¤×÷Äê¶È±¨¸æ" * 3])
    doc = parse_pdf(make_pdf([page]))
    assert doc.warnings == ("page 1: text layer unreadable (almost no CJK characters); needs OCR",)
    assert doc.unreadable_pages == (1,) and doc.blocks == ()


def test_image_only_page_needs_ocr() -> None:
    image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    image.new("RGB", (400, 560), "white").save(buffer, "PDF")
    doc = parse_pdf(buffer.getvalue())
    assert doc.warnings == ("page 1: no text layer (image only); needs OCR",)
    assert doc.unreadable_pages == (1,)


# --------------------------------------------------------------------------- text


def test_lines_merge_into_paragraphs_at_indents_short_lines_and_headings() -> None:
    full = "二〇二四年本机关坚持以习近平新时代中国特色社会主义思想为指导全面推进"  # 33 glyphs
    lines = [
        "\t一、总体情况",
        "\t" + full[:26],  # indented and reaching the right margin (x = 520)
        full[26:] + "政务公开。",  # ends short: the paragraph ends
        "（一）主动公开情况",  # a short heading without indent
        "\t本年主动公开政府信息2428条，公开政府常务会议和专题会议",  # 26 em
        "7期。",
    ]
    doc = parse_pdf(make_pdf([body_page(lines)]))
    assert [(p.text, p.heading) for p in doc.paragraphs] == [
        ("一、总体情况", True),
        (full + "政务公开。", False),
        ("（一）主动公开情况", True),
        ("本年主动公开政府信息2428条，公开政府常务会议和专题会议7期。", False),
    ]


def test_block_paragraphs_without_indent_split_at_short_lines() -> None:
    full = "本机关坚持以习近平新时代中国特色社会主义思想为指导全面推进政务公开"  # 32 glyphs
    lines = [full[:28], full[28:] + "。", full[:28], full[28:] + "。"] * 3
    doc = parse_pdf(make_pdf([body_page(lines)]))
    assert [p.text for p in doc.paragraphs] == [full + "。"] * 6


@pytest.mark.parametrize("footer", ["- 1 -", "— 1 —", "第 1 页", "第1页 共2页", "1/2", "1"])
def test_page_numbers_and_running_headers_are_not_text(footer: str) -> None:
    pages = []
    for n in (1, 2):
        page = body_page([f"\t正文第{n}页的内容。"], top=120)
        page.text(250, 40, "洪泽区人民政府办公室文件", size=10.5)
        page.text(280, 800, footer.replace("1", str(n), 1), size=10.5)
        pages.append(page)
    doc = parse_pdf(make_pdf(pages))
    assert [p.text for p in doc.paragraphs] == ["正文第1页的内容。", "正文第2页的内容。"]


@pytest.mark.parametrize(("raw", "clean"), [
    ("2023 年", "2023年"),
    ("国令第 711 号", "国令第711号"),
    ("电话：0517-87290606 传真", "电话：0517-87290606传真"),
    ("Microsoft Word 文档", "Microsoft Word文档"),
    ("（ 一 ）", "（ 一 ）"),  # CJK-CJK spaces are not this rule's business
])
def test_cjk_latin_space_rule(raw: str, clean: str) -> None:
    assert tidy_spacing(raw) == clean


@given(st.lists(st.sampled_from(["2024", "年", "ABC", "政府", "7", " ", "  ", "，", "x y"]),
                max_size=12).map("".join))
def test_cjk_latin_space_rule_is_idempotent_and_only_removes_spaces(raw: str) -> None:
    once = tidy_spacing(raw)
    assert tidy_spacing(once) == once
    assert squash(once) == squash(raw)


# --------------------------------------------------------------------------- tables

XS = [72.0, 152.0, 262.0, 332.0, 402.0, 472.0]  # group, item, 甲, 乙, 总计


def _row_edges(top: float, n: int, height: float = 22.0) -> list[float]:
    return [top + height * i for i in range(n + 1)]


def _header(row: int = 0) -> list[tuple[int, int, str] | tuple[int, int, str, int, int]]:
    return [(row, 0, "项目", 1, 2), (row, 2, "甲"), (row, 3, "乙"), (row, 4, "总计")]


def test_table_split_through_merged_cell_is_joined_with_its_repeated_header_dropped() -> None:
    first = body_page(["\t三、收到和处理政府信息公开申请情况"], top=560)
    first.table(XS, _row_edges(620, 4), _header() + [
        (1, 0, "（三）不予公开", 2, 1), (1, 1, "1.国家秘密"), (1, 2, "0"), (1, 3, "0"), (1, 4, "0"),
        (2, 1, "2.其他法律"), (2, 2, "1"), (2, 3, "0"), (2, 4, "1"),
        (3, 0, "（四）无"), (3, 1, "1.不掌握"), (3, 2, "3"), (3, 3, "0"), (3, 4, "3"),
    ]).text(285, 800, "- 3 -")
    second = Page().table(XS, _row_edges(80, 4), _header() + [
        (1, 0, "法提供", 2, 1), (1, 1, "2.没有现成"), (1, 2, "1"), (1, 3, "0"), (1, 4, "1"),
        (2, 1, "3.补正后"), (2, 2, "0"), (2, 3, "0"), (2, 4, "0"),
        (3, 0, "（五）不予处理"), (3, 1, "1.信访"), (3, 2, "2"), (3, 3, "0"), (3, 4, "2"),
    ]).text(285, 800, "- 4 -")
    second.text(72, 200, "四、政府信息公开行政复议、行政诉讼情况", size=16)

    doc = parse_pdf(make_pdf([first, second]))

    (table,) = doc.tables
    assert rows_of(table) == [
        ["项目", "甲", "乙", "总计"],
        ["（三）不予公开", "1.国家秘密", "0", "0", "0"],
        ["（三）不予公开", "2.其他法律", "1", "0", "1"],
        ["（四）无\n法提供", "1.不掌握", "3", "0", "3"],
        ["（四）无\n法提供", "2.没有现成", "1", "0", "1"],
        ["（四）无\n法提供", "3.补正后", "0", "0", "0"],
        ["（五）不予处理", "1.信访", "2", "0", "2"],
    ]
    cut = table.grid()[3][0]
    assert cut is not None and (cut.rowspan, cut.page, cut.ref) == (3, 1, "p1 table1 r3 c0")
    last = table.grid()[6][4]
    assert last is not None and last.ref == "p2 table1 r6 c4"
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]


def test_blank_continuation_of_a_merged_cell_is_merged_and_numbered_labels_are_not() -> None:
    first = Page().table(XS, _row_edges(700, 3), _header() + [
        (1, 0, "（三）不予公开", 2, 1), (1, 1, "1.国家秘密"), (1, 2, "0"), (1, 3, "0"), (1, 4, "0"),
        (2, 1, "2.其他法律"), (2, 2, "1"), (2, 3, "0"), (2, 4, "1"),
    ])
    second = Page().table(XS, _row_edges(80, 3), [
        (0, 0, "", 1, 1), (0, 1, "3.危及"), (0, 2, "5"), (0, 3, "0"), (0, 4, "5"),
        (1, 0, "（四）无法提供", 2, 1), (1, 1, "1.不掌握"), (1, 2, "3"), (1, 3, "0"), (1, 4, "3"),
        (2, 1, "2.没有"), (2, 2, "0"), (2, 3, "0"), (2, 4, "0"),
    ])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert [r[0] for r in rows_of(table)[1:]] == ["（三）不予公开"] * 3 + ["（四）无法提供"] * 2
    assert all(len(r) == 5 for r in rows_of(table)[1:])


def test_merged_labels_reaching_below_the_last_row_are_continued_not_a_header() -> None:
    """A browser prints a table cut by the page break with its merged label cells reaching
    below the last row's values: the part's last row holds only labels. It is no header row
    ending the part; the labels go on on the next page (（五）不予处 + 理)."""
    ys = [*_row_edges(600, 3), 680.0]
    first = Page().table(XS, ys, _header() + [
        (1, 0, "（四）无法提供"), (1, 1, "1.不掌握"), (1, 2, "3"), (1, 3, "0"), (1, 4, "3"),
        (2, 0, "（五）不予处", 2, 1), (2, 1, "1.信访"), (2, 2, "2"), (2, 3, "0"), (2, 4, "2"),
    ])
    second = Page().table(XS, _row_edges(80, 2), [
        (0, 0, "理", 2, 1), (0, 1, "2.重复申请"), (0, 2, "1"), (0, 3, "0"), (0, 4, "1"),
        (1, 1, "3.要求提供"), (1, 2, "0"), (1, 3, "0"), (1, 4, "0"),
    ])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert [(r[0], r[1]) for r in rows_of(table)[1:] if len(r) == 5] == [
        ("（四）无法提供", "1.不掌握"), ("（五）不予处\n理", "1.信访"),
        ("（五）不予处\n理", "2.重复申请"), ("（五）不予处\n理", "3.要求提供")]


def test_table_continued_by_the_first_of_two_tables_drawn_together_joins_only_it() -> None:
    """Section 四 as three narrow tables, the page break after the first one's header: the
    next page starts with its value row, drawn touching the next table, which is wider. The
    value row joins its header; the next table stays a table of its own."""
    narrow = [72.0, 110.0, 150.0, 190.0, 230.0, 270.0]
    wide = [72.0, 122.0, 172.0, 222.0, 272.0, 322.0]
    heads = ["维持", "纠正", "其他", "尚未", "总计"]
    first = Page().table(narrow, [700.0, 722.0, 750.0], [(0, 0, "行政复议", 1, 5)] + [
        (1, i, h) for i, h in enumerate(heads)])
    second = Page().table(narrow, [80.0, 100.0], [(0, i, str(i + 1)) for i in range(5)])
    second.table(wide, [100.0, 122.0, 150.0, 170.0], [(0, 0, "行政诉讼", 1, 5)] + [
        (1, i, h) for i, h in enumerate(heads)] + [(2, i, "0") for i in range(5)])
    doc = parse_pdf(make_pdf([first, second]))
    assert [rows_of(t) for t in doc.tables] == [
        [["行政复议"], heads, ["1", "2", "3", "4", "5"]],
        [["行政诉讼"], heads, ["0"] * 5]]


def test_section2_caption_alone_at_the_bottom_of_a_page_joins_its_table() -> None:
    xs = [72.0, 262.0, 522.0]
    first = body_page(["\t二、主动公开政府信息情况"], top=700)
    first.table(xs, [760.0, 785.0], [(0, 0, "第二十条第（八）项", 1, 2)])
    second = Page().table(xs, _row_edges(80, 2, 25.0), [
        (0, 0, "信息内容"), (0, 1, "本年收费金额（单位：万元）"),
        (1, 0, "行政事业性收费"), (1, 1, "7545"),
    ])
    doc = parse_pdf(make_pdf([first, second]))
    (table,) = doc.tables
    assert rows_of(table) == [["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：万元）"],
                              ["行政事业性收费", "7545"]]
    assert table.cells[0].colspan == 2 and table.page == 1


def test_row_cut_by_the_page_break_is_mended_and_a_wrapped_number_rejoined() -> None:
    """LibreOffice lets a row break across pages: a numbered label's last line and nothing
    else goes on the next page. A number wrapped in a narrow column is one number."""
    first = Page().table(XS, _row_edges(720, 2, 26.0), _header() + [
        (1, 0, "（四）无法提供", 1, 1), (1, 1, "3.补正后申"), (1, 2, "2,68\n1"), (1, 3, "0"),
        (1, 4, "2,681")])
    second = Page().table(XS, _row_edges(80, 2), [
        (0, 0, ""), (0, 1, "请内容仍不明确"), (0, 2, ""), (0, 3, ""), (0, 4, ""),
        (1, 0, "（五）不予处理"), (1, 1, "1.信访"), (1, 2, "2"), (1, 3, "0"), (1, 4, "2")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table)[1:] == [["（四）无法提供", "3.补正后申\n请内容仍不明确", "2,681", "0", "2,681"],
                                  ["（五）不予处理", "1.信访", "2", "0", "2"]]


def test_number_wrapped_across_page_break_is_rejoined() -> None:
    """LibreOffice cuts a row whose total wrapped in its narrow column (`1,16` over `0`): the
    last digit goes alone on the next page, the label cells there blank, the group label's
    merged cell continued. The row is one row again and the number one number."""
    first = Page().table(XS, _row_edges(720, 2, 26.0), _header() + [
        (1, 0, "三、办理结果"), (1, 1, "（一）予以公开"), (1, 2, "926"), (1, 3, "25"), (1, 4, "1,16")])
    second = Page().table(XS, _row_edges(80, 2), [
        (0, 0, "", 2, 1), (0, 1, ""), (0, 2, ""), (0, 3, ""), (0, 4, "0"),
        (1, 1, "（二）部分公开"), (1, 2, "186"), (1, 3, "6"), (1, 4, "192")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table)[1:] == [["三、办理结果", "（一）予以公开", "926", "25", "1,160"],
                                  ["三、办理结果", "（二）部分公开", "186", "6", "192"]]
    total = table.grid()[1][4]
    assert total is not None and (total.rowspan, total.page) == (1, 1)
    group = table.grid()[1][0]
    assert group is not None and group.rowspan == 2


def test_digits_under_a_one_digit_value_after_a_page_break_stay_a_row() -> None:
    """A one-digit value never wraps: digits under it on the next page are another row's."""
    first = Page().table(XS, _row_edges(720, 2, 26.0), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    second = Page().table(XS, _row_edges(80, 1), [
        (0, 0, "", 1, 2), (0, 2, ""), (0, 3, ""), (0, 4, "35")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table)[1:] == [["一、本年新收", "1", "0", "1"], ["", "", "", "35"]]


def _applicant_header(blank_corner: bool) -> list[tuple[int, int, str] | tuple[int, int, str, int, int]]:
    """Section 三's header: 自然人 and 总计 span both header rows, so they reach the bottom."""
    return [(0, 0, "项目", 2, 2), (0, 2, "自然人", 2, 1), (0, 3, "法人"),
            (0, 4, "总计", 2, 1), (1, 3, "" if blank_corner else "商业企业")]


@pytest.mark.parametrize(("blank_corner", "label", "value"), [
    (False, "一、本年新收", "无"),  # a numbered data row
    (True, "规章", "无"),  # a header with a blank cell, so its last row is no title row
    (False, "规章", ""),  # a data row with its values left blank
])
def test_header_cell_never_merged_with_data_after_page_break(
        blank_corner: bool, label: str, value: str) -> None:
    """The page ends with the header (no data above the break): the merged header cells are
    complete, and the first data row on the next page keeps its own cells."""
    first = Page().table(XS, _row_edges(740, 2), _applicant_header(blank_corner))
    second = Page().table(XS, _row_edges(80, 2), [
        (0, 0, label, 1, 2), (0, 2, value), (0, 3, value), (0, 4, value),
        (1, 0, "二、上年结转", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    spans = {c.text: c.rowspan for c in table.cells if c.row == 0}
    assert spans["自然人"] == spans["总计"] == 2
    assert rows_of(table)[2:] == [[label, value, value, value], ["二、上年结转", "1", "0", "1"]]


def test_merged_cell_is_not_continued_into_a_row_a_numbered_label_opens() -> None:
    """A merged cell at the bottom of a page faces a blank cell of a row opened by a numbered
    label at the table's left edge: a new row of the template, not the merged cell's rest."""
    first = Page().table(XS, _row_edges(700, 3), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "见附注", 2, 1),
        (2, 0, "二、上年结转", 1, 2), (2, 2, "0"), (2, 3, "0")])
    second = Page().table(XS, _row_edges(80, 1), [
        (0, 0, "三、本年度办理结果", 1, 2), (0, 2, "5"), (0, 3, "0"), (0, 4, "")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table)[1:] == [["一、本年新收", "1", "0", "见附注"], ["二、上年结转", "0", "0", "见附注"],
                                  ["三、本年度办理结果", "5", "0", ""]]


def test_unnumbered_row_with_blank_values_at_the_top_of_a_page_stays_a_row() -> None:
    xs = [72.0, 262.0, 522.0]
    first = Page().table(xs, _row_edges(740, 2, 25.0), [
        (0, 0, "信息内容"), (0, 1, "本年处理决定数量"), (1, 0, "行政许可"), (1, 1, "9487")])
    second = Page().table(xs, _row_edges(80, 2, 25.0), [
        (0, 0, "行政处罚"), (0, 1, ""), (1, 0, "行政强制"), (1, 1, "84")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table) == [["信息内容", "本年处理决定数量"], ["行政许可", "9487"],
                              ["行政处罚", ""], ["行政强制", "84"]]


def _review_table(page: Page, top: float, caption: str, values: str) -> None:
    xs = [72.0, 162.0, 252.0, 342.0, 432.0, 522.0]
    page.table(xs, _row_edges(top, 3), [(0, 0, caption, 1, 5)]
               + [(1, i, label) for i, label in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])]
               + [(2, i, v) for i, v in enumerate(values.split())])


def test_section4_printed_as_separate_tables_is_not_joined_across_a_page_break() -> None:
    first, second = Page(), Page()
    _review_table(first, 600, "行政复议", "1 0 0 0 1")
    _review_table(first, 700, "行政诉讼（未经复议直接起诉）", "0 1 0 0 1")
    _review_table(second, 80, "行政诉讼（复议后起诉）", "0 0 2 0 2")
    doc = parse_pdf(make_pdf([first, second]))
    assert [rows_of(t)[0] for t in doc.tables] == [["行政复议"], ["行政诉讼（未经复议直接起诉）"],
                                                 ["行政诉讼（复议后起诉）"]]


def test_blank_data_row_alone_on_the_next_page_joins_its_header() -> None:
    first = Page()
    _review_table(first, 740, "行政复议", "1 0 0 0 1")
    first.ops = first.ops[:-10]  # the data row went to the next page
    second = Page()
    second.table([72.0, 162.0, 252.0, 342.0, 432.0, 522.0], [80.0, 100.0],
                 [(0, i, "") for i in range(5)])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert rows_of(table) == [["行政复议"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                              [""] * 5]


def test_continued_marker_between_parts_does_not_prevent_joining() -> None:
    first = Page().table(XS, _row_edges(700, 2), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    second = Page().text(72, 70, "续表", size=12).table(XS, _row_edges(90, 1), [
        (0, 0, "二、上年结转", 1, 2), (0, 2, "0"), (0, 3, "0"), (0, 4, "0")])
    (table,) = parse_pdf(make_pdf([first, second])).tables
    assert [r[0] for r in rows_of(table)] == ["项目", "一、本年新收", "二、上年结转"]


def test_page_border_and_framed_note_are_text_not_tables() -> None:
    page = body_page(["\t一、总体情况", "\t本年度工作情况如下。"], top=100)
    page.box(50, 50, 545, 792)  # a frame around the whole page
    page.box(72, 300, 520, 380).text(80, 310, "注：本报告所列数据的统计期限为", size=12)
    page.text(80, 330, "2024年1月1日至12月31日。", size=12)
    doc = parse_pdf(make_pdf([page]))
    assert doc.tables == []
    assert [p.text for p in doc.paragraphs][:2] == ["一、总体情况", "本年度工作情况如下。"]
    assert "".join(p.text for p in doc.paragraphs[2:]) == "注：本报告所列数据的统计期限为2024年1月1日至12月31日。"


def test_graph_paper_is_not_searched_for_tables() -> None:
    page = body_page(["\t一、总体情况"])
    for i in range(80):
        page.ops.append(f"0.2 w 50 {100 + 8 * i} m 545 {100 + 8 * i} l S")
        page.ops.append(f"0.2 w {50 + 6 * i} 100 m {50 + 6 * i} 740 l S")
    doc = parse_pdf(make_pdf([page]))
    assert doc.warnings == ("page 1: too many rulings for a table; ruled tables not looked for",)
    assert [p.text for p in doc.paragraphs] == ["一、总体情况"]


def test_tables_with_different_columns_stay_separate() -> None:
    first = Page().table(XS, _row_edges(720, 2), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    second = Page().table([72.0, 200.0, 300.0], _row_edges(80, 2), [
        (0, 0, "行政复议"), (0, 1, "结果维持"), (1, 0, "1"), (1, 1, "0")])
    doc = parse_pdf(make_pdf([first, second]))
    assert [t.ref for t in doc.tables] == ["p1 table1", "p2 table2"]


def test_unruled_text_between_two_pages_prevents_joining() -> None:
    first = Page().table(XS, _row_edges(600, 2), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    first.text(72, 700, "注：本表数据截至12月31日。", size=12)
    second = Page().table(XS, _row_edges(80, 2), _header() + [
        (1, 0, "二、上年结转", 1, 2), (1, 2, "0"), (1, 3, "0"), (1, 4, "0")])
    assert len(parse_pdf(make_pdf([first, second])).tables) == 2


def test_vertical_and_turned_text_in_cells_reads_in_order() -> None:
    xs, ys = [72.0, 100.0, 130.0, 300.0], [100.0, 250.0]
    page = Page().table(xs, ys, [(0, 0, ""), (0, 1, ""), (0, 2, "（一）予以公开")])
    page.vertical(76, 104, "三、本年度办理结果", size=12)
    page.turned(120, 240, "申请人情况", size=12)
    (table,) = parse_pdf(make_pdf([page])).tables
    assert rows_of(table) == [["三、本年度办理结果", "申请人情况", "（一）予以公开"]]


def test_merged_cells_become_one_origin_cell_with_spans() -> None:
    xs = [72.0, 150.0, 230.0, 310.0, 390.0]
    page = Page().table(xs, _row_edges(100, 3), [
        (0, 0, "行政复议", 1, 2), (0, 2, "行政诉讼", 1, 2),
        (1, 0, "维持", 2, 1), (1, 1, "纠正", 2, 1), (1, 2, "直接起诉"), (1, 3, "复议后起诉"),
        (2, 2, "1"), (2, 3, "2"),
    ])
    (table,) = parse_pdf(make_pdf([page])).tables
    spans = {(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells}
    assert spans == {(0, 0, 1, 2, "行政复议"), (0, 2, 1, 2, "行政诉讼"), (1, 0, 2, 1, "维持"),
                     (1, 1, 2, 1, "纠正"), (1, 2, 1, 1, "直接起诉"), (1, 3, 1, 1, "复议后起诉"),
                     (2, 2, 1, 1, "1"), (2, 3, 1, 1, "2")}
    assert (table.n_rows, table.n_cols, table.page, table.ref) == (3, 4, 1, "p1 table1")


def test_borderless_table_falls_back_to_text_alignment() -> None:
    page = body_page(["\t二、主动公开政府信息情况"], top=80)
    for i, row in enumerate([("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
                             ("规章", "0", "0", "0"), ("行政规范性文件", "3", "0", "8")]):
        for x, text in zip((72, 220, 330, 440), row):
            page.text(x, 130 + 20 * i, text)
    page.text(72, 220, "三、收到和处理政府信息公开申请情况", size=16)
    doc = parse_pdf(make_pdf([page]))
    (table,) = doc.tables
    assert rows_of(table) == [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                              ["规章", "0", "0", "0"], ["行政规范性文件", "3", "0", "8"]]
    assert {c.method for c in table.cells} == {"aligned"}
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]


def test_no_alignment_fallback_on_a_page_with_a_ruled_table() -> None:
    page = Page().table(XS, _row_edges(100, 2), _header() + [
        (1, 0, "一、本年新收", 1, 2), (1, 2, "1"), (1, 3, "0"), (1, 4, "1")])
    for i in range(3):
        page.text(72, 300 + 20 * i, "甲")
        page.text(300, 300 + 20 * i, "乙")
    doc = parse_pdf(make_pdf([page]))
    assert len(doc.tables) == 1 and {c.method for c in doc.tables[0].cells} == {"ruled"}


def test_rotated_page_reads_upright() -> None:
    page = Page(width=842, height=595)
    # Landscape content on a portrait page turned by /Rotate 90: drawn rotated 90 degrees.
    page.ops.append(f"BT /F1 16 Tf 0 1 -1 0 100 72 Tm <{_hex('一、总体情况')}> Tj ET")
    doc = parse_pdf(make_pdf([Page(595, 842, page.ops)], rotate=90))
    assert [p.text for p in doc.paragraphs] == ["一、总体情况"]


# --------------------------------------------------------------------------- LibreOffice print


@pytest.fixture(scope="module")
def office_pdf(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """A DOCX table with a repeated header row and a merged first column, printed by
    LibreOffice so that it breaks across pages 1 and 2."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    docx = pytest.importorskip("docx")
    from docx.oxml import OxmlElement

    folder = tmp_path_factory.mktemp("office")
    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    for _ in range(10):
        document.add_paragraph("正文" * 20)
    table = document.add_table(rows=50, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["类别", "事项", "甲", "乙"]):
        cell.text = text
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for i, row in enumerate(table.rows[1:], start=1):
        row.cells[1].text, row.cells[2].text, row.cells[3].text = f"{i}.事项", str(i), str(2 * i)
    table.cell(1, 0).merge(table.cell(49, 0)).text = "三、本年度办理结果"
    document.save(folder / "split.docx")
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(folder / "split.docx")],
                   check=True, capture_output=True, timeout=180)
    return parse_pdf((folder / "split.pdf").read_bytes())


def test_libreoffice_table_over_a_page_break_is_one_table(office_pdf: Document) -> None:
    (table,) = office_pdf.tables
    assert {c.page for c in table.cells} == {1, 2}
    rows = rows_of(table)
    assert rows[0] == ["类别", "事项", "甲", "乙"]  # printed again on page 2, kept once
    assert [row[1:] for row in rows[1:]] == [[f"{i}.事项", str(i), str(2 * i)] for i in range(1, 50)]
    (label,) = {c for c in table.cells if c.col == 0 and c.row > 0}
    assert squash(label.text) == "三、本年度办理结果" and label.rowspan == 49


def test_pictures_are_large_images_no_glyph_lies_on_once_each_and_at_most_twenty() -> None:
    from gk_extract.parse.layout.geometry import Char
    from gk_extract.parse.pdf.document import MAX_PICTURES, _pictures
    from gk_extract.parse.pdf.page import PageContent

    table = (50.0, 100.0, 550.0, 500.0)  # a third of an A4 page
    seal = (400.0, 700.0, 500.0, 800.0)  # small: no table
    under_text = (50.0, 520.0, 550.0, 800.0)  # a background the text layer lies over
    glyph = Char("年", 100.0, 600.0, 110.0, 612.0, True, 0)
    page = PageContent(1, 595.0, 842.0, (glyph,), (), (table, table, seal, under_text))
    warnings: list[str] = []
    assert _pictures([page], warnings) == ((1, table),) and not warnings
    many = [PageContent(n, 595.0, 842.0, (), (), (table,)) for n in range(1, 26)]
    assert len(_pictures(many, warnings)) == MAX_PICTURES
    assert warnings == ["25 pictures on text pages; only the first 20 read"]
