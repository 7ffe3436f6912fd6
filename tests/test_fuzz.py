"""A bounded fuzzer over the worker's entry point: real reports of each format, mutated
(bytes flipped, cut, spliced), never make ``extract_bytes`` raise, and every report they
give can be saved (valid Unicode, one-line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gk_extract.pipeline.parts import save
from gk_extract.pipeline.worker import extract_bytes

SOURCES = ("pt2024.html", "hzq2024.pdf", "gbtemplate_blank_2021.docx")


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    edits = draw(st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert"]),
                                    st.integers(0, len(data) - 1), st.binary(max_size=16)),
                          min_size=1, max_size=5))
    out = bytearray(data)
    for kind, at, junk in edits:
        at = min(at, len(out))
        if kind == "flip" and at < len(out):
            out[at] ^= 0xFF
        elif kind == "cut":
            del out[at:at + 1 + len(junk) * 64]
        else:
            out[at:at] = junk
    return bytes(out)


@pytest.mark.parametrize("name", SOURCES)
def test_mutated_reports_never_raise(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    original = sample(name).read_bytes()
    out = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated(original))
    def run(data: bytes) -> None:
        report = extract_bytes(data, f"fuzz/{name}", "f" * 64, timeout_s=60)
        assert report.status in ("ok", "partial", "link_only", "failed", "not_a_report")
        assert report.error is None or "\n" not in report.error
        save(report, Path(out))

    run()
