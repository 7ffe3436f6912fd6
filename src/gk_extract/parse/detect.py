"""Detect a file's format from its bytes; the name and Content-Type are hints only."""

from __future__ import annotations

import io
import zipfile

from gk_extract.errors import UnsupportedFormat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# How much of the head is sniffed for HTML markers; BOMs and long comments come first.
HTML_SNIFF_BYTES = 4096
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta ")
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def detect_format(data: bytes) -> str:
    """Given a file's bytes, return ``html``, ``docx``, ``doc``, ``wps``, ``pdf`` or ``image``."""
    head = data[:HTML_SNIFF_BYTES]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if head.startswith(OLE_MAGIC):
        return _ole_format(data)
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if _looks_like_html(head):
        return "html"
    raise UnsupportedFormat("not a document format gk-extract reads (no PDF, Word, image or HTML signature)")


def _zip_format(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise UnsupportedFormat(f"broken zip container: {exc}") from exc
    if "word/document.xml" in names:
        return "docx"
    raise UnsupportedFormat("zip container without word/document.xml (not a DOCX)")


def _ole_format(data: bytes) -> str:
    """Word 97-2003 and WPS both use OLE; WPS writes its own stream names."""
    probe = data[:1 << 20]
    if "WpsContent".encode("utf-16-le") in probe or b"K\x00i\x00n\x00g\x00s\x00o\x00f\x00t" in probe:
        return "wps"
    if "WordDocument".encode("utf-16-le") in probe:
        return "doc"
    raise UnsupportedFormat("OLE file that is not a Word or WPS document (a spreadsheet?)")


def _looks_like_html(head: bytes) -> bool:
    lowered = head.lower()
    if b"\x00" in head[:512] and not lowered.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    # A fragment (an article body saved alone) starts with a tag; prose that mentions tags does not.
    return lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or any(
        marker in lowered for marker in _HTML_MARKERS)
