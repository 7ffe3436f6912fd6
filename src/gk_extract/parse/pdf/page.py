"""One PDF page read with pypdfium2: its characters, its drawn rulings, its images.

Why pypdfium2 and not pdfminer (pdfplumber's reader): on the 5-page WPS sample pdfminer spends
~0.36 s interpreting the content streams before any table is looked for, while PDFium reads
every character and path of the same pages in ~0.03 s. pdfplumber's *table algorithm* is still
used (see ``parse/layout/tables.py``); it only needs edges, which we build here from PDFium's paths.

Coordinates are in PDF points in the page's display space, after its ``/Rotate``: origin at
the top-left corner of the crop box, ``top``/``bottom`` growing downwards, exactly like
pdfplumber's ``top``/``bottom``; a point (x, y) is pixel (x * s, y * s) of the page rendered
by pypdfium2 at scale s, which is what ``Cell.bbox`` promises.
"""

from __future__ import annotations

import ctypes
import logging
import math
import struct
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex

from gk_extract.parse.layout.geometry import BBox, Char, Edge
from gk_extract.parse.pdf.rulings import read_rulings

logger = logging.getLogger(__name__)

# A report page holds ~300-1,500 glyphs; 20,000 is a dense full page of 6-pt text. Beyond it
# the page is a data dump or hostile, and the per-glyph Python work would dominate the batch.
MAX_CHARS_PER_PAGE = 20_000
# PDFium's loose box (font ascent/descent) is the right height for line grouping, but for
# vertical (Identity-V) fonts it is ~20x too wide (199 pt for a 10-pt glyph in hzq2024); a
# loose box more than this many times the glyph's tight box is replaced by the tight box.
LOOSE_BOX_MAX_RATIO = 4.0
# ...checked only for loose boxes larger than this: report text is 9-22 pt (二号 title), and
# skipping the tight-box call for ordinary glyphs saves a sixth of the per-glyph work.
LOOSE_BOX_CHECK_PT = 30.0
# A glyph's em square is 0.9-1.1 times its loose box's height (the font's ascent to descent);
# a font size more than this many times the box's height is a broken font's, not a glyph's.
EM_MAX_RATIO = 2.0
# Unreadable text layer: share of glyphs PDFium cannot map to Unicode (or maps into the
# private-use area / to replacement characters) above which the page needs OCR. Clean pages
# have 0 %; pages with a broken CID font have 80-100 %. 30 % leaves room for a few symbols.
UNREADABLE_GLYPH_SHARE = 0.3
# ...judged only on pages with at least this many glyphs: a page holding `- 3 -` and one
# unmappable bullet is not a broken font.
MIN_GLYPHS_FOR_VERDICT = 10
# A page with at least this many letters of which fewer than this share are CJK is a Chinese
# page whose font maps glyphs to Latin garbage (a report page always has CJK letters).
NO_CJK_MIN_LETTERS = 50
NO_CJK_MAX_SHARE = 0.05

_CJK = regex.compile(r"[\p{Han}\u3000-\u303f\uff00-\uffef]")
_LETTER = regex.compile(r"\p{L}")
_WHITESPACE = frozenset(" \u00a0\u3000\t")
# What PDFium inserts by itself (FPDFText_IsGenerated): word spaces and line breaks.
_GENERATED_CODES = frozenset({0x20, 0x0D, 0x0A, 0x02})
# The four C floats that start FS_RECTF (left, top, right, bottom) and FS_MATRIX (a, b, c,
# d), read in one call as the same Python floats as ctypes' fields give one by one.
_FOUR_FLOATS = struct.Struct("=4f")

@dataclass(frozen=True, slots=True)
class PageContent:
    """Everything later stages need from one page."""

    number: int
    width: float
    height: float
    chars: tuple[Char, ...]
    edges: tuple[Edge, ...]
    images: tuple[BBox, ...]  # where each image object lies on the page
    unreadable: str | None = None
    warnings: tuple[str, ...] = ()
    curves: int = 0  # curved segments drawn (not text): glyphs drawn as outlines have many
    texts: int = 0  # text objects
    invisible_texts: int = 0  # of those, invisible ones (a searchable scan's OCR layer)

    @property
    def n_images(self) -> int:
        return len(self.images)


