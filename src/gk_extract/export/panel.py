"""The batch as a panel: one record per report, its copies grouped, each year against the last.

What no single document can tell, decided over the whole batch from a small summary of each
report (so 100,000 reports fit in memory):

* **copies** of one report (an HTML page and its PDF, DOCX or DOC attachments, a re-upload)
  share the agency and the year; they form one ``report_group`` with one ``primary``, the
  most complete and least doubtful copy. Copies whose values disagree get a ``D1`` check per
  cell. A ``link_only`` page joins the group of the attachment it links.
* **site hosts**: a report its own evidence leaves unplaced (a title naming no place, a
  name several places share) is placed by the division every other report fetched from the
  same host is of, when at least two are and none disagrees (``region_source`` ``host``).
* **years**: for the primary reports of one ``agency_id`` in consecutive years, ``X1``
  (上年结转 = last year's 结转下年度, per column) and ``X2`` (last year's 现行有效件数 +
  本年制发 = this year's 现行有效件数 + 本年废止, for 规章 and 行政规范性文件), with the
  identity checks of a single report (``template.checks.identity``).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from gk_extract.models import CellValue, Check, Report, Value, ValueKind
from gk_extract.normalize.regions import Evidence
from gk_extract.template import spec as T
from gk_extract.template.checks import identity
from gk_extract.template.place import Placed, place_by
from gk_extract.template.registry import cell_key

# Statuses in the order a group prefers its primary.
_STATUS_RANK = {"ok": 0, "partial": 1, "link_only": 2, "failed": 3, "not_a_report": 4}
# Section 二 rows whose 现行有效件数 carries over from year to year (X2).
X2_ROWS = ("regulations", "normative_docs")
# Reports of one site host that must agree on a division before it places the host's others.
HOST_MIN_REPORTS = 2
# Reports whose cells enter the panel.
PANEL_STATUSES = frozenset({"ok", "partial"})


def _x1_keys() -> list[tuple[str, str, str]]:
    return [(c.key, cell_key("s3", "carried_over", c.key), cell_key("s3", "carried_forward", c.key))
            for c in T.S3_COLS]


def _x2_keys() -> list[tuple[str, str, str, str]]:
    return [(row, cell_key("s2", row, "in_force"), cell_key("s2", row, "issued"),
             cell_key("s2", row, "repealed")) for row in X2_ROWS]


_CARRIED = frozenset(k for _, *keys in _x1_keys() for k in keys) \
    | frozenset(k for _, *keys in _x2_keys() for k in keys)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the batch keeps of one report to group it and check it against other years."""

    report_id: str
    source_path: str
    source_url: str | None
    status: str
    agency_id: str | None
    agency: str | None
    year: int | None
    filled: int  # cells with a value
    doubtful: int
    checks_failed: int
    ocr: bool
    values_hash: str  # of every (key, value): equal for copies with the same values
    carried: tuple[tuple[str, float | None], ...]  # (key, value) of the cells X1 and X2 compare
    links: tuple[str, ...]
    agency_name: str | None = None  # as printed in the title
    adcode: str | None = None

    @property
    def host(self) -> str | None:
        return urlsplit(self.source_url).hostname if self.source_url else None

    @property
    def group_key(self) -> str | None:
        if self.year is None or self.status not in _STATUS_RANK or _STATUS_RANK[self.status] > 2:
            return None
        who = self.agency_id or (f"name:{self.agency}" if self.agency else None)
        return f"{who}/{self.year}" if who else None

    def rank(self) -> tuple[int, int, int, int, bool, str]:
        return (_STATUS_RANK.get(self.status, 9), -self.filled, self.doubtful, self.checks_failed,
                self.ocr, self.report_id)


def summarize(report: Report) -> Summary:
    values = [(c.key, c.value.value) for c in report.cells]  # in key order (build_report)
    digest = hashlib.sha256(repr(values).encode()).hexdigest()[:16]
    carried = tuple((c.key, c.value.value) for c in report.cells if c.key in _CARRIED)
    return Summary(
        report.report_id, report.source_path, report.source_url, report.status, report.agency_id,
        report.agency_canonical or report.agency, report.year,
        sum(c.value.value is not None for c in report.cells), sum(c.doubtful for c in report.cells),
        report.checks_failed, report.ocr, digest, carried, report.links, report.agency,
        report.adcode)


