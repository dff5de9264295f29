"""Issue labels, issue purity and theme NMI on the 5,134 labelled teddy2020c messages (7 一级分类).

    .venv/bin/python benchmarks/topics_labels.py [--seeds 0 1 2] [--largest 20] [--show 20]

For the ``--largest`` issues (by texts), per seed:
  coverage   share of the issue's texts containing at least half of its label's content words
             (words of >= 2 characters as the toolkit's tokenizer cuts the label); median over the issues
  words      the smallest number of content words in any of those labels (target >= 2)
  purity     share of the issue's texts in its modal 一级分类; median over the issues
  mixed      issues marked as mixed (``reason``) among them
and theme NMI against the 一级分类 over all texts (also per seed and their mean). Targets (issue 10): coverage >= 0.6, words >= 2,
purity >= 0.9, NMI >= 0.55. ``--show`` prints the labels of the first seed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.append(str(Path(__file__).parent))
import topics_data  # noqa: E402


def label_words(label: str) -> list[str]:
    from toolkit.text import normalize, tokenize

    return [w for w in dict.fromkeys(tokenize(normalize(label))) if len(w) >= 2]


def coverage(label: str, texts: list[str]) -> float:
    words = label_words(label)
    if not words:
        return 0.0
    need = (len(words) + 1) // 2
    return float(np.mean([sum(w in t for w in words) >= need for t in texts]))


def run(df, seed: int, largest: int):
    from toolkit.text import normalize
    from toolkit.topics import TopicModel

    start = time.perf_counter()
    model = TopicModel(themes=7, random_state=seed, progress=False).fit(df["text"].tolist())
    took = time.perf_counter() - start
    a = model.assignments_
    topics = (
        model.topics_[model.topics_["topic_id"] >= 0]
        .sort_values(["n_texts", "topic_id"], ascending=[False, True])
        .head(largest)
    )
    norm = [normalize(t).lower() for t in df["text"]]
    rows = []
    for t in topics.itertuples():
        idx = np.flatnonzero(a["topic_id"].to_numpy() == t.topic_id)
        labels = df["label"].to_numpy()[idx]
        _, counts = np.unique(labels, return_counts=True)
        rows.append(
            {
                "topic_id": t.topic_id,
                "label": t.label,
                "n": len(idx),
                "coverage": coverage(t.label, [norm[i] for i in idx]),
                "words": len(label_words(t.label)),
                "purity": counts.max() / len(idx),
                "mixed": bool(getattr(t, "reason", "")),
            }
        )
    nmi = normalized_mutual_info_score(df["label"], a["theme_id"])
    themes = model.themes_["label"].tolist()
    return rows, nmi, took, themes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--largest", type=int, default=20)
    parser.add_argument("--show", type=int, default=20)
    args = parser.parse_args()
    if not topics_data.available():
        print("skipped: ../shared/data/external/teddy2020c not found")
        return 0
    df = topics_data.load_labelled()
    print(f"{len(df)} labelled messages, themes=7, {args.largest} largest issues")
    print("seed  coverage  min_words  purity  mixed  theme_NMI  fit_s")
    summary = []
    for k, seed in enumerate(args.seeds):
        rows, nmi, took, themes = run(df, seed, args.largest)
        cov = statistics.median(r["coverage"] for r in rows)
        pur = statistics.median(r["purity"] for r in rows)
        words = min(r["words"] for r in rows)
        mixed = sum(r["mixed"] for r in rows)
        summary.append((cov, words, pur, nmi))
        print(f"{seed:>4}  {cov:8.3f}  {words:9d}  {pur:6.3f}  {mixed:5d}  {nmi:9.3f}  {took:5.1f}")
        if k == 0 and args.show:
            for r in rows[: args.show]:
                print(
                    f"    #{r['topic_id']:<4} n={r['n']:<4} cov={r['coverage']:.2f} pur={r['purity']:.2f}"
                    f"{' 混杂' if r['mixed'] else ''}  {r['label']}"
                )
            print("    themes: " + " | ".join(themes))
    cols = list(zip(*summary))
    print(
        f"median  coverage {statistics.median(cols[0]):.3f} (>= 0.6)  min words {min(cols[1])} (>= 2)  "
        f"purity {statistics.median(cols[2]):.3f} (>= 0.9)  theme NMI {statistics.median(cols[3]):.3f} (>= 0.55)"
    )
    print(f"theme NMI per seed {' '.join(f'{v:.3f}' for v in cols[3])}, mean {statistics.mean(cols[3]):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