@dataclass(frozen=True, slots=True)
class _Frame:
    """Maps PDF user space onto the page's display space (crop box, /Rotate, y down)."""

    rotation: int
    left: float
    bottom: float
    right: float
    top: float

    @property
    def size(self) -> tuple[float, float]:
        w, h = self.right - self.left, self.top - self.bottom
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        if self.rotation == 0:  # point() of the common case, inlined: it runs per glyph
            ax, ay, bx, by = left - self.left, self.top - bottom, right - self.left, self.top - top
        else:
            (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        # min() and max() of the corners, written out: a two-argument min() or max() call
        # costs ~0.13 us, the conditional a sixth of that, and it gives the very same float
        # (the first argument unless the second is smaller/larger); this runs for every glyph
        return (bx if bx < ax else ax, by if by < ay else ay,  # noqa: FURB136
                bx if bx > ax else ax, by if by > ay else ay)  # noqa: FURB136

    def direction(self, dx: float, dy: float) -> int:
        """A user-space direction vector as a display rotation, quantised to 90 degrees."""
        if self.rotation == 0 and dy == 0.0 and dx > 0.0:
            return 0  # the common case, without trigonometry
        (ax, ay), (bx, by) = self.point(0.0, 0.0), self.point(dx, dy)
        angle = math.degrees(math.atan2(by - ay, bx - ax))
        return round(angle / 90.0) % 4 * 90


def read_page(pdf: pdfium.PdfDocument, index: int) -> PageContent:
    """The characters, rulings and image count of page ``index`` (0-based)."""
    page = pdf[index]
    try:
        frame = _frame(page)
        textpage = page.get_textpage()
        try:
            chars, verdict, warnings = _read_chars(textpage.raw, frame, index + 1)
        finally:
            textpage.close()
        drawing = read_rulings(page.raw, frame.point, index + 1)
        width, height = frame.size
        return PageContent(index + 1, width, height, tuple(chars), tuple(drawing.edges),
                           tuple(drawing.images), verdict, tuple(warnings + drawing.warnings),
                           drawing.curves, drawing.texts, drawing.invisible_texts)
    finally:
        page.close()


def _frame(page: pdfium.PdfPage) -> _Frame:
    # The box PDFium renders: the crop box within the media box (a crop box reaching
    # beyond the media box is cut to it), so that display space is the rendered page.
    left, bottom, right, top = page.get_bbox()
    return _Frame(page.get_rotation() % 360, left, bottom, right, top)


# --------------------------------------------------------------------------- characters


def _read_chars(raw: Any, frame: _Frame, number: int) -> tuple[list[Char], str | None, list[str]]:
    """The page's glyphs (generated spaces and unmappable glyphs left out) and a verdict on
    whether the text layer is readable at all."""
    count = pdfium_c.FPDFText_CountChars(raw)
    warnings: list[str] = []
    if count > MAX_CHARS_PER_PAGE:
        warnings.append(f"page {number}: {count} characters; only the first {MAX_CHARS_PER_PAGE} read")
        count = MAX_CHARS_PER_PAGE
    reader = _CharReader(raw, frame)
    chars: list[Char] = []
    glyphs = bad = 0
    for i in range(max(count, 0)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in _GENERATED_CODES and pdfium_c.FPDFText_IsGenerated(raw, i):
            continue  # spaces and line breaks PDFium inferred; we infer our own
        if _is_bad_code(code) or pdfium_c.FPDFText_HasUnicodeMapError(raw, i):
            glyphs, bad = glyphs + 1, bad + 1
            continue
        char = reader.char(i, chr(code))
        if char is not None:
            glyphs += char.text not in _WHITESPACE
            chars.append(char)
    return chars, _verdict(chars, glyphs, bad), warnings


def _is_bad_code(code: int) -> bool:
    """Control characters, private-use code points and replacement/noncharacters."""
    return (
        code < 0x20 or 0x7F <= code < 0xA0 or 0xE000 <= code <= 0xF8FF or code >= 0xF0000
        or code in (0xFFFD, 0xFFFE, 0xFFFF)
    )


def _verdict(chars: list[Char], glyphs: int, bad: int) -> str | None:
    """Why the text layer cannot be used (None when it can)."""
    if glyphs >= MIN_GLYPHS_FOR_VERDICT and bad / glyphs > UNREADABLE_GLYPH_SHARE:
        return "(cid:) glyphs"
    # each glyph's text is one code point, so the letters of the page's text are its
    # letter glyphs: two scans of the text instead of a match per glyph
    letters = _LETTER.findall("".join(c.text for c in chars))
    if len(letters) >= NO_CJK_MIN_LETTERS:
        cjk = len(_CJK.findall("".join(letters)))
        if cjk / len(letters) < NO_CJK_MAX_SHARE:
            return "almost no CJK characters"
    return None


class _CharReader:
    """Per-glyph PDFium calls with reusable ctypes out-parameters.

    This is the PDF parser's hot loop (~2,000 glyphs a report): the out-parameters are read
    with one ``struct`` unpack each rather than field by field, and the frame's mapping is
    inlined for upright pages.
    """

    def __init__(self, raw: Any, frame: _Frame) -> None:
        self.raw, self.frame = raw, frame
        self.loose = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        self.tight = [ctypes.c_double() for _ in range(4)]
        self.origin = ctypes.c_double(), ctypes.c_double()

    def char(self, i: int, text: str) -> Char | None:
        raw, frame = self.raw, self.frame
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, self.loose):
            return None
        user_box = self._box(i)
        rotation, scale = 0, None
        if pdfium_c.FPDFText_GetMatrix(raw, i, self.matrix):
            a, b, c, d = _FOUR_FLOATS.unpack_from(self.matrix)
            rotation = frame.direction(a, b) if (a or b) else 0
            scale = math.hypot(c, d)
        x0, top, x1, bottom = frame.box(*user_box)
        if text in _WHITESPACE:
            return Char(" ", x0, top, x1, bottom, rotation == 0, rotation)
        if scale is None or rotation != 0:
            return Char(text, x0, top, x1, bottom, rotation == 0, rotation)
        baseline, em_top = self._em(i, bottom - top, scale)
        return Char(text, x0, top, x1, bottom, True, 0, baseline, em_top)

    def _em(self, i: int, height: float, scale: float) -> tuple[float | None, float | None]:
        """An upright glyph's baseline and the top of its em square (the baseline less the
        font size as set: the size times the text matrix's vertical ``scale``); None, None
        when the size is absurd."""
        size = float(pdfium_c.FPDFText_GetFontSize(self.raw, i)) * scale
        x, y = self.origin
        height = 1.0 if 1.0 > height else height  # max(height, 1.0)  # noqa: FURB136
        if not 0 < size <= EM_MAX_RATIO * height or not (
                pdfium_c.FPDFText_GetCharOrigin(self.raw, i, x, y)):
            return None, None
        baseline = self.frame.point(x.value, y.value)[1]
        return baseline, baseline - size

    def _box(self, i: int) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in user space: the loose box unless it is absurd."""
        left, top, right, bottom = _FOUR_FLOATS.unpack_from(self.loose)
        # min(bottom, top), max(bottom, top) and the larger side, written out (see _Frame.box)
        low = top if top < bottom else bottom  # noqa: FURB136
        high = top if top > bottom else bottom  # noqa: FURB136
        loose = left, low, right, high
        width, height = right - left, abs(top - bottom)
        if (height if height > width else width) <= LOOSE_BOX_CHECK_PT:  # noqa: FURB136
            return loose
        tight_left, tight_right, tight_bottom, tight_top = self.tight
        pdfium_c.FPDFText_GetCharBox(self.raw, i, tight_left, tight_right, tight_bottom, tight_top)
        extent = max(tight_right.value - tight_left.value, tight_top.value - tight_bottom.value, 1.0)
        if max(loose[2] - loose[0], loose[3] - loose[1]) > LOOSE_BOX_MAX_RATIO * extent + 2:
            return tight_left.value, tight_bottom.value, tight_right.value, tight_top.value
        return loose
