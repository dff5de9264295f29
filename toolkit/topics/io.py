"""Read concerns for ``weidiaoyan topics`` and write its three CSV files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.outputs import write_csv
from toolkit.topics.errors import TopicsError
from toolkit.tables import parse_times, read_table

STORE_SUFFIXES = {".db", ".sqlite", ".sqlite3"}
ASSIGNMENT_COLUMNS = ["id", "topic_id", "theme_id"]
TOPIC_COLUMNS = ["topic_id", "theme_id", "label", "keywords", "size", "representative", "places",
                 "first_seen", "last_seen"]


def read_concerns(path, text_col: str, id_col: str, time_col: str | None = None,
                  form_id: str | None = None, respondent_col: str | None = None) -> pd.DataFrame:
    """Return a frame with ``id``, ``text``, ``time`` (and ``respondent``) from a .csv/.xlsx/.xls file or a store.

    ``text_col`` may name several columns joined by commas ("留言主题,留言详情"): their texts are joined.
    For a store (``.db`` file or database URL) ``text_col`` is the question id and ``form_id``
    picks the form (optional when the store holds one form).
    """
    path_str = str(path)
    suffix = Path(path_str).suffix.lower()
    if "://" in path_str or suffix in STORE_SUFFIXES:
        frame = _read_store(path_str, form_id)
        where = f"问卷 {form_id or ''} 的答卷"
    else:  # read_table refuses what is neither a table nor a store, in Chinese
        frame = read_table(path_str, error=TopicsError)
        where = f"文件 {path_str}"
    text_cols = [c.strip() for c in str(text_col).split(",") if c.strip()]  # "留言主题,留言详情": joined
    for col, flag in (*((c, "--text-col") for c in text_cols), (id_col, "--id-col"), (time_col, "--time-col"),
                      (respondent_col, "--respondent-col")):
        if col is not None and col not in frame.columns:
            cols = "、".join(map(str, frame.columns[:30]))
            raise TopicsError(f"{where}：找不到列“{col}”（{flag}）。现有列：{cols}。请检查列名是否写错。")
    ids = frame[id_col]
    if ids.isna().any():
        row = int(ids.isna().to_numpy().argmax()) + 2
        raise TopicsError(f"{where} 第 {row} 行：编号列“{id_col}”为空。每条文本都需要编号，请补上后重试。")
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise TopicsError(f"{where}：编号列“{id_col}”有重复值“{dup}”。编号必须唯一，请换一列（--id-col）或去重。")
    out = pd.DataFrame({"id": ids.to_numpy(), "text": frame[text_cols].fillna("").astype(str).agg("。".join, axis=1)})
    out["time"] = (parse_times(frame[time_col], column=time_col, where=where, error=TopicsError).to_numpy()
                   if time_col else pd.NaT)
    if respondent_col:
        out["respondent"] = frame[respondent_col].to_numpy()
    out.attrs["note"] = frame.attrs.get("note", "")
    return out


def _read_store(location: str, form_id: str | None) -> pd.DataFrame:
    from toolkit.store import open_store

    store = open_store(location)
    try:
        if form_id is None:
            forms = sorted(set(store.form_versions()["form_id"]))
            if len(forms) != 1:
                raise TopicsError(f"问卷库 {location} 中有 {len(forms)} 份问卷（{'、'.join(forms) or '无'}）。"
                                  "请用 --form 指定问卷编号。")
            form_id = forms[0]
        return store.responses(form_id)
    finally:
        store.close()


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
        "assignments.csv": model.assignments_[ASSIGNMENT_COLUMNS + [c for c in model.assignments_.columns
                                                                    if c not in ASSIGNMENT_COLUMNS]],
        "topics.csv": topics[TOPIC_COLUMNS + [c for c in topics.columns if c not in TOPIC_COLUMNS]],
        "themes.csv": model.themes_,
    }
    paths = {}
    for name, frame in frames.items():
        if name not in parts:
            continue
        paths[name] = out / name
        write_csv(frame, paths[name])          # personal data masked, formula-like cells neutralised
    return paths
