"""问卷星 文本导入: every question with the right type tag; what the format cannot carry is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.forms import load_form
from toolkit.forms.wjx_text import manual_settings, to_wjx_text, type_tag

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["annual_topics", "visit_record"])
def test_every_question_with_its_type_tag(name):
    form = load_form(ROOT / "surveys" / f"{name}.yaml")
    text = to_wjx_text(form)
    blocks = text.rstrip("\n").split("\n\n")
    assert blocks[0] == form.title
    assert len(blocks) == 1 + len(form.questions)
    for q, block in zip(form.questions, blocks[1:]):
        head, *options = block.split("\n")
        if q.kind == "note":
            assert head == f"{q.label}[段落说明]"
            continue
        assert re.fullmatch(rf"{form.number(q.id)}\. .+\[{type_tag(q)}\]", head), head
        if q.is_matrix:
            assert options[0].split() == [c.label for c in q.choices] and options[1:] == [r.label for r in q.rows]
        else:
            assert options == [c.label for c in q.choices] + (["其他（请注明）"] if q.other else [])


def test_type_tags_cover_the_kinds():
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    tags = {q.id: type_tag(q) for q in form.questions}
    assert tags["sector"] == "单选题" and tags["concern_areas"] == "多选题" and tags["priority"] == "排序题"
    assert tags["services"] == "矩阵量表题" and tags["concern"] == "填空题" and tags["intro_about_you"] == "段落说明"
    assert type_tag(load_form(ROOT / "surveys" / "visit_record.yaml").question("urgency")) == "量表题"


def test_manual_settings_name_skip_logic_and_constraints_in_words():
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    lines = manual_settings(form)
    assert any("第13题" in x and "仅当 第12题选“是” 时显示" in x for x in lines)
    assert any("第15题" in x and "11位手机号" in x for x in lines)
    assert any("第7题" in x and "最多选3项" in x for x in lines)
    assert any("第7题" in x and "允许填空" in x for x in lines)


def test_cli_writes_text_and_says_what_to_set_by_hand(tmp_path, capsys):
    out = tmp_path / "wjx.txt"
    assert main(["form", "export", str(ROOT / "surveys" / "visit_record.yaml"), "--to", "wjx", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "手工设置" in printed and "第15题" in printed
    assert out.read_text(encoding="utf-8").startswith("政协委员联系群众走访记录表\n\n1. 记录编号[填空题]")
    assert (tmp_path / "wjx_需手工设置.txt").exists()
