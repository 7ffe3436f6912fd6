"""The offline demo (``make run``): a TRS-style government column on loopback, crawled,
extracted and summarised in one command, with no network and no LibreOffice.

The site is generated from the bundled demo corpus (``corpus/demo``: HTML and DOCX reports)
and ``corpus/demo-site`` (PDF and DOC reports converted once with LibreOffice): four listing
pages with a TRS pager, HTML reports (one served as GBK), reports as DOCX/PDF/DOC attachments,
a robots.txt rule, a WAF challenge page and a notice that is not a report.

    python -m gk_extract.fetch.demo --store out/demo-store --out out/demo
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from gk_extract.testing.loopback import LoopbackSite, Resource

logger = logging.getLogger(__name__)

COLUMN = "/xxgk/zfxxgknb/"
DEMO_MARKER = ".gk-demo-store"
# Items per listing page: small, so the demo column has several pages to walk.
PAGE_SIZE = 5
_CHALLENGE = b"<html><script>var __jsl_clearance='1';document.cookie=__jsl_clearance;</script></html>"
_MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "doc": "application/msword"}


@dataclass(frozen=True, slots=True)
class Item:
    path: str
    title: str
    date: str


def build_site(corpus: Path, extra: Path) -> dict[str, Resource]:
    """Routes of the demo column from the demo corpus and the bundled PDF/DOC files."""
    truth = {t["file"]: t for t in map(json.loads, (corpus / "truth.jsonl").read_text(
        encoding="utf-8").splitlines()) if t.get("kind") == "report"}
    routes: dict[str, Resource] = {"/robots.txt": Resource(
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


def _html_report(routes: dict[str, Resource], path: Path, entry: dict[str, str], gbk: bool) -> Item:
    url = f"{COLUMN}{entry['published'][:7].replace('-', '')}/t{path.stem}.html"
    body = path.read_bytes()
    if gbk:  # an older host: the same page in GBK, declared in the header and the page
        body = body.decode("utf-8").replace("charset=utf-8", "charset=gbk").encode("gbk")
    routes[url] = Resource(body, "text/html; charset=gbk" if gbk else "text/html; charset=utf-8")
    return Item(url, entry["title"], entry["published"])


def _attachment_report(routes: dict[str, Resource], path: Path, entry: dict[str, str]) -> Item:
    folder = f"{COLUMN}{entry['published'][:7].replace('-', '')}/"
    page, file = f"{folder}t{path.stem}.html", f"{folder}P0{path.stem}.{path.suffix[1:]}"
    html = (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{entry["title"]}">'
            f'<meta name="PubDate" content="{entry["published"]} 10:00"><title>{entry["title"]}</title>'
            f'</head><body><div class="TRS_Editor"><p>{entry["title"]}详见附件。</p>'
            f'<p>附件：<a href="./P0{path.stem}.{path.suffix[1:]}">{entry["title"]}{path.suffix}</a></p>'
            f"</div></body></html>")
    routes[page] = Resource(html.encode())
    routes[file] = Resource(path.read_bytes(), _MIME[path.suffix[1:]])
    return Item(page, entry["title"], entry["published"])


def _traps(routes: dict[str, Resource]) -> list[Item]:
    routes[f"{COLUMN}202402/t_challenge.html"] = Resource(_CHALLENGE)
    routes[f"{COLUMN}draft/t_draft.html"] = Resource(b"<html><body>draft</body></html>")
    return [Item(f"{COLUMN}202402/t_challenge.html", "某县统计局2023年度政府信息公开工作年度报告", "2024-02-20"),
            Item(f"{COLUMN}draft/t_draft.html", "某县2025年度政府信息公开工作年度报告（草稿）", "2026-01-05"),
            Item(f"{COLUMN}202112/t_notice.html", "关于做好2021年度政府信息公开工作年度报告编制发布工作的通知",
                 "2021-12-07")]


def _listings(routes: dict[str, Resource], items: list[Item]) -> None:
    pages = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    for k, page in enumerate(pages):
        rows = "".join(f'<li><a href="{i.path}" title="{i.title}" target="_blank">{i.title[:16]}…</a>'
                       f"<span>{i.date}</span></li>" for i in page)
        html = (f'<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开年报">'
                f"<title>政府信息公开年报</title></head><body><a href=\"/\">首页</a><ul>{rows}</ul>"
                f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script></body></html>')
        routes[f"{COLUMN}index.html" if k == 0 else f"{COLUMN}index_{k}.html"] = Resource(html.encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--store", type=Path, default=Path("out/demo-store"))
    parser.add_argument("--out", type=Path, default=Path("out/demo"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus/demo"))
    parser.add_argument("--site-files", type=Path, default=Path("corpus/demo-site"))
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not _fresh_store(args.store):
        parser.error(f"{args.store} is not a demo store; give --store an empty or new folder")
    with LoopbackSite(build_site(args.corpus, args.site_files)) as site:
        return _crawl_and_extract(site, args)


def _fresh_store(store: Path) -> bool:
    """Empty the demo store of an earlier run (the site's port changes every run); never
    touch a folder that is not one."""
    if store.exists() and any(store.iterdir()):
        if not (store / DEMO_MARKER).exists():
            return False
        shutil.rmtree(store)
    store.mkdir(parents=True)
    (store / DEMO_MARKER).write_text("made by python -m gk_extract.fetch.demo\n", encoding="utf-8")
    return True


def _crawl_and_extract(site: LoopbackSite, args: argparse.Namespace) -> int:
    from rich.console import Console

    from gk_extract.cli import _crawl_line
    from gk_extract.display import batch_summary
    from gk_extract.fetch.crawl import CrawlSettings
    from gk_extract.fetch.sources import Site
    from gk_extract.pipeline import Settings, refresh

    demo = Site(name="demo-column", start_urls=(site.url(f"{COLUMN}index.html"),), family="trs",
                region="demo", verified=True)
    crawl = CrawlSettings(store=args.store, delay_s=args.delay, allow_private=True,
                          contact="make run (offline demo)")
    print(f"demo site on {site.url(COLUMN)} ({len(site.routes)} resources)")
    summary, result = refresh([demo], crawl, Settings(out_dir=args.out, workers=2))
    print(_crawl_line(summary))
    Console().print(batch_summary(result, str(args.out)))
    print(f"store: {args.store} (manifest.sqlite)  dataset: {args.out}/{{reports,cells,sections,checks}}.parquet")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
