"""The file-type vocabulary: magic bytes, store extensions, MIME types, and the formats we parse.

Every stage that asks "what is this file?" asks here: the crawler names a stored file by
:func:`sniff_ext`, the store accepts only :data:`EXTENSIONS`, the pipeline walks folders
with :func:`might_be_document`, and the parser dispatches on :func:`sniff`. The bytes
decide; a Content-Type header only breaks ties for files with no signature.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum

from gk_extract.errors import UnsupportedFormat


class Format(StrEnum):
    """A document format the parser reads; the value is what ``reports.format`` records."""

    HTML = "html"
    DOCX = "docx"
    DOC = "doc"
    WPS = "wps"
    PDF = "pdf"
    RTF = "rtf"
    IMAGE = "image"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
RTF_MAGIC = b"{\\rtf"
# Some producers put junk (a BOM, an HTTP header, whitespace) before the PDF header.
PDF_MAGIC_WITHIN = 1024
# Store extension by leading bytes, for the formats whose signature is a plain prefix.
IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF87a", "gif"),
               (b"GIF89a", "gif"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"), (b"BM", "bmp"))
# How much of the head is sniffed; BOMs and long comments can come before HTML markers.
SNIFF_BYTES = 4096
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta ")
# OLE stream names (UTF-16-LE) that tell WPS, Word and Excel files apart.
_WPS_STREAMS = ("WpsContent".encode("utf-16-le"), "Kingsoft".encode("utf-16-le"))
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAM = "Workbook".encode("utf-16-le")
# Stream names are in the OLE directory, near the start for most files (see _ole_ext).
OLE_PROBE_BYTES = 1 << 20

IMAGE_EXTS = frozenset({"png", "jpg", "gif", "tif", "bmp", "webp"})
# What a link to a report's document file ends with: the attachments of an article page.
ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".ofd", ".xls", ".xlsx")
# Every extension the store writes, with the format it parses as (None: kept, never parsed).
EXTENSIONS: dict[str, Format | None] = {
    "html": Format.HTML, "docx": Format.DOCX, "doc": Format.DOC, "wps": Format.WPS,
    "pdf": Format.PDF, "rtf": Format.RTF, **{ext: Format.IMAGE for ext in IMAGE_EXTS},
    "xls": None, "xlsx": None, "zip": None, "ofd": None, "bin": None,
}
# Content-Type to extension, consulted only when the bytes carry no signature.
MIME_TYPES = {
    "application/pdf": "pdf", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/wps-office.wps": "wps", "application/kswps": "wps",
    "text/html": "html", "application/xhtml+xml": "html",
}
# Why a stored type is not parsed.
_UNREAD = {
    "xls": "an Excel spreadsheet (XLS), not a report document",
    "xlsx": "an Excel spreadsheet (XLSX), not a report document",
    "zip": "zip container without word/document.xml (not a DOCX)",
    "ofd": "an OFD document, which gk-extract does not read",
    "bin": "not a document format gk-extract reads (no PDF, Word, image or HTML signature)",
}


def sniff_ext(data: bytes, content_type: str | None = None) -> str:
    """The store extension of a file from its bytes (``bin`` when nothing matches)."""
    head = data[:SNIFF_BYTES]
    if head.startswith(PDF_MAGIC) or PDF_MAGIC in head[:PDF_MAGIC_WITHIN]:
        return "pdf"
    for magic, ext in IMAGE_MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(ZIP_MAGIC):
        return _zip_ext(data)
    if head.startswith(OLE_MAGIC):
        return _ole_ext(data)
    if _looks_like_html(head):
        return "html"
    if head.startswith(RTF_MAGIC):
        return "rtf"
    mime = (content_type or "").split(";")[0].strip().lower()
    return MIME_TYPES.get(mime, "bin")


def sniff(data: bytes) -> Format:
    """The format a file is parsed as; raises :class:`UnsupportedFormat` saying what it is."""
    ext = sniff_ext(data)
    fmt = EXTENSIONS[ext]
    if fmt is None:
        raise UnsupportedFormat(_unread_reason(ext, data))
    return fmt


def might_be_document(head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` is worth reading whole.

    Zip and OLE containers are decided on the whole file (their directory can be far in).
    """
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return True
    return EXTENSIONS[sniff_ext(head)] is not None


