"""Readings the recogniser gets wrong in table cells, put right from the image.

* a ``/`` or a ``-`` read as ``1``: told apart by its slant or its flatness
  (:func:`slashes_read`);
* a cell the detector found nothing in though it holds ink, or whose short reading scored
  low (a digit touching its cell's ruling, read with the ruling's ink as ``o`` or a faint
  ``0``): read again alone, its rulings left out (:func:`reread_cells`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import regex

from gk_extract.parse.layout.tables import PartCell, TablePart
from gk_extract.parse.ocr.engine import Glyph, TextLine, read_crops

# The recogniser reads the ``/`` that reports print in cells with nothing to report as
# ``1`` (now and then ``l``, ``|``, or ``一`` when faint). They differ in slant: the ink's
# x-centre per pixel row, fitted against y over the glyph's middle rows, moves -0.26 to
# -0.35 px per px for ``/`` and -0.02 to +0.09 for ``1`` (its flag pulls the top left),
# measured on the generated scans at 100-200 dpi. The middle rows skip the flag, the foot
# and any serif; a dash has too few rows of ink to have a slant.
SLASH_LOOKALIKES = frozenset({"1", "l", "I", "|", "丨", "｜"})
# ...and a lone 一 (only alone: a glyph box inside a run may take in a neighbour's ink).
LONE_SLASH_LOOKALIKES = frozenset({"一"})
SLASH_MAX_SLOPE = -0.15
SEVEN_TOP_ROWS = 0.2
SEVEN_BAR_SHARE = 0.75
# ...and at least this many times as wide as its stem (a steep slash is narrow all along)
SEVEN_BAR_STROKES = 2.5
# A slanted 1 opening a line of other glyphs (``1万元``), and the glyphs of a number read
# as vertical text, are left as read but scored this, which makes their cell's mean score
# doubtful (template/tables.py LOW_CONFIDENCE) and has it read again (reread_cells).
UNSURE_GLYPH_SCORE = 0.0
# A dash is no taller than wide (FLAT_SHARE; a 100-dpi scan blurs a 4-px dash into a blob
# of 3 x 5 px) and at most FLAT_MAX_HEIGHT of its line high; a 1 fills its line's height.
FLAT_SHARE = 1.0
FLAT_MAX_HEIGHT = 0.35
RULING_COLUMN_SHARE = 0.95
RULING_SIDE_SHARE = 0.25
SLANT_ROWS = (0.2, 0.8)
MIN_SLANT_ROWS = 4
# A table cell read empty is read again alone when, CELL_INSET_PT in from its rulings, it
# holds MISSED_MIN_INK_PX pixels INK_CONTRAST darker than its paper (the median; a faint
# 10.5-pt ``1`` at 100 dpi in a tight row shows ~15 such pixels, paper noise of sigma 8
# none); the crop keeps CROP_MARGIN_PT around the ink, and a reading scoring under
# MISSED_MIN_SCORE is dropped.
CELL_INSET_PT = 2.0
INK_CONTRAST = 60
MISSED_MIN_INK_PX = 8
CROP_MARGIN_PT = 3.0
MISSED_MIN_SCORE = 0.5
# A cell read as a short run of no CJK glyph (a number, ``—``) scoring under UNSURE_SCORE
# is read again from the crop of its inside, UNSURE_INSET_PT in from its rulings (their
# ink and blur, not a glyph set flush against them); the new reading replaces the first
# when it scores higher. A ``/`` or ``-`` told from its ink's shape (PLACEHOLDERS) is not.
UNSURE_SCORE = 0.9
UNSURE_MAX_CHARS = 12
UNSURE_INSET_PT = 1.0
RULING_SHARE = 0.6
PLACEHOLDERS = frozenset({"/", "-"})
_CJK = regex.compile(r"\p{Han}")


def slashes_read(lines: Sequence[TextLine], gray: np.ndarray) -> list[TextLine]:
    """Lines with every slanted ``1`` (see SLASH_LOOKALIKES) read as the ``/`` it is, in
    lines of nothing but such glyphs (a ``/``, or several in neighbouring cells read as one
    line): beside other glyphs a ``1`` is a digit, and its estimated box may take in a
    slanting neighbour's ink (the 7 of ``17``)."""
    out = []
    for line in lines:
        alike = SLASH_LOOKALIKES | (LONE_SLASH_LOOKALIKES if len(line.glyphs) == 1 else set())
        if all(g.text in alike for g in line.glyphs):
            alone = len(line.glyphs) == 1
            line = TextLine(tuple(_placeholder(g, gray, alone) for g in line.glyphs), line.score)
        elif _slanted_head(line, gray):
            head, *rest = line.glyphs
            line = TextLine((replace(head, score=min(head.score, UNSURE_GLYPH_SCORE)), *rest),
                            line.score)
        elif _stacked_digits(line):
            line = TextLine(tuple(replace(g, score=min(g.score, UNSURE_GLYPH_SCORE))
                                  for g in line.glyphs), line.score)
        out.append(line)
    return out


