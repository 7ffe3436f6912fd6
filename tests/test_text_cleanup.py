"""clean_line: invisible characters dropped and layout whitespace collapsed, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gk_extract.parse._text import clean_line

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
