"""The factors of a candidate's score: each a raw, readable number and a normalised value in [0, 1].

Every function takes the messages of all candidates (one row per message, canonical columns below, plus
``group`` = the candidate's id) and returns one row per group. Raw values explain; normalised values add up.

Canonical message columns: ``id``, ``text``, ``time`` (datetime), and optionally ``respondent``,
``dup_group`` (near-duplicate group key, None/-1 = none), ``similarity`` (cosine to the issue centre), ``likes``, ``dislikes``, ``sector``, ``district``,
``priority`` (Likert priority answer scaled to [0, 1]).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.text import same_spot

FACTORS = ("volume", "breadth", "recency", "growth", "intensity", "alignment", "concreteness")
FACTOR_NAMES = {  # shown in tables, charts and the weights widget
    "volume": "规模",
    "breadth": "广度",
    "recency": "时效",
    "growth": "增势",
    "intensity": "强度",
    "alignment": "契合",
    "concreteness": "具体",
}
_DATA = Path(__file__).parent
COHESIVE = 0.3  # mean pairwise character similarity at which a candidate is clearly one matter
CONCRETE = 0.5  # concreteness from which a candidate counts as a concrete matter (listed before the rest)


def read_word_list(path) -> list[str]:
    """Words of a one-per-line list file; '#' lines are comments."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


def load_keywords(keywords) -> list[str]:
    """Keywords from a list, a comma-separated string, or a one-per-line file."""
    if keywords is None:
        return []
    if isinstance(keywords, (list, tuple)):
        return [str(k).strip() for k in keywords if str(k).strip()]
    text = str(keywords)
    if Path(text).is_file():
        return read_word_list(text)
    return [k.strip() for k in text.replace("，", ",").split(",") if k.strip()]


@lru_cache(maxsize=1)
def urgent_words() -> tuple[str, ...]:
    """Urgency and safety words shipped with the toolkit (``urgent_words.txt``)."""
    return tuple(read_word_list(_DATA / "urgent_words.txt"))


@lru_cache(maxsize=1)
def example_central_work() -> tuple[str, ...]:
    """An example 党政中心工作 keyword list (``central_work.txt``); staff should supply this year's."""
    return tuple(read_word_list(_DATA / "central_work.txt"))


def log_scale(values: pd.Series) -> pd.Series:
    """log(1+x) / log(1+max): heavy-tailed counts to [0, 1], the largest at 1."""
    values = values.astype(float).clip(lower=0)
    top = values.max()
    if not top or not np.isfinite(top):
        return values * 0.0
    return np.log1p(values) / math.log1p(top)


def _contains_any(texts: pd.Series, words) -> pd.Series:
    words = [w for w in words if w]
    if not words:
        return pd.Series(False, index=texts.index)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    return texts.fillna("").map(lambda t: bool(pattern.search(t)))


# Rows of a candidate compared with all its voices at once when looking for copied letters.
VOICE_BLOCK = 512
# Texts shorter than this (characters, blanks left out) are never taken for copies of one another: two residents
# writing "停车难" or "泉星公园何时开工" are two voices; a letter of a few sentences is not written twice by chance.
COPY_CHARS = 30


