"""Names of places -> GB/T 2260 regions, offline: province, city, county and 6-digit adcode.

The divisions are the county-level adcode table the cpca package ships, brought up to date by
``data/region_changes.csv`` (renamed, merged and new divisions since, dated in its header);
``data/zones.csv`` places the few zones whose names carry no division's name.

A text is read for *chains*: division names printed one after the other
(``江苏省淮安市洪泽区``, ``福建平潭``…). Each name may stand for several divisions (鼓楼区 is in
four cities); the names of a chain narrow each other, and so does a second piece of evidence.
What is still ambiguous after all evidence stays unresolved, with a note saying why: a region
is never guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import ahocorasick
import regex

DATA = Path(__file__).parent / "data"
# Names in cpca's table that are placeholders, not divisions.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Names that are also common words: they count only after their city's name.
_GENERIC = frozenset({"城区", "郊区", "矿区"})
# The suffix of a division's name; what is left (its base: 淮安, 平潭) is how zones and
# renamed counties print it. An autonomous division's suffix starts with its nations
# (凉山彝族自治州, 塔什库尔干塔吉克自治县), matched by name: see _nations().
_PLAIN_SUFFIX = regex.compile(r"(?:特别行政区|自治[区州县旗]|省|市|地区|林区|特区|盟|州|县|区|旗)$")
# A zone named after the division it lies in: 平潭综合实验区, 淮安经济技术开发区, 苏州工业园区.
_ZONE = regex.compile(
    r"\p{Han}{0,10}?(?:实验区|试验区|开发区|高新区|新区|园区|合作区|示范区|管理区|新城|产业园)"
    r"(?=管委会|管理委员会|工作委员会|党工委|管理局|管理办公室|人民政府|政府|办公室|$|[^\p{Han}])")
# A county printed under an earlier suffix (洪泽县 for 洪泽区, 即墨市 for 即墨区), unless the
# suffix starts a word of its own (县委, 市直).
_FORMER_SUFFIX = regex.compile(r"[县市区]")
_NOT_A_NAME = regex.compile(r"[县市区](?:委|长|直|级|属|内|域|场)")
# A base shorter than this (沙, 任) is no name on its own.
MIN_BASE = 2

@dataclass(frozen=True, slots=True)
class Division:
    adcode: str
    name: str
    level: str  # province, city, county

    @property
    def prefix(self) -> str:
        """The part of the code its own divisions share: 32 for a province, 3208 for a city."""
        return {"province": self.adcode[:2], "city": self.adcode[:4]}.get(self.level, self.adcode)

    def contains(self, other: Division) -> bool:
        return other.adcode.startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class Region:
    """Where an agency is; every field None when unresolved (``note`` says why)."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None
    level: str | None = None
    source: str | None = None
    note: str | None = None
    zone: bool = False

    @property
    def resolved(self) -> bool:
        return self.adcode is not None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One text that may name the agency's place, and where it came from: ``title`` (the
    agency's name), ``body``, ``registry``, ``meta`` or ``host``."""

    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A chain of division names printed in a text, and the divisions it may mean."""

    start: int
    end: int
    candidates: tuple[Division, ...]
    zone: str | None = None  # the zone's name when the chain names a zone
    notes: tuple[str, ...] = ()
    listed: bool = False  # the zone is one of data/zones.csv (its name names no division)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One name the automaton knows, and what it stands for."""

    divisions: tuple[Division, ...]
    kind: str  # name, former, base, zone
    note: str = ""


