"""TopicModel: free-text concerns → issues (fine) and themes (coarse), in scikit-learn manners."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from toolkit.topics import cluster, keywords
from toolkit.topics.dedup import near_duplicate_groups
from toolkit.topics.errors import TopicsError
from toolkit.topics.features import LsaVectorizer

UNASSIGNED = -1
UNASSIGNED_LABEL = "未归类"
REASON_EMPTY = "文本为空或只有停用词，无法判断议题"
REASON_ISOLATED = "与任何议题都不相似（孤立的关切）"
REASON_EXCLUDED = "人工排除"
_QUOTE_CHARS = 160


class TopicModel:
    """Cluster concerns into issues and themes; see the package docstring for the frames.

    Parameters
    ----------
    themes : int or "auto"
        Number of themes, or ``"auto"`` (chosen by silhouette over 4–12).
    issues : int or "auto"
        Number of issues, or ``"auto"`` (about one per ``texts_per_issue`` texts).
    n_components : int
        LSA dimensions.
    min_similarity : float
        A text whose cosine to its issue centre is below this goes to 未归类 (reason given).
    min_issue_size : int
        Issues with fewer distinct texts are dissolved into 未归类.
    duplicate_threshold : float
        TF-IDF cosine at which two texts count as near-duplicates.
    random_state : int or None
    n_jobs : int or None
        Processes for tokenising (None = all cores).
    progress : bool
        Show tqdm progress bars.

    Examples
    --------
    >>> model = TopicModel(themes=2, random_state=0, progress=False)           # doctest: +SKIP
    >>> model.fit(["小区停车难", "停车位不够", "学校学位紧张", "学位不足"])      # doctest: +SKIP
    >>> model.assignments_[["id", "topic_id", "theme_id"]]                    # doctest: +SKIP
    """

    def __init__(self, themes="auto", issues="auto", *, texts_per_issue: int = 20, n_components: int = 150,
                 min_similarity: float = 0.15, min_issue_size: int = 2, duplicate_threshold: float = 0.9,
                 n_keywords: int = 8, random_state=0, n_jobs=None, progress: bool = True, hmm: bool = True):
        self.themes = themes
        self.issues = issues
        self.texts_per_issue = texts_per_issue
        self.n_components = n_components
        self.min_similarity = min_similarity
        self.min_issue_size = min_issue_size
        self.duplicate_threshold = duplicate_threshold
        self.n_keywords = n_keywords
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.hmm = hmm

    # ------------------------------------------------------------------ fitting
    def _check_params(self):
        for name in ("themes", "issues"):
            value = getattr(self, name)
            if value != "auto" and not (isinstance(value, (int, np.integer)) and value >= 1):
                raise TopicsError(f"参数 {name}={value!r} 无效：应为正整数或 \"auto\"。请改为例如 {name}=7 或 {name}=\"auto\"。")

    def _prepare(self, texts):
        from toolkit.text import analyse_many, mask_pii, normalize

        pii: Counter = Counter()
        clean = [mask_pii(normalize(t), pii) for t in texts]
        tokens, places = analyse_many(clean, n_jobs=self.n_jobs, hmm=self.hmm, with_places=True,
                                      progress=self.progress)
        return clean, tokens, places, pii

    def fit(self, texts, ids=None, times=None, respondents=None):
        """Learn issues and themes from ``texts`` (a sequence of str).

        ``ids`` default to 0..n-1; ``times`` (datetimes) give first/last seen; ``respondents``
        (who said it) make ``size`` count distinct people rather than texts.
        """
        # Sparse products here are memory-bound: BLAS threads only spin against each other and
        # against the tokenising workers (measured 10× slower on a busy 2-core machine).
        with threadpool_limits(1):
            return self._fit(texts, ids, times, respondents)

    def _fit(self, texts, ids, times, respondents):
        self._check_params()
        texts = list(texts)
        n = len(texts)
        if n == 0:
            raise TopicsError("输入为空：没有任何文本可供聚类。请检查输入文件的文本列是否有内容。")
        ids = np.arange(n) if ids is None else np.asarray(list(ids))
        if len(ids) != n:
            raise TopicsError(f"ids 的数量（{len(ids)}）与文本数量（{n}）不一致。请为每条文本提供一个编号。")
        clean, tokens, places, pii = self._prepare(texts)
        self.pii_counts_ = dict(pii)

        self.vectorizer_ = LsaVectorizer(n_components=self.n_components, random_state=self.random_state)
        X, Z = self.vectorizer_.fit_transform(tokens)
        nonempty = np.asarray(X.getnnz(axis=1) > 0)

        # Issues: k-means over distinct non-empty texts (a campaign must not pull a centre onto itself).
        n_issues = self.issues if self.issues != "auto" else cluster.auto_n_issues(int(nonempty.sum()),
                                                                                   self.texts_per_issue)
        issue = np.full(n, UNASSIGNED, dtype=int)
        fit_rows = np.flatnonzero(nonempty)
        if len(fit_rows):
            labels, centroids = cluster.kmeans(Z[fit_rows], n_issues, self.random_state)
            issue[fit_rows] = labels
        else:
            centroids = np.zeros((0, Z.shape[1]), dtype=np.float32)

        dup = near_duplicate_groups(X, issue, self.duplicate_threshold)
        weight = _distinct_weight(dup)  # each near-duplicate group weighs 1 in total

        issue, centroids, reasons, similarity = self._settle_issues(Z, issue, centroids, nonempty, weight)
        # Themes from issue centres, weighted by distinct texts: issues are denoised summaries of their texts.
        issue_weight = np.bincount(issue[issue >= 0], weights=weight[issue >= 0], minlength=len(centroids))
        theme_of_issue = cluster.cluster_themes(centroids, issue_weight, self.themes, self.random_state) \
            if len(centroids) else np.zeros(0, dtype=int)
        theme_of_issue = cluster.relabel_by_size(theme_of_issue, issue_weight)
        self.theme_centroids_ = _centres(centroids, theme_of_issue, issue_weight)
        theme = np.where(issue >= 0, theme_of_issue[np.maximum(issue, 0)] if len(centroids) else -1, -1)
        # 未归类 texts with words still get the nearest theme: the theme is usually clear even when the issue is not.
        lone = (issue < 0) & nonempty
        if lone.any() and len(self.theme_centroids_):
            theme[lone] = np.argmax(Z[lone] @ self.theme_centroids_.T, axis=1)

        self.issue_centroids_ = centroids
        self.theme_of_issue_ = theme_of_issue
        self._store_frames(ids, clean, places, X, Z, issue, theme, reasons, similarity, dup, weight,
                           times, respondents)
        return self

    def fit_transform(self, texts, ids=None, times=None, respondents=None) -> pd.DataFrame:
        return self.fit(texts, ids=ids, times=times, respondents=respondents).assignments_

    def _settle_issues(self, Z, issue, centroids, nonempty, weight):
        """Dissolve too-small issues, send dissimilar texts to 未归类, renumber by size."""
        n = len(issue)
        reasons = np.full(n, "", dtype=object)
        reasons[~nonempty] = REASON_EMPTY
        similarity = np.zeros(n, dtype=np.float32)
        ok = issue >= 0
        similarity[ok] = np.einsum("ij,ij->i", Z[ok], centroids[issue[ok]])
        weak = ok & (similarity < self.min_similarity)
        issue[weak] = UNASSIGNED
        # Texts, not distinct texts: a campaign of 50 identical letters is still an issue.
        counts = np.bincount(issue[issue >= 0], minlength=len(centroids))
        small = np.flatnonzero(counts < self.min_issue_size)
        tiny = np.isin(issue, small) & (issue >= 0)
        issue[tiny] = UNASSIGNED
        reasons[(weak | tiny) & nonempty] = REASON_ISOLATED
        # Keep only issues that still have members; recompute centres from their members.
        issue = cluster.relabel_by_size(issue, weight)
        k = issue.max() + 1 if (issue >= 0).any() else 0
        new_centroids = _centres(Z, issue, weight, k)
        return issue, new_centroids, reasons, similarity

    # ------------------------------------------------------------------ frames
    def _store_frames(self, ids, clean, places, X, Z, issue, theme, reasons, similarity, dup, weight,
                      times, respondents):
        n = len(ids)
        times = pd.to_datetime(pd.Series(list(times)), errors="coerce") if times is not None \
            else pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        respondents = pd.Series(list(respondents)) if respondents is not None else pd.Series(np.arange(n))
        self.assignments_ = pd.DataFrame({
            "id": ids,
            "topic_id": issue,
            "theme_id": theme,
            "similarity": np.round(similarity.astype(float), 4),
            "duplicate_of": [ids[d] if d >= 0 else None for d in dup],
            "reason": reasons,
        })
        vocab = self.vectorizer_.vocabulary
        k = len(self.issue_centroids_)
        issue_kw = keywords.top_terms(keywords.class_tfidf(X, issue, k), vocab, self.n_keywords) if k else []
        n_themes = int(theme.max()) + 1 if (theme >= 0).any() else 0
        theme_kw = keywords.top_terms(keywords.class_tfidf(X, theme, n_themes), vocab, self.n_keywords) \
            if n_themes else []
        frame = pd.DataFrame({"issue": issue, "theme": theme, "time": times.values, "who": respondents.values,
                              "weight": weight, "sim": similarity})
        rows = []
        for t, members in frame[frame["issue"] >= 0].groupby("issue", sort=True):
            idx = members.index.to_numpy()
            pl = keywords.common_places([places[i] for i in idx], min_share=0.2)
            rows.append(self._topic_row(t, int(self.theme_of_issue_[t]), issue_kw[t], pl, members, clean, Z,
                                        self.issue_centroids_[t]))
        rows.append(self._unassigned_row(frame, clean, places))
        self.topics_ = pd.DataFrame(rows)
        theme_rows = []
        for t in range(n_themes):
            members = frame[frame["theme"] == t]
            theme_rows.append({
                "theme_id": t,
                "label": keywords.theme_label(theme_kw[t]),
                "keywords": " ".join(theme_kw[t]),
                "size": int(members["who"].nunique()),
                "n_texts": len(members),
                "n_distinct": int(round(members["weight"].sum())),
                "n_topics": int((self.theme_of_issue_ == t).sum()),
            })
        self.themes_ = pd.DataFrame(theme_rows, columns=["theme_id", "label", "keywords", "size", "n_texts",
                                                         "n_distinct", "n_topics"])

    def _topic_row(self, topic_id, theme_id, kw, places, members, clean, Z, centre):
        idx = members.index.to_numpy()
        return {
            "topic_id": topic_id,
            "theme_id": theme_id,
            "label": keywords.issue_label(kw, places, len(idx)),
            "keywords": " ".join(kw),
            "size": int(members["who"].nunique()),
            "representative": " | ".join(_representatives(idx, clean, Z, centre)),
            "places": "、".join(places),
            "first_seen": members["time"].min(),
            "last_seen": members["time"].max(),
            "n_texts": len(idx),
            "n_distinct": int(round(members["weight"].sum())),
            "reason": "",
        }

    def _unassigned_row(self, frame, clean, places):
        members = frame[frame["issue"] < 0]
        reasons = self.assignments_.loc[members.index, "reason"].value_counts()
        reason = "；".join(f"{r}：{c} 条" for r, c in reasons.items())
        quotes = [clean[i][:_QUOTE_CHARS] for i in members.index[:3] if clean[i]]
        return {
            "topic_id": UNASSIGNED, "theme_id": UNASSIGNED, "label": UNASSIGNED_LABEL, "keywords": "",
            "size": int(members["who"].nunique()), "representative": " | ".join(quotes), "places": "",
            "first_seen": members["time"].min(), "last_seen": members["time"].max(),
            "n_texts": len(members), "n_distinct": int(round(members["weight"].sum())), "reason": reason,
        }

    # ------------------------------------------------------------------ new texts
    def transform(self, texts, ids=None) -> pd.DataFrame:
        """Assign new texts to the existing issues and themes (ids unchanged, nothing renumbered)."""
        with threadpool_limits(1):
            return self._transform(texts, ids)

    def _transform(self, texts, ids):
        if not hasattr(self, "issue_centroids_"):
            raise TopicsError("模型尚未训练：请先调用 fit(texts)，再对新文本调用 transform。")
        texts = list(texts)
        n = len(texts)
        ids = np.arange(n) if ids is None else np.asarray(list(ids))
        clean, tokens, _, _ = self._prepare(texts)
        X, Z = self.vectorizer_.transform(tokens)
        nonempty = np.asarray(X.getnnz(axis=1) > 0)
        issue = np.full(n, UNASSIGNED, dtype=int)
        theme = np.full(n, UNASSIGNED, dtype=int)
        similarity = np.zeros(n, dtype=np.float32)
        reasons = np.full(n, REASON_EMPTY, dtype=object)
        if len(self.issue_centroids_) and nonempty.any():
            sims = Z[nonempty] @ self.issue_centroids_.T
            best = np.argmax(sims, axis=1)
            similarity[nonempty] = sims[np.arange(len(best)), best]
            good = similarity[nonempty] >= self.min_similarity
            rows = np.flatnonzero(nonempty)
            issue[rows[good]] = best[good]
            reasons[rows] = np.where(good, "", REASON_ISOLATED)
            theme[rows] = np.argmax(Z[nonempty] @ self.theme_centroids_.T, axis=1)
            theme[rows[good]] = self.theme_of_issue_[best[good]]
        return pd.DataFrame({"id": ids, "topic_id": issue, "theme_id": theme,
                             "similarity": np.round(similarity.astype(float), 4), "reason": reasons})


def _distinct_weight(dup: np.ndarray) -> np.ndarray:
    """Weight per text so that each near-duplicate group sums to 1 (campaigns counted once)."""
    weight = np.ones(len(dup), dtype=float)
    grouped = dup >= 0
    if grouped.any():
        sizes = pd.Series(dup[grouped]).map(pd.Series(dup[grouped]).value_counts()).to_numpy()
        weight[grouped] = 1.0 / sizes
    return weight


def _centres(Z, labels, weights, k=None):
    """Unit-length weighted mean vector per label 0..k-1."""
    from sklearn.preprocessing import normalize as l2_normalize

    labels = np.asarray(labels)
    k = (labels.max() + 1 if (labels >= 0).any() else 0) if k is None else k
    valid = labels >= 0
    M = sp.csr_matrix((np.asarray(weights, dtype=np.float64)[valid], (labels[valid], np.flatnonzero(valid))),
                      shape=(k, len(labels)))
    out = np.asarray(M @ Z)
    return l2_normalize(out).astype(np.float32)


def _representatives(idx, clean, Z, centre, n: int = 3) -> list[str]:
    """The ``n`` distinct texts closest to the issue centre, shortened for display."""
    order = idx[np.lexsort((idx, -(Z[idx] @ centre)))]
    quotes: list[str] = []
    for i in order:
        quote = clean[i][:_QUOTE_CHARS] + ("…" if len(clean[i]) > _QUOTE_CHARS else "")
        if quote and quote not in quotes:
            quotes.append(quote)
        if len(quotes) == n:
            break
    return quotes
