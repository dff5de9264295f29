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
    found = {(p.code, p.question_id) for p in errors}
    unknown_list = next(p for p in errors if p.code == "form.choice_list_unknown")
    assert unknown_list.context["name"] == "yesno" and "yes_no" in unknown_list.context["known"]  # with the fix
    assert any(p.code == "form.reference_unknown" and p.context["ref"] == "q9" for p in errors)  # bad skip logic
    assert ("form.question_id_repeated", "q2") in found
    assert any(p.question_id == "q2" and "第16行" in p.where for p in errors)  # location is the line
    with pytest.raises(FormError) as info:
        load_form(path)
    assert info.value.code == "form.has_errors" and info.value.problems == errors
    # the rendered message reads where → rule → value → fix
    assert str(unknown_list).startswith(f"[错误] {path} 第") and "：引用了不存在的选项列表（“yesno”）。修改：" in str(
        unknown_list
    )


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
        ("  - id: q1\n    kind: dropdown\n    label: x\n", "form.kind_unknown"),
        ("  - id: 1q\n    kind: text\n    label: x\n", "form.question_id_invalid"),
        ("  - id: q1\n    kind: single\n    label: x\n    choices: [{id: no, label: 否}]\n", "form.choice_id_bool"),
        (
            "  - id: q1\n    kind: multiple\n    label: x\n    choices: [a, b]\n    max_choices: 5\n",
            "form.count_over_choices",
        ),
        (
            "  - id: q1\n    kind: text\n    label: x\n    relevant: ${q2} == 'a'\n  - id: q2\n    kind: single\n"
            "    label: y\n    choices: [{id: a, label: A}]\n",
            "form.relevant_later",
        ),
        (
            "  - id: q1\n    kind: single\n    label: x\n    choices: [{id: a, label: A}]\n  - id: q2\n    kind: text\n"
            "    label: y\n    relevant: ${q1} == 'b'\n",
            "form.choice_unknown",
        ),
        ("  - id: q1\n    kind: number\n    label: x\n    constraint: . >= \n", "form.expression_invalid"),
        ("  - id: q1\n    kind: text\n    label: x\n    role: mayor\n", "form.role_unknown"),
        (
            "  - id: q1\n    kind: text\n    label: x\n  - id: q2\n    kind: text\n    label: y\n    renamed_from: q1\n",
            "form.renamed_from_taken",
        ),
    ],
)
def test_rules(tmp_path, snippet, expected):
    path = write(tmp_path, "id: f\ntitle: t\nquestions:\n" + snippet)
    assert expected in [p.code for p in check_form(path) if p.is_error]


def test_yaml_syntax_error_is_located(tmp_path):
    path = write(tmp_path, "id: f\ntitle: t\nquestions:\n  - id: q1\n   kind: text\n")
    with pytest.raises(FormError) as info:
        load_form(path)
    assert info.value.code == "yaml.syntax" and info.value.context["at"].startswith("第5行")


def test_missing_file_message(tmp_path):
    result = _cli("form", "check", str(tmp_path / "nope.yaml"))
    assert (
        result.returncode == 1 and "nope.yaml：问卷定义文件不存在" in result.stderr and "Traceback" not in result.stderr
    )
    assert "问卷定义通常在 surveys/ 目录下" in result.stderr  # the role hint: where such files live


def test_dump_and_read_round_trip(tmp_path, annual_form):
    out = tmp_path / "copy.yaml"
    dump_form(annual_form, out)
    again, problems = read_form(out)
    assert not [p for p in problems if p.is_error]
    assert again.to_dict() == annual_form.to_dict()
    assert again.fingerprint == annual_form.fingerprint
