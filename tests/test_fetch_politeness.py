"""robots.txt, Retry-After, no retry on 403, User-Agent: the crawler as site operators see it."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fetch_sites import PDF, article, crawl, listing, recent, rows, serve, title, write_sources

from gk_extract.testing.loopback import Resource


def small_site(robots: Resource | None) -> dict[str, Resource]:
    routes = {"/col/index.html": listing([("./a.html", title(1))]),
              "/col/a.html": article(title(1), recent(), ["./a.pdf"]),
              "/col/a.pdf": Resource(PDF, "application/pdf")}
    if robots is not None:
        routes["/robots.txt"] = robots
    return routes


@pytest.mark.parametrize(("robots", "allowed"), [
    (None, True),  # 404: allowed
    (Resource(b"User-agent: *\nDisallow: /col/\n", "text/plain"), False),
    (Resource(b"User-agent: gk-extract\nDisallow: /\n", "text/plain"), False),
    (Resource(b"User-agent: Baiduspider\nAllow: /\n\nUser-agent: *\nDisallow: /\n", "text/plain"), False),
    (Resource(b"forbidden", status=403), False),
    (Resource(b"oops", status=500), False),
])
def test_robots_txt_rules(tmp_path: Path, robots: Resource | None, allowed: bool) -> None:
    site = serve(small_site(robots))
    try:
        sources = write_sources(tmp_path / "s.toml", [("s", "generic", site.url("/col/index.html"))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == (0 if allowed else 4), result.stderr  # 4: a site gave nothing
        assert ("/col/index.html" in site.paths()) is allowed
        report = pq.read_table(tmp_path / "store" / "crawl_report.parquet").to_pylist()
        assert [r["robots_denied"] for r in report] == [0 if allowed else 1]
        assert len(rows(tmp_path / "store")) == (2 if allowed else 0)
        assert all(h.headers["user-agent"].startswith("gk-extract/") for h in site.hits)
    finally:
        site.stop()


def test_unreachable_robots_means_not_allowed(tmp_path: Path) -> None:
    site = serve({})
    port = site.port
    site.stop()  # nothing listens there any more
    sources = write_sources(tmp_path / "s.toml", [("s", "generic", f"http://127.0.0.1:{port}/col/")])
    result = crawl(sources, tmp_path / "store")
    assert result.returncode == 4, result.stderr
    assert rows(tmp_path / "store") == []
    assert "failed  s:" in result.stdout


def test_crawl_delay_spaces_requests(tmp_path: Path) -> None:
    site = serve(small_site(Resource(b"User-agent: *\nCrawl-delay: 1\n", "text/plain")))
    try:
        sources = write_sources(tmp_path / "s.toml", [("s", "generic", site.url("/col/index.html"))])
        started = time.monotonic()
        assert crawl(sources, tmp_path / "store").returncode == 0
        assert len(site.hits) == 4 and time.monotonic() - started >= 2.5  # three gaps of 1 s
    finally:
        site.stop()


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(tmp_path: Path, status: int) -> None:
    routes = small_site(None)
    pdf = routes["/col/a.pdf"]
    routes["/col/a.pdf"] = lambda n: (  # type: ignore[assignment]
        Resource(b"slow down", status=status, headers={"Retry-After": "2"}) if n == 0 else pdf)
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("s", "generic", site.url("/col/index.html"))])
        assert crawl(sources, tmp_path / "store").returncode == 0
        times = [t for t, h in zip(site.times, site.hits, strict=True) if h.path == "/col/a.pdf"]
        assert len(times) == 2 and times[1] - times[0] >= 1.9
        assert len(rows(tmp_path / "store")) == 2
    finally:
        site.stop()


def test_403_is_not_retried(tmp_path: Path) -> None:
    routes = small_site(None)
    routes["/col/a.pdf"] = Resource(b"forbidden", status=403)
    site = serve(routes)
    try:
        sources = write_sources(tmp_path / "s.toml", [("s", "generic", site.url("/col/index.html"))])
        assert crawl(sources, tmp_path / "store").returncode == 0
        assert site.paths().count("/col/a.pdf") == 1
    finally:
        site.stop()
