"""Assemble the labelled teddy2020c messages (see ../shared/data/external/teddy2020c/SOURCES.md).

Benchmark-only helper: reads the shared files in place, never copies them into the project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "external" / "teddy2020c"
LABELS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
_WS = re.compile(r"[\s\u3000\xa0]+")


def available() -> bool:
    return ROOT.exists()


def _asimok(path: Path) -> pd.DataFrame:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, idx = line.rpartition("\t")
        if text and idx.strip().isdigit():
            rows.append((text, LABELS[int(idx)]))
    return pd.DataFrame(rows, columns=["text", "label"])


def load_labelled() -> pd.DataFrame:
    """The 5,134 unique labelled messages: columns ``text``, ``label`` (一级分类)."""
    syu = ROOT / "Syucryingstar_NLP_tipdm_90f5471"
    parts = [
        _asimok(ROOT / "Asimok_question_2/2933bd2/question1/data/dev_detail.txt"),
        _asimok(ROOT / "Asimok_question_2/2933bd2/question1/data/test_detail.txt"),
        _asimok(ROOT / "Asimok_question_2/012f70b/question1/data/dev_detail.txt"),
    ]
    res = pd.read_excel(syu / "结果数据/分类结果.xlsx")
    parts.append(pd.DataFrame({"text": res["留言详情"], "label": res["一级标签"]}))
    sample = pd.read_excel(syu / "示例数据/2.xlsx")
    parts.append(pd.DataFrame({"text": sample["留言详情"], "label": sample["一级分类"]}))
    df = pd.concat(parts, ignore_index=True)
    df["text"] = df["text"].astype(str).str.strip()
    df["key"] = df["text"].map(lambda t: _WS.sub("", t))
    df = df[df["key"] != ""].drop_duplicates("key").drop(columns="key").reset_index(drop=True)
    return df


def load_unlabelled() -> pd.DataFrame:
    """附件3: 4,326 messages with time and likes (for speed runs on real text)."""
    d = pd.read_excel(ROOT / "Syucryingstar_NLP_tipdm_90f5471/全部数据/附件3.xlsx")
    return pd.DataFrame(
        {
            "id": d["留言编号"],
            "text": d["留言详情"].astype(str).str.strip(),
            "time": pd.to_datetime(d["留言时间"], errors="coerce"),
        }
    )


if __name__ == "__main__":
    df = load_labelled()
    print(len(df))
    print(df["label"].value_counts().to_string())
    print(df["text"].str.len().describe().to_string())
