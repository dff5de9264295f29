"""Row validation for imports: the forms stage's ``validate_answers``, applied to many rows at once.

Each question is checked on a small sub-form holding only the question and the questions its skip
logic and constraint depend on, once per distinct combination of those answers, and the result is
shared by every row with that combination. The rules themselves live only in ``toolkit.forms``;
this module only decides what to call them on, which makes 100,000-row files fast.
"""

from __future__ import annotations

import json
from functools import lru_cache

from toolkit.forms import AnswerProblem, Expression, Form, other_key, validate_answers


def _freeze(value):
    """A hashable stand-in for an answer value (lists and matrix dicts become tuples)."""
    t = type(value)
    if t is list and all(type(x) is str for x in value):
        return ("L", *value)
    if t is dict and all(type(x) is str for x in value.values()):
        return ("D", *sorted(value.items()))
    if t in (list, dict, set, tuple):
        return ("J", json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return value


@lru_cache(maxsize=1024)
def _refs(text: str | None) -> frozenset:
    return frozenset(Expression(text).references) if text else frozenset()


def _depends(form: Form, qid: str) -> set[str]:
    """Questions whose answers can change how ``qid`` is checked (skip logic and constraint, transitively)."""
    by_id = {q.id: q for q in form.questions}
    todo, seen = [qid], set()
    while todo:
        cur = todo.pop()
        if cur in seen or cur not in by_id:
            continue
        seen.add(cur)
        q = by_id[cur]
        todo.extend(_refs(q.relevant))
        if cur == qid:
            todo.extend(_refs(q.constraint))
    return seen


class _Check:
    """One question's check on its sub-form, cached by the answers it depends on."""

    def __init__(self, form: Form, qid: str):
        deps = _depends(form, qid)
        self.q = next(q for q in form.questions if q.id == qid)
        self.sub = Form(
            id=form.id,
            title=form.title,
            version=form.version,
            questions=[q for q in form.questions if q.id in deps],
            choice_lists=form.choice_lists,
        )
        self.keys = [q.id for q in self.sub.questions] + ([other_key(qid)] if self.q.other else [])
        full, part = form.number(qid), self.sub.number(qid)
        self.number = None if full == part else full  # the sub-form numbers the question by its own order

    def run(self, answers: dict) -> tuple[dict, list[AnswerProblem]]:
        """Check this question for one row (uncached)."""
        sub_answers = {k: answers[k] for k in self.keys if k in answers}
        clean, problems = validate_answers(self.sub, sub_answers)
        own = {k: clean[k] for k in (self.q.id, other_key(self.q.id)) if k in clean}
        mine = [p for p in problems if p.question_id == self.q.id]
        if self.number is not None:
            mine = [p.renumbered(self.number) for p in mine]
        return own, mine

    def column(self, rows: list[dict], frozen: dict[str, list]) -> list[tuple[dict, list[AnswerProblem]]]:
        """Results for every row, validating each distinct combination of inputs once."""
        sigs = list(zip(*(frozen[k] for k in self.keys)))
        last = dict(zip(sigs, range(len(sigs))))  # one representative row per distinct input
        results = {sig: self.run(rows[i]) for sig, i in last.items()}
        return [results[sig] for sig in sigs]


def validate_rows(
    form: Form, rows: list[dict], not_shown: list[frozenset[str]] | None = None
) -> list[tuple[dict, list[AnswerProblem]]]:
    """``validate_answers(form, row)`` for each row, computed question by question on distinct inputs.

    ``not_shown`` (per row, question ids the platform marks as skipped, e.g. 问卷星's ``(跳过)``) satisfies
    必答: the respondent was routed past the question, so its blank is no 必答未答. It stays blank (missing).
    """
    if not rows:
        return []
    checks = [_Check(form, q.id) for q in form.answer_questions()]
    keys = {k for c in checks for k in c.keys}
    frozen = {k: [v if v is None or type(v) is str else _freeze(v) for v in (a.get(k) for a in rows)] for k in keys}
    columns = [c.column(rows, frozen) for c in checks]
    out = []
    for results in zip(*columns):
        clean: dict = {}
        problems: list[AnswerProblem] = []
        for own, mine in results:
            if own:
                clean.update(own)
            if mine:
                problems.extend(mine)
        out.append((clean, problems))
    if not_shown:
        out = [(clean, without_skipped(problems, skipped)) for (clean, problems), skipped in zip(out, not_shown)]
    return out


def without_skipped(problems: list[AnswerProblem], skipped) -> list[AnswerProblem]:
    """``problems`` less the 必答未答 of questions the platform did not show (``skipped``: question ids)."""
    if not skipped:
        return problems
    return [p for p in problems if not (p.rule == "required" and p.question_id in skipped)]


def skipped_of(batch_report: dict | None, row_number: int) -> frozenset[str]:
    """Questions not shown on a quarantined row, as its import batch recorded them (``rejected_not_shown``)."""
    return frozenset(((batch_report or {}).get("rejected_not_shown") or {}).get(str(row_number), ()))
