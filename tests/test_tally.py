"""The round-trip tally judges a report as the project is judged: a section is found only
when its text begins as printed."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.synth import STYLES, random_report, render_html
from gk_extract.testing.tally import compare


def test_a_section_is_found_when_its_text_begins_as_printed() -> None:
    truth = random_report(random.Random(5), template="2021")
    data = render_html(truth, STYLES[0], "utf-8")
    report = extract_bytes(data, "page.html", hashlib.sha256(data).hexdigest(), 60)
    outcome = compare(report, truth)
    assert (outcome.sections_found, outcome.sections) == (6, 6) and not outcome.wrong
    assert outcome.checks_ok
    # the same words, with a line break and spaces: still as printed
    spaced = [replace(s, text=" \n".join(s.text)) for s in report.sections]
    assert compare(replace(report, sections=tuple(spaced)), truth).sections_found == 6
    # a first character read as another (（ as ( ): not as printed
    first = report.sections[0]
    changed = (replace(first, text="(" + first.text[1:]), *report.sections[1:])
    assert compare(replace(report, sections=changed), truth).sections_found == 5


def test_checks_are_right_when_a_rule_fails_exactly_where_the_report_breaks_one() -> None:
    broken = random_report(random.Random(6), template="2021", consistent=False)
    data = render_html(broken, STYLES[1], "utf-8")
    report = extract_bytes(data, "page.html", hashlib.sha256(data).hexdigest(), 60)
    assert compare(report, broken).checks_ok
    passing = tuple(replace(c, status="pass") for c in report.checks)
    assert not compare(replace(report, checks=passing), broken).checks_ok
