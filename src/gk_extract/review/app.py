"""The review app's routes, and the server that runs it on loopback.

Routes (every one behind :class:`~gk_extract.review.security.AccessGuard`):

=================================  ===================================================
``GET /``                          the reports, filtered, with counts per filter
``GET /report/{id}``               one report: source left, template tables right
``GET /report/{id}/print``         the same values and checks as a printable page
``GET /compare?agency=&a=&b=``     two years of one agency side by side
``GET /source/{id}/page/{n}.png``  page ``n`` of a PDF, rendered
``GET /source/{id}/image``         an image file's scan
``GET /source/{id}/html``          a stored web page, disarmed, with its cells marked
``POST /api/corrections``          a reviewer's decision about one cell (JSON)
``GET /api/panel``                 whether panel.parquet has caught up with the decisions
``GET /static/…``                  the app's own CSS and script
=================================  ===================================================

``{id}`` is a report id (sha256 hex); a file is found from it and the dataset, never from a
path in the request (source.py).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gk_extract.export.corrections import (
    Correction,
    CorrectionError,
    append_correction,
    refresh_panel,
)
from gk_extract.export.duckdb import dataset_files
from gk_extract.normalize.numbers import parse_value
from gk_extract.review import pages
from gk_extract.review.data import Filters, ReviewData, Row, is_report_id
from gk_extract.review.render import PdfPages, image_file, marked_page
from gk_extract.review.security import AccessGuard, csrf_token, new_token
from gk_extract.review.source import Source, Sources

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
DEFAULT_PORT = 8765
# A stored page may show its own inline styles and data: images, and nothing else: no script
# runs, nothing is fetched from outside; opened on its own, outside the review page's frame,
# it is just as sandboxed.
SOURCE_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
              "frame-ancestors 'self'; sandbox allow-same-origin")
FACET_NAMES = {"status": "status", "template": "template", "year": "year",
               "province": "region"}
FLAG_NAMES = {"failed": "failed checks", "doubtful": "doubtful cells",
              "unresolved": "unresolved region"}


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    data_dir: Path
    store: Path | None = None
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port
    token: str = field(default_factory=new_token)
    reviewer: str = ""


class PanelRefresher:
    """panel.parquet rebuilt after decisions, in one thread: a request returns at once, and
    decisions made while a rebuild runs are taken by the next one."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self.pending = 0  # decisions not yet in panel.parquet
        self._thread = threading.Thread(target=self._run, name="panel-refresh", daemon=True)
        self._thread.start()

    def request(self) -> None:
        with self._lock:
            self.pending += 1
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            with self._lock:
                taken = self.pending
            try:
                refresh_panel(self.data_dir)
            except Exception:  # a failed rebuild leaves the old panel; the next decision retries
                logger.exception("%s: panel.parquet not rebuilt", self.data_dir)
                continue
            with self._lock:
                self.pending -= taken


