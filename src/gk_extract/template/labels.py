"""Matching printed labels to template specs by normalised containment, never by position."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TypeVar

import regex

from gk_extract.normalize.text import squash
from gk_extract.template.spec import ColSpec, RowSpec

Spec = TypeVar("Spec", RowSpec, ColSpec)

# Item numbering printed before a label: 一、 （三） (3) 1. 2、 3．
_NUMBERING = regex.compile(
    r"^(?:\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、.,]|\(\d{1,2}\)|\d{1,2}[、.,)]|\d{1,2}(?=\p{Han}))+"
)
# A bracketed fill-in instruction or note at the end of a label: 规章（设区的市…应提供相关数据）
_TRAILING_NOTE = regex.compile(r"\([^()]*\)$")
# difflib ratio above which a label with a typo still names a template row; 0.6 accepts
# one or two wrong or missing characters in labels of 6+ characters and rejects other rows.
FUZZY_MIN_RATIO = 0.6


def strip_numbering(label: str) -> str:
    """Given a squashed label, return it without its leading item number."""
    return _NUMBERING.sub("", label, count=1)


def label_score(label: str, spec: RowSpec | ColSpec) -> int:
    """Length of the longest alternative of ``spec`` found in ``label`` (0 when none)."""
    bare = strip_numbering(label)
    if spec.exact:
        core = _TRAILING_NOTE.sub("", bare)
        return max((len(alt) for alt in spec.match if core == alt or bare == alt), default=0)
    return max((len(alt) for alt in spec.match if alt in label), default=0)


@lru_cache(maxsize=16384)
def best_match(label: str, specs: tuple[Spec, ...]) -> Spec | None:
    """Given a squashed label, return the spec it names most specifically, if any.

    Cached: the same few hundred labels recur in every report of a batch.
    """
    scored = [(label_score(label, s), i) for i, s in enumerate(specs)]
    score, index = max(scored, default=(0, -1))
    return specs[index] if score > 0 else None


def fuzzy_match(label: str, specs: Sequence[Spec]) -> Spec | None:
    """Given a label that names no spec exactly, return the closest spec by spelling, if close."""
    bare = strip_numbering(label)
    if len(bare) < 2:
        return None
    ratios = [(SequenceMatcher(None, bare, strip_numbering(squash(s.label))).ratio(), i)
              for i, s in enumerate(specs)]
    ratio, index = max(ratios, default=(0.0, -1))
    return specs[index] if ratio >= FUZZY_MIN_RATIO else None


def contains_any(text: str, needles: Sequence[str]) -> bool:
    return any(n in text for n in needles)
