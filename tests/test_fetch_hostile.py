"""Hostile and broken responses: nothing is stored that should not be, nothing escapes the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fetch_sites import PDF, article, crawl, listing, recent, rows, serve, title, write_sources

from gk_extract.testing.loopback import Resource

TRAPS = {
    "waf": Resource(b"<html><script>document.cookie='__jsl_clearance=1';location.reload()</script></html>"),
    "shell": Resource(b'<html><script>window.location.replace("/col/real.html")</script></html>'),
    "soft404": Resource("<html><title>提示</title><body>对不起，您访问的页面不存在！</body></html>".encode()),
}


def hostile_routes(port_url: str) -> dict[str, Resource]:
    names = ["waf", "shell", "soft404", "big", "loop", "away", "evil", "gbk"]
    routes: dict[str, Resource] = {
        "/col/index.html": listing([(f"./{n}.html", title(i)) for i, n in enumerate(names)])}
    routes |= {f"/col/{n}.html": r for n, r in TRAPS.items()}
    routes["/col/big.html"] = article(title(3), recent(), ["./big.pdf"])
    routes["/col/big.pdf"] = Resource(PDF + b"x" * 200_000, "application/pdf")
    routes["/col/loop.html"] = Resource(b"", status=302, headers={"Location": "/col/loop2.html"})
    routes["/col/loop2.html"] = Resource(b"", status=302, headers={"Location": "/col/loop.html"})
    routes["/col/away.html"] = Resource(b"", status=302, headers={
        "Location": port_url.replace("127.0.0.1", "localhost") + "/col/a.html"})
    routes["/col/evil.html"] = article(title(6), recent(), ["./evil.pdf", "./evil2.pdf"])
    routes["/col/evil.pdf"] = Resource(PDF + b"1", "application/pdf", headers={
        "Content-Disposition": 'attachment; filename="../../../../tmp/pwned.pdf"'})
    routes["/col/evil2.pdf"] = Resource(PDF + b"2", "application/pdf", headers={
        "Content-Disposition": "attachment; filename*=UTF-8''..%2F..%2F%E5%B9%B4%E6%8A%A5.pdf"})
    routes["/col/gbk.html"] = Resource(
        article(title(7), recent(), ["./gbk.pdf"]).body.decode().encode("gbk"), "text/html; charset=gbk")
    routes["/col/gbk.pdf"] = Resource(PDF + b"3", "application/pdf", headers={
        "Content-Disposition": 'attachment; filename="' + "2024年报.pdf".encode("gbk").decode("latin-1") + '"'})
    return routes


def test_hostile_responses(tmp_path: Path) -> None:
    site = serve({})
    site.routes.update(hostile_routes(site.url("")))
    try:
        sources = write_sources(tmp_path / "s.toml", [("h", "trs", site.url("/col/index.html"))])
        store = tmp_path / "store"
        result = crawl(sources, store, "--max-bytes", "100000")
        assert result.returncode == 0, result.stderr
        got = rows(store)
        urls = {str(r["requested_url"]).rsplit("/", 1)[-1]: r for r in got}
        assert not {"waf.html", "shell.html", "soft404.html", "big.pdf", "loop.html", "away.html"} & set(urls)
        assert site.paths().count("/col/loop.html") <= 4  # redirect limit, not forever
        assert "big.html" in urls and "gbk.html" in urls and urls["gbk.html"]["title"] == title(7)
        assert urls["evil.pdf"]["filename"] == "pwned.pdf"
        assert urls["evil2.pdf"]["filename"] == "年报.pdf"
        assert urls["gbk.pdf"]["filename"] == "2024年报.pdf"
        assert not Path("/tmp/pwned.pdf").exists()
        waf = site.paths().index("/col/waf.html")  # a challenge pauses the host, never solved
        assert waf + 1 < len(site.times) and site.times[waf + 1] - site.times[waf] >= 1.9
        stored = {p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()}
        assert all(p.startswith(("manifest.sqlite", "crawl_report.", ".lock")) or len(p.split("/")[1]) > 64
                   for p in stored)
    finally:
        site.stop()


def test_private_addresses_are_refused_without_the_flag(tmp_path: Path) -> None:
    site = serve({"/col/index.html": listing([("./a.html", title(1))])})
    try:
        sources = write_sources(tmp_path / "s.toml", [("p", "generic", site.url("/col/index.html"))])
        command = [sys.executable, "-m", "gk_extract.cli", "crawl", "--sources", str(sources),
                   "--store", str(tmp_path / "store"), "--delay", "0.01"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 4, result.stderr  # the one site gave nothing
        assert site.hits == []
        assert "refused 1" in result.stdout
    finally:
        site.stop()


def test_a_killed_crawl_resumes_without_downloading_twice(tmp_path: Path) -> None:
    routes: dict[str, object] = {"/col/index.html": listing([(f"./{n}.html", title(n)) for n in range(8)])}
    for n in range(8):
        routes[f"/col/{n}.html"] = article(title(n), recent(), [f"./{n}.pdf"])
        routes[f"/col/{n}.pdf"] = Resource(PDF + bytes([n]), "application/pdf")
    site = serve(routes)  # type: ignore[arg-type]
    try:
        sources = write_sources(tmp_path / "s.toml", [("k", "generic", site.url("/col/index.html"))])
        store = tmp_path / "store"
        command = [sys.executable, "-m", "gk_extract.cli", "crawl", "--sources", str(sources),
                   "--store", str(store), "--delay", "0.3", "--allow-private"]
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                (store / "manifest.sqlite").exists() and len(rows(store)) >= 4):
            time.sleep(0.1)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert 4 <= len(rows(store)) < 16
        result = crawl(sources, store)
        assert result.returncode == 0, result.stderr
        assert len(rows(store)) == 16
        full = [h.path for h in site.hits if not h.conditional and h.status == 200
                and h.path not in ("/robots.txt", "/col/index.html")]
        assert len(full) == len(set(full)) == 16  # every file downloaded exactly once
        assert not list(store.rglob(".*.tmp-*"))
    finally:
        site.stop()


def test_a_host_failing_tls_is_fetched_once_over_http(tmp_path: Path) -> None:
    site = serve({"/col/index.html": listing([("./a.html", title(1))]),
                  "/col/a.html": article(title(1), "2019-01-01", [])})
    try:
        https = site.url("/col/index.html").replace("http://", "https://")  # the port speaks http
        sources = write_sources(tmp_path / "s.toml", [("tls", "generic", https)])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == 0, result.stderr
        got = rows(tmp_path / "store")
        assert [r["final_url"] for r in got] == [site.url("/col/a.html")]
    finally:
        site.stop()
