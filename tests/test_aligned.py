"""The alignment stage: borderless tables rebuilt from positioned words, knowing the template.

Each test lays out a few lines of a borderless section 三, 二 or 四 as words with boxes (as
the text layer gives them) and reads the cells back: rows anchored on labels, wrapped
labels and values joined to their row, values placed by x, and nothing guessed.
"""

from __future__ import annotations

from gk_extract.formats import Format
from gk_extract.models import Document, TextLine, Word
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.aligned import aligned_cells, stacked_text
from gk_extract.template.match import Source, build_report

TEMPLATE = registry.get("2021")
SIZE = 10.0  # glyph height; a glyph is as wide as it is high
# Section 三's value columns, LibreOffice's borderless print of the template (centres, pt).
S3_X = (327.0, 361.0, 395.0, 430.0, 464.0, 498.0, 532.0)
LABEL_X = 180.0  # the own label cell's centre


def word(text: str, cx: float, top: float) -> Word:
    width = SIZE * len(text) if any(ord(c) > 0x2000 for c in text) else SIZE * 0.5 * len(text)
    return Word(text, (cx - width / 2, top, cx + width / 2, top + SIZE))


def line(top: float, *words: tuple[str, float], page: int = 1) -> TextLine:
    return TextLine(page, tuple(word(text, cx, top) for text, cx in words))


def values_at(top: float, values: str, columns: tuple[float, ...] = S3_X) -> list[tuple[str, float]]:
    """Words of the values printed on the columns; ``_`` for a blank cell."""
    return [(v, x) for v, x in zip(values.split(), columns) if v != "_"]


def s3_header(top: float) -> list[TextLine]:
    return [line(top, *[(c.label, x) for c, x in zip(T.S3_COLS, S3_X)])]


def cells_of(*lines: TextLine) -> dict[str, str]:
    assert TEMPLATE is not None
    found = aligned_cells(Document(Format.PDF, (), lines=lines), TEMPLATE)
    assert all(c.method == "aligned" for c in found.cells.values())
    return {k: c.value.raw for k, c in found.cells.items()}


def test_rows_are_anchored_on_their_labels_and_values_placed_by_x() -> None:
    got = cells_of(*s3_header(100),
                   line(120, ("一、本年新收政府信息公开申请数量", LABEL_X), *values_at(120, "6 2 0 0 0 0 8")),
                   line(135, ("二、上年结转政府信息公开申请数量", LABEL_X), *values_at(135, "1 _ _ 3 _ _ 4")))
    assert got["s3_new_received__natural_person"] == "6"
    assert got["s3_new_received__total"] == "8"
    assert got["s3_carried_over__natural_person"] == "1"
    assert got["s3_carried_over__social_welfare_org"] == "3"
    assert got["s3_carried_over__commercial_enterprise"] == ""  # printed blank
    assert got["s3_carried_over__total"] == "4"


def test_a_wrapped_label_and_a_value_wrapped_around_it_join_their_row() -> None:
    got = cells_of(*s3_header(100),
                   line(120, ("一、本年新收政府信息公开申请数量", LABEL_X), *values_at(120, "6 2 0 0 0 0 8")),
                   line(131, ("2,64", S3_X[0])),  # a number too wide for its column
                   line(135, ("（二）部分公开（区分处理的", LABEL_X), *values_at(135, "_ 1 0 0 0 0 3")),
                   line(141, ("3", S3_X[0])),
                   line(146, ("只计这一情形）", LABEL_X)),
                   line(160, ("（七）总计", LABEL_X), *values_at(160, "5 5 5 5 5 5 5")))
    assert got["s3_partially_granted__natural_person"] == "2,643"
    assert got["s3_partially_granted__total"] == "3"
    assert got["s3_result_total__natural_person"] == "5"


def test_a_value_between_two_columns_is_left_out_not_guessed() -> None:
    between = (S3_X[1] + S3_X[2]) / 2
    got = cells_of(*s3_header(100),
                   line(120, ("一、本年新收政府信息公开申请数量", LABEL_X), *values_at(120, "6 2 0 0 0 0 8")),
                   line(135, ("（一）予以公开", LABEL_X), ("7", S3_X[0]), ("9", between)))
    assert not any(k.startswith("s3_granted__") and v == "9" for k, v in got.items())


def test_prose_naming_a_row_is_no_row() -> None:
    got = cells_of(line(80, ("本年新收到政府信息公开申请8件，上年结转2件。", 300.0)),
                   *s3_header(100),
                   line(120, ("一、本年新收政府信息公开申请数量", LABEL_X), *values_at(120, "6 2 0 0 0 0 8")))
    assert got["s3_new_received__natural_person"] == "6"


def test_section_two_rows_take_their_block_s_columns() -> None:
    got = cells_of(line(100, ("信息内容", 124.0), ("本年制发件数", 245.0), ("本年废止件数", 367.0),
                        ("现行有效件数", 489.0)),
                   line(115, ("规章", 124.0), ("3", 245.0), ("1", 489.0)),
                   line(130, ("行政规范性文件", 124.0)))
    assert got["s2_regulations__issued"] == "3"
    assert got["s2_regulations__repealed"] == ""
    assert got["s2_regulations__in_force"] == "1"
    assert got["s2_normative_docs__issued"] == ""  # a row printed blank


def test_section_four_groups_are_named_by_the_titles_above_their_rows() -> None:
    outcomes = [("维持", 111.0), ("纠正", 209.0), ("其他", 306.0), ("尚未", 404.0), ("总计", 501.0)]
    got = cells_of(line(100, ("行政诉讼（复议后起诉）", 306.0)), line(112, *outcomes),
                   line(124, ("1", 111.0), ("2", 306.0), ("3", 501.0)))
    assert got["s4_suit_after_review__upheld"] == "1"
    assert got["s4_suit_after_review__corrected"] == ""
    assert got["s4_suit_after_review__total"] == "3"


def test_a_header_wrapped_over_lines_reads_whole_for_detection() -> None:
    lines = [line(100, ("本年", 245.0)), line(110, ("制发", 245.0)), line(120, ("件数", 245.0))]
    assert "本年制发件数" in stacked_text(lines)


def test_aligned_cells_are_doubtful_in_the_report() -> None:
    doc = Document(Format.PDF, (), lines=(
        line(80, ("信息内容", 124.0), ("本年制发件数", 245.0)),  # the 2021 template's sign
        *s3_header(100),
        line(120, ("一、本年新收政府信息公开申请数量", LABEL_X), *values_at(120, "6 2 0 0 0 0 8"))))
    report = build_report(doc, Source("0" * 64, "t.pdf", "pdf"))
    mine = [c for c in report.cells if c.method == "aligned"]
    assert mine and all(c.doubtful for c in mine)
