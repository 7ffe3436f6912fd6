"""The review app as a reviewer uses it: `gk-extract review` on the demo dataset, driven by
Debian's headless Chromium through Playwright (nothing downloaded), and by hand-made HTTP
requests where a browser would not send them (no token, path tricks, forged writes).

The run saves the three pages' screenshots into docs/ (shown in the README).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from gk_extract.export.corrections import Correction, ReviewedCell
from gk_extract.review.app import templates
from gk_extract.review.grids import Grid, GridRow
from gk_extract.review.pages import cell_data
from gk_extract.review.security import CSRF_HEADER, cookie_name, csrf_token
from gk_extract.review.source import Sources

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
START_TIMEOUT_S = 60
PANEL_TIMEOUT_S = 60


@dataclass
class Demo:
    data: Path
    store: Path

    def table(self, name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = pq.read_table(self.data / f"{name}.parquet").to_pylist()
        return rows

    def reports(self, **match: object) -> list[dict[str, Any]]:
        return [r for r in self.table("reports") if all(r[k] == v for k, v in match.items())]


@dataclass
class App:
    process: subprocess.Popen[str]
    url: str
    port: int
    token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"{cookie_name(self.port)}={self.token}"}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request with ``path`` sent exactly as given (no normalising, no redirects)."""
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            con.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                con.putheader(name, value)
            con.putheader("Content-Length", str(len(body or b"")))
            con.endheaders(body)
            response = con.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            con.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_app(demo: Demo) -> App:
    process = subprocess.Popen(
        [sys.executable, "-m", "gk_extract.cli", "review", str(demo.data), "--store",
         str(demo.store), "--port", "0", "--reviewer", "tester"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_S)
    line = process.stdout.readline() if ready else ""
    if "?token=" not in line:
        process.kill()
        pytest.fail(f"gk-extract review did not print its URL: {line!r}")
    url = line.split()[-1]
    port = int(url.split(":")[2].split("/")[0])
    return App(process, url, port, url.split("token=")[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("review-demo")
    found = Demo(folder / "data", folder / "store")
    run = subprocess.run([sys.executable, "-m", "gk_extract.cli", "demo", "--store",
                          str(found.store), "--out", str(found.data)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    return found


@pytest.fixture(scope="module")
def app(demo: Demo) -> Iterator[App]:
    started = start_app(demo)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make setup` as root (scripts/install-system-deps.sh "
                    "installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def _open(page: Any, app: App, path: str) -> None:
    """``path`` in the browser, the token given once (the app answers with its cookie)."""
    page.goto(f"{app.base}{path}{'&' if '?' in path else '?'}token={app.token}")


# --------------------------------------------------------------------------- security


def test_requests_without_the_token_are_refused(app: App, demo: Demo) -> None:
    pdf = demo.reports(format="pdf", status="ok")[0]["report_id"]
    for path in ("/", "/static/review.js", f"/report/{pdf}", f"/source/{pdf}/page/1.png",
                 "/api/panel", f"/?token={'x' * len(app.token)}"):
        status, _, body = app.request("GET", path)
        assert status == 403 and b"access token" in body, path
    status, _, _ = app.request("GET", "/", headers={"Cookie": f"{cookie_name(app.port)}=wrong"})
    assert status == 403
    status, headers, _ = app.request("GET", f"/report/{pdf}?token={app.token}")
    assert status == 303 and headers["location"] == f"/report/{pdf}"  # the token leaves the URL
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and app.token in cookie
    status, headers, body = app.request("GET", f"/source/{pdf}/page/1.png", headers=app.cookie)
    assert status == 200 and body.startswith(b"\x89PNG") and headers["x-content-type-options"] == "nosniff"
    status, headers, _ = app.request("GET", "/", headers=app.cookie)
    assert status == 200 and "default-src 'self'" in headers["content-security-policy"]


def test_path_tricks_are_refused(app: App, demo: Demo) -> None:
    html = demo.reports(format="html", status="ok")[0]["report_id"]
    tricks = [
        "/static/../../../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/app.py",
        "/source/../../../../etc/passwd", "/source/%2e%2e%2f%2e%2e%2fetc%2fpasswd/html",
        f"/source/{html}/../../../../etc/passwd", "/report/..%2f..%2f..%2fetc%2fpasswd",
        f"/source/{'0' * 64}/html", f"/source/{html.upper()}/html", f"/report/{html[:63]}",
        f"/source/{html}/page/1.png", f"/source/{html}/image", "/source/%2Fetc%2Fpasswd/html",
    ]
    for path in tricks:
        status, _, body = app.request("GET", path, headers=app.cookie)
        assert status in (400, 404, 405), (path, status)
        assert b"root:" not in body and b"import " not in body, path
    # writes: the page's CSRF token, same origin, a JSON body
    correction = json.dumps({"report_id": html, "key": "s3_new_received__total",
                             "action": "confirm", "reviewer": "mallory"}).encode()
    json_type = {"Content-Type": "application/json"}
    csrf = {CSRF_HEADER: csrf_token(app.token)}
    for headers in ({**app.cookie, **json_type},
                    {**app.cookie, **json_type, CSRF_HEADER: "0" * 64},
                    {**app.cookie, **json_type, **csrf, "Origin": "http://evil.example"},
                    {**app.cookie, **json_type, **csrf, "Sec-Fetch-Site": "cross-site"},
                    {**app.cookie, **csrf, "Content-Type": "application/x-www-form-urlencoded"},
                    {**json_type, **csrf}):
        status, _, _ = app.request("POST", "/api/corrections", correction, headers)
        assert status == 403, headers
    assert not (demo.data / "corrections.parquet").exists()


def test_a_source_is_served_from_inside_data_or_store_only(tmp_path: Path) -> None:
    data, store, outside = tmp_path / "data", tmp_path / "store", tmp_path / "outside"
    for folder in (data, store, outside):
        folder.mkdir()
    body = b"%PDF-1.4 a report"
    report_id = hashlib.sha256(body).hexdigest()
    (outside / "r.pdf").write_bytes(body)
    (data / "link.pdf").symlink_to(outside / "r.pdf")
    sources = Sources(data, store)
    assert sources.get(report_id, str(outside / "r.pdf")) is None
    assert sources.get(report_id, str(data / "link.pdf")) is None  # a symlink out of DATA
    assert sources.get(report_id, str(data / ".." / "outside" / "r.pdf")) is None
    (data / "copy.pdf").write_bytes(body + b" changed since")
    assert sources.get(report_id, str(data / "copy.pdf")) is None  # not the extracted bytes
    assert sources.get("../" + report_id[3:], str(outside / "r.pdf")) is None
    (store / report_id[:2]).mkdir()
    (store / report_id[:2] / f"{report_id}.pdf").write_bytes(body)
    found = sources.get(report_id, "/etc/passwd")
    assert found is not None and found.data == body


# --------------------------------------------------------------------------- pages


def _decision(action: str, new_value: float | None, changed: bool) -> ReviewedCell:
    return ReviewedCell(Correction("a" * 64, "k", "3", 3.0, new_value, action, "seen", "王",
                                   datetime(2026, 1, 2, tzinfo=UTC)), changed)


def test_doubtful_failed_and_reviewed_cells_are_marked_in_the_template_tables() -> None:
    base = {"row_label": "行", "col_label": "列", "raw": "3", "value": 3.0, "kind": "number",
            "unit": None, "page": 1, "source_ref": "p1 table1 r1 c1", "confidence": 0.5,
            "method": "ocr", "value_reviewed": 3.0, "bbox": [1.0, 2.0, 3.0, 4.0]}
    cells = {
        "doubt": cell_data({**base, "key": "doubt", "doubtful": True}, None),
        "fixed": cell_data({**base, "key": "fixed", "doubtful": False},
                           _decision("correct", 8.0, changed=False)),
        "stale": cell_data({**base, "key": "stale", "doubtful": False},
                           _decision("correct", 8.0, changed=True)),
        "ok": cell_data({**base, "key": "ok", "doubtful": False}, _decision("confirm", 3.0, False)),
    }
    grid = Grid("三", "caption", ("列",), tuple(GridRow(k, (k,)) for k in [*cells, "absent"]))
    html = str(templates().get_template("_grid.html").module.grid_table(grid, cells, {"ok"}))
    classes = {key: html.split(f'data-key="{key}"')[0].rsplit("class=", 1)[1] for key in cells}
    assert "doubtful" in classes["doubt"] and "corrected" in classes["fixed"]
    assert "stale" in classes["stale"] and "corrected" not in classes["stale"]
    assert "confirmed" in classes["ok"] and "failed" in classes["ok"]
    assert 'class="cell missing" data-key="absent"' in html
    assert '<span class="new">8</span>' in html and cells["doubt"]["bbox"] == [1.0, 2.0, 3.0, 4.0]



def _rows(page: Any) -> int:
    return int(page.locator("#reports tbody tr").count())


def _follow(page: Any, selector: str) -> None:
    """Click a filter link and wait for the page it leads to (a loaded machine is slow)."""
    with page.expect_navigation():
        page.click(selector)


def test_the_list_filters_work(app: App, demo: Demo, page: Any) -> None:
    reports = demo.table("reports")
    _open(page, app, "/")
    assert int(page.locator("#total").inner_text()) == len(reports) == _rows(page)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "review-list.png"))

    failed = [r for r in reports if r["checks_failed"]]
    assert int(page.locator('a.flag[data-flag="failed"] .count').inner_text()) == len(failed)
    _follow(page, 'a.flag[data-flag="failed"]')
    assert _rows(page) == len(failed) > 0
    assert {r.get_attribute("data-report") for r in page.locator("#reports tbody tr").all()} \
        == {r["report_id"] for r in failed}
    _follow(page, 'a.flag[data-flag="failed"]')  # off again
    assert _rows(page) == len(reports)

    year = 2023
    count = page.locator(f'ul[data-facet="year"] a[data-value="{year}"] .count').inner_text()
    assert int(count) == sum(r["year"] == year for r in reports)
    _follow(page, f'ul[data-facet="year"] a[data-value="{year}"]')
    _follow(page, 'ul[data-facet="status"] a[data-value="ok"]')
    expected = [r for r in reports if r["year"] == year and r["status"] == "ok"]
    assert _rows(page) == len(expected) == int(page.locator("#total").inner_text())
    # the counts of the other filters are counted within the chosen ones
    templates = page.locator('ul[data-facet="template"] a[data-value="2021"] .count').inner_text()
    assert int(templates) == sum(r["template"] == "2021" for r in expected)
    for flag, column in (("doubtful", "cells_doubtful"), ("unresolved", "adcode")):
        shown = int(page.locator(f'a.flag[data-flag="{flag}"] .count').inner_text())
        wanted = sum(bool(r[column]) for r in expected) if flag == "doubtful" \
            else sum(r["adcode"] is None for r in expected)
        assert shown == wanted, flag


def _cell(demo: Demo, report_id: str, key: str) -> dict[str, Any]:
    return next(c for c in demo.table("cells") if c["report_id"] == report_id and c["key"] == key)


def test_clicking_a_pdf_cell_highlights_its_place_in_the_pdf(app: App, demo: Demo,
                                                             page: Any) -> None:
    import pdfplumber

    report = demo.reports(format="pdf", status="ok", primary=True)[0]
    cells = [c for c in demo.table("cells") if c["report_id"] == report["report_id"]
             and c["kind"] == "number" and c["table"] == "s3"]
    cell = next((c for c in cells if c["key"] == "s3_new_received__total"), cells[0])
    _open(page, app, f"/report/{report['report_id']}")
    page.click(f'td.cell[data-key="{cell["key"]}"]')
    assert page.locator("#decide").is_visible()
    if cell.get("bbox") is None:
        assert page.locator(f'.page.hl-page[data-page="{cell["page"]}"]').count() == 1
        page.screenshot(path=str(DOCS / "review-report.png"))
        pytest.skip("cells.parquet has no bbox for this cell yet: the box cannot be checked")
    box = page.locator(f'.hl-box[data-key="{cell["key"]}"]')
    box.wait_for()
    page.wait_for_function("n => { const i = document.querySelector(`.page[data-page='${n}'] img`);"
                           " return i.complete && i.naturalWidth > 0; }", arg=cell["page"])
    page.screenshot(path=str(DOCS / "review-report.png"))
    where = page.locator(f'.page[data-page="{cell["page"]}"]')
    image = where.locator("img").bounding_box()
    drawn = box.bounding_box()
    scale = image["width"] / float(where.get_attribute("data-width"))
    points = ((drawn["x"] - image["x"]) / scale, (drawn["y"] - image["y"]) / scale,
              (drawn["x"] + drawn["width"] - image["x"]) / scale,
              (drawn["y"] + drawn["height"] - image["y"]) / scale)
    assert points == pytest.approx(tuple(cell["bbox"]), abs=1.0)
    source = next(demo.store.rglob(f"{report['report_id']}.pdf"))
    with pdfplumber.open(source) as pdf:
        pdf_page = pdf.pages[cell["page"] - 1]
        grown = (max(points[0] - 1, 0), max(points[1] - 1, 0), min(points[2] + 1, pdf_page.width),
                 min(points[3] + 1, pdf_page.height))
        printed = pdf_page.within_bbox(grown).extract_text()
    assert "".join(printed.split()) == cell["raw"]


def test_failed_checks_and_html_and_docx_cells_point_at_their_source(app: App, demo: Demo,
                                                                    page: Any) -> None:
    checks = [c for c in demo.table("checks") if c["status"] == "fail"]
    report = next(r for r in demo.reports(format="html") if r["report_id"] in
                  {c["report_id"] for c in checks})
    _open(page, app, f"/report/{report['report_id']}")
    first = page.locator("li.check.fail").first
    first.click()
    keys = set(first.get_attribute("data-cells").split())
    marked = {td.get_attribute("data-key") for td in page.locator("td.check-hl").all()}
    present = {c["key"] for c in demo.table("cells") if c["report_id"] == report["report_id"]}
    assert marked == keys & present and marked
    cell = _cell(demo, report["report_id"], "s3_new_received__total")
    page.click('td.cell[data-key="s3_new_received__total"]')
    frame = page.frame_locator("#html-source")
    assert "".join(frame.locator(".gk-hl").inner_text().split()) == cell["raw"]
    assert frame.locator(".gk-hl").get_attribute("data-gk-ref") == cell["source_ref"]
    status, headers, body = app.request("GET", f"/source/{report['report_id']}/html",
                                        headers=app.cookie)
    assert status == 200 and b"<script" not in body.lower() and b"data-gk-ref" in body
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert "sandbox allow-same-origin" in headers["content-security-policy"]

    docx = demo.reports(format="docx", status="ok")[0]
    cell = _cell(demo, docx["report_id"], "s3_new_received__total")
    page.goto(f"{app.base}/report/{docx['report_id']}")
    page.click('td.cell[data-key="s3_new_received__total"]')
    assert "".join(page.locator("#source [data-ref].hl").inner_text().split()) == cell["raw"]

    status, _, body = app.request("GET", f"/report/{report['report_id']}/print", headers=app.cookie)
    text = body.decode()
    failed = [c["rule"] for c in checks if c["report_id"] == report["report_id"]]
    assert status == 200 and "print.css" in text and all(rule in text for rule in failed)
    assert 'data-key="s3_new_received__total"' in text and cell["row_label"] in text


def test_the_comparison_shows_the_changed_cells_of_two_years(app: App, demo: Demo,
                                                            page: Any) -> None:
    x1 = next(c for c in demo.table("checks") if c["rule"] == "X1" and c["status"] == "fail")
    later = demo.reports(report_id=x1["report_id"])[0]
    years = sorted((r for r in demo.reports(agency_id=later["agency_id"], primary=True)),
                   key=lambda r: r["year"])
    earlier = next(r for r in years if r["year"] == later["year"] - 1)
    _open(page, app, f"/compare?agency={later['agency_id']}&a={earlier['year']}&b={later['year']}")
    page.screenshot(path=str(DOCS / "review-compare.png"))

    values = {(c["report_id"], c["key"]): c["value"] for c in demo.table("cells")}
    keys = {k for rid, k in values if rid in (earlier["report_id"], later["report_id"])}
    changed = {k for k in keys if values.get((earlier["report_id"], k))
               != values.get((later["report_id"], k))}
    shown = {td.get_attribute("data-key") for td in page.locator("td.cell.changed").all()}
    assert shown == changed and changed
    assert page.locator("#changes tbody tr").count() == len(changed)
    assert int(page.locator("#summary strong").inner_text()) == len(changed)
    key = "s3_new_received__total"
    delta = values[(later["report_id"], key)] - values[(earlier["report_id"], key)]
    assert page.locator(f'section.after td[data-key="{key}"] .delta').inner_text() \
        .replace("−", "-").replace(",", "") == (f"{delta:+.0f}" if delta else "0")
    crossed = [c for c in demo.table("checks") if c["report_id"] == later["report_id"]
               and c["rule"] in ("X1", "X2") and earlier["report_id"] in c["scope"]]
    assert page.locator(".cross-checks tbody tr").count() == len(crossed) > 0
    assert page.locator(".cross-checks tr.fail").count() == sum(c["status"] == "fail" for c in crossed)
    assert page.locator(".section-diffs details").count() == 6
    added = page.locator("li.added").all_inner_texts()
    later_text = "".join(s["text"] for s in demo.table("sections")
                         if s["report_id"] == later["report_id"])
    assert added and all(t.removeprefix("+ ").strip() in later_text for t in added)


def test_the_app_listens_on_loopback_only(app: App) -> None:
    import psutil

    listening = [c.laddr for c in psutil.Process(app.process.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert [(a.ip, a.port) for a in listening] == [("127.0.0.1", app.port)]


def test_a_correction_is_saved_survives_a_restart_and_shows_in_the_panel(
        app: App, demo: Demo, page: Any) -> None:
    # an agency with one year only: the comparison test's reports stay as extracted
    report = next(r for r in demo.reports(format="docx", status="ok", primary=True)
                  if len(demo.reports(agency_id=r["agency_id"], primary=True)) == 1)
    key = "s3_granted__natural_person"
    cell = _cell(demo, report["report_id"], key)
    right = (cell["value"] or 0) + 7
    _open(page, app, f"/report/{report['report_id']}")
    page.click(f'td.cell[data-key="{key}"]')
    page.fill("#d-reviewer", "王审核")
    page.fill("#d-value", str(int(right)))
    page.fill("#d-reason", "原件第3页表三")
    page.click("#d-correct")
    page.wait_for_selector("#d-status.done")
    assert page.locator(f'td.cell.corrected[data-key="{key}"] .new').inner_text() == str(int(right))

    stored = pq.read_table(demo.data / "corrections.parquet").to_pylist()
    assert [(s["report_id"], s["key"], s["old_raw"], s["new_value"], s["action"], s["reviewer"],
             s["reason"]) for s in stored] == [
        (report["report_id"], key, cell["raw"], right, "correct", "王审核", "原件第3页表三")]
    assert pq.read_table(demo.data / "cells.parquet").num_rows == len(demo.table("cells"))
    _wait_for_panel(app)
    panel = {r["report_id"]: r for r in pq.read_table(demo.data / "panel.parquet").to_pylist()}
    assert panel[report["report_id"]][key] == right and panel[report["report_id"]]["reviewed"] == 1

    app.stop()  # the last test of the module's app
    again = start_app(demo)
    try:
        _open(page, again, f"/report/{report['report_id']}")
        corrected = page.locator(f'td.cell.corrected[data-key="{key}"]')
        assert corrected.locator(".new").inner_text() == str(int(right))
        corrected.click()
        assert "王审核" in page.locator("#d-decision").inner_text()
    finally:
        again.stop()


def _wait_for_panel(app: App) -> None:
    deadline = time.monotonic() + PANEL_TIMEOUT_S
    while time.monotonic() < deadline:
        _, _, body = app.request("GET", "/api/panel", headers=app.cookie)
        if json.loads(body)["pending"] == 0:
            return
        time.sleep(0.2)
    pytest.fail("panel.parquet was not rebuilt after the correction")