class _Union:
    """Union-find over row positions; a set is named by its smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def letters(msgs: pd.DataFrame, X=None, near: float = 0.9) -> pd.Series:
    """A letter id per message: messages with the same wording, marked near-duplicates by the topic model
    (``dup_group``), or — with ``X``, the character vectors of ``toolkit.agenda.textsim`` — whose openings are
    ≥ ``near`` alike within one candidate are one letter, written once and copied. Only texts of ``COPY_CHARS``
    or more are copies: short answers and subject lines coincide by chance."""
    n = len(msgs)
    sets = _Union(n)
    wording = ["".join(t.split()) if isinstance(t, str) else "" for t in msgs["text"]]  # blanks left out
    copyable = np.array([len(w) >= COPY_CHARS for w in wording], dtype=bool)
    keys = [wording]
    if "dup_group" in msgs:  # TopicModel.assignments_["duplicate_of"]: id of the group's first text, or None
        keys.append(["" if pd.isna(v) or str(v) == "-1" else f"d:{v}" for v in msgs["dup_group"]])
    for key in keys:
        first: dict[str, int] = {}
        for i, k in enumerate(key):
            if k and copyable[i]:
                sets.union(i, first.setdefault(k, i))
    if X is not None and "group" in msgs and n:
        rows = pd.Series(np.arange(n))[copyable]
        for idx in rows.groupby(msgs["group"].to_numpy()[copyable]).indices.values():
            idx = rows.to_numpy()[idx]
            # one message per letter found so far (copies are many: a campaign, a repost), compared a block of
            # rows at a time: memory stays bounded however large the candidate
            first_of: dict[int, int] = {}
            for i in idx:
                first_of.setdefault(sets.find(int(i)), int(i))
            reps = np.asarray(sorted(first_of.values()), dtype=int)
            for start in range(0, len(reps), VOICE_BLOCK):
                block = reps[start : start + VOICE_BLOCK]
                S = (X[block] @ X[reps].T).tocoo()
                hit = S.data >= near
                for a, b in zip(S.row[hit], S.col[hit]):
                    sets.union(int(block[a]), int(reps[b]))
    return pd.Series([sets.find(i) for i in range(n)], index=msgs.index)


def voices(msgs: pd.DataFrame, X=None, near: float = 0.9, letter: pd.Series | None = None) -> pd.Series:
    """A voice id per message: one person, however many messages, is one voice.

    With a ``respondent`` column, each respondent is a voice, and respondents who sent the same letter
    (:func:`letters`; ``letter`` when already computed) are as many voices: a letter that 17 residents of one
    estate sign and post is 17 people asking (how many of them is ``n_same_text``, shown beside). A copy
    whose writer is not known is no new voice: it may be a repost or a paper form entered twice.
    """
    letter = letters(msgs, X, near) if letter is None else letter
    n = len(msgs)
    if len(letter) != n:
        raise ValueError("letter must hold one id per message")
    lab = letter.to_numpy()
    group = msgs["group"].to_numpy() if "group" in msgs else np.zeros(n, dtype=int)
    sets = _Union(n)
    known = np.zeros(n, dtype=bool)
    if "respondent" in msgs:
        who = ["" if pd.isna(v) or v == "" else str(v) for v in msgs["respondent"]]
        known = np.array([bool(w) for w in who], dtype=bool)
        first: dict[str, int] = {}
        for i, w in enumerate(who):
            if w:
                sets.union(i, first.setdefault(w, i))
    # in each candidate, a letter's first message with a known writer (else its first message) stands for it
    rep: dict[tuple, int] = {}
    for k in np.lexsort((np.arange(n), ~known)):
        rep.setdefault((group[k], lab[k]), int(k))
    for u in np.flatnonzero(~known):
        sets.union(int(u), rep[(group[u], lab[u])])
    return pd.Series([sets.find(i) for i in range(n)], index=msgs.index)


def same_text(msgs: pd.DataFrame) -> pd.Series:
    """Per candidate, the voices whose letter another voice of it sent too (``voice`` and ``letter`` columns)."""
    pairs = msgs[["group", "letter", "voice"]].drop_duplicates()
    shared = pairs.groupby(["group", "letter"])["voice"].transform("size") >= 2
    return pairs[shared].groupby("group")["voice"].nunique()


def volume(msgs: pd.DataFrame) -> pd.DataFrame:
    """Distinct voices per candidate (respondents; one person's repeats and copies by unknown writers once) and,
    with a ``letter`` column, ``n_same_text``: how many of them sent a letter another of them sent too.

    Uses the ``voice`` column when present (see ``voices``), else computes it without character vectors.
    """
    voice = msgs["voice"] if "voice" in msgs else voices(msgs)
    out = pd.DataFrame(
        {
            "n_messages": msgs.groupby("group").size(),
            "n_voices": voice.groupby(msgs["group"]).nunique(),
        }
    )
    if "respondent" in msgs:
        out["n_respondents"] = msgs.groupby("group")["respondent"].nunique()
    if "letter" in msgs:
        out["n_same_text"] = same_text(msgs).reindex(out.index).fillna(0).astype(int)
    out["volume"] = log_scale(out["n_voices"])
    return out


def breadth(msgs: pd.DataFrame) -> pd.DataFrame | None:
    """Share of all 界别 and of all 镇街 in the data that raised the candidate (mean of those available)."""
    parts = {}
    for col, raw in (("sector", "n_sectors"), ("district", "n_districts")):
        if col in msgs and msgs[col].notna().any():
            total = msgs[col].nunique()
            parts[raw] = msgs.groupby("group")[col].nunique()
            parts[raw + "_share"] = parts[raw] / max(total, 1)
    if not parts:
        return None
    out = pd.DataFrame(parts)
    out["breadth"] = out[[c for c in out if c.endswith("_share")]].mean(axis=1)
    return out.drop(columns=[c for c in out if c.endswith("_share")])


def recency_growth(msgs: pd.DataFrame, now: pd.Timestamp, window_days: float) -> pd.DataFrame | None:
    """Recency: half-life decay of the median message age. Growth: last window vs the window before."""
    times = pd.to_datetime(msgs["time"], errors="coerce")
    if times.isna().all():
        return None
    age = (now - times).dt.total_seconds() / 86400.0
    grouped = age.groupby(msgs["group"])
    recent = (age <= window_days).groupby(msgs["group"]).sum()
    before = ((age > window_days) & (age <= 2 * window_days)).groupby(msgs["group"]).sum()
    out = pd.DataFrame(
        {
            "median_age_days": grouped.median().round(1),
            "n_recent": recent.astype(int),
            "n_before": before.astype(int),
        }
    )
    out["recency"] = 0.5 ** (out["median_age_days"].clip(lower=0) / window_days)
    total = out["n_recent"] + out["n_before"]
    # (recent - before) / (recent + before) in [-1, 1] -> [0, 1]; no messages in either window = no growth.
    out["growth"] = np.where(total > 0, (out["n_recent"] - out["n_before"]) / total.where(total > 0, 1) / 2 + 0.5, 0.0)
    out["recency"] = out["recency"].fillna(0.0)
    return out


def intensity(msgs: pd.DataFrame, urgent: tuple[str, ...]) -> pd.DataFrame:
    """Mean of the available signals: share with urgent/safety words, likes, dislikes, Likert priority."""
    group = msgs["group"]
    out = pd.DataFrame({"urgent_share": _contains_any(msgs["text"], urgent).groupby(group).mean()})
    parts = ["urgent_share"]
    for col in ("likes", "dislikes"):
        if col in msgs and msgs[col].notna().any():
            out[col] = pd.to_numeric(msgs[col], errors="coerce").fillna(0).groupby(group).sum().astype(int)
            out[col + "_scaled"] = log_scale(out[col])
            parts.append(col + "_scaled")
    if "priority" in msgs and msgs["priority"].notna().any():
        out["priority"] = pd.to_numeric(msgs["priority"], errors="coerce").groupby(group).mean()
        parts.append("priority")
    out["intensity"] = out[parts].mean(axis=1, skipna=True).fillna(0.0)
    return out.drop(columns=[c for c in out if c.endswith("_scaled")])


def alignment(msgs: pd.DataFrame, keywords) -> pd.DataFrame | None:
    """Share of messages naming a 党政中心工作 keyword, and the keywords named most."""
    keywords = [k for k in dict.fromkeys(keywords or []) if k]
    if not keywords:
        return None
    texts = msgs["text"].fillna("")
    hit = _contains_any(texts, keywords)
    matched = {}
    for group, sub in texts.groupby(msgs["group"]):
        counts = [(sub.str.contains(k, regex=False).sum(), k) for k in keywords]
        top = [k for c, k in sorted(counts, key=lambda x: (-x[0], keywords.index(x[1]))) if c > 0][:3]
        matched[group] = "、".join(top)
    out = pd.DataFrame({"alignment": hit.groupby(msgs["group"]).mean()})
    out["aligned_keywords"] = pd.Series(matched)
    return out


def specificity(texts: pd.Series, terms) -> dict[str, float]:
    """IDF of each term (place or keyword) over all messages, scaled to [0, 1].

    "A市" or "物业" (named everywhere) score ~0; "丽发新城小区" or "搅拌站" score 0.5+. A candidate
    concentrated on a term everyone uses is not concrete; one on a single 小区 or matter is.
    """
    # plain `in` on a list is ~20x faster than str.contains per term; the opening names the place and matter
    docs = texts.fillna("").astype(str).str.slice(0, 200).tolist()
    n = max(len(docs), 2)
    out = {}
    for term in sorted({t for t in terms if t}):
        df = sum(1 for d in docs if term in d)
        out[term] = float(np.clip(math.log(n / max(df, 1)) / math.log(n), 0.0, 1.0))
    return out


def focus(msgs: pd.DataFrame, places: pd.Series, keywords: pd.Series, specific: dict[str, float]) -> pd.DataFrame:
    """The candidate's most telling term — a place or top keyword that is rare overall but named by many of
    its messages (max of share × specificity) — for explanations such as 95%提到“丽发新城”."""
    rows = {}
    texts = msgs["text"].fillna("").astype(str)
    for group, sub in texts.groupby(msgs["group"]):
        best, best_share, best_score = "", 0.0, 0.0
        docs = sub.tolist()
        # one-character words (不, 路) are grammar or too vague to name a matter
        terms = [t for t in [*as_list(places.get(group)), *as_list(keywords.get(group))[:3]] if len(t) >= 2]
        for term in terms:
            share = sum(1 for d in docs if term in d) / len(docs)
            score = share * specific.get(term, 0.0)
            if score > best_score + 1e-12:
                best, best_share, best_score = term, share, score
        rows[group] = {"focus_term": best, "focus_share": round(best_share, 3)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["focus_term", "focus_share"])


# Places that name an area rather than a spot (A市, A7县, 泉塘街道, 青石镇) say nothing about concreteness;
# 小区 / 社区 / 园区 … end in 区 but are spots.
PLACE_CHARS = 120  # the spot is named in the title or first sentence


def spots(texts: pd.Series) -> list[set[str]]:
    """Spots (小区, 路, 学校 …; see :mod:`toolkit.text.spots`) named early in each text."""
    from toolkit.text import cut, extract_places, spot_names

    cache: dict[str, set[str]] = {}
    out = []
    for text in texts.fillna("").astype(str):
        head = text[:PLACE_CHARS]
        if head not in cache:
            cache[head] = spot_names(extract_places(cut(head)))
        out.append(cache[head])
    return out


def _first_per_voice(msgs: pd.DataFrame) -> np.ndarray:
    """Mask of one message per voice within each candidate (a voice may speak to several candidates)."""
    if "voice" not in msgs:
        return np.ones(len(msgs), dtype=bool)
    return ~msgs[["group", "voice"]].duplicated().to_numpy()


def place_focus(msgs: pd.DataFrame, min_placed: int = 4) -> pd.DataFrame:
    """Share of the candidate's voices naming a spot that name its most-named spot.

    ``place_focus`` is that share when at least ``min_placed`` voices name a spot, else 1 (no evidence of
    spread: policy matters name no spot). A bag of "安全隐患" letters about ten different 小区 scores ~0.2.
    """
    sub = msgs[_first_per_voice(msgs)]
    named = sub["spots"] if "spots" in sub else pd.Series(spots(sub["text"]), index=sub.index)
    rows = {}
    for group, places in named.groupby(sub["group"].to_numpy()):
        placed = [p for p in places if p]
        counts = pd.Series([p for s in placed for p in sorted(s)], dtype=object).value_counts()
        top, share = "", 0.0
        for name in counts.index[:5]:  # a voice names the spot if one name holds the other ("投诉武广新城")
            hits = sum(1 for s in placed if any(same_spot(name, p) for p in s))
            if hits / len(placed) > share + 1e-12:
                top, share = name, hits / len(placed)
        rows[group] = {
            "n_placed": len(placed),
            "top_place": top,
            "top_place_share": round(share, 3),
            "place_focus": share if len(placed) >= min_placed else 1.0,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def same_place(focus: pd.DataFrame, min_placed: int = 4, min_share: float = 0.6) -> pd.Series:
    """Map group -> merged group for candidates concentrated on one spot (``place_focus`` table): the same
    小区 or 路段 named by most of their voices is one matter for a consultation, however it was worded."""
    firm = focus[(focus["n_placed"] >= min_placed) & (focus["top_place_share"] >= min_share)]
    mapping = pd.Series(focus.index, index=focus.index)
    names = list(firm["top_place"].items())
    for i, (group, name) in enumerate(names):
        for other, other_name in names[:i]:
            if name and other_name and same_spot(name, other_name):
                mapping[mapping == mapping[group]] = mapping[other]
                break
    return mapping


def concreteness(msgs: pd.DataFrame, X) -> pd.DataFrame:
    """One matter at one place: ``max(min(1, cohesion / COHESIVE), one_spot) × place_focus``.

    ``cohesion`` is the mean pairwise character similarity of the candidate's voices: ~0.01–0.07 for broad
    buckets ("各区道路"), 0.12–0.2 for one matter in people's own words, 0.3+ for near-copies, so dividing
    by ``COHESIVE`` makes "clearly one matter" score 1 without rewarding copied letters beyond that.
    ``place_focus`` (see above) catches letters that share wording but not a place ("…存在安全隐患").
    ``one_spot`` is ``place_focus`` when most of at least ``ONE_SPOT_MIN_VOICES`` voices name one spot (else 0):
    letters in people's own words about one estate are one matter however differently they are worded.
    """
    from toolkit.agenda.textsim import cohesion

    # one message per voice: a copied letter must not make a candidate look like one matter
    rows = np.flatnonzero(_first_per_voice(msgs))
    coh = cohesion(X[rows], msgs["group"].to_numpy()[rows], msgs["text"].fillna("").iloc[rows])
    coh = coh.reindex(pd.unique(msgs["group"]), fill_value=0.0)
    out = place_focus(msgs).reindex(coh.index)
    out.insert(0, "cohesion", coh.round(4))
    focus = out["place_focus"].fillna(1.0)
    one_spot = focus.where(is_one_spot(out), 0.0)
    out["concreteness"] = np.maximum(np.minimum(1.0, coh / COHESIVE), one_spot) * focus
    return out


# An issue is a concrete matter when most of its voices name its anchor (see toolkit.topics.anchor); a road, which
# runs for kilometres, when three in four do.
ANCHORED = 0.5
ROAD_ANCHORED = 0.75


def anchored(anchor_share: pd.Series, anchor: pd.Series, focus: pd.Series | None = None) -> pd.Series:
    """Concreteness from the topic model's ``anchor_share``: 小切口 is one matter at one spot or of one named thing,
    so an issue is as concrete as the share of its voices naming the same one, scaled so that it reaches
    ``CONCRETE`` where most of them do (``ANCHORED``; ``ROAD_ANCHORED`` for a road) and 1 where all do. An issue
    whose anchor is named by a minority of its voices is a bag that happens to hold some letters about one spot;
    a policy matter or a bag of letters about ten different schools names none and is broad, however alike its
    wording. With ``focus`` (:func:`matter_focus`), letters that share the place and nothing else (施工,
    幼儿园学位, 违建 at one estate) count as concrete only as far as they share a matter there."""
    from toolkit.text import is_road

    need = np.where([is_road(a) for a in anchor.fillna("").astype(str)], ROAD_ANCHORED, ANCHORED)
    share = anchor_share.fillna(0.0).astype(float).clip(0.0, 1.0)
    # linear in two pieces: 0 → 0, ``need`` → CONCRETE, all voices → 1 (a road all its letters name is as concrete
    # as an estate all name)
    out = np.where(share < need, share * CONCRETE / need, CONCRETE + (share - need) * (1 - CONCRETE) / (1 - need))
    out = pd.Series(out, index=anchor_share.index)
    if focus is not None:
        out = out * focus.fillna(1.0)
    return out.round(4)


# Issues with at least this many texts tell how alike the letters of one matter are in this collection.
TYPICAL_MIN_TEXTS = 5


def matter_focus(matter_lift: pd.Series, n_texts: pd.Series) -> pd.Series:
    """How far an issue's letters share a matter beyond its place, in [0, 1]: its ``matter_lift`` (toolkit.topics)
    over that of the collection's typical issue (the median of those with ``TYPICAL_MIN_TEXTS`` texts), capped
    at 1. Relative, since what "alike" means depends on the texts: one-line subjects are far more alike than
    letters of a page."""
    lift = matter_lift.astype(float)
    typical = lift[n_texts >= TYPICAL_MIN_TEXTS].median()
    if not typical or not np.isfinite(typical):
        return pd.Series(1.0, index=lift.index)
    return np.minimum(1.0, lift / typical).round(4)


# A candidate whose voices name a place, most of them the same one, is one matter whatever its wording.
ONE_SPOT_MIN_VOICES = 4
ONE_SPOT_SHARE = 0.6


def is_one_spot(table: pd.DataFrame) -> pd.Series:
    """Candidates most of whose (at least ``ONE_SPOT_MIN_VOICES``) placed voices name one spot."""
    return (table["n_placed"].fillna(0) >= ONE_SPOT_MIN_VOICES) & (table["top_place_share"].fillna(0) >= ONE_SPOT_SHARE)


def as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[、,，;；\s]+", value) if v]
    return [str(v) for v in value if str(v)]
