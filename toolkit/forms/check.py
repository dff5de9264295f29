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


def _p(form: Form, q: Question | None, level: str, field: str | None, rule: str, fix: str) -> Problem:
    qid = q.id if q else None
    label = f"{qid}（第{form.number(qid)}题）" if q and q.kind != "note" and qid in form.question_ids() else qid
    return Problem(level, where(form.path, q.line if q else None, label, field), rule, fix, qid)


def _check_question(form: Form, q: Question, position: dict[str, int], out: list[Problem]) -> None:
    err = lambda field, rule, fix: out.append(_p(form, q, "error", field, rule, fix))  # noqa: E731
    warn = lambda field, rule, fix: out.append(_p(form, q, "warning", field, rule, fix))  # noqa: E731
    if not _ID.match(q.id):
        err("id", f"题目编号 {q.id!r} 不合规", "编号只用英文字母、数字和下划线，且不以数字开头（如 q3、concern_1）")
    if not q.label.strip():
        err("label", "缺少题干文字", "补上 label: 题干")
    if q.kind in CHOICE_KINDS and not q.choices and not q.choice_list:
        err("choices", f"{q.kind} 题没有选项", "加上 choices: 选项列表，或引用 choice_lists 中的列表名")
    if q.kind not in CHOICE_KINDS and (q.choices or q.choice_list):
        warn(
            "choices", f"{q.kind} 题不使用选项（将被忽略）", "删除 choices，或把题型改为 single/multiple/likert/ranking"
        )
    for c in q.choices:
        if FILL_IN in c.label:
            warn(
                "choices",
                f"选项 {c.id} 的文字还是占位内容“{c.label}”",
                "按原问卷把它改成真实的选项文字（form infer 在导出中找不到无人选择的选项）",
            )
    dup = [cid for cid, n in Counter(c.id for c in q.choices).items() if n > 1]
    if dup:
        err("choices", f"选项编号重复：{', '.join(dup)}", "每个选项的 id 在本题内必须唯一")
    if q.rows and q.kind != "likert":
        err("rows", "只有量表题（likert）可以有 rows（矩阵行）", "删除 rows，或把题型改为 likert")
    dup_rows = [r for r, n in Counter(r.id for r in q.rows).items() if n > 1]
    if dup_rows:
        err("rows", f"矩阵行编号重复：{', '.join(dup_rows)}", "每一行的 id 必须唯一")
    if q.other:
        if q.kind not in ("single", "multiple"):
            err("other", f"{q.kind} 题不能有“其他（请注明）”", "只在单选或多选题上写 other: true")
        if any(c.id == OTHER for c in q.choices):
            warn("other", f"已有编号为 {OTHER!r} 的选项，other: true 会与之合并", "删除该选项，由 other: true 自动生成")
        if other_key(q.id) in position:
            err("other", f"“其他”文字的存放编号 {other_key(q.id)} 与另一道题重名", "给那道题换一个编号")
    for name in ("min_choices", "max_choices"):
        value = getattr(q, name)
        if value is None:
            continue
        if q.kind not in ("multiple", "ranking"):
            err(name, f"{name} 只适用于多选题和排序题", f"删除 {name}")
        elif not isinstance(value, int) or value < 1:
            err(name, f"{name} 应为正整数，实为 {value!r}", f"写成 {name}: 3 这样的整数")
        elif value > len(q.choice_ids()):
            err(name, f"{name}={value} 超过了选项数 {len(q.choice_ids())}", "减小数值或增加选项")
    if isinstance(q.min_choices, int) and isinstance(q.max_choices, int) and q.min_choices > q.max_choices:
        err("min_choices", f"至少选 {q.min_choices} 项却至多选 {q.max_choices} 项", "让 min_choices ≤ max_choices")
    if q.integer and q.kind != "number":
        warn("integer", "integer 只适用于数字题（将被忽略）", "删除 integer，或把题型改为 number")
    if q.role is not None and q.role not in ROLES:
        err("role", f"未知角色 {q.role!r}", "角色只能是：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))
    if q.kind == "note" and q.required:
        warn("required", "段落说明不需要作答，required 无效", "删除 required")
    if q.constraint_message and not q.constraint:
        warn("constraint_message", "有 constraint_message 却没有 constraint", "补上 constraint，或删除提示文字")
    if q.renamed_from is not None:
        if not _ID.match(str(q.renamed_from)):
            err("renamed_from", f"旧编号 {q.renamed_from!r} 不合规", "写上一版问卷中这道题的编号")
        elif q.renamed_from == q.id:
            warn("renamed_from", "旧编号与新编号相同，无需 renamed_from", "删除 renamed_from")
        elif q.renamed_from in position:
            err(
                "renamed_from",
                f"旧编号 {q.renamed_from} 仍是本问卷中另一道题的编号，旧答案无法确定归属",
                "给那道题换一个编号，或删除 renamed_from",
            )
    for field in ("relevant", "constraint"):
        text = getattr(q, field)
        if text is not None:
            _check_expression(form, q, field, str(text), position, out)


def _check_expression(form: Form, q: Question, field: str, text: str, position: dict[str, int], out: list[Problem]):
    err = lambda rule, fix: out.append(_p(form, q, "error", field, rule, fix))  # noqa: E731
    try:
        expr = Expression(text)
    except ExpressionError as e:
        shown = text if len(text) <= 80 else text[:80] + "…"
        err(f"表达式 {shown!r} 无法解析：{e.what}", e.fix)
        return
    for pattern in expr.regex_patterns():
        bad = check_pattern(pattern)
        if bad is not None:
            err(bad.what, bad.fix)
    known = "、".join(form.question_ids())
    for ref in sorted(expr.references):
        base, _, row = ref.partition("/")
        if base not in position:
            err(f"引用了不存在的题目 ${{{ref}}}", f"改成已有题目编号之一：{known}")
            continue
        target = form.questions[position[base]]
        if row and not any(r.id == row for r in target.rows):
            err(f"题目 {base} 没有矩阵行 {row!r}", f"可用行：{', '.join(r.id for r in target.rows) or '（无）'}")
        if target.kind == "note":
            err(f"引用了段落说明 {base}，它没有答案", "改为引用一道需要作答的题目")
        if field == "relevant" and base == q.id:
            err("跳题条件引用了本题自己", "跳题条件只能依据前面题目的答案；本题的取值限制写在 constraint 中")
        elif field == "relevant" and position[base] > position[q.id]:
            err(f"跳题条件引用了后面的题目 {base}", f"把 {base} 移到本题之前，或改为依据前面题目的答案")
    if field == "constraint" and not expr.uses_current and not expr.references:
        out.append(_p(form, q, "warning", field, "取值限制没有用到本题答案“.”", "用“.”代表本题答案，例如 . >= 18"))
    checks = [(qid, cid, "selected") for qid, cid in expr.selected_choices()]
    checks += [(qid, cid, "compare") for qid, cid in expr.compared_values()]
    for qid, cid, how in checks:
        target = form.questions[position[qid]] if qid in position else None
        if target is None:
            continue
        if target.kind not in CHOICE_KINDS:
            if how == "selected":
                err(f"selected() 用在了非选择题 {qid} 上", "selected() 只用于单选、多选、排序题")
            continue
        if target.is_matrix or cid in target.choice_ids():
            continue
        labels = "、".join(f"{c.id}={c.label}" for c in target.choices)
        err(f"题目 {qid} 没有编号为 {cid!r} 的选项", f"选项编号应为：{labels}")


def check_form(form: Form | str | Path) -> list[Problem]:
    """All problems of a form (errors and warnings), in file order.

    ``form`` may be a path to a YAML file; structural problems found while reading it are included.
    """
    from toolkit.forms.yaml_io import read_form

    problems: list[Problem] = []
    if not isinstance(form, Form):
        form, problems = read_form(form)
    if not _ID.match(form.id or "_"):
        problems.append(
            Problem(
                "error",
                where(form.path, 1, None, "id"),
                f"问卷编号 {form.id!r} 不合规",
                "只用英文字母、数字和下划线，如 annual_topics_2026",
            )
        )
    position: dict[str, int] = {}
    for i, q in enumerate(form.questions):
        if q.id in position:
            first = form.questions[position[q.id]]
            problems.append(
                _p(
                    form,
                    q,
                    "error",
                    "id",
                    f"题目编号 {q.id!r} 重复（第{first.line or '?'}行已用过）",
                    "给其中一道题换一个唯一的编号",
                )
            )
        else:
            position[q.id] = i
    roles = Counter(q.role for q in form.questions if q.role)
    for q in form.questions:
        _check_question(form, q, position, problems)
        if q.role and roles[q.role] > 1:
            problems.append(
                _p(
                    form,
                    q,
                    "error",
                    "role",
                    f"角色 {q.role}（{ROLES.get(q.role, '')}）被多道题使用",
                    "每个角色只能指定给一道题",
                )
            )
            roles[q.role] = 1  # report once
    used = {q.choice_list for q in form.questions}
    for name in form.choice_lists:
        if name not in used:
            problems.append(
                Problem(
                    "warning",
                    where(form.path, None, None, f"选项列表 {name}"),
                    "选项列表没有被任何题目使用",
                    "删除它，或在题目的 choices 中引用",
                )
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
        raise FormError(f"问卷 {path} 有 {len(errors)} 处错误：\n" + "\n".join(str(p) for p in errors), problems=errors)
    return form
