"""Clustering steps: texts → issues (fine), issue centroids → themes (coarse)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils import check_random_state

# Above this many texts, full-batch k-means with hundreds of centres gets slow on 2 cores.
MINIBATCH_FROM = 20_000
RANDOM_INIT_FROM = 60
# Seeded k-means runs whose agreement gives the themes (see consensus_kmeans).
CONSENSUS_RUNS = 20
# Theme words: used by at least this many texts and this share of them (see theme_columns).
THEME_MIN_TEXTS = 5
THEME_MIN_SHARE = 0.001
# Weight of the governance taxonomy's words (domains.txt) among theme words; 1 = no prior.
DOMAIN_WORD_WEIGHT = 2.0


def n_fine_clusters(n_texts: int, per_cluster: int = 10) -> int:
    """Fine clusters (the units themes and issues are built from): ~``per_cluster`` texts each, 2 to 1,000.

    Above 10,000 texts they grow coarser rather than more numerous: 1,000 fine clusters at 100,000
    sample concerns gave the same issues as 1,500 (ARI 0.66 against 0.64) in two thirds of the time.
    """
    return int(np.clip(round(n_texts / per_cluster), 2, 1000))


def kmeans(Z: np.ndarray, k: int, random_state, sample_weight=None, n_init: int = 1):
    """Spherical-ish k-means on L2-normalised rows; returns (labels, unit-length centroids)."""
    k = max(1, min(k, len(Z)))
    # k-means++ seeding costs O(n·k·log k) distance rows: with hundreds of fine clusters it took longer
    # than everything else together, and random seeding gave the same inertia (within 0.5 %) here.
    init = "random" if k > RANDOM_INIT_FROM else "k-means++"
    if len(Z) >= MINIBATCH_FROM:
        est = MiniBatchKMeans(
            n_clusters=k,
            init=init,
            random_state=random_state,
            n_init=max(n_init, 3),
            batch_size=4096,
            max_no_improvement=10,
            reassignment_ratio=0.001,
        )
    else:
        est = KMeans(n_clusters=k, init=init, random_state=random_state, n_init=n_init)
    labels = est.fit_predict(Z, sample_weight=sample_weight)
    return labels, l2_normalize(est.cluster_centers_).astype(np.float32)


def cluster_themes(
    centroids: np.ndarray, weights: np.ndarray, n_themes, random_state, candidates=range(4, 13)
) -> np.ndarray:
    """Theme of each fine cluster: the agreement of weighted k-means runs over the clusters' centres
    (:func:`consensus_kmeans`); ``"auto"`` picks k by silhouette first."""
    n = len(centroids)
    if n <= 1:
        return np.zeros(n, dtype=int)
    if n_themes == "auto":
        best, best_k = None, None
        for k in candidates:
            if k >= n:
                break
            labels, _ = kmeans(centroids, k, random_state, sample_weight=weights, n_init=5)
            if len(set(labels)) < 2:
                continue
            score = silhouette_score(centroids, labels, metric="cosine", random_state=0)
            if best is None or score > best + 1e-9:
                best, best_k = score, k
        n_themes = best_k if best_k is not None else min(2, n)
    return consensus_kmeans(centroids, int(n_themes), random_state, sample_weight=weights)


def consensus_kmeans(Z: np.ndarray, k: int, random_state, sample_weight=None, runs: int = CONSENSUS_RUNS):
    """``k`` groups of the rows of ``Z`` that ``runs`` seeded k-means runs agree on (evidence accumulation,
    Fred & Jain 2005): two rows are as close as the share of runs that put them together, and average
    linkage on that cuts the rows into ``k``.

    One k-means run into a few broad themes depends on its seeds: on the labelled teddy2020c messages, the
    NMI of twenty runs from one set of fine clusters spread from 0.42 to 0.56 after refinement, and neither
    inertia nor silhouette picked the good ones. What most runs agree on is steadier, and better than the
    average run. Deterministic: the runs' seeds are drawn from ``random_state``.
    """
    n = len(Z)
    k = max(1, min(k, n))
    if k == 1 or n <= k:
        return np.arange(n) if n <= k else np.zeros(n, dtype=int)
    together = np.zeros((n, n), dtype=np.float32)
    for labels in kmeans_runs(Z, k, random_state, sample_weight, runs):
        together += labels[:, None] == labels[None, :]
    together /= runs
    distance = 1.0 - together
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    # Rows the runs put in different groups each time (outliers) stay apart up to the last merges: cut finer
    # until k groups hold a fair share each, and give each smaller one to the group it sat with most often.
    least = weight.sum() / (10 * k)
    for cut in range(k, n + 1):
        labels = fcluster(tree, t=cut, criterion="maxclust") - 1
        mass = np.bincount(labels, weights=weight)
        big = np.flatnonzero(mass >= least)
        if len(big) >= k or cut >= 4 * k:
            break
    big = big[np.argsort(-mass[big], kind="stable")][:k] if len(big) else np.array([int(np.argmax(mass))])
    if len(big) < len(mass):
        member = (labels[:, None] == big[None, :]).astype(np.float32)
        affinity = (together @ member) / member.sum(axis=0)  # mean co-occurrence with each big group
        small = ~np.isin(labels, big)
        labels = np.where(small, big[np.argmax(affinity, axis=1)], labels)
    return np.searchsorted(np.sort(big), labels)


def kmeans_runs(Z: np.ndarray, k: int, random_state, sample_weight=None, runs: int = CONSENSUS_RUNS) -> np.ndarray:
    """Labels of the rows of ``Z`` from ``runs`` k-means runs (one row of labels per run), seeded from ``random_state``."""
    seeds = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=runs)
    with warnings.catch_warnings():  # tiny inputs: fewer distinct rows than k is expected, not news
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.stack([kmeans(Z, k, int(seed), sample_weight=sample_weight)[0] for seed in seeds])


def vote(runs: np.ndarray, k: int, random_state, sample_weight=None) -> np.ndarray:
    """``k`` groups of the columns of ``runs`` (one row of labels per run) that the runs split least often.

    Texts far outnumber fine clusters, so the texts' co-occurrence matrix of :func:`consensus_kmeans` is out
    of reach; instead k-means over the runs' one-hot labels (two texts lie sqrt(2 × the runs that part them)
    apart: Topchy, Jain & Punch, "Clustering ensembles: models of consensus and weak partitions", 2005),
    on the distinct label patterns weighted by their texts (~900 for 5,000 texts).
    """
    patterns, which = np.unique(np.asarray(runs).T, axis=0, return_inverse=True)
    which = which.ravel()
    mass = np.bincount(which, weights=sample_weight, minlength=len(patterns))
    one_hot = (patterns[:, :, None] == np.arange(int(patterns.max()) + 1)).reshape(len(patterns), -1)
    est = KMeans(n_clusters=max(1, min(k, len(patterns))), n_init=10, random_state=random_state)
    return est.fit_predict(one_hot.astype(np.float32), sample_weight=mass)[which]


def theme_word_weights(
    X, vocab, min_texts: int = THEME_MIN_TEXTS, min_share: float = THEME_MIN_SHARE, domain_weight=DOMAIN_WORD_WEIGHT
) -> np.ndarray:
    """Weight of each column of the TF-IDF ``X`` (words ``vocab``) when refining themes; 0 leaves a word out.

    A domain (housing, schools, pay) is spoken of in many letters about many matters; a word only a
    handful of texts use names one matter: its place, estate, company or a one-off wording. Such words
    (used by fewer than ``min_texts`` texts or ``min_share`` of them) are left out: refined on them, themes
    follow matters rather than domains. The words of the governance taxonomy (``domains.txt``, the names
    theme labels take) weigh ``domain_weight``: a prior that themes are domains as staff file them, not a
    seed — the themes still come from the texts. On the labelled teddy2020c messages (whose 7 categories
    are not the taxonomy's 17 domains) each step added ~0.01 NMI over three seeds; weights 1.5–2.5
    gave the same. All words count when fewer than two qualify.
    """
    from toolkit.topics.labels import domains

    X = sp.csr_matrix(X)
    used = np.bincount(X.indices, minlength=X.shape[1])
    keep = used >= max(min_texts, min_share * X.shape[0])
    if keep.sum() < 2:
        keep[:] = True
    domain_words = frozenset().union(*(words for _, words in domains()))
    in_taxonomy = np.fromiter((str(v) in domain_words for v in vocab), dtype=bool, count=len(vocab))
    return np.where(keep, np.where(in_taxonomy, domain_weight, 1.0), 0.0)


def theme_features(X, word_weights: np.ndarray):
    """The columns of ``X`` themes are refined and predicted on, weighted (see :func:`theme_word_weights`)."""
    cols = np.flatnonzero(word_weights > 0)
    return sp.csr_matrix(X[:, cols] @ sp.diags(word_weights[cols]))


def relabel_by_size(labels: np.ndarray, weights=None) -> np.ndarray:
    """Renumber labels 0.. by decreasing total weight (ties by old label) so ids read as a ranking."""
    labels = np.asarray(labels, dtype=int)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
    valid = labels >= 0
    if not valid.any():
        return np.full(len(labels), -1, dtype=int)
    totals = np.bincount(labels[valid], weights=weights[valid])
    uniq = np.unique(labels[valid])
    order = sorted(uniq, key=lambda u: (-totals[u], u))
    mapping = np.full(labels.max() + 1, -1, dtype=int)
    mapping[order] = np.arange(len(order))
    return np.where(valid, mapping[np.where(valid, labels, 0)], -1)
