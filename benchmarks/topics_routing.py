"""Routing macro-F1 on held-out splits of the 5,134 labelled teddy2020c messages (7 一级分类).

    .venv/bin/python benchmarks/topics_routing.py [--splits 5]

Router = word TF-IDF (our jieba tokens) + character 2–3-gram TF-IDF → linear SVM. Each split is a
stratified 80/20 split with its own seed; the table shows every split and the median. Published
contest solutions trained on all 9,210 labelled messages reached 0.90–0.91; only 5,134 are available here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import topics_data  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", type=int, default=5)
    args = parser.parse_args(argv)
    if not topics_data.available():
        print("teddy2020c data not found under ../shared: skipped")
        return 0
    from toolkit.topics.routing import Router

    df = topics_data.load_labelled()
    scores = []
    for seed in range(args.splits):
        start = time.perf_counter()
        result = Router(random_state=seed).evaluate(df["text"], df["label"], test_size=0.2)
        scores.append(result["macro_f1"])
        print(f"split seed {seed}: train {result['n_train']}, test {result['n_test']}, "
              f"macro-F1 {result['macro_f1']:.4f}  ({time.perf_counter() - start:.1f} s)", flush=True)
        if seed == 0:
            print(result["report"].round(3).to_string())
    print(f"\nmedian macro-F1 over {args.splits} splits: {statistics.median(scores):.4f} "
          f"(min {min(scores):.4f}, max {max(scores):.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
