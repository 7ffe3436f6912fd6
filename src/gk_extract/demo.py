"""The offline demo (``gk-extract demo``, what ``make run`` runs): a TRS-style government
column on loopback, crawled, extracted and summarised in one command, with no network and no
LibreOffice.

The site is generated from the bundled demo corpus (``corpus/demo``: HTML and DOCX reports)
and ``corpus/demo-site`` (PDF and DOC reports converted once with LibreOffice): four listing
pages with a TRS pager, HTML reports (one served as GBK), reports as DOCX/PDF/DOC attachments,
a robots.txt rule, a WAF challenge page and a notice that is not a report. It is served by a
small server of its own (fixed bytes per path, 404 elsewhere) on an ephemeral port.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self

from gk_extract.fetch import CrawlSettings, CrawlSummary, Site
from gk_extract.pipeline import BatchResult, Settings, refresh

COLUMN = "/xxgk/zfxxgknb/"
DEMO_MARKER = ".gk-demo-store"
# Items per listing page: small, so the demo column has several pages to walk.
PAGE_SIZE = 5
# Seconds between two requests of the demo crawl: the server is local, politeness is shown
# without making the demo slow.
DEMO_DELAY_S = 0.05
# Two workers: the demo's 23 reports extract in well under a minute on a laptop.
DEMO_WORKERS = 2
_CHALLENGE = b"<html><script>var __jsl_clearance='1';document.cookie=__jsl_clearance;</script></html>"
_MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "doc": "application/msword"}
_NOT_FOUND = b"<html><body>404 Not Found</body></html>"


@dataclass(frozen=True, slots=True)
class Page:
    """One resource of the demo site."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Item:
    path: str
    title: str
    date: str


@dataclass(frozen=True, slots=True)
class DemoSettings:
    store: Path
    out_dir: Path
    corpus: Path = Path("corpus/demo")
    site_files: Path = Path("corpus/demo-site")
    delay_s: float = DEMO_DELAY_S


