"""What a response really is beyond its type (``formats.sniff_ext``): its filename, and the
traps that answer 200."""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_to_bytes

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
