"""The sources registry (``corpus/sources.toml``): one ``[[site]]`` per report column."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from gk_extract.fetch.families import READERS

T = TypeVar("T")

# Listing pages walked per column at most: real 年报 columns hold 10-15 years, 20 per page,
# so 50 pages is far beyond any column and still stops a crawler trap.
DEFAULT_MAX_PAGES = 50
# Reports of the last 90 days are re-checked for silent replacement (gov-sites.md §1, §8).
DEFAULT_RECHECK_DAYS = 90


class RegistryError(ValueError):
    """Raised by ``load_sources`` for a malformed registry; the CLI prints it and exits."""


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    start_urls: tuple[str, ...]
    family: str = "generic"
    region: str | None = None
    verified: bool = False
    delay: float | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    recheck_days: int = DEFAULT_RECHECK_DAYS
    attachment_hosts: tuple[str, ...] = field(default=())

    def hosts(self) -> set[str]:
        """Hosts this site may be fetched from: its start URLs' and the attachment hosts."""
        return {urlsplit(u).hostname or "" for u in self.start_urls} | set(self.attachment_hosts)


def load_sources(path: Path, only: str | None = None) -> list[Site]:
    """The sites of a registry file (only the one called ``only`` when given)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    sites = [_site(entry, i) for i, entry in enumerate(data.get("site", []))]
    names = [s.name for s in sites]
    if len(set(names)) != len(names):
        raise RegistryError(f"{path}: site names must be unique")
    if only is not None:
        sites = [s for s in sites if s.name == only]
        if not sites:
            raise RegistryError(f"{path}: no site named {only!r}")
    return sites


def _site(entry: dict[str, object], index: int) -> Site:
    where = f"[[site]] #{index + 1}"
    name, urls = entry.get("name"), entry.get("start_urls")
    if not isinstance(name, str) or not name:
        raise RegistryError(f"{where}: 'name' must be a non-empty string")
    if not isinstance(urls, list) or not urls or not all(_is_http(u) for u in urls):
        raise RegistryError(f"{where} ({name}): 'start_urls' must be a list of http(s) URLs")
    family = entry.get("family", "generic")
    if family not in READERS:
        raise RegistryError(f"{where} ({name}): 'family' must be one of {', '.join(READERS)}")
    hosts = entry.get("attachment_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise RegistryError(f"{where} ({name}): 'attachment_hosts' must be a list of host names")
    return Site(name=name, start_urls=tuple(str(u) for u in urls), family=str(family),
                region=_opt(entry, "region", str, where), verified=bool(entry.get("verified", False)),
                delay=_opt(entry, "delay", float, where),
                max_pages=_opt(entry, "max_pages", int, where) or DEFAULT_MAX_PAGES,
                recheck_days=_opt(entry, "recheck_days", int, where) or DEFAULT_RECHECK_DAYS,
                attachment_hosts=tuple(h.lower() for h in hosts))


def _is_http(url: object) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and bool(
        urlsplit(url).hostname)


def _opt(entry: dict[str, object], key: str, kind: type[T], where: str) -> T | None:
    value = entry.get(key)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RegistryError(f"{where}: {key!r} must be a {kind.__name__}")
    return value
