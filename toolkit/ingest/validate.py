"""Row validation for imports: the forms stage's ``validate_answers``, applied to many rows at once.

Rows repeat a lot (the same choices, blank optional questions), so each distinct answer set is
validated once and the result shared; the rules themselves live only in ``toolkit.forms``.
"""

from __future__ import annotations

import json

from toolkit.forms import AnswerProblem, Form, validate_answers


def _signature(answers: dict) -> str:
    return json.dumps(answers, ensure_ascii=False, sort_keys=True, default=str)


def validate_rows(form: Form, rows: list[dict]) -> list[tuple[dict, list[AnswerProblem]]]:
    """``validate_answers`` for each row, computed once per distinct row."""
    cache: dict[str, tuple[dict, list[AnswerProblem]]] = {}
    out = []
    for answers in rows:
        sig = _signature(answers)
        hit = cache.get(sig)
        if hit is None:
            hit = cache[sig] = validate_answers(form, answers)
        out.append(hit)
    return out
