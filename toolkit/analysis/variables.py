"""A question as a cross-tab sees it: categories (labels, in the form's order) and who is in which.

Every tabulable question becomes a 0/1 matrix, respondents × categories: a single choice has one 1 per
answered row, a multiple choice as many as were ticked, an unanswered row none (``answered`` is False).
Counts of two questions are then one matrix product, weighted or not, whatever their kinds.

==================  ==========================================================================
kind                categories
==================  ==========================================================================
single, likert row  the choices, in the form's order (``其他（请注明）`` last when allowed)
multiple, ranking   the choices; a respondent is in every one ticked (ranked: any position)
number              value ranges with round edges (“0–9”, “10–19” …); few whole values: each value
date                calendar months (“2026年4月”); so is ``submitted_at``, the time a response came in
text with a role    the answers as written (社区/村, 地点), most frequent first
==================  ==========================================================================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.analysis.errors import AnalysisError
from toolkit.forms import KIND_LABELS, Form

MAX_TEXT_LEVELS = 50  # a text question with a role (社区/村) has this many answers at most to be tabulated
SUBMITTED = "submitted_at"  # the response's own time (a meta column): tabulated by month like a date question
FEW_VALUES = 8  # whole numbers with at most this many distinct values are tabulated value by value


@dataclass
class Variable:
    """One side of a cross-tab."""

    column: str  # the answer column: ``q`` or ``q/row`` for a Likert matrix row
    label: str  # the question as shown (a matrix row: "question：row")
    multiple: bool  # a respondent may be in several categories (multiple choice, ranking)
    levels: list[str]  # category labels, in order
    matrix: np.ndarray  # respondents × categories, 0/1
    note: str = ""  # how the categories were made, when not the form's choices ("按月", "分组")
    name: str = ""  # a short name for titles (a matrix row: "question·row", hints in brackets dropped)

    @property
    def answered(self) -> np.ndarray:
        return self.matrix.sum(axis=1) > 0


def tabulable_columns(form: Form) -> list[tuple[str, str]]:
    """(label, answer column) of every question a cross-tab can use, in form order (for pickers)."""
    out = []
    for q in form.answer_questions():
        if q.is_matrix:
            out += [(f"{form.number(q.id)}. {q.label}：{r.label}", f"{q.id}/{r.id}") for r in q.rows]
        elif q.kind in ("single", "multiple", "likert", "ranking", "number", "date") or _grouping_text(q):
            out.append((f"{form.number(q.id)}. {q.label}", q.id))
    return [*out, ("提交时间（按月）", SUBMITTED)]


def variable(frame: pd.DataFrame, form: Form, column: str) -> Variable:
    """The categories of answer column ``column`` (a question id, or ``qid/row`` for a matrix row)."""
    values = frame[column] if column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    if column == SUBMITTED and SUBMITTED not in form.question_ids():
        return _months(values.astype("string").str[:10], column, "提交时间")
    qid, _, row = column.partition("/")
    q = form.question(qid)  # FormError form.question_unknown names the form's questions
    if q.is_matrix:
        rows = {r.id: r.label for r in q.rows}
        if row not in rows:
            example = f"{q.id}/{q.rows[0].id}"
            shown = "、".join(f"{q.id}/{r}" for r in rows)
            raise AnalysisError("analysis.matrix_row_needed", question=q.id, rows=shown, example=example)
        v = _choices(values, column, f"{q.label}：{rows[row]}", q, multiple=False)
        v.name = f"{_plain_text(q.label)}·{_plain_text(rows[row])}"
        return v
    if row:
        raise AnalysisError("analysis.not_a_matrix", question=q.id, column=column)
    if q.kind in ("single", "likert"):
        return _choices(values, column, q.label, q, multiple=False)
    if q.kind in ("multiple", "ranking"):
        note = "排序题：排入任一名次即计入该项" if q.kind == "ranking" else ""
        return _choices(values, column, q.label, q, multiple=True, note=note)
    if q.kind == "number":
        return _numbers(values, column, q.label)
    if q.kind == "date":
        return _months(values, column, q.label)
    if _grouping_text(q):
        return _texts(values, column, q.label)
    raise AnalysisError(
        "analysis.not_tabulable", form=form.id, question=q.id, kind=KIND_LABELS.get(q.kind, q.kind), label=q.label
    )


def _grouping_text(q) -> bool:
    """A text question whose answers name a group (社区/村, 地点, 委员): not the 问卷编号, not free text."""
    return q.kind == "text" and q.role is not None and q.role != "serial"


def _plain_text(label: str) -> str:
    """A label without its bracketed hints: "看病（社区医院、挂号）" -> "看病"."""
    return re.sub(r"[（(][^（）()]*[)）]", "", str(label)).strip().rstrip("？?：:") or str(label)


def _choices(values: pd.Series, column: str, label: str, q, *, multiple: bool, note: str = "") -> Variable:
    ids = list(q.choice_ids())
    picked = [_picked(v, multiple) for v in values]
    extra = sorted({c for p in picked for c in p} - set(ids))  # answers under choices an older version had
    ids += extra
    index = {c: i for i, c in enumerate(ids)}
    matrix = np.zeros((len(values), len(ids)), dtype=np.int8)
    for r, chosen in enumerate(picked):
        for c in chosen:
            matrix[r, index[c]] = 1
    return Variable(column, label, multiple, [q.choice_label(c) for c in ids], matrix, note)


def _picked(value, multiple: bool) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple)):
        chosen = [str(v) for v in value if v not in (None, "")]
        return list(dict.fromkeys(chosen)) if multiple else chosen[:1]
    text = str(value).strip()
    if not text:
        return []
    return list(dict.fromkeys(text.split())) if multiple else [text]


def _from_codes(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Respondents × categories from one category number per respondent (-1 = unanswered)."""
    matrix = np.zeros((len(codes), n_levels), dtype=np.int8)
    has = codes >= 0
    matrix[np.flatnonzero(has), codes[has]] = 1
    return matrix


