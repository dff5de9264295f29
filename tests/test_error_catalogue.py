"""The error catalogue (``toolkit.errors.CATALOGUE``): every message the toolkit shows comes from it.

The raise sites are read from the source with ``ast``: every construction of a ``ToolkitError`` subclass
(``raise IngestError(...)``, ``return UnsafeFile(...)``, ``raise error(...)`` with the stage's class passed
in, under another name — ``import … as IE``, ``kind = IngestError`` —, ``cls(...)`` and
``super().__init__(...)`` inside an error class) and every ``Problem(`` / ``AnswerProblem(`` passes a
catalogue code as a literal first argument, never a free message, and gives each context name its template
uses. ``ToolkitError`` itself refuses a code missing from the catalogue.
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
        if cls.defaults:  # a lower layer's error: its caller adds these facts (``from_error(bad, path=…)``)
            PROVIDED[cls.__name__] = set(cls.defaults)
        todo.extend(cls.__subclasses__())
    return seen


def _is_class(node: ast.expr | None, classes: set[str]) -> bool:
    """``node`` evaluates to one of ``classes``: a name, ``a if c else b``, ``a or b``."""
    if isinstance(node, ast.IfExp):
        return _is_class(node.body, classes) or _is_class(node.orelse, classes)
    if isinstance(node, ast.BoolOp):
        return any(_is_class(v, classes) for v in node.values)
    return isinstance(node, (ast.Name, ast.Attribute)) and _name(node) in classes


def _aliases(tree: ast.AST, classes: set[str]) -> dict[str, str]:
    """Other names a module gives an error class, each with the class it stands for: ``import X as Y``,
    ``y = X``, a parameter typed ``type[X]`` or defaulting to ``X``, a class defined on ``X``."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out |= {a.asname: a.name for a in node.names if a.asname and a.name in classes}
        elif isinstance(node, ast.Assign) and _is_class(node.value, classes):
            out |= {t.id: ast.unparse(node.value) for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ClassDef) and any(_is_class(b, classes) for b in node.bases):
            out[node.name] = _name(node.bases[0]) or node.name
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            positional = a.posonlyargs + a.args
            defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults) + list(a.kw_defaults)
            for param, default in zip(positional + a.kwonlyargs, defaults):
                typed = isinstance(param.annotation, ast.Subscript) and _is_class(param.annotation.slice, classes)
                if typed or _is_class(default, classes):
                    out[param.arg] = ast.unparse(param.annotation.slice) if typed else _name(default)
    return out


