"""How close an extracted report came to the generator's truth, cell by cell, and in sum.

Round-trip tests and the corpus benchmark judge a fixture set the way the project is
judged: cells right, cells invented, sections found (beginning as printed), metadata, a
failed check exactly where the report breaks a rule, and above all the wrong values that
nothing flags (a wrong cell not marked ``doubtful``)::

    tally = Tally()
    for data, truth in corpus:
        tally.add(compare(extract(data), truth))
    print(tally.line("chromium"))
    assert tally.cell_share >= 0.995 and tally.unflagged == 0
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gk_extract.models import Report
from gk_extract.testing.synth import SyntheticReport


@dataclass(frozen=True, slots=True)
class Wrong:
    key: str
    want: float | None
    got: str | None  # the raw text read, None when the cell is missing
    doubtful: bool
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One report against its truth."""

    cells: int
    wrong: tuple[Wrong, ...]
    invented: int
    sections_found: int
    sections: int
    meta_ok: bool
    status: str
    checks_ok: bool = True  # a rule fails exactly when the report breaks one

    @property
    def unflagged(self) -> int:
        return sum(1 for w in self.wrong if w.got is not None and not w.doubtful)


def compare(report: Report, truth: SyntheticReport) -> Outcome:
    got = {c.key: c for c in report.cells if c.table != "extra"}
    wrong = []
    for key, want in truth.expected.items():
        cell = got.get(key)
        if cell is None:
            wrong.append(Wrong(key, want, None, doubtful=False))
        elif cell.value.value != want:
            wrong.append(Wrong(key, want, cell.value.raw, cell.doubtful, cell.source_ref))
    found = sum(_begins_as_printed(section.text, truth.sections.get(section.key))
                for section in report.sections if section.key in truth.headings)
    meta = (report.agency, report.year, report.template) == (truth.agency, truth.year, truth.template)
    return Outcome(cells=len(truth.expected), wrong=tuple(wrong),
                   invented=len(set(got) - set(truth.expected)),
                   sections_found=found, sections=len(truth.headings),
                   meta_ok=meta, status=report.status,
                   checks_ok=any(c.status == "fail" for c in report.checks) == (not truth.consistent))


# A section is found when its text begins as printed: its first characters, whitespace left
# out (an OCR line break or a PDF's space between glyphs is no difference).
SECTION_PREFIX_CHARS = 12


def _begins_as_printed(text: str, printed: str | None) -> bool:
    if not printed or printed.isspace():
        return True  # a section that is only a table: finding it is enough
    return ("".join(text.split())[:SECTION_PREFIX_CHARS]
            == "".join(printed.split())[:SECTION_PREFIX_CHARS])


@dataclass
class Tally:
    """Outcomes summed over a fixture set."""

    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    @property
    def cells(self) -> int:
        return sum(o.cells for o in self.outcomes)

    @property
    def right(self) -> int:
        return self.cells - sum(len(o.wrong) for o in self.outcomes)

    @property
    def cell_share(self) -> float:
        return self.right / self.cells if self.cells else 1.0

    @property
    def unflagged(self) -> int:
        return sum(o.unflagged for o in self.outcomes)

    @property
    def missing(self) -> int:
        return sum(1 for o in self.outcomes for w in o.wrong if w.got is None)

    @property
    def invented(self) -> int:
        return sum(o.invented for o in self.outcomes)

    @property
    def sections_found(self) -> int:
        return sum(o.sections_found for o in self.outcomes)

    @property
    def sections(self) -> int:
        return sum(o.sections for o in self.outcomes)

    def line(self, name: str) -> str:
        return (f"{name}: {len(self.outcomes)} reports, cells {self.right}/{self.cells} right "
                f"({self.cell_share:.2%}), missing {self.missing}, invented {self.invented}, "
                f"wrong unflagged {self.unflagged}, sections {self.sections_found}/{self.sections}, "
                f"metadata {sum(o.meta_ok for o in self.outcomes)}/{len(self.outcomes)}, "
                f"checks {sum(o.checks_ok for o in self.outcomes)}/{len(self.outcomes)}")

    def worst(self, count: int = 5) -> list[tuple[int, Outcome]]:
        """The ``count`` reports with most wrong cells, by their index in the set."""
        ranked = sorted(enumerate(self.outcomes), key=lambda item: -len(item[1].wrong))
        return [(i, o) for i, o in ranked[:count] if o.wrong]