def _numbers(values: pd.Series, column: str, label: str) -> Variable:
    numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    given = numbers[~np.isnan(numbers)]
    if not len(given):
        return Variable(column, label, False, [], np.zeros((len(values), 0), dtype=np.int8))
    whole = bool(np.all(given == np.round(given)))
    distinct = np.unique(given)
    if whole and len(distinct) <= FEW_VALUES:
        levels = [f"{v:g}" for v in distinct]
        codes = np.array([-1 if math.isnan(v) else int(np.searchsorted(distinct, v)) for v in numbers])
        return Variable(column, label, False, levels, _from_codes(codes, len(levels)))
    edges = nice_edges(float(given.min()), float(given.max()), whole=whole)
    levels = [_range_label(lo, hi, whole) for lo, hi in zip(edges, edges[1:])]
    codes = np.array(
        [
            -1 if math.isnan(v) else min(int(np.searchsorted(edges, v, side="right")) - 1, len(levels) - 1)
            for v in numbers
        ]
    )
    note = "按数值分组" + ("" if whole else "，每组含下限、不含上限")
    return Variable(column, label, False, levels, _from_codes(codes, len(levels)), note)


def nice_edges(low: float, high: float, *, whole: bool, target: int = 6) -> list[float]:
    """Round bin edges covering ``low``–``high`` in about ``target`` bins of 1, 2 or 5 × 10ⁿ; the last edge is
    above ``high``, so every bin holds its lower edge and not its upper one.

    >>> nice_edges(0, 60, whole=True)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
    >>> nice_edges(1.2, 3.9, whole=False)
    [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
    """
    span = max(high - low, 1.0 if whole else abs(high) * 0.1 or 1.0)
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, float(round(step)))
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(round(edges[-1] + step, 10))
    return [float(e) for e in edges]


def _range_label(low: float, high: float, whole: bool) -> str:
    if whole:
        top = high - 1
        return f"{low:g}" if top <= low else f"{low:g}–{top:g}"
    return f"{low:g}–{high:g}"


def _months(values: pd.Series, column: str, label: str) -> Variable:
    times = pd.to_datetime(values.astype("string").str.strip(), errors="coerce", format="mixed")
    months = times.dt.to_period("M")
    distinct = sorted(m for m in months.dropna().unique())
    index = {m: i for i, m in enumerate(distinct)}
    codes = np.array([-1 if pd.isna(m) else index[m] for m in months])
    levels = [f"{m.year}年{m.month}月" for m in distinct]
    return Variable(column, label, False, levels, _from_codes(codes, len(levels)), "按月")


def _texts(values: pd.Series, column: str, label: str) -> Variable:
    from toolkit.outputs import mask_text

    # answers as written may hold a phone number: categories are shown, so they are masked like any output
    texts = values.map(lambda v: mask_text(str(v).strip()) if isinstance(v, str) and v.strip() else None)
    counts = texts.value_counts()
    if len(counts) > MAX_TEXT_LEVELS:
        raise AnalysisError("analysis.too_many_texts", question=column, count=len(counts), limit=MAX_TEXT_LEVELS)
    order = sorted(counts.index, key=lambda t: (-counts[t], t))
    index = {t: i for i, t in enumerate(order)}
    codes = np.array([-1 if t is None else index[t] for t in texts])
    return Variable(column, label, False, list(order), _from_codes(codes, len(order)), "按填写的文字")
