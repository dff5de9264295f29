"""TopicModel: free-text concerns → issues (fine) and themes (coarse), in scikit-learn manners."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from threadpoolctl import threadpool_limits

from toolkit.topics import cluster, keywords
from toolkit.topics.anchor import rare_names, text_anchors
from toolkit.topics.dedup import near_duplicate_groups
from toolkit.topics.errors import TopicsError
from toolkit.topics.estimator import Interval, StrOptions, check_fitted, validate_params
from toolkit.topics.features import LsaVectorizer
from toolkit.topics.issues import find_issues, gather_at_anchors, place_keys, split_at_anchors
from toolkit.topics.refine import refine_consensus, refine_themes, theme_classifier
from toolkit.topics.summary import UNASSIGNED, Corpus, centres, summarise, theme_of_issue

REASON_EMPTY = "文本为空或只有停用词，无法判断议题"
REASON_ISOLATED = "与任何议题都不相似（孤立的关切）"
# Rows compared with every issue centre at once in transform (rows × issues floats).
_TRANSFORM_BLOCK = 4096
# A text naming a place may go to that place's issue when its similarity is within this of the best.
PLACE_MARGIN = 0.1
_COUNT_OR_AUTO = [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})]
_SHARE = [Interval(Real, 0, 1, closed="both")]


class TopicModel(TransformerMixin, BaseEstimator):
    """Cluster concerns into issues and themes; see the package docstring for the frames.

    A scikit-learn transformer over a sequence of texts (str): ``clone``, ``get_params``/``set_params``
    and pipelines work; parameters are checked at :meth:`fit` (a :class:`TopicsError` in Chinese names
    the first wrong one).

    Parameters
    ----------
    themes : int >= 1 or "auto", default="auto"
        Number of themes, or ``"auto"`` (chosen by silhouette over 4–12).
    issues : int >= 1 or "auto", default="auto"
        Number of issues, or ``"auto"``: as many as the texts hold (see :mod:`toolkit.topics.issues`).
    issue_similarity : float in [0, 1], default=0.3
        Two parts of one theme are one matter while their texts' mean cosine is at least this.
    place_share : float in [0, 1], default=0.1
        A matter is split by place when each place is named by this share of its texts (or by 20 texts).
    n_components : int >= 1, default=150
        LSA dimensions (fewer when the vocabulary is smaller).
    min_similarity : float in [0, 1], default=0.15
        A text whose cosine to its issue centre is below this goes to 未归类 (reason given).
    min_issue_size : int >= 1, default=2
        Issues with fewer texts are dissolved into 未归类.
    duplicate_threshold : float in [0, 1], default=0.9
        TF-IDF cosine at which two texts count as near-duplicates.
    n_keywords : int >= 1, default=8
        Keywords listed per issue and theme.
    random_state : int, RandomState or None, default=0
        Seed of the k-means and LSA steps; the same seed and input give the same frames.
    n_jobs : int or None, default=None
        Processes for tokenising (None or <= 0 = all cores).
    progress : bool, default=True
        Show tqdm progress bars.
    hmm : bool, default=True
        Let jieba's HMM join characters into words its dictionary lacks (new place and estate names).

    Attributes
    ----------
    assignments_ : DataFrame
        One row per fitted text: ``id, topic_id, theme_id, similarity, duplicate_of, reason``.
    topics_ : DataFrame
        One row per issue plus the 未归类 row (``topic_id == -1``): label, keywords, size, quotes, places …
    themes_ : DataFrame
        One row per theme: ``theme_id, label, keywords, size, n_texts, n_distinct, n_topics``.
    issue_centroids_ : ndarray of shape (n_issues, n_lsa)
        Unit-length LSA centre of each issue; :meth:`transform` compares new texts with them.
    theme_of_issue_ : ndarray of shape (n_issues,)
        The theme of each issue.
    issues_by_place_ : dict of str to list of int
        Place name → the issues listing it (a new text naming a place prefers that place's issue).
    topic_labels_, theme_labels_ : dict of int to str
        Labels set by curation (``rename``), kept across rebuilds.
    vectorizer_ : LsaVectorizer
        The fitted TF-IDF → LSA features.
    theme_classifier_ : classifier or None
        Naive Bayes over TF-IDF that gives a new text its theme (None when no text had words).
    theme_word_weights_ : ndarray of shape (n_words,)
        Weight of each TF-IDF column when themes are refined and predicted (0: a word too rare to carry a domain).
    pii_counts_ : dict of str to int
        Personal data masked in the fitted texts, per kind.

    See Also
    --------
    toolkit.topics.routing.Router : supervised routing to standing categories.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> model = TopicModel(themes=7, progress=False)
    >>> clone(model).set_params(min_issue_size=3).get_params()["min_issue_size"]
    3
    >>> model.fit(["小区停车难", "停车位不够", "学校学位紧张", "学位不足"])           # doctest: +SKIP
    >>> model.assignments_[["id", "topic_id", "theme_id"]]                          # doctest: +SKIP
    >>> model.transform(["车位太少"])                                                # doctest: +SKIP
    """

    _parameter_constraints: dict = {
        "themes": _COUNT_OR_AUTO,
        "issues": _COUNT_OR_AUTO,
        "issue_similarity": _SHARE,
        "place_share": _SHARE,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "min_similarity": _SHARE,
        "min_issue_size": [Interval(Integral, 1, None, closed="left")],
        "duplicate_threshold": _SHARE,
        "n_keywords": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "progress": ["boolean"],
        "hmm": ["boolean"],
    }

    def __init__(
        self,
        themes="auto",
        issues="auto",
        *,
        issue_similarity: float = 0.3,
        place_share: float = 0.1,
        n_components: int = 150,
        min_similarity: float = 0.15,
        min_issue_size: int = 2,
        duplicate_threshold: float = 0.9,
        n_keywords: int = 8,
        random_state=0,
        n_jobs=None,
        progress: bool = True,
        hmm: bool = True,
    ):
        self.themes = themes
        self.issues = issues
        self.issue_similarity = issue_similarity
        self.place_share = place_share
        self.n_components = n_components
        self.min_similarity = min_similarity
        self.min_issue_size = min_issue_size
        self.duplicate_threshold = duplicate_threshold
        self.n_keywords = n_keywords
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.hmm = hmm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # a sequence of texts, not a numeric matrix
        tags.input_tags.string = True
        return tags

    # ------------------------------------------------------------------ fitting
    def _prepare(self, texts, with_places: bool = True):
        from toolkit.text import prepare_many

        return prepare_many(texts, n_jobs=self.n_jobs, hmm=self.hmm, with_places=with_places, progress=self.progress)

    def fit(self, texts, y=None, *, ids=None, times=None, respondents=None):
        """Learn issues and themes from ``texts``.

        Parameters
        ----------
        texts : sequence of str
            The concerns, one per respondent answer or letter.
        y : None
            Ignored (the model is unsupervised); accepted so that pipelines can pass it.
        ids : sequence, optional
            One id per text, kept in ``assignments_["id"]``; default 0..n-1.
        times : sequence of datetime-like, optional
            When each text was submitted: gives ``first_seen`` and ``last_seen``.
        respondents : sequence, optional
            Who said each text: ``size`` then counts distinct people rather than texts.

        Returns
        -------
        self : TopicModel
        """
        # Sparse products here are memory-bound: BLAS threads only spin against each other and
        # against the tokenising workers (measured 10× slower on a busy 2-core machine).
        with threadpool_limits(1):
            self._fit(texts, ids, times, respondents)
        return self

    def fit_transform(self, texts, y=None, *, ids=None, times=None, respondents=None) -> pd.DataFrame:
        """Fit, then assign the same texts: equal to ``fit(texts, ids=ids, …).transform(texts, ids=ids)``.

        The texts are tokenised once. The result is :meth:`transform`'s (nearest issue of the text's
        theme), which may differ from the clustering's own ``assignments_`` for a few texts.

        Returns
        -------
        DataFrame
            ``id, topic_id, theme_id, similarity, reason``, one row per text in input order.
        """
        with threadpool_limits(1):
            ids, tokens, places = self._fit(texts, ids, times, respondents)
            return self._assign(ids, tokens, places)

    def _fit(self, texts, ids, times, respondents):
        """Fit; returns what assigning the same texts needs (ids, tokens, places), so they are cut once."""
        validate_params(self)
        texts = list(texts)
        n = len(texts)
        if n == 0:
            raise TopicsError("topics.empty_input")
        ids = _checked_ids(ids, n)
        clean, tokens, places, pii = self._prepare(texts)
        self.pii_counts_ = dict(pii)

        self.vectorizer_ = LsaVectorizer(n_components=self.n_components, random_state=self.random_state)
        X, Z = self.vectorizer_.fit(tokens)
        nonempty = self._says_something(X)

        rows = np.flatnonzero(nonempty)
        theme = np.full(n, UNASSIGNED, dtype=int)
        fine = np.full(n, UNASSIGNED, dtype=int)
        if len(rows):
            dup, weight, theme[rows], fine[rows] = self._fit_themes(X, Z, rows)
        else:
            dup, weight = np.full(n, -1), np.ones(n)
            self.theme_classifier_ = None
        names = rare_names(X, self.vectorizer_.vocabulary, weight)
        anchors = text_anchors(places, names, clean)
        issue, theme = find_issues(
            Z,
            X,
            theme,
            fine,
            places,
            similarity=self.issue_similarity,
            place_share=self.place_share,
            n_issues=self.issues,
            names=names,
        )
        who = list(respondents) if respondents is not None else list(range(n))
        if self.issues == "auto":
            issue, theme = gather_at_anchors(Z, issue, theme, anchors, who, weight, PLACE_MARGIN)
            issue, cores = split_at_anchors(X, issue, anchors, who, self.vectorizer_.vocabulary, dup)
            if cores:
                issue, theme = gather_at_anchors(Z, issue, theme, anchors, who, weight, PLACE_MARGIN, home=cores)
        centroids = centres(Z, issue, weight)
        issue, centroids, reasons, similarity = self._settle_issues(Z, issue, centroids, nonempty, weight)
        self._corpus = Corpus(
            ids=ids,
            clean=clean,
            places=places,
            X=X,
            Z=Z,
            times=pd.to_datetime(pd.Series(list(times)), errors="coerce")
            if times is not None
            else pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            who=pd.Series(who),
            weight=weight,
            dup=dup,
            vocab=self.vectorizer_.vocabulary,
            anchors=anchors,
        )
        self._state = {"issue": issue, "theme": theme, "reasons": reasons, "similarity": similarity}
        self.topic_labels_, self.theme_labels_ = {}, {}
        self._rebuild(centroids)
        return ids, tokens, places

    def curate(self, action: str, **params):
        """Apply one curation step (see :mod:`toolkit.topics.curation`); returns ``self``.

        >>> model.curate("merge", topic_ids=[3, 7]).curate("rename", topic_id=3, label="搅拌站噪音")  # doctest: +SKIP
        """
        from toolkit.topics.curation import apply_step

        apply_step(self, action, params)
        return self

    def _rebuild(self, centroids=None):
        """Recompute centres (unless given) and the three frames from the per-text state."""
        st, corpus = self._state, self._corpus
        if centroids is None:
            k = int(st["issue"].max()) + 1 if (st["issue"] >= 0).any() else 0
            centroids = centres(corpus.Z, st["issue"], corpus.weight, k)
        self.issue_centroids_ = centroids
        self.theme_of_issue_ = theme_of_issue(st["issue"], st["theme"], len(centroids))
        self.assignments_, self.topics_, self.themes_ = summarise(
            corpus,
            st["issue"],
            st["theme"],
            st["reasons"],
            st["similarity"],
            centroids,
            self.n_keywords,
            self.topic_labels_,
            self.theme_labels_,
        )
        self.issues_by_place_ = self._issues_by_place()

    def _issues_by_place(self) -> dict[str, list[int]]:
        """Place name (as :func:`toolkit.topics.issues.place_keys` gives it) or anchor -> the issues listing it
        (an anchor may be a rare name, "温斯顿", that no place suffix finds: new texts name it as a word)."""
        index: dict[str, list[int]] = {}
        listed = self.topics_.loc[self.topics_["topic_id"] >= 0]
        for topic_id, places, anchor in zip(listed["topic_id"], listed["places"], listed["anchor"], strict=True):
            names = place_keys([[p for p in str(places or "").split("、") if p]])[0]
            for name in sorted(names | ({anchor} if isinstance(anchor, str) and anchor else set())):
                index.setdefault(name, []).append(int(topic_id))
        return index

    def _fit_themes(self, X, Z, rows):
        """Themes of the non-empty ``rows``: what seeded k-means runs over fine clusters' centres agree on
        (:func:`toolkit.topics.cluster.consensus_kmeans`) or, given enough texts, what naive Bayes EMs on the
        theme words from each of those runs agree on (:func:`toolkit.topics.refine.refine_consensus`).

        Also returns near-duplicate groups, the weights that make each group count once, and the fine
        clusters (the units issues are built from).
        """
        n = X.shape[0]
        # Fine clusters (~10 texts) denoise the texts before the coarse split and bound duplicate search.
        most_themes = 12 if self.themes == "auto" else int(self.themes)
        n_fine = max(cluster.n_fine_clusters(len(rows)), min(len(rows), 4 * most_themes))
        fine_rows, fine_centres = cluster.kmeans(Z[rows], n_fine, self.random_state)
        fine = np.full(n, UNASSIGNED, dtype=int)
        fine[rows] = fine_rows
        dup = near_duplicate_groups(X, fine, self.duplicate_threshold)
        weight = _distinct_weight(dup)
        fine_weight = np.bincount(fine_rows, weights=weight[rows], minlength=len(fine_centres))
        refine = len(rows) >= 20 * most_themes  # naive Bayes needs some texts per theme to estimate word rates
        theme_of_fine = cluster.cluster_themes(fine_centres, fine_weight, self.themes, self.random_state)
        labels = theme_of_fine[fine_rows]
        # Naive Bayes sees the words that carry a domain (cluster.theme_word_weights), not one matter's names.
        self.theme_word_weights_ = (
            cluster.theme_word_weights(X[rows], self.vectorizer_.vocabulary) if refine else np.ones(X.shape[1])
        )
        X_theme = cluster.theme_features(X[rows], self.theme_word_weights_)
        if refine:
            # One EM from the consensus start lands in whichever optimum is near it: refine each k-means run
            # and keep what the runs agree on (see toolkit.topics.refine), for the k asked for (the consensus
            # may hold fewer groups) or the one "auto" chose.
            k = int(theme_of_fine.max()) + 1 if self.themes == "auto" else min(int(self.themes), len(fine_centres))
            starts = cluster.kmeans_runs(fine_centres, k, self.random_state, fine_weight)[:, fine_rows]
            labels = refine_consensus(X_theme, starts, k, self.random_state, weight[rows])
            labels = self._absorb_tiny_themes(X_theme, Z[rows], labels, weight[rows])
        labels = cluster.relabel_by_size(labels, weight[rows])
        self.theme_classifier_ = theme_classifier(X_theme, labels, weight[rows])
        return dup, weight, labels, fine_rows

    def _absorb_tiny_themes(self, X, Z, labels, weight):
        """A theme is a broad domain: one holding under 1/(10k) of the texts (an outlier cluster that
        k-means kept apart) is dissolved into the others and, for a fixed k, the largest theme is split."""
        for _ in range(int(labels.max()) + 1):
            present = np.unique(labels)
            sizes = np.bincount(labels, weights=weight)[present]
            k = len(present) if self.themes == "auto" else int(self.themes)
            smallest = int(np.argmin(sizes))
            if sizes[smallest] >= weight.sum() / (10 * k) or len(present) < 3:
                return labels
            tiny = labels == present[smallest]
            clf = theme_classifier(X[~tiny], labels[~tiny], weight[~tiny])
            labels = labels.copy()
            labels[tiny] = clf.predict(X[tiny])
            if self.themes != "auto":
                largest = np.flatnonzero(
                    labels == present[np.argmax(np.where(np.arange(len(present)) == smallest, -1, sizes))]
                )
                halves, _ = cluster.kmeans(Z[largest], 2, self.random_state)
                labels[largest[halves == 1]] = present[smallest]  # reuse the freed id
            labels = refine_themes(X, labels, weight)
        return labels

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
        new_centroids = centres(Z, issue, weight, k)
        return issue, new_centroids, reasons, similarity

    # ------------------------------------------------------------------ new texts
    def transform(self, texts, ids=None) -> pd.DataFrame:
        """Assign new texts to the existing issues and themes (ids unchanged, nothing renumbered).

        Parameters
        ----------
        texts : sequence of str
        ids : sequence, optional
            One id per text, default 0..n-1.

        Returns
        -------
        DataFrame
            ``id, topic_id, theme_id, similarity, reason``, one row per text in input order; ``topic_id``
            ``-1`` (未归类) with the reason when no issue of the text's theme is similar enough.
        """
        check_fitted("topics.not_fitted", self, "issue_centroids_")
        validate_params(self)
        texts = list(texts)
        ids = _checked_ids(ids, len(texts))
        with threadpool_limits(1):
            _, tokens, places, _ = self._prepare(texts, with_places=bool(getattr(self, "issues_by_place_", {})))
            return self._assign(ids, tokens, places)

    def _assign(self, ids, tokens, places):
        """Nearest issue of each text's predicted theme, from its tokens (and places, when issues have some)."""
        n = len(tokens)
        by_place = getattr(self, "issues_by_place_", {})
        X, Z = self.vectorizer_.transform(tokens)
        nonempty = self._says_something(X)
        issue = np.full(n, UNASSIGNED, dtype=int)
        theme = np.full(n, UNASSIGNED, dtype=int)
        similarity = np.zeros(n, dtype=np.float32)
        reasons = np.where(nonempty, REASON_ISOLATED, REASON_EMPTY).astype(object)
        named = (
            [
                found | {t for t in words if t in by_place}
                for found, words in zip(place_keys(places), tokens, strict=True)
            ]
            if by_place
            else None
        )
        rows = np.flatnonzero(nonempty)
        if len(rows):  # a text with words gets its nearest theme even when it joins no issue
            theme[rows] = self._predict_theme(X[rows])
        if len(self.issue_centroids_) and len(rows):
            for start in range(0, len(rows), _TRANSFORM_BLOCK):
                block = rows[start : start + _TRANSFORM_BLOCK]
                # The nearest issue of the text's own theme: keeps the issue → theme hierarchy intact.
                sims = Z[block] @ self.issue_centroids_.T
                sims[self.theme_of_issue_[None, :] != theme[block, None]] = -np.inf
                best = np.argmax(sims, axis=1)
                if named is not None:
                    best = self._prefer_named_place(sims, best, [named[i] for i in block], by_place)
                similarity[block] = np.maximum(sims[np.arange(len(block)), best], 0)
                good = similarity[block] >= self.min_similarity
                issue[block[good]] = best[good]
                reasons[block] = np.where(good, "", REASON_ISOLATED)
        return pd.DataFrame(
            {
                "id": ids,
                "topic_id": issue,
                "theme_id": theme,
                "similarity": np.round(similarity.astype(float), 4),
                "reason": reasons,
            }
        )

    @staticmethod
    def _prefer_named_place(sims, best, named, by_place):
        """Issues of one matter at several places have alike centres (LSA blurs names): a text naming a
        place goes to the issue at that place when it is almost as near as the nearest one."""
        best = best.copy()
        for r, names in enumerate(named):
            candidates = {t for name in names for t in by_place.get(name, ())}
            if not candidates:
                continue
            options = np.fromiter(candidates, dtype=int)
            near = options[sims[r, options] >= sims[r, best[r]] - PLACE_MARGIN]
            if len(near):
                best[r] = near[np.argmax(sims[r, near])]
        return best

    def _says_something(self, X) -> np.ndarray:
        """Texts with a word other than bare negations ("没有", "不"): those alone name no matter."""
        content = np.flatnonzero(~np.isin(self.vectorizer_.vocabulary, list(keywords.NOT_KEYWORDS)))
        return np.asarray(X[:, content].getnnz(axis=1) > 0)

    def _predict_theme(self, X):
        if self.theme_classifier_ is None:
            return np.zeros(X.shape[0], dtype=int)
        word_weights = getattr(self, "theme_word_weights_", None)  # models saved before: every word as is
        return self.theme_classifier_.predict(
            X if word_weights is None else cluster.theme_features(X, word_weights)
        ).astype(int)


def _checked_ids(ids, n: int) -> np.ndarray:
    """``ids`` as an array (default 0..n-1), or a TopicsError when they are not one per text."""
    ids = np.arange(n) if ids is None else np.asarray(list(ids))
    if len(ids) != n:
        raise TopicsError("topics.ids_mismatch", count=len(ids), n=n)
    return ids


def _distinct_weight(dup: np.ndarray) -> np.ndarray:
    """Weight per text so that each near-duplicate group sums to 1 (campaigns counted once)."""
    weight = np.ones(len(dup), dtype=float)
    grouped = dup >= 0
    if grouped.any():
        sizes = pd.Series(dup[grouped]).map(pd.Series(dup[grouped]).value_counts()).to_numpy()
        weight[grouped] = 1.0 / sizes
    return weight


def parse_themes(value):
    """``--themes`` as given on a command line: a positive whole number, or "auto" (also for None)."""
    if value is None or str(value).strip().lower() == "auto":
        return "auto"
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise TopicsError("topics.themes_invalid", value=value)
    return n