@dataclass(slots=True)
class Gazetteer:
    divisions: dict[str, Division]
    entries: dict[str, list[_Entry]] = field(default_factory=dict)
    automaton: ahocorasick.Automaton = field(default_factory=ahocorasick.Automaton)

    def add(self, name: str, entry: _Entry) -> None:
        self.entries.setdefault(name, []).append(entry)

    def build(self) -> Gazetteer:
        for name, entries in self.entries.items():
            self.automaton.add_word(name, (name, tuple(entries)))
        self.automaton.make_automaton()
        return self

    def parents(self, division: Division) -> tuple[Division | None, Division | None]:
        """The province and the city of a division (None where there is none)."""
        province = self.divisions.get(division.adcode[:2] + "0000")
        city = None
        if division.level == "county":
            city = self.divisions.get(division.adcode[:4] + "00")
            placeholder = city is None or city.name in _PLACEHOLDERS
            if placeholder and province is not None and province.adcode[:2] in _MUNICIPALITIES:
                city = province
        elif division.level == "city":
            city = division
        return province, city

    def mentions(self, text: str) -> list[Mention]:
        """The chains of division names in ``text``, left to right."""
        found: list[Mention] = []
        chain: list[tuple[int, int, str, tuple[_Entry, ...]]] = []
        for end, (name, entries) in self.automaton.iter_long(text):
            start = end + 1 - len(name)
            if chain and start != chain[-1][1]:
                found.extend(self._chain(text, chain))
                chain = []
            chain.append((start, end + 1, name, entries))
        found.extend(self._chain(text, chain))
        return found

    def _chain(self, text: str, chain: list[tuple[int, int, str, tuple[_Entry, ...]]]
               ) -> list[Mention]:
        if not chain:
            return []
        candidates: tuple[Division, ...] = ()
        notes: list[str] = []
        start = end = chain[0][0]
        zone = None
        for i, (begin, stop, name, entries) in enumerate(chain):
            last = i == len(chain) - 1
            meant = _meaning(name, entries, text[stop:] if last else "", bool(candidates))
            options = tuple(meant[0]) if meant else ()
            narrowed = _narrow(candidates, options) if candidates else options
            if not narrowed or meant is None:
                if candidates and options and options[0].level == "county":
                    where = "、".join(d.name for d in candidates)
                    notes.append(f"{name} is no division of {where}")
                if candidates:
                    break
                continue
            if not candidates:
                start = begin
            candidates, end = narrowed, stop + meant[2]
            zone = meant[1] or zone
            notes = [note for d, note in meant[0].items() if d in narrowed and note] or notes
        if not candidates:
            return []
        listed = zone is not None
        tail = _ZONE.match(text, end) if zone is None else None
        if tail:
            zone, end = text[start:tail.end()], tail.end()
        return [Mention(start, end, candidates, zone, tuple(notes), listed)]

    def resolve(self, evidence: Iterable[Evidence]) -> tuple[Region, Mention | None]:
        """The region the evidence names, and the chain that decided it in the first text
        that names one (the agency's own name when it does)."""
        decided: tuple[Division, ...] = ()
        mention: Mention | None = None
        sources: list[str] = []
        notes: list[str] = []
        for item in evidence:
            found = self.first_mention(item.text)
            if found is None:
                continue
            if not decided:
                decided, mention = found.candidates, found
                sources = [item.source]
                notes.extend(found.notes)
            else:
                narrowed = _narrow_any(decided, found.candidates)
                if narrowed and len(narrowed) < len(decided):
                    decided = narrowed
                    sources.append(item.source)
            if len(decided) == 1:
                break
        if not decided:
            return Region(note="no place named in the title, body, page or registry"), None
        if len(decided) > 1:
            common = _common_ancestor(decided)
            names = "、".join(self.label(d) for d in decided[:6])
            if common is None:
                return Region(note=f"{len(decided)} places share the name: {names}; "
                                   "nothing else names one"), mention
            decided = (common,)
            notes.append(f"only {common.name} is certain ({names})")
        if mention is not None and mention.zone and not notes:
            notes.append(f"zone {mention.zone}: placed in {self.label(decided[0])}, "
                         "the division it lies in")
        return self.region(decided[0], "+".join(sources), "; ".join(notes) or None,
                           zone=bool(mention and mention.zone)), mention

    def first_mention(self, text: str) -> Mention | None:
        """The first chain in ``text``; a bare 6-digit code names its division."""
        if text.isdigit() and len(text) == 6:
            division = self.divisions.get(text)
            return Mention(0, 0, (division,)) if division else None
        found = self.mentions(text)
        return found[0] if found else None

    def region(self, division: Division, source: str | None, note: str | None,
               zone: bool = False) -> Region:
        province, city = self.parents(division)
        return Region(
            province=province.name if province else None,
            city=city.name if city and city.name not in _PLACEHOLDERS else None,
            county=division.name if division.level == "county" else None,
            adcode=division.adcode, level=division.level, source=source, note=note, zone=zone)

    def label(self, division: Division) -> str:
        """A division with the places above it, to tell homonyms apart: 福州市鼓楼区."""
        province, city = self.parents(division)
        above = city if city is not None and city is not division \
            and city.name not in _PLACEHOLDERS else province
        return (above.name if above is not None and above is not division else "") + division.name


# Municipalities: their districts' city is the municipality itself.
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


def _meaning(name: str, entries: tuple[_Entry, ...], after: str, inside: bool
             ) -> tuple[dict[Division, str], str | None, int] | None:
    """What a matched name means where it is printed (each division with a note), or None
    when it means nothing there: a base counts only before a zone word (or as a province), a
    generic name only inside a chain, a county's base only before an earlier suffix."""
    meant: dict[Division, str] = {}
    zone = None
    suffix = 0  # the earlier suffix printed after a county's base belongs to the name
    for entry in entries:
        if name in _GENERIC and not inside:
            continue
        if entry.kind == "zone":
            zone = name
            meant.update(dict.fromkeys(entry.divisions, entry.note))
        elif entry.kind == "base":
            level = entry.divisions[0].level
            if _ZONE.match(after) or level == "province":
                meant.update(dict.fromkeys(entry.divisions, ""))
            elif level == "county" and _FORMER_SUFFIX.match(after) and not _NOT_A_NAME.match(after):
                note = f"{name}{after[0]} is now {entry.divisions[0].name}"
                meant.update(dict.fromkeys(entry.divisions, note))
                suffix = 1
        else:
            meant.update({d: meant.get(d) or entry.note for d in entry.divisions})
    return (meant, zone, suffix) if meant else None


