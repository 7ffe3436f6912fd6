"""Round-trip corpora: every fixture set made by real tools, extracted and tallied per corpus.

Usage: python benchmarks/corpora.py [NAME ...] [--count N] [--seed S] [--jobs J] [--work DIR]

For each corpus of ``gk_extract.testing.corpora.CORPORA`` (all by default) draws its reports,
has its tools make the files (LibreOffice, Chromium ...), extracts every file and prints one
line: cells right, missing, invented, wrong values nothing flags, sections found, metadata.
``--count`` overrides each corpus's own size; ``--work`` keeps the files for another look.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gk_extract.pipeline.worker import extract_bytes
from gk_extract.testing.corpora import CORPORA, Pair, missing_tool
from gk_extract.testing.tally import Outcome, Tally, compare


def judge(pair: Pair) -> Outcome:
    data, truth = pair
    report = extract_bytes(data, "generated", hashlib.sha256(data).hexdigest(), timeout_s=300)
    return compare(report, truth)


def run(name: str, work: Path, count: int | None, seed: int, jobs: int) -> Tally:
    corpus = CORPORA[name]
    pairs = corpus.build(work / name, count or corpus.count, seed)
    tally = Tally()
    with ProcessPoolExecutor(jobs) as pool:
        for outcome in pool.map(judge, pairs, chunksize=4):
            tally.add(outcome)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(CORPORA)}")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(CORPORA))
    if unknown:
        parser.error(f"unknown corpus: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="gk-corpora-") as tmp:
        work = args.work or Path(tmp)
        for name in args.names or list(CORPORA):
            tool = missing_tool(CORPORA[name])
            if tool:
                print(f"{name}: skipped, {tool} is not installed", file=sys.stderr)
                continue
            tally = run(name, work, args.count, args.seed, args.jobs)
            print(tally.line(name), flush=True)
            for index, outcome in tally.worst(3):
                keys = ", ".join(w.key for w in outcome.wrong[:4])
                print(f"  #{index}: {len(outcome.wrong)} wrong ({outcome.status}): {keys}")


if __name__ == "__main__":
    main()
