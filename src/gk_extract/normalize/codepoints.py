"""Look-alike code points -> the unified CJK ideographs they stand for, in every parsed text.

Why: a PDF text layer maps each glyph back to a code point. Where a CJK font draws a Kangxi
radical and an ideograph with one glyph (⾏ U+2F8F and 行 U+884C), a producer such as a
browser's print-to-PDF may write the radical, and ``⾏政规范性⽂件`` no longer reads as
行政规范性文件. The code point is an artefact of the producer, not of the report, so every
parser's Document is mapped through :data:`LOOKALIKES` before matching (``parse_document``).

The one table, :data:`LOOKALIKES`, comes from the Unicode Character Database:

* Kangxi Radicals U+2F00-U+2FD5: their compatibility decompositions (what NFKC gives),
  written out below in radical order;
* CJK Radicals Supplement U+2E80-U+2EF3 and CJK Strokes U+31C0-U+31EF: the UCD's
  ``EquivalentUnifiedIdeograph.txt`` (Unicode 14.0), which no normalisation form covers
  (⻓ U+2ED3 for 长, ⻔ U+2ED4 for 门);
* CJK Compatibility Ideographs U+F900-U+FAFF and their supplement U+2F800-U+2FA1F: their
  canonical decompositions, read from :mod:`unicodedata`.

Nothing else changes: this is not NFKC, so full-width digits and punctuation stay as printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

# The blocks the table maps from, first and last code point, both included.
BLOCKS: Mapping[str, tuple[int, int]] = MappingProxyType({
    "CJK Radicals Supplement": (0x2E80, 0x2EFF),
    "Kangxi Radicals": (0x2F00, 0x2FDF),
    "CJK Strokes": (0x31C0, 0x31EF),
    "CJK Compatibility Ideographs": (0xF900, 0xFAFF),
    "CJK Compatibility Ideographs Supplement": (0x2F800, 0x2FA1F),
})

KANGXI_FIRST = 0x2F00
# The unified ideograph of each Kangxi radical, radical 1 (U+2F00) to 214 (U+2FD5): the
# radical's compatibility decomposition in UnicodeData.txt (the tests compare it with NFKC).
KANGXI_IDEOGRAPHS = (
    "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀"
    "寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋"
    "比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸"
    "缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛"
    "辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻"
    "黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠"
)

# From the UCD's EquivalentUnifiedIdeograph.txt (Unicode 14.0): a radical or stroke, its
# equivalent unified ideograph, and the source's character name (the tests check each name
# against unicodedata, so a mistyped code point cannot pass). Ranges are written out one
# code point a line. U+2E80 CJK RADICAL REPEAT and 17 strokes have no equivalent and are
# not here; neither are the Kangxi radicals, which the file maps as NFKC does.
EQUIVALENTS_UCD = """
2E81 5382 CJK RADICAL CLIFF
2E82 4E5B CJK RADICAL SECOND ONE
2E83 4E5A CJK RADICAL SECOND TWO
2E84 4E59 CJK RADICAL SECOND THREE
2E85 4EBB CJK RADICAL PERSON
2E86 5182 CJK RADICAL BOX
2E87 20628 CJK RADICAL TABLE
2E88 5200 CJK RADICAL KNIFE ONE
2E89 5202 CJK RADICAL KNIFE TWO
2E8A 535C CJK RADICAL DIVINATION
2E8B 353E CJK RADICAL SEAL
2E8C 5C0F CJK RADICAL SMALL ONE
2E8D 5C0F CJK RADICAL SMALL TWO
2E8E 5140 CJK RADICAL LAME ONE
2E8F 5C23 CJK RADICAL LAME TWO
2E90 5C22 CJK RADICAL LAME THREE
2E91 21BC2 CJK RADICAL LAME FOUR
2E92 5DF3 CJK RADICAL SNAKE
2E93 5E7A CJK RADICAL THREAD
2E94 5F51 CJK RADICAL SNOUT ONE
2E95 5F50 CJK RADICAL SNOUT TWO
2E96 5FC4 CJK RADICAL HEART ONE
2E97 5FC3 CJK RADICAL HEART TWO
2E98 624C CJK RADICAL HAND
2E99 6535 CJK RADICAL RAP
2E9B 65E1 CJK RADICAL CHOKE
2E9C 65E5 CJK RADICAL SUN
2E9D 6708 CJK RADICAL MOON
2E9E 6B7A CJK RADICAL DEATH
2E9F 6BCD CJK RADICAL MOTHER
2EA0 6C11 CJK RADICAL CIVILIAN
2EA1 6C35 CJK RADICAL WATER ONE
2EA2 6C3A CJK RADICAL WATER TWO
2EA3 706C CJK RADICAL FIRE
2EA4 722B CJK RADICAL PAW ONE
2EA5 722B CJK RADICAL PAW TWO
2EA6 4E2C CJK RADICAL SIMPLIFIED HALF TREE TRUNK
2EA7 725B CJK RADICAL COW
2EA8 72AD CJK RADICAL DOG
2EA9 738B CJK RADICAL JADE
2EAA 24D14 CJK RADICAL BOLT OF CLOTH
2EAB 76EE CJK RADICAL EYE
2EAC 793A CJK RADICAL SPIRIT ONE
2EAD 793B CJK RADICAL SPIRIT TWO
2EAE 25AD7 CJK RADICAL BAMBOO
2EAF 7CF9 CJK RADICAL SILK
2EB0 7E9F CJK RADICAL C-SIMPLIFIED SILK
2EB1 7F53 CJK RADICAL NET ONE
2EB2 7F52 CJK RADICAL NET TWO
2EB3 34C1 CJK RADICAL NET THREE
2EB4 5197 CJK RADICAL NET FOUR
2EB5 2626B CJK RADICAL MESH
2EB6 7F8A CJK RADICAL SHEEP
2EB7 2634C CJK RADICAL RAM
2EB8 2634B CJK RADICAL EWE
2EB9 8002 CJK RADICAL OLD
2EBA 8080 CJK RADICAL BRUSH ONE
2EBB 807F CJK RADICAL BRUSH TWO
2EBC 8089 CJK RADICAL MEAT
2EBD 26951 CJK RADICAL MORTAR
2EBE 8279 CJK RADICAL GRASS ONE
2EBF 8279 CJK RADICAL GRASS TWO
2EC0 8279 CJK RADICAL GRASS THREE
2EC1 864E CJK RADICAL TIGER
2EC2 8864 CJK RADICAL CLOTHES
2EC3 8980 CJK RADICAL WEST ONE
2EC4 897F CJK RADICAL WEST TWO
2EC5 89C1 CJK RADICAL C-SIMPLIFIED SEE
2EC6 89D2 CJK RADICAL SIMPLIFIED HORN
2EC7 278B2 CJK RADICAL HORN
2EC8 8BA0 CJK RADICAL C-SIMPLIFIED SPEECH
2EC9 8D1D CJK RADICAL C-SIMPLIFIED SHELL
2ECA 27FB7 CJK RADICAL FOOT
2ECB 8F66 CJK RADICAL C-SIMPLIFIED CART
2ECC 8FB6 CJK RADICAL SIMPLIFIED WALK
2ECD 8FB6 CJK RADICAL WALK ONE
2ECE 8FB6 CJK RADICAL WALK TWO
2ECF 9091 CJK RADICAL CITY
2ED0 9485 CJK RADICAL C-SIMPLIFIED GOLD
2ED1 9577 CJK RADICAL LONG ONE
2ED2 9578 CJK RADICAL LONG TWO
2ED3 957F CJK RADICAL C-SIMPLIFIED LONG
2ED4 95E8 CJK RADICAL C-SIMPLIFIED GATE
2ED5 28E0F CJK RADICAL MOUND ONE
2ED6 961D CJK RADICAL MOUND TWO
2ED7 96E8 CJK RADICAL RAIN
2ED8 9752 CJK RADICAL BLUE
2ED9 97E6 CJK RADICAL C-SIMPLIFIED TANNED LEATHER
2EDA 9875 CJK RADICAL C-SIMPLIFIED LEAF
2EDB 98CE CJK RADICAL C-SIMPLIFIED WIND
2EDC 98DE CJK RADICAL C-SIMPLIFIED FLY
2EDD 98DF CJK RADICAL EAT ONE
2EDE 2967F CJK RADICAL EAT TWO
2EDF 98E0 CJK RADICAL EAT THREE
2EE0 9963 CJK RADICAL C-SIMPLIFIED EAT
2EE1 29810 CJK RADICAL HEAD
2EE2 9A6C CJK RADICAL C-SIMPLIFIED HORSE
2EE3 9AA8 CJK RADICAL BONE
2EE4 9B3C CJK RADICAL GHOST
2EE5 9C7C CJK RADICAL C-SIMPLIFIED FISH
2EE6 9E1F CJK RADICAL C-SIMPLIFIED BIRD
2EE7 5364 CJK RADICAL C-SIMPLIFIED SALT
2EE8 9EA6 CJK RADICAL SIMPLIFIED WHEAT
2EE9 9EC4 CJK RADICAL SIMPLIFIED YELLOW
2EEA 9EFE CJK RADICAL C-SIMPLIFIED FROG
2EEB 6589 CJK RADICAL J-SIMPLIFIED EVEN
2EEC 9F50 CJK RADICAL C-SIMPLIFIED EVEN
2EED 6B6F CJK RADICAL J-SIMPLIFIED TOOTH
2EEE 9F7F CJK RADICAL C-SIMPLIFIED TOOTH
2EEF 7ADC CJK RADICAL J-SIMPLIFIED DRAGON
2EF0 9F99 CJK RADICAL C-SIMPLIFIED DRAGON
2EF1 9F9C CJK RADICAL TURTLE
2EF2 4E80 CJK RADICAL J-SIMPLIFIED TURTLE
2EF3 9F9F CJK RADICAL C-SIMPLIFIED TURTLE
31C6 200CC CJK STROKE HZG
31CF 4E40 CJK STROKE N
31D0 4E00 CJK STROKE H
31D1 4E28 CJK STROKE S
31D2 4E3F CJK STROKE P
31D3 4E3F CJK STROKE SP
31D4 4E36 CJK STROKE D
31D5 200CD CJK STROKE HZ
31D6 4E5B CJK STROKE HG
31D7 200CA CJK STROKE SZ
31D8 200CE CJK STROKE SWZ
31D9 2010C CJK STROKE ST
31DA 4E85 CJK STROKE SG
31DB 21FE8 CJK STROKE PD
31DC 200CB CJK STROKE PZ
31DD 4E40 CJK STROKE TN
31DE 200D1 CJK STROKE SZZ
31DF 4E5A CJK STROKE SWG
31E0 4E59 CJK STROKE HXWG
31E1 2010E CJK STROKE HZZZG
"""


def _equivalents(data: str) -> dict[str, tuple[str, str]]:
    """Each source character of ``data``'s lines -> its unified ideograph and its name."""
    rows = (line.split(maxsplit=2) for line in data.strip().splitlines())
    return {chr(int(src, 16)): (chr(int(dst, 16)), name) for src, dst, name in rows}


