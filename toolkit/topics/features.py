"""Documents → TF-IDF → LSA vectors (the shared representation of issues and themes).

Themes are fitted on these vectors, then refined on TF-IDF columns that carry a domain (words used by enough
texts: :func:`toolkit.topics.cluster.theme_word_weights`), so one estate's or company's name cannot pull a theme.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize


def _identity(tokens):
    return tokens


def _svd_input(X):
    # TruncatedSVD needs two columns; texts that all share one word (a campaign) give one.
    return sp.hstack([X, sp.csr_matrix((X.shape[0], 1), dtype=X.dtype)]).tocsr() if X.shape[1] < 2 else X


class LsaVectorizer:
    """TF-IDF over pre-tokenised documents followed by truncated SVD, rows L2-normalised.

    Sublinear term frequency keeps long letters from drowning short ones; ``max_df`` drops
    words that appear everywhere (they separate nothing); ``min_df`` drops one-off typos.
    """

    def __init__(
        self,
        n_components: int = 150,
        min_df: int | float = 2,
        max_df: float = 0.5,
        max_features: int | None = 50_000,
        random_state: int | None = 0,
    ):
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, tokens):
        """Fit on ``tokens`` (lists of words); returns ``(X, Z)``: TF-IDF rows and unit LSA vectors."""
        small = len(tokens) < 20  # tiny inputs (tests, one 接待日) keep every word
        self.tfidf_ = TfidfVectorizer(
            analyzer=_identity,
            min_df=1 if small else self.min_df,
            max_df=1.0 if small else self.max_df,
            max_features=self.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        try:
            X = self.tfidf_.fit_transform(tokens)
        except ValueError:  # every document empty after filtering
            self.tfidf_ = TfidfVectorizer(analyzer=_identity, min_df=1, dtype=np.float32)
            X = self.tfidf_.fit_transform([["_"]] + list(tokens))[1:]
        self.svd_, Z = self._fit_svd(X)
        return X, Z

    def _fit_svd(self, X):
        k = max(1, min(self.n_components, X.shape[1] - 1, X.shape[0] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=self.random_state)
        return svd, l2_normalize(svd.fit_transform(_svd_input(X))).astype(np.float32)

    def transform(self, tokens):
        """``(X, Z)`` for new texts."""
        X = self.tfidf_.transform(tokens)
        return X, l2_normalize(self.svd_.transform(_svd_input(X))).astype(np.float32)

    @property
    def vocabulary(self) -> np.ndarray:
        return self.tfidf_.get_feature_names_out()
