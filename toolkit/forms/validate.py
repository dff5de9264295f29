"""Check one response's answers against its form: kinds, choices, required, constraints, skip logic.

Shared by the entry widgets (live checks) and ingest (row validation), so both apply the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from toolkit.errors import quoted
from toolkit.forms.errors import ExpressionError, FormError
from toolkit.forms.expressions import Expression
from toolkit.forms.model import OTHER, Form, Question, expression_scope, other_key
from toolkit.numbers import to_float


@dataclass(frozen=True)
class AnswerProblem:
    question_id: str
    rule: str  # required | choice | type | count | constraint | irrelevant
    value: Any
    message: str  # Chinese: the rule broken and the fix
    level: str = "error"  # 'warning' for answers given to a skipped question

    @property
    def is_error(self) -> bool:
        return self.level == "error"


@lru_cache(maxsize=4096)
def _expr(text: str) -> Expression:
    return Expression(text)


def _holds(form: Form, q: Question, field: str, scope: Mapping[str, Any], current: Any = None) -> bool:
    """Evaluate ``q``'s skip logic or constraint; a rule that cannot run is the form's error, naming the question."""
    text = getattr(q, field)
    try:
        return _expr(str(text)).test(scope, current)
    except ExpressionError as err:
        name = {"relevant": "跳题条件", "constraint": "取值限制"}[field]
        raise FormError(
            f"问卷 {form.id} {_fmt(q, form)}的{name}（{field}: {text}）无法计算：{err.what}。修改：{err.fix}。"
        ) from None


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple, dict, set)):
        return len(value) == 0
    return False


def relevant_questions(form: Form, answers: Mapping[str, Any]) -> set[str]:
    """Ids of the questions shown for these answers; a question hidden by skip logic hides its answer too."""
    shown: set[str] = set()
    visible: dict[str, Any] = {}
    for q in form.questions:
        if q.relevant and not _holds(form, q, "relevant", expression_scope(visible)):
            continue
        shown.add(q.id)
        if q.id in answers:
            visible[q.id] = answers[q.id]
    return shown


def coerce(q: Question, value: Any) -> Any:
    """Convert a typed or imported value to the kind's answer shape; raise ValueError if impossible."""
    if is_blank(value):
        return None
    if q.kind == "number":
        if isinstance(value, bool):
            raise ValueError(value)
        num = to_float(value if isinstance(value, (int, float)) else str(value).replace(",", ""))
        if num is None:  # strict: float("1_0") would be 10, float("nan") a number
            raise ValueError(value)
        if q.integer:
            if num != int(num):
                raise ValueError(value)
            return int(num)
        return int(num) if num == int(num) else num
    if q.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip().replace("/", "-").replace(".", "-")
        for suffix in ("年", "月"):
            text = text.replace(suffix, "-")
        text = text.replace("日", "").split(" ")[0].split("T")[0]
        parts = unicodedata.normalize("NFKC", text).split("-")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):  # int("1_0") == 10
            raise ValueError(value)
        y, m, d = map(int, parts)
        return dt.date(y, m, d).isoformat()
    if q.kind in ("multiple", "ranking"):
        items = value if isinstance(value, (list, tuple)) else str(value).split()
        return [str(v) for v in items]
    if q.is_matrix:
        if not isinstance(value, Mapping):
            raise ValueError(value)
        return {str(k): str(v) for k, v in value.items() if not is_blank(v)}
    if q.kind in ("single", "likert"):
        if isinstance(value, float) and value == int(value):
            value = int(value)
        return str(value).strip()
    return str(value)


def _fmt(q: Question, form: Form) -> str:
    return f"第{form.number(q.id)}题（{q.id}）" if q.kind != "note" else q.id


class _ChoiceList:
    """The "id=label" list for a message, built only when a message is (validation is a hot path)."""

    def __init__(self, q: Question):
        self.q = q

    def __str__(self) -> str:
        return "、".join(f"{c}={self.q.choice_label(c)}" for c in self.q.choice_ids())


