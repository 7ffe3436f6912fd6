"""``python -m gk_extract.testing.synth OUT_DIR --count N --seed S``: write a synthetic corpus.

Example::

    python -m gk_extract.testing.synth out/synth --count 50 --seed 7 --formats html,docx --with-junk
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .corpus import FORMATS, TRUTH_FILE, write_corpus


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gk_extract.testing.synth",
        description="Write synthetic annual reports with known values, plus truth.jsonl.",
        epilog="example: python -m gk_extract.testing.synth out/synth --count 50 --seed 7 --with-junk",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the files into")
    parser.add_argument("--count", type=int, default=20, help="number of files (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="comma-separated subset of html,docx (default both)",
    )
    parser.add_argument(
        "--with-junk",
        action="store_true",
        help="include one junk file (random bytes .pdf or a .txt)",
    )
    parser.add_argument(
        "--panel",
        action="store_true",
        help="add several agencies' reports over several years, their years tied (X1, X2)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    try:
        written = write_corpus(args.out_dir, args.count, args.seed, formats, args.with_junk,
                               args.panel)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files and {TRUTH_FILE} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
