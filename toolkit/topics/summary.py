"""Build the ``assignments_``, ``topics_`` and ``themes_`` frames from per-text assignments.

Kept apart from fitting so curation (merge, split, move, exclude, rename) can rebuild them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize as l2_normalize

from toolkit.text import dictionary_tag, is_area, is_proper_noun, is_road, same_spot, spot_names
from toolkit.topics import keywords, labels
from toolkit.topics.anchor import ROAD_ADDRESS, main_anchor

UNASSIGNED = -1
UNASSIGNED_LABEL = "未归类"
QUOTE_CHARS = 160
THEME_COLUMNS = ["theme_id", "label", "keywords", "size", "n_texts", "n_distinct", "n_topics"]


@dataclass
class Corpus:
    """What the model keeps about the texts it was fitted on (masked text, vectors, metadata)."""

    ids: np.ndarray
    clean: list[str]
    places: list
    X: sp.csr_matrix
    Z: np.ndarray
    times: pd.Series
    who: pd.Series
    weight: np.ndarray
    dup: np.ndarray
    vocab: np.ndarray = field(repr=False, default=None)
    anchors: list = field(repr=False, default=None)  # spots and rare names per text (toolkit.topics.anchor)


def centres(Z, labels, weights, k=None) -> np.ndarray:
    """Unit-length weighted mean vector per label 0..k-1 (zero rows for empty labels)."""
    labels = np.asarray(labels)
    k = (int(labels.max()) + 1 if (labels >= 0).any() else 0) if k is None else k
    if k == 0:  # every issue dissolved (a handful of unrelated texts): no centres, not an error
        return np.zeros((0, Z.shape[1]), dtype=np.float32)
    valid = labels >= 0
    M = sp.csr_matrix(
        (np.asarray(weights, dtype=np.float64)[valid], (labels[valid], np.flatnonzero(valid))), shape=(k, len(labels))
    )
    return l2_normalize(np.asarray(M @ Z)).astype(np.float32)


def theme_of_issue(issue, theme, k) -> np.ndarray:
    """Theme of each issue 0..k-1 (-1 for issues without members)."""
    out = np.full(k, UNASSIGNED, dtype=int)
    ok = issue >= 0
    out[issue[ok]] = theme[ok]
    return out


def representatives(idx, clean, Z, centre, n: int = 3) -> list[str]:
    """The ``n`` distinct texts closest to the issue centre, shortened for display."""
    order = idx[np.lexsort((idx, -(Z[idx] @ centre)))]
    quotes: list[str] = []
    for i in order:
        quote = clean[i][:QUOTE_CHARS] + ("…" if len(clean[i]) > QUOTE_CHARS else "")
        if quote and quote not in quotes:
            quotes.append(quote)
        if len(quotes) == n:
            break
    return quotes


def summarise(
    corpus: Corpus,
    issue,
    theme,
    reasons,
    similarity,
    issue_centres,
    n_keywords: int = 8,
    topic_labels: dict | None = None,
    theme_labels: dict | None = None,
):
    """Return ``(assignments, topics, themes)`` frames; labels given by curation override generated ones."""
    topic_labels, theme_labels = topic_labels or {}, theme_labels or {}
    ids = corpus.ids
    assignments = pd.DataFrame(
        {
            "id": ids,
            "topic_id": issue,
            "theme_id": theme,
            "similarity": np.round(np.asarray(similarity, dtype=float), 4),
            "duplicate_of": [ids[d] if d >= 0 else None for d in corpus.dup],
            "reason": reasons,
        }
    )
    k = len(issue_centres)
    generic = keywords.generic_places(corpus.places) if len(corpus.places) >= 100 else frozenset()
    place_totals = Counter(p for places in corpus.places if places for p in set(places))
    issue_kw = (
        keywords.top_terms(keywords.class_tfidf(corpus.X, issue, k), corpus.vocab, n_keywords, hide=generic)
        if k
        else []
    )
    n_themes = int(theme.max()) + 1 if (theme >= 0).any() else 0
    theme_weights = keywords.class_tfidf(corpus.X, theme, n_themes) if n_themes else None
    theme_kw = keywords.top_terms(theme_weights, corpus.vocab, n_keywords, hide=generic) if n_themes else []
    frame = pd.DataFrame(
        {
            "issue": issue,
            "theme": theme,
            "time": corpus.times.to_numpy(),
            "who": corpus.who.to_numpy(),
            "weight": corpus.weight,
        }
    )
    of_issue = theme_of_issue(issue, theme, k)
    groups = {int(t): m for t, m in frame[frame["issue"] >= 0].groupby("issue", sort=True)}
    issue_places: dict = {}
    main_place: list[tuple[str, float] | None] = [None] * k
    anchor_of = {t: _anchor_columns(corpus, members.index.to_numpy(), members["who"]) for t, members in groups.items()}
    for t, members in groups.items():
        lists = [corpus.places[i] for i in members.index]
        issue_places[t] = keywords.common_places(lists, min_share=0.2, exclude=generic, totals=place_totals)
        if issue_places[t]:
            top = issue_places[t][0]
            share, anchor = naming_share(top, lists), anchor_of[t]["anchor"]
            # "劳动东路魅力之城小区": a spot named nearly as often as the road it is on leads the label, the road
            # is its address (main_anchor's rule, here over texts as the label's share is)
            if is_road(top) and not is_area(top) and anchor and not is_road(anchor):
                at_spot = naming_share(anchor, lists)
                if at_spot >= ROAD_ADDRESS * share:
                    top, share = anchor, at_spot
            main_place[t] = (top, share)
    members_of = [groups[t].index.to_numpy() if t in groups else np.array([], dtype=int) for t in range(k)]
    auto_labels = (
        labels.issue_labels(
            corpus.X,
            issue,
            members_of,
            corpus.weight,
            corpus.vocab,
            corpus.clean,
            main_place,
            hide=generic,
            named=[issue_places.get(t, []) for t in range(k)],
        )
        if k
        else []
    )
    cohesion = issue_cohesion(corpus.X, issue, k)
    base = mean_similarity(corpus.X)
    rows = []
    for t, members in groups.items():
        idx = members.index.to_numpy()
        places = issue_places[t]
        quotes = representatives(idx, corpus.clean, corpus.Z, issue_centres[t])
        anchor = anchor_of[t]
        rows.append(
            {
                "topic_id": int(t),
                "theme_id": int(of_issue[t]),
                "label": topic_labels.get(int(t)) or auto_labels[t],
                "keywords": " ".join(issue_kw[t]),
                "size": int(members["who"].nunique()),
                "representative": " | ".join(quotes),
                "places": "、".join(places),
                "first_seen": members["time"].min(),
                "last_seen": members["time"].max(),
                "n_texts": len(idx),
                "n_distinct": int(round(members["weight"].sum())),
                "cohesion": round(float(cohesion[t]), 4),
                "reason": mixed_reason(cohesion[t], len(idx)),
                **anchor,
                "matter_lift": matter_lift(
                    corpus.X[idx], corpus.vocab, _named(corpus, idx, anchor["anchor"]), base, members["who"].to_numpy()
                ),
            }
        )
    rows.append(_unassigned_row(frame, assignments, corpus.clean))
    topics = pd.DataFrame(rows)
    theme_names = labels.theme_labels(theme_weights, corpus.vocab, theme_kw) if n_themes else []
    theme_rows = []
    for t in range(n_themes):
        members = frame[frame["theme"] == t]
        if members.empty:
            continue
        theme_rows.append(
            {
                "theme_id": t,
                "label": theme_labels.get(t) or theme_names[t],
                "keywords": " ".join(theme_kw[t]),
                "size": int(members["who"].nunique()),
                "n_texts": len(members),
                "n_distinct": int(round(members["weight"].sum())),
                "n_topics": int((of_issue == t).sum()),
            }
        )
    return assignments, topics, pd.DataFrame(theme_rows, columns=THEME_COLUMNS)


def naming_share(place: str, place_lists) -> float:
    """Share of the texts naming ``place``, however fully ("丽发新城小区", "暮云丽发新城", "丽发新城" are one spot)."""
    spot = min(spot_names([place]), key=len, default="")  # "" for an area: named as written

    def names_it(places) -> bool:
        return any(same_spot(spot, s) for s in spot_names(places or ())) if spot else place in set(places or ())

    return sum(map(names_it, place_lists)) / max(len(place_lists), 1)


def _anchor_columns(corpus, idx, who) -> dict:
    """``anchor`` (the spot or name most of the issue's voices name) and ``anchor_share`` (their share)."""
    if corpus.anchors is None:
        return {"anchor": "", "anchor_share": 0.0}
    anchor, share = main_anchor([corpus.anchors[i] for i in idx], who.to_numpy())
    return {"anchor": anchor, "anchor_share": share}


def _unassigned_row(frame, assignments, clean):
    members = frame[frame["issue"] < 0]
    reasons = assignments.loc[members.index, "reason"].value_counts()
    quotes = [clean[i][:QUOTE_CHARS] for i in members.index[:3] if clean[i]]
    return {
        "topic_id": UNASSIGNED,
        "theme_id": UNASSIGNED,
        "label": UNASSIGNED_LABEL,
        "keywords": "",
        "size": int(members["who"].nunique()),
        "representative": " | ".join(quotes),
        "places": "",
        "first_seen": members["time"].min(),
        "last_seen": members["time"].max(),
        "n_texts": len(members),
        "n_distinct": int(round(members["weight"].sum())),
        "cohesion": np.nan,
        "anchor": "",
        "anchor_share": np.nan,
        "matter_lift": np.nan,
        "reason": "；".join(f"{r}：{c} 条" for r, c in reasons.items()),
    }


# Mean pairwise TF-IDF cosine of an issue's texts below which it reads as several matters, not one.
MIN_COHESION = 0.05
REASON_MIXED = "内容分散：这些留言说的不是同一件事，标签只代表其中一部分，请拆分或人工整理"


def issue_cohesion(X, issue, k) -> np.ndarray:
    """Mean pairwise cosine of each issue's texts (TF-IDF rows, unit length): ``(|Σx|² − n) / (n(n − 1))``.

    Near 0 for a bag of unrelated letters, 0.1 and more for one matter told in people's own words.
    """
    ok = issue >= 0
    M = sp.csr_matrix((np.ones(int(ok.sum())), (issue[ok], np.flatnonzero(ok))), shape=(k, X.shape[0]))
    S = M @ X
    norms = np.asarray(S.multiply(S).sum(axis=1)).ravel()
    n = np.bincount(issue[ok], minlength=k).astype(float)
    return np.where(n > 1, (norms - n) / np.maximum(n * (n - 1), 1), 1.0)


def mean_similarity(X) -> float:
    """Mean pairwise cosine of two texts of the collection (TF-IDF rows, unit length)."""
    total = np.asarray(X.sum(axis=0)).ravel()
    n = X.shape[0]
    return (float(total @ total) - float(X.multiply(X).sum())) / max(n * (n - 1), 1)


def matter_lift(rows, vocab, places, base: float, voices=None) -> float:
    """How many times more alike an issue's texts are than two texts of the collection (``base``), the words of
    its ``places`` (and any word jieba's dictionary tags as a name) left out: 1–5 for letters that share a place
    and nothing else (施工, 幼儿园学位 and 违建 at one estate), 10 and more for one matter told in people's own
    words. With ``voices`` (who wrote each text) only texts of different voices are compared: a matter is
    shared when different people write alike, and one resident writing four times about his cracked floor says
    nothing about what his neighbours in the same issue wrote. NaN for a single text, or a single voice (the
    ranker then takes the issue as focused: one person's letters are one matter as far as it can tell)."""
    n = rows.shape[0]
    if n < 2 or base <= 0:
        return float("nan")
    # a word sharing two characters with a place is part of it (jieba cuts "北辰三角洲" into 北辰|三角洲)
    pairs = {p[i : i + 2] for p in places if p for i in range(len(p) - 1)}
    rows = leave_out(rows, vocab, lambda word: _is_place_word(word, pairs))
    # Σ over pairs of texts by different voices = |Σx|² − Σ over voices |Σ of their texts|²
    voice = _voice_codes(voices, n)
    per_voice = sp.csr_matrix((np.ones(n), (voice, np.arange(n))), shape=(int(voice.max()) + 1, n)) @ rows
    texts_per_voice = np.bincount(voice).astype(float)
    pairs_across = n * n - float(texts_per_voice @ texts_per_voice)
    if pairs_across <= 0:
        return float("nan")
    total = np.asarray(rows.sum(axis=0)).ravel()
    alike = (float(total @ total) - float(per_voice.multiply(per_voice).sum())) / pairs_across
    return round(alike / base, 2)


def _voice_codes(voices, n: int) -> np.ndarray:
    """0, 1, … per distinct voice; each text whose writer is unknown (None, NaN, blank) is a voice of its own.
    Respondent ids come as read from a sheet: numbers and text mixed, blanks among them."""
    if voices is None:
        return np.arange(n)
    codes, uniques = pd.factorize(pd.Series(list(voices), dtype=object).replace("", None))
    unknown = codes < 0
    codes[unknown] = len(uniques) + np.arange(int(unknown.sum()))
    return codes


def leave_out(rows, vocab, drop) -> sp.csr_matrix:
    """``rows`` (a copy) without the columns whose word ``drop(word)`` holds, unit length again."""
    rows = sp.csr_matrix(rows, copy=True)
    cols = np.unique(rows.indices)
    gone = cols[[drop(str(vocab[c])) for c in cols]]
    if len(gone):
        rows.data[np.isin(rows.indices, gone)] = 0
        rows.eliminate_zeros()
    return l2_normalize(rows)


def _is_place_word(word: str, pairs: set[str]) -> bool:
    tagged_name = dictionary_tag(word) is not None and is_proper_noun(word)  # not a word jieba lacks: 棚改, 加层
    return tagged_name or any(word[i : i + 2] in pairs for i in range(len(word) - 1))


def _named(corpus, idx, anchor: str) -> set[str]:
    """What an issue's texts name: its anchor, and every place and rare name any of its texts names."""
    named = {anchor} if anchor else set()
    for i in idx:
        named.update(corpus.places[i] or ())
        named.update(corpus.anchors[i] if corpus.anchors is not None else ())
    return named


def mixed_reason(cohesion: float, n: int) -> str:
    """``reason`` of an issue: why it should not be read as one matter ("" when it can)."""
    return REASON_MIXED if n > 2 and cohesion < MIN_COHESION else ""
