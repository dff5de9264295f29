"""Tables staff hand on: candidates.csv, 热点问题表 (top candidates) and 热点问题留言明细表 (their messages)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from toolkit.agenda.factors import FACTORS
from toolkit.outputs import write_csv
from toolkit.text import is_area

HOT_COLUMNS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
_FIRST = ["rank", "topic_id", "theme_id", "score", "heat", *FACTORS]
_AFTER = [
    "label",
    "n_messages",
    "n_voices",
    "n_respondents",
    "n_same_text",
    "first_seen",
    "last_seen",
    "places",
    "merged_ids",
]


def candidates_csv(candidates: pd.DataFrame, path) -> Path:
    """``rank, topic_id, score``, one column per factor (empty = no data), then raw numbers and the explanation."""
    table = candidates.copy()
    for f in FACTORS:
        if f not in table:
            table[f] = float("nan")
    first = [c for c in _FIRST if c in table]
    after = [c for c in _AFTER if c in table]
    rest = [c for c in table.columns if c not in first and c not in after]
    table = table[first + after + rest]
    for col in ("first_seen", "last_seen"):
        if col in table:
            table[col] = pd.to_datetime(table[col], errors="coerce").dt.strftime("%Y-%m-%d %H:%M:%S")
    table = table.round({c: 4 for c in table.columns if table[c].dtype.kind == "f"})
    return write_csv(table, Path(path))


def time_range(first, last) -> str:
    first, last = pd.to_datetime(first, errors="coerce"), pd.to_datetime(last, errors="coerce")
    if pd.isna(first):
        return ""
    return f"{first:%Y/%m/%d} 至 {last:%Y/%m/%d}"


def _groups_of(texts: pd.Series, top: int = 2) -> list[str]:
    from toolkit.text import extract_groups

    counts = Counter(g for t in texts.fillna("") for g in set(extract_groups(t)))
    need = max(2, 0.2 * len(texts))
    return [g for g, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= need][:top]


def describe(row, texts: pd.Series, width: int = 60) -> str:
    """A one-sentence 问题描述: the issue's most central message, shortened."""
    rep = str(row.get("representative") or "").split(" | ")[0].strip()
    if not rep and len(texts):
        rep = str(texts.iloc[0])
    rep = rep.rstrip("…")
    return rep[:width] + ("…" if len(rep) > width else "")


def hot_issue_table(
    candidates: pd.DataFrame, messages: pd.DataFrame, members: pd.DataFrame, top: int = 10, key: str = "topic_id"
) -> pd.DataFrame:
    """The 热点问题表: 热度排名, 问题ID, 热度指数, 时间范围, 地点/人群, 问题描述 (+ reading aids after them)."""
    texts = messages.set_index("id")["text"]
    rows = []
    for row in candidates.head(top).to_dict("records"):
        ids = members.loc[members[key] == row[key], "id"]
        own = texts.reindex(ids)
        # what most voices name (the topic model's anchor, or the spot found here for models without one); else
        # the topic model's places minus areas
        anchor = str(row.get("anchor") or "") if row.get("anchor_share", 0) >= 0.5 else ""
        firm = row.get("n_placed", 0) >= 4 and row.get("top_place_share", 0) >= 0.5 and "anchor" not in row
        places = (
            [anchor or row["top_place"]]
            if anchor or firm
            else [p for p in str(row.get("places") or "").split("、") if p and p != "nan" and not is_area(p)][:2]
        )
        who = "、".join(places + _groups_of(own))
        rows.append(
            {
                "热度排名": int(row["rank"]),
                "问题ID": row[key],
                "热度指数": row["heat"],
                "时间范围": time_range(row.get("first_seen"), row.get("last_seen")),
                "地点/人群": who,
                "问题描述": describe(row, own),
                "议题标签": row.get("label", ""),
                "反映人数": int(row.get("n_voices", 0)),
                "留言数": int(row.get("n_messages", 0)),
                "排名说明": row.get("explanation", ""),
            }
        )
    return pd.DataFrame(rows, columns=[*HOT_COLUMNS, "议题标签", "反映人数", "留言数", "排名说明"])


def hot_issue_messages(
    hot: pd.DataFrame,
    raw: pd.DataFrame,
    id_col: str,
    members: pd.DataFrame,
    key: str = "topic_id",
    time_col: str | None = None,
) -> pd.DataFrame:
    """The 热点问题留言明细表: 问题ID, then every input column of each listed issue's messages (texts
    stripped; the writer masks personal data, ``toolkit.outputs``)."""
    wanted = members[members[key].isin(hot["问题ID"])]
    order = {qid: i for i, qid in enumerate(hot["问题ID"])}
    detail = raw.merge(wanted.rename(columns={"id": id_col, key: "问题ID"}), on=id_col, how="inner")
    detail["_order"] = detail["问题ID"].map(order)
    detail["_time"] = pd.to_datetime(detail[time_col], errors="coerce") if time_col in detail else pd.NaT
    detail = detail.sort_values(["_order", "_time", id_col], kind="mergesort").drop(columns=["_order", "_time"])
    detail = detail[["问题ID", *[c for c in raw.columns]]]
    for col in raw.columns:
        if detail[col].dtype == object or pd.api.types.is_string_dtype(detail[col]):
            detail[col] = detail[col].map(lambda v: v.strip() if isinstance(v, str) else v)
    return detail.reset_index(drop=True)
