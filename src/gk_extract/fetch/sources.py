"""The sources registry (``corpus/sources.toml``): one ``[[site]]`` per report column."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gk_extract.fetch.families import READERS, gkmlpt_category

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


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a registry file, at a 1-based line."""

    line: int
    message: str


SITE_KEYS = tuple(f.name for f in fields(Site))
_HEADER = re.compile(r"\s*\[(\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[=.]""")
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def load_sources(path: Path, only: str | None = None) -> list[Site]:
    """The sites of a registry file (only the one called ``only`` when given)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    problems = check_registry(text)
    if problems:
        raise RegistryError("\n".join(f"{path}:{p.line}: {p.message}" for p in problems))
    sites = [_site(entry) for entry in tomllib.loads(text).get("site", [])]
    if only is not None:
        sites = [s for s in sites if s.name == only]
        if not sites:
            raise RegistryError(f"{path}: no site named {only!r}")
    return sites


def check_registry(text: str) -> list[Problem]:
    """Every problem of a registry's text, in line order; empty when it loads."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [_syntax_problem(str(exc), text)]
    layout = _Layout(text)
    problems = _top_level_problems(data, layout)
    entries = data.get("site", [])
    if isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
        for index, entry in enumerate(entries):
            problems += _site_problems(entry, layout.site(index))
        problems += _duplicate_names(entries, layout)
    return sorted(problems, key=lambda p: p.line)


class _Layout:
    """Where things are in the text: tomllib gives no line numbers for values."""

    def __init__(self, text: str) -> None:
        self.top: dict[str, int] = {}
        self.sites: list[_Block] = []
        block: _Block | None = None
        for number, line in enumerate(text.splitlines(), 1):
            header = _HEADER.match(line)
            if header:
                block = _Block(number)
                if header.group(1) == "[" and header.group(2) == "site":
                    self.sites.append(block)
                self.top.setdefault(_first_key(header.group(2)), number)
            elif key := _KEY.match(line):
                (block.keys if block else self.top).setdefault(_first_key(key.group(1)), number)
            if block is not None:
                block.text.append((number, line))

    def site(self, index: int) -> _Block:
        """The block of the index-th [[site]] (the ``site =`` line if it is not one)."""
        if index < len(self.sites):
            return self.sites[index]
        return _Block(self.top.get("site", 1))


@dataclass(slots=True)
class _Block:
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    text: list[tuple[int, str]] = field(default_factory=list)

    def at(self, key: str) -> int:
        return self.keys.get(key, self.line)

    def at_value(self, key: str, value: object) -> int:
        """The line holding ``value`` of a (perhaps multi-line) list; else the key's line."""
        start, quoted = self.at(key), {f'"{value}"', f"'{value}'"}
        return next((number for number, line in self.text
                     if number >= start and any(q in line for q in quoted)), start)


def _first_key(dotted: str) -> str:
    return dotted.split(".")[0].strip().strip("\"'")


def _syntax_problem(message: str, text: str) -> Problem:
    at = _AT.search(message)
    if at is None:
        return Problem(1, f"TOML syntax error: {message}")
    line = int(at.group(1)) if at.group(1) else max(1, len(text.splitlines()))
    column = f" (column {at.group(2)})" if at.group(2) else ""
    return Problem(line, f"TOML syntax error: {message[:at.start()]}{column}")


def _top_level_problems(data: dict[str, Any], layout: _Layout) -> list[Problem]:
    problems = [Problem(layout.top.get(key, 1),
                        f"unknown top-level {key!r}{_nearest(key, ('site',))}; "
                        "a registry holds only [[site]] tables")
                for key in data if key != "site"]
    entries = data.get("site")
    if entries is None:
        problems.append(Problem(1, "no [[site]] tables"))
    elif not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(Problem(layout.top.get("site", 1), "'site' must be [[site]] tables"))
    return problems


def _site_problems(entry: dict[str, Any], block: _Block) -> list[Problem]:
    checks = [_unknown_keys, _name, _start_urls, _family, _attachment_hosts, _values]
    return [problem for check in checks for problem in check(entry, block)]


def _unknown_keys(entry: dict[str, Any], block: _Block) -> list[Problem]:
    return [Problem(block.at(key), f"unknown key {key!r} in [[site]]{_nearest(key, SITE_KEYS)}; "
                                   f"known keys: {', '.join(SITE_KEYS)}")
            for key in entry if key not in SITE_KEYS]


