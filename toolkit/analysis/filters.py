"""Filters: which responses an analysis looks at, written in the form's own expression language.

One expression language for skip logic and for analysis, so staff learn one thing::

    ${district} == 'donghu' and ${age_band} != 'under18'
    selected(${concern_areas}, 'traffic') or ${years_here} >= 10
    ${services/medical} == '1' and ${source} == 'wjx'

References are question ids (a Likert matrix row as ``${qid/row}``) or the response's meta columns
(``source``, ``operator``, ``submitted_at`` …). Choices are compared by their ids; a choice's label
(“东湖街道”) in place of its id is refused with the id to write instead.

>>> from toolkit.analysis import filter_responses
>>> chosen = filter_responses(frame, form, "${district} == 'donghu'")     # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from toolkit.analysis.errors import AnalysisError
from toolkit.forms import CHOICE_KINDS, ROLES, Expression, ExpressionError, Form, Question
from toolkit.store import META_COLUMNS


def parse_filter(form: Form, expression: str) -> Expression:
    """The parsed filter, checked against ``form``: every reference known, every compared choice an id."""
    try:
        parsed = Expression(expression)
    except ExpressionError as err:
        raise AnalysisError("analysis.filter_invalid", filter=expression, cause=err) from None
    known = _known_references(form)
    for name in sorted(parsed.references):
        if name not in known:
            shown = "、".join(q.id for q in form.answer_questions())
            raise AnalysisError("analysis.filter_unknown_question", filter=expression, question=name, known=shown)
    for name, value in parsed.compared_values() + parsed.selected_choices():
        q = _choice_question(form, name)
        if q is None or value in q.choice_ids() or value == "":
            continue
        by_label = next((c.id for c in q.choices if c.label == value), None)
        if by_label is not None:
            raise AnalysisError(
                "analysis.filter_label_not_id", filter=expression, question=name, label=value, choice=by_label
            )
        raise AnalysisError(
            "analysis.filter_choice_unknown",
            filter=expression,
            question=name,
            value=value,
            known="、".join(f"{c}（{q.choice_label(c)}）" for c in q.choice_ids()),
        )
    return parsed


def filter_responses(frame: pd.DataFrame, form: Form, expression: str | None) -> pd.DataFrame:
    """The rows of ``frame`` (a response frame, ``Store.responses``) for which ``expression`` holds.

    An empty or missing expression keeps every row. The index is kept, so the result aligns with ``frame``.
    A refused expression raises :class:`AnalysisError` (``analysis.filter_*``) before any row is read.
    """
    if expression is None or not str(expression).strip():
        return frame
    parsed = parse_filter(form, str(expression))
    columns = _columns_read(form, parsed.references)
    matrices = [q for q in form.questions if q.is_matrix and q.id in parsed.references]
    keep = []
    # a column nobody has answered yet is missing from the frame: every row sees it unanswered
    for record in frame.reindex(columns=columns).to_dict("records"):
        scope = {k: _plain(v) for k, v in record.items()}
        for q in matrices:
            scope[q.id] = {r.id: scope.get(f"{q.id}/{r.id}") for r in q.rows if scope.get(f"{q.id}/{r.id}") is not None}
        keep.append(parsed.test(scope))
    return frame[pd.Series(keep, index=frame.index, dtype=bool)] if len(frame) else frame


def filter_in_words(form: Form, expression: str | None) -> str:
    """The filter as a reader understands it: “镇街为“东湖街道”且年龄不是“18岁以下””; the expression itself
    where it is more than comparisons of choices joined by and/or; "" for no filter."""
    if expression is None or not str(expression).strip():
        return ""
    tree = parse_filter(form, str(expression)).tree
    words = _words(form, tree)
    return words if words is not None else str(expression).strip()


def _words(form: Form, node) -> str | None:
    """``node`` of ``Expression.tree`` in words; None when it is not a comparison of choices (or several)."""
    kind = type(node).__name__  # BinOp, Call, Ref, Literal: the parse tree's node types
    if kind == "BinOp" and node.op in ("and", "or"):
        left, right = _words(form, node.left), _words(form, node.right)
        if left is None or right is None:
            return None
        return f"{left}{'且' if node.op == 'and' else '或'}{right}"
    pair = None
    if kind == "BinOp" and node.op in ("==", "!=") and type(node.left).__name__ == "Ref":
        pair = (node.left.name, node.right, "为" if node.op == "==" else "不是")
    elif kind == "Call" and node.name == "selected" and type(node.args[0]).__name__ == "Ref":
        pair = (node.args[0].name, node.args[1], "选了")
    if pair is None or type(pair[1]).__name__ != "Literal":
        return None
    name, literal, verb = pair
    q = _choice_question(form, name)
    if q is None:
        return None
    return f"{question_name(form, name)}{verb}“{q.choice_label(str(literal.value))}”"


def question_name(form: Form, column: str) -> str:
    """A short name for an answer column in running text: the role (镇街, 界别, 年龄) or 第N题 (with its row)."""
    qid, _, row = column.partition("/")
    q = form.question(qid)
    if q.role in ROLES and not row:
        return ROLES[q.role]
    name = f"第{form.number(q.id)}题"
    if row:
        label = next((r.label for r in q.rows if r.id == row), row)
        name += f"“{label.split('（')[0]}”"
    return name


def _known_references(form: Form) -> set[str]:
    known = set(META_COLUMNS)
    for q in form.answer_questions():
        known.add(q.id)
        known.update(q.columns())
    return known


def _choice_question(form: Form, name: str) -> Question | None:
    qid = name.partition("/")[0]
    if qid not in form.question_ids():
        return None
    q = form.question(qid)
    return q if q.kind in CHOICE_KINDS else None


def _columns_read(form: Form, references: set[str]) -> list[str]:
    columns: list[str] = []
    for name in sorted(references):
        q = form.question(name) if name in form.question_ids() else None
        wanted = q.columns() if q is not None and q.is_matrix else [name]
        columns += [c for c in wanted if c not in columns]
    return columns


def _plain(value: Any) -> Any:
    """A frame cell as the expression language sees it: missing is None, numpy scalars are Python's."""
    if isinstance(value, (list, dict)):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    return value.item() if hasattr(value, "item") else value
