"""Forms that would hang or crash: catastrophic regexes, bad patterns, deep nesting, giant literals,
YAML bombs and duplicate keys. Each is refused by ``form check`` with a Chinese message naming where,
and neither ingest nor the entry form ever hangs or shows a traceback; hypothesis fuzzes the parser,
the evaluator and the YAML loader for any exception that is not the toolkit's own."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SURVEYS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.forms import Form, FormError, Question, check_form, parse, validate_answers
from toolkit.ingest import ingest
from toolkit.store import open_store

pytestmark = pytest.mark.slow  # CLI subprocesses under resource limits and hypothesis fuzzing

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S, LIMIT_BYTES = 20, 2**30  # "refused within 20 s and under 1 GB"


def _limits():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def _cli(*args, cwd) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess under a memory cap; a hang fails the test after LIMIT_S seconds."""
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=LIMIT_S,
        preexec_fn=_limits,
    )
    assert "Traceback" not in res.stdout + res.stderr, res.stderr
    return res


def _form(tmp_path, constraint: str, name: str = "f.yaml") -> Path:
    """A two-question form: ``pat`` (text) and ``code`` carrying ``constraint``."""
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump(
            {
                "id": "hard",
                "title": "加固测试",
                "questions": [
                    {"id": "pat", "kind": "text", "label": "规则"},
                    {"id": "code", "kind": "text", "label": "登记码", "constraint": constraint},
                ],
            },
            allow_unicode=True,
            width=10**6,
        ),
        encoding="utf-8",
    )
    return path


def _csv(tmp_path, rows) -> Path:
    path = tmp_path / "d.csv"
    path.write_bytes(("规则,登记码\n" + "".join(f"{p},{c}\n" for p, c in rows)).encode("utf-8"))
    return path


def _stored(db) -> tuple[int, int]:
    store = open_store(db)
    try:
        return len(store.batches()), len(store.responses("hard"))
    finally:
        store.close()


# ---- regex(), nesting and literals: refused by form check, named by question and field ---------------

CASES = {
    "nested quantifier": ("regex(., '^(a+)+$')", "嵌套的重复"),
    "overlapping alternation": ("regex(., '^(a|aa)+$')", "灾难性回溯"),
    "unclosed group": ("regex(., '(unclosed')", "左括号 ( 没有配对的右括号 )"),
    "repeat bomb": ("regex(., '((a{999}){999}){999}')", "耗尽内存"),
    "150 nested brackets": ("(" * 150 + ". = 1" + ")" * 150, "上限 50 层"),
    "100,000-digit literal": (". = " + "1" * 100_000, "表达式过长"),
    "2,000-digit literal": (". = " + "1" * 2_000, "数字过长"),
    "5,000-character text": (". = '" + "字" * 5_000 + "'", "表达式过长"),
    "1,500-character text": (". = '" + "字" * 1_500 + "'", "文字过长"),
    "chain of 300 and": (" and ".join(["."] * 300), "上限 200 层"),
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, Path]]:
    """One ``form check`` run over a form per case (a CLI start costs seconds; the verdicts are per file)."""
    tmp = tmp_path_factory.mktemp("cases")
    files = {name: _form(tmp, constraint, f"case{i}.yaml") for i, (name, (constraint, _)) in enumerate(CASES.items())}
    return _cli("form", "check", *files.values(), cwd=tmp), files


@pytest.mark.parametrize("name", CASES)
def test_form_check_refuses(checked, name):
    res, files = checked
    assert res.returncode == 1
    lines = [
        ln
        for ln in res.stdout.splitlines()
        if ln.startswith(("[错误] " + str(files[name]) + " ", str(files[name]) + "："))
    ]
    rule = CASES[name][1]
    assert lines[-1] == f"{files[name]}：1 处错误，0 处提醒。"
    assert rule in lines[0] and "题目 code（第2题） constraint" in lines[0] and "修改：" in lines[0]


@pytest.mark.parametrize(
    "constraint, rule",
    [CASES["overlapping alternation"], CASES["150 nested brackets"]],
    ids=["overlapping alternation", "150 nested brackets"],
)
def test_ingest_refuses_the_form_before_reading_rows(tmp_path, constraint, rule):
    data = _csv(tmp_path, [("x", "a" * 5000 + "!")])
    db = tmp_path / "t.db"
    res = _cli("ingest", data, "--form", _form(tmp_path, constraint), "--db", db, "--source", "table", cwd=tmp_path)
    assert res.returncode == 1 and rule in res.stderr + res.stdout
    assert not db.exists() or _stored(db) == (0, 0)