def _stacked_digits(line: TextLine) -> bool:
    """Whether the line holds a digit and its glyphs lie one above another: the
    recogniser took a small crop taller than wide (a digit with a ruling's piece above or
    under it) for vertical text and read the ruling as a ``1`` (``15`` for 5)."""
    if len(line.glyphs) < 2 or not any(ch.isdigit() for g in line.glyphs for ch in g.text):
        return False
    xs = [(g.x0 + g.x1) / 2 for g in line.glyphs]
    ys = [(g.top + g.bottom) / 2 for g in line.glyphs]
    return max(ys) - min(ys) > max(xs) - min(xs)


def _slanted_head(line: TextLine, gray: np.ndarray) -> bool:
    """Whether the line opens with a slanted ``1`` followed by a word, not a digit (``/万元``
    read as ``1万元``): a ``/`` or a 1, its box may have taken in the word's slanting
    stroke, with nothing to tell which."""
    if len(line.glyphs) < 2:
        return False
    head, following = line.glyphs[0], line.glyphs[1]
    return (head.text in SLASH_LOOKALIKES and not following.text.isdigit()
            and is_slanted(head, gray))


def _placeholder(glyph: Glyph, gray: np.ndarray, alone: bool = True) -> Glyph:
    """The glyph read as the ``/`` its slant shows, or, ``alone`` in its line or cell, as
    the ``-`` its flatness shows (a glyph box inside a run, the recogniser's estimate, may
    take in only part of its glyph), else as it was read."""
    if is_slanted(glyph, gray):
        return replace(glyph, text="/")
    if alone and glyph.text in SLASH_LOOKALIKES and is_flat(glyph, gray):
        return replace(glyph, text="-")
    return glyph


def _glyph_ink(glyph: Glyph, gray: np.ndarray) -> np.ndarray:
    """The glyph's ink (Otsu) in its box: the largest connected stroke, after any column near
    the box's sides (RULING_SIDE_SHARE) inked from its top to its bottom, and any row near
    its top or bottom inked across it, is taken out. What else the box took in is not the
    glyph: the rulings beside, above and below it, whole or broken by the blur of a scan,
    and specks. A faint stroke Otsu breaks into pieces a pixel apart along it is one
    stroke."""
    x0, x1 = max(int(glyph.x0), 0), int(np.ceil(glyph.x1))
    top, bottom = max(int(glyph.top), 0), int(np.ceil(glyph.bottom))
    crop = gray[top:bottom, x0:x1]
    if crop.size == 0:
        return np.zeros((0, 0), dtype=bool)
    threshold, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = crop <= threshold  # Otsu puts its threshold in the dark class (0 on a crisp black stroke)
    # a stroke in the middle is the glyph's own (a tall 1's), not a ruling
    ink &= ~ruled_pixels(ink, RULING_COLUMN_SHARE, side=RULING_SIDE_SHARE)
    # pieces are joined across a pixel's gap along the line first (a faint stroke breaks up
    # under Otsu along its length), never across it: a ruling beside a 1 stays apart
    joined = cv2.dilate(ink.astype(np.uint8), np.ones((3, 1), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if count <= 2:
        return np.asarray(ink)
    return np.asarray(ink & (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))))


