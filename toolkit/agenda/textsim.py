"""Surface similarity of messages (character 2–3-gram TF-IDF): is a candidate one matter, are two issues one?

Characters rather than words: names of 小区 and 路段 ("丽发新城", "伊景园滨河苑") are split unpredictably by
jieba, but share their characters. Broad buckets ("各区道路问题") have near-zero mean pairwise similarity;
a campaign about one 搅拌站 has 0.3 or more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

PREFIX_CHARS = 200  # the matter is named early (title, first sentence); long letters would only add noise and time


def char_vectors(texts: pd.Series):
    """L2-normalised character 2–3-gram TF-IDF rows, one per text (first ``PREFIX_CHARS`` characters).

    Returns ``(shared, full)``: ``shared`` keeps only n-grams found in two texts or more (what topics have
    in common: for cohesion and joining issues), ``full`` keeps them all (for telling copies from messages
    that merely share a place name). One fit: a term's IDF does not depend on the others.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    short = texts.fillna("").astype(str).str.slice(0, PREFIX_CHARS)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)
    try:
        full = vec.fit_transform(short).tocsc()
    except ValueError:  # every text empty
        empty = sp.csr_matrix((len(short), 1), dtype=np.float32)
        return empty, empty
    df = np.diff(full.indptr)
    shared = (
        normalize(full[:, np.flatnonzero(df >= 2)]).tocsr()
        if (df >= 2).any()
        else sp.csr_matrix((len(short), 1), dtype=np.float32)
    )
    return shared, full.tocsr()


def _indicator(groups: np.ndarray, keys: np.ndarray):
    rows = np.searchsorted(keys, groups)
    return sp.csr_matrix(
        (np.ones(len(groups), dtype=np.float32), (rows, np.arange(len(groups)))), shape=(len(keys), len(groups))
    )


def cohesion(X, groups, texts: pd.Series) -> pd.Series:
    """Mean pairwise cosine between a group's distinct texts (exact repeats once), 0 for a single text."""
    groups = np.asarray(groups)
    distinct = ~pd.DataFrame({"g": groups, "t": texts.to_numpy()}).duplicated().to_numpy()
    keys = np.unique(groups)
    g = groups[distinct]
    S = _indicator(g, keys) @ X[np.flatnonzero(distinct)]
    sums = np.asarray(S.multiply(S).sum(axis=1)).ravel()
    norms = np.asarray(X[np.flatnonzero(distinct)].multiply(X[np.flatnonzero(distinct)]).sum(axis=1)).ravel()
    self_sim = np.bincount(np.searchsorted(keys, g), weights=norms, minlength=len(keys))
    n = np.bincount(np.searchsorted(keys, g), minlength=len(keys)).astype(float)
    pairs = n * (n - 1)
    value = np.where(pairs > 0, (sums - self_sim) / np.where(pairs > 0, pairs, 1), 0.0)
    return pd.Series(np.clip(value, 0.0, 1.0), index=keys)


def same_matter(
    X,
    groups,
    texts: pd.Series,
    threshold: float | None = 0.5,
    min_cohesion: float = 0.15,
    cohesive_threshold: float = 0.4,
    places: pd.Series | None = None,
) -> pd.Series:
    """Map group -> merged group (the smallest id of its cluster), joining issues that are one matter.

    1. Average-linkage clustering of the groups' mean vectors, cut where the mean cosine drops below
       ``threshold`` — average (not single) linkage, so a chain of loosely similar issues is not glued.
    2. Then two *cohesive* groups (each ``cohesion`` ≥ ``min_cohesion``: one matter each) whose mean vectors
       are ≥ ``cohesive_threshold`` alike are one matter worded differently ("区丽发新城…" / "丽发新城小区…").
       Broad buckets are never cohesive, so they never chain.

    ``places`` (group -> names, e.g. the topic model's places) keeps apart groups that name different
    places and no common one: the same complaint in two 小区 or two 街道 is two matters.
    """
    groups = np.asarray(groups)
    keys = np.unique(groups)
    mapping = pd.Series(keys, index=keys)
    if threshold is None or len(keys) < 2:
        return mapping
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial.distance import squareform

    cos = _mean_cosines(X, groups, keys)
    apart = _apart(places, keys)
    cos[apart] = 0.0
    tree = linkage(squareform(np.clip(1.0 - cos, 0.0, 2.0), checks=False), method="average")
    first = pd.Series(keys).groupby(fcluster(tree, t=1.0 - threshold, criterion="distance")).transform("min")
    mapping = pd.Series(first.to_numpy(), index=keys)

    merged = mapping.reindex(groups).to_numpy()
    keys2 = np.unique(merged)
    cohesive = cohesion(X, merged, texts).reindex(keys2).to_numpy() >= min_cohesion
    cos2 = _mean_cosines(X, merged, keys2)
    link = (cos2 >= cohesive_threshold) & cohesive[:, None] & cohesive[None, :]
    M = _indicator(mapping.to_numpy(), keys2)  # merged group x group
    link &= (M @ sp.csr_matrix(apart.astype(np.float32)) @ M.T).toarray() == 0
    _, comp = connected_components(sp.csr_matrix(link), directed=False)
    second = pd.Series(pd.Series(keys2).groupby(comp).transform("min").to_numpy(), index=keys2)
    return mapping.map(second)


def _apart(places: pd.Series | None, keys) -> np.ndarray:
    """Pairs of groups that each name places, none of them shared (a name holding the other is shared)."""
    from toolkit.text import same_spot

    apart = np.zeros((len(keys), len(keys)), dtype=bool)
    if places is None:
        return apart
    named = [[p for p in str(places.get(k, "") or "").split("、") if p and p != "nan"] for k in keys]
    for a in range(len(keys)):
        for b in range(a):
            if named[a] and named[b] and not any(same_spot(p, q) for p in named[a] for q in named[b]):
                apart[a, b] = apart[b, a] = True
    return apart


def _mean_cosines(X, groups, keys) -> np.ndarray:
    """Cosine between the groups' mean vectors (diagonal 1)."""
    from sklearn.preprocessing import normalize

    V = normalize(_indicator(groups, keys) @ X)
    cos = (V @ V.T).toarray()
    np.fill_diagonal(cos, 1.0)
    return cos
