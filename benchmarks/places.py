"""Place extraction against 330 hand-annotated real letters (teddy2020c 附件4, ids + place strings only).

Places are extracted as the topic model extracts them: over the whole collection (all 2,816 letters of 附件4,
through ``prepare_many``), so names the collection writes with an area suffix elsewhere count when written bare.

    .venv/bin/python benchmarks/places.py [--show 30] [--gold 1,2]

``--gold 1,2`` scores the files rules were developed on, ``--gold 3`` the held-out one; by default all three
are scored together and each on its own.

The gold files ``benchmarks/data/places_gold_{1,2,3}.tsv`` hold ``留言编号<TAB>place|place|…``, annotated by
reading each letter (title + body) with written rules: areas (A市, A3区, 泉塘街道 …), roads, named estates
and facilities count; generic nouns ("小区", "隔壁小区"), organisations and splitting artefacts ("车把路")
do not. The letters' text is read from ../shared at run time, never stored here.

A predicted place is right when it matches a gold place of its letter: equal, or one holds the other
as written or after the area prefix is dropped ("A市丽发新城小区" ~ "丽发新城小区" ~ "丽发新城"; "C市" in
"C市三中"), since what a place is for
the toolkit is the spot, not the exact span. Prints precision (share of predicted places that are real;
target >= 0.95) and recall (share of gold places found; target >= 0.8), for every place and for spots
only (areas left out), plus the predicted places that match nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.append(str(Path(__file__).parent))
import topics_data  # noqa: E402

GOLD = sorted((Path(__file__).parent / "data").glob("places_gold_*.tsv"))
_WS = re.compile(r"[\s\u3000\xa0]+")
_PREFIX = re.compile(r"^(?:[A-Z]?\d*[省市县区])+")


def load_gold(paths=GOLD) -> dict[int, list[str]]:
    gold = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                key, _, places = line.partition("\t")
                gold[int(key)] = [p for p in places.split("|") if p]
    return gold


def letters(ids) -> dict[int, str]:
    import pandas as pd

    d = pd.read_excel(topics_data.ROOT / "Syucryingstar_NLP_tipdm_90f5471/全部数据/附件4.xlsx", engine="calamine")
    if ids is not None:
        d = d[d["留言编号"].isin(set(ids))]
    return {
        int(i): f"{str(t).strip()}。{_WS.sub('', str(b))}"
        for i, t, b in zip(d["留言编号"], d["留言主题"], d["留言详情"])
    }


def core(name: str) -> str:
    return _PREFIX.sub("", name) or name


def matches(a: str, b: str) -> bool:
    if a == b or (len(min(a, b, key=len)) >= 2 and (a in b or b in a)):
        return True
    x, y = core(a), core(b)
    return len(min(x, y, key=len)) >= 2 and (x in y or y in x)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", type=int, default=30)
    parser.add_argument(
        "--gold",
        default="",
        help="gold files to score, e.g. '1,2' (development) or '3' (held out); default all, printed per split too",
    )
    args = parser.parse_args()
    if not topics_data.available() or not GOLD:
        print("skipped: ../shared/data/external/teddy2020c or the gold files not found")
        return 0
    splits = {path.stem.rsplit("_", 1)[-1]: path for path in GOLD}
    chosen = [s.strip() for s in args.gold.split(",") if s.strip()] or list(splits)
    unknown = [s for s in chosen if s not in splits]
    if unknown:
        print(f"--gold: 没有金标准文件 {'、'.join(unknown)}（可选：{'、'.join(splits)}）", file=sys.stderr)
        return 2
    gold = load_gold([splits[s] for s in chosen])
    found = predict(letters(gold))
    wrong, missed = [], []
    groups = [("+".join(chosen), gold)]
    if len(chosen) > 1:  # each file too, so the held-out one reads apart from the ones rules were developed on
        groups += [(s, load_gold([splits[s]])) for s in chosen]
    for name, part in groups:
        stats, w, m = score(part, found)
        if name == groups[0][0]:
            wrong, missed = w, m
        print(f"gold {name}: {len(part)} letters, {stats['all'][3]} gold places")
        for kind, (right, pred, hit, real) in stats.items():
            print(
                f"{kind:>6}: precision {right / max(pred, 1):.3f} ({right}/{pred}) (>= 0.95)   "
                f"recall {hit / max(real, 1):.3f} ({hit}/{real}) (>= 0.8)"
            )
    if args.show:
        print("predicted, not a place of the letter:", "、".join(f"{p}" for _, p in wrong[: args.show]))
        print("missed:", "、".join(f"{g}" for _, g in missed[: args.show]))
    return 0


def predict(text: dict[int, str]) -> dict[int, list[str]]:
    """Places the toolkit extracts from each letter, as the topic model does: in the whole collection (附件4),
    so names it writes with an area suffix elsewhere are learnt."""
    from toolkit.text import prepare_many

    everything = letters(None)
    keys = list(everything)
    places = prepare_many([everything[k] for k in keys], with_places=True, progress=False)[2]
    by_key = dict(zip(keys, places))
    return {key: by_key[key] for key in text}


def score(gold: dict[int, list[str]], found: dict[int, list[str]]):
    """(stats, wrong, missed): stats[kind] = [right predicted, predicted, found gold, gold] for all places and spots."""
    from toolkit.text import is_area

    stats = {"all": [0, 0, 0, 0], "spots": [0, 0, 0, 0]}
    wrong, missed = [], []
    for key, truth in gold.items():
        got = found[key]
        for kind, keep in (("all", lambda p: True), ("spots", lambda p: not is_area(p))):
            pred = [p for p in got if keep(p)]
            real = [g for g in truth if keep(g)]
            s = stats[kind]
            s[0] += sum(any(matches(p, g) for g in truth) for p in pred)
            s[1] += len(pred)
            s[2] += sum(any(matches(p, g) for p in got) for g in real)
            s[3] += len(real)
        wrong += [(key, p) for p in got if not any(matches(p, g) for g in truth)]
        missed += [(key, g) for g in truth if not any(matches(p, g) for p in got)]
    return stats, wrong, missed


if __name__ == "__main__":
    raise SystemExit(main())
