"""How many of 附件3's hottest concrete matters the top of `weidiaoyan rank` holds, per text column.

    .venv/bin/python benchmarks/rank_reference.py [--cols 留言主题 留言详情 留言主题,留言详情] [--seeds 0 1 2] [--show 10]

Reference: ``benchmarks/data/fujian3_hot_matters.json`` — the 17 concrete matters of 附件3 that at least 6
distinct writers (留言用户) raise: one problem at one named place or organisation (丽发新城搅拌站,
伊景园滨河苑车位, 魅力之城油烟噪音, 58车贷, 五矿万境K9县交房质量 …); several problems at one estate are
separate matters, a kind shared by different places (麻将馆, 实验中学, 地铁施工) is none. Built without this
toolkit and audited independently of its output: every named place, estate, road, school, company and
platform in 留言主题 and 留言详情 with >= 6 writers (regex and n-gram counts, text-similarity groups, the
4,326 subject lines sorted by their leading place), then those letters read to decide the matter; each holds
the ids of every letter about it and ``n_writers``. Matters just below the rule (5 writers, e.g.
月亮岛路110kV高压线, 湖楚财富, 江山帝景新房安全隐患) are left out. The file counts 留言用户 as given: the
data has a few identical letters under different users. A candidate *is* a matter when most of its
messages are that matter's letters. Prints, per text column: precision@10 (share of the top 10 that are a
reference matter, each matter once — a matter split over two candidates is one hit; target >= 0.8) and how many distinct matters the top 10 and top 20 hold, per seed (the first
seed's top 10 listed), then the mean precision@10 and top-20 count over the seeds: one seed's top 10 moves by
a matter or two when a cluster shifts, so a single run says little.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared/data/external/teddy2020c/Syucryingstar_NLP_tipdm_90f5471/全部数据/附件3.xlsx"
REFERENCE = HERE / "data" / "fujian3_hot_matters.json"
ARGS = dict(
    id_col="留言编号", time_col="留言时间", likes_col="点赞数", dislikes_col="反对数", respondent_col="留言用户"
)


def matter_of(members, reference) -> dict:
    """Candidate id -> index of the reference matter most of its messages belong to (or None)."""
    of_id = {int(i): m for m, matter in enumerate(reference) for i in matter["ids"]}
    out = {}
    for cand, ids in members.groupby(members.columns[1])["id"]:
        votes = Counter(of_id.get(int(i)) for i in ids)
        best, n = votes.most_common(1)[0]
        out[cand] = best if best is not None and n / len(ids) >= 0.5 else None
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", nargs="+", default=["留言主题", "留言详情", "留言主题,留言详情"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return 0
    from toolkit.workflows import rank_file

    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    print(f"reference: {len(reference)} matters, {sum(len(m['ids']) for m in reference)} letters")
    summary = []
    for col in args.cols:
        per_seed = []
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                run = rank_file(DATA, text_col=col, out=Path(tmp) / "r", progress=False, random_state=seed, **ARGS)
                took = time.perf_counter() - start
            cands = run.candidates
            key = cands.columns[1]
            of = matter_of(run.members, reference)
            hits = [of.get(c) for c in cands[key]]
            in10, in20 = len({h for h in hits[:10] if h is not None}), len({h for h in hits[:20] if h is not None})
            p10 = in10 / 10  # a matter listed twice is one hit: the second is a defect, not a find
            per_seed.append((p10, in10, in20))
            print(
                f"\n--text-col {col} seed {seed}: precision@10 {p10:.1f} (>= 0.8)  matters in top 10: {in10}  "
                f"in top 20: {in20} of {len(reference)}  ({took:.1f} s)"
            )
            if seed != args.seeds[0]:
                continue  # the list of the first seed only
            for row, h in list(zip(cands.itertuples(index=False), hits))[: args.show]:
                mark = f"= {reference[h]['matter']}" if h is not None else "  (not in reference)"
                anchor = f" [{row.anchor} {row.anchor_share:.0%}]" if getattr(row, "anchor", "") else ""
                print(f"  {row.rank:>2}. {row.label}｜{row.n_voices}人 {row.n_messages}条{anchor} {mark}")
            ranks = {h: r + 1 for r, h in reversed(list(enumerate(hits))) if h is not None}
            print(
                "  reference matters at rank: "
                + "，".join(f"{m['matter'][:8]} {ranks.get(i, '-')}" for i, m in enumerate(reference))
            )
        summary.append((col, per_seed))
    # one seed's top 10 moves by a matter or two when a cluster shifts: the mean over seeds is the measure
    print(f"\nover seeds {' '.join(map(str, args.seeds))}:")
    for col, per_seed in summary:
        p10s = " ".join(f"{p:.1f}" for p, _, _ in per_seed)
        print(
            f"  {col}: precision@10 {p10s}, mean {statistics.mean(p for p, _, _ in per_seed):.2f} (>= 0.8); "
            f"matters in top 20 mean {statistics.mean(n for _, _, n in per_seed):.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
