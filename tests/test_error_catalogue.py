"""The error catalogue (``toolkit.errors.CATALOGUE``): every message the toolkit shows comes from it.

The raise sites are read from the source with ``ast``: every construction of a ``ToolkitError`` subclass
(``raise IngestError(...)``, ``return UnsafeFile(...)``, ``raise error(...)`` with the stage's class passed
in) and every ``Problem(`` / ``AnswerProblem(`` passes a catalogue code as a literal first argument, never a
free message, and gives each context name its template uses.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest

import toolkit
from toolkit.errors import CATALOGUE, FIX, ToolkitError, context_keys, render

ROOT = Path(toolkit.__file__).parent
# context a constructor fills itself: a problem's place, an answer's question and value
PROVIDED = {"Problem": {"where"}, "AnswerProblem": {"question", "value"}}
INJECTED = {"error"}  # a function's ``error=`` parameter: the calling stage's error class


def _error_classes() -> set[str]:
    for info in pkgutil.walk_packages([str(ROOT)], "toolkit."):
        importlib.import_module(info.name)
    seen, todo = set(), [ToolkitError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return seen


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _functions(tree: ast.AST):
    """``(name, first parameter, body node)`` of every def and of every lambda bound to a name."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.args, node
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and len(node.targets) == 1:
            yield _name(node.targets[0]), node.value.args, node.value


def _first_param(args: ast.arguments) -> str | None:
    names = [a.arg for a in args.posonlyargs + args.args if a.arg not in ("self", "cls")]
    return names[0] if names else None


def _calls(tree: ast.AST, names: set[str], helpers: set[str] = frozenset()):
    """Calls of ``names``; a helper (a local function) only as ``helper(…)`` or ``self.helper(…)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in names:
            func = node.func
            local = isinstance(func, ast.Name) or isinstance(func.value, ast.Name) and func.value.id == "self"
            if _name(func) not in helpers or local:
                yield node


def _sites_in(rel: str, tree: ast.AST, classes: set[str]):
    """``(file, line, callee, call, context given inside the callee)`` for every construction of an error or
    problem in one module. A helper that passes its first parameter on as the code (``_fail(code, pos,
    **context)`` → ``ExpressionError(code, …)``) counts as a constructor: its own calls are the sites."""
    makers = {name: set(PROVIDED.get(name, ())) for name in classes}
    helpers: set[str] = set()
    changed = True
    while changed:  # helpers of helpers (a lambda calling a helper calling the class)
        changed = False
        for name, args, body in _functions(tree):
            first = _first_param(args)
            if not name or not first or name in makers:
                continue
            for call in _calls(body, set(makers), helpers):
                if call.args and isinstance(call.args[0], ast.Name) and call.args[0].id == first:
                    given = {k.arg for k in call.keywords if k.arg} | makers[_name(call.func)]
                    makers[name], changed = given, True
                    helpers.add(name)
                    break
    for call in _calls(tree, set(makers), helpers):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Name) and any(
            _first_param(args) == first.id and call in list(ast.walk(body))
            for name, args, body in _functions(tree)
            if name in helpers
        ):
            continue  # inside a helper: the code is its caller's
        yield rel, call.lineno, _name(call.func), call, makers[_name(call.func)]


def _sites():
    classes = _error_classes() | set(PROVIDED) | INJECTED
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel != "errors.py":
            yield from _sites_in(rel, ast.parse(path.read_text(encoding="utf-8")), classes)


def _free(sites) -> list[str]:
    """The sites that pass no catalogue code as a literal, or lack a context name its template uses."""
    free = []
    for rel, line, callee, call, inside in sites:
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and first.value in CATALOGUE):
            free.append(f"{rel}:{line} {callee}({ast.unparse(first) if first else ''})")
            continue
        given = {k.arg for k in call.keywords} | inside
        if None in given:  # **context: the names are checked when it renders
            continue
        missing = context_keys(first.value) - given
        if missing:
            free.append(f"{rel}:{line} {callee}({first.value!r}) lacks {sorted(missing)}")
    return free


SITES = list(_sites())


def test_codes_have_all_four_parts_and_render():
    for code, t in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", code), code
        assert t.rule and t.fix, f"{code}: a rule and a fix are required"
        assert isinstance(t.where, str) and isinstance(t.value, str)
        assert not t.fix.startswith(("请", FIX)) and "后重试" not in t.fix, f"{code}: the fix has one introducer"
        # every documented context name filled: the message renders, in the order where → rule → value → fix
        text = render(code, **{key: 12345 for key in context_keys(code)})
        assert text.endswith("。") and f"。{FIX}" in text, text
        assert not [key for key in context_keys(code) if "{" + key in text] and "None" not in text, text


def test_every_raise_site_passes_a_catalogue_code():
    assert len(SITES) > 100  # the walk finds the sites (118 raise sites before the catalogue)
    free = _free(SITES)
    assert not free, "raise sites without a catalogue code or its context:\n" + "\n".join(free)


def test_the_walk_finds_a_free_message_and_a_missing_fact():
    source = """
