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


class _Refused(FormError, yaml.YAMLError):
    """YAML the loader will not read, as a catalogue code naming the line; raised as a FormError naming the file."""

    defaults = {"path": "问卷定义"}  # until read_form names the file


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping's line as ``__line__`` and refuses what a survey never needs.

    Anchors and aliases (``&a`` / ``*a``) are refused: ten nested aliases of ten make a billion items
    (the "billion laughs"); duplicate keys are refused because YAML would silently keep the last one;
    nesting is bounded because composing a node is recursive.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("yaml.anchor", line=event.start_mark.line + 1, anchor=event.anchor)
        self._depth = getattr(self, "_depth", 0) + 1
        if self._depth > MAX_DEPTH:
            raise _Refused("yaml.too_deep", line=event.start_mark.line + 1, limit=MAX_DEPTH)
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
            raise _Refused("yaml.bad_value", line=node.start_mark.line + 1, value=shown) from None

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
                    raise _Refused("yaml.duplicate_key", line=key_node.start_mark.line + 1, key=key, first=first)
                seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _choices(raw, ctx: str, problems: list[Problem], path, line, qid) -> list[Choice]:
    out = []
    if raw is not None and not isinstance(raw, list):
        problems.append(Problem("form.choices_not_list", where(path, line, qid, ctx), qid, shape=_shape(raw)))
        return out
    for i, item in enumerate(raw or [], start=1):
        if isinstance(item, dict):
            cid, label = item.get("id"), item.get("label")
            if cid is None or label is None:
                problems.append(
                    Problem("form.choice_incomplete", where(path, item.get("__line__", line), qid, ctx), qid, index=i)
                )
                continue
            if isinstance(cid, bool):
                # YAML reads bare yes/no/on/off as booleans: the id the author meant is lost
                problems.append(
                    Problem(
                        "form.choice_id_bool",
                        where(path, item.get("__line__", line), qid, ctx),
                        qid,
                        index=i,
                        value=cid,
                        meant="yes" if cid else "no",
                    )
                )
                continue
            out.append(Choice(str(cid), str(label)))
        elif isinstance(item, (str, int, float)):
            # shorthand: a bare label; id is its 1-based position, like 问卷星's option numbers
            out.append(Choice(str(i), str(item)))
        else:
            problems.append(
                Problem("form.choice_unreadable", where(path, line, qid, ctx), qid, index=i, item=str(item)[:60])
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
                Problem("form.not_one_value", where(path, line, qid, key), qid, key=key, shape=_shape(raw[key]))
            )
            out[key] = None
    return out


def form_from_dict(data: Any, path: str | None = None) -> tuple[Form, list[Problem]]:
    """Build a Form from parsed YAML, collecting structural problems instead of failing at the first."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise FormError("form.not_a_form", path=path or "问卷")
    for key in ("id", "title", "questions"):
        if not data.get(key):
            problems.append(Problem("form.field_missing", where(path, 1), key=key))
    data = _scalars(data, ("id", "title", "version", "description"), problems, path, 1, None)
    if data.get("choice_lists") is not None and not isinstance(data["choice_lists"], dict):
        at = where(path, 1, None, "choice_lists")
        problems.append(Problem("form.choice_lists_shape", at, shape=_shape(data["choice_lists"])))
        data["choice_lists"] = None
    if data.get("questions") is not None and not isinstance(data["questions"], list):
        problems.append(
            Problem("form.questions_shape", where(path, 1, None, "questions"), shape=_shape(data["questions"]))
        )
        data["questions"] = None
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
            problems.append(Problem("form.question_not_mapping", where(path, None, None, f"第{idx}题"), raw=repr(raw)))
            continue
        line = raw.get("__line__")
        raw = _scalars(raw, _SCALAR_KEYS, problems, path, line, str(raw.get("id") or f"#{idx}"))
        qid = str(raw.get("id") or f"#{idx}")
        for key in sorted(set(raw) - _QUESTION_KEYS - {"__line__"}, key=str):
            problems.append(
                Problem(
                    "form.field_unknown",
                    where(path, line, qid),
                    qid,
                    level="warning",
                    key=key,
                    known=", ".join(sorted(_QUESTION_KEYS)),
                )
            )
        kind = str(raw.get("kind") or "")
        if kind not in KINDS:
            problems.append(
                Problem("form.kind_unknown", where(path, line, qid, "kind"), qid, kind=kind, kinds=", ".join(KINDS))
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
                        "form.choice_list_unknown", where(path, line, qid, "choices"), qid, name=choices, known=known
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
        raise FormError("form.file_not_found", path=path)
    try:
        blob = read_input(path, limit=MAX_BYTES)
    except TooBig as big:
        raise FormError(
            "form.too_big", path=path, size=f"{big.bytes / 2**20:,.1f} MB", limit=MAX_BYTES // 2**20
        ) from None
    except UnsafeFile as bad:
        raise FormError.from_error(bad, path=path) from None
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError("file.not_utf8", path=path) from None


def read_form(path: str | Path) -> tuple[Form, list[Problem]]:
    path = Path(path)
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except _Refused as err:
        raise FormError.from_error(err, path=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        raise FormError("yaml.syntax", path=path, at=at, reason=getattr(err, "problem", err)) from None
    return form_from_dict(data, str(path))


def dump_form(form: Form, path: str | Path | None = None) -> str:
    """Serialise a form as YAML (Chinese kept readable); write it to ``path`` if given."""
    text = yaml.safe_dump(form.to_dict(), allow_unicode=True, sort_keys=False, width=120)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
