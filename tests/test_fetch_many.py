"""Many sites at once, through real loopback servers and the real CLI in a subprocess: one
request at a time per host with the delay between, many hosts in parallel, a crawl report that
matches what the servers saw; a killed multi-site crawl resumed; DNS rebinding; links out of
bounds; the store lock; the live progress of ``run_crawl``."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fetch_sites import (
    PDF,
    article,
    crawl,
    crawl_command,
    listing,
    recent,
    rows,
    serve,
    title,
    write_sources,
)

from gk_extract.store import store_lock
from gk_extract.testing.loopback import Hit, LoopbackSite, Resource

# The clocks of the server threads and of the crawler are the same CLOCK_MONOTONIC; the slack
# covers only the rounding of two readings, not any real overlap.
CLOCK_SLACK_S = 0.002
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True, slots=True)
class Column:
    """One generated site: a report column at ``/c{k}/`` of one of the loopback hosts."""

    name: str
    server: LoopbackSite
    prefix: str
    listings: tuple[str, ...]  # its listing pages' paths

    @property
    def start_url(self) -> str:
        return self.server.url(self.listings[0])

    def hits(self) -> list[Hit]:
        return [h for h in self.server.hits if h.path.startswith(self.prefix)]

    def answered(self, *, listing: bool) -> list[str]:
        """Paths of its listing pages (or of its files) the server answered with a 200."""
        return [h.path for h in self.hits() if h.status == 200 and not h.conditional
                and (h.path in self.listings) is listing]


def column_routes(k: int, reports: int, per_page: int = 1) -> tuple[dict[str, Resource], list[str]]:
    """Site ``k`` at ``/c{k}/``: ``reports`` reports (an article and its PDF each), ``per_page``
    to a listing page, the pages joined by 下一页 links; also the listing pages' paths."""
    unit, prefix = f"第{k}区人民政府", f"/c{k}/"
    routes: dict[str, Resource] = {}
    pages = [list(range(n, min(n + per_page, reports))) for n in range(0, reports, per_page)]
    names = ["index.html"] + [f"index_{p}.html" for p in range(1, len(pages))]
    for p, numbers in enumerate(pages):
        for n in numbers:
            routes[f"{prefix}t{n}.html"] = article(title(n, unit), recent(), [f"./t{n}.pdf"])
            routes[f"{prefix}t{n}.pdf"] = Resource(PDF + f"{k}/{n}".encode(), "application/pdf")
        following = names[p + 1] if p + 1 < len(pages) else None
        routes[prefix + names[p]] = listing([(f"t{n}.html", title(n, unit)) for n in numbers],
                                            next_href=following)
    return routes, [prefix + name for name in names]


def small_column() -> dict[str, Resource]:
    """One report with a PDF, at /col/."""
    return {"/col/index.html": listing([("./a.html", title(1))]),
            "/col/a.html": article(title(1), recent(), ["./a.pdf"]),
            "/col/a.pdf": Resource(PDF, "application/pdf")}