def test_good_patterns_pass_and_work(tmp_path):
    res = _cli(
        "form",
        "check",
        _form(tmp_path, "regex(., '^1[3-9][0-9]{9}$') or regex(., '^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+$')"),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout
    expr = parse("regex(., '^[\u4e00-\u9fa5]{2,4}$')")
    assert expr.test({}, "张三丰") and not expr.test({}, "张")


# ---- a pattern that slips past the check (it comes from an answer) is the toolkit's own error ---------


@pytest.mark.parametrize("pattern, rule", [("^(a|aa)+$", "1 秒内没有算完"), ("(unclosed", "左括号")])
def test_ingest_stops_on_a_pattern_from_an_answer(tmp_path, pattern, rule):
    form = _form(tmp_path, "regex(., ${pat})")
    assert _cli("form", "check", form, cwd=tmp_path).returncode == 0  # nothing to see before the data
    db = tmp_path / "t.db"
    ingest(_csv(tmp_path, [("^[0-9]+$", "123")]), form, db, source="table")  # one good row first
    before = _stored(db)
    bad = _csv(tmp_path, [(pattern, "a" * 60 + "!")])
    res = _cli("ingest", bad, "--form", form, "--db", db, "--source", "table", cwd=tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and rule in out
    assert "第2题（code）的取值限制" in out and "regex(., ${pat})" in out and "修改：" in out
    assert _stored(db) == before == (1, 1)


def test_validate_answers_names_the_question_for_a_form_built_in_code():
    slow = Form(
        id="code_form",
        title="t",
        questions=[
            Question(id="name", kind="text", label="姓名"),
            Question(id="code", kind="text", label="编号", constraint="regex(., '^(a|aa)+$')"),
        ],
    )
    with pytest.raises(FormError, match=r"第2题（code）的取值限制.*灾难性回溯"):
        validate_answers(slow, {"code": "a" * 60 + "!"})
    broken = Form(
        id="code_form",
        title="t",
        questions=[Question(id="name", kind="text", label="姓名", relevant="regex(${name}, '[')")],
    )
    with pytest.raises(FormError, match=r"第1题（name）的跳题条件.*方括号 \[ 没有闭合"):
        validate_answers(broken, {})  # refused even before anything is typed


def test_entry_form_says_so_instead_of_crashing(tmp_path):
    pytest.importorskip("ipywidgets")
    from toolkit.entry import EntryForm
    from toolkit.forms import load_form

    form = load_form(_form(tmp_path, "regex(., ${pat})"))
    store = open_store(tmp_path / "e.db")
    try:
        ui = EntryForm(form, store, operator="张三")
        ui.inputs["pat"].value = "(unclosed"
        ui.inputs["code"].value = "abc"
        assert "左括号" in ui.status.value and "第2题（code）" in ui.status.value
        ui._submitted(None)
        assert "左括号" in ui.status.value
        assert len(store.responses("hard")) == 0
    finally:
        store.close()


# ---- YAML: bombs, duplicate keys, giant values, deep nesting, big files ---------------------------------


def _laughs() -> str:
    text = "id: hard\ntitle: t\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    return text + "questions:\n  - {id: a, kind: text, label: x, hint: *l9}\n"


QUESTIONS = "questions:\n  - {id: a, kind: text, label: x}\n"
YAMLS = {
    "billion laughs": (_laughs(), "y.yaml 第3行：不能使用 YAML 锚点/别名（&"),
    "duplicate key": (
        "id: hard\ntitle: t\nquestions:\n  - id: code\n    kind: text\n    label: 登记码\n"
        '    constraint: ". != \'\'"\n    constraint: "string-length(.) < 5"\n',
        "y.yaml 第8行：键重复，YAML 只会保留后一个（键 “constraint”，第7行已有同名的键",
    ),
    "duplicate key in flow": (
        "id: hard\ntitle: t\nquestions:\n  - {id: a, kind: text, label: x, id: b}\n",
        "y.yaml 第4行：键重复，YAML 只会保留后一个（键 “id”",
    ),
    "100,000-digit number": (
        "id: hard\ntitle: t\nversion: " + "9" * 100_000 + "\n" + QUESTIONS,
        "y.yaml 第3行：看起来是数字",
    ),
    "impossible date": ("id: hard\ntitle: t\nversion: 2026-13-45\n" + QUESTIONS, "不是有效的数字或日期"),
    "5,000 nested lists": ("id: hard\ntitle: t\nx: " + "[" * 5000 + "]" * 5000 + "\n" + QUESTIONS, "上限 30 层"),
    "2 MB file": ("id: hard\ntitle: t\n# " + "x" * 2 * 2**20 + "\n" + QUESTIONS, "上限 1 MB"),
}


@pytest.mark.parametrize("text, rule", YAMLS.values(), ids=YAMLS.keys())
def test_yaml_refused(tmp_path, text, rule):
    path = tmp_path / "y.yaml"
    path.write_text(text, encoding="utf-8")
    res = _cli("form", "check", path, cwd=tmp_path)
    assert res.returncode == 1 and rule in res.stderr and "修改：" in res.stderr


def test_fifo_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    res = _cli("form", "check", fifo, cwd=tmp_path)
    assert res.returncode == 1 and "不是普通文件" in res.stderr


def test_wrong_shapes_are_problems_not_crashes(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: [x]\ntitle: t\nchoice_lists: [1, 2]\nquestions:\n"
        "  - {id: a, kind: single, label: x, choices: 5, role: [sector], 3: y}\n"
        "  - {id: b, kind: text, label: y, constraint: {x: 1}, relevant: 1}\n",
        encoding="utf-8",
    )
    errors = [p for p in check_form(path) if p.is_error]
    found = {(p.code, p.context.get("key"), p.context.get("shape")) for p in errors}
    assert {
        ("form.not_one_value", "id", "列表"),
        ("form.not_one_value", "role", "列表"),
        ("form.not_one_value", "constraint", "键值对"),
        ("form.choices_not_list", None, "5"),
        ("form.choice_lists_shape", None, "列表"),
    } <= found
    assert "id 应为一个值（实为列表）" in [p.rule for p in errors]


# ---- fuzz: nothing but the toolkit's own errors --------------------------------------------------------

_ATOMS = [
    "${q1}",
    "${q2}",
    "${m/r1}",
    ".",
    "'a'",
    "'[0-9]+'",
    "'(x'",
    "'a{2,1}'",
    "'\\'",
    "'^(a|b)*$'",
    "1",
    "0",
    "1.5",
    "9" * 40,
    "today()",
    "true()",
    "false()",
]
_OPERATORS = ["=", "!=", "<", ">=", "+", "-", "*", "/", " div ", " mod ", " and ", " or "]
_FUNCTIONS = ["not", "count-selected", "string-length", "number", "int"]
_GRAMMAR = st.recursive(
    st.sampled_from(_ATOMS),
    lambda inner: st.one_of(
        st.builds("{}{}{}".format, inner, st.sampled_from(_OPERATORS), inner),
        st.builds("{}({})".format, st.sampled_from(_FUNCTIONS), inner),
        st.builds("{}({}, {})".format, st.sampled_from(["selected", "regex"]), inner, inner),
        st.builds("({})".format, inner),
        st.builds("-{}".format, inner),
    ),
    max_leaves=10,
)
_TOKENS = st.sampled_from(_ATOMS + _OPERATORS + [f + "(" for f in _FUNCTIONS] + ["regex(", "(", ")", ","])
_EXPRESSIONS = st.one_of(
    _GRAMMAR,  # well-formed: exercises evaluation
    st.builds("{}{}{}".format, _GRAMMAR, st.text(max_size=3), _GRAMMAR),  # nearly well-formed
    st.lists(st.one_of(_TOKENS, st.text(max_size=3)), max_size=20).map("".join),
)
_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.integers(300, 1200).map(lambda k: 10**k + 7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.text(max_size=4), max_size=3),
    st.integers(4000, 4300).map("9".__mul__),
    st.sampled_from(["1e999.5", "nan", "-0", "1_0", "２", "(", "[", "a{99999}"]),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(_EXPRESSIONS, st.dictionaries(st.sampled_from(["q1", "q2", "m/r1"]), _VALUES), _VALUES)
def test_fuzz_expressions(text, answers, current):
    try:
        expr = parse(text)
        expr.evaluate(answers, current)
        expr.to_xpath()
        expr.references, expr.regex_patterns()
    except ToolkitError as err:
        assert "修改" in str(err)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(
        [
            "single",
            "multiple",
            "likert",
            "text",
            "number",
            "q1",
            ". > 1",
            "regex(., '(')",
            "selected(${q1}, 'a')",
            "sector",
        ]
    ),
)
_KEYS = st.sampled_from(
    [
        "id",
        "kind",
        "label",
        "choices",
        "rows",
        "role",
        "constraint",
        "relevant",
        "other",
        "min_choices",
        "max_choices",
        "renamed_from",
        "required",
        "questions",
        "choice_lists",
    ]
)
_YAML_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=25,
)
_ANNUAL = (SURVEYS / "annual_topics.yaml").read_text(encoding="utf-8").splitlines()


