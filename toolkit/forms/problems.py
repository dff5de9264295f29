"""One catalogue entry per form problem: where, which rule, how to fix (pyxform style)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    level: str  # 'error' or 'warning'
    where: str  # e.g. "surveys/x.yaml 第12行 题目 q3"
    rule: str  # what is wrong, with the offending value
    fix: str  # what to do about it
    question_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        tag = "错误" if self.is_error else "提醒"
        return f"[{tag}] {self.where}：{self.rule}。修改：{self.fix}。"


def where(path: str | None, line: int | None = None, question_id: str | None = None, field: str | None = None) -> str:
    parts = [path or "问卷"]
    if line:
        parts.append(f"第{line}行")
    if question_id:
        parts.append(f"题目 {question_id}")
    if field:
        parts.append(field)
    return " ".join(parts)
