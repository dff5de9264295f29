"""Forms as YAML files in ``surveys/``: read (keeping line numbers for messages) and write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from toolkit.forms.errors import FormError
from toolkit.forms.model import KINDS, Choice, Form, Question
from toolkit.forms.problems import Problem, where

_QUESTION_KEYS = {
    "id",
    "kind",
    "label",
    "hint",
    "required",
    "role",
    "choices",
    "rows",
    "other",
    "min_choices",
    "max_choices",
    "integer",
    "constraint",
    "constraint_message",
    "relevant",
    "renamed_from",
}


_SCALAR_KEYS = (
    "id",
    "kind",
    "label",
    "hint",
    "role",
    "min_choices",
    "max_choices",
    "constraint",
    "constraint_message",
    "relevant",
    "renamed_from",
)
MAX_BYTES = 1 * 2**20  # a survey with 200 questions is ~50 KB
MAX_DEPTH = 30  # nesting of lists and mappings; a survey needs 5


class _Refused(yaml.YAMLError):
    """YAML the loader will not read: ``line``, ``what`` is wrong and the ``fix``."""

    def __init__(self, node_or_event, what: str, fix: str):
        super().__init__(what)
        self.line, self.what, self.fix = node_or_event.start_mark.line + 1, what, fix


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping's line as ``__line__`` and refuses what a survey never needs.

    Anchors and aliases (``&a`` / ``*a``) are refused: ten nested aliases of ten make a billion items
    (the "billion laughs"); duplicate keys are refused because YAML would silently keep the last one;
    nesting is bounded because composing a node is recursive.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                event,
                f"使用了 YAML 锚点/别名（&{event.anchor} 或 *{event.anchor}）",
                "把引用处的内容直接写出来；多道题共用的选项写在 choice_lists 中，题目里写 choices: 列表名",
            )
        self._depth = getattr(self, "_depth", 0) + 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event, f"列表和键值对嵌套超过 {MAX_DEPTH} 层", "问卷定义只需几层缩进，检查缩进或括号")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):  # e.g. a 100,000-digit number, the date 2026-13-45
            value = str(node.value)
            shown = value if len(value) <= 40 else f"{value[:40]}…（共 {len(value):,} 个字符）"
            raise _Refused(
                node,
                f"无法读取的值 {shown}：看起来是数字或日期，却不是有效的数字或日期",
                "文字值加上引号，数字写成正常长度，日期写成存在的日期（如 2026-05-01）",
            ) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # "<<: {a: 1}" (no alias needed) merges a mapping in; its keys are its own
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the SafeLoader reports it
                if first is not None:
                    raise _Refused(
                        key_node,
                        f"键 {key!r} 重复（第{first}行已有同名的键，YAML 只会保留后一个）",
                        "删除多余的一处，或把两处内容合并",
                    )
                seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _choices(raw, ctx: str, problems: list[Problem], path, line, qid) -> list[Choice]:
    out = []
    if raw is not None and not isinstance(raw, list):
        problems.append(
            Problem(
                "error",
                where(path, line, qid, ctx),
                f"应为选项列表，实为 {_shape(raw)}",
                "每个选项占一行，以“- ”开头",
                qid,
            )
        )
        return out
    for i, item in enumerate(raw or [], start=1):
        if isinstance(item, dict):
            cid, label = item.get("id"), item.get("label")
            if cid is None or label is None:
                problems.append(
                    Problem(
                        "error",
                        where(path, item.get("__line__", line), qid, ctx),
                        f"第{i}个选项缺少 id 或 label",
                        "每个选项写成 {id: 英文编号, label: 中文文字}",
                        qid,
                    )
                )
                continue
            if isinstance(cid, bool):
                # YAML reads bare yes/no/on/off as booleans: the id the author meant is lost
                problems.append(
                    Problem(
                        "error",
                        where(path, item.get("__line__", line), qid, ctx),
                        f"第{i}个选项的 id 被 YAML 读成了布尔值 {cid}",
                        f'给 id 加上引号，例如 id: "{"yes" if cid else "no"}"',
                        qid,
                    )
                )
                continue
            out.append(Choice(str(cid), str(label)))
        elif isinstance(item, (str, int, float)):
            # shorthand: a bare label; id is its 1-based position, like 问卷星's option numbers
            out.append(Choice(str(i), str(item)))
        else:
            problems.append(
                Problem(
                    "error",
                    where(path, line, qid, ctx),
                    f"第{i}个选项格式无法识别：{str(item)[:60]}",
                    "写成 {id: 编号, label: 文字} 或直接写文字",
                    qid,
                )
            )
    return out


def _shape(value) -> str:
    shapes: dict[type, str] = {dict: "键值对", list: "列表"}
    return shapes.get(type(value), repr(value)[:40])


def _text(value) -> str | None:
    return None if value is None else str(value)


def _scalars(raw: dict, keys, problems: list[Problem], path, line, qid) -> dict:
    """``raw`` with each of ``keys`` holding one value (text, number, yes/no); a list or mapping there is an error."""
    out = dict(raw)
    for key in keys:
        if isinstance(raw.get(key), (list, dict)):
            problems.append(
                Problem(
                    "error",
                    where(path, line, qid, key),
                    f"{key} 应为一个值，实为{_shape(raw[key])}",
                    f"写成 {key}: 值（文字含冒号等符号时加引号）",
                    qid,
                )
            )
            out[key] = None
    return out


def form_from_dict(data: Any, path: str | None = None) -> tuple[Form, list[Problem]]:
    """Build a Form from parsed YAML, collecting structural problems instead of failing at the first."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise FormError(
            f"{path or '问卷'}：文件内容不是一个问卷定义（应以 id、title、questions 等字段开头）。"
            "修改：参照 surveys/ 中的示例问卷编写。"
        )
    for key in ("id", "title", "questions"):
        if not data.get(key):
            problems.append(Problem("error", where(path, 1), f"缺少必填字段 {key}", f"在文件开头加入 {key}: …"))
    data = _scalars(data, ("id", "title", "version", "description"), problems, path, 1, None)
    for key, shape, fix in (
        ("choice_lists", dict, "写成 列表名: 选项列表"),
        ("questions", list, "每道题以“- id: …”开头"),
    ):
        if data.get(key) is not None and not isinstance(data[key], shape):
            problems.append(
                Problem("error", where(path, 1, None, key), f"{key} 格式不对，实为{_shape(data[key])}", fix)
            )
            data[key] = None
    lists = {}
    for name, raw in (data.get("choice_lists") or {}).items():
        if name == "__line__":
            continue
        lists[str(name)] = _choices(raw, f"选项列表 {name}", problems, path, None, None)
    form = Form(
        id=str(data.get("id") or ""),
        title=str(data.get("title") or ""),
        version=str(data.get("version", "1")),
        description=str(data.get("description") or "").strip(),
        choice_lists=lists,
        path=path,
    )
    for idx, raw in enumerate(data.get("questions") or [], start=1):
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    "error",
                    where(path, None, None, f"第{idx}题"),
                    f"题目定义不是键值对：{raw!r}",
                    "每道题写成 - id: …\\n  kind: …\\n  label: …",
                )
            )
            continue
        line = raw.get("__line__")
        raw = _scalars(raw, _SCALAR_KEYS, problems, path, line, str(raw.get("id") or f"#{idx}"))
        qid = str(raw.get("id") or f"#{idx}")
        for key in sorted(set(raw) - _QUESTION_KEYS - {"__line__"}, key=str):
            problems.append(
                Problem(
                    "warning",
                    where(path, line, qid),
                    f"未知字段 {key}（将被忽略）",
                    f"可用字段：{', '.join(sorted(_QUESTION_KEYS))}",
                    qid,
                )
            )
        kind = str(raw.get("kind") or "")
        if kind not in KINDS:
            problems.append(
                Problem(
                    "error",
                    where(path, line, qid, "kind"),
                    f"未知题型 {kind!r}",
                    f"题型只能是：{', '.join(KINDS)}",
                    qid,
                )
            )
        q = Question(
            id=qid,
            kind=kind,
            label=str(raw.get("label") or ""),
            hint=str(raw.get("hint") or ""),
            required=bool(raw.get("required", False)),
            role=raw.get("role"),
            other=bool(raw.get("other", False)),
            min_choices=raw.get("min_choices"),
            max_choices=raw.get("max_choices"),
            integer=bool(raw.get("integer", False)),
            constraint=_text(raw.get("constraint")),
            constraint_message=raw.get("constraint_message"),
            relevant=_text(raw.get("relevant")),
            renamed_from=raw.get("renamed_from"),
            line=line,
        )
        choices = raw.get("choices")
        if isinstance(choices, str):
            q.choice_list = choices
            if choices in lists:
                q.choices = list(lists[choices])
            else:
                known = "、".join(lists) or "（无）"
                problems.append(
                    Problem(
                        "error",
                        where(path, line, qid, "choices"),
                        f"引用了不存在的选项列表 {choices!r}",
                        f"在 choice_lists 中定义它，或改用已有列表：{known}",
                        qid,
                    )
                )
        elif choices is not None:
            q.choices = _choices(choices, "choices", problems, path, line, qid)
        q.rows = _choices(raw.get("rows"), "rows", problems, path, line, qid)
        form.questions.append(q)
    return form, problems


