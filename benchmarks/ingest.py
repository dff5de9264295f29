"""Benchmark: a generated 问卷星 按选项文本 .xlsx (100,000 rows by default) → store, beside bare pandas.read_excel.

Each measurement runs in a fresh process (wall time and peak RSS); medians over ``--repeat`` runs.
Baselines in the same run: ``pandas.read_excel`` with its default engine, and with ``engine="calamine"``.
Target from issue 4: whole import ≤ 2× the bare read.
Also timed: a 10 % longer export of the same survey into the store that already holds the first file
(only the new rows are added; they are checked for duplicates against every stored response, IP included).

    .venv/bin/python benchmarks/ingest.py                 # 100,000 rows
    .venv/bin/python benchmarks/ingest.py --rows 20000 --repeat 3
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/ holds a tokenize.py that would shadow the standard library's for pandas; keep this folder off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "weidiaoyan-bench"

_MEASURE = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
what, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if what == "read_excel":
    import pandas as pd
    n = len(pd.read_excel(path))
elif what == "read_excel_calamine":
    import pandas as pd
    n = len(pd.read_excel(path, engine="calamine"))
elif what == "ingest_longer":
    from toolkit.ingest import ingest
    ingest(sys.argv[4], "surveys/annual_topics.yaml", db)        # the first file, not timed
    t = time.perf_counter()
    r = ingest(path, "surveys/annual_topics.yaml", db)
    n = r["accepted"] + r["rejected"]
else:
    from toolkit.ingest import ingest
    r = ingest(path, "surveys/annual_topics.yaml", db)
    n = r["accepted"] + r["rejected"]
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": n}))
"""


def make_file(rows: int, seed: int) -> Path:
    """The benchmark file, generated once per (rows, seed) and cached in the temp dir."""
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses, write_export

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"wjx_by_text_{rows}_{seed}.xlsx"
    if path.exists():
        return path
    form = load_form(ROOT / "surveys/annual_topics.yaml")
    base = generate_responses(form, min(rows, 5000), seed=seed)
    records = [base[i % len(base)] for i in range(rows)]  # 序号 and IP still differ per row
    t = time.perf_counter()
    write_export(form, records, path, "wjx", by="text")
    print(f"generated {path} ({rows:,} rows) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def measure(what: str, path: Path, first: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                _MEASURE,
                what,
                str(path),
                str(Path(tmp) / "bench.db"),
                *([str(first)] if first else []),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    path = make_file(args.rows, args.seed)
    print(f"file: {path.name}  {path.stat().st_size / 1e6:.1f} MB  rows: {args.rows:,}  repeat: {args.repeat}")
    results = {}
    for what in ("read_excel", "read_excel_calamine", "ingest"):
        runs = [measure(what, path) for _ in range(args.repeat)]
        results[what] = {
            "wall": statistics.median(r["wall"] for r in runs),
            "rss_mb": statistics.median(r["rss_mb"] for r in runs),
            "rows": runs[0]["rows"],
        }
        r = results[what]
        print(f"{what:22s} median wall {r['wall']:7.2f} s   peak RSS {r['rss_mb']:7.0f} MB   rows {r['rows']:,}")
    longer = make_file(args.rows + args.rows // 10, args.seed)
    runs = [measure("ingest_longer", longer, path) for _ in range(args.repeat)]
    wall = statistics.median(r["wall"] for r in runs)
    print(
        f"{'ingest_longer':22s} median wall {wall:7.2f} s   peak RSS "
        f"{statistics.median(r['rss_mb'] for r in runs):7.0f} MB   new rows {runs[0]['rows']:,} "
        f"(store already holds {args.rows:,})"
    )
    base = results["read_excel"]["wall"]
    print(f"ingest / pandas.read_excel (default engine)  = {results['ingest']['wall'] / base:.2f}×  (target ≤ 2×)")
    print(
        f"ingest / pandas.read_excel(engine='calamine') = "
        f"{results['ingest']['wall'] / results['read_excel_calamine']['wall']:.2f}×"
    )


if __name__ == "__main__":
    main()
