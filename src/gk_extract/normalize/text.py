"""Label normalisation shared by the matcher and the section finder (report-format.md §4.1)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

_SPACE = regex.compile(r"[\s\p{Zs}\u200b\u200c\u200d\ufeff]+")
# NFKC turns （ ） into ( ); also unify the other bracket shapes seen in labels.
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")",
                           "【": "(", "】": ")", "﹙": "(", "﹚": ")"})
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})


@lru_cache(maxsize=65536)
def squash(text: str | None) -> str:
    """Given a printed label, return it NFKC-normalised with all whitespace removed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS).translate(_QUOTES)
    return _SPACE.sub("", text)


def tidy(text: str | None) -> str:
    """Given printed text, return it with whitespace runs collapsed and trimmed (content kept)."""
    if not text:
        return ""
    return _SPACE.sub(" ", text.replace("\u3000", " ")).strip()
