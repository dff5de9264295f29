"""Routing: learn standing categories (e.g. 一级分类 → responsible department) from labelled history.

A supervised complement to the unsupervised issues and themes: when past concerns carry a
category, new ones are routed the same way. Features are word TF-IDF (our jieba tokens plus
adjacent-word bigrams) and character 1–3-gram TF-IDF. Two linear models vote on them: a plain
linear SVM and an NB-SVM (Wang & Manning 2012: each one-vs-rest SVM sees the features scaled by
their naive-Bayes log-count ratio for that category). The NB weighting favours words that are
typical of one category, the plain SVM keeps the rest; their sum is steadier than either alone.

>>> router = Router().fit(history["text"], history["一级分类"])          # doctest: +SKIP
>>> router.route(new["text"])                                          # doctest: +SKIP
>>> evaluate(Router(), history["text"], history["一级分类"])["macro_f1"]  # doctest: +SKIP

Tokenising is the slow part; :func:`prepare` does it once so several fits (splits, parameter
choices) can share it: ``evaluate(Router(C=1.0), prepare(texts), labels)``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from toolkit.topics.errors import TopicsError
from toolkit.topics.estimator import Interval, StrOptions, check_fitted, validate_params


@dataclass(frozen=True)
class Prepared:
    """Texts already normalised, masked and tokenised (see :func:`prepare`), aligned by position."""

    clean: list
    tokens: list

    def __len__(self):
        return len(self.clean)

    def take(self, positions) -> Prepared:
        return Prepared([self.clean[i] for i in positions], [self.tokens[i] for i in positions])


def prepare(texts, n_jobs=None, progress: bool = False) -> Prepared:
    """Normalise, mask personal data and tokenise once, for reuse across fits and predictions."""
    if isinstance(texts, Prepared):
        return texts
    from toolkit.text import prepare_many

    clean, tokens, _, _ = prepare_many(list(texts), n_jobs=n_jobs, progress=progress)
    return Prepared(clean, tokens)


def _checked_labels(n_texts: int, labels) -> np.ndarray:
    """Labels as stripped strings, or a TopicsError saying what is wrong with them."""
    if labels is None:
        raise TopicsError("routing.labels_missing")
    labels = pd.Series(list(labels), dtype=object)
    if n_texts != len(labels):
        raise TopicsError("routing.labels_mismatch", texts=n_texts, labels=len(labels))
    missing = labels.isna() | (labels.astype(str).str.strip() == "")
    if missing.any():
        rows = "、".join(str(i + 1) for i in np.flatnonzero(missing)[:5])
        more = "等" if missing.sum() > 5 else ""
        raise TopicsError("routing.labels_empty", count=int(missing.sum()), rows=rows, more=more)
    labels = labels.astype(str).str.strip().to_numpy()
    if len(set(labels)) < 2:
        only = f"只有「{labels[0]}」" if len(labels) else "没有任何记录"
        raise TopicsError("routing.one_label", only=only)
    return labels


def _identity(tokens):
    return tokens


def _with_bigrams(tokens):
    # Adjacent content-word pairs ("加装 电梯") separate categories that share single words.
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


class _NBSVM:
    """One-vs-rest linear SVMs on features scaled by each category's NB log-count ratio."""

    def __init__(self, C, alpha=1.0, random_state=0):
        self.C, self.alpha, self.random_state = C, alpha, random_state

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        present = (X > 0).astype(np.float32).tocsr()
        self.ratios_, self.models_ = [], []
        for category in self.classes_:
            inside = y == category
            p = self.alpha + np.asarray(present[inside].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~inside].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            model = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
            self.ratios_.append(ratio)
            self.models_.append(model.fit(self._scaled(X, ratio), inside))
        return self

    @staticmethod
    def _scaled(X, ratio):
        return normalize(sp.csr_matrix(X.multiply(ratio)))

    def decision_function(self, X):
        return np.column_stack(
            [
                model.decision_function(self._scaled(X, ratio))
                for model, ratio in zip(self.models_, self.ratios_, strict=True)
            ]
        )


def _is_ngram_range(value) -> bool:
    return (
        len(value) == 2
        and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1]
    )