def _check_kind(form: Form, q: Question, value: Any, out: list[AnswerProblem]) -> None:
    where = _fmt(q, form)
    add = lambda rule, msg: out.append(AnswerProblem(q.id, rule, value, f"{where}：{msg}"))  # noqa: E731
    ids = q.choice_ids()
    labels = _ChoiceList(q)
    if q.kind in ("single", "likert") and not q.is_matrix:
        if value not in ids:
            add("choice", f"选项 {quoted(value)} 不在本题选项中。修改：选项应为 {labels}")
    elif q.is_matrix:
        rows = {r.id for r in q.rows}
        for row, v in value.items():
            if row not in rows:
                add("choice", f"没有矩阵行 {quoted(row)}。修改：行应为 {', '.join(r.id for r in q.rows)}")
            elif v not in ids:
                add(
                    "choice",
                    f"第“{q.rows[[r.id for r in q.rows].index(row)].label}”行的选项 {quoted(v)} 不在量表中。修改：应为 {labels}",
                )
    elif q.kind in ("multiple", "ranking"):
        bad = [v for v in value if v not in ids]
        if bad:
            add("choice", f"选项 {quoted(bad)} 不在本题选项中。修改：选项应为 {labels}")
        if len(set(value)) != len(value):
            add("choice", "同一选项出现了两次。修改：每个选项只选一次")
        if q.max_choices and len(value) > q.max_choices:
            add("count", f"最多选 {q.max_choices} 项，实选 {len(value)} 项。修改：减少所选项目")
        if q.min_choices and len(value) < q.min_choices:
            add("count", f"至少选 {q.min_choices} 项，实选 {len(value)} 项。修改：补选")


def validate_answers(form: Form, answers: Mapping[str, Any]) -> tuple[dict, list[AnswerProblem]]:
    """Coerce and check ``answers``; return (clean answers, problems).

    Clean answers keep only shown, non-blank questions (plus "other" texts). Answers to questions
    hidden by skip logic are dropped and reported as warnings, so nothing is silently discarded.
    """
    problems: list[AnswerProblem] = []
    shown = relevant_questions(form, answers)
    clean: dict[str, Any] = {}
    for q in form.answer_questions():
        raw = answers.get(q.id)
        try:
            value = coerce(q, raw)
        except (ValueError, TypeError):
            kind_fix = {
                "number": "填写数字" + ("（整数）" if q.integer else ""),
                "date": "写成 2026-05-01 这样的日期",
                "likert": "按行填写量表选项",
            }.get(q.kind, "检查填写内容")
            problems.append(
                AnswerProblem(q.id, "type", raw, f"{_fmt(q, form)}：{quoted(raw)} 不是有效的答案。修改：{kind_fix}")
            )
            continue
        if q.id not in shown:
            if value is not None:
                problems.append(
                    AnswerProblem(
                        q.id,
                        "irrelevant",
                        raw,
                        f"{_fmt(q, form)}：按跳题逻辑（{q.relevant}）本题应跳过，却有答案 {quoted(raw)}。"
                        "修改：核对前面题目的答案；本题答案不计入",
                        level="warning",
                    )
                )
            continue
        if value is None:
            if q.required:
                problems.append(
                    AnswerProblem(q.id, "required", raw, f"{_fmt(q, form)}：本题必答，未填写。修改：补填“{q.label}”")
                )
            continue
        if q.is_matrix and q.required:
            missing = [r.label for r in q.rows if r.id not in value]
            if missing:
                problems.append(
                    AnswerProblem(
                        q.id,
                        "required",
                        raw,
                        f"{_fmt(q, form)}：必答矩阵题缺少以下行：{'、'.join(missing)}。修改：逐行补填",
                    )
                )
        before = len(problems)
        _check_kind(form, q, value, problems)
        if (
            len(problems) == before
            and q.constraint
            and not _holds(form, q, "constraint", expression_scope({**answers, q.id: value}), value)
        ):
            msg = q.constraint_message or f"不满足取值限制 {q.constraint}"
            problems.append(
                AnswerProblem(
                    q.id,
                    "constraint",
                    raw,
                    f"{_fmt(q, form)}：{msg}（填写的是 {quoted(raw)}）。修改：核对原始问卷后改正",
                )
            )
        clean[q.id] = value
        if q.other:
            chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
            text = answers.get(other_key(q.id))
            if chose_other and not is_blank(text):
                clean[other_key(q.id)] = str(text).strip()
    return clean, problems