@dataclass(slots=True)
class Plan:
    """What the batch adds to each report: its group, whether it is primary, the report its
    links name, and the checks between reports."""

    group: dict[str, str]
    primary: set[str]
    linked: dict[str, str]
    checks: dict[str, list[Check]]
    placed: dict[str, Placed] = field(default_factory=dict)  # regions found from site hosts

    def apply(self, report: Report) -> Report:
        rid = report.report_id
        extra = tuple(self.checks.get(rid, ()))
        report = replace(report, report_group=self.group.get(rid, rid), primary=rid in self.primary,
                         linked_report_id=self.linked.get(rid), checks=report.checks + extra)
        found = self.placed.get(rid)
        return report if found is None else replace(report, **found.report_fields())


def plan(summaries: Sequence[Summary], load: Callable[[str], Report | None]) -> Plan:
    """Groups, primaries, links and the checks between reports. ``load`` reads one report
    back in full: only the copies whose values differ are compared cell by cell."""
    placed = placed_by_host(summaries)
    summaries = [replace(s, agency_id=placed[s.report_id].agency.agency_id)
                 if s.report_id in placed else s for s in summaries]
    linked = _linked(summaries)
    group = _groups(summaries, linked)
    members: dict[str, list[Summary]] = defaultdict(list)
    for s in summaries:
        members[group[s.report_id]].append(s)
    primary = {min(m, key=Summary.rank).report_id for m in members.values()}
    checks: dict[str, list[Check]] = defaultdict(list)
    for copies in members.values():
        for rid, found in copy_checks(copies, primary, load).items():
            checks[rid].extend(found)
    by_id = {s.report_id: s for s in summaries}
    for rid, found in cross_year_checks([by_id[p] for p in primary]).items():
        checks[rid].extend(found)
    return Plan(group, primary, linked, dict(checks), placed)


def host_regions(summaries: Sequence[Summary]) -> dict[str, tuple[str, int]]:
    """Site hosts whose reports placed by their own evidence are all of one division (at
    least ``HOST_MIN_REPORTS`` of them): host -> (adcode, how many reports)."""
    codes: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for s in summaries:
        if s.host and s.adcode:
            codes[s.host].add(s.adcode)
            counts[s.host] += 1
    return {host: (next(iter(found)), counts[host]) for host, found in codes.items()
            if len(found) == 1 and counts[host] >= HOST_MIN_REPORTS}


def placed_by_host(summaries: Sequence[Summary]) -> dict[str, Placed]:
    """Reports left unplaced by their own evidence, placed by the division all other reports
    of their site's host are of (the host is the evidence of last resort)."""
    hosts = host_regions(summaries)
    found: dict[str, Placed] = {}
    for s in summaries:
        host = s.host
        if s.adcode or host not in hosts or _STATUS_RANK.get(s.status, 9) > 2:
            continue
        code, count = hosts[host]
        evidence = [Evidence("title", s.agency_name)] if s.agency_name else []
        placed = place_by(s.agency_name, [*evidence, Evidence("host", code)])
        if placed.region.resolved:
            note = f"placed by its site {host}, whose {count} other reports are all of {code}"
            region = replace(placed.region, note="; ".join(filter(None, [placed.region.note, note])))
            found[s.report_id] = Placed(region, placed.agency)
    return found


def _linked(summaries: Sequence[Summary]) -> dict[str, str]:
    """For each link_only page, the report of the first attachment it links that the batch
    holds (by its URL for crawled files, by its path for files on disk)."""
    by_url = {s.source_url: s.report_id for s in summaries if s.source_url}
    by_path = {posixpath.normpath(s.source_path): s.report_id for s in summaries}
    found: dict[str, str] = {}
    for s in summaries:
        if s.status != "link_only":
            continue
        for href in s.links:
            target = by_url.get(urljoin(s.source_url, href)) if s.source_url else \
                by_path.get(posixpath.normpath(posixpath.join(posixpath.dirname(s.source_path),
                                                              href)))
            if target is not None and target != s.report_id:
                found[s.report_id] = target
                break
    return found


