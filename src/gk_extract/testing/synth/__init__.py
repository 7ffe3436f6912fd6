"""Synthetic annual reports with known values, rendered as DOCX and HTML fixtures.

The project's own fixtures come from here (never from copies of real documents)::

    rng = random.Random(7)
    report = random_report(rng, template="2021", labels_split=True)
    data = render_docx(report)                 # or render_html(report, "trs", "gbk")
    report.expected["s3_new_received__total"]  # what an extractor must return

or a whole corpus with ``iter_corpus(count, seed)`` / ``python -m gk_extract.testing.synth``.
"""

from .corpus import CorpusItem, iter_corpus, read_truth, write_corpus
from .docx_writer import render_docx
from .html_writer import STYLES, render_html
from .values import SyntheticNotice, SyntheticReport, random_notice, random_report, template_keys

__all__ = [
    "STYLES",
    "CorpusItem",
    "SyntheticNotice",
    "SyntheticReport",
    "iter_corpus",
    "random_notice",
    "random_report",
    "read_truth",
    "render_docx",
    "render_html",
    "template_keys",
    "write_corpus",
]
