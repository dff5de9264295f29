"""Near-duplicates and campaigns: the same text posted many times, by one person or many.

They are kept (each is a real submission) but grouped, so heat counts a group once.
Comparisons run inside each issue only: near-duplicates land in the same issue anyway,
and this keeps the cost at the sum of squared issue sizes instead of n².
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize as l2_normalize

# Largest block compared at once (rows × rows sparse product).
_BLOCK = 4000


def near_duplicate_groups(X, issues: np.ndarray, threshold: float = 0.9) -> np.ndarray:
    """Group id per text (the first member's row index), or -1 when the text has no near-duplicate.

    ``X`` is the TF-IDF matrix; cosine ≥ ``threshold`` links two texts; groups are connected components.
    """
    n = X.shape[0]
    X = l2_normalize(sp.csr_matrix(X))
    rows, cols = [], []
    issues = np.asarray(issues)
    order = np.argsort(issues, kind="stable")
    bounds = np.flatnonzero(np.diff(issues[order])) + 1
    for members in np.split(order, bounds):
        if len(members) < 2:
            continue
        for start in range(0, len(members), _BLOCK):
            block = members[start : start + _BLOCK]
            S = (X[block] @ X[members].T).tocoo()
            keep = (S.data >= threshold) & (block[S.row] < members[S.col])
            rows.append(block[S.row[keep]])
            cols.append(members[S.col[keep]])
    if rows:
        r, c = np.concatenate(rows), np.concatenate(cols)
    else:
        r = c = np.array([], dtype=int)
    graph = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    sizes = np.bincount(comp)
    first = np.full(comp.max() + 1 if n else 0, n, dtype=int)
    np.minimum.at(first, comp, np.arange(n))
    return np.where(sizes[comp] > 1, first[comp], -1)