class DemoSite:
    """``with DemoSite(routes) as site: site.url("/x")``: the routes served on 127.0.0.1."""

    def __init__(self, routes: Mapping[str, Page]) -> None:
        self.routes = dict(routes)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.routes))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(routes: dict[str, Page]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            page = routes.get(self.path) or routes.get(self.path.split("?")[0])
            status, page = (200, page) if page else (404, Page(_NOT_FOUND))
            self.send_response(status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the crawl's own summary says what was fetched

    return Handler


def run_demo(settings: DemoSettings, on_serving: Callable[[str, int], None] | None = None,
             ) -> tuple[CrawlSummary, BatchResult]:
    """Serve the demo column, crawl it into ``settings.store`` and extract the store into
    ``settings.out_dir``. ``on_serving(column_url, resources)`` is called once the site is up.

    The store must have been made ready by :func:`prepare_store`."""
    with DemoSite(build_site(settings.corpus, settings.site_files)) as site:
        if on_serving:
            on_serving(site.url(COLUMN), len(site.routes))
        demo = Site(name="demo-column", start_urls=(site.url(f"{COLUMN}index.html"),),
                    family="trs", region="demo", verified=True)
        crawl = CrawlSettings(store=settings.store, delay_s=settings.delay_s, allow_private=True,
                              contact="make run (offline demo)")
        return refresh([demo], crawl, Settings(out_dir=settings.out_dir, workers=DEMO_WORKERS))


def prepare_store(store: Path) -> bool:
    """Empty the demo store of an earlier run (the site's port changes every run); never
    touch a folder that is not one: False when ``store`` holds anything else."""
    if store.exists() and any(store.iterdir()):
        if not (store / DEMO_MARKER).exists():
            return False
        shutil.rmtree(store)
    store.mkdir(parents=True)
    (store / DEMO_MARKER).write_text("made by gk-extract demo\n", encoding="utf-8")
    return True


def build_site(corpus: Path, extra: Path) -> dict[str, Page]:
    """Routes of the demo column from the demo corpus and the bundled PDF/DOC files."""
    truth = {t["file"]: t for t in map(json.loads, (corpus / "truth.jsonl").read_text(
        encoding="utf-8").splitlines()) if t.get("kind") == "report"}
    routes: dict[str, Page] = {"/robots.txt": Page(
        b"User-agent: *\nDisallow: /xxgk/zfxxgknb/draft/\n", "text/plain")}
    items: list[Item] = []
    for name, entry in sorted(truth.items()):
        if name.endswith(".html"):
            items.append(_html_report(routes, corpus / name, entry, gbk=name == "0020.html"))
    attachments = [corpus / n for n in ("0016.docx", "0017.docx")] + sorted(extra.glob("*.pdf")) \
        + sorted(extra.glob("*.doc"))
    for path in attachments:
        entry = truth.get(f"{path.stem}.docx")
        if entry:
            items.append(_attachment_report(routes, path, entry))
    items += _traps(routes)
    _listings(routes, sorted(items, key=lambda i: i.date, reverse=True))
    return routes


def _html_report(routes: dict[str, Page], path: Path, entry: dict[str, str], gbk: bool) -> Item:
    url = f"{COLUMN}{entry['published'][:7].replace('-', '')}/t{path.stem}.html"
    body = path.read_bytes()
    if gbk:  # an older host: the same page in GBK, declared in the header and the page
        body = body.decode("utf-8").replace("charset=utf-8", "charset=gbk").encode("gbk")
    routes[url] = Page(body, "text/html; charset=gbk" if gbk else "text/html; charset=utf-8")
    return Item(url, entry["title"], entry["published"])


def _attachment_report(routes: dict[str, Page], path: Path, entry: dict[str, str]) -> Item:
    folder = f"{COLUMN}{entry['published'][:7].replace('-', '')}/"
    page, file = f"{folder}t{path.stem}.html", f"{folder}P0{path.stem}.{path.suffix[1:]}"
    html = (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{entry["title"]}">'
            f'<meta name="PubDate" content="{entry["published"]} 10:00"><title>{entry["title"]}</title>'
            f'</head><body><div class="TRS_Editor"><p>{entry["title"]}详见附件。</p>'
            f'<p>附件：<a href="./P0{path.stem}.{path.suffix[1:]}">{entry["title"]}{path.suffix}</a></p>'
            f"</div></body></html>")
    routes[page] = Page(html.encode())
    routes[file] = Page(path.read_bytes(), _MIME[path.suffix[1:]])
    return Item(page, entry["title"], entry["published"])


def _traps(routes: dict[str, Page]) -> list[Item]:
    routes[f"{COLUMN}202402/t_challenge.html"] = Page(_CHALLENGE)
    routes[f"{COLUMN}draft/t_draft.html"] = Page(b"<html><body>draft</body></html>")
    return [Item(f"{COLUMN}202402/t_challenge.html", "某县统计局2023年度政府信息公开工作年度报告", "2024-02-20"),
            Item(f"{COLUMN}draft/t_draft.html", "某县2025年度政府信息公开工作年度报告（草稿）", "2026-01-05"),
            Item(f"{COLUMN}202112/t_notice.html", "关于做好2021年度政府信息公开工作年度报告编制发布工作的通知",
                 "2021-12-07")]


def _listings(routes: dict[str, Page], items: list[Item]) -> None:
    pages = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    for k, page in enumerate(pages):
        rows = "".join(f'<li><a href="{i.path}" title="{i.title}" target="_blank">{i.title[:16]}…</a>'
                       f"<span>{i.date}</span></li>" for i in page)
        html = (f'<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开年报">'
                f"<title>政府信息公开年报</title></head><body><a href=\"/\">首页</a><ul>{rows}</ul>"
                f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script></body></html>')
        routes[f"{COLUMN}index.html" if k == 0 else f"{COLUMN}index_{k}.html"] = Page(html.encode())