def _fail(code, path, **context):
    return IngestError(code, path=path, **context)

def read(path, error):
    err = lambda code, **context: out.append(_fail(code, path, **context))
    raise IngestError(f"文件 {path} 不存在")
    raise IngestError("file.not_found")
    raise _fail("file.not_found", path)
    err("file.empty")
    raise error("输入文件有误")
    shown.add(path)
    out.append(Problem("form.label_missing", where))
"""
    sites = list(_sites_in("x.py", ast.parse(source), {"IngestError", "Problem", "error"}))
    assert _free(sites) == [
        "x.py:7 IngestError(f'文件 {path} 不存在')",
        "x.py:8 IngestError('file.not_found') lacks ['path']",
        "x.py:11 error('输入文件有误')",
    ]
    assert len(sites) == 6  # the helper's and the lambda's own calls are not sites; shown.add is no helper


def test_no_code_is_unused():
    used = set()
    for path in ROOT.rglob("*.py"):
        if path.name == "errors.py" and path.parent == ROOT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)
    assert not sorted(set(CATALOGUE) - used)


def test_a_message_reads_where_rule_value_fix():
    err = ToolkitError("file.not_found", path="附件3.xlsx")
    assert err.code == "file.not_found" and err.context == {"path": "附件3.xlsx"}
    assert str(err) == "附件3.xlsx：文件不存在。修改：检查文件名和路径（相对路径以当前目录为准）。"


def test_values_are_quoted_and_context_survives_pickling():
    import pickle

    from toolkit.ingest.errors import IngestError

    err = IngestError(
        "column.missing", where="输入文件 a.csv", column="留言\u3000", option="--text-col", present=["id"]
    )
    assert "“留言〔全角空格〕”" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is IngestError and again.code == err.code and str(again) == str(err)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_code_is_worded_once(code):
    # one meaning, one wording: no two codes share a rule and a fix
    t = CATALOGUE[code]
    twins = [c for c, o in CATALOGUE.items() if c != code and (o.rule, o.fix) == (t.rule, t.fix)]
    assert not twins


def test_the_cli_prints_the_message_and_with_json_the_code(tmp_path, capsys):
    from toolkit.cli import main

    missing = tmp_path / "没有这个文件.xlsx"
    args = [
        "ingest",
        str(missing),
        "--form",
        str(ROOT.parent / "surveys" / "annual_topics.yaml"),
        "--db",
        str(tmp_path / "x.db"),
    ]
    assert main(args) == 1
    out = capsys.readouterr()
    assert out.err == f"错误：{missing}：文件不存在。修改：检查文件名和路径（相对路径以当前目录为准）。\n"
    assert out.out == "" and "Traceback" not in out.err
    assert main([*args, "--json"]) == 1
    out = capsys.readouterr()
    assert json.loads(out.out)["error"]["code"] == "file.not_found" and out.err.startswith("错误：")
    assert not (tmp_path / "x.db").exists()


def test_an_answer_problem_names_its_question_and_renumbers_without_rewriting_text():
    from toolkit.forms import load_form, validate_answers

    form = load_form(ROOT.parent / "surveys" / "annual_topics.yaml")
    single = next(q for q in form.answer_questions() if q.kind == "single" and not q.relevant)
    problems = [p for p in validate_answers(form, {single.id: "不存在的选项"})[1] if p.question_id == single.id]
    (p,) = problems
    assert (p.code, p.rule, p.value) == ("answer.choice_unknown", "choice", "不存在的选项")
    number = form.number(single.id)
    assert p.message.startswith(f"第{number}题（{single.id}）：选项不在本题选项中（“不存在的选项”）。修改：选项应为 ")
    assert p.detail == p.message.split("：", 1)[1]  # the page shows it under the question
    assert p.renumbered(99).message.startswith(f"第99题（{single.id}）：") and p.message.startswith(f"第{number}题")
