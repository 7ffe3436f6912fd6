"""The one file-type vocabulary: what the bytes say, what is parsed, what is only stored."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gk_extract.errors import UnsupportedFormat
from gk_extract.formats import (
    EXTENSIONS,
    IMAGE_EXTS,
    OLE_MAGIC,
    Format,
    might_be_document,
    sniff,
    sniff_ext,
)
from gk_extract.parse import PARSERS, parse_document
from gk_extract.store import BlobStore


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


OLE_WORD = OLE_MAGIC + "WordDocument".encode("utf-16-le")
OLE_WPS = OLE_MAGIC + "WordDocument".encode("utf-16-le") + "Kingsoft".encode("utf-16-le")
OLE_EXCEL = OLE_MAGIC + "Workbook".encode("utf-16-le")


@pytest.mark.parametrize(("data", "ext", "fmt"), [
    (b"%PDF-1.7\n", "pdf", Format.PDF),
    (b"\xef\xbb\xbf\r\n%PDF-1.4\n", "pdf", Format.PDF),  # junk before the header
    (_zip("word/document.xml"), "docx", Format.DOCX),
    (OLE_WORD, "doc", Format.DOC),
    (OLE_WPS, "wps", Format.WPS),
    (b"\x89PNG\r\n\x1a\n....", "png", Format.IMAGE),
    (b"\xff\xd8\xff\xe0....", "jpg", Format.IMAGE),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp", Format.IMAGE),
    (b"<!DOCTYPE html><html></html>", "html", Format.HTML),
    (b"\xef\xbb\xbf  <div class='TRS_Editor'>", "html", Format.HTML),  # a saved article body
])
def test_the_bytes_decide_the_type_and_the_format(data: bytes, ext: str, fmt: Format) -> None:
    assert sniff_ext(data) == ext
    assert sniff(data) is fmt
    assert EXTENSIONS[ext] is fmt


@pytest.mark.parametrize(("data", "ext", "reason"), [
    (_zip("xl/workbook.xml"), "xlsx", "spreadsheet"),
    (OLE_EXCEL, "xls", "spreadsheet"),
    (_zip("OFD.xml"), "ofd", "OFD"),
    (_zip("readme.txt"), "zip", "not a DOCX"),
    (b"PK\x03\x04 broken", "bin", "broken zip"),
    (OLE_MAGIC + b"\x00" * 64, "bin", "OLE file"),
    (b"plain text, no markup", "bin", "not a document format"),
])
def test_stored_but_never_parsed_types_fail_with_what_they_are(
        data: bytes, ext: str, reason: str) -> None:
    assert sniff_ext(data) == ext
    with pytest.raises(UnsupportedFormat, match=reason):
        sniff(data)


def test_content_type_only_names_files_without_a_signature() -> None:
    assert sniff_ext(b"random", "application/pdf; charset=binary") == "pdf"
    assert sniff_ext(b"%PDF-1.4", "text/html") == "pdf"
    assert sniff_ext(b"random", "application/octet-stream") == "bin"


def test_every_format_has_a_parser_and_every_type_a_store_path(tmp_path: Path) -> None:
    assert set(PARSERS) == set(Format)
    assert IMAGE_EXTS <= set(EXTENSIONS)
    store = BlobStore(tmp_path)
    for ext in EXTENSIONS:
        assert store.path_for("0" * 64, ext).suffix == f".{ext}"
    with pytest.raises(ValueError, match="not one the store writes"):
        store.path_for("0" * 64, "exe")


def test_a_folder_walk_reads_containers_whole_and_skips_the_rest() -> None:
    assert might_be_document(b"PK\x03\x04")  # a DOCX's head alone is no valid zip
    assert might_be_document(OLE_MAGIC)
    assert might_be_document(b"<html>")
    assert not might_be_document(b"just notes")


def test_unknown_format_names_are_refused_in_one_line() -> None:
    with pytest.raises(UnsupportedFormat, match="unknown format 'ofd'"):
        parse_document(b"", "ofd")


def test_importing_the_pipeline_loads_no_pdf_ocr_or_office_stack() -> None:
    heavy = ["cv2", "pypdfium2", "pdfplumber", "rapidocr", "onnxruntime", "docx"]
    code = ("import sys, gk_extract.pipeline, gk_extract.cli; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_ole_directory_megabytes_in_still_names_the_file() -> None:
    """LibreOffice writes a .doc's directory after its streams: a document holding
    pictures names its WordDocument stream megabytes in. Names near the start decide first
    (a Word file whose picture bytes happen to hold Workbook is still a .doc)."""
    pictures = bytes(range(256)) * (3 << 12)  # 3 MB of stream data before the directory
    assert sniff_ext(OLE_MAGIC + pictures + "WordDocument".encode("utf-16-le")) == "doc"
    assert sniff_ext(OLE_MAGIC + pictures + "Workbook".encode("utf-16-le")) == "xls"
    assert sniff_ext(OLE_WORD + pictures + "Workbook".encode("utf-16-le")) == "doc"
    assert sniff_ext(OLE_MAGIC + pictures) == "bin"
