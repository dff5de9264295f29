"""Prepare many texts: duplicates once, large inputs across cores, with a progress bar.

jieba's dictionary takes ~1.5 s to load per process, so it is loaded once in the parent
and inherited by forked workers; on platforms without ``fork`` each worker loads its own.
Normalising and masking run in the workers too: at a million texts they cost minutes serially.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter

from toolkit.text.normalize import normalize
from toolkit.text.pii import mask_pii
from toolkit.text.tokenize import (
    cut,
    default_jobs,
    extract_places,
    filter_tokens,
    glued_heads,
    learn_place_names,
    learnt_places,
    warm_up,
)

# Below this many distinct texts, worker start-up and result pickling cost more than they save.
PARALLEL_MIN_TEXTS = 3000
_CHUNK = 500


def _prepare_chunk(args):
    texts, clean_first, hmm, with_places = args
    out = []
    for text in texts:
        counts = Counter()
        clean = mask_pii(normalize(text), counts) if clean_first else text
        raw = cut(clean, hmm=hmm)
        out.append((clean, filter_tokens(raw), extract_places(raw) if with_places else None, counts or None))
    return out


def prepare_many(
    texts,
    *,
    clean_first: bool = True,
    n_jobs: int | None = None,
    hmm: bool = True,
    with_places: bool = False,
    progress: bool = True,
    desc: str = "分词",
):
    """Normalise + mask (unless ``clean_first=False``) and tokenise ``texts``.

    Returns ``(clean, tokens, places, pii_counts)`` aligned with ``texts``; ``places`` is ``None``
    unless ``with_places``, and holds the areas the collection names elsewhere, written bare in a text
    (see :func:`toolkit.text.tokenize.learn_place_names`), and places without a clause word glued before them
    (:func:`toolkit.text.tokenize.glued_heads`): both are learnt from the texts of this call, as a batch of new
    texts alone would not teach them; ``pii_counts`` counts masked items per kind over all texts (duplicates
    included).
    """
    from tqdm.auto import tqdm

    texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
    multiplicity = Counter(texts)
    unique = list(multiplicity)  # campaigns repeat the same text: process it once
    n_jobs = default_jobs() if n_jobs is None or n_jobs <= 0 else n_jobs
    jobs = [(unique[i : i + _CHUNK], clean_first, hmm, with_places) for i in range(0, len(unique), _CHUNK)]
    results: list = []
    warm_up(with_places)
    with tqdm(total=len(unique), desc=desc, disable=not progress, unit="条") as bar:
        if n_jobs > 1 and len(unique) >= PARALLEL_MIN_TEXTS:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            with mp.get_context(method).Pool(n_jobs) as pool:
                for part in pool.imap(_prepare_chunk, jobs):
                    results.extend(part)
                    bar.update(len(part))
        else:
            for job in jobs:
                part = _prepare_chunk(job)
                results.extend(part)
                bar.update(len(part))
    if with_places:
        # Names the collection writes with an area suffix somewhere ("星沙街道") are that area when written bare.
        names = learn_place_names(row[2] for row in results)
        if names:
            results = [
                (clean, tokens, found + learnt_places(tokens, names, found, clean), counts)
                for clean, tokens, found, counts in results
            ]
        # A place the collection names on its own is that place with a verb glued before it ("进|武广新城").
        heads = glued_heads(row[2] for row in results)
        if heads:
            results = [
                (clean, tokens, list(dict.fromkeys(heads.get(p, p) for p in found)), counts)
                for clean, tokens, found, counts in results
            ]
    by_text = dict(zip(unique, results))
    pii: Counter = Counter()
    for text, row in by_text.items():
        for kind, k in (row[3] or {}).items():
            pii[kind] += k * multiplicity[text]  # every submitted copy was masked
    rows = [by_text[t] for t in texts]
    clean = [r[0] for r in rows]
    tokens = [r[1] for r in rows]
    places = [r[2] for r in rows] if with_places else None
    return clean, tokens, places, pii


def tokenize_many(texts, *, n_jobs: int | None = None, hmm: bool = True, progress: bool = True) -> list[list[str]]:
    """Content words of each (already normalised) text, in input order (see :func:`toolkit.text.tokenize`)."""
    return prepare_many(texts, clean_first=False, n_jobs=n_jobs, hmm=hmm, progress=progress)[1]
