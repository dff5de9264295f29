"""Routing macro-F1 on held-out splits of the 5,134 labelled teddy2020c messages (7 一级分类).

    .venv/bin/python benchmarks/topics_routing.py [--splits 5]

Router (default) = word TF-IDF (our jieba tokens + bigrams) and character 1–3-gram TF-IDF, class-balanced
linear SVM + NB-SVM vote. Baseline in the same run = the first version: word unigrams + character
2–3-grams, one linear SVM with C=1. Each split is a stratified 80/20 split with its own seed (the same
splits for both); the texts are tokenised once and shared. Published contest solutions trained on all
9,210 labelled messages reached 0.90–0.91; only 5,134 are available here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import topics_data  # noqa: E402

BASELINE = dict(C=1.0, class_weight=None, word_bigrams=False, char_ngrams=(2, 3), char_min_df=2, nb_svm=False)


def _summary(scores):
    return f"median {statistics.median(scores):.4f} (min {min(scores):.4f}, max {max(scores):.4f})"


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", type=int, default=5)
    args = parser.parse_args(argv)
    if not topics_data.available():
        print("teddy2020c data not found under ../shared: skipped")
        return 0
    from toolkit.topics.routing import Router, evaluate, prepare

    df = topics_data.load_labelled()
    start = time.perf_counter()
    texts = prepare(df["text"])
    print(f"{len(texts)} messages tokenised once in {time.perf_counter() - start:.1f} s")
    scores = {"baseline": [], "router": []}
    for seed in range(args.splits):
        for name, params in (("baseline", BASELINE), ("router", {})):
            start = time.perf_counter()
            result = evaluate(Router(random_state=seed, **params), texts, df["label"], test_size=0.2)
            scores[name].append(result["macro_f1"])
            print(
                f"split seed {seed}  {name:8s}: train {result['n_train']}, test {result['n_test']}, "
                f"macro-F1 {result['macro_f1']:.4f}  ({time.perf_counter() - start:.1f} s)",
                flush=True,
            )
            if seed == 0 and name == "router":
                print(result["report"].round(3).to_string())
    print(f"\nmacro-F1 over {args.splits} splits")
    print(f"  baseline (word + char 2-3 TF-IDF, LinearSVC C=1): {_summary(scores['baseline'])}")
    print(f"  router   (default Router()):                     {_summary(scores['router'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
