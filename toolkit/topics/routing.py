"""Routing: learn standing categories (e.g. 一级分类 → responsible department) from labelled history.

A supervised complement to the unsupervised issues and themes: when past concerns carry a
category, new ones are routed the same way. Word TF-IDF (our jieba tokens, with bigrams) plus
character 2–3-gram TF-IDF feed a linear SVM — the set-up of the published contest solutions.

>>> router = Router().fit(history["text"], history["一级分类"])          # doctest: +SKIP
>>> router.route(new["text"])                                          # doctest: +SKIP
>>> router.evaluate(history["text"], history["一级分类"])["macro_f1"]   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from toolkit.topics.errors import TopicsError


def _identity(tokens):
    return tokens


class Router:
    """Linear SVM over word and character TF-IDF.

    Parameters
    ----------
    C : float
        SVM regularisation (smaller = smoother).
    departments : dict, optional
        Category → responsible department, added as a column by :meth:`route`.
    """

    def __init__(self, C: float = 1.0, departments: dict | None = None, random_state=0, n_jobs=None,
                 progress: bool = False):
        self.C = C
        self.departments = departments
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    def _features(self, texts, fit: bool):
        from toolkit.text import prepare_many

        clean, tokens, _, _ = prepare_many(texts, n_jobs=self.n_jobs, progress=self.progress)
        if fit:
            self.words_ = TfidfVectorizer(analyzer=_identity, ngram_range=(1, 1), min_df=2, sublinear_tf=True,
                                          dtype=np.float32)
            self.chars_ = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), min_df=2, max_features=300_000,
                                          sublinear_tf=True, dtype=np.float32)
            return sp.hstack([self.words_.fit_transform(tokens), self.chars_.fit_transform(clean)]).tocsr()
        return sp.hstack([self.words_.transform(tokens), self.chars_.transform(clean)]).tocsr()

    def fit(self, texts, labels):
        texts, labels = list(texts), pd.Series(list(labels))
        if labels.isna().any():
            raise TopicsError(f"分类标签有 {int(labels.isna().sum())} 条为空。请去掉未分类的历史记录后再训练。")
        if labels.nunique() < 2:
            raise TopicsError("分类标签少于 2 种，无法训练分流模型。请提供带有多个类别的历史记录。")
        with threadpool_limits(1):
            X = self._features(texts, fit=True)
            self.classifier_ = LinearSVC(C=self.C, random_state=self.random_state).fit(X, labels.astype(str))
        self.classes_ = self.classifier_.classes_
        return self

    def predict(self, texts) -> np.ndarray:
        with threadpool_limits(1):
            return self.classifier_.predict(self._features(list(texts), fit=False))

    def route(self, texts, ids=None) -> pd.DataFrame:
        """``id, category, margin`` (+ ``department``): margin is the SVM score gap to the runner-up."""
        texts = list(texts)
        with threadpool_limits(1):
            scores = self.classifier_.decision_function(self._features(texts, fit=False))
        if scores.ndim == 1:  # two classes
            scores = np.column_stack([-scores, scores])
        top = np.sort(scores, axis=1)
        out = pd.DataFrame({"id": np.arange(len(texts)) if ids is None else list(ids),
                            "category": self.classes_[scores.argmax(axis=1)],
                            "margin": np.round(top[:, -1] - top[:, -2], 4)})
        if self.departments:
            out["department"] = out["category"].map(self.departments).fillna("")
        return out

    def evaluate(self, texts, labels, test_size: float = 0.2) -> dict:
        """Fit on a stratified split and report macro-F1 (and a per-category table) on the held-out part."""
        texts, labels = list(texts), list(labels)
        train_x, test_x, train_y, test_y = train_test_split(
            texts, labels, test_size=test_size, stratify=labels, random_state=self.random_state)
        self.fit(train_x, train_y)
        predicted = self.predict(test_x)
        report = classification_report(test_y, predicted, output_dict=True, zero_division=0)
        return {"macro_f1": f1_score(test_y, predicted, average="macro"), "n_train": len(train_x),
                "n_test": len(test_x), "report": pd.DataFrame(report).T}
