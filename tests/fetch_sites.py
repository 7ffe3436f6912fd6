"""Sites for the fetcher tests, served by gk_extract.testing.loopback (no internet, ever)."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from gk_extract.testing.loopback import LoopbackSite, Resource, Route

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
    return buffer.getvalue()


def recent(days: int = 10) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def article(title: str, pub: str, attachments: list[str], body: str = "") -> Resource:
    links = "".join(f'<p><a href="{a}">附件：{title}.{a.rsplit(".", 1)[-1]}</a></p>'
                    for a in attachments)
    html = (f'<html><head><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{pub} 09:00"><title>{title}</title></head><body>'
            f'<div class="TRS_Editor"><h1>{title}</h1><p>一、总体情况</p>{body}{links}</div>'
            + "<p>正文</p>" * 200 + "</body></html>")
    return Resource(html.encode())


def listing(items: list[tuple[str, str]], pager: str = "", next_href: str | None = None) -> Resource:
    rows = "".join(f'<li><a href="{href}" title="{title}">{title[:12]}…</a><span>2025-03-01</span></li>'
                   for href, title in items)
    more = f'<a href="{next_href}">下一页</a>' if next_href is not None else ""
    html = (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<a href="/">首页</a><ul>{rows}</ul>{more}<script>{pager}</script></body></html>')
    return Resource(html.encode())


def title(n: int, unit: str = "某某区人民政府") -> str:
    return f"{unit}{2010 + n}年度政府信息公开工作年度报告"


def trs_routes(pub: str | None = None) -> dict[str, Resource]:
    """A TRS column of three listing pages, nine reports, each with a PDF and a DOCX."""
    pub = pub or recent()
    routes: dict[str, Resource] = {
        "/robots.txt": Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    for page in range(3):
        items = []
        for k in range(3):
            n = page * 3 + k
            items.append((f"./2025{n:02d}/t2025{n:02d}01_{n}.html", title(n)))
            routes[f"/col/2025{n:02d}/t2025{n:02d}01_{n}.html"] = article(
                title(n), pub, [f"./P0{n}.pdf", f"./W0{n}.docx"])
            routes[f"/col/2025{n:02d}/P0{n}.pdf"] = Resource(PDF + str(n).encode(), "application/pdf")
            routes[f"/col/2025{n:02d}/W0{n}.docx"] = Resource(docx_bytes(title(n)), "application/octet-stream")
        if page == 0:
            items += [("/private/t1.html", title(20, "机密")),
                      ("./a/t9.html", "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知")]
        name = "index.html" if page == 0 else f"index_{page}.html"
        routes[f"/col/{name}"] = listing(items, f'createPageHTML(3, {page}, "index", "html");')
    routes["/private/t1.html"] = article(title(20, "机密"), pub, [])
    return routes


def write_sources(path: Path, sites: list[tuple[str, str, str]]) -> Path:
    text = "".join(f'[[site]]\nname = "{name}"\nfamily = "{family}"\nstart_urls = ["{url}"]\n\n'
                   for name, family, url in sites)
    path.write_text(text, encoding="utf-8")
    return path


def crawl_command(sources: Path, store: Path, *extra: str, delay: float = 0.01,
                  command: str = "crawl") -> list[str]:
    """The CLI's ``crawl`` (or ``refresh``) on loopback sites, as a subprocess argument list."""
    return [sys.executable, "-m", "gk_extract.cli", command, "--sources", str(sources),
            "--store", str(store), "--delay", str(delay), "--allow-private", *extra]


def crawl(sources: Path, store: Path, *extra: str, timeout: float = 120,
          delay: float = 0.01) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crawl_command(sources, store, *extra, delay=delay), capture_output=True,
                          text=True, timeout=timeout, check=False)


def rows(store: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(store / "manifest.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("select * from fetches order by id")]
    except sqlite3.OperationalError:  # the crawler has not created its tables yet
        return []
    finally:
        db.close()


def serve(routes: Mapping[str, Route], host: str = "127.0.0.1", latency: float = 0.0) -> LoopbackSite:
    """A started site on ``host`` (any 127.x.y.z: Linux routes 127/8 to loopback)."""
    return LoopbackSite(dict(routes), host=host, latency=latency).start()
