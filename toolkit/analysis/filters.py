"""Filters: which responses an analysis looks at, written in the form's own expression language.

One expression language for skip logic and for analysis, so staff learn one thing::

    ${district} == 'donghu' and ${age_band} != 'under18'
    selected(${concern_areas}, 'traffic') or ${years_here} >= 10
    ${services/medical} == '1' and ${source} == 'wjx'

References are question ids (a Likert matrix row as ``${qid/row}``) or the response's meta columns
(``source``, ``operator``, ``submitted_at`` …). Choices are compared by their ids; a choice's label
(“东湖街道”) in place of its id is refused with the id to write instead.

A time column (``submitted_at``, ``created_at``, ``updated_at``) or a date question compared with a quoted
date (``${submitted_at} < '2026-6-1'``; 2026/6/1 and 2026年6月1日 too) is compared as dates, not as text:
the stored instants (UTC) on the local date of this computer's clock. A date that does not exist
(``'2026-13-01'``) is refused.

>>> from toolkit.analysis import filter_responses
>>> chosen = filter_responses(frame, form, "${district} == 'donghu'")     # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import unicodedata
from typing import Any

import pandas as pd

from toolkit.analysis.errors import AnalysisError
from toolkit.forms import CHOICE_KINDS, ROLES, Expression, ExpressionError, Form, Question
from toolkit.numbers import to_date
from toolkit.store import META_COLUMNS

# the meta columns that hold an instant, as a reader names their date
TIME_COLUMNS = {"submitted_at": "提交日期", "created_at": "录入日期", "updated_at": "修改日期"}
_ORDER = ("==", "!=", "<", "<=", ">", ">=")
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_DATE_WORDS = {"==": "为", "!=": "不是", "<": "早于", "<=": "不晚于", ">": "晚于", ">=": "不早于"}


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
    parsed.tree = _with_dates(_date_columns(form), parsed.tree, expression)
    return parsed


def _date_columns(form: Form) -> set[str]:
    return set(TIME_COLUMNS) | {q.id for q in form.answer_questions() if q.kind == "date"}


def _with_dates(dates: set[str], node, expression: str):
    """``node`` with each quoted value compared to a date column written as an ISO date (“2026-06-01”)."""
    kind = type(node).__name__
    if kind == "Call":
        return dataclasses.replace(node, args=tuple(_with_dates(dates, a, expression) for a in node.args))
    if kind != "BinOp":
        return node
    left, right = _with_dates(dates, node.left, expression), _with_dates(dates, node.right, expression)
    if node.op in _ORDER:
        if _is_date_ref(dates, left) and type(right).__name__ == "Literal":
            right = dataclasses.replace(right, value=_iso_date(right.value, left.name, expression))
        elif _is_date_ref(dates, right) and type(left).__name__ == "Literal":
            left = dataclasses.replace(left, value=_iso_date(left.value, right.name, expression))
    return dataclasses.replace(node, left=left, right=right)


def _is_date_ref(dates: set[str], node) -> bool:
    return type(node).__name__ == "Ref" and node.name in dates


def _iso_date(value: Any, name: str, expression: str) -> str:
    """A quoted date as ``2026-06-01`` ("" stays "": no answer); one that cannot be a date is refused."""
    text = str(value).strip()
    if text == "":
        return ""
    day = to_date(text)
    if day is not None:
        return day.isoformat()
    digits = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
    if len(digits) == 1 and len(digits[0]) == 8:
        digits = [digits[0][:4], digits[0][4:6], digits[0][6:]]
    if len(digits) == 3 and len(digits[0]) == 4:
        year, month, day_ = (int(d) for d in digits)
        facts: dict[str, Any] = {
            "filter": expression,
            "question": name,
            "value": text,
            "year": year,
            "month": month,
            "day": day_,
        }
        if not 1 <= month <= 12:
            raise AnalysisError("analysis.filter_date_month", **facts)
        if year >= 1 and _no_such_day(year, month, day_):
            raise AnalysisError("analysis.filter_date_day", **facts)
    raise AnalysisError("analysis.filter_date_invalid", filter=expression, question=name, value=text)


def _no_such_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return True
    return False


def _local_date(value: Any) -> str | None:
    """A stored time (“2026-05-31 18:00:00+00:00”) as its date on this computer's clock (“2026-06-01” east
    of UTC), a date answer as its ISO date; None when it is no date."""
    if value is None or str(value).strip() == "":
        return None
    try:
        stamp = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        day = to_date(value)
        return day.isoformat() if day is not None else None
    return (stamp.astimezone() if stamp.tzinfo is not None else stamp).date().isoformat()


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
    dates = _date_columns(form) & set(columns)
    keep = []
    # a column nobody has answered yet is missing from the frame: every row sees it unanswered
    for record in frame.reindex(columns=columns).to_dict("records"):
        scope = {k: _local_date(_plain(v)) if k in dates else _plain(v) for k, v in record.items()}
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
    dated = _date_words(form, node) if kind == "BinOp" else None
    if dated is not None:
        return dated
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


def _date_words(form: Form, node) -> str | None:
    """“提交日期早于 2026-06-01” for a date column compared with a date (either way round), else None."""
    dates = _date_columns(form)
    op, ref, lit = node.op, node.left, node.right
    if _is_date_ref(dates, lit) and type(ref).__name__ == "Literal":
        op, ref, lit = _FLIPPED.get(op, op), lit, ref
    if op not in _ORDER or not _is_date_ref(dates, ref) or type(lit).__name__ != "Literal" or lit.value == "":
        return None
    name = question_name(form, ref.name) if ref.name in form.question_ids() else TIME_COLUMNS[ref.name]
    return f"{name}{_DATE_WORDS[op]} {lit.value}"


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
