"""The LibreOffice-printed corpora hold only reports that LibreOffice printed whole.

LibreOffice sometimes lays out a DOCX table whose vertically merged cells cross a page break
without the rows between them; a corpus counting those cells would measure LibreOffice, not
the extractor. The check reads the printed PDF's text; here a row is taken out of the DOCX
before printing, as LibreOffice leaves it out of the page.
"""

from __future__ import annotations

import random
from pathlib import Path

from pdf_corpus import require_soffice

from gk_extract.testing.corpora import libreoffice_printed, printed_whole, with_document_xml
from gk_extract.testing.synth import random_report, render_docx
from gk_extract.testing.synth.office import convert_many


def _without_last_row(data: bytes) -> bytes:
    """The DOCX with its last table row (section 四's values) taken out."""
    def cut(xml: str) -> str:
        start = max(xml.rfind("<w:tr>"), xml.rfind("<w:tr "))
        return xml[:start] + xml[xml.index("</w:tr>", start) + len("</w:tr>"):]

    return with_document_xml(data, cut)


def _printed(tmp_path: Path, name: str, data: bytes) -> bytes:
    path = tmp_path / f"{name}.docx"
    path.write_bytes(data)
    return convert_many([path], "pdf", tmp_path / "pdf")[0].read_bytes()


def test_a_report_printed_whole_passes_and_one_missing_a_row_does_not(tmp_path: Path) -> None:
    require_soffice()
    report = random_report(random.Random(7), template="2021")
    assert printed_whole(_printed(tmp_path, "whole", render_docx(report)), report)
    cut = _printed(tmp_path, "cut", _without_last_row(render_docx(report)))
    assert not printed_whole(cut, report)


def test_a_report_not_printed_whole_is_drawn_again(tmp_path: Path) -> None:
    require_soffice()
    report = random_report(random.Random(8), template="2021", s4_layout="one_table")
    edited: list[bytes] = []

    def cut_first(data: bytes) -> bytes:  # only the first printing loses its row
        edited.append(data)
        return _without_last_row(data) if len(edited) == 1 else data

    [(pdf, kept)] = libreoffice_printed(tmp_path, [report], seed=1, edit=cut_first)
    assert kept is not report and kept.layout_flags() == report.layout_flags()
    assert printed_whole(pdf, kept)
