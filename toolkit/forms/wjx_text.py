"""问卷星 文本导入 (paste-in text) for a form, plus the list of settings staff must make by hand.

Layout: the first line is the title; each question is ``1. 题干[单选题]`` followed by one option per line;
a blank line separates questions. A Likert matrix lists its scale on one line (options separated by
spaces, like a grid's header) and then one statement per line. Skip logic, constraints, required marks,
"other" text boxes and choice limits have no place in this format: ``manual_settings`` lists them.

>>> text = to_wjx_text(form)                         # doctest: +SKIP
>>> print("\\n".join(manual_settings(form)))          # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from toolkit.forms.model import OTHER_LABEL, Form, Question
from toolkit.forms.wording import condition_in_words

TYPE_TAGS = {
    "single": "单选题",
    "multiple": "多选题",
    "likert": "量表题",
    "ranking": "排序题",
    "number": "填空题",
    "date": "填空题",
    "text": "填空题",
    "concern": "填空题",
    "note": "段落说明",
}


def type_tag(q: Question) -> str:
    return "矩阵量表题" if q.is_matrix else TYPE_TAGS[q.kind]


def _block(form: Form, q: Question) -> list[str]:
    head = f"{q.label}[{type_tag(q)}]" if q.kind == "note" else f"{form.number(q.id)}. {q.label}[{type_tag(q)}]"
    lines = [head]
    if q.is_matrix:
        lines.append(" ".join(c.label.replace(" ", "") for c in q.choices))
        lines += [r.label for r in q.rows]
    elif q.choices:
        lines += [c.label for c in q.choices]
        if q.other:
            lines.append(OTHER_LABEL)
    return lines


def to_wjx_text(form: Form) -> str:
    """The text to paste into 问卷星's 文本导入 box (UTF-8, one trailing newline)."""
    blocks = [[form.title]] + [_block(form, q) for q in form.questions]
    return "\n\n".join("\n".join(b) for b in blocks) + "\n"


def manual_settings(form: Form) -> list[str]:
    """What the text format cannot carry, as lines telling staff what to set by hand in 问卷星."""
    out = (
        [f"问卷说明：把“{''.join(form.description.split())[:12]}…”一段粘贴到问卷星的“问卷说明”中"]
        if form.description
        else []
    )
    for q in form.questions:
        if q.kind == "note":
            continue
        short = q.label if len(q.label) <= 16 else q.label[:15] + "…"
        where = f"第{form.number(q.id)}题“{short}”"
        if q.required:
            out.append(f"{where}：设为必答")
        if q.relevant:
            out.append(f"{where}：设置跳题/显示逻辑——仅当 {condition_in_words(form, q.relevant)} 时显示")
        if q.constraint:
            out.append(f"{where}：设置填写限制——{q.constraint_message or q.constraint}")
        if q.other:
            out.append(f"{where}：在“{OTHER_LABEL}”选项后勾选“允许填空”")
        if q.max_choices or q.min_choices:
            limits = "、".join(
                s
                for s in (
                    f"至少选{q.min_choices}项" if q.min_choices else "",
                    f"最多选{q.max_choices}项" if q.max_choices else "",
                )
                if s
            )
            out.append(f"{where}：设置{limits}")
        if q.kind == "number":
            out.append(f"{where}：填空验证设为“{'整数' if q.integer else '数字'}”")
        if q.kind == "date":
            out.append(f"{where}：填空验证设为“日期”")
        if q.kind == "concern":
            out.append(f"{where}：改为多行文本框")
    return out


def write_wjx_text(form: Form, path: str | Path) -> tuple[Path, list[str]]:
    """Write the import text; return (path, settings to make by hand)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_wjx_text(form), encoding="utf-8")
    return path, manual_settings(form)
