"""Documents → TF-IDF → LSA vectors, in two views.

* the **issue view** uses every content word: an issue is one matter, often at one place;
* the **theme view** leaves out words that mostly name a particular place ("丽发", "书院路"):
  a theme is a subject, and otherwise texts group by neighbourhood instead of by matter.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

# A word counts as a place word when at least this share of the texts using it use it in a place name.
PLACE_SHARE = 0.5


def _identity(tokens):
    return tokens


class LsaVectorizer:
    """TF-IDF over pre-tokenised documents followed by truncated SVD, rows L2-normalised.

    Sublinear term frequency keeps long letters from drowning short ones; ``max_df`` drops
    words that appear everywhere (they separate nothing); ``min_df`` drops one-off typos.
    """

    def __init__(self, n_components: int = 150, min_df: int | float = 2, max_df: float = 0.5,
                 max_features: int | None = 50_000, random_state: int | None = 0):
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, tokens, place_tokens=None):
        """Fit TF-IDF on ``tokens``; ``place_tokens[i]`` lists the words of text i used in place names."""
        small = len(tokens) < 20  # tiny inputs (tests, one 接待日) keep every word
        self.tfidf_ = TfidfVectorizer(analyzer=_identity, min_df=1 if small else self.min_df,
                                      max_df=1.0 if small else self.max_df, max_features=self.max_features,
                                      sublinear_tf=True, dtype=np.float32)
        try:
            X = self.tfidf_.fit_transform(tokens)
        except ValueError:  # every document empty after filtering
            self.tfidf_ = TfidfVectorizer(analyzer=_identity, min_df=1, dtype=np.float32)
            X = self.tfidf_.fit_transform([["_"]] + list(tokens))[1:]
        self.theme_columns_ = self._theme_columns(X, place_tokens)
        self.issue_svd_, Z = self._fit_svd(X)
        self.theme_svd_, Zt = self._fit_svd(self._theme_view(X))
        return X, Z, Zt

    def _theme_columns(self, X, place_tokens) -> np.ndarray:
        n_terms = X.shape[1]
        if not place_tokens:
            return np.arange(n_terms)
        vocab = self.tfidf_.vocabulary_
        as_place = np.zeros(n_terms)
        for words in place_tokens:
            for w in words or ():
                j = vocab.get(w)
                if j is not None:
                    as_place[j] += 1
        df = np.asarray(X.getnnz(axis=0), dtype=float)
        keep = as_place < PLACE_SHARE * np.maximum(df, 1)
        return np.flatnonzero(keep) if keep.any() else np.arange(n_terms)

    def _theme_view(self, X):
        return l2_normalize(X[:, self.theme_columns_])

    def _fit_svd(self, X):
        k = max(1, min(self.n_components, X.shape[1] - 1, X.shape[0] - 1))
        svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=self.random_state)
        return svd, l2_normalize(svd.fit_transform(X)).astype(np.float32)

    def transform(self, tokens):
        """``(X, Z, X_theme, Z_theme)`` for new texts."""
        X = self.tfidf_.transform(tokens)
        Xt = self._theme_view(X)
        return (X, l2_normalize(self.issue_svd_.transform(X)).astype(np.float32), Xt,
                l2_normalize(self.theme_svd_.transform(Xt)).astype(np.float32))

    def theme_view(self, X):
        """The TF-IDF matrix restricted to theme words (rows re-normalised)."""
        return self._theme_view(X)

    @property
    def vocabulary(self) -> np.ndarray:
        return self.tfidf_.get_feature_names_out()
