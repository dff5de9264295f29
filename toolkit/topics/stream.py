"""Streaming path for inputs too large to hold at once (1,000,000 concerns in a few GB).

The input is read in chunks: a seeded uniform sample is drawn (one pass to count, one to
collect) and the TopicModel is fitted on it; a last pass assigns every text with ``transform``
(issues and themes never renumber) and writes ``assignments.csv`` chunk by chunk while counting
sizes and first/last seen per issue and theme. Near-duplicate groups are only found inside the
sample, so ``n_distinct`` is the sample's share scaled to the full counts.

For inputs already in memory (``weidiaoyan brief`` on a large store): :func:`hashed_sample` picks the
sample by a seeded hash of each id (the same store gives the same sample, whatever the row order) and
:func:`assign_in_chunks` gives every other text its issue, a chunk at a time, as one compact array.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.messages import Columns, in_chunks
from toolkit.outfolder import check_out_dir, output_folder
from toolkit.outputs import write_csv
from toolkit.topics.errors import TopicsError
from toolkit.topics.io import ASSIGNMENT_COLUMNS, OUTPUT_FILES, write_files


def iter_concerns(path, text_col, id_col, time_col=None, chunksize: int = 50_000):
    """Yield frames ``id, text, time`` of a large input: a CSV read in chunks, decoded and checked as the
    whole-file path does (other formats are read whole, then sliced); see :func:`toolkit.messages.in_chunks`."""
    return in_chunks(path, Columns(text=text_col, id=id_col, time=time_col), error=TopicsError, chunksize=chunksize)


def sample_rows(path, text_col, id_col, time_col, size: int, seed: int, chunksize: int) -> pd.DataFrame:
    """A seeded uniform sample of ``size`` rows: one pass counts rows, a second keeps the chosen ones."""
    total = sum(len(c) for c in iter_concerns(path, text_col, id_col, None, chunksize))
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(total, size=min(size, total), replace=False))
    kept, start = [], 0
    for chunk in iter_concerns(path, text_col, id_col, time_col, chunksize):
        lo, hi = np.searchsorted(chosen, [start, start + len(chunk)])
        kept.append(chunk.iloc[chosen[lo:hi] - start])
        start += len(chunk)
    return pd.concat(kept, ignore_index=True)


def hashed_sample(ids, size: int, seed: int = 0) -> np.ndarray:
    """Positions (ascending) of the ``size`` ids with the smallest seeded hash (all positions when there are
    no more than ``size``). The hash is of the id as text, keyed by ``seed`` (pandas' SipHash, the same on
    every machine): the same ids give the same sample in any order."""
    keys = np.asarray([str(i) for i in ids], dtype=object)
    if size >= len(keys):
        return np.arange(len(keys))
    hashed = pd.util.hash_array(keys, hash_key=f"{seed:016d}"[-16:], categorize=False)
    order = np.lexsort((np.arange(len(keys)), hashed))  # equal hashes (practically none) by position
    return np.sort(order[:size])


def assign_in_chunks(model, texts, ids, *, chunksize: int = 50_000) -> np.ndarray:
    """The issue (``topic_id``, -1 = 未归类) of each text by ``model.transform``, ``chunksize`` texts at a
    time: only one chunk's tokens and features are held, the result is one int32 per text."""
    texts, ids = list(texts), list(ids)
    out = np.empty(len(texts), dtype=np.int32)
    for start in range(0, len(texts), chunksize):
        stop = start + chunksize
        out[start:stop] = model.transform(texts[start:stop], ids=ids[start:stop])["topic_id"].to_numpy()
    return out


def fit_stream(
    path, text_col, id_col, time_col=None, *, out, sample_size: int = 100_000, chunksize: int = 50_000, **model_params
):
    """Fit on a sample of a large input, assign all of it in chunks, write the three CSV files.

    Returns the fitted model (its frames describe the sample; the files describe everything).
    """
    from tqdm.auto import tqdm

    from toolkit.topics import TopicModel

    check_out_dir(out, error=TopicsError)  # before minutes of sampling and fitting
    seed = model_params.get("random_state", 0)
    progress = model_params.get("progress", True)
    sample = sample_rows(path, text_col, id_col, time_col, sample_size, seed, chunksize)
    model = TopicModel(**model_params)
    model.fit(sample["text"], ids=sample["id"], times=sample["time"] if time_col else None)
    del sample

    with output_folder(out, error=TopicsError, names=OUTPUT_FILES) as stage:  # all three files or none
        tally = []
        with open(stage / "assignments.csv", "w", encoding="utf-8-sig", newline="") as fh:
            header = True
            for chunk in tqdm(
                iter_concerns(path, text_col, id_col, time_col, chunksize), desc="分配", unit="块", disable=not progress
            ):
                assigned = model.transform(chunk["text"], ids=chunk["id"])
                write_csv(assigned[ASSIGNMENT_COLUMNS + ["similarity", "reason"]], fh, header=header)
                header = False
                tally.append(_tally(assigned, chunk["time"]))
        _rewrite_counts(model, stage, pd.concat(tally, ignore_index=True))
    return model


def _tally(assigned, times) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "topic_id": assigned["topic_id"].to_numpy(),
            "theme_id": assigned["theme_id"].to_numpy(),
            "time": pd.to_datetime(pd.Series(times)).to_numpy(),
        }
    )
    return (
        frame.groupby(["topic_id", "theme_id"], dropna=False)
        .agg(n=("time", "size"), first=("time", "min"), last=("time", "max"))
        .reset_index()
    )


def _rewrite_counts(model, out: Path, tally: pd.DataFrame) -> None:
    by_topic = tally.groupby("topic_id").agg(n=("n", "sum"), first=("first", "min"), last=("last", "max"))
    by_theme = tally.groupby("theme_id")["n"].sum()
    topics = model.topics_.copy()
    share = topics["n_distinct"] / topics["n_texts"].where(topics["n_texts"] > 0)
    topics["size"] = topics["topic_id"].map(by_topic["n"]).fillna(0).astype(int)
    topics["n_texts"] = topics["size"]
    topics["first_seen"] = topics["topic_id"].map(by_topic["first"])
    topics["last_seen"] = topics["topic_id"].map(by_topic["last"])
    topics["n_distinct"] = (share.fillna(1) * topics["n_texts"]).round().astype(int)
    themes = model.themes_.copy()
    share = themes["n_distinct"] / themes["n_texts"].where(themes["n_texts"] > 0)
    themes["size"] = themes["theme_id"].map(by_theme).fillna(0).astype(int)
    themes["n_texts"] = themes["size"]
    themes["n_distinct"] = (share.fillna(1) * themes["n_texts"]).round().astype(int)
    model.topics_, model.themes_ = topics, themes
    write_files(model, out, parts=("topics.csv", "themes.csv"))
