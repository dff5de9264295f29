"""Workbooks of the analysis stage: a cross-tab (counts, % sheets, notes) and the quality flags.

Sheets hold numbers, never formulas; every cell passes ``toolkit.office.write_xlsx`` (masked, neutralised)
and the file appears whole or not at all (``toolkit.outfolder.output_file``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.analysis.crosstabs import TOTAL, CrossTab
from toolkit.analysis.errors import AnalysisError
from toolkit.analysis.quality import quality_summary
from toolkit.analysis.significance import p_text
from toolkit.office import write_xlsx
from toolkit.outfolder import output_file

BASE = "基数（人）"
ANSWER_ID = "答卷编号"  # the store's response id: a key staff look answers up by, never masked


def crosstab_sheets(t: CrossTab) -> dict[str, pd.DataFrame]:
    """人数 / 列百分比 / 行百分比 [/ 加权对照] / 说明, each a frame whose first column names the row categories."""
    head = f"{t.rows.label} ＼ {t.cols.label}"
    counts = t.counts.copy()
    counts[TOTAL] = t.row_base
    counts.loc[TOTAL] = [*t.col_base.tolist(), t.n]
    col_pct = t.col_percent.round(1)
    col_pct[TOTAL] = (100 * t.row_base / t.n).round(1)
    col_pct.loc[BASE] = [*t.col_base.tolist(), t.n]
    row_pct = t.row_percent.round(1)
    row_pct.loc[TOTAL] = (100 * t.col_base / t.n).round(1)
    row_pct[BASE] = [*t.row_base.tolist(), t.n]
    sheets = {
        "人数": _with_head(counts, head),
        "列百分比": _with_head(col_pct, head),
        "行百分比": _with_head(row_pct, head),
    }
    if t.weighted is not None:
        sheets["加权对照"] = weighted_beside(t)
    sheets["说明"] = notes_sheet(t)
    return sheets


def weighted_beside(t: CrossTab) -> pd.DataFrame:
    """One line per cell: the unweighted column % beside the weighted one, its ± margin and effective n."""
    w = t.weighted
    rows = []
    for col in t.counts.columns:
        for row in t.counts.index:
            rows.append(
                {
                    t.rows.label: row,
                    t.cols.label: col,
                    "人数": int(t.counts.loc[row, col]),
                    "列百分比（未加权）": _round(t.col_percent.loc[row, col]),
                    "列百分比（加权）": _round(w.col_percent.loc[row, col]),
                    "误差范围（±百分点）": _round(w.col_moe.loc[row, col]),
                    "列有效样本量": _round(w.col_n_eff[col]),
                }
            )
    return pd.DataFrame(rows)


def notes_sheet(t: CrossTab) -> pd.DataFrame:
    lines = [
        ("问卷", t.form_id),
        ("行", f"{t.rows.label}（{t.rows.column}）"),
        ("列", f"{t.cols.label}（{t.cols.column}）"),
        ("筛选条件", f"{t.filter_words}（{t.filter}）" if t.filter else "无（全部答卷）"),
        ("答卷", f"共 {t.responses:,} 份，筛选后 {t.filtered:,} 份，两题都回答的 {t.n:,} 人计入"),
    ]
    if t.test is not None:
        lines += [("检验方法", t.test.method or "未检验"), ("p 值", _p(t.test.p_value)), ("结论", t.test.reading)]
    for test in t.tests if t.test is None else []:
        lines.append((f"选项“{test.option}”", f"{test.method or '未检验'}；{test.reading}"))
    lines += [("基数", "；".join(f"{k} {v:,} 人" for k, v in t.col_base.items()))]
    lines += [("警告", w) for w in t.warnings]
    lines += [("说明", n) for n in t.notes]
    if t.weighted is not None:
        w = t.weighted
        state = f"迭代 {w.iterations} 轮收敛" if w.converged else f"迭代 {w.iterations} 轮未收敛"
        lines.append(
            ("加权", f"{w.respondents:,} 人加权（{state}），有效样本量 {w.n_eff:,.1f}；未加权结果见“人数”“列百分比”")
        )
    return pd.DataFrame(lines, columns=["项目", "内容"])


def quality_sheets(flags: pd.DataFrame, responses: int) -> dict[str, pd.DataFrame]:
    """汇总 (per flag: responses, share) and 标记明细 (one line per response and flag, with its reason)."""
    summary = quality_summary(flags, responses)
    summary["responses"] = [n if done else "未计算" for n, done in zip(summary["responses"], summary["computed"])]
    summary = summary.drop(columns=["flag", "computed"]).rename(
        columns={"label": "标记", "responses": "答卷数", "percent": "占比(%)", "why": "说明"}
    )[["标记", "答卷数", "占比(%)", "说明"]]
    detail = flags.drop(columns="flag").rename(
        columns={
            "response_id": ANSWER_ID,
            "serial": "问卷编号",
            "submitted_at": "提交时间",
            "label": "标记",
            "reason": "原因",
        }
    )
    return {"汇总": summary, "标记明细": detail}


def write_workbook(sheets: dict[str, pd.DataFrame], path, *, flag: str = "-o") -> Path:
    """Write ``sheets`` to ``path`` whole or not at all; refusals (a folder, read-only …) as AnalysisError."""
    with output_file(path, error=AnalysisError, flag=flag) as tmp:
        write_xlsx(sheets, tmp, keep=(ANSWER_ID,))
    return Path(path)


def _with_head(frame: pd.DataFrame, head: str) -> pd.DataFrame:
    out = frame.copy()
    out.index.name = head
    out.columns = [str(c) for c in out.columns]
    return out.reset_index()


def _round(value, digits: int = 1):
    return None if pd.isna(value) else round(float(value), digits)


def _p(p: float | None) -> str:
    return "—" if p is None else f"{p:.4g}（{p_text(p)}）"
