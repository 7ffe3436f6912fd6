"""Scanned-report fixtures: printed PDFs rendered to page images and degraded like scans.

Each page is rendered with PDFium at a random 100-200 dpi, turned by a small random angle,
blurred, given sensor noise and saved as JPEG at a random quality, and one scan in four is
faint (its ink lightened towards the paper); the pages are then
wrapped as an image-only PDF (Pillow) or as an HTML page whose
body is ``<img>`` tags (data: URIs or files beside the page). Deterministic per seed.
"""

from __future__ import annotations

import base64
import ctypes
import io
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from pypdfium2 import raw

# Degradation ranges (what real scans of reports show; see the module docstring).
DPI_RANGE = (100, 200)
MAX_ROTATION_DEG = 2.5
MAX_BLUR_RADIUS = 0.8
MAX_NOISE_SIGMA = 8.0
JPEG_QUALITY_RANGE = (45, 90)
# A share of scans is faint (toner low, exposure high): ink lightened towards the paper.
FAINT_SHARE = 0.25
FAINT_CONTRAST_RANGE = (0.3, 0.7)


@dataclass(frozen=True)
class Degradation:
    dpi: int
    rotation: float
    blur: float
    noise: float
    quality: int
    contrast: float = 1.0

    @classmethod
    def draw(cls, rng: random.Random) -> Degradation:
        how = cls(rng.randint(*DPI_RANGE), rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG),
                  rng.uniform(0, MAX_BLUR_RADIUS), rng.uniform(0, MAX_NOISE_SIGMA),
                  rng.randint(*JPEG_QUALITY_RANGE))
        if rng.random() < FAINT_SHARE:
            how = replace(how, contrast=rng.uniform(*FAINT_CONTRAST_RANGE))
        return how


def scan_pages(pdf_bytes: bytes, how: Degradation, seed: int = 0) -> list[Image.Image]:
    """The PDF's pages as degraded grayscale scans (JPEG-decoded)."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        pages = [pdf[i].render(scale=how.dpi / 72, grayscale=True).to_pil().convert("L")
                 for i in range(len(pdf))]
    finally:
        pdf.close()
    noise = np.random.default_rng(seed)
    return [degrade(page, how, noise) for page in pages]


def degrade(page: Image.Image, how: Degradation, noise: np.random.Generator) -> Image.Image:
    page = page.rotate(how.rotation, resample=Image.Resampling.BILINEAR, expand=False,
                       fillcolor=255)
    if how.blur > 0.05:
        page = page.filter(ImageFilter.GaussianBlur(how.blur))
    pixels = 255 - (255 - np.asarray(page, dtype=np.float32)) * how.contrast
    pixels = pixels + noise.normal(0, how.noise, pixels.shape)
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=how.quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def image_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF, one JPEG page per image."""
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return buffer.getvalue()


def html_with_images(pages: list[Image.Image], folder: Path | None = None) -> bytes:
    """An HTML report whose body is the page images: data: URIs, or PNG files in ``folder``."""
    tags = []
    for i, page in enumerate(pages):
        buffer = io.BytesIO()
        page.save(buffer, "PNG")
        if folder is None:
            src = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
        else:
            (folder / f"page{i + 1}.png").write_bytes(buffer.getvalue())
            src = f"page{i + 1}.png"
        tags.append(f'<p><img src="{src}" alt="第{i + 1}页"></p>')
    body = "\n".join(tags)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>年度报告</title></head>"
            f"<body><div class='article'>{body}</div></body></html>").encode()


