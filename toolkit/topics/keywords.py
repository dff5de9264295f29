"""Class-based TF-IDF keywords and short readable labels for issues and themes."""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp


def class_tfidf(X, labels: np.ndarray, n_classes: int):
    """c-TF-IDF (BERTopic's formula) over document presence: each text votes once per word.

    Returns a dense ``(n_classes, n_terms)`` array. Presence rather than counts keeps one long,
    repetitive letter from deciding a whole issue's keywords.
    """
    B = (X > 0).astype(np.float32)
    labels = np.asarray(labels)
    valid = labels >= 0
    rows = labels[valid]
    M = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, np.flatnonzero(valid))),
                      shape=(n_classes, X.shape[0]))
    tf = np.asarray((M @ B).todense())
    totals = tf.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1
    freq = tf.sum(axis=0)
    avg = tf.sum() / max(n_classes, 1)
    idf = np.log1p(avg / np.maximum(freq, 1))
    return (tf / totals) * idf


# Kept for modelling ("没有电梯" is not "电梯") but they name no matter, so never shown as keywords.
NOT_KEYWORDS = frozenset("不 没 没有 无 无法 不能 不是 不到 不了 不够 不让 不给 不予 未 难 乱 太 很 多 少".split())


def top_terms(weights: np.ndarray, vocab: np.ndarray, top: int = 8) -> list[list[str]]:
    """Top ``top`` terms per row, ties broken by vocabulary order (deterministic)."""
    shown = np.array([str(v) not in NOT_KEYWORDS for v in vocab], dtype=bool)
    out = []
    for row in weights:
        row = np.where(shown, row, 0)
        idx = np.lexsort((np.arange(len(row)), -row))[:top]
        out.append([str(vocab[i]) for i in idx if row[i] > 0])
    return out


def common_places(place_lists, min_share: float = 0.0, top: int = 3) -> list[str]:
    """Most named places in a group of texts (each text counted once per place)."""
    counts = Counter(p for places in place_lists if places for p in set(places))
    n = max(len(place_lists), 1)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [p for p, c in ranked[:top] if c / n >= min_share and c >= 1]


def issue_label(keywords: list[str], places: list[str], size: int) -> str:
    """"丽发新城小区：搅拌站、噪音扰民" — the main place (if any) and the two strongest keywords."""
    words = "、".join(keywords[:2]) or "（无关键词）"
    return f"{places[0]}：{words}" if places else words


def theme_label(keywords: list[str]) -> str:
    """"物业 / 小区 / 电梯" — the three strongest theme keywords."""
    return " / ".join(keywords[:3]) or "（无关键词）"