def _narrow(above: tuple[Division, ...], below: tuple[Division, ...]) -> tuple[Division, ...]:
    """Of ``below``, those inside one of ``above``."""
    return tuple(d for d in below if any(a.contains(d) and a != d for a in above)) \
        or tuple(d for d in below if d in above)


def _narrow_any(decided: tuple[Division, ...], other: tuple[Division, ...]
                ) -> tuple[Division, ...]:
    """Of ``decided``, those a second piece of evidence agrees with (inside, or around)."""
    return tuple(d for d in decided if any(o.contains(d) or d.contains(o) for o in other))


def _common_ancestor(divisions: Sequence[Division]) -> Division | None:
    """The one division all of ``divisions`` lie in or are, when they nest (吉林 the province
    and 吉林 the city); None for homonyms in different places."""
    outer = [d for d in divisions if all(d.contains(o) for o in divisions)]
    return outer[0] if outer else None


def base_name(name: str) -> str:
    """A division's name without its suffix: 淮安市 -> 淮安, 平潭县 -> 平潭, 凉山彝族自治州
    -> 凉山; the nations stay where nothing else would (内蒙古自治区, 鄂伦春自治旗)."""
    base = _nations().sub("", name)
    return base if len(base) >= MIN_BASE else _PLAIN_SUFFIX.sub("", name)


@cache
def _nations() -> regex.Pattern[str]:
    """The suffixes of division names, the nations of autonomous ones from cpca's list of
    the 56 nations (彝族, and 塔吉克 as 塔什库尔干塔吉克自治县 prints it)."""
    import cpca

    text = (resources.files(cpca) / "resources" / "56_nations.csv").read_text(encoding="utf-8")
    nations = {n.strip() for n in text.split() if n.strip()}
    # a name is printed without 族 only when it is long enough not to be a place's last
    # character (塔吉克, 蒙古; never 白 of 长白 or 水 of 陵水)
    bare = {n.removesuffix("族") for n in nations if len(n.removesuffix("族")) >= MIN_BASE}
    names = sorted(nations | bare | {"各族"}, key=len, reverse=True)  # 龙胜各族自治县
    return regex.compile(rf"(?:{'|'.join(map(regex.escape, names))})+自治[区州县旗]$|"
                         + _PLAIN_SUFFIX.pattern)


def short_name(name: str) -> str | None:
    """How an autonomous division is commonly printed: 凉山彝族自治州 -> 凉山州, 本溪满族自治县
    -> 本溪县; None for others."""
    match = regex.search(r"自治([州县旗])$", name)
    base = base_name(name)
    return base + match[1] if match and len(base) >= MIN_BASE and base + "自治" not in name else None


@cache
def gazetteer() -> Gazetteer:
    """The divisions and their names, loaded once per process."""
    divisions = _load_divisions()
    found = Gazetteer(divisions)
    for division in divisions.values():
        if division.name in _PLACEHOLDERS:
            continue
        found.add(division.name, _Entry((division,), "name"))
        base = base_name(division.name)
        if len(base) >= MIN_BASE and base != division.name:
            found.add(base, _Entry((division,), "base"))
        short = short_name(division.name)
        if short is not None:
            found.add(short, _Entry((division,), "name"))
    for old_code, old_name, code, name, change in _changes():
        target = divisions.get(code) if code else None
        if target is None:
            continue
        if old_name and old_name != name:
            note = f"{old_name} ({old_code}) is now {name} ({code}): {change}"
            found.add(old_name, _Entry((target,), "former", note))
    for name, code, lies_in in _zones():
        target = divisions.get(code)
        if target is not None:
            found.add(name, _Entry((target,), "zone", f"{name} lies in {lies_in}"))
    return found.build()


def _load_divisions() -> dict[str, Division]:
    divisions: dict[str, Division] = {}
    with cpca_table().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            divisions[code] = Division(code, row["name"], _level(code))
    changes = _changes()
    for old_code, _old_name, code, name, change in changes:
        if change in ("renamed", "merged") and old_code != code:
            divisions.pop(old_code, None)
        if change in ("renamed", "new") and code:
            divisions[code] = Division(code, name, _level(code))
    return divisions


def cpca_table() -> Traversable:
    """The county-level adcode table the cpca package ships (imported on first use)."""
    import cpca

    return resources.files(cpca) / "resources" / "adcodes.csv"


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


@cache
def _changes() -> tuple[tuple[str, str, str, str, str], ...]:
    rows = _data_rows(DATA / "region_changes.csv")
    return tuple((r["old_adcode"], r["old_name"], r["adcode"], r["name"], r["change"])
                 for r in rows)


def _zones() -> list[tuple[str, str, str]]:
    return [(r["name"], r["adcode"], r["lies_in"]) for r in _data_rows(DATA / "zones.csv")]


def _data_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def resolve(evidence: Iterable[Evidence]) -> tuple[Region, Mention | None]:
    return gazetteer().resolve(evidence)
