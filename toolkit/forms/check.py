"""Semantic checks of a form definition; every problem says where, the rule and the fix."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from toolkit.forms.errors import FormError
from toolkit.forms.expressions import Expression, ExpressionError
from toolkit.forms.model import CHOICE_KINDS, OTHER, ROLES, Form, Question, other_key
from toolkit.forms.problems import Problem, where
from toolkit.forms.regexes import check_pattern

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FILL_IN = "请补全文字"  # marks an option label `weidiaoyan form infer` could not know (nobody chose it)


def _p(code: str, form: Form, q: Question | None, field: str | None, level: str = "error", **context) -> Problem:
    qid = q.id if q else None
    label = f"{qid}（第{form.number(qid)}题）" if q and q.kind != "note" and qid in form.question_ids() else qid
    return Problem(code, where(form.path, q.line if q else None, label, field), qid, level=level, **context)


def _check_question(form: Form, q: Question, position: dict[str, int], out: list[Problem]) -> None:
    err = lambda code, field, **context: out.append(_p(code, form, q, field, **context))  # noqa: E731
    warn = lambda code, field, **context: out.append(_p(code, form, q, field, "warning", **context))  # noqa: E731
    if not _ID.match(q.id):
        err("form.question_id_invalid", "id", value=q.id)
    if not q.label.strip():
        err("form.label_missing", "label")
    if q.kind in CHOICE_KINDS and not q.choices and not q.choice_list:
        err("form.choices_missing", "choices", kind=q.kind)
    if q.kind not in CHOICE_KINDS and (q.choices or q.choice_list):
        warn("form.choices_unused", "choices", kind=q.kind)
    for c in q.choices:
        if FILL_IN in c.label:
            warn("form.choice_placeholder", "choices", choice=c.id, label=c.label)
    dup = [cid for cid, n in Counter(c.id for c in q.choices).items() if n > 1]
    if dup:
        err("form.choice_id_repeated", "choices", ids=", ".join(dup))
    if q.rows and q.kind != "likert":
        err("form.rows_not_likert", "rows", kind=q.kind)
    dup_rows = [r for r, n in Counter(r.id for r in q.rows).items() if n > 1]
    if dup_rows:
        err("form.row_id_repeated", "rows", ids=", ".join(dup_rows))
    if q.other:
        if q.kind not in ("single", "multiple"):
            err("form.other_not_choice", "other", kind=q.kind)
        if any(c.id == OTHER for c in q.choices):
            warn("form.other_choice_exists", "other", other=OTHER)
        if other_key(q.id) in position:
            err("form.other_key_taken", "other", key=other_key(q.id))
    for name in ("min_choices", "max_choices"):
        value = getattr(q, name)
        if value is None:
            continue
        if q.kind not in ("multiple", "ranking"):
            err("form.count_not_applicable", name, name=name, kind=q.kind)
        elif not isinstance(value, int) or value < 1:
            err("form.count_not_positive", name, name=name, value=value)
        elif value > len(q.choice_ids()):
            err("form.count_over_choices", name, name=name, value=value, choices=len(q.choice_ids()))
    if isinstance(q.min_choices, int) and isinstance(q.max_choices, int) and q.min_choices > q.max_choices:
        err("form.count_min_over_max", "min_choices", low=q.min_choices, high=q.max_choices)
    if q.integer and q.kind != "number":
        warn("form.integer_not_number", "integer", kind=q.kind)
    if q.role is not None and q.role not in ROLES:
        err("form.role_unknown", "role", role=q.role, roles="、".join(f"{k}（{v}）" for k, v in ROLES.items()))
    if q.kind == "note" and q.required:
        warn("form.note_required", "required")
    if q.constraint_message and not q.constraint:
        warn("form.message_without_constraint", "constraint_message")
    if q.renamed_from is not None:
        if not _ID.match(str(q.renamed_from)):
            err("form.renamed_from_invalid", "renamed_from", value=q.renamed_from)
        elif q.renamed_from == q.id:
            warn("form.renamed_from_same", "renamed_from", value=q.renamed_from)
        elif q.renamed_from in position:
            err("form.renamed_from_taken", "renamed_from", value=q.renamed_from)
    for field in ("relevant", "constraint"):
        text = getattr(q, field)
        if text is not None:
            _check_expression(form, q, field, str(text), position, out)


def _check_expression(form: Form, q: Question, field: str, text: str, position: dict[str, int], out: list[Problem]):
    err = lambda code, **context: out.append(_p(code, form, q, field, **context))  # noqa: E731
    shown = text if len(text) <= 80 else text[:80] + "…"
    try:
        expr = Expression(text)
    except ExpressionError as e:
        err("form.expression_invalid", expression=shown, cause=e)
        return
    for pattern in expr.regex_patterns():
        bad = check_pattern(pattern)
        if bad is not None:
            err("form.regex_invalid", expression=shown, pattern=pattern, cause=bad)
    known = "、".join(form.question_ids())
    for ref in sorted(expr.references):
        base, _, row = ref.partition("/")
        if base not in position:
            err("form.reference_unknown", ref=ref, known=known)
            continue
        target = form.questions[position[base]]
        if row and not any(r.id == row for r in target.rows):
            err(
                "form.reference_row_unknown",
                question=base,
                row=row,
                rows=[r.id for r in target.rows],
            )
        if target.kind == "note":
            err("form.reference_note", question=base)
        if field == "relevant" and base == q.id:
            err("form.relevant_self")
        elif field == "relevant" and position[base] > position[q.id]:
            err("form.relevant_later", question=base)
    if field == "constraint" and not expr.uses_current and not expr.references:
        out.append(_p("form.constraint_without_current", form, q, field, "warning"))
    checks = [(qid, cid, "selected") for qid, cid in expr.selected_choices()]
    checks += [(qid, cid, "compare") for qid, cid in expr.compared_values()]
    for qid, cid, how in checks:
        target = form.questions[position[qid]] if qid in position else None
        if target is None:
            continue
        if target.kind not in CHOICE_KINDS:
            if how == "selected":
                err("form.selected_not_choice", question=qid)
            continue
        if target.is_matrix or cid in target.choice_ids():
            continue
        labels = "、".join(f"{c.id}={c.label}" for c in target.choices)
        err("form.choice_unknown", question=qid, choice=cid, labels=labels)


def check_form(form: Form | str | Path) -> list[Problem]:
    """All problems of a form (errors and warnings), in file order.

    ``form`` may be a path to a YAML file; structural problems found while reading it are included.
    """
    from toolkit.forms.yaml_io import read_form

    problems: list[Problem] = []
    if not isinstance(form, Form):
        form, problems = read_form(form)
    if not _ID.match(form.id or "_"):
        problems.append(Problem("form.id_invalid", where(form.path, 1, None, "id"), value=form.id))
    position: dict[str, int] = {}
    for i, q in enumerate(form.questions):
        if q.id in position:
            first = form.questions[position[q.id]]
            problems.append(_p("form.question_id_repeated", form, q, "id", value=q.id, first=first.line or "?"))
        else:
            position[q.id] = i
    roles = Counter(q.role for q in form.questions if q.role)
    for q in form.questions:
        _check_question(form, q, position, problems)
        if q.role and roles[q.role] > 1:
            problems.append(_p("form.role_repeated", form, q, "role", role=q.role, meaning=ROLES.get(q.role, "")))
            roles[q.role] = 1  # report once
    used = {q.choice_list for q in form.questions}
    for name in form.choice_lists:
        if name not in used:
            problems.append(
                Problem("form.choice_list_unused", where(form.path, None, None, f"选项列表 {name}"), level="warning")
            )
    return problems


def load_form(path: str | Path) -> Form:
    """Read and check a YAML form; raise ``FormError`` listing every error (warnings are kept quiet).

    >>> form = load_form("surveys/annual_topics.yaml")   # doctest: +SKIP
    """
    from toolkit.forms.yaml_io import read_form

    form, problems = read_form(path)
    problems += check_form(form)
    errors = [p for p in problems if p.is_error]
    if errors:
        details = "".join(f"\n{p}" for p in errors)
        raise FormError("form.has_errors", path=path, count=len(errors), details=details, problems=errors)
    return form
