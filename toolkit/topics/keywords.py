"""Class-based TF-IDF keywords and short readable labels for issues and themes."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import scipy.sparse as sp


def class_tfidf(X, labels: np.ndarray, n_classes: int) -> sp.csr_matrix:
    """c-TF-IDF (BERTopic's formula) over document presence: each text votes once per word.

    Returns a sparse ``(n_classes, n_terms)`` matrix (thousands of issues × 50,000 words would
    be gigabytes dense). Presence rather than counts keeps one long, repetitive letter from
    deciding a whole issue's keywords.
    """
    B = sp.csr_matrix(X, dtype=np.float32, copy=True)
    B.data[:] = 1
    labels = np.asarray(labels)
    valid = labels >= 0
    rows = labels[valid]
    M = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, np.flatnonzero(valid))), shape=(n_classes, X.shape[0])
    )
    tf = (M @ B).tocsr()
    totals = np.asarray(tf.sum(axis=1)).ravel()
    totals[totals == 0] = 1
    freq = np.asarray(tf.sum(axis=0)).ravel()
    avg = tf.sum() / max(n_classes, 1)
    idf = np.log1p(avg / np.maximum(freq, 1))
    return (sp.diags(1.0 / totals) @ tf @ sp.diags(idf)).tocsr()


# Kept for modelling ("没有电梯" is not "电梯") but they name no matter, so never shown as keywords.
NOT_KEYWORDS = frozenset(
    [
        "不",
        "没",
        "没有",
        "无",
        "无法",
        "不能",
        "不是",
        "不到",
        "不了",
        "不够",
        "不让",
        "不给",
        "不予",
        "未",
        "难",
        "乱",
        "太",
        "很",
        "多",
        "少",
    ]
)


def top_terms(weights: sp.csr_matrix, vocab: np.ndarray, top: int = 8, hide=frozenset()) -> list[list[str]]:
    """Top ``top`` terms per row (never those in ``hide``), ties broken by vocabulary order (deterministic)."""
    shown = np.array([str(v) not in NOT_KEYWORDS and str(v) not in hide for v in vocab], dtype=bool)
    weights = sp.csr_matrix(weights)
    out = []
    for r in range(weights.shape[0]):
        lo, hi = weights.indptr[r], weights.indptr[r + 1]
        cols, vals = weights.indices[lo:hi], weights.data[lo:hi]
        keep = shown[cols] & (vals > 0)
        cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[:top]
        out.append([str(vocab[c]) for c in cols[order]])
    return out


def generic_places(place_lists, max_share: float = 0.05) -> frozenset[str]:
    """Areas named in more than ``max_share`` of all texts ("西地省", "A市"): they mark the whole
    collection, not an issue, so they are left out of issue places, labels and keywords. Spots
    (小区, 路 …) never are: a large issue's own road may be named that often."""
    from toolkit.text import is_area

    counts = Counter(p for places in place_lists if places for p in set(places))
    n = max(len(place_lists), 1)
    return frozenset(p for p, c in counts.items() if c / n > max_share and is_area(p))


def common_places(place_lists, min_share: float = 0.0, top: int = 3, exclude=frozenset(), totals=None) -> list[str]:
    """Most telling places in a group of texts (each text counted once per place).

    With ``totals`` (texts naming each place in the whole collection) places are ranked by
    ``count × count / total``: the road a matter is about, named mostly here, comes before the
    speakers' own 社区, named about everything their residents raise.
    """
    counts = Counter(p for places in place_lists if places for p in set(places) if p not in exclude)
    n = max(len(place_lists), 1)
    score = (lambda p, c: c * c / max(totals.get(p, c), c)) if totals else (lambda p, c: c)
    ranked = sorted(counts.items(), key=lambda kv: (-score(*kv), -kv[1], kv[0]))
    return [p for p, c in ranked[:top] if c / n >= min_share and c >= 1]


_CLAUSE_RE = re.compile(r"[，,。.!！?？;；:：\n|]+")
# A clause that reads as a label: long enough to say something, short enough for a chart axis.
_LABEL_CHARS = (4, 22)
# Openers that add nothing to a label ("我们这里小微企业贷款要抵押", "其次泉塘街道…").
_OPENERS_RE = re.compile(
    r"^(我们这里|我们这边|我们小区|我们社区|我们村|我们|我家|这里|本人|现在|目前"
    r"|其次|然后|而且|但是|可是|因为|所以|并且|另外|同时|而|但|且|就|还|也|又|并)"
)
# A label is mostly Chinese: clauses of URLs, phone codes and numbers ("com/)平台累计注册18990人") are not.
_MIN_HAN_SHARE = 0.75
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def issue_label(keywords: list[str], places: list[str], quotes: list[str] | None = None) -> str:
    """A short readable label: the main place (if any) and the quoted clause that best covers the keywords.

    "丽发新城小区：搅拌站噪音扰民" reads better than a keyword list; falls back to "搅拌站、噪音" when no
    clause of 4–22 characters holds a keyword.
    """
    from toolkit.text import spot_names

    place = places[0] if places else ""
    clause = _best_clause(keywords, quotes or [])
    if clause:
        named = place in clause or any(name in clause for name in spot_names([place]))  # "江山帝景小区" / "江山帝景"
        return f"{place}：{clause}" if place and not named else clause
    words = "、".join(keywords[:2]) or "（无关键词）"
    return f"{place}：{words}" if place else words


def _best_clause(keywords: list[str], quotes: list[str]) -> str:
    weights = {w: 1.0 / (rank + 1) for rank, w in enumerate(keywords[:8])}
    best, best_score = "", 0.0
    for quote in quotes:
        for clause in _CLAUSE_RE.split(quote.rstrip("…")):
            clause = _OPENERS_RE.sub("", clause.strip())
            if not _LABEL_CHARS[0] <= len(clause) <= _LABEL_CHARS[1]:
                continue
            if len(_HAN_RE.findall(clause)) < _MIN_HAN_SHARE * len(clause):
                continue
            score = sum(weight for word, weight in weights.items() if word in clause)
            if score > best_score + 1e-9:  # first best wins: quotes are ordered by centrality
                best, best_score = clause, score
    return best


def theme_label(keywords: list[str]) -> str:
    """ "物业 / 小区 / 电梯" — the three strongest theme keywords."""
    return " / ".join(keywords[:3]) or "（无关键词）"
