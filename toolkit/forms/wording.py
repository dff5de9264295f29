"""Skip logic in words, for people reading a printed questionnaire or setting up 问卷星 by hand."""

from __future__ import annotations

from toolkit.forms.expressions import BinOp, Literal, Ref, parse
from toolkit.forms.model import Form, Question


def simple_condition(expression: str) -> tuple[str, str, str] | None:
    """``(question id, op, choice id)`` for ``${q} == 'x'`` / ``!=``; None for anything more complex."""
    tree = parse(expression).tree
    if (
        isinstance(tree, BinOp)
        and tree.op in ("==", "!=")
        and isinstance(tree.left, Ref)
        and isinstance(tree.right, Literal)
    ):
        return tree.left.name, tree.op, str(tree.right.value)
    return None


def condition_in_words(form: Form, expression: str) -> str:
    """``第12题选“是”`` for a simple condition; the expression itself otherwise."""
    simple = simple_condition(expression)
    if simple and simple[0] in form.question_ids():
        target = form.question(simple[0])
        verb = "选" if simple[1] == "==" else "未选"
        return f"第{form.number(target.id)}题{verb}“{target.choice_label(simple[2])}”"
    return expression


def skip_instructions(form: Form, q: Question) -> dict[str, int | None]:
    """For a choice question, {choice id: number of the question to jump to} (None = end of the questionnaire).

    A choice skips the run of following questions whose ``relevant`` is ``${q} == 'other choice'``.
    """
    out: dict[str, int | None] = {}
    index = form.questions.index(q)
    for cid in q.choice_ids():
        j = index + 1
        while j < len(form.questions):
            nxt = form.questions[j]
            cond = simple_condition(nxt.relevant) if nxt.relevant else None
            hidden = cond is not None and cond[0] == q.id and ((cond[1] == "==") != (cid == cond[2]))
            if not hidden and nxt.kind != "note":
                break
            if not hidden and nxt.kind == "note":
                j += 1
                continue
            j += 1
        if j > index + 1 and any(
            (c := simple_condition(x.relevant) if x.relevant else None) and c[0] == q.id
            for x in form.questions[index + 1 : j]
        ):
            numbered = [x for x in form.questions[j:] if x.kind != "note"]
            out[cid] = form.number(numbered[0].id) if numbered else None
    return out
