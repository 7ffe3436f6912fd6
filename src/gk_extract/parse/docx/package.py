"""The OOXML package: its zip container, its parts as lxml trees, its core properties.

Read with :mod:`zipfile` and lxml directly: every part is size-checked while it inflates,
and a part we can do without (styles, metadata, rels) costs a warning when it is broken.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from datetime import datetime
from functools import cache

import regex
from lxml import etree

from gk_extract.errors import ParseError
from gk_extract.models import ImageSource
from gk_extract.parse.docx.ooxml import DC, DCTERMS, REL, W_NS, W_STRICT_NS

# Largest XML part we decompress. A 300-page report with heavily formatted tables has
# ~20 MB of document.xml; anything above 64 MB is a zip bomb or not a report.
MAX_PART_BYTES = 64 * 1024 * 1024

# Titles that Word, WPS and converters write when the author typed none: a converter
# stamp ("Microsoft Word - 报告.doc"), a "new document" name, a bare placeholder word
# ("Document1", "无标题"), or a file name.
_DEFAULT_TITLE = regex.compile(
    r"^\s*(microsoft\s*word\s*-|新建\s*(microsoft\s*)?(word|wps|docx?|文字|文档))"
    r"|^\s*(untitled|无标题|document|doc|文档|标题|title|word\s*文档|空白文档)\s*\d*\s*$"
    r"|\.(docx?|dotx?|docm|wps|wpt|pdf|rtf|txt|html?)\s*$",
    regex.IGNORECASE,
)

# Everything that zipfile/zlib raise on a damaged, truncated, encrypted or exotic package.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)

# No entity expansion, no network: a document part is data, never instructions.
# collect_ids=False: we never look up xml:id, and indexing them costs parse time.
XML_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)



def open_package(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise ParseError(f"docx: not a readable zip package ({one_line(exc)})") from None


def read_part(package: zipfile.ZipFile, name: str, *, required: bool) -> bytes | None:
    """A part's bytes, refusing parts over MAX_PART_BYTES (the header may lie, so we count)."""
    try:
        info = package.getinfo(name)
    except KeyError:
        if required:
            raise ParseError(f"docx: package has no {name}") from None
        return None
    if info.file_size > MAX_PART_BYTES:
        raise ParseError(f"docx: {name} is {info.file_size} bytes, over {MAX_PART_BYTES}")
    try:
        with package.open(info) as stream:
            raw = stream.read(MAX_PART_BYTES + 1)
    except _ZIP_ERRORS as exc:
        raise ParseError(f"docx: cannot decompress {name} ({one_line(exc)})") from None
    if len(raw) > MAX_PART_BYTES:
        raise ParseError(f"docx: {name} inflates beyond {MAX_PART_BYTES} bytes")
    return raw


def parse_xml(raw: bytes | None, name: str) -> etree._Element:
    if raw is None:
        raise ParseError(f"docx: package has no {name}")
    if W_STRICT_NS in raw:
        raw = raw.replace(W_STRICT_NS, W_NS.encode())
    try:
        return etree.fromstring(raw, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"docx: {name} is not well-formed XML ({one_line(exc)})") from None


def optional_xml(
    package: zipfile.ZipFile, name: str, warnings: list[str]
) -> etree._Element | None:
    """A part we can do without (styles, metadata, rels): broken or missing costs a warning."""
    try:
        raw = read_part(package, name, required=False)
        return None if raw is None else parse_xml(raw, name)
    except ParseError as exc:
        warnings.append(str(exc))
        return None


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def package_parts(package: zipfile.ZipFile, warnings: list[str]) -> tuple[str, str]:
    """Names of the main document and core-properties parts, from _rels/.rels.

    Without a usable rels part we fall back on the names every Word and WPS version writes.
    """
    main, core = "word/document.xml", "docProps/core.xml"
    rels = optional_xml(package, "_rels/.rels", warnings)
    for rel in () if rels is None else rels.iter(REL + "Relationship"):
        kind, target = rel.get("Type", ""), rel.get("Target", "").lstrip("/")
        if target and kind.endswith("/officeDocument"):
            main = target
        elif target and kind.endswith("/core-properties"):
            core = target
    return main, core


# --------------------------------------------------------------------------- core properties


def core_meta(package: zipfile.ZipFile, name: str, warnings: list[str]) -> dict[str, str]:
    """title/creator/created/modified from docProps/core.xml; dates as ISO 8601 strings."""
    root = optional_xml(package, name, warnings)
    if root is None:
        return {}
    meta: dict[str, str] = {}
    for key, tag in (
        ("title", DC + "title"),
        ("creator", DC + "creator"),
        ("created", DCTERMS + "created"),
        ("modified", DCTERMS + "modified"),
    ):
        text = (root.findtext(tag) or "").strip()
        value = _iso_date(text) if key in ("created", "modified") else text
        if value:
            meta[key] = value
    return meta


def _iso_date(text: str) -> str:
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def document_title(meta: dict[str, str]) -> str | None:
    """The core-properties title unless it is a filename, a converter stamp or a default."""
    title = meta.get("title", "")
    if len(title) < 2 or not regex.search(r"\p{L}", title) or _DEFAULT_TITLE.search(title):
        return None
    return title



def part_targets(package: zipfile.ZipFile, part: str, warnings: list[str]) -> dict[str, str]:
    """The relationships of ``part`` as id -> the part they name inside the package
    (external targets, which would be fetched, are left out)."""
    folder, name = posixpath.split(part)
    rels = optional_xml(package, posixpath.join(folder, "_rels", f"{name}.rels"), warnings)
    targets: dict[str, str] = {}
    for rel in () if rels is None else rels.iter(REL + "Relationship"):
        rid, target = rel.get("Id"), rel.get("Target")
        if rid and target and rel.get("TargetMode") != "External":
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets[rid] = posixpath.normpath(path)
    return targets


def package_images(data: bytes) -> ImageSource:
    """Where the pictures of a DOCX are read from: its own parts, by name (``images`` of the
    Document :func:`~gk_extract.parse.docx.parse_docx` gives), size-checked as they inflate."""
    @cache
    def package() -> zipfile.ZipFile:  # opened once, and only for a document with pictures
        return open_package(data)

    def read(name: str) -> tuple[bytes | None, str]:
        try:
            raw = read_part(package(), name, required=True)
        except ParseError as exc:
            return None, str(exc)
        return raw, ""

    return read