def _read_text(path: Path) -> str:
    """The file's text; a FormError for what is missing, not a regular file (a FIFO would block), too big or not UTF-8."""
    from toolkit.filesafety import TooBig, UnsafeFile, read_input

    if not path.exists():
        raise FormError(f"找不到问卷文件 {path}。修改：检查路径，问卷定义通常在 surveys/ 目录下。")
    try:
        blob = read_input(path, limit=MAX_BYTES)
    except TooBig as big:
        raise FormError(
            f"{path} 有 {big.size / 2**20:,.1f} MB，超过问卷定义的上限 {MAX_BYTES // 2**20} MB"
            "（200 道题的问卷也只有几十 KB）。"
            "修改：确认选的是问卷定义（.yaml），不是答卷数据或其他文件。"
        ) from None
    except UnsafeFile as bad:
        raise FormError(f"问卷文件 {path}：{bad.what}。修改：{bad.fix}。") from None
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError(f"{path}：不是 UTF-8 编码的文本文件。修改：用 UTF-8 编码另存后再试。") from None


def read_form(path: str | Path) -> tuple[Form, list[Problem]]:
    path = Path(path)
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except _Refused as err:
        raise FormError(f"{path} 第{err.line}行：{err.what}。修改：{err.fix}。") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise FormError(
            f"{path} {at}：YAML 格式错误（{getattr(err, 'problem', err)}）。"
            "修改：检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否配对。"
        ) from None
    return form_from_dict(data, str(path))


def dump_form(form: Form, path: str | Path | None = None) -> str:
    """Serialise a form as YAML (Chinese kept readable); write it to ``path`` if given."""
    text = yaml.safe_dump(form.to_dict(), allow_unicode=True, sort_keys=False, width=120)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