def _groups(summaries: Sequence[Summary], linked: dict[str, str]) -> dict[str, str]:
    """Each report's group: its agency and year when both are known, joined by links."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for s in summaries:
        root(f"report:{s.report_id}")
        if s.group_key is not None:
            union(f"report:{s.report_id}", f"key:{s.group_key}")
    for page, attachment in linked.items():
        union(f"report:{page}", f"report:{attachment}")
    # a group is named by its agency and year ("320813-人民政府/2024"), a lone report by its id
    names = {root(f"key:{s.group_key}"): s.group_key for s in summaries if s.group_key}
    tops = {s.report_id: root(f"report:{s.report_id}") for s in summaries}
    return {rid: names.get(top, top.removeprefix("report:")) for rid, top in tops.items()}


# D1 rows per copy at most; a copy differing in more cells gets one more row naming the rest
# (reports that only share their agency and year, e.g. an agency name without its region).
D1_MAX_CELLS = 20


def copy_checks(copies: Sequence[Summary], primary: set[str],
                load: Callable[[str], Report | None]) -> dict[str, list[Check]]:
    """``D1`` for every cell where a copy disagrees with its group's primary (on the copy)."""
    with_cells = [s for s in copies if s.filled]
    lead = next((s for s in with_cells if s.report_id in primary), None)
    if lead is None or len({s.values_hash for s in with_cells}) < 2:
        return {}
    main = load(lead.report_id)
    if main is None:
        return {}
    values = {c.key: c.value.value for c in main.cells}
    found: dict[str, list[Check]] = {}
    for s in with_cells:
        if s is lead or s.values_hash == lead.values_hash:
            continue
        copy = load(s.report_id)
        scope = f"copy {s.report_id} of {lead.report_id}"
        differ = [cell for cell in (copy.cells if copy is not None else ())
                  if cell.key in values and values[cell.key] != cell.value.value]
        checks = [Check("D1", scope, values[c.key], c.value.value, "fail", (c.key,))
                  for c in differ[:D1_MAX_CELLS]]
        if len(differ) > D1_MAX_CELLS:  # two reports that only share agency and year
            rest = differ[D1_MAX_CELLS:]
            checks.append(Check("D1", f"{scope}: {len(rest)} more cells differ", None, None,
                                "fail", tuple(c.key for c in rest)))
        if checks:
            found[s.report_id] = checks
    return found


def cross_year_checks(primaries: Iterable[Summary]) -> dict[str, list[Check]]:
    """``X1`` and ``X2`` between the primary reports of one agency in consecutive years, on
    the later year's report; each scope names both report_ids. A pair of years is checked on
    the cells both reports print (the 2019 format prints no 现行有效件数)."""
    years: dict[tuple[str, int], Summary] = {}
    for s in primaries:
        if s.agency_id and s.year is not None and s.status in PANEL_STATUSES:
            years[(s.agency_id, s.year)] = s
    found: dict[str, list[Check]] = defaultdict(list)
    for (agency_id, year), this in sorted(years.items()):
        last = years.get((agency_id, year - 1))
        if last is None:
            continue
        cells = {f"last:{k}": _number(k, v) for k, v in last.carried} \
            | {f"this:{k}": _number(k, v) for k, v in this.carried}
        where = f"{last.report_id} ({year - 1}) -> {this.report_id} ({year})"
        rules = [("X1", col, [f"last:{forward}"], [f"this:{over}"])
                 for col, over, forward in _x1_keys()]
        rules += [("X2", row, [f"last:{in_force}", f"this:{issued}"],
                   [f"this:{in_force}", f"this:{repealed}"])
                  for row, in_force, issued, repealed in _x2_keys()]
        for rule, scope, parts, totals in rules:
            if all(k in cells for k in parts + totals):
                check = identity(rule, f"{scope}: {where}", parts, totals, cells)
                plain = tuple(k.split(":", 1)[1] for k in check.cells)
                found[this.report_id].append(replace(check, cells=plain))
    return dict(found)


def _number(key: str, value: float | None) -> CellValue:
    """A carried cell as the checks read it: its value is all they use."""
    kind: ValueKind = "blank" if value is None else "zero" if value == 0 else "number"
    return CellValue(key, "", "", "", "", "", Value("", value, kind), None, "")
