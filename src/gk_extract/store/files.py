"""Reading a crawl store back: its current files, where they came from, a page's images."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from gk_extract.formats import IMAGE_EXTS
from gk_extract.models import ImageSource
from gk_extract.store.manifest import Manifest, is_store


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A current file of a crawl store and where it came from."""

    path: Path
    url: str
    region: str | None = None  # the crawl registry's region of the site it was fetched for


def store_files(store: Path) -> list[StoredFile]:
    """The current file of every URL in a crawl store, with the URL it was fetched from and
    its site's region.

    A replaced file's old version is left out, and so are files missing on disk and the
    images of article bodies (they are read as part of their page).
    """
    manifest = Manifest(store)
    try:
        regions = manifest.site_regions()
        found = [StoredFile(store / f.rel_path(), f.final_url, regions.get(f.site))
                 for f in manifest.current()
                 if not (f.kind == "attachment" and f.ext in IMAGE_EXTS)]
    finally:
        manifest.close()
    unique: dict[Path, StoredFile] = {}
    for file in found:
        if file.path.is_file():
            unique.setdefault(file.path, file)
    return list(unique.values())


def stored_sources(paths: Sequence[Path]) -> dict[str, StoredFile]:
    """Where each file of the crawl stores among ``paths`` came from, by file path."""
    return {str(f.path): f for path in paths if is_store(path) for f in store_files(path)}


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