def _mutate(lines: list[str], ops) -> str:
    lines = list(lines)
    for op, i, junk in ops:
        i %= len(lines)
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            lines[i] = lines[i][: len(junk)] + junk + lines[i][len(junk) :]
        elif op == "replace":
            lines[i] = junk
    return "\n".join(lines) + "\n"


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "insert", "replace"]),
        st.integers(0, 10**6),
        st.one_of(
            st.text(max_size=6),
            st.sampled_from(
                [
                    "&a ",
                    "*a",
                    "<<: ",
                    ": ",
                    "- ",
                    "  ",
                    "{",
                    "[",
                    "'",
                    "!!python/object ",
                    "\t",
                    "constraint: \"regex(., '(a+)+')\"",
                    "relevant: \"${sector} = 'x'\"",
                    "id: q1",
                ]
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(_YAML_DATA.map(lambda d: {"id": "f", "title": "t", "questions": [d]}), _YAML_DATA).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True)
    )
    | _OPS.map(lambda ops: _mutate(_ANNUAL, ops))
)
def test_fuzz_yaml_forms(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        problems = check_form(path)
    except ToolkitError as err:
        assert "修改" in str(err)
        return
    for p in problems:
        assert p.where and p.rule and p.fix and str(p).startswith("[")


def test_int_of_a_whole_number_too_large_for_a_float_is_that_number():
    # found by test_fuzz_expressions: int() went through float() and overflowed
    huge = 10**300 + 7
    assert parse("int(${q1})").evaluate({"q1": huge}, None) == huge
    assert parse("int(${q1})").evaluate({"q1": "3.7"}, None) == 3
