"""The content-addressed store and its manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from gk_extract.store import BlobStore, Fetch, Manifest, is_store


def fetch(url: str, sha: str, ext: str = "pdf", pub: str | None = "2025-03-01") -> Fetch:
    return Fetch("s", "attachment", url, url, None, "t", pub, 2024, None, "2025-03-02T00:00:00+00:00",
                 200, "application/pdf", None, None, sha, 3, ext)


def test_files_are_stored_once_under_their_sha256(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path)
    sha, path = blobs.put(b"abc", "pdf")
    assert path == tmp_path / sha[:2] / f"{sha}.pdf" and path.read_bytes() == b"abc"
    assert blobs.put(b"abc", "pdf") == (sha, path)
    assert [p.name for p in tmp_path.rglob("*")] == [sha[:2], path.name]


@pytest.mark.parametrize(("sha", "ext"), [("../../etc", "pdf"), ("a" * 64, "../x"), ("a" * 64, "exe")])
def test_nothing_but_a_sha256_and_a_known_extension_makes_a_path(tmp_path: Path, sha: str, ext: str) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path_for(sha, ext)


def test_partial_files_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / f".{'ab' * 32}.pdf.tmp-123").write_bytes(b"half")
    assert BlobStore(tmp_path).remove_partials() == 1


def test_manifest_keeps_every_version_and_knows_the_current_one(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    manifest.add(fetch("http://a/1.pdf", "1" * 64))
    manifest.add(fetch("http://a/1.pdf", "2" * 64))
    manifest.add(fetch("http://a/2.pdf", "3" * 64, pub="2001-01-01"))
    assert [f.sha256[0] for f in manifest.current()] == ["2", "3"]
    latest = manifest.latest("http://a/1.pdf")
    assert latest is not None and latest.sha256 == "2" * 64
    assert manifest.known_urls() == {"http://a/1.pdf", "http://a/2.pdf"}
    assert [f.requested_url for f in manifest.due_for_recheck("s", 100_000)] == [
        "http://a/1.pdf", "http://a/2.pdf"]
    assert manifest.due_for_recheck("s", 1) == []
    assert is_store(tmp_path)


def test_a_run_counts_as_finished_only_when_it_says_so(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    assert manifest.start_run("s") is False
    assert manifest.start_run("s") is False  # the first run was killed
    manifest.finish_run("s")
    assert manifest.start_run("s") is True
