"""Text cleanup shared by the format parsers.

Parsers keep text as printed (no NFKC: the template matcher normalises labels itself), but
layout whitespace carries no meaning: ``&nbsp;`` padding, U+3000 ideographic spaces and source
line breaks only position text on the page, so every run of them becomes one space.
"""

from __future__ import annotations

import re

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
