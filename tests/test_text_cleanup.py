"""clean_line: invisible characters dropped and layout whitespace collapsed, whatever the text;
full_width_brackets: the brackets OCR reads beside CJK text as the full-width ones printed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gk_extract.parse._text import clean_line, full_width_brackets

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Text as cells print it, with the characters the cleanup is about mixed in.
_CHARS = st.sampled_from(list("规章0 1\u3000\xa0\n\t\u2028\x1c" + INVISIBLE)) | st.characters()


def test_a_label_padded_and_split_by_invisible_characters() -> None:
    assert clean_line("\u3000行政\u200b许可\xa0\xa0（件）\n") == "行政许可 （件）"
    assert clean_line("\ufeff\u00ad \u200d") == ""


@settings(max_examples=500)
@given(st.text(_CHARS, max_size=40))
def test_invisible_characters_go_and_whitespace_runs_become_one_space(text: str) -> None:
    cleaned = clean_line(text)
    assert not set(cleaned) & set(INVISIBLE)
    assert cleaned == " ".join("".join(c for c in text if c not in INVISIBLE).split())


@pytest.mark.parametrize(("read", "printed"), [
    ("(一) 存在的主要问题:政策解读", "（一） 存在的主要问题:政策解读"),
    ("请与办公室联系(电话:0750-7698989)。", "请与办公室联系（电话:0750-7698989）。"),
    ("(1)本年新收", "（1）本年新收"),  # a pair is one mark: its ) is beside 本
    ("2021年(含)", "2021年（含）"), ("共3,456件,其中", "共3,456件,其中"),
    ("(2)", "(2)"), ("see (a) or b", "see (a) or b"), ("（七）总计", "（七）总计"),
])
def test_brackets_beside_cjk_text_are_full_width(read: str, printed: str) -> None:
    assert full_width_brackets(read) == printed


@given(st.text(st.sampled_from(list("(),:;?!0123456789ab .")), max_size=30))
def test_text_without_cjk_is_left_as_it_is(text: str) -> None:
    assert full_width_brackets(text) == text