def _in_error_classes(tree: ast.AST, classes: set[str]):
    """``cls(…)`` and ``super().__init__(…)`` inside the classes of a module that derive from an error."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(_is_class(b, classes) for b in node.bases):
            for call in ast.walk(node):
                if not isinstance(call, ast.Call):
                    continue
                f = call.func
                if (
                    isinstance(f, ast.Name)
                    and f.id == "cls"
                    or (
                        isinstance(f, ast.Attribute)
                        and f.attr == "__init__"
                        and isinstance(f.value, ast.Call)
                        and _name(f.value.func) == "super"
                    )
                ):
                    yield call


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
    aliases = _aliases(tree, classes)
    makers = {name: set(PROVIDED.get(name, ())) for name in classes}
    for alias, name in aliases.items():
        makers.setdefault(alias, set(PROVIDED.get(name.split(".")[-1], ())))
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
        yield rel, call.lineno, _name(call.func), call, makers[_name(call.func)], _codes(tree, call)
    for call in _in_error_classes(tree, classes | set(aliases)):
        yield rel, call.lineno, ast.unparse(call.func), call, set(), _codes(tree, call)


def _literals(node: ast.expr) -> list | None:
    """The texts ``node`` may be when it picks among literals (``"a" if c else "b"``, ``{k: "a"}.get(k, "b")``);
    None when it may be anything else."""
    if isinstance(node, ast.Constant):
        return [node.value]
    parts: list[ast.expr | None]
    if isinstance(node, ast.IfExp):
        parts = [node.body, node.orelse]
    elif isinstance(node, ast.Dict):
        parts = list(node.values)
    elif isinstance(node, ast.Subscript):
        parts = [node.value]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        parts = [node.func.value, *node.args[1:]]
    else:
        return None
    out = [_literals(p) if p is not None else None for p in parts]
    return None if any(o is None for o in out) else [v for o in out for v in o]


def _codes(tree: ast.AST, call: ast.Call) -> list | None:
    """The codes the first argument of ``call`` may be: a literal, a pick among literals, or a local name
    assigned such a pick in the same function."""
    first = call.args[0] if call.args else None
    if not isinstance(first, ast.Name):
        return _literals(first) if first is not None else None
    funcs = [f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    home = min((f for f in funcs if call in ast.walk(f)), key=lambda f: len(list(ast.walk(f))), default=None)
    picks = [
        _literals(node.value)
        for node in ast.walk(home or tree)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == first.id for t in node.targets)
    ]
    return None if not picks or any(p is None for p in picks) else [v for p in picks for v in p]


def _sites():
    classes = _error_classes() | set(PROVIDED) | INJECTED
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel != "errors.py":
            yield from _sites_in(rel, ast.parse(path.read_text(encoding="utf-8")), classes)


def _free(sites) -> list[str]:
    """The sites that pass no catalogue code as a literal, or lack a context name its template uses."""
    free = []
    for rel, line, callee, call, inside, codes in sites:
        first = call.args[0] if call.args else None
        if not codes or any(code not in CATALOGUE for code in codes):
            free.append(f"{rel}:{line} {callee}({ast.unparse(first) if first else ''})")
            continue
        given = {k.arg for k in call.keywords} | inside
        if None in given:  # **context: the names are checked when it renders
            continue
        for code in codes:
            missing = context_keys(code) - given
            if missing:
                free.append(f"{rel}:{line} {callee}({code!r}) lacks {sorted(missing)}")
    return free


SITES = list(_sites())


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += {"（": 1, "）": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    return deepest


def test_codes_have_all_four_parts_and_render():
    for code, t in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", code), code
        assert t.rule and t.fix, f"{code}: a rule and a fix are required"
        assert isinstance(t.where, str) and isinstance(t.value, str)
        assert not t.fix.startswith(("请", FIX)) and "后重试" not in t.fix, f"{code}: the fix has one introducer"
        # every documented context name filled: the message renders, in the order where → rule → value → fix
        facts = {key: 12345 for key in context_keys(code)}
        if "cause" in facts:  # a nested error: the outer message shows the inner one's rule and fix
            facts["cause"] = ToolkitError("regex.nesting", pattern="(((a)))", limit=2)
        text = render(code, **facts)
        assert text.endswith("。") and f"。{FIX}" in text, text
        assert _bracket_depth(text) <= 1, f"{code}: nested brackets in {text}"
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


@pytest.mark.parametrize(
    ("source", "site"),
    [
        ("from toolkit.ingest.errors import IngestError as IE\nraise IE(f'文件 {p} 不存在')", "IE(f'文件 {p} 不存在')"),
        ("kind = IngestError if strict else FormError\nraise kind('输入文件有误')", "kind('输入文件有误')"),
        ("def check(p, fail: type[ToolkitError]):\n    raise fail('输入文件有误')", "fail('输入文件有误')"),
        ("def check(p, fail=IngestError):\n    raise fail('输入文件有误')", "fail('输入文件有误')"),
        (
            "class Stale(StoreError):\n    def __init__(self, n):\n        super().__init__(f'答卷 {n} 已被修改')",
            "super().__init__(f'答卷 {n} 已被修改')",
        ),
        (
            "class Stale(StoreError):\n    @classmethod\n    def of(cls, n):\n        return cls('答卷已被修改')",
            "cls('答卷已被修改')",
        ),
        (
            "def read(p, big):\n    code = 'file.too_big' if big else '文件坏了'\n    raise IngestError(code, path=p)",
            "IngestError(code)",
        ),
    ],
    ids=["import-as", "variable", "typed-parameter", "default-parameter", "super-init", "cls", "pick"],
)
def test_the_walk_finds_a_free_message_under_another_name(source, site):
    classes = {"ToolkitError", "IngestError", "FormError", "StoreError"}
    free = _free(_sites_in("x.py", ast.parse(source), classes))
    assert len(free) == 1 and free[0].endswith(site), free


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(KeyError, match="not a code"):
        ToolkitError("文件不存在")
    with pytest.raises(KeyError):
        ToolkitError("file.no_such_code", path="a.csv")


def test_a_summary_shows_one_fix_per_line():
    from toolkit.ingest.errors import IngestError

    inner = [ToolkitError("file.not_found", path=p).message for p in ("a.csv", "b.csv")]
    for code in ("form.has_errors", "ingest.still_invalid", "entry.has_problems", "entry.resolution_invalid"):
        facts = {key: 2 for key in context_keys(code)} | {"details": "".join(f"\n{m}" for m in inner)}
        lines = str(IngestError(code, **facts)).splitlines()
        assert len(lines) == 3 and lines[1:] == inner, lines
        assert all(line.count(FIX) == 1 for line in lines), lines


def test_a_nested_error_is_shown_by_its_own_template(tmp_path):
    from toolkit.forms import load_form
    from toolkit.forms.errors import FormError

    path = tmp_path / "s.yaml"
    body = "  - id: q1\n    kind: text\n    label: 姓名\n    constraint: regex(., '^(a+)+$')\n"
    path.write_text(f"id: s\ntitle: 测试\nversion: '1'\nquestions:\n{body}", encoding="utf-8")
    with pytest.raises(FormError) as err:
        load_form(path)
    (p,) = [p for p in err.value.problems if p.code == "form.regex_invalid"]
    cause = p.context["cause"]
    assert cause.code == "regex.nested_repeat"  # the inner code and facts travel, not its rendered text
    assert p.message == (
        f"{path} 第5行 题目 q1（第1题） constraint：表达式 “regex(., '^(a+)+$')” 中的正则表达式 “^(a+)+$” 无法使用"
        f"：{cause.what}。{FIX}改正正则表达式：{cause.fix}。"
    )
    assert cause.what.startswith("含有嵌套的重复") and str(err.value).count(FIX) == 2  # summary + one problem


def test_yaml_names_file_and_line_in_where(tmp_path):
    from toolkit.forms import load_form
    from toolkit.forms.errors import FormError

    path = tmp_path / "s.yaml"
    path.write_text("id: s\ntitle: 测试\nid: t\n", encoding="utf-8")
    with pytest.raises(FormError) as err:
        load_form(path)
    assert err.value.code == "yaml.duplicate_key"
    assert str(err.value).startswith(f"{path} 第3行：键重复，YAML 只会保留后一个（键 “id”，第1行已有同名的键）。")


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
    # the catalogue holds the wording: a rule or fix that is only a fact passed in would hold none
    for part in (t.rule, t.fix):
        words = re.sub(r"\{[^{}]*\}", "", part).strip("，。；：、 ")
        assert words, f"{code}: {part!r} is only placeholders"


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
    shown = json.loads(out.out)["error"]
    assert (
        shown["code"] == "file.not_found" and shown["facts"] == {"path": str(missing)} and out.err.startswith("错误：")
    )
    assert not (tmp_path / "x.db").exists()


def test_json_facts_are_masked_like_the_message(tmp_path, capsys):
    from toolkit.cli import main

    missing = tmp_path / "13812345678.xlsx"  # a file named by a phone number
    form = str(ROOT.parent / "surveys" / "annual_topics.yaml")
    assert main(["ingest", str(missing), "--form", form, "--db", str(tmp_path / "x.db"), "--json"]) == 1
    shown = json.loads(capsys.readouterr().out)["error"]
    assert "13812345678" not in json.dumps(shown, ensure_ascii=False) and "[手机号]" in shown["facts"]["path"]


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
