"""Fixture builder: generated web pages printed to PDF and screenshotted by headless Chromium.

A browser's "print to PDF" and a full-page screenshot are two of the commonest ways a
report page becomes a PDF or a picture report, and both come out unlike any office
program's output (filled-rectangle borders, look-alike code points in the text layer, the
page's header row repeated on every page, the site's navigation around the article)::

    pdfs = print_pdfs(html_paths, tmp / "pdf")           # same order, same stems
    pngs = screenshots(html_paths, tmp / "png", width=1280)

Debian's ``chromium`` is used (``scripts/install-system-deps.sh`` installs it), started
the way a closed machine needs: no background networking, no first-run work, a fresh
profile per call, every page local (``file://``), nothing loaded from outside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BROWSERS: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")
FLAGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
)
# Browsers side by side: one per CPU, at most 4 (each takes ~200 MB).
JOBS = min(4, os.cpu_count() or 1)
SECONDS_PER_PAGE = 60
# A full-page screenshot needs the page's height up front: a window this tall holds any
# generated report page (the image is cropped to the content afterwards).
SCREENSHOT_HEIGHT = 16000


def find_chromium() -> str | None:
    """The headless browser's path, or None where none is installed."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _run(args: Sequence[str]) -> None:
    browser = find_chromium()
    if browser is None:
        raise FileNotFoundError("chromium is not installed (scripts/install-system-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="gk-chromium-") as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=SECONDS_PER_PAGE)


def print_pdf(html: Path, pdf: Path) -> Path:
    """``html`` printed to ``pdf`` as Chromium's print dialog would, without header/footer."""
    _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()])
    return pdf


def screenshot(html: Path, png: Path, width: int = 1280) -> Path:
    """A full-page screenshot of ``html`` at ``width`` CSS pixels, cropped to its content."""
    _run([f"--window-size={width},{SCREENSHOT_HEIGHT}", f"--screenshot={png}",
          html.resolve().as_uri()])
    _crop_to_content(png)
    return png


def _crop_to_content(png: Path) -> None:
    """Cut the blank window below the page's last ink, keeping a margin as a real page has."""
    from PIL import Image, ImageOps

    with Image.open(png) as image:
        box = ImageOps.invert(image.convert("L")).getbbox()
        if box is None:
            return
        bottom = min(image.height, box[3] + 40)
        image.crop((0, 0, image.width, bottom)).save(png)


def print_pdfs(htmls: Sequence[Path], out_dir: Path, jobs: int = JOBS) -> list[Path]:
    """Every page printed to ``out_dir/{stem}.pdf``, ``jobs`` browsers side by side."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(lambda h: print_pdf(h, out_dir / f"{h.stem}.pdf"), htmls))


def screenshots(htmls: Sequence[Path], out_dir: Path, width: int = 1280, jobs: int = JOBS) -> list[Path]:
    """Every page as a full-page ``out_dir/{stem}.png`` screenshot ``width`` pixels wide."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(lambda h: screenshot(h, out_dir / f"{h.stem}.png", width), htmls))
