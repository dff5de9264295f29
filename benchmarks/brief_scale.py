"""Benchmark: ``weidiaoyan brief`` on a store of N responses — wall time and peak memory (issue 13, item 3).

Target: 1,000,000 responses with ≤ 4 GB peak. Each run is a fresh ``python -m toolkit.cli brief`` process;
peak memory is the PSS of the process tree summed, sampled every 0.1 s (as ``topics_speed.py``); medians
over ``--repeat`` runs. ``--old REV`` also runs the tree of an earlier commit (unpacked with ``git archive``
into the temp folder) on the same store, for before/after.

    .venv/bin/python benchmarks/brief_scale.py                              # 10,000 and 100,000
    .venv/bin/python benchmarks/brief_scale.py --sizes 300000,1000000 --repeat 1
    .venv/bin/python benchmarks/brief_scale.py --sizes 100000 --old 6159b98

Stores are built once per size through the store's public API (``add_responses`` of generated answers, each
row its own 问卷编号) and kept in the temp folder as ``brief_<N>.db`` — delete one to rebuild it.
Run from the project root.
"""

from __future__ import annotations

import sys
from pathlib import Path

# keep benchmarks/ off the path: its scripts' names must not shadow modules
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

FORM = "surveys/annual_topics.yaml"

_BUILD = r"""
import sys, time
sys.path.insert(0, ".")
from toolkit.forms import load_form
from toolkit.sample import generate_responses
from toolkit.store import open_store
n, db = int(sys.argv[1]), sys.argv[2]
form, store = load_form(sys.argv[3]), open_store(db)
base = generate_responses(form, 20000, seed=1)


def one(i):  # another respondent per row: its own 问卷编号; answers repeat every 20,000 rows
    r = base[i % len(base)]
    return {**r, "answers": {**r["answers"], "serial": f"BRIEF-{i:07d}"}, "fingerprint": f"brief-{i}"}


t = time.perf_counter()
for start in range(0, n, 20000):
    store.add_responses(form, [one(i) for i in range(start, min(n, start + 20000))], source="wjx")
print(f"built a store of {n:,} responses in {time.perf_counter() - t:.0f} s", file=sys.stderr)
"""


def _memory(proc) -> int:
    import psutil

    try:  # PSS splits pages shared with forked workers instead of counting them once per process
        return proc.memory_full_info().pss
    except psutil.AccessDenied:
        return proc.memory_info().rss


def _brief(tree: Path, db: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, PSS summed over the process tree) of one ``brief`` run in ``tree``."""
    import contextlib
    import subprocess
    import time

    import psutil

    args = [sys.executable, "-m", "toolkit.cli", "brief", "--db", db, "--form", FORM, "--out", str(out)]
    start = time.perf_counter()
    proc = psutil.Popen(args, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):  # a worker ended between listing and measuring
            peak = max(peak, sum(_memory(p) for p in [proc, *proc.children(recursive=True)]) / 1e6)
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        err = proc.stderr.read().decode(errors="replace")[-1500:]
        print(f"  failed in {tree} (exit {proc.returncode}, {elapsed:.0f} s, peak {peak:,.0f} MB):\n{err}")
        return float("nan"), peak
    return elapsed, peak


def _old_tree(rev: str, tmp: Path) -> Path:
    """The project at ``rev`` unpacked into the temp folder (once per revision)."""
    import subprocess

    tree = tmp / f"tree_{rev}"
    if not (tree / "toolkit").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> int:
    import argparse
    import statistics
    import subprocess
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated (default 10000,100000)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size and tree (median quoted)")
    ap.add_argument("--old", default=None, help="also run this earlier commit's code, e.g. 6159b98")
    args = ap.parse_args()
    tmp = Path(tempfile.gettempdir()) / "weidiaoyan-bench"
    tmp.mkdir(exist_ok=True)
    trees = {"new": Path.cwd()}
    if args.old:
        trees[f"old {args.old}"] = _old_tree(args.old, tmp)
    print(f"{'N':>10} {'code':>12} {'wall s':>8} {'peak MB':>9}  (median of {args.repeat})")
    for n in (int(s) for s in args.sizes.split(",")):
        db = tmp / f"brief_{n}.db"
        if not db.exists():
            build = subprocess.run(
                [sys.executable, "-c", _BUILD, str(n), str(db), FORM], capture_output=True, text=True
            )
            sys.stderr.write(build.stderr[-2000:])
            if build.returncode:
                db.unlink(missing_ok=True)
                return 1
        for name, tree in trees.items():
            runs = [_brief(tree, str(db), tmp / f"brief_out_{n}") for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            print(f"{n:>10,} {name:>12} {wall:>8.1f} {peak:>9,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
