"""Bytes -> text for HTML pages: the byte-order mark and the page's own ``<meta>`` /
XML declaration as beautifulsoup4's encoding detector finds them, weighed against the HTTP
charset and the bytes themselves.

The cascade is: BOM, HTTP charset, declared charset, UTF-8, GB18030. A declared charset that
fails to decode strictly falls through to the next step; the last resort is GB18030 with
replacement characters. Every GB-family label (GB2312, GBK, CP936 …) decodes as GB18030, its
superset: pages labelled GB2312 routinely hold GBK-only characters.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator

from bs4.dammit import EncodingDetector

from gk_extract.errors import ParseError
from gk_extract.formats import BINARY_SHARE, control_bytes, wide_text_codec

logger = logging.getLogger(__name__)

# Browsers prescan 1 KB; TRS/Word pages put 20+ <meta name=...> and long comments first, so
# the charset declaration can sit further down. 4 KB found it on every sample.
META_SNIFF_BYTES = 4096
BINARY_SAMPLE_BYTES = 65536

# fmt: off
_GB_LABELS = frozenset({
    "gb2312", "gbk", "gb_2312-80", "gb_2312", "x-gbk", "cp936", "ms936", "windows-936",
    "euc-cn", "x-euc-cn", "csgb2312", "chinese", "gb18030",
})
# fmt: on
# Servers and HTTP clients default to Latin-1 when nobody configured a charset; no Chinese
# report is written in a single-byte Western encoding, so such a declaration is ignored.
_UNTRUSTED_CODECS = frozenset({"iso8859-1", "ascii", "cp1252"})
_WIDE_CODECS = ("utf-16", "utf-32")


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode an HTML page: BOM, HTTP charset, ``<meta>`` charset, UTF-8, then GB18030.

    Raises :class:`ParseError` for empty input or bytes that are clearly binary.
    """
    return decode(data, http_charset)[0]


def decode(data: bytes, http_charset: str | None) -> tuple[str, str, bytes]:
    """The decoded text, the codec that produced it and the bytes it decoded (no BOM)."""
    if not data.strip():
        raise ParseError("empty HTML input")
    payload, bom = EncodingDetector.strip_byte_order_mark(data)
    if bom is None and (wide := wide_text_codec(data)) is not None:  # UTF-16/32 without a BOM
        return data.decode(wide, errors="replace").replace("\x00", ""), wide, data
    if not (bom or "").startswith(_WIDE_CODECS) and not _is_wide_codec(http_charset):
        payload = payload.replace(b"\x00", b"")  # NULs between a page's bytes are dropped
        if not payload.strip():
            raise ParseError("empty HTML input: nothing but NUL bytes and whitespace")
        _reject_binary(payload)
    for codec in _codec_cascade(payload, bom, http_charset):
        try:
            return payload.decode(codec).lstrip("\ufeff"), codec, payload
        except (UnicodeDecodeError, LookupError):
            logger.debug("charset %s does not decode the page; trying the next", codec)
    return payload.decode("gb18030", errors="replace"), "gb18030", payload


def _codec_cascade(data: bytes, bom: str | None, http_charset: str | None) -> Iterator[str]:
    """Codecs to try in order. The BOM goes first: it is evidence in the bytes themselves."""
    declared = [_normalise_charset(http_charset), _normalise_charset(_declared_charset(data))]
    if "gb18030" in declared and _is_multibyte_utf8(data):
        # CMS migrations leave `charset=gb2312` on pages now served as UTF-8; GBK text of any
        # length is essentially never valid UTF-8, so valid multibyte UTF-8 wins.
        declared.insert(0, "utf-8")
    seen: set[str] = set()
    for codec in (bom, *declared, "utf-8", "gb18030"):
        if codec and codec not in seen:
            seen.add(codec)
            yield codec


def _normalise_charset(label: str | None) -> str | None:
    """Python codec name for a declared charset; GB family -> gb18030; junk -> None."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("gbk", "gb2312"):
        return "gb18030"
    return None if name in _UNTRUSTED_CODECS else name


def _declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first bytes (``<meta>`` or XML declaration)."""
    label = EncodingDetector.find_declared_encoding(
        data[:META_SNIFF_BYTES], is_html=True, search_entire_document=True
    )
    # WHATWG: a page cannot declare UTF-16 in its own ASCII-compatible bytes; it means UTF-8.
    return "utf-8" if label and label.startswith(_WIDE_CODECS) else label


def _is_wide_codec(label: str | None) -> bool:
    name = _normalise_charset(label) or ""
    return name.startswith(_WIDE_CODECS)


def _is_multibyte_utf8(data: bytes) -> bool:
    try:
        return len(data.decode("utf-8")) < len(data)
    except UnicodeDecodeError:
        return False


def _reject_binary(data: bytes) -> None:
    sample = data[:BINARY_SAMPLE_BYTES]
    controls = control_bytes(sample)
    if controls > BINARY_SHARE * len(sample):
        raise ParseError(f"not HTML: {controls} control bytes in the first {len(sample)}")


def utf8_payload(data: bytes, http_charset: str | None) -> bytes:
    """The page as UTF-8 bytes for libxml2, which we tell the encoding explicitly so that it
    ignores in-page declarations (already weighed above).

    Pages that already are UTF-8 go through untouched: re-encoding 370 KB costs ~1 ms.
    NULs are dropped because libxml2 stops reading text at them.
    """
    text, codec, payload = decode(data, http_charset)
    if codec == "utf-8" and b"\x00" not in payload:
        return payload
    return text.replace("\x00", "").encode("utf-8", errors="replace")
