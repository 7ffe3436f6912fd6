from hypothesis import given
from hypothesis import strategies as st

from gk_extract.normalize.numbers import parse_value

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def test_examples_from_real_reports() -> None:
    assert parse_value("18651.06").value == 18651.06
    assert parse_value("1,234").value == 1234
    assert parse_value("22（其中修订16件）").value == 22
    assert parse_value("251000元").unit == "元"
    assert parse_value("\xa0 5\u3000").raw == "5"
    assert parse_value("-8").value == -8
    assert parse_value("+1036").value == 1036


def test_blank_is_never_zero() -> None:
    assert parse_value("").kind == "blank" and parse_value("").value is None
    assert parse_value("\xa0\xa0").kind == "blank"
    assert parse_value("0").kind == "zero" and parse_value("0").value == 0
    assert parse_value("0.00").kind == "zero"


def test_placeholders_and_text() -> None:
    for printed in ("—", "-", "--", "/", "不适用", "无", "N/A", "——"):
        value = parse_value(printed)
        assert value.kind == "placeholder" and value.value is None, printed
    assert parse_value("见附件").kind == "text"
    assert parse_value("1.2.3").kind == "text"


@given(st.integers(min_value=0, max_value=10**9), st.booleans(), st.booleans(), st.sampled_from(["", "件", "万元"]))
def test_printed_integers_parse_back(number: int, separators: bool, full_width: bool, unit: str) -> None:
    printed = f"{number:,}" if separators else str(number)
    if full_width:
        printed = printed.translate(FULL_WIDTH)
    value = parse_value(f" {printed}{unit} ")
    assert value.value == number
    assert value.kind == ("zero" if number == 0 else "number")
    assert value.unit == (unit or None)


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_printed_decimals_parse_back(number) -> None:  # type: ignore[no-untyped-def]
    assert parse_value(str(number)).value == float(number)
