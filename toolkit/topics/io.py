"""Read concerns for ``weidiaoyan topics`` and write its three CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.messages import Columns, read
from toolkit.outputs import write_csv
from toolkit.topics.errors import TopicsError

ASSIGNMENT_COLUMNS = ["id", "topic_id", "theme_id"]
TOPIC_COLUMNS = [
    "topic_id",
    "theme_id",
    "label",
    "keywords",
    "size",
    "representative",
    "places",
    "first_seen",
    "last_seen",
]


def read_concerns(
    path,
    text_col: str,
    id_col: str,
    time_col: str | None = None,
    form_id: str | None = None,
    respondent_col: str | None = None,
) -> pd.DataFrame:
    """Return a frame with ``id``, ``text``, ``time`` (and ``respondent``) from a .csv/.xlsx/.xls file or a store.

    ``text_col`` may name several columns joined by commas ("留言主题,留言详情"): their texts are joined.
    For a store (``.db`` file or database URL) ``text_col`` is the question id and ``form_id``
    picks the form (optional when the store holds one form). See :mod:`toolkit.messages`.
    """
    columns = Columns(text=text_col, id=id_col, time=time_col, respondent=respondent_col)
    return read(path, columns, form_id=form_id, error=TopicsError)


OUTPUT_FILES = ("assignments.csv", "topics.csv", "themes.csv")


def write_outputs(model, out_dir) -> dict[str, Path]:
    """Write the three files into ``out_dir`` all at once (a killed run leaves the old ones or none)."""
    from toolkit.outfolder import output_folder, relocate

    with output_folder(out_dir, error=TopicsError, names=OUTPUT_FILES) as stage:
        paths = write_files(model, stage)
    return relocate(paths, stage, out_dir)


def write_files(model, out_dir, parts=OUTPUT_FILES) -> dict[str, Path]:
    """Write ``assignments.csv``, ``topics.csv`` and ``themes.csv`` (UTF-8 with BOM so Excel reads it) into
    ``out_dir`` as they come; :func:`write_outputs` is the all-or-nothing form."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    topics = model.topics_.copy()
    for col in ("first_seen", "last_seen"):
        topics[col] = pd.to_datetime(topics[col]).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    frames = {
        "assignments.csv": model.assignments_[
            ASSIGNMENT_COLUMNS + [c for c in model.assignments_.columns if c not in ASSIGNMENT_COLUMNS]
        ],
        "topics.csv": topics[TOPIC_COLUMNS + [c for c in topics.columns if c not in TOPIC_COLUMNS]],
        "themes.csv": model.themes_,
    }
    paths = {}
    for name, frame in frames.items():
        if name not in parts:
            continue
        paths[name] = out / name
        write_csv(frame, paths[name])  # personal data masked, formula-like cells neutralised
    return paths
