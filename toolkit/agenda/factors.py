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

FACTORS = ("volume", "breadth", "recency", "growth", "intensity", "alignment", "concreteness")
FACTOR_NAMES = {  # shown in tables, charts and the weights widget
    "volume": "规模", "breadth": "广度", "recency": "时效", "growth": "增势",
    "intensity": "强度", "alignment": "契合", "concreteness": "具体",
}
_DATA = Path(__file__).parent


def read_word_list(path) -> list[str]:
    """Words of a one-per-line list file; '#' lines are comments."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


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


def voices(msgs: pd.DataFrame) -> pd.Series:
    """A voice id per message: messages by one respondent, or near-duplicates of each other, share one voice.

    So a campaign (one text posted by many) and a person writing ten times each count once.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(msgs)
    if n == 0:
        return pd.Series([], dtype=int, index=msgs.index)
    node = np.arange(n)
    rows, cols = [node], [node]  # every message is its own voice unless linked below
    for key in _voice_keys(msgs):
        first = pd.Series(node).groupby(pd.factorize(key)[0]).transform("min").to_numpy()
        linked = key != ""
        rows.append(node[linked])
        cols.append(first[linked])
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    return pd.Series(comp, index=msgs.index)


def _voice_keys(msgs: pd.DataFrame) -> list[np.ndarray]:
    """Keys that make two messages one voice: same respondent, same near-duplicate group, same text."""
    keys = []
    if "respondent" in msgs:
        resp = msgs["respondent"].astype("string").fillna("").to_numpy(dtype=str)
        keys.append(np.where(resp != "", np.char.add("r:", resp), ""))
    if "dup_group" in msgs:  # TopicModel.assignments_["duplicate_of"]: id of the group's first text, or None
        dup = msgs["dup_group"]
        valid = dup.notna().to_numpy() & (dup.astype(str) != "-1").to_numpy()
        keys.append(np.where(valid, np.char.add("d:", dup.astype(str).to_numpy(dtype=str)), ""))
    text = msgs["text"].fillna("").astype(str).str.replace(r"\s+", "", regex=True).to_numpy(dtype=str)
    keys.append(np.where(text != "", np.char.add("t:", text), ""))
    return keys


def volume(msgs: pd.DataFrame) -> pd.DataFrame:
    """Distinct voices per candidate (respondents, with duplicates and campaigns counted once)."""
    voice = voices(msgs)
    out = pd.DataFrame({
        "n_messages": msgs.groupby("group").size(),
        "n_voices": voice.groupby(msgs["group"]).nunique(),
    })
    if "respondent" in msgs:
        out["n_respondents"] = msgs.groupby("group")["respondent"].nunique()
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
    out = pd.DataFrame({
        "median_age_days": grouped.median().round(1),
        "n_recent": recent.astype(int),
        "n_before": before.astype(int),
    })
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
    docs = texts.fillna("").astype(str).tolist()  # plain `in` on a list: ~20x faster than str.contains per term
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


def concreteness(msgs: pd.DataFrame, X) -> pd.DataFrame:
    """One matter, one place: sqrt of the mean pairwise character similarity of the candidate's messages.

    Raw ``cohesion`` is ~0.01–0.07 for broad buckets ("各区道路") and 0.2–0.6 for one 小区's campaign;
    the square root spreads the low end so the factor reads on the same 0–1 scale as the others.
    """
    from toolkit.agenda.textsim import cohesion

    coh = cohesion(X, msgs["group"].to_numpy(), msgs["text"].fillna(""))
    return pd.DataFrame({"cohesion": coh.round(4), "concreteness": np.sqrt(coh)})


def as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[、,，;；\s]+", value) if v]
    return [str(v) for v in value if str(v)]
