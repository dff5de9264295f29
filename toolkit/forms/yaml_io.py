"""Forms as YAML files in ``surveys/``: read (keeping line numbers for messages) and write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from toolkit.forms.errors import FormError
from toolkit.forms.model import KINDS, Choice, Form, Question
from toolkit.forms.problems import Problem, where

_QUESTION_KEYS = {
    "id", "kind", "label", "hint", "required", "role", "choices", "rows", "other", "min_choices",
    "max_choices", "integer", "constraint", "constraint_message", "relevant", "renamed_from",
}


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping's line as ``__line__``."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _choices(raw, ctx: str, problems: list[Problem], path, line, qid) -> list[Choice]:
    out = []
    for i, item in enumerate(raw or [], start=1):
        if isinstance(item, dict):
            cid, label = item.get("id"), item.get("label")
            if cid is None or label is None:
                problems.append(Problem("error", where(path, item.get("__line__", line), qid, ctx),
                                        f"第{i}个选项缺少 id 或 label", "每个选项写成 {id: 英文编号, label: 中文文字}", qid))
                continue
            if isinstance(cid, bool):
                # YAML reads bare yes/no/on/off as booleans: the id the author meant is lost
                problems.append(Problem("error", where(path, item.get("__line__", line), qid, ctx),
                                        f"第{i}个选项的 id 被 YAML 读成了布尔值 {cid}",
                                        f"给 id 加上引号，例如 id: \"{'yes' if cid else 'no'}\"", qid))
                continue
            out.append(Choice(str(cid), str(label)))
        elif isinstance(item, (str, int, float)):
            # shorthand: a bare label; id is its 1-based position, like 问卷星's option numbers
            out.append(Choice(str(i), str(item)))
        else:
            problems.append(Problem("error", where(path, line, qid, ctx), f"第{i}个选项格式无法识别：{item!r}",
                                    "写成 {id: 编号, label: 文字} 或直接写文字", qid))
    return out


def form_from_dict(data: Any, path: str | None = None) -> tuple[Form, list[Problem]]:
    """Build a Form from parsed YAML, collecting structural problems instead of failing at the first."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise FormError(f"{path or '问卷'}：文件内容不是一个问卷定义（应以 id、title、questions 等字段开头）。"
                        "修改：参照 surveys/ 中的示例问卷编写。")
    for key in ("id", "title", "questions"):
        if not data.get(key):
            problems.append(Problem("error", where(path, 1), f"缺少必填字段 {key}", f"在文件开头加入 {key}: …"))
    lists = {}
    for name, raw in (data.get("choice_lists") or {}).items():
        if name == "__line__":
            continue
        lists[str(name)] = _choices(raw, f"选项列表 {name}", problems, path, None, None)
    form = Form(
        id=str(data.get("id") or ""), title=str(data.get("title") or ""), version=str(data.get("version", "1")),
        description=str(data.get("description") or "").strip(), choice_lists=lists, path=path,
    )
    for idx, raw in enumerate(data.get("questions") or [], start=1):
        if not isinstance(raw, dict):
            problems.append(Problem("error", where(path, None, None, f"第{idx}题"), f"题目定义不是键值对：{raw!r}",
                                    "每道题写成 - id: …\\n  kind: …\\n  label: …"))
            continue
        line = raw.get("__line__")
        qid = str(raw.get("id") or f"#{idx}")
        for key in sorted(set(raw) - _QUESTION_KEYS - {"__line__"}):
            problems.append(Problem("warning", where(path, line, qid), f"未知字段 {key}（将被忽略）",
                                    f"可用字段：{', '.join(sorted(_QUESTION_KEYS))}", qid))
        kind = str(raw.get("kind") or "")
        if kind not in KINDS:
            problems.append(Problem("error", where(path, line, qid, "kind"), f"未知题型 {kind!r}",
                                    f"题型只能是：{', '.join(KINDS)}", qid))
        q = Question(
            id=qid, kind=kind, label=str(raw.get("label") or ""), hint=str(raw.get("hint") or ""),
            required=bool(raw.get("required", False)), role=raw.get("role"), other=bool(raw.get("other", False)),
            min_choices=raw.get("min_choices"), max_choices=raw.get("max_choices"), integer=bool(raw.get("integer", False)),
            constraint=raw.get("constraint"), constraint_message=raw.get("constraint_message"),
            relevant=raw.get("relevant"), renamed_from=raw.get("renamed_from"), line=line,
        )
        choices = raw.get("choices")
        if isinstance(choices, str):
            q.choice_list = choices
            if choices in lists:
                q.choices = list(lists[choices])
            else:
                known = "、".join(lists) or "（无）"
                problems.append(Problem("error", where(path, line, qid, "choices"), f"引用了不存在的选项列表 {choices!r}",
                                        f"在 choice_lists 中定义它，或改用已有列表：{known}", qid))
        elif choices is not None:
            q.choices = _choices(choices, "choices", problems, path, line, qid)
        q.rows = _choices(raw.get("rows"), "rows", problems, path, line, qid)
        form.questions.append(q)
    return form, problems


def read_form(path: str | Path) -> tuple[Form, list[Problem]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormError(f"找不到问卷文件 {path}。修改：检查路径，问卷定义通常在 surveys/ 目录下。") from None
    except UnicodeDecodeError:
        raise FormError(f"{path}：不是 UTF-8 编码的文本文件。修改：用 UTF-8 编码另存后再试。") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise FormError(f"{path} {at}：YAML 格式错误（{getattr(err, 'problem', err)}）。"
                        "修改：检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否配对。") from None
    return form_from_dict(data, str(path))


def dump_form(form: Form, path: str | Path | None = None) -> str:
    """Serialise a form as YAML (Chinese kept readable); write it to ``path`` if given."""
    text = yaml.safe_dump(form.to_dict(), allow_unicode=True, sort_keys=False, width=120)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