def _compatibility_ideographs() -> dict[str, str]:
    """Each compatibility ideograph -> the unified ideograph it canonically decomposes to."""
    found: dict[str, str] = {}
    for block in ("CJK Compatibility Ideographs", "CJK Compatibility Ideographs Supplement"):
        first, last = BLOCKS[block]
        for char in map(chr, range(first, last + 1)):
            if (unified := unicodedata.normalize("NFC", char)) != char:
                found[char] = unified
    return found


# The source's character name, as EquivalentUnifiedIdeograph.txt gives it (for the tests).
EQUIVALENT_NAMES: Mapping[str, str] = MappingProxyType(
    {src: name for src, (_, name) in _equivalents(EQUIVALENTS_UCD).items()})

# THE table: each look-alike code point -> the unified CJK ideograph it stands for.
LOOKALIKES: Mapping[str, str] = MappingProxyType({
    **{chr(KANGXI_FIRST + i): unified for i, unified in enumerate(KANGXI_IDEOGRAPHS)},
    **{src: dst for src, (dst, _) in _equivalents(EQUIVALENTS_UCD).items()},
    **_compatibility_ideographs(),
})

_TRANSLATION = str.maketrans(dict(LOOKALIKES))
_SOURCES = frozenset(LOOKALIKES)
# A class of the five blocks as ranges: a scan of a page's text takes tens of microseconds,
# where a class listing the 1,350 sources one by one took milliseconds (measured).
_IN_BLOCKS = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in BLOCKS.values()) + "]")


def has_lookalikes(text: str) -> bool:
    """Whether ``text`` holds any code point of :data:`LOOKALIKES`.

    The block scan answers the usual case (none); only text with a code point of those
    blocks is looked at character by character (a few of them map to nothing).
    """
    return _IN_BLOCKS.search(text) is not None and not _SOURCES.isdisjoint(text)


def unify_lookalikes(text: str) -> str:
    """Given text, return it with each look-alike code point as its unified ideograph.

    >>> unify_lookalikes("⾏政规范性⽂件（⼀）１２")
    '行政规范性文件（一）１２'
    """
    return text.translate(_TRANSLATION)
