"""Cost of the one output policy (``toolkit.outputs``: mask personal data, neutralise formula-like cells).

Prints seconds for writing the same frame with plain ``DataFrame.to_csv`` and with ``write_csv``, for an
``assignments.csv``-like frame (id, topic_id, theme_id, similarity, reason) and a letters frame (id, time,
text with phone numbers, likes), 100k rows each (median of 3); then the 热点问题留言明细表-sized xlsx
(20k letters) with ``write_xlsx``. Synthetic data from ``toolkit.sample``; nothing is downloaded.

    .venv/bin/python benchmarks/outputs_speed.py            # --rows N to change the CSV size
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _median(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    import numpy as np
    import pandas as pd

    from toolkit.office import write_xlsx
    from toolkit.outputs import write_csv
    from toolkit.sample import generate_concerns

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(0)
    letters = generate_concerns(rows, seed=0)[["id", "submitted_at", "text", "likes"]]
    letters["text"] = [f"={t}" if i % 50 == 0 else t for i, t in enumerate(letters["text"])]
    assignments = pd.DataFrame(
        {
            "id": letters["id"],
            "topic_id": rng.integers(-1, 300, rows),
            "theme_id": rng.integers(-1, 12, rows),
            "similarity": rng.random(rows).round(4),
            "reason": rng.choice(["", "与任何议题都不相似（孤立的关切）"], rows),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"{'frame':<22}{'rows':>9}{'to_csv s':>11}{'write_csv s':>13}{'ratio':>8}")
        for name, frame in (("assignments", assignments), ("letters (text)", letters)):
            plain = _median(lambda frame=frame: frame.to_csv(out / "p.csv", index=False, encoding="utf-8-sig"))
            safe = _median(lambda frame=frame: write_csv(frame, out / "s.csv"))
            print(f"{name:<22}{rows:>9,}{plain:>11.2f}{safe:>13.2f}{safe / plain:>8.1f}")
        small = letters.head(20_000)
        t = _median(lambda: write_xlsx({"明细": small}, out / "d.xlsx"), repeat=1)
        print(f"write_xlsx 明细表-like  {len(small):>9,} rows {t:.2f} s")


if __name__ == "__main__":
    main()
