import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SURVEYS
from toolkit.forms import FormError, check_form, dump_form, load_form, read_form

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, cwd=ROOT)


def write(tmp_path, text):
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_forms_pass():
    for path in SURVEYS.glob("*.yaml"):
        if path.name.endswith(".mapping.yaml"):  # saved import mappings live beside their form
            continue
        problems = check_form(path)
        assert [p for p in problems if p.is_error] == [], path
        form = load_form(path)
        assert form.concern_questions(), "every bundled form collects concerns"
        assert form.by_role("sector") and form.by_role("district")


def test_bundled_forms_cover_every_kind(annual_form, visit_form):
    kinds = {q.kind for f in (annual_form, visit_form) for q in f.questions}
    assert kinds == {"single", "multiple", "likert", "ranking", "number", "date", "text", "concern", "note"}
    assert any(q.is_matrix for q in annual_form.questions)
    assert any(q.other for q in annual_form.questions)
    assert any(q.relevant for q in annual_form.questions)


BROKEN = """\
id: broken
title: 坏问卷
choice_lists:
  yes_no:
    - {id: "yes", label: 是}
    - {id: "no", label: 否}
questions:
  - id: q1
    kind: single
    label: 是否参加
    choices: yesno
  - id: q2
    kind: text
    label: 说明
    relevant: ${q9} == 'yes'
  - id: q2
    kind: single
    label: 重复编号的题
    choices: yes_no
  - id: q4
    kind: text
    label: 原因
    relevant: selected(${q1}, 'maybe')
"""


def test_broken_form_problems_point_at_questions(tmp_path):
    path = write(tmp_path, BROKEN)
    errors = [p for p in check_form(path) if p.is_error]
    text = "\n".join(map(str, errors))
    assert "引用了不存在的选项列表 'yesno'" in text and "yes_no" in text  # unknown list, with the fix
    assert "${q9}" in text and "不存在的题目" in text  # bad skip-logic reference
    assert "'q2' 重复" in text  # duplicate id
    assert any(p.question_id == "q2" and "第16行" in p.where for p in errors)  # location is the line
    with pytest.raises(FormError) as info:
        load_form(path)
    assert "处错误" in str(info.value)


def test_cli_check(tmp_path):
    ok = _cli("form", "check", str(SURVEYS / "annual_topics.yaml"), str(SURVEYS / "visit_record.yaml"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("通过检查") == 2
    bad = _cli("form", "check", str(write(tmp_path, BROKEN)))
    assert bad.returncode == 1
    assert "[错误]" in bad.stdout and "修改：" in bad.stdout and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "snippet, expected",
    [
        ("  - id: q1\n    kind: dropdown\n    label: x\n", "未知题型"),
        ("  - id: 1q\n    kind: text\n    label: x\n", "不合规"),
        ("  - id: q1\n    kind: single\n    label: x\n    choices: [{id: no, label: 否}]\n", "布尔值"),
        ("  - id: q1\n    kind: multiple\n    label: x\n    choices: [a, b]\n    max_choices: 5\n", "超过了选项数"),
        (
            "  - id: q1\n    kind: text\n    label: x\n    relevant: ${q2} == 'a'\n  - id: q2\n    kind: single\n"
            "    label: y\n    choices: [{id: a, label: A}]\n",
            "后面的题目",
        ),
        (
            "  - id: q1\n    kind: single\n    label: x\n    choices: [{id: a, label: A}]\n  - id: q2\n    kind: text\n"
            "    label: y\n    relevant: ${q1} == 'b'\n",
            "没有编号为 'b' 的选项",
        ),
        ("  - id: q1\n    kind: number\n    label: x\n    constraint: . >= \n", "无法解析"),
        ("  - id: q1\n    kind: text\n    label: x\n    role: mayor\n", "未知角色"),
        (
            "  - id: q1\n    kind: text\n    label: x\n  - id: q2\n    kind: text\n    label: y\n    renamed_from: q1\n",
            "仍是本问卷中另一道题的编号",
        ),
    ],
)
def test_rules(tmp_path, snippet, expected):
    path = write(tmp_path, "id: f\ntitle: t\nquestions:\n" + snippet)
    messages = "\n".join(str(p) for p in check_form(path) if p.is_error)
    assert expected in messages


def test_yaml_syntax_error_is_located(tmp_path):
    path = write(tmp_path, "id: f\ntitle: t\nquestions:\n  - id: q1\n   kind: text\n")
    with pytest.raises(FormError) as info:
        load_form(path)
    assert "YAML 格式错误" in str(info.value) and "行" in str(info.value)


def test_missing_file_message(tmp_path):
    result = _cli("form", "check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "找不到问卷文件" in result.stderr and "Traceback" not in result.stderr


def test_dump_and_read_round_trip(tmp_path, annual_form):
    out = tmp_path / "copy.yaml"
    dump_form(annual_form, out)
    again, problems = read_form(out)
    assert not [p for p in problems if p.is_error]
    assert again.to_dict() == annual_form.to_dict()
    assert again.fingerprint == annual_form.fingerprint
