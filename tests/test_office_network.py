"""A hostile .doc cannot make the batch machine request an address: LibreOffice converts
it with no network (real LibreOffice, a real listener on loopback)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from gk_extract.errors import ParseError
from gk_extract.parse import office
from gk_extract.parse.office import OfficeSettings, find_soffice, parse_office, run_soffice


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _record(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_error(404)

    do_GET = do_HEAD = do_OPTIONS = do_PROPFIND = _record

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    seen: ClassVar[list[str]] = []
    server.RequestHandlerClass = type("Recorder", (_Recorder,), {"seen": seen})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def _doc_linking(url: str, tmp_path: Path) -> bytes:
    """A Word 97 file whose picture is linked to ``url`` (made by LibreOffice from HTML)."""
    page = tmp_path / "linked.html"
    page.write_text(f'<html><body><p>某县财政局2024年政府信息公开工作年度报告</p>'
                    f'<p><img src="{url}/pic.png" width="80" height="80"></p></body></html>',
                    encoding="utf-8")
    soffice = find_soffice(OfficeSettings(cache_dir=tmp_path / "cache"))
    run_soffice(soffice, ["--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(page)],
                120)
    return (tmp_path / "linked.doc").read_bytes()


def test_a_linked_picture_is_not_fetched(listener: tuple[str, list[str]], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, seen = listener
    data = _doc_linking(url, tmp_path)
    assert office.no_network(), "conversions must run without network here"
    document = parse_office(data, "doc", OfficeSettings(cache_dir=tmp_path / "isolated"))
    assert "年度报告" in " ".join(p.text for p in document.paragraphs)
    assert seen == []
    # the same conversion given the network fetches the picture: the listener does hear it
    monkeypatch.setattr(office, "no_network", lambda: ())
    parse_office(data, "doc", OfficeSettings(cache_dir=tmp_path / "open"))
    assert any(request.endswith("/pic.png") for request in seen)


def test_soffice_runs_under_its_memory_limit(tmp_path: Path) -> None:
    """The same conversion succeeds under the default limit and fails, with LibreOffice's
    own reason, when the limit is below what soffice needs to start."""
    source = tmp_path / "page.html"
    source.write_text("<html><body><p>某县财政局2024年政府信息公开工作年度报告</p></body></html>",
                      encoding="utf-8")
    data = _doc_bytes(source, tmp_path)
    assert office.memory_limit(office.SOFFICE_MAX_MEMORY), "prlimit is part of util-linux"
    fine = parse_office(data, "doc", OfficeSettings(cache_dir=tmp_path / "fine"))
    assert "年度报告" in " ".join(p.text for p in fine.paragraphs)
    with pytest.raises(ParseError, match="LibreOffice could not convert"):
        parse_office(data, "doc", OfficeSettings(cache_dir=tmp_path / "starved",
                                                 max_memory=16 * 1024**2))


def test_the_memory_limit_is_read_from_the_environment(tmp_path: Path) -> None:
    settings = OfficeSettings.from_env({office.ENV_MAX_MEMORY: "512"})
    assert settings.max_memory == 512 * 1024**2
    with pytest.raises(ValueError, match=office.ENV_MAX_MEMORY):
        OfficeSettings.from_env({office.ENV_MAX_MEMORY: "lots"})


def _doc_bytes(page: Path, tmp_path: Path) -> bytes:
    soffice = find_soffice(OfficeSettings(cache_dir=tmp_path / "cache"))
    run_soffice(soffice, ["--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(page)],
                120)
    return (tmp_path / f"{page.stem}.doc").read_bytes()
