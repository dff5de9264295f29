"""Typed text <-> answers: entry staff type the choice numbers printed on the paper form.

``□3 西山街道`` on paper is typed as ``3``; several choices as ``1 3 5`` (spaces, commas or 、);
a ranking in order, most important first. A choice id typed instead of a number works too.
Dates may be typed as ``20260501``. Anything unrecognised is passed on unchanged, so the
form's own checks (``validate_answers``) report it with the rule and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from toolkit.forms import Form, Question, other_key

_SEP = re.compile(r"[\s,，、;；]+")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def choice_from_code(q: Question, token: str) -> str:
    """The choice id for a typed number (1-based, as printed) or id; the token itself if neither."""
    token = token.strip()
    ids = q.choice_ids()
    if token in ids and not token.isdigit():
        return token
    if token.isdigit() and 1 <= int(token) <= len(ids):
        return ids[int(token) - 1]
    return token


def code_of(q: Question, choice_id: str) -> str:
    ids = q.choice_ids()
    return str(ids.index(choice_id) + 1) if choice_id in ids else str(choice_id)


def parse_typed(q: Question, text: str) -> Any:
    """One question's typed text as an answer value (None when blank)."""
    text = (text or "").strip()
    if not text:
        return None
    if q.kind in ("multiple", "ranking"):
        return [choice_from_code(q, t) for t in _SEP.split(text) if t]
    if q.kind in ("single", "likert"):
        return choice_from_code(q, text)
    if q.kind == "date":
        m = _COMPACT_DATE.match(text)
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else text
    return text


def format_answer(q: Question, value: Any) -> str:
    """An answer value as the text an operator would type (to load a stored response for correcting)."""
    if value is None:
        return ""
    if q.kind in ("multiple", "ranking"):
        return " ".join(code_of(q, v) for v in value)
    if q.kind in ("single", "likert"):
        return code_of(q, str(value))
    return str(value)


def echo(q: Question, value: Any) -> str:
    """What the typed codes mean, shown next to the field (``→ 西山街道``)."""
    if value is None or q.kind not in ("single", "multiple", "likert", "ranking"):
        return ""
    values = value if isinstance(value, list) else [value]
    return "→ " + "；".join(q.choice_label(v) if v in q.choice_ids() else f"？{v}" for v in values)


def typed_keys(form: Form) -> list[str]:
    """Keys of the typed-text dict: question ids, ``q/row`` for matrix rows, ``q_other`` for other texts."""
    keys = []
    for q in form.answer_questions():
        if q.is_matrix:
            keys += [f"{q.id}/{r.id}" for r in q.rows]
        else:
            keys.append(q.id)
        if q.other:
            keys.append(other_key(q.id))
    return keys


def answers_from_typed(form: Form, typed: Mapping[str, str]) -> dict:
    """All typed texts as answers in the form model's shapes (blank fields left out)."""
    answers: dict[str, Any] = {}
    for q in form.answer_questions():
        if q.is_matrix:
            rows = {
                r.id: choice_from_code(q, typed.get(f"{q.id}/{r.id}", ""))
                for r in q.rows
                if (typed.get(f"{q.id}/{r.id}") or "").strip()
            }
            if rows:
                answers[q.id] = rows
        else:
            value = parse_typed(q, typed.get(q.id, ""))
            if value is not None:
                answers[q.id] = value
        if q.other and (typed.get(other_key(q.id)) or "").strip():
            answers[other_key(q.id)] = typed[other_key(q.id)].strip()
    return answers


def typed_from_answers(form: Form, answers: Mapping[str, Any]) -> dict[str, str]:
    """The inverse of ``answers_from_typed``: a stored response as the texts to fill in."""
    typed = {}
    for q in form.answer_questions():
        value = answers.get(q.id)
        if q.is_matrix:
            for r in q.rows:
                typed[f"{q.id}/{r.id}"] = format_answer(q, (value or {}).get(r.id))
        else:
            typed[q.id] = format_answer(q, value)
        if q.other:
            typed[other_key(q.id)] = str(answers.get(other_key(q.id)) or "")
    return typed
