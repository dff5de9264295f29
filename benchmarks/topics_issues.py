"""Issue quality (fine level) against the sample generator's true issues, at several sizes.

    .venv/bin/python benchmarks/topics_issues.py [--sizes 600 2000 10000] [--seeds 0 1 2]

Per run: issue NMI and ARI (texts the generator gave a true issue), how many issues were found
against how many true issues have ≥ 2 texts, the share left in 未归类, **purity** of the ten
largest issues (mean share of their biggest true issue; 1.0 = each is one matter), **split**: of
the ten largest true issues, how many found issues it takes to cover 80 % of its texts
(1.0 = each matter is one issue), and fit seconds. Medians over seeds are printed last.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def top_purity(found: pd.Series, truth: pd.Series, top: int = 10) -> float:
    assigned = found >= 0
    largest = found[assigned].value_counts().index[:top]
    return float(np.mean([truth[found == t].value_counts(normalize=True).iloc[0] for t in largest]))


def top_split(found: pd.Series, truth: pd.Series, top: int = 10, cover: float = 0.8) -> float:
    parts = []
    for issue in truth.value_counts().index[:top]:
        share = found[truth == issue].value_counts(normalize=True)
        parts.append(int(np.searchsorted(share.cumsum().to_numpy(), cover) + 1))
    return float(np.mean(parts))


def evaluate(n: int, seed: int) -> dict:
    from toolkit.sample import generate_concerns
    from toolkit.topics import TopicModel

    data = generate_concerns(n, seed=seed)
    start = time.perf_counter()
    model = TopicModel(random_state=0, progress=False).fit(
        data["text"], ids=data["id"], times=data["submitted_at"], respondents=data["respondent"]
    )
    secs = time.perf_counter() - start
    found = model.assignments_["topic_id"].reset_index(drop=True)
    truth = data["issue"].reset_index(drop=True)
    known = truth.notna()
    counts = truth[known].value_counts()
    return {
        "n": n,
        "seed": seed,
        "NMI": normalized_mutual_info_score(truth[known], found[known]),
        "ARI": adjusted_rand_score(truth[known], found[known]),
        "issues": int((model.topics_["topic_id"] >= 0).sum()),
        "true": int((counts >= 2).sum()),
        "unassigned": float((found < 0).mean()),
        "purity10": top_purity(found[known], truth[known]),
        "split10": top_split(found[known], truth[known]),
        "secs": secs,
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[600, 2000, 10_000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        for seed in args.seeds:
            rows.append(evaluate(n, seed))
            r = rows[-1]
            print(
                f"n={n:>7,d} seed={seed}  NMI {r['NMI']:.3f}  ARI {r['ARI']:.3f}  issues {r['issues']:>5d} "
                f"(true {r['true']:>3d})  未归类 {r['unassigned']:.1%}  purity10 {r['purity10']:.2f}  "
                f"split10 {r['split10']:.1f}  {r['secs']:.1f} s",
                flush=True,
            )
    table = pd.DataFrame(rows).groupby("n").median(numeric_only=True).drop(columns="seed")
    print("\nmedians over seeds\n" + table.round(3).to_string())


if __name__ == "__main__":
    main()