class Review:
    """The app's state: the dataset, the sources, the page renderer, the templates."""

    def __init__(self, settings: ReviewSettings) -> None:
        dataset_files(settings.data_dir)  # FileNotFoundError: not a dataset
        self.settings = settings
        self.data = ReviewData(settings.data_dir)
        self.sources = Sources(settings.data_dir, settings.store)
        self.pdf = PdfPages()
        self.panel = PanelRefresher(settings.data_dir)
        self.csrf = csrf_token(settings.token)
        self.env = templates()

    def page(self, name: str, **context: Any) -> HTMLResponse:
        body = self.env.get_template(name).render(csrf=self.csrf, **context)
        return HTMLResponse(body)

    def report_row(self, report_id: str) -> Row:
        found = self.data.report(report_id) if is_report_id(report_id) else None
        if found is None:
            raise HTTPException(404, "no such report in this dataset")
        return found

    def source_of(self, report: Row) -> Source:
        found = self.sources.get(report["report_id"], report["source_path"])
        if found is None:
            raise HTTPException(404, "the source file is not within DATA or STORE")
        return found

    # ------------------------------------------------------------------ pages

    def list_page(self, request: Request) -> Response:
        filters = Filters.from_query(request.query_params)
        found = self.data.reports(filters)
        reviewed: dict[str, int] = {}
        for rid, _ in self.data.decisions():
            reviewed[rid] = reviewed.get(rid, 0) + 1
        return self.page("list.html", found=found, filters=filters, reviewed=reviewed,
                         facet_names=FACET_NAMES, flag_names=FLAG_NAMES,
                         link=lambda **change: "/?" + urlencode(filters.query(**change)))

    def report_page(self, request: Request) -> Response:
        report = self.report_row(request.path_params["report_id"])
        view = pages.report_view(self.data, report)
        source = self.sources.get(report["report_id"], report["source_path"])
        pane = pages.source_pane(report, source, self.pdf, self.settings.data_dir)
        years = self.data.agency_years(report["agency_id"]) if report["agency_id"] else []
        return self.page("report.html", view=view, pane=pane, years=years,
                         checks=pages.checks_by_status(view.checks),
                         reviewer=self.settings.reviewer)

    def print_page(self, request: Request) -> Response:
        report = self.report_row(request.path_params["report_id"])
        view = pages.report_view(self.data, report)
        return self.page("print.html", view=view, checks=pages.checks_by_status(view.checks),
                         printed=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    def compare_page(self, request: Request) -> Response:
        agency_id = request.query_params.get("agency", "")
        years = self.data.agency_years(agency_id) if agency_id else []
        pair = pages.pick_years(years, request.query_params.get("a"),
                                request.query_params.get("b"))
        view = pages.compare_view(self.data, agency_id, years, pair) if pair else None
        return self.page("compare.html", agency_id=agency_id, years=years, view=view)

    # ------------------------------------------------------------------ source files

    def source_page_png(self, request: Request) -> Response:
        report = self.report_row(request.path_params["report_id"])
        if report["format"] != "pdf":
            raise HTTPException(404, "not a PDF")
        source = self.source_of(report)
        png = self.pdf.png(source.report_id, source.data, int(request.path_params["page"]))
        if png is None:
            raise HTTPException(404, "no such page")
        return Response(png, media_type="image/png",
                        headers={"cache-control": "private, max-age=3600"})

    def source_image(self, request: Request) -> Response:
        report = self.report_row(request.path_params["report_id"])
        shown = image_file(self.source_of(report).data) if report["format"] == "image" else None
        if shown is None:
            raise HTTPException(404, "not an image file this browser can show")
        return Response(shown[0], media_type=shown[1],
                        headers={"cache-control": "private, max-age=3600"})

    def source_html(self, request: Request) -> Response:
        report = self.report_row(request.path_params["report_id"])
        if report["format"] != "html":
            raise HTTPException(404, "not a web page")
        page = marked_page(self.source_of(report).data)
        return HTMLResponse(page, headers={"content-security-policy": SOURCE_CSP})

    # ------------------------------------------------------------------ decisions

    async def save_correction(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body is not a JSON object"}, status_code=400)
        return await run_in_threadpool(self._save, body)

    def _save(self, body: dict[str, Any]) -> Response:
        report_id, key = str(body.get("report_id", "")), str(body.get("key", ""))
        report = self.data.report(report_id) if is_report_id(report_id) else None
        cell = next((c for c in self.data.details(report_id)[0] if c["key"] == key),
                    None) if report else None
        if cell is None:
            return JSONResponse({"error": "no such cell in this dataset"}, status_code=404)
        try:
            correction = _correction(cell, report_id, key, body)
            append_correction(self.settings.data_dir, correction)
        except (CorrectionError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        self.panel.request()
        return JSONResponse({"saved": pages.cell_data(cell, None) | {"decision": {
            "action": correction.action, "new_value": correction.new_value,
            "reason": correction.reason, "reviewer": correction.reviewer,
            "at": correction.at.isoformat(timespec="seconds"), "source_changed": False}}})

    def panel_status(self, request: Request) -> Response:
        return JSONResponse({"pending": self.panel.pending})


def _correction(cell: Row, report_id: str, key: str, body: dict[str, Any]) -> Correction:
    """The decision a request asks for, about the cell as the dataset holds it now."""
    action = str(body.get("action", ""))
    old_value = cell["value"]
    if action == "correct":
        typed = "" if body.get("new_value") is None else str(body["new_value"])
        parsed = parse_value(typed)
        if parsed.kind == "text":
            raise ValueError(f"{typed!r} is not a number (leave it empty for a cell that "
                             "prints none)")
        new_value = parsed.value
    else:
        new_value = old_value
    return Correction(report_id=report_id, key=key, old_raw=cell["raw"], old_value=old_value,
                      new_value=new_value, action=action, reason=str(body.get("reason", "")),
                      reviewer=str(body.get("reviewer", "")), at=datetime.now(UTC))


def templates() -> jinja2.Environment:
    """The pages' templates (``review/templates``), autoescaped, with their number filters."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("gk_extract.review", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["number"] = _number
    env.filters["signed"] = _signed
    return env


def _number(value: object) -> str:
    if value is None:
        return ""
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def _signed(value: object) -> str:
    if value is None:
        return ""
    number = float(value)  # type: ignore[arg-type]
    text = _number(abs(number))
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else "0")


def create_app(settings: ReviewSettings, port: int | None = None) -> AccessGuard:
    """The app for ``settings``; ``port`` (default: the settings') names its cookie."""
    review = Review(settings)
    routes = [
        Route("/", review.list_page),
        Route("/report/{report_id}", review.report_page),
        Route("/report/{report_id}/print", review.print_page),
        Route("/compare", review.compare_page),
        Route("/source/{report_id}/page/{page:int}.png", review.source_page_png),
        Route("/source/{report_id}/image", review.source_image),
        Route("/source/{report_id}/html", review.source_html),
        Route("/api/corrections", review.save_correction, methods=["POST"]),
        Route("/api/panel", review.panel_status),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    return AccessGuard(app, settings.token, settings.port if port is None else port)


def serve(settings: ReviewSettings, announce: Callable[[str], None]) -> None:
    """Bind ``settings.host:port``, call ``announce`` with the URL to open (token included),
    and serve until interrupted."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(128)  # before the URL is printed: a browser opening it at once is answered
    port = sock.getsockname()[1]
    app = create_app(settings, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           server_header=False))
    announce(open_url(settings.host, port, settings.token))
    server.run(sockets=[sock])


def open_url(host: str, port: int, token: str) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/?token={token}"
