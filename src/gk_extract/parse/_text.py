"""Text cleanup shared by the format parsers.

Parsers keep text as printed (no NFKC: the template matcher normalises labels itself), but
layout whitespace carries no meaning: ``&nbsp;`` padding, U+3000 ideographic spaces and source
line breaks only position text on the page, so every run of them becomes one space.
"""

from __future__ import annotations

import re

import regex

# Zero-width characters and soft hyphens are invisible when printed; Word and CMS editors
# scatter them inside labels, where they would break label containment matching. Dropped by
# one regex substitution: ``str.translate`` with a deletion table looks up every character
# of the line and costs three times as much (clean_line runs for every cell and line).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_line(text: str) -> str:
    """One printed line: invisible characters dropped, whitespace runs -> one space, stripped.

    ``str.split()`` without arguments splits on every Unicode space, including U+00A0
    (``&nbsp;``) and U+3000, which is exactly the set of layout spaces we want to collapse.
    """
    return " ".join(_INVISIBLE.sub("", text).split())


# The recogniser reads the full-width brackets （ ） as ( ) as often as not: set in a CJK font,
# the two differ only in the space around them. Beside a CJK character (spaces between them
# aside), or holding one, a pair is the full-width one Chinese text prints (（一）, （二）);
# a lone bracket beside a CJK character too. Other marks are left as read: the recogniser
# tells ， from , and pages print : and ： alike.
_CJK = r"[\p{Han}\u3000-\u303f\uff00-\uffef]"
_PAIR = regex.compile(rf"(?<={_CJK}\s*)\([^()\n]*\)|\([^()\n]*\)(?=\s*{_CJK})"
                      rf"|\([^()\n]*{_CJK}[^()\n]*\)")
_BRACKET = regex.compile(rf"(?<={_CJK}\s*)[()]|[()](?=\s*{_CJK})")
_FULL_WIDTH = str.maketrans("()", "（）")


def full_width_brackets(text: str) -> str:
    """OCR text with the brackets beside CJK text as the full-width ones printed:
    ``(一) 存在`` -> ``（一） 存在``, ``(1)本年`` -> ``（1）本年``; ``(a)``, ``(2)`` alone
    and brackets among digits or Latin letters stay as they are."""
    if text.isascii():
        return text
    text = _PAIR.sub(lambda m: "（" + m.group()[1:-1] + "）", text)
    return _BRACKET.sub(lambda m: m.group().translate(_FULL_WIDTH), text)
