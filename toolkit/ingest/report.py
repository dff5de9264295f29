"""The import report: printed for people, saved as .xlsx, or one JSON object for scripts.

JSON keys are a stable contract (reviewers' scripts read them): ``accepted``, ``rejected``,
``duplicates``, ``unmapped_columns``, plus ``rows``, ``skipped_existing``, ``top_reasons``, ``batch_id`` ….
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from toolkit.outputs import mask_text, safe_cell, text_cells

RULE_LABELS = {
    "required": "必答未答",
    "choice": "选项不符",
    "type": "格式不符",
    "count": "选项个数不符",
    "constraint": "取值不符合限制",
    "irrelevant": "按跳题逻辑应跳过",
    "excel_error": "Excel 错误值/公式无结果",
}


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, sort_keys=True, default=str)


def format_report(report: dict) -> str:
    """A short Chinese summary: counts, top reasons, duplicates, unmapped columns."""
    lines = [
        f"导入报告：{report['file']}",
        f"  来源：{report['source_label']}（{report['mode']}）  问卷：{report['form_title']}（{report['form_id']}）",
        f"  共 {report['rows']} 行；此前已导入 {report['skipped_existing']} 行；本次接收 {report['accepted']} 行，"
        f"隔离 {report['rejected']} 行，疑似重复（已标记待核）{report['duplicates']} 行。",
    ]
    if report.get("batch_id"):
        lines.append(f"  导入批次：{report['batch_id']}")
    if report["top_reasons"]:
        lines.append("  隔离原因（前几位）：")
        for r in report["top_reasons"]:
            lines.append(
                f"    - {RULE_LABELS.get(r['rule'], r['rule'])} · 列“{r['column']}” · {r['count']} 处；"
                f"例：{mask_text(r['example'])}"
            )
    if report["unmapped_columns"]:
        lines.append(f"  未对应到题目的列（原样保存在 raw 中）：{'、'.join(report['unmapped_columns'])}")
    if report.get("warnings"):
        lines.append("  提醒：" + "、".join(f"{RULE_LABELS.get(k, k)} {v} 处" for k, v in report["warnings"].items()))
    for note in report.get("notes", []):
        lines.append(f"  说明：{note}")
    return "\n".join(lines)


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return safe_cell(value, excel=True)


def save_report(report: dict, path) -> Path:
    """Write the report as .xlsx (概要, 隔离行, 列对应); PII masked, formula-like text neutralised."""
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    summary = [
        ("文件", report["file"]),
        ("来源", f"{report['source_label']}（{report['mode']}）"),
        ("问卷", f"{report['form_title']}（{report['form_id']}）"),
        ("导入批次", report.get("batch_id")),
        ("总行数", report["rows"]),
        ("此前已导入", report["skipped_existing"]),
        ("接收", report["accepted"]),
        ("隔离", report["rejected"]),
        ("疑似重复（已标记）", report["duplicates"]),
        ("未对应的列", "、".join(report["unmapped_columns"])),
    ]
    summary += [("说明", n) for n in report.get("notes", [])]
    for pair in summary:
        ws.append([_cell(v) for v in pair])
    line = report.get("header_row") or 1  # rows as staff see them in Excel, like "表格第N行" in 说明
    sheets = {
        "隔离行": (
            ["表格行号", "列", "规则", "值", "说明"],
            [
                [p["row_number"] + line, p["column"], RULE_LABELS.get(p["rule"], p["rule"]), p["value"], p["message"]]
                for p in report.get("problems", [])
            ],
        ),
        "隔离原因": (
            ["规则", "列", "次数", "示例"],
            [
                [RULE_LABELS.get(r["rule"], r["rule"]), r["column"], r["count"], r["example"]]
                for r in report["top_reasons"]
            ],
        ),
        "列对应": (
            ["表头", "题目编号"],
            [[h, q] for h, q in report["mapping"].items()] + [[h, "（未对应）"] for h in report["unmapped_columns"]],
        ),
        "疑似重复": (["表格行号"], [[n + line] for n in report.get("duplicate_rows", [])]),
    }
    for title, (header, rows) in sheets.items():
        sheet = wb.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
    for sheet in wb.worksheets:
        text_cells(sheet)
    stamp = dt.datetime(2026, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    wb.save(path)
    return path
