"""Tables of the opinion stage for people: the residents' letters behind an item (masked), the item list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.opinion import records
from toolkit.opinion.errors import OpinionError

EVIDENCE_HEADERS = {
    "message_id": "留言编号",
    "issue_id": "问题ID",
    "time": "时间",
    "district": "镇街",
    "sector": "界别",
    "text": "留言内容",
}


def evidence_table(store, item_id) -> pd.DataFrame:
    """The letters behind ``item_id`` (a 协商意见: its 协商选题's), masked, with Chinese headers, oldest first."""
    from toolkit.outputs import mask_text

    frame = records.evidence_frame(store, item_id)
    frame["text"] = frame["text"].map(lambda t: mask_text(str(t)) if isinstance(t, str) else t)
    frame = frame.sort_values(["time", "message_id"], kind="mergesort", na_position="last")
    return frame[list(EVIDENCE_HEADERS)].rename(columns=EVIDENCE_HEADERS).reset_index(drop=True)


def write_evidence(store, item_id, path) -> Path:
    """``evidence_table`` as an xlsx at ``path`` (whole or not at all); a sheet of the item's facts beside it."""
    from toolkit.office import write_xlsx
    from toolkit.outfolder import output_file

    item = records.get_item(store, item_id)
    table = evidence_table(store, item_id)
    facts = pd.DataFrame(
        [
            ("编号", item["name"]),
            ("标题", item["title"]),
            ("反映人", item.get("member") or ""),
            ("当前状态", item["state"] or ""),
            ("议题", item.get("issue_label") or ""),
            ("问题ID", "、".join(str(i) for i in item.get("issue_ids") or [])),
            ("来源", f"{item.get('source') or ''} 第 {item.get('source_rank')} 名" if item.get("source") else ""),
            ("留言条数", len(table)),
        ],
        columns=["项目", "内容"],
    )
    with output_file(path, error=OpinionError) as tmp:
        write_xlsx({"群众留言": table, "说明": facts}, tmp, widths={"留言内容": 80}, keep=["留言编号", "问题ID"])
    return Path(path)
