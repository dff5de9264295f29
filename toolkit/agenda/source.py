"""Read a table of messages (xlsx / xls / csv) and map its columns to the canonical message columns."""

from __future__ import annotations


import pandas as pd

from toolkit import tables
from toolkit.agenda.errors import AgendaError
from toolkit.errors import quoted
from toolkit.tables import parse_times

# Columns that name who wrote a message, tried in order when no --respondent-col is given.
RESPONDENT_COLUMNS = ("respondent", "留言用户", "用户", "用户ID", "用户id", "提交人", "反映人", "填写人", "微信昵称",
                      "openid", "user", "user_id")


def read_table(path) -> pd.DataFrame:
    """The first sheet of an Excel file or a CSV (see :func:`toolkit.tables.read_table`)."""
    return tables.read_table(path, error=AgendaError)


def _column(frame: pd.DataFrame, name: str | None, option: str, path) -> str | None:
    if name is None:
        return None
    if name not in frame.columns:
        cols = "、".join(map(str, frame.columns))
        raise AgendaError(f"输入文件 {path}：找不到 {option} 指定的列 {name!r}。文件中的列有：{cols}。请改用其中之一。")
    return name


def messages_from(frame: pd.DataFrame, *, text_col: str, id_col: str, time_col: str, likes_col=None,
                  dislikes_col=None, respondent_col=None, sector_col=None, district_col=None,
                  path="输入表") -> pd.DataFrame:
    """Canonical messages (id, text, time, [respondent, likes, dislikes, sector, district]) from a raw table.

    ``text_col`` may name several columns joined by commas ("留言主题,留言详情"): their texts are concatenated.
    Text is normalised and personal data masked here, so everything downstream shows masked text.
    """
    from toolkit.text import mask_pii, normalize

    text_cols = [c.strip() for c in str(text_col).split(",") if c.strip()]
    for col in text_cols:
        _column(frame, col, "--text-col", path)
    mapping = {
        "id": _column(frame, id_col, "--id-col", path),
        "time": _column(frame, time_col, "--time-col", path),
        "likes": _column(frame, likes_col, "--likes-col", path),
        "dislikes": _column(frame, dislikes_col, "--dislikes-col", path),
        "respondent": _column(frame, respondent_col, "--respondent-col", path)
        or next((c for c in RESPONDENT_COLUMNS if c in frame.columns), None),
        "sector": _column(frame, sector_col, "--sector-col", path),
        "district": _column(frame, district_col, "--district-col", path),
    }
    ids = frame[mapping["id"]]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated(keep=False)]
        first = bad.index[0] + 2  # +2: header row and 1-based rows as staff see them in Excel
        raise AgendaError(f"输入文件 {path}：第 {first} 行，--id-col {mapping['id']!r} 的值 {quoted(None if pd.isna(bad.iloc[0]) else bad.iloc[0])} "
                          f"为空或重复（共 {len(bad)} 行）。每条留言需要唯一编号：请换用唯一的编号列或补全编号。")
    joined = frame[text_cols].fillna("").astype(str).agg("。".join, axis=1)
    out = pd.DataFrame({"id": ids.to_numpy(), "text": [mask_pii(normalize(t)) for t in joined]})
    out["time"] = parse_times(frame[mapping["time"]], column=mapping["time"], where=f"输入文件 {path}",
                              error=AgendaError).to_numpy()
    for name in ("respondent", "likes", "dislikes", "sector", "district"):
        if mapping[name] is not None:
            out[name] = frame[mapping[name]].to_numpy()
    out.attrs["columns"] = {k: v for k, v in mapping.items() if v is not None} | {"text": text_cols}
    return out
