"""The 选题候选清单 (.docx) for the meeting: ranked candidates, why each ranks where it does, and the weights."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.agenda import FACTOR_NAMES
from toolkit.brief.docx_tools import add_table, new_document, save_document
from toolkit.brief.figure import chinese_punctuation

COLUMNS = ["排名", "议题", "典型意见", "热度指数", "反映人数", "时间范围"]
WIDTHS_CM = [1.1, 3.6, 6.4, 1.6, 1.6, 2.7]


def _span(first, last) -> str:
    first, last = pd.to_datetime(first, errors="coerce"), pd.to_datetime(last, errors="coerce")
    return "" if pd.isna(first) else f"{first:%Y.%m}—{last:%Y.%m}"


def typical(row: dict, width: int = 26) -> str:
    """The candidate's most central message, shortened: labels are keywords, this says what it is about."""
    quote = chinese_punctuation(str(row.get("representative") or "").split(" | ")[0].strip().rstrip("…"))
    return quote[:width] + ("…" if len(quote) > width else "")


def weights_sentence(weights: dict) -> str:
    """ "规模 38%、强度 25%…" in the order of weight."""
    ordered = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return "、".join(f"{FACTOR_NAMES.get(f, f)} {w:.0%}" for f, w in ordered)


def candidate_rows(candidates: pd.DataFrame, top: int) -> pd.DataFrame:
    """The table shown on the slide and in the documents (one row per candidate)."""
    rows = []
    for r in candidates.head(top).to_dict("records"):
        rows.append(
            {
                "排名": int(r["rank"]),
                "议题": r.get("label", ""),
                "典型意见": typical(r),
                "热度指数": f"{r['heat']:.1f}",
                "反映人数": int(r.get("n_voices", 0)),
                "时间范围": _span(r.get("first_seen"), r.get("last_seen")),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_candidate_list(
    candidates: pd.DataFrame, path, *, context: str = "", weights: dict | None = None, top: int = 10
) -> Path:
    """Write the 选题候选清单 for the top ``top`` candidates; returns the path."""
    doc = new_document("一线协商选题候选清单", context)
    doc.add_heading("候选排序", level=1)
    add_table(doc, candidate_rows(candidates, top), widths_cm=WIDTHS_CM)
    doc.add_heading("排序理由（逐条）", level=1)
    for r in candidates.head(top).to_dict("records"):
        doc.add_paragraph(str(r.get("explanation", "")), style="List Number")
        quote = typical(r, width=120)
        if quote:
            from docx.shared import Cm

            para = doc.add_paragraph(f"代表性留言：{quote}")
            para.paragraph_format.left_indent = Cm(0.75)
    doc.add_heading("方法说明", level=1)
    doc.add_paragraph(
        "每个候选由若干条内容相近的留言归并而成。热度指数 = 各因素（均归一到 0—1）的加权平均 × 100，排序理由中“主要来自”后的数字是各因素贡献的热度。"
        "规模按独立反映人计（同一人多次留言只计一次；不同的人发同一封信、联名各算一人，说明里注明其中几人文字相同；不知是谁发的重复件不另计）；广度为涉及的界别、镇街占比；"
        "时效与增势看最近时段；强度看紧急/安全用语、点赞/反对数与重要性评分；契合看是否提到党政中心工作关键词；"
        "具体看是否集中于一个地点或一件事。热度相同时依次按反映人数多、最近留言晚、编号小排序。"
    )
    if weights:
        doc.add_paragraph(f"本次权重：{weights_sentence(weights)}（无数据的因素不参与计算）。")
    doc.add_paragraph("个人信息（手机号、身份证号、车牌等）已在导出前遮蔽。")
    return save_document(doc, path)
