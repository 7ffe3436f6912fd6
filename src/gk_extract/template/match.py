"""One document -> one report: template detection, cells, sections, metadata, checks, status."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gk_extract.models import Document, Report, Section, Status, Table
from gk_extract.normalize.text import squash
from gk_extract.template import registry
from gk_extract.template import spec as T
from gk_extract.template.aligned import aligned_cells, stacked_text
from gk_extract.template.checks import run_checks
from gk_extract.template.doubt import mark_doubtful, unsure_checks
from gk_extract.template.labels import contains_any
from gk_extract.template.legacy import legacy_cells
from gk_extract.template.meta import Meta, read_meta
from gk_extract.template.place import Placed, place
from gk_extract.template.sections import find_sections
from gk_extract.template.tables import Extraction, extract_s2, extract_s3, extract_s4, table_kinds

logger = logging.getLogger(__name__)

# The cells.table of the rows read from an old format's statistics tables.
LEGACY_TABLES = {"2014": "stat2014"}
# A document with fewer template headings than this and no template table is no report.
MIN_HEADINGS_FOR_REPORT = 3


@dataclass(frozen=True, slots=True)
class Source:
    report_id: str
    source_path: str
    format: str
    source_url: str | None = None
    region: str | None = None  # the crawl registry's region for the site, when crawled


def build_report(doc: Document, source: Source) -> Report:
    """Given a parsed document, return the report extracted from it (never raises on content)."""
    meta = read_meta(doc)
    sections = find_sections(doc)
    kinds = {id(t): table_kinds(t) for t in doc.tables}
    version = detect_template(doc, meta, kinds)
    template = registry.get(version)
    mapped = template if template is not None and template.mapped else None
    found = Extraction()
    if mapped is not None:
        _extract(doc, mapped, kinds, found)
        _take_aligned(aligned_cells(doc, mapped), found)
    elif template is not None:
        for cell in legacy_cells(doc.tables, LEGACY_TABLES.get(version, "legacy")):
            found.add(cell)
    if version == "unknown" and not found.cells and _looks_like_no_report(meta, sections):
        version = "not_a_report"
    checks = run_checks(found.cells, sections) if mapped is not None else []
    cells = mark_doubtful(found.cells.values(), checks, ocr=doc.ocr)
    checks = unsure_checks(checks, found.cells.values())
    status, error = _status(version, found, sections, meta)
    if _links_only(doc, meta, found):
        status, error = "link_only", f"the report is in an attachment: {doc.links[0]}"
    unreadable = ",".join(map(str, doc.unreadable_pages))
    if unreadable and status == "ok":
        status, error = "partial", f"pages {unreadable}: text layer unreadable, needs OCR"
    elif unreadable:
        error = f"{error}; pages {unreadable}: text layer unreadable, needs OCR"
    for note in found.notes:
        logger.info("%s: %s", source.report_id[:12], note)
    placed = place(doc, meta, source.region) if version != "not_a_report" else Placed()
    return Report(
        report_id=source.report_id, source_path=source.source_path, format=source.format,
        source_url=source.source_url, status=status, template=version, ocr=doc.ocr,
        agency=meta.agency, year=meta.year, published_date=meta.published, error=error,
        **placed.report_fields(), links=doc.links, converter=doc.converter,
        cells=tuple(sorted(cells, key=lambda c: c.key)), sections=tuple(sections),
        checks=tuple(checks))


def detect_template(doc: Document, meta: Meta, kinds: dict[int, set[str]]) -> str:
    """The template by its labels (report-format.md §0); the year only decides between old ones."""
    text = "".join(squash(c.text) for t in doc.tables for c in t.cells)
    # a borderless table's header words, which the layout may have left as lines of text
    text += stacked_text(doc.lines)
    if meta.title_is_other:
        return "unknown"
    signed = next((t for t in registry.mapped() if contains_any(text, t.signs)), None)
    if signed is not None:
        return signed.name
    body = text + "".join(squash(p.text) for p in doc.paragraphs)
    old = _old_template(body, meta.year)
    if old is not None:
        return old.name
    if any(k & {"s3", "s4"} for k in kinds.values()):
        dated = next((t for t in registry.mapped() if t.covers(meta.year)), None)
        return (dated or registry.newest()).name
    return "unknown"


def _old_template(body: str, year: int | None) -> registry.TemplateSpec | None:
    """An unmapped (pre-2019) template: by its signs or its years, the years deciding."""
    old = registry.unmapped()
    dated = next((t for t in old if t.covers(year)), None)
    return dated or next((t for t in old if contains_any(body, t.signs)), None)


def _extract(doc: Document, template: registry.TemplateSpec, kinds: dict[int, set[str]], out: Extraction) -> None:
    def of(kind: str) -> list[Table]:
        return [t for t in doc.tables if kind in kinds[id(t)]]

    extract_s2(of("s2"), template, out)
    extract_s3(of("s3"), out)
    extract_s4(of("s4"), out)


def _take_aligned(aligned: Extraction, out: Extraction) -> None:
    """The alignment stage's cells, over those the layout's own aligned tables gave: it
    knows the template's rows and columns. A cell of a ruled table is never replaced."""
    for key, cell in aligned.cells.items():
        if key not in out.cells or out.cells[key].method == "aligned":
            out.cells[key] = cell


def _links_only(doc: Document, meta: Meta, found: Extraction) -> bool:
    """An article page that names a report and links a document file, holding no table of
    the report itself: the report is the attachment."""
    return bool(doc.links) and meta.title_is_report and not found.cells \
        and not any(found.has_table(p) for p in ("s2", "s3_", "s4_"))


def _looks_like_no_report(meta: Meta, sections: list[Section]) -> bool:
    return meta.title_is_other or (not meta.title_is_report and len(sections) < MIN_HEADINGS_FOR_REPORT)


def _status(version: str, found: Extraction, sections: list[Section], meta: Meta) -> tuple[Status, str | None]:
    if version == "not_a_report":
        return "not_a_report", "no report title, headings or template tables"
    missing = [name for name, prefix in (("二", "s2"), ("三", "s3_"), ("四", "s4_"))
               if not found.has_table(prefix)]
    template = registry.get(version)
    if template is not None and not template.mapped:
        if not found.cells:
            return "partial", f"{version} format: no statistics table found"
        return ("ok", None) if meta.year is not None else ("partial", "report year not found")
    if version == "unknown":
        return "partial", "page names a report but holds none of its tables or headings (report in an attachment?)"
    problems = []
    if missing:
        problems.append("no table for section " + "/".join(missing))
    if len(sections) < len(T.SECTIONS):
        got = {s.key for s in sections}
        lost = [str(s.number) for s in T.SECTIONS if s.key not in got]
        problems.append("sections not found: " + ",".join(lost))
    if meta.year is None:
        problems.append("report year not found")
    return ("partial", "; ".join(problems)) if problems else ("ok", None)
