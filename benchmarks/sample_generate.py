"""Speed and memory of the sample generator.

Prints rows/s of ``generate_concerns`` for 10k, 100k and 1M rows (median of several runs for the small
sizes, one run for 1M), the peak resident memory of the 1M run (measured in a fresh process so earlier runs
do not count), and responses/s of ``generate_responses`` for the bundled annual form. Baseline in the same
run: the naive way, per-row ``random.choice`` over the same pieces joined by an f-string (text column only).

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
    """The naive way: per row, random.choice of each piece of the same catalogue, then an f-string (text only)."""
    from toolkit.sample.catalogue import catalogue

    cat = catalogue(0, 669.0)
    rng = random.Random(0)
    weights = cat.issue_weight.tolist()
    bodies = [cat.body[0][o : o + k].tolist() for o, k in zip(cat.body[1], cat.body[2])]
    greeting, tail, closing = cat.greeting.tolist(), cat.tail.tolist(), cat.closing.tolist()
    detail = cat.detail[0].tolist()
    issues = rng.choices(range(len(weights)), weights, k=n)
    _ = [
        f"{rng.choice(greeting)}{rng.choice(bodies[i])}{rng.choice(tail)}{rng.choice(detail)}{rng.choice(closing)}"
        for i in issues
    ]


_PEAK = """
import resource, time, sys
from toolkit.sample import generate_concerns
t, c = time.perf_counter(), time.process_time(); df = generate_concerns({n}); dt = time.perf_counter() - t
print(dt, time.process_time() - c, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, sum(sys.getsizeof(t) for t in df["text"]) / 2**20)
"""


def main(quick: bool = False) -> None:
    from toolkit.forms import load_form
    from toolkit.sample import generate_concerns, generate_responses

    generate_concerns(100)  # warm the catalogue cache and imports
    print("generate_concerns (all 17 columns) vs baseline (per-row random.choice + f-string, text column only)")
    print(f"{'rows':>10}  {'median s':>9}  {'rows/s':>10}  {'baseline rows/s':>16}")
    for n, repeat in ((10_000, 5), (100_000, 3)):
        s = _time(lambda n=n: generate_concerns(n), repeat)
        b = _time(lambda n=n: _baseline(n), repeat)
        print(f"{n:>10,}  {s:>9.3f}  {n / s:>10,.0f}  {n / b:>16,.0f}")
    if not quick:
        n = 1_000_000
        out = subprocess.run(
            [sys.executable, "-c", _PEAK.format(n=n)], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.split()
        s, cpu, rss, frame = (float(x) for x in out)
        b = _time(lambda: _baseline(n), 1)
        print(
            f"{n:>10,}  {s:>9.3f}  {n / s:>10,.0f}  {n / b:>16,.0f}   (1 run, CPU {cpu:.1f} s; peak RSS {rss:,.0f} MiB, "
            f"of which texts {frame:,.0f} MiB)"
        )
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    for n in (1_000, 10_000):
        s = _time(lambda n=n: generate_responses(form, n), 1 if n > 1000 else 3)
        print(f"generate_responses(annual_topics, {n:,}): {s:.2f} s, {n / s:,.0f} responses/s")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
