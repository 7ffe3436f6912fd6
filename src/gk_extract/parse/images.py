"""Where the images of an HTML report are read from, by their ``src`` (nothing is fetched).

Kept apart from the OCR modules so that choosing an image source (the pipeline does it for
every file) costs no import of OpenCV or the PDF stack.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gk_extract.models import ImageSource

__all__ = ["MAX_PICTURES", "ImageSource", "data_uri", "folder_images", "no_images"]


# Pictures read by OCR per document beside its own text or tables (a table pasted as a
# picture on a PDF's text page, or beside a web page's or Word file's typed tables): each
# is a page's worth of OCR, and a report pastes a few.
MAX_PICTURES = 20
# An image file beside an HTML page is read only up to this size (a 600-dpi page as PNG is
# ~10 MB).
MAX_IMAGE_FILE_BYTES = 50_000_000


def no_images(src: str) -> tuple[bytes | None, str]:
    """The image source of a page read without its folder or store: nothing but data: URIs."""
    return None, "image of an HTML document read without its folder or store"


def folder_images(base: Path) -> ImageSource:
    """Images saved beside a local HTML page (never outside its folder)."""
    folder = base.resolve()

    def read(src: str) -> tuple[bytes | None, str]:
        parts = urlsplit(src)
        if parts.scheme not in ("", "file") or parts.netloc:
            return None, "remote image (no network access)"
        path = (folder / unquote(parts.path).lstrip("/")).resolve()
        if not path.is_relative_to(folder):
            return None, "image outside the page's folder"
        if not path.is_file():
            return None, "image file not found beside the page"
        if path.stat().st_size > MAX_IMAGE_FILE_BYTES:
            return None, f"image file over {MAX_IMAGE_FILE_BYTES} bytes"
        return path.read_bytes(), ""

    return read


def data_uri(src: str) -> tuple[bytes | None, str]:
    """The bytes of a ``data:`` URI (base64 or percent-encoded)."""
    header, _, body = src.partition(",")
    try:
        return (base64.b64decode(body) if header.endswith(";base64") else unquote(body).encode(
            "latin-1")), ""
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None, "broken data: URI"
