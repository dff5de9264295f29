"""Check one response's answers against its form: kinds, choices, required, constraints, skip logic.

Shared by the entry widgets (live checks) and ingest (row validation), so both apply the same rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from toolkit.errors import Coded
from toolkit.forms.errors import ExpressionError, FormError
from toolkit.forms.expressions import Expression
from toolkit.forms.model import OTHER, Form, Question, expression_scope, other_key
from toolkit.numbers import to_float

# the rule each answer code breaks, as ingest's report counts them
RULES = {
    "answer.type": "type",
    "answer.not_number": "type",
    "answer.not_integer": "type",
    "answer.not_date": "type",
    "answer.likert_shape": "type",
    "answer.irrelevant": "irrelevant",
    "answer.required": "required",
    "answer.rows_missing": "required",
    "answer.choice_unknown": "choice",
    "answer.row_unknown": "choice",
    "answer.row_choice_unknown": "choice",
    "answer.choice_repeated": "choice",
    "answer.too_many": "count",
    "answer.too_few": "count",
    "answer.constraint": "constraint",
    "answer.constraint_message": "constraint",
    "answer.excel_error": "excel_error",  # ingest: a cell Excel shows as an error, its answer unknown
    "answer.formula_unsaved": "excel_error",  # ingest: a formula saved without its value, the answer unknown
}


@dataclass(frozen=True, init=False)
class AnswerProblem(Coded):
    """An answer that breaks its form: a catalogue ``code`` (``answer.…``), the question, the value given
    and the facts the code's template names (``context``: the question's ``number`` in its form …).
    The message is rendered only when read (validation is a hot path)."""

    code: str
    question_id: str
    value: Any
    level: str  # 'warning' for answers given to a skipped question
    context: dict

    def __init__(self, code: str, question_id: str, value: Any, *, level: str = "error", **context: Any):
        for name, v in (("code", code), ("question_id", question_id), ("value", value), ("level", level)):
            object.__setattr__(self, name, v)
        object.__setattr__(self, "context", context)

    @property
    def rule(self) -> str:
        """required | choice | type | count | constraint | irrelevant"""
        return RULES[self.code]

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def facts(self) -> dict[str, Any]:
        return {"question": self.question_id, "value": self.value, **self.context}

    def renumbered(self, number: int) -> AnswerProblem:
        """The same problem naming its question by ``number`` (its place in the whole form)."""
        out = copy.copy(self)
        object.__setattr__(out, "context", {**self.context, "number": number})
        return out


@lru_cache(maxsize=4096)
def _expr(text: str) -> Expression:
    return Expression(text)


def _holds(form: Form, q: Question, field: str, scope: Mapping[str, Any], current: Any = None) -> bool:
    """Evaluate ``q``'s skip logic or constraint; a rule that cannot run is the form's error, naming the question."""
    text = getattr(q, field)
    try:
        return _expr(str(text)).test(scope, current)
    except ExpressionError as err:
        code = "form.relevant_failed" if field == "relevant" else "form.constraint_failed"
        raise FormError(code, form=form.id, question=_fmt(q, form), text=text, cause=err) from None


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


@dataclass(frozen=True)
class _ChoiceList:
    """The "id=label" list for a message, built only when a message is (validation is a hot path)."""

    q: Question

    def __str__(self) -> str:
        return "、".join(f"{c}={self.q.choice_label(c)}" for c in self.q.choice_ids())


def _check_kind(form: Form, q: Question, value: Any, out: list[AnswerProblem]) -> None:
    number = form.number(q.id)
    add = lambda code, **context: out.append(AnswerProblem(code, q.id, value, number=number, **context))  # noqa: E731
    ids = q.choice_ids()
    labels = _ChoiceList(q)
    if q.kind in ("single", "likert") and not q.is_matrix:
        if value not in ids:
            add("answer.choice_unknown", labels=labels)
    elif q.is_matrix:
        rows = {r.id for r in q.rows}
        for row, v in value.items():
            if row not in rows:
                add("answer.row_unknown", row=row, rows=", ".join(r.id for r in q.rows))
            elif v not in ids:
                label = q.rows[[r.id for r in q.rows].index(row)].label
                out.append(AnswerProblem("answer.row_choice_unknown", q.id, v, number=number, row=label, labels=labels))
    elif q.kind in ("multiple", "ranking"):
        bad = [v for v in value if v not in ids]
        if bad:
            out.append(AnswerProblem("answer.choice_unknown", q.id, bad, number=number, labels=labels))
        if len(set(value)) != len(value):
            add("answer.choice_repeated")
        if q.max_choices and len(value) > q.max_choices:
            add("answer.too_many", limit=q.max_choices, count=len(value))
        if q.min_choices and len(value) < q.min_choices:
            add("answer.too_few", limit=q.min_choices, count=len(value))


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
            code = {
                "number": "answer.not_integer" if q.integer else "answer.not_number",
                "date": "answer.not_date",
                "likert": "answer.likert_shape",
            }.get(q.kind, "answer.type")
            problems.append(AnswerProblem(code, q.id, raw, number=form.number(q.id)))
            continue
        if q.id not in shown:
            if value is not None:
                problems.append(
                    AnswerProblem(
                        "answer.irrelevant", q.id, raw, level="warning", number=form.number(q.id), relevant=q.relevant
                    )
                )
            continue
        if value is None:
            if q.required:
                problems.append(AnswerProblem("answer.required", q.id, raw, number=form.number(q.id), label=q.label))
            continue
        if q.is_matrix and q.required:
            missing = [r.label for r in q.rows if r.id not in value]
            if missing:
                problems.append(
                    AnswerProblem("answer.rows_missing", q.id, raw, number=form.number(q.id), rows="、".join(missing))
                )
        before = len(problems)
        _check_kind(form, q, value, problems)
        if (
            len(problems) == before
            and q.constraint
            and not _holds(form, q, "constraint", expression_scope({**answers, q.id: value}), value)
        ):
            problems.append(
                AnswerProblem(
                    "answer.constraint_message", q.id, raw, number=form.number(q.id), message=q.constraint_message
                )
                if q.constraint_message
                else AnswerProblem("answer.constraint", q.id, raw, number=form.number(q.id), constraint=q.constraint)
            )
        clean[q.id] = value
        if q.other:
            chose_other = value == OTHER or (isinstance(value, list) and OTHER in value)
            text = answers.get(other_key(q.id))
            if chose_other and not is_blank(text):
                clean[other_key(q.id)] = str(text).strip()
    return clean, problems
