"""Recognising what came back: file types, filenames, trap pages; the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from fetch_sites import PDF, docx_bytes

from gk_extract.fetch.politeness import retry_after
from gk_extract.fetch.responses import disposition_filename, trap_reason
from gk_extract.fetch.sources import RegistryError, load_sources
from gk_extract.formats import sniff_ext

REGISTRY = Path(__file__).resolve().parents[1] / "corpus" / "sources.toml"


@pytest.mark.parametrize(("data", "content_type", "ext"), [
    (PDF, "application/octet-stream", "pdf"),
    (docx_bytes("x"), "application/msword", "docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), None, "doc"),
    (b"\x89PNG\r\n\x1a\nxxxx", "image/png", "png"),
    (b"<!DOCTYPE html><html></html>", "application/pdf", "html"),
    (b"random", "application/pdf", "pdf"),
    (b"random", None, "bin"),
])
def test_type_from_magic_bytes_then_content_type(data: bytes, content_type: str | None, ext: str) -> None:
    assert sniff_ext(data, content_type) == ext


@pytest.mark.parametrize(("header", "name"), [
    (b'attachment; filename="report.pdf"', "report.pdf"),
    ("attachment; filename=\"2024年报.pdf\"".encode("gbk"), "2024年报.pdf"),
    ("attachment; filename=\"2024年报.pdf\"".encode(), "2024年报.pdf"),
    (b"attachment; filename=%E5%B9%B4%E6%8A%A5.docx", "年报.docx"),
    (b"attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
    (b'attachment; filename="..\\\\..\\\\windows\\\\evil.doc"', "evil.doc"),
    (b'attachment; filename="/etc/passwd"', "passwd"),
    (b"inline", None),
])
def test_filenames_from_content_disposition(header: bytes, name: str | None) -> None:
    assert disposition_filename(header) == name


def test_traps_that_answer_200() -> None:
    assert trap_reason(b"<script>var __jsl_clearance=1</script>") == "WAF challenge page"
    assert trap_reason(b'<script>location.replace("/x")</script>') == "JS/meta redirect shell"
    assert trap_reason("<h1>页面不存在</h1>".encode()) == "soft 404 page"
    report = ("<html>" + "<p>一、总体情况</p>" * 3000 + "</html>").encode()
    assert trap_reason(report) is None


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after(b"7") == 7.0
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after(None) is None and retry_after(b"soon") is None


def test_the_starter_registry_loads_and_is_unverified() -> None:
    sites = load_sources(REGISTRY)
    assert len(sites) >= 6 and not any(s.verified for s in sites)
    assert {s.family for s in sites} >= {"trs", "hanweb", "generic"}


def test_registry_errors_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "s.toml"
    bad.write_text('[[site]]\nname = "x"\nstart_urls = ["ftp://x"]\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="start_urls"):
        load_sources(bad)
    bad.write_text('[[site]]\nname = "x"\nstart_urls = ["http://x.gov.cn/"]\nfamily = "wp"\n',
                   encoding="utf-8")
    with pytest.raises(RegistryError, match="family"):
        load_sources(bad)