def ruled_pixels(ink: np.ndarray, share: float, blur: int = 0, side: float | None = None) -> np.ndarray:
    """The pixels of ``ink``'s rulings: its columns, then (those left out) its rows, inked
    across at least ``share`` of it, widened by ``blur`` pixels each way; with ``side``,
    only those within that share of the crop's edges."""
    left = ink.copy()
    mask = np.zeros(ink.shape, dtype=bool)
    for axis in (0, 1):  # columns, then rows
        ruled = left.mean(axis=axis) >= share
        if side is not None:
            edge = max(int(ruled.size * side), 1)
            ruled[edge:-edge] = False
        if blur:
            ruled = np.convolve(ruled, np.ones(2 * blur + 1))[blur:blur + ruled.size] > 0
        if axis == 0:
            mask[:, ruled] = True
        else:
            mask[ruled, :] = True
        left &= ~mask
    return mask


def is_flat(glyph: Glyph, gray: np.ndarray) -> bool:
    """Whether the glyph's ink is a short level stroke (a ``-`` or ``—`` placeholder, which
    the recogniser reads alone as ``1`` now and then, scoring up to 0.95): its ink is at most
    FLAT_SHARE as tall as it is wide and FLAT_MAX_HEIGHT of the line, in the line's middle
    half. A ``1``'s is three times taller than wide and fills the line's height."""
    ink = _glyph_ink(glyph, gray)
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        return False
    tall, middle = ys.max() - ys.min() + 1, (ys.max() + ys.min()) / 2 / ink.shape[0]
    return bool(tall <= FLAT_SHARE * (xs.max() - xs.min() + 1)
                and tall <= FLAT_MAX_HEIGHT * ink.shape[0] and 0.25 <= middle <= 0.75)


def is_slanted(glyph: Glyph, gray: np.ndarray) -> bool:
    """Whether the glyph's ink is one slanting stroke: its rows' centres move left going
    down (SLASH_MAX_SLOPE), and its top is no bar across it (a 7's, whose stem slants as
    a ``/`` does: its top SEVEN_TOP_ROWS span SEVEN_BAR_SHARE of its width, and
    SEVEN_BAR_STROKES times its stem's)."""
    ink = _glyph_ink(glyph, gray)
    if _has_top_bar(ink):
        return False
    height = ink.shape[0]
    ys, xs = [], []
    for y in range(int(height * SLANT_ROWS[0]), min(int(height * SLANT_ROWS[1]) + 1, height)):
        row = np.flatnonzero(ink[y])
        if len(row):
            ys.append(y)
            xs.append(float(row.mean()))
    if len(ys) < MIN_SLANT_ROWS or len(set(ys)) < 2:
        return False
    return bool(np.polyfit(ys, xs, 1)[0] < SLASH_MAX_SLOPE)


