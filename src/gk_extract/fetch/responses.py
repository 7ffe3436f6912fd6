"""What a response really is: its file type, its filename, and the traps that answer 200."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote, unquote_to_bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"),
          (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"II*\x00", "tif"), (b"MM\x00*", "tif"))
_CONTENT_TYPES = {"application/pdf": "pdf", "application/msword": "doc",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
                  "application/wps-office.wps": "wps", "application/kswps": "wps",
                  "text/html": "html", "application/xhtml+xml": "html"}
WAF_CHALLENGE = "WAF challenge page"
# Challenge and shell pages are small; a real report page with tables is far larger.
SHELL_MAX_BYTES = 2048
SOFT_404_MAX_BYTES = 16 * 1024
# WAF challenges seen on gov sites (gov-sites.md §7): JS cookie challenges and their texts.
_WAF_MARKERS = (b"__jsl_clearance", b"acw_sc__v2", b"please enable javascript",
                b"_waf_", b"waf_sc", b"\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81")  # 安全验证
_REDIRECT_SHELL = re.compile(rb"location\.(replace|href)|window\.location\s*=|http-equiv=.?refresh", re.IGNORECASE)
_SOFT_404 = tuple(s.encode() for s in ("页面不存在", "页面未找到", "您访问的页面", "404 not found",
                                         "页面已删除", "信息不存在", "文章不存在"))


def sniff_ext(data: bytes, content_type: str | None) -> str:
    """The store extension from the bytes; Content-Type only breaks ties (html vs. unknown)."""
    head = data[:4096]
    for magic, ext in _MAGIC:
        if head.startswith(magic) or (ext == "pdf" and magic in head[:1024]):
            return ext
    if head.startswith(b"PK\x03\x04"):
        return _zip_ext(data)
    if head.startswith(OLE_MAGIC):
        return _ole_ext(data)
    lowered = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if lowered.startswith(b"<") or b"<html" in lowered:
        return "html"
    mime = (content_type or "").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(mime, "bin")


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
    probe = data[:1 << 20]
    if "WpsContent".encode("utf-16-le") in probe or "Kingsoft".encode("utf-16-le") in probe:
        return "wps"
    if "WordDocument".encode("utf-16-le") in probe:
        return "doc"
    return "xls" if "Workbook".encode("utf-16-le") in probe else "bin"


def trap_reason(body: bytes) -> str | None:
    """Why a 200 response is no document (WAF challenge, JS redirect shell, soft 404), or None."""
    lowered = body[:SOFT_404_MAX_BYTES].lower()
    if any(m in lowered for m in _WAF_MARKERS):
        return WAF_CHALLENGE
    if len(body) <= SHELL_MAX_BYTES and _REDIRECT_SHELL.search(lowered):
        return "JS/meta redirect shell"
    if len(body) <= SOFT_404_MAX_BYTES and any(m in lowered for m in _SOFT_404):
        return "soft 404 page"
    return None


def disposition_filename(header: bytes | None) -> str | None:
    """The file name of a Content-Disposition header: RFC 5987, percent-encoded, UTF-8 or GBK.

    Only a name is returned (no directory parts); it is recorded, never used as a path.
    """
    if not header:
        return None
    extended = re.search(rb"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", header, re.IGNORECASE)
    if extended:
        raw = unquote_to_bytes(extended.group(2).strip().strip(b'"').decode("ascii", "replace"))
        name = _decode(raw, extended.group(1).decode("ascii", "replace"))
    else:
        plain = re.search(rb'filename\s*=\s*"?([^";]+)"?', header, re.IGNORECASE)
        if not plain:
            return None
        name = _decode(plain.group(1).strip(), "utf-8")
        if "%" in name:
            name = _decode(unquote_to_bytes(name), "utf-8")
    return _basename(name)


def _decode(raw: bytes, charset: str) -> str:
    for encoding in (charset, "utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


def _basename(name: str) -> str | None:
    name = unquote(name) if "%" in name else name
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return name[:200] or None
