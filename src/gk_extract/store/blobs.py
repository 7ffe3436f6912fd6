"""Write files under their sha256, atomically: a crash never leaves a half file in place."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from gk_extract.formats import EXTENSIONS

_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    """``root/ab/<sha256>.<ext>``; the sha256 and a known extension are the only path parts."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str, ext: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        if ext not in EXTENSIONS:  # from a header or a URL, an extension is never used in a path
            raise ValueError(f"extension {ext!r} is not one the store writes")
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str) -> tuple[str, Path]:
        """Store ``data`` (once per content); returns its sha256 and path."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256, ext)
        if path.exists() and path.stat().st_size == len(data):
            return sha256, path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # atomic on POSIX: the name appears with all its bytes
        return sha256, path

    def remove_partials(self) -> int:
        """Delete temporary files a killed writer left behind; returns how many."""
        stale = list(self.root.glob("??/.*.tmp-*"))
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)
