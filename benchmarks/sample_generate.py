"""Speed and memory of the sample generator.

Prints rows/s of ``generate_concerns`` for 10k, 100k and 1M rows (median of several runs for the small
sizes, one run for 1M), the peak resident memory of the 1M run (measured in a fresh process so earlier runs
do not count), and responses/s of ``generate_responses`` for the bundled annual form. Baseline in the same
run: a plain per-row f-string composition of the same number of texts, the naive way this could be written.

    .venv/bin/python benchmarks/sample_generate.py            # add --quick to skip the 1M run
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def _baseline(n: int) -> None:
    """Per-row Python: random.choice for each piece, then an f-string."""
    rng = random.Random(0)
    places, says, tails = ["幸福里小区", "东湖路", "桃花村"], ["停车太难了", "路面坑洼", "污水直排"], ["谢谢！", "盼回复。", ""]
    _ = [f"您好，{rng.choice(places)}{rng.choice(says)}。{rng.choice(tails)}" for _ in range(n)]


_PEAK = """
import resource, time, sys
from toolkit.sample import generate_concerns
t = time.perf_counter(); df = generate_concerns({n}); dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, df.memory_usage(deep=True).sum() / 2**20)
"""


def main(quick: bool = False) -> None:
    from toolkit.forms import load_form
    from toolkit.sample import generate_concerns, generate_responses

    generate_concerns(100)  # warm the catalogue cache and imports
    print(f"{'rows':>10}  {'median s':>9}  {'rows/s':>10}  {'baseline rows/s':>16}")
    for n, repeat in ((10_000, 5), (100_000, 3)):
        s = _time(lambda: generate_concerns(n), repeat)
        b = _time(lambda: _baseline(n), repeat)
        print(f"{n:>10,}  {s:>9.3f}  {n / s:>10,.0f}  {n / b:>16,.0f}")
    if not quick:
        n = 1_000_000
        out = subprocess.run([sys.executable, "-c", _PEAK.format(n=n)], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout.split()
        s, rss, frame = (float(x) for x in out)
        b = _time(lambda: _baseline(n), 1)
        print(f"{n:>10,}  {s:>9.3f}  {n / s:>10,.0f}  {n / b:>16,.0f}   (1 run; peak RSS {rss:,.0f} MiB, "
              f"frame {frame:,.0f} MiB)")
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    for n in (1_000, 10_000):
        s = _time(lambda: generate_responses(form, n), 1 if n > 1000 else 3)
        print(f"generate_responses(annual_topics, {n:,}): {s:.2f} s, {n / s:,.0f} responses/s")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
