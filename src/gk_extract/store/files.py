"""Reading a crawl store back: its current files, where they came from, a page's images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urljoin

from gk_extract.formats import IMAGE_EXTS
from gk_extract.models import ImageSource
from gk_extract.store.manifest import Manifest, is_store


def store_files(store: Path) -> list[tuple[Path, str]]:
    """The current file of every URL in a crawl store, with the URL it was fetched from.

    A replaced file's old version is left out, and so are files missing on disk and the
    images of article bodies (they are read as part of their page).
    """
    manifest = Manifest(store)
    try:
        found = [(store / f.rel_path(), f.final_url) for f in manifest.current()
                 if not (f.kind == "attachment" and f.ext in IMAGE_EXTS)]
    finally:
        manifest.close()
    unique: dict[Path, str] = {}
    for path, url in found:
        if path.is_file():
            unique.setdefault(path, url)
    return list(unique.items())


def source_urls(paths: Sequence[Path]) -> dict[str, str]:
    """Where each file of the crawl stores among ``paths`` came from, by file path."""
    return {str(p): url for path in paths if is_store(path) for p, url in store_files(path)}


def source_regions(paths: Sequence[Path]) -> dict[str, str]:
    """The crawl registry's region of the site each file of the crawl stores among ``paths``
    came from, by file path (files of sites without a region are left out)."""
    found: dict[str, str] = {}
    for store in (p for p in paths if is_store(p)):
        manifest = Manifest(store)
        try:
            regions = manifest.site_regions()
            for fetch in manifest.current():
                if fetch.site in regions:
                    found.setdefault(str(store / fetch.rel_path()), regions[fetch.site])
        finally:
            manifest.close()
    return found


def stored_images(store: Path, page_url: str) -> ImageSource:
    """Images a crawl stored with the page at ``page_url``, by their ``src``."""
    def read(src: str) -> tuple[bytes | None, str]:
        manifest = Manifest(store)
        try:
            fetch = manifest.latest(urljoin(page_url, src.strip()))
        finally:
            manifest.close()
        if fetch is None:
            return None, "image not in the store (not crawled)"
        file = store / fetch.rel_path()
        return (file.read_bytes(), "") if file.is_file() else (None, "stored image file missing")

    return read
