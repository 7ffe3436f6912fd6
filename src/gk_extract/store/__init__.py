"""Content-addressed raw files plus a SQLite manifest: the only thing ``parse/`` reads.

``STORE/ab/<sha256>.<ext>`` holds each distinct file once; ``STORE/manifest.sqlite`` says
where every file came from (URL, referring page, title, dates, HTTP validators).
"""

from gk_extract.store.blobs import BlobStore
from gk_extract.store.files import StoredFile, store_files, stored_images, stored_sources
from gk_extract.store.lock import StoreBusy, store_lock
from gk_extract.store.manifest import MANIFEST_NAME, Fetch, Manifest, is_store

__all__ = ["MANIFEST_NAME", "BlobStore", "Fetch", "Manifest", "StoreBusy", "StoredFile", "is_store",
           "store_files", "store_lock", "stored_images", "stored_sources"]
