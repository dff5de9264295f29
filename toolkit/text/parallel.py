"""Tokenise many texts: duplicates once, large inputs across cores, with a progress bar.

jieba's dictionary takes ~1.5 s to load per process, so it is loaded once in the parent
and inherited by forked workers; on platforms without ``fork`` each worker loads its own.
"""

from __future__ import annotations

import multiprocessing as mp

from toolkit.text.tokenize import cut, default_jobs, extract_places, filter_tokens, place_words, warm_up

# Below this many distinct texts, worker start-up and result pickling cost more than they save.
PARALLEL_MIN_TEXTS = 3000
_CHUNK = 500


def _analyse_chunk(args):
    texts, hmm, with_places = args
    out = []
    for text in texts:
        raw = cut(text, hmm=hmm)
        tokens = filter_tokens(raw)
        if with_places:
            names = place_words(raw)
            out.append((tokens, extract_places(raw), [t for t in dict.fromkeys(tokens) if t in names]))
        else:
            out.append((tokens, None, None))
    return out


def analyse_many(texts, *, n_jobs: int | None = None, hmm: bool = True, with_places: bool = False,
                 progress: bool = True, desc: str = "分词"):
    """Return ``(tokens, places)`` lists aligned with ``texts`` (``places`` is ``None`` unless asked).

    With ``with_places``, ``places[i]`` is ``(place names, content tokens that are part of a place name)``.
    """
    from tqdm.auto import tqdm

    texts = ["" if t is None else str(t) for t in texts]
    unique = list(dict.fromkeys(texts))  # campaigns repeat the same text: segment it once
    n_jobs = default_jobs() if n_jobs is None or n_jobs <= 0 else n_jobs
    chunks = [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]
    jobs = [(chunk, hmm, with_places) for chunk in chunks]
    results: list = []
    warm_up()
    with tqdm(total=len(unique), desc=desc, disable=not progress, unit="条") as bar:
        if n_jobs > 1 and len(unique) >= PARALLEL_MIN_TEXTS:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            with mp.get_context(method).Pool(n_jobs) as pool:
                for part in pool.imap(_analyse_chunk, jobs):
                    results.extend(part)
                    bar.update(len(part))
        else:
            for job in jobs:
                part = _analyse_chunk(job)
                results.extend(part)
                bar.update(len(part))
    by_text = dict(zip(unique, results))
    tokens = [by_text[t][0] for t in texts]
    places = [(by_text[t][1], by_text[t][2]) for t in texts] if with_places else None
    return tokens, places


def tokenize_many(texts, *, n_jobs: int | None = None, hmm: bool = True, progress: bool = True) -> list[list[str]]:
    """Content words of each text (see :func:`toolkit.text.tokenize`), in input order."""
    return analyse_many(texts, n_jobs=n_jobs, hmm=hmm, progress=progress)[0]