def _has_top_bar(ink: np.ndarray) -> bool:
    """Whether the ink's top rows span it (see :func:`is_slanted`). Ink above a blank row
    near the top is left out first: a piece of the ruling above, which the join along
    strokes took in, is no bar of the glyph's."""
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows) == 0:
        return False
    height = rows[-1] - rows[0] + 1
    starts = [rows[gap + 1] for gap in np.flatnonzero(np.diff(rows) > 1)
              if rows[gap] - rows[0] < SEVEN_TOP_ROWS * height]
    ink = ink[max(starts, default=0):]
    ys, xs = np.nonzero(ink)
    top = ys <= ys.min() + SEVEN_TOP_ROWS * (ys.max() - ys.min() + 1)
    bar = xs[top].max() - xs[top].min() + 1
    spans = [row.max() - row.min() + 1 for row in map(np.flatnonzero, ink) if len(row)]
    stroke = float(np.median(spans[len(spans) // 3:]))  # below the top: the stem's rows
    return bool(bar >= SEVEN_BAR_SHARE * (xs.max() - xs.min() + 1)
                and bar >= SEVEN_BAR_STROKES * stroke)


def reread_cells(parts: Sequence[TablePart], confidence: dict[PartCell, float],
                 gray: np.ndarray, k: float) -> list[TablePart]:
    """The parts with each table cell the detector found nothing in but that holds ink (a
    lone thin ``1`` in a tight row is the usual case), and each short unsure reading (see
    UNSURE_SCORE), read again, each crop on its own; the new cells' scores are added to
    ``confidence``."""
    again: list[tuple[PartCell, np.ndarray, tuple[int, int, int, int]]] = []
    for part in parts:
        for cell in part.cells:
            if not cell.text.strip():
                crop, box = _ink_crop(gray, cell, k, CELL_INSET_PT)
            elif _unsure(cell, confidence):
                crop, box = _ink_crop(gray, cell, k, UNSURE_INSET_PT)
            else:
                continue
            if crop is not None:
                again.append((cell, crop, box))
    readings = read_crops([crop for _, crop, _ in again])
    found: dict[PartCell, PartCell] = {}
    for (cell, _, (x0, top, x1, bottom)), (reading, score) in zip(again, readings):
        reading = reading.strip()
        if not reading or score < max(MISSED_MIN_SCORE, confidence.get(cell, 0.0)):
            continue
        if reading in SLASH_LOOKALIKES | LONE_SLASH_LOOKALIKES:
            reading = _placeholder(Glyph(reading, x0, top, x1, bottom, score), gray).text
        found[cell] = replace(cell, text=reading)
        confidence[found[cell]] = score
    return [replace(p, cells=tuple(found.get(c, c) for c in p.cells)) for p in parts]


def _unsure(cell: PartCell, confidence: dict[PartCell, float]) -> bool:
    """A short unsure reading that is no placeholder: a ``/`` or ``-`` was told from its
    ink's shape (see :func:`slashes_read`), which reading the same ink again cannot
    overturn (the recogniser reads it as ``1`` or ``7`` again, now and then surer)."""
    text = cell.text.strip()
    return (confidence.get(cell, 1.0) < UNSURE_SCORE and len(text) <= UNSURE_MAX_CHARS
            and not _CJK.search(text) and text not in PLACEHOLDERS)


def _ink_crop(gray: np.ndarray, cell: PartCell, k: float,
              inset: float) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """The cell's inside (``inset`` points in from its rulings) cut to its ink with a
    margin, when it holds at least MISSED_MIN_INK_PX dark pixels; else None. Ink rows and
    columns running across RULING_SHARE of it near its sides (RULING_SIDE_SHARE) are a
    ruling (a double border's inner line, a neighbour's border within the inset) and are
    blanked first, with a pixel of blur; in its middle such a column is a digit's stem (the
    1 of ``-12`` in a tight row)."""
    px = 1.0 / k
    x0, top = max(int((cell.x0 + inset) * px), 0), max(int((cell.top + inset) * px), 0)
    x1, bottom = int((cell.x1 - inset) * px), int((cell.bottom - inset) * px)
    inside = gray[top:bottom, x0:x1]
    if inside.size == 0:
        return None, (0, 0, 0, 0)
    paper = int(np.median(inside))
    dark = inside < paper - INK_CONTRAST
    ruled = ruled_pixels(dark, RULING_SHARE, blur=1, side=RULING_SIDE_SHARE)
    clean = np.where(ruled, paper, inside).astype(inside.dtype)
    dark &= ~ruled
    ys, xs = np.nonzero(dark)
    if len(ys) < MISSED_MIN_INK_PX:
        return None, (0, 0, 0, 0)
    pad = max(int(CROP_MARGIN_PT * px), 2)
    ink = clean[int(ys.min()):int(ys.max()) + 1, int(xs.min()):int(xs.max()) + 1]
    crop = cv2.copyMakeBorder(ink, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)
    box = (x0 + int(xs.min()), top + int(ys.min()), x0 + int(xs.max()) + 1, top + int(ys.max()) + 1)
    return np.ascontiguousarray(crop), box
