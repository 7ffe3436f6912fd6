"""One writer per store: ``crawl`` and ``refresh`` hold ``STORE/.lock`` while they run, so two
runs started by cron or a systemd timer never overlap. The lock is the kernel's (flock): it
goes with the process, also when the process is killed."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gk_extract.store.manifest import now_iso

LOCK_NAME = ".lock"


class StoreBusy(RuntimeError):
    """Raised by ``store_lock`` when another run holds the store."""


@contextmanager
def store_lock(store: Path) -> Iterator[None]:
    """Hold the store's lock for the ``with`` block; raise ``StoreBusy`` at once if taken."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "another run"
            raise StoreBusy(f"{store} is in use by {holder}; not starting a second run") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} since {now_iso()}\n".encode())
        yield
    finally:
        os.close(fd)