def docx_with_images(pages: list[Image.Image], title: str = "年度报告", text: str = "",
                     width_cm: float = 16.0) -> bytes:
    """A Word report whose body is its title and the page images as pictures (a 图片版
    report typed in Word: the pages scanned, then pasted in), each after ``text`` when
    given (typed text on every page, the pictures beside it)."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_paragraph(title)
    for page in pages:
        if text:
            document.add_paragraph(text)
        buffer = io.BytesIO()
        page.save(buffer, "PNG")
        buffer.seek(0)
        document.add_picture(buffer, width=Cm(width_cm))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def outlined_pdf(pdf_bytes: bytes) -> bytes:
    """The PDF with every glyph drawn as its outline, a filled path, and no text left: what a
    design tool's "convert text to curves" or some print drivers make. Built with PDFium's
    own glyph outlines, placed at each character's origin through its text object's matrix."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    for page in pdf:
        textpage = page.get_textpage()
        paths = [path for i in range(raw.FPDFText_CountChars(textpage.raw))
                 if (path := _glyph_path(textpage.raw, i)) is not None]
        textpage.close()
        for index in reversed(range(raw.FPDFPage_CountObjects(page.raw))):
            obj = raw.FPDFPage_GetObject(page.raw, index)
            if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT:
                raw.FPDFPage_RemoveObject(page.raw, obj)
                raw.FPDFPageObj_Destroy(obj)
        for path in paths:
            raw.FPDFPage_InsertObject(page.raw, path)
        raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _glyph_path(textpage: object, i: int) -> object | None:
    """Character ``i``'s glyph as a new filled path object on the page, or None."""
    obj = raw.FPDFText_GetTextObject(textpage, i)
    code = raw.FPDFText_GetUnicode(textpage, i)
    if not obj or raw.FPDFText_IsGenerated(textpage, i) or chr(code).isspace():
        return None
    size, matrix = ctypes.c_float(), raw.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    raw.FPDFTextObj_GetFontSize(obj, size)
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    raw.FPDFText_GetCharOrigin(textpage, i, x, y)
    glyph = raw.FPDFFont_GetGlyphPath(raw.FPDFTextObj_GetFont(obj), code, size.value)
    if not glyph:
        return None
    px, py = ctypes.c_float(), ctypes.c_float()
    path, curve = None, []
    for k in range(raw.FPDFGlyphPath_CountGlyphSegments(glyph)):
        segment = raw.FPDFGlyphPath_GetGlyphPathSegment(glyph, k)
        raw.FPDFPathSegment_GetPoint(segment, px, py)
        gx, gy = px.value * size.value, py.value * size.value  # the outline is per em
        point = (x.value + matrix.a * gx + matrix.c * gy, y.value + matrix.b * gx + matrix.d * gy)
        kind = raw.FPDFPathSegment_GetType(segment)
        if path is None:
            path = raw.FPDFPageObj_CreateNewPath(*point)
        elif kind == raw.FPDF_SEGMENT_MOVETO:
            raw.FPDFPath_MoveTo(path, *point)
        elif kind == raw.FPDF_SEGMENT_LINETO:
            raw.FPDFPath_LineTo(path, *point)
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            curve.extend(point)
            if len(curve) == 6:  # a cubic's two control points and its end
                raw.FPDFPath_BezierTo(path, *curve)
                curve = []
        if raw.FPDFPathSegment_GetClose(segment):
            raw.FPDFPath_Close(path)
    if path is not None:
        raw.FPDFPageObj_SetFillColor(path, 0, 0, 0, 255)
        raw.FPDFPath_SetDrawMode(path, raw.FPDF_FILLMODE_WINDING, 0)
    return path


def searchable_pdf(pdf_bytes: bytes, dpi: int = 150, quality: int = 60, strips: int = 1) -> bytes:
    """A "searchable" scan of the PDF: each page a grey JPEG of itself (cut into ``strips``
    images one under another, as some scanners write it), with the page's text kept over it
    but invisible (render mode 3), as a scanner's or Acrobat's OCR layer lies over the
    picture; the rulings are only in the picture."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    for page in pdf:
        width, height = page.get_size()
        picture = page.render(scale=dpi / 72).to_pil().convert("L")
        for index in reversed(range(raw.FPDFPage_CountObjects(page.raw))):
            obj = raw.FPDFPage_GetObject(page.raw, index)
            if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT:
                raw.FPDFTextObj_SetTextRenderMode(obj, raw.FPDF_TEXTRENDERMODE_INVISIBLE)
            else:  # rulings, shading and images: on paper, now only in the picture
                raw.FPDFPage_RemoveObject(page.raw, obj)
                raw.FPDFPageObj_Destroy(obj)
        pixels = picture.height
        for k in range(strips):
            strip = io.BytesIO()
            picture.crop((0, k * pixels // strips, picture.width, (k + 1) * pixels // strips)) \
                .save(strip, "JPEG", quality=quality)
            image = pdfium.PdfImage.new(pdf)
            image.load_jpeg(io.BytesIO(strip.getvalue()), inline=False)
            image.set_matrix(pdfium.PdfMatrix(width, 0, 0, height / strips, 0,
                                              height - (k + 1) * height / strips))
            page.insert_obj(image)
        page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