def _unread_reason(ext: str, data: bytes) -> str:
    if ext == "bin" and data.startswith(ZIP_MAGIC):
        return "broken zip container"
    if ext == "bin" and data.startswith(OLE_MAGIC):
        return "OLE file that is not a Word, WPS or Excel document"
    return _UNREAD[ext]


def _zip_ext(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return "bin"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "ofd" if "OFD.xml" in names else "zip"


def _ole_ext(data: bytes) -> str:
    """Word 97-2003, WPS and Excel all use OLE; WPS writes its own stream names.

    The names are looked for near the start first, then in the whole file: LibreOffice
    writes the directory after the streams, megabytes in when the document holds pictures.
    """
    for probe in (data[:OLE_PROBE_BYTES], data):
        if any(stream in probe for stream in _WPS_STREAMS):
            return "wps"
        if _WORD_STREAM in probe:
            return "doc"
        if _EXCEL_STREAM in probe:
            return "xls"
        if len(probe) == len(data):
            break
    return "bin"


# Byte-order marks of the wide encodings, longest first (UTF-32-LE's begins like UTF-16-LE's).
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
              (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Where the NUL bytes of mostly-ASCII text fall in each wide encoding without a BOM.
_WIDE_NULS = (("utf-32-le", 4, (1, 2, 3)), ("utf-32-be", 4, (0, 1, 2)),
              ("utf-16-le", 2, (1,)), ("utf-16-be", 2, (0,)))
# Share of those positions that must be NUL: HTML markup is ASCII, even around CJK text.
_WIDE_NUL_SHARE = 0.7
_CONTROL = bytes([*range(9), 11, *range(14, 27), *range(28, 32)])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL)
BINARY_SHARE = 0.01


def control_bytes(sample: bytes) -> int:
    """How many control bytes (tab, newlines, form feed and escape aside) ``sample`` holds."""
    return len(sample.translate(None, _TEXT_BYTES))


def _binary(sample: bytes) -> bool:
    """More than 1 % control bytes: not text (PDF streams, OLE and ZIP hold 10-40 %)."""
    return control_bytes(sample) > BINARY_SHARE * max(len(sample), 1)


def wide_text_codec(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (either byte order), told by the BOM or, without one, by where the
    NUL bytes fall in the first 512 bytes; None for anything else."""
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            return codec
    sample = data[:512]
    sample = sample[:len(sample) - len(sample) % 4]
    if len(sample) < 16 or b"\x00" not in sample:
        return None
    for codec, period, positions in _WIDE_NULS:
        slots = [sample[i] for i in range(len(sample)) if i % period in positions]
        chars = [sample[i] for i in range(len(sample)) if i % period not in positions]
        if slots.count(0) >= _WIDE_NUL_SHARE * len(slots) and chars.count(0) < len(chars) / 2:
            return None if _nuls_in_utf8(sample, codec) else codec
    return None


def _nuls_in_utf8(sample: bytes, codec: str) -> bool:
    """UTF-8 with a NUL after every byte reads as UTF-16 too, but as Latin-1 letters where
    its Chinese should be; without its NULs it is valid multibyte UTF-8."""
    text = sample.decode(codec, errors="ignore")
    if not any("\x80" <= ch <= "\xff" for ch in text):
        return False
    try:
        sample.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample.replace(b"\x00", b"")) - 4  # cut mid-character
    return True


def _looks_like_html(head: bytes) -> bool:
    codec = wide_text_codec(head)
    if codec is not None:
        head = head.decode(codec, errors="ignore").encode("utf-8")
    elif b"\x00" in head[:512]:
        head = head.replace(b"\x00", b"")  # NULs between the characters of a UTF-8 page
    lowered = head.lower()
    if b"\x00" in lowered[:512] or _binary(lowered[:512]):
        return False
    # A fragment (an article body saved alone) starts with a tag; prose that mentions tags does not.
    return lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or any(
        marker in lowered for marker in _HTML_MARKERS)
