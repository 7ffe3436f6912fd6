"""Regions and the panel at national scale: names per second, and the panel of a big batch.

Usage: python benchmarks/panel.py [--names N] [--reports N] [--seed S]

1. Region resolution over ``--names`` agency names (default 100,000) made from every
   division of the gazetteer and common organs, printed with and without their parents'
   names, as titles print them. gk_extract (``normalize.regions``) against cpca's own
   ``transform``, each in a child process (time and peak memory of its own); then how often
   the two agree, and how often cpca names a place where gk_extract leaves the name null
   because several places share it (cpca picks one of them).
2. The batch plan and the panel over ``--reports`` generated reports (default 100,000: one
   per agency and year, with a copy now and then): summaries, groups, D1, X1/X2
   (``export.panel.plan``), and panel.parquet pivoted by DuckDB (``export.duckdb.write_panel``)
   against pandas' ``pivot_table`` of the same cells. Generating and writing the dataset is
   not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ORGANS = ("人民政府", "人民政府办公室", "财政局", "教育局", "市场监督管理局", "自然资源和规划局",
          "经济技术开发区管委会", "税务局")
TOWNS = ("城关镇", "新华街道", "东城街道", "桥头镇")

_REGIONS_CHILD = r"""
import json, resource, sys, time
names = json.load(open(sys.argv[2], encoding="utf-8"))
t0 = time.perf_counter()
if sys.argv[1] == "gk":
    from gk_extract.normalize.regions import Evidence, gazetteer
    found = gazetteer()
    codes = [found.resolve([Evidence("title", n)])[0].adcode for n in names]
else:
    import cpca
    frame = cpca.transform(names)
    codes = [c if isinstance(c, str) and c else None for c in frame["adcode"]]
seconds = time.perf_counter() - t0
json.dump(codes, open(sys.argv[3], "w"))
print(json.dumps({"seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def agency_names(count: int, seed: int) -> list[str]:
    """``count`` agency names over every county-level division, printed as titles do."""
    from gk_extract.normalize.regions import gazetteer

    found = gazetteer()
    rng = random.Random(seed)
    counties = [d for d in found.divisions.values() if d.level == "county" and d.name != "市辖区"]
    names = []
    for _ in range(count):
        county = rng.choice(counties)
        _, city = found.parents(county)
        real_city = city is not None and city.name != "市辖区" and not city.name.endswith("行政区划")
        prefix = city.name + county.name if real_city and rng.random() >= 0.4 else county.name
        organ = rng.choice(TOWNS) + "人民政府" if rng.random() < 0.1 else rng.choice(ORGANS)
        names.append(prefix + organ)
    return names


def regions(count: int, seed: int, work: Path) -> None:
    names = agency_names(count, seed)
    source = work / "names.json"
    source.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    results, codes = {}, {}
    for who in ("gk", "cpca"):
        out = work / f"{who}.json"
        run = subprocess.run([sys.executable, "-c", _REGIONS_CHILD, who, str(source), str(out)],
                             capture_output=True, text=True, check=True)
        results[who] = json.loads(run.stdout.strip().splitlines()[-1])
        codes[who] = json.loads(out.read_text())
    print(f"region resolution over {count:,} agency names (one process each):")
    for who, label in (("gk", "gk_extract"), ("cpca", "cpca.transform")):
        r = results[who]
        print(f"  {label:15} {count / r['seconds']:>10,.0f} names/s  {r['seconds']:6.2f} s  "
              f"peak {r['peak_mb']:6.0f} MB")
    ratio = results["cpca"]["seconds"] / results["gk"]["seconds"]
    print(f"  gk_extract is {ratio:.2f}x the speed of cpca.transform")
    both = sum(a is not None and b is not None for a, b in zip(codes["gk"], codes["cpca"]))
    same = sum(a is not None and a[:6] == (b or "")[:6] for a, b in zip(codes["gk"], codes["cpca"]))
    null_gk = sum(a is None for a in codes["gk"])
    cpca_only = sum(a is None and b is not None for a, b in zip(codes["gk"], codes["cpca"]))
    print(f"  both resolve {both:,}; same adcode {same:,}; gk_extract leaves {null_gk:,} null, "
          f"{cpca_only:,} of them names cpca places anyway (homonyms it picks one of)")


def panel(count: int, seed: int, work: Path) -> None:
    from gk_extract.export.duckdb import write_panel
    from gk_extract.export.panel import plan, summarize
    from gk_extract.export.tables import write_dataset
    from gk_extract.models import Report

    data = work / "data"
    summaries = []
    summarize_s = 0.0
    def reports() -> Iterator[Report]:
        nonlocal summarize_s
        for report in generated_reports(count, seed):
            yield report
            t0 = time.perf_counter()
            summaries.append(summarize(report))
            summarize_s += time.perf_counter() - t0

    write_dataset(reports(), data)
    t0 = time.perf_counter()
    batch = plan(summaries, lambda rid: None)
    plan_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_panel(data)
    duck_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    wide = pandas_panel(data)
    pandas_s = time.perf_counter() - t0
    checks = sum(len(c) for c in batch.checks.values())
    print(f"batch plan and panel over {count:,} generated reports "
          f"({len(batch.primary):,} primary, {checks:,} cross-report checks, {len(wide):,} rows):")
    print(f"  summaries {summarize_s:6.2f} s   plan (groups, D1, X1, X2) {plan_s:6.2f} s   "
          f"{count / (summarize_s + plan_s):,.0f} reports/s")
    print(f"  panel.parquet by DuckDB {duck_s:6.2f} s   pandas pivot_table {pandas_s:6.2f} s   "
          f"ratio {pandas_s / duck_s:.2f}x")


def generated_reports(count: int, seed: int):  # type: ignore[no-untyped-def]
    """Reports of agencies over 2021-2024 with every 2021 cell, a copy every 50th."""
    from gk_extract.models import CellValue, Report, Value
    from gk_extract.template.registry import all_keys

    rng = random.Random(seed)
    keys = [k for k in all_keys() if k.startswith(("s2_", "s3_", "s4_"))]
    made = 0
    agency = 0
    while made < count:
        agency += 1
        for year in (2021, 2022, 2023, 2024):
            cells = tuple(CellValue(key=k, table=k[:2], row=k.split("__")[0], col=k.split("__")[1],
                                    row_label="", col_label="", value=Value(str(v), float(v), "number"),
                                    page=None, source_ref="")
                          for k in keys for v in (rng.randint(0, 40),))
            report = Report(report_id=f"{agency:08d}{year}", source_path=f"{agency}/{year}.html",
                            format="html", status="ok", template="2021", year=year,
                            agency=f"agency {agency}", adcode="320813",
                            agency_id=f"320813-{agency}", cells=cells)
            yield report
            made += 1
            if made % 50 == 0 and made < count:
                yield replace(report, report_id=report.report_id + "c", format="pdf",
                              primary=False)
                made += 1
            if made >= count:
                return


def pandas_panel(data: Path):  # type: ignore[no-untyped-def]
    import pandas as pd

    reports = pd.read_parquet(data / "reports.parquet", columns=["report_id", "primary", "status"])
    cells = pd.read_parquet(data / "cells.parquet", columns=["report_id", "key", "value"])
    keep = reports[reports["primary"] & reports["status"].isin(["ok", "partial"])]["report_id"]
    cells = cells[cells["report_id"].isin(keep)]
    return cells.pivot_table(index="report_id", columns="key", values="value", aggfunc="first")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.names:
            regions(args.names, args.seed, Path(tmp))
        if args.reports:
            panel(args.reports, args.seed, Path(tmp))


if __name__ == "__main__":
    main()
