"""One catalogue entry per form problem: where, which rule, how to fix (pyxform style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.errors import Coded


@dataclass(frozen=True, init=False)
class Problem(Coded):
    """A problem of a form definition: a catalogue ``code`` (:data:`toolkit.errors.CATALOGUE`), ``where``
    it is ("surveys/x.yaml 第12行 题目 q3") and the facts its template names (``context``)."""

    code: str
    where: str
    question_id: str | None
    level: str  # 'error' or 'warning'
    context: dict

    def __init__(self, code: str, where: str, question_id: str | None = None, *, level: str = "error", **context: Any):
        for name, value in (
            ("code", code),
            ("where", where),
            ("question_id", question_id),
            ("level", level),
            ("context", context),
        ):
            object.__setattr__(self, name, value)

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def facts(self) -> dict[str, Any]:
        return {**self.context, "where": self.where}

    @property
    def rule(self) -> str:
        """What is wrong, with the offending value."""
        return self.what

    def __str__(self) -> str:
        tag = "错误" if self.is_error else "提醒"
        return f"[{tag}] {self.message}"


def where(path: str | None, line: int | None = None, question_id: str | None = None, field: str | None = None) -> str:
    parts = [path or "问卷"]
    if line:
        parts.append(f"第{line}行")
    if question_id:
        parts.append(f"题目 {question_id}")
    if field:
        parts.append(field)
    return " ".join(parts)