class Router(ClassifierMixin, BaseEstimator):
    """Linear SVM (+ NB-SVM) over word and character TF-IDF.

    A scikit-learn classifier over a sequence of texts (str, or :func:`prepare` output): ``clone``,
    ``get_params``/``set_params``, ``score`` and pipelines work; parameters are checked at :meth:`fit`
    (a :class:`TopicsError` in Chinese names the first wrong one).

    Parameters
    ----------
    C : float > 0, default=0.5
        SVM regularisation (smaller = smoother).
    departments : dict, optional
        Category → responsible department, added as a column by :meth:`route`.
    random_state : int, RandomState or None, default=0
        Seed of the SVMs' coordinate descent (and of :func:`evaluate`'s split).
    n_jobs : int or None, default=None
        Processes for tokenising raw texts (None or <= 0 = all cores).
    progress : bool, default=False
        Show a tqdm progress bar while tokenising.
    class_weight : "balanced", dict or None, default="balanced"
        ``"balanced"`` keeps small categories from being swallowed by large ones (macro-F1 counts them equally).
    word_bigrams : bool, default=True
        Add adjacent-word pairs to the word features.
    char_ngrams : (int, int), default=(1, 3)
        Character n-gram range, 1 <= low <= high; 1-grams matter in Chinese (医, 校, 车 are whole words).
    char_min_df : int >= 1, default=3
        Character n-grams seen in fewer training texts are dropped (mostly names and numbers).
    nb_svm : bool, default=True
        Add the NB-SVM vote; ``False`` gives a single linear SVM.

    Attributes
    ----------
    classes_ : ndarray of str
        The categories, in the column order of :meth:`decision_function`.
    words_, chars_ : TfidfVectorizer
        The fitted word (tokens, + bigrams) and character n-gram features.
    models_ : list
        The fitted voters: a ``LinearSVC`` and, with ``nb_svm``, the NB-SVM.
    scales_ : list of float
        Each voter's score spread on the training texts; votes are divided by it before they are summed.

    See Also
    --------
    evaluate : macro-F1 of a clone fitted on a stratified split.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> clone(Router(C=1.0)).get_params()["C"]
    1.0
    >>> router = Router(departments={"交通": "交通局"}).fit(texts, labels)   # doctest: +SKIP
    >>> router.route(["车位不够停车难"])                                    # doctest: +SKIP
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "departments": [dict, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "progress": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "word_bigrams": ["boolean"],
        "char_ngrams": [tuple, list],
        "char_min_df": [Interval(Integral, 1, None, closed="left")],
        "nb_svm": ["boolean"],
    }
    # What the constraints above cannot say.
    _rules = (("char_ngrams", _is_ngram_range, "两个整数 (low, high)，1 ≤ low ≤ high，例如 (1, 3)"),)

    def __init__(
        self,
        C: float = 0.5,
        departments: dict | None = None,
        random_state=0,
        n_jobs=None,
        progress: bool = False,
        class_weight="balanced",
        word_bigrams: bool = True,
        char_ngrams=(1, 3),
        char_min_df: int = 3,
        nb_svm: bool = True,
    ):
        self.C = C
        self.departments = departments
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.class_weight = class_weight
        self.word_bigrams = word_bigrams
        self.char_ngrams = char_ngrams
        self.char_min_df = char_min_df
        self.nb_svm = nb_svm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # a sequence of texts, not a numeric matrix
        tags.input_tags.string = True
        return tags

    def _features(self, prepared: Prepared, fit: bool):
        if fit:
            self.words_ = TfidfVectorizer(
                analyzer=_with_bigrams if self.word_bigrams else _identity,
                min_df=2,
                sublinear_tf=True,
                dtype=np.float32,
            )
            # The cap bounds memory on very large histories; a few thousand texts stay well below it.
            self.chars_ = TfidfVectorizer(
                analyzer="char",
                ngram_range=tuple(self.char_ngrams),
                min_df=self.char_min_df,
                max_features=300_000,
                sublinear_tf=True,
                dtype=np.float32,
            )
            return sp.hstack(
                [self.words_.fit_transform(prepared.tokens), self.chars_.fit_transform(prepared.clean)]
            ).tocsr()
        return sp.hstack([self.words_.transform(prepared.tokens), self.chars_.transform(prepared.clean)]).tocsr()

    def fit(self, texts, y):
        """Learn from ``texts`` and their categories.

        Parameters
        ----------
        texts : sequence of str or Prepared
            Past concerns (raw, or :func:`prepare` output to reuse its tokens).
        y : sequence of str
            The category of each text; at least two distinct, none empty.

        Returns
        -------
        self : Router
        """
        validate_params(self, self._rules)
        prepared = prepare(texts, n_jobs=self.n_jobs, progress=self.progress)
        labels = _checked_labels(len(prepared), y)
        with threadpool_limits(1):
            try:
                X = self._features(prepared, fit=True)
            except ValueError as err:  # empty vocabulary: every word and n-gram is rarer than min_df
                raise TopicsError("routing.no_vocabulary", count=len(prepared)) from err
            models = [LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)]
            if self.nb_svm:
                models.append(_NBSVM(C=self.C, random_state=self.random_state))
            self.models_ = [m.fit(X, labels) for m in models]
            # Put the votes on one scale: each model's scores divided by their spread on the training texts.
            self.scales_ = [float(np.std(self._scores(m, X))) or 1.0 for m in self.models_]
        self.classes_ = self.models_[0].classes_
        return self

    @staticmethod
    def _scores(model, X):
        scores = model.decision_function(X)
        return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores  # two classes

    def decision_function(self, texts) -> np.ndarray:
        """Combined score of every text for every category (columns in ``classes_`` order)."""
        check_fitted("routing.not_fitted", self, "models_")
        prepared = prepare(texts, n_jobs=self.n_jobs, progress=self.progress)
        with threadpool_limits(1):
            X = self._features(prepared, fit=False)
            return sum(self._scores(m, X) / s for m, s in zip(self.models_, self.scales_, strict=True))

    def predict(self, texts) -> np.ndarray:
        scores = self.decision_function(texts)
        return self.classes_[scores.argmax(axis=1)]

    def route(self, texts, ids=None) -> pd.DataFrame:
        """``id, category, margin`` (+ ``department``): margin is the score gap to the runner-up."""
        scores = self.decision_function(texts)
        top = np.sort(scores, axis=1)
        out = pd.DataFrame(
            {
                "id": np.arange(len(scores)) if ids is None else list(ids),
                "category": self.classes_[scores.argmax(axis=1)],
                "margin": np.round(top[:, -1] - top[:, -2], 4),
            }
        )
        if self.departments:
            out["department"] = out["category"].map(self.departments).fillna("")
        return out

    def evaluate(self, texts, labels, test_size: float = 0.2) -> dict:
        """Deprecated: use :func:`evaluate` (it fits a clone and leaves this router as it was)."""
        warnings.warn(
            "Router.evaluate is deprecated; use toolkit.topics.routing.evaluate(router, texts, labels)",
            FutureWarning,
            stacklevel=2,
        )
        return evaluate(self, texts, labels, test_size=test_size)


def evaluate(router: Router, texts, labels, *, test_size: float = 0.2) -> dict:
    """Fit a clone of ``router`` on a stratified split and report macro-F1 on the held-out part.

    Parameters
    ----------
    router : Router
        Its parameters are used; it is not fitted or changed.
    texts : sequence of str or Prepared
    labels : sequence of str
        The category of each text; every category needs at least 2 texts (one may be held out).
    test_size : float, default=0.2
        Share of the texts held out (split with ``router.random_state``).

    Returns
    -------
    dict
        ``macro_f1``, ``n_train``, ``n_test``, ``report`` (per-category precision, recall, F1 as a
        DataFrame) and ``router`` (the clone, fitted on the training part).
    """
    validate_params(router, router._rules)
    prepared = prepare(texts, n_jobs=router.n_jobs, progress=router.progress)
    labels = _checked_labels(len(prepared), labels)
    counts = pd.Series(labels).value_counts()
    if counts.min() < 2:
        raise TopicsError("routing.class_too_small", label=counts.index[-1])
    train, test = train_test_split(
        np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=router.random_state
    )
    fitted = clone(router).fit(prepared.take(train), labels[train])
    predicted = fitted.predict(prepared.take(test))
    report = classification_report(labels[test], predicted, output_dict=True, zero_division=0)
    return {
        "macro_f1": f1_score(labels[test], predicted, average="macro"),
        "n_train": len(train),
        "n_test": len(test),
        "report": pd.DataFrame(report).T,
        "router": fitted,
    }