@contextmanager
def hosts(count: int, first: int = 2, latency: float = 0.0) -> Iterator[list[LoopbackSite]]:
    """``count`` servers on 127.0.0.{first} … (one per host address), stopped afterwards."""
    servers = [serve({"/robots.txt": Resource(ROBOTS, "text/plain")}, f"127.0.0.{first + i}",
                     latency) for i in range(count)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def generate(servers: list[LoopbackSite], count: int, reports: Callable[[int], int],
             per_page: int = 1) -> list[Column]:
    """``count`` sites spread over ``servers`` in turn; site k has ``reports(k)`` reports."""
    columns = []
    for k in range(count):
        server = servers[k % len(servers)]
        routes, listings = column_routes(k, reports(k), per_page)
        server.routes.update(routes)
        columns.append(Column(f"s{k:03d}", server, f"/c{k}/", tuple(listings)))
    return columns


def register(path: Path, columns: list[Column]) -> Path:
    return write_sources(path, [(c.name, "generic", c.start_url) for c in columns])


def report(store: Path) -> dict[str, dict[str, object]]:
    return {str(r["site"]): r for r in pq.read_table(store / "crawl_report.parquet").to_pylist()}


def served_bodies(servers: list[LoopbackSite]) -> dict[str, bytes]:
    """URL -> body of every fixed resource the servers hold."""
    return {server.url(path): route.body for server in servers
            for path, route in server.routes.items() if isinstance(route, Resource)}


def assert_stored(store: Path, urls: set[str], bodies: dict[str, bytes]) -> None:
    """The manifest holds exactly ``urls``, each pointing at a file with the body served."""
    got = rows(store)
    assert {str(r["requested_url"]) for r in got} == urls
    for row in got:
        sha = str(row["sha256"])
        assert sha == hashlib.sha256(bodies[str(row["requested_url"])]).hexdigest()
        path = store / sha[:2] / f"{sha}.{row['ext']}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert not list(store.rglob(".*.tmp-*"))


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The most intervals open at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_now = most = 0
    for _, step in events:
        open_now += step
        most = max(most, open_now)
    return most


# ----------------------------------------------------------------------------- many sites


def test_two_hundred_sites_on_twenty_hosts(tmp_path: Path) -> None:
    delay, concurrency = 0.05, 8
    # Each answer takes 10 ms on the server, so that answers on several hosts overlap in time.
    with hosts(20, latency=0.01) as servers:
        columns = generate(servers, 200, lambda k: 1 + k % 2)
        del servers[0].routes["/c0/index.html"]  # a column that moved: its listing is a 404
        servers[1].routes["/robots.txt"] = Resource(ROBOTS + b"Disallow: /c1/\n", "text/plain")
        del servers[2].routes["/c2/t0.html"]  # a report that was taken down
        sources = register(tmp_path / "sources.toml", columns)
        store = tmp_path / "store"
        started = time.monotonic()
        result = crawl(sources, store, "--concurrency", str(concurrency), delay=delay, timeout=170)
        elapsed = time.monotonic() - started
        assert result.returncode == 4, result.stderr  # two sites gave no listing page

        for server in servers:  # one request at a time per host, the delay between two
            hits = sorted(server.hits, key=lambda h: h.started)
            gaps = [b.started - a.ended for a, b in pairwise(hits)]
            assert min(gaps) >= delay - CLOCK_SLACK_S, server.host
        at_once = most_at_once([(h.started, h.ended) for s in servers for h in s.hits])
        assert 3 <= at_once <= concurrency  # many hosts in parallel, never more than asked
        serial = sum(len(s.hits) for s in servers) * delay
        assert elapsed < serial  # the crawl took less than the delays of one host after another

        got = report(store)
        assert set(got) == {c.name for c in columns}
        for column in columns:
            row = got[column.name]
            assert row["listing_pages"] == len(column.answered(listing=True)), column.name
            assert row["files_new"] == len(column.answered(listing=False)), column.name
            articles = {h.path for h in column.hits() if h.path.endswith(".html")} - set(column.listings)
            assert row["report_links"] == len(articles), column.name
        assert (got["s000"]["status"], got["s000"]["error_kinds"]) == ("failed", '{"http_404": 1}')
        assert (got["s001"]["status"], got["s001"]["robots_denied"]) == ("failed", 1)
        assert (got["s002"]["status"], got["s002"]["error_kinds"]) == ("partial", '{"http_404": 1}')
        assert not any(h.path.startswith("/c1/") for h in servers[1].hits)
        assert Counter(r["status"] for r in got.values()) == {"ok": 197, "failed": 2, "partial": 1}
        assert "failed  s000: http_404 1;" in result.stdout
        assert "failed  s001: no listing page read; robots denied 1" in result.stdout

        files = {c.server.url(p) for c in columns for p in c.answered(listing=False)}
        assert len(files) == 2 * 300 - 2 - 4 - 2  # an article and a PDF per report, less s000-s002's
        assert_stored(store, files, served_bodies(servers))
        pages = sum(len(c.answered(listing=True)) for c in columns)
        links = sum(int(str(r["report_links"])) for r in got.values())
        totals = (f"200 sites: 197 ok, 1 partial, 2 failed; {pages} listing pages, {links} report "
                  f"links, {len(files)} new and 0 replaced files, 0 unchanged, 2 errors")
        text = (store / "crawl_report.txt").read_text(encoding="utf-8").splitlines()
        assert text[-1] == totals
        assert totals in result.stdout.splitlines()


# ----------------------------------------------------------------------------- kill and resume


def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_killed_multi_site_crawl_resumes_without_downloading_twice(tmp_path: Path) -> None:
    with hosts(3) as servers:
        columns = generate(servers, 6, lambda k: 4, per_page=4)  # 8 files per site, 48 in all
        sources = register(tmp_path / "sources.toml", columns)
        store = tmp_path / "store"

        def files_answered() -> set[str]:
            return {c.server.url(p) for c in columns for p in c.answered(listing=False)}

        first = subprocess.Popen(crawl_command(sources, store, "--concurrency", "3", delay=0.1),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: len(files_answered()) >= 16, what="a third of the files")
            # Stop the crawl on the network, not inside a download: the servers hold new requests,
            # and the kill waits until every file they answered is in the manifest.
            for server in servers:
                server.pause()
            wait_for(lambda: all(s.in_flight == 0 for s in servers)
                     and files_answered() <= {str(r["requested_url"]) for r in rows(store)},
                     what="the answered files to be stored")
            os.kill(first.pid, signal.SIGKILL)
        finally:
            first.kill()
            first.wait()
            for server in servers:
                server.resume(drop=True)  # the killed crawler's held requests: never answered
        stored = {str(r["requested_url"]) for r in rows(store)}
        assert 16 <= len(stored) < 48
        # Reports whose PDF the killed run never reached: the rerun finds them in stored pages.
        assert {u for u in stored if u.endswith(".html")} - {u[:-4] + ".html" for u in stored}

        result = crawl(sources, store, "--concurrency", "3")
        assert result.returncode == 0, result.stderr
        answered = [c.server.url(p) for c in columns for p in c.answered(listing=False)]
        assert len(answered) == len(set(answered)) == 48  # every file downloaded exactly once
        assert_stored(store, set(answered), served_bodies(servers))
        got = report(store)
        assert {r["status"] for r in got.values()} == {"ok"}
        assert sum(int(str(r["files_new"])) for r in got.values()) == 48 - len(stored)


# ----------------------------------------------------------------------------- DNS rebinding

REBIND_HOST = "rebind.example"
PUBLIC_ADDRESS = "93.184.216.34"
# Runs the CLI with socket.getaddrinfo stubbed for REBIND_HOST: the n-th lookup gets the n-th
# of the given answers (the last one ever after), and each lookup is logged as [port, answer].
# Patched before anything imports Twisted, whose resolver binds getaddrinfo at import.
STUB_RESOLVER = f"""
import json, socket, sys, threading
log, answers, args = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
real, lock, count = socket.getaddrinfo, threading.Lock(), [0]

def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    if host != {REBIND_HOST!r}:
        return real(host, port, family, type, proto, flags)
    with lock:
        answer = answers[min(count[0], len(answers) - 1)]
        count[0] += 1
        with open(log, "a") as file:
            file.write(json.dumps([port, answer]) + "\\n")
    if ":" in answer:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answer, port or 0, 0, 0))]
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port or 0))]

socket.getaddrinfo = getaddrinfo
from gk_extract.cli import main
main(args, prog_name="gk-extract")
"""


def crawl_rebinding(tmp_path: Path, site: LoopbackSite, answers: list[str],
                    *extra: str) -> tuple[subprocess.CompletedProcess[str], list[list[object]]]:
    tmp_path.mkdir()
    script, log = tmp_path / "stub_resolver.py", tmp_path / "lookups.jsonl"
    script.write_text(STUB_RESOLVER, encoding="utf-8")
    url = f"http://{REBIND_HOST}:{site.port}/col/index.html"
    sources = write_sources(tmp_path / "sources.toml", [("rebind", "generic", url)])
    command = [sys.executable, str(script), str(log), ",".join(answers), "crawl", "--sources",
               str(sources), "--store", str(tmp_path / "store"), "--delay", "0.01", *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    lookups = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    print(result.stderr)  # shown when the test fails
    return result, lookups


# Loopback as such, and as an IPv4-mapped IPv6 address (which reaches the same listener).
@pytest.mark.parametrize("loopback", ["127.0.0.1", "::ffff:127.0.0.1"])
def test_dns_rebinding_to_loopback_is_refused_at_connection_time(tmp_path: Path,
                                                                 loopback: str) -> None:
    site = serve(small_column())
    try:
        # The check (SafetyMiddleware) is told a public address, the connection loopback.
        result, lookups = crawl_rebinding(tmp_path / "rebind", site, [PUBLIC_ADDRESS, loopback])
        assert result.returncode == 4, result.stderr
        assert site.hits == []
        assert rows(tmp_path / "rebind" / "store") == []
        assert f"refused to connect to {REBIND_HOST} at {loopback}" in result.stderr
        # The check's lookup (no port) came first and passed; every lookup after it was the
        # connection's (the server's port), and none of those got the public address.
        assert lookups[0] == [None, PUBLIC_ADDRESS]
        assert len(lookups) >= 2 and lookups[1:] == [[site.port, loopback]] * (len(lookups) - 1)
        row = report(tmp_path / "rebind" / "store")["rebind"]
        # Its robots.txt had no answer: an error of ours, not a denial by the site.
        assert (row["status"], row["robots_denied"], row["error_kinds"]) == (
            "failed", 0, '{"robots_unreachable": 1}')
        assert "failed  rebind: robots_unreachable 1;" in result.stdout

        # The control: the same stub, loopback throughout, allowed: the server is reached.
        result, lookups = crawl_rebinding(tmp_path / "control", site, [loopback],
                                          "--allow-private")
        assert result.returncode == 0, result.stderr
        assert {"/robots.txt", "/col/index.html", "/col/a.html", "/col/a.pdf"} <= set(site.paths())
        assert len(rows(tmp_path / "control" / "store")) == 2
        assert lookups[0] == [None, loopback] and [site.port, loopback] in lookups
    finally:
        site.stop()


# ----------------------------------------------------------------------------- out of bounds


def test_links_out_of_bounds_are_never_followed(tmp_path: Path) -> None:
    # The registry's site is on 127.0.0.2; the same host on another port, and a host the
    # registry does not name, each serve a tempting copy of everything.
    with hosts(2, first=2) as (site, other_host):
        other_port = serve({}, "127.0.0.2")
        try:
            for server in (other_port, other_host):
                server.routes.update({p: article(title(9), recent(), ["./x.pdf"]) for p in (
                    "/col/b.html", "/col/c.html", "/col/d.html", "/col/e.html", "/col/index_1.html")})
                server.routes["/col/x.pdf"] = Resource(PDF + b"x", "application/pdf")
            b, c = other_port.url("/col"), other_host.url("/col")
            site.routes.update({
                "/col/index.html": listing(
                    [("ok.html", title(1)), (f"{b}/b.html", title(2)), (f"{c}/c.html", title(3)),
                     ("file:///etc/passwd", title(4)), ("moved.html", title(5)),
                     ("moved2.html", title(6)), ("moved3.html", title(7))],
                    next_href=f"{b}/index_1.html"),
                "/col/ok.html": article(title(1), recent(), [
                    "./ok.pdf", f"{b}/x.pdf", f"{c}/x.pdf", "file:///etc/passwd.pdf"]),
                "/col/ok.pdf": Resource(PDF + b"ok", "application/pdf"),
                "/col/moved.html": Resource(b"", status=302, headers={"Location": f"{c}/d.html"}),
                "/col/moved2.html": Resource(b"", status=302, headers={"Location": "file:///etc/passwd"}),
                "/col/moved3.html": Resource(b"", status=302, headers={"Location": f"{b}/e.html"}),
                # A second column whose 下一页 leads out of the web altogether.
                "/col2/index.html": listing([("ok.html", title(1, "某某县人民政府"))],
                                            next_href="file:///etc/passwd"),
                "/col2/ok.html": article(title(1, "某某县人民政府"), recent(), []),
            })
            sources = write_sources(tmp_path / "sources.toml", [
                ("bounds", "generic", site.url("/col/index.html")),
                ("next-file", "generic", site.url("/col2/index.html"))])
            store = tmp_path / "store"
            result = crawl(sources, store)
            assert result.returncode == 0, result.stderr
            assert other_port.hits == [] and other_host.hits == []
            assert_stored(store, {site.url("/col/ok.html"), site.url("/col/ok.pdf"),
                                  site.url("/col2/ok.html")}, served_bodies([site]))
            assert not any(b"root:" in p.read_bytes() for p in store.rglob("*.*") if p.is_file())
            got = report(store)
            # Refused by the one filter: three listed reports (one file:), the 下一页 link, three
            # attachments (one file:) and three redirects (one to file:, left unfollowed).
            assert (got["bounds"]["refused"], got["bounds"]["error_kinds"]) == (10, "{}")
            assert (got["next-file"]["refused"], got["next-file"]["status"]) == (1, "ok")
            assert "2 sites: 2 ok" in result.stdout  # refusals alone do not make a site partial
        finally:
            other_port.stop()


# ----------------------------------------------------------------------------- the store lock

BUSY_EXIT = 75


def assert_busy(result: subprocess.CompletedProcess[str], elapsed: float) -> None:
    assert result.returncode == BUSY_EXIT, result.stderr
    assert elapsed < 15  # at once: no crawl started (the bound is the interpreter's start-up)
    assert len(result.stderr.strip().splitlines()) == 1 and "in use by" in result.stderr
    assert result.stdout == ""


def run_timed(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return result, time.monotonic() - started


def test_a_held_store_turns_crawl_and_refresh_away(tmp_path: Path) -> None:
    site = serve(small_column())
    try:
        sources = write_sources(tmp_path / "sources.toml", [("s", "generic", site.url("/col/index.html"))])
        store = tmp_path / "store"
        with store_lock(store):
            result, elapsed = run_timed(crawl_command(sources, store))
            assert_busy(result, elapsed)
            assert f"process {os.getpid()} since" in result.stderr  # who holds it
            assert_busy(*run_timed(crawl_command(sources, store, "--out", str(tmp_path / "data"),
                                                 command="refresh")))
        assert site.hits == [] and not (tmp_path / "data").exists()
        result = crawl(sources, store)
        assert result.returncode == 0, result.stderr
        assert len(rows(store)) == 2
    finally:
        site.stop()


def test_a_second_crawl_on_a_store_in_use_exits_at_once(tmp_path: Path) -> None:
    site = serve(small_column())
    try:
        sources = write_sources(tmp_path / "sources.toml", [("s", "generic", site.url("/col/index.html"))])
        store = tmp_path / "store"
        site.pause()  # the first crawl hangs on its first request, holding the store
        first = subprocess.Popen(crawl_command(sources, store), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: site.held > 0, what="the first crawl's first request")
            second, elapsed = run_timed(crawl_command(sources, store))
            assert_busy(second, elapsed)
            assert f"process {first.pid} since" in second.stderr
            assert first.poll() is None
            site.resume()
            _, err = first.communicate(timeout=60)
            assert first.returncode == 0, err
        finally:
            first.kill()
            first.wait()
        assert len(rows(store)) == 2
        third = crawl(sources, store)  # the store is free again: a normal, incremental run
        assert third.returncode == 0, third.stderr
        assert "crawl finished: 0 new" in third.stdout
    finally:
        site.stop()


# ----------------------------------------------------------------------------- live progress

# run_crawl once in a fresh process (Twisted's reactor runs once), printing every Progress.
PROGRESS = """
import dataclasses, json, sys
from pathlib import Path
from gk_extract.fetch.crawl import CrawlSettings, run_crawl
from gk_extract.fetch.sources import load_sources
seen = []
settings = CrawlSettings(store=Path(sys.argv[2]), delay_s=0.01, allow_private=True, concurrency=4)
summary = run_crawl(load_sources(Path(sys.argv[1])), settings,
                    on_progress=lambda p: seen.append(dataclasses.astuple(p)))
print(json.dumps({"seen": seen, "new": summary.new, "pages": summary.listing_pages}))
"""


def test_run_crawl_reports_progress_as_pages_and_files_arrive(tmp_path: Path) -> None:
    with hosts(2) as servers:
        columns = generate(servers, 5, lambda k: 2)
        del servers[0].routes["/c4/t1.pdf"]  # one error
        sources = register(tmp_path / "sources.toml", columns)
        command = [sys.executable, "-c", PROGRESS, str(sources), str(tmp_path / "store")]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        seen = [tuple(p) for p in out["seen"]]
        files = sum(len(c.answered(listing=False)) for c in columns)
        assert (out["new"], out["pages"], files) == (19, 10, 19)
        assert seen[-1] == (5, 5, 10, 19, 1)  # sites done, sites, pages, files, errors
        for before, after in pairwise(seen):
            assert all(a >= b for a, b in zip(after, before, strict=True))
        assert len({p[2:4] for p in seen}) > 10  # it moved along, not only at the end
        assert any(p[0] < 5 for p in seen)


# ----------------------------------------------------------------------------- robots.txt moved


# (robots_denied, error_kinds) of the site in the crawl report.
DENIED, UNREACHABLE, ALLOWED = (1, "{}"), (0, '{"robots_unreachable": 1}'), (0, "{}")


@pytest.mark.parametrize(("where", "counted"), [
    ("/robots-real.txt", DENIED),  # the real one disallows the column
    ("/robots-open.txt", ALLOWED),
    ("{other}/robots-open.txt", UNREACHABLE),  # a host outside the registry: never asked
    ("file:///etc/passwd", DENIED),  # a redirect that cannot be followed: nothing allowed
])
def test_robots_txt_is_read_where_its_redirect_leads(tmp_path: Path, where: str,
                                                     counted: tuple[int, str]) -> None:
    allowed = counted == ALLOWED
    with hosts(2) as (site, other):
        robots = {"/robots-real.txt": Resource(ROBOTS + b"Disallow: /col/\n", "text/plain"),
                  "/robots-open.txt": Resource(ROBOTS, "text/plain")}
        other.routes.update(robots)
        site.routes.update(small_column() | robots | {"/robots.txt": Resource(
            b"", status=301, headers={"Location": where.format(other=other.url(""))})})
        sources = write_sources(tmp_path / "sources.toml", [("s", "generic", site.url("/col/index.html"))])
        result = crawl(sources, tmp_path / "store")
        assert result.returncode == (0 if allowed else 4), result.stderr
        assert ("/col/index.html" in site.paths()) is allowed
        assert other.hits == []
        assert len(rows(tmp_path / "store")) == (2 if allowed else 0)
        row = report(tmp_path / "store")["s"]
        assert (row["robots_denied"], row["error_kinds"]) == counted