def _nearest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _name(entry: dict[str, Any], block: _Block) -> list[Problem]:
    name = entry.get("name")
    if name is None:
        return [Problem(block.line, "[[site]] has no 'name'")]
    if not isinstance(name, str) or not name.strip():
        return [Problem(block.at("name"), "'name' must be a non-empty string")]
    return []


def _start_urls(entry: dict[str, Any], block: _Block) -> list[Problem]:
    urls = entry.get("start_urls")
    if urls is None:
        return [Problem(block.line, "[[site]] has no 'start_urls'")]
    if not isinstance(urls, list) or not urls:
        return [Problem(block.at("start_urls"), "'start_urls' must be a non-empty list of URLs")]
    return [Problem(block.at_value("start_urls", url), f"start_urls: {url!r} {why}")
            for url in urls if (why := _url_problem(url)) is not None]


def _url_problem(url: object) -> str | None:
    if not isinstance(url, str):
        return "is not a string"
    if url != url.strip() or any(c.isspace() for c in url):
        return "contains whitespace"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    try:
        port = parts.port
    except ValueError:
        return "has a bad port"
    return "has a bad port" if port == 0 else None


def _family(entry: dict[str, Any], block: _Block) -> list[Problem]:
    family = entry.get("family", "generic")
    if family not in READERS:
        return [Problem(block.at("family"), f"family {family!r} does not exist; families: "
                                            f"{', '.join(READERS)}")]
    urls = entry.get("start_urls")
    if family != "gkmlpt" or not isinstance(urls, list):
        return []
    return [Problem(block.at_value("start_urls", url), f"start_urls: {url!r} needs the gkmlpt category id "
                                            "as its fragment (…/gkmlpt/index#2629)")
            for url in urls if isinstance(url, str) and gkmlpt_category(url) is None]


def _attachment_hosts(entry: dict[str, Any], block: _Block) -> list[Problem]:
    hosts = entry.get("attachment_hosts", [])
    if not isinstance(hosts, list):
        return [Problem(block.at("attachment_hosts"),
                        "'attachment_hosts' must be a list of host names")]
    return [Problem(block.at_value("attachment_hosts", host), f"attachment_hosts: {host!r} is not a host name "
                          "(give the bare host, e.g. oss-cn-hangzhou.aliyuncs.com)")
            for host in hosts if not _is_host(host)]


def _is_host(host: object) -> bool:
    return isinstance(host, str) and len(host) <= 253 and all(
        _LABEL.fullmatch(label) for label in host.lower().split("."))


def _values(entry: dict[str, Any], block: _Block) -> list[Problem]:
    return [Problem(block.at(key), f"{key!r} must be {what}, not {entry[key]!r}")
            for key, (ok, what) in _VALUES.items() if key in entry and not ok(entry[key])]


def _is_delay(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_VALUES: dict[str, tuple[Callable[[object], bool], str]] = {
    "delay": (_is_delay, "a non-negative number of seconds"),
    "max_pages": (_is_positive_int, "a positive integer"),
    "recheck_days": (_is_positive_int, "a positive integer"),
    "verified": (lambda value: isinstance(value, bool), "true or false"),
    "region": (lambda value: isinstance(value, str), "a string"),
}


def _duplicate_names(entries: list[dict[str, Any]], layout: _Layout) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        name, line = entry.get("name"), layout.site(index).at("name")
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(Problem(line, f"duplicate site name {name!r} "
                                          f"(lines {first[name]} and {line})"))
        first.setdefault(name, line)
    return problems


def _site(entry: dict[str, Any]) -> Site:
    delay = entry.get("delay")
    return Site(name=entry["name"], start_urls=tuple(entry["start_urls"]),
                family=entry.get("family", "generic"), region=entry.get("region"),
                verified=entry.get("verified", False),
                delay=None if delay is None else float(delay),
                max_pages=entry.get("max_pages", DEFAULT_MAX_PAGES),
                recheck_days=entry.get("recheck_days", DEFAULT_RECHECK_DAYS),
                attachment_hosts=tuple(h.lower() for h in entry.get("attachment_hosts", [])))
