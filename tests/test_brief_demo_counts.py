"""The demo's command line, the deck and the report give one count of issues (未归类 is never an issue), and
the ordinal rule of the bars."""

from __future__ import annotations

import re

import pytest


@pytest.mark.slow  # the whole demo in a subprocess
def test_demo_prints_the_issue_count_the_deck_and_report_show(tmp_path):
    from docx import Document
    from pptx import Presentation

    from toolkit.workflows import run_demo

    lines = []
    outputs = run_demo(out=tmp_path / "demo", db=tmp_path / "demo.db", n=240, seed=1, echo=lines.append)
    (said,) = [int(m.group(1)) for line in lines if (m := re.search(r"议题：(\d+) 个具体议题", line))]
    cover = Presentation(outputs["deck"]).slides[0]
    deck = " ".join(sh.text_frame.text for sh in cover.shapes if sh.has_text_frame)
    report = "\n".join(p.text for p in Document(outputs["report"]).paragraphs)
    shown = {int(n) for n in re.findall(r"归并为 (\d+) 个议题", deck + "\n" + report)}
    assert shown == {said}
    topics = outputs["topics"].read_text(encoding="utf-8-sig").splitlines()
    assert said < len(topics) - 1  # the model's table has the 未归类 row (and merged issues); not counted


def test_ordinal_rule():
    from toolkit.brief.ordinal import is_ordinal, ordered_levels
    from toolkit.forms.model import Choice, Question

    def single(label, *choices, role=None):
        return Question(
            id="q",
            kind="single",
            label=label,
            role=role,
            choices=[Choice(id=str(i), label=c) for i, c in enumerate(choices)],
        )

    assert is_ordinal(single("您的年龄段", "老年", "青年", role="age"))
    assert is_ordinal(single("您的学历", "初中及以下", "高中", "大学"))  # the label names a scale
    assert is_ordinal(single("手机部数", "1部", "2部", "4部及以上", "3部"))  # numbered choices
    assert not is_ordinal(single("您家养宠物吗？", "不养", "养狗", "养猫"))
    assert not is_ordinal(single("性别", "男", "女"))
    assert ordered_levels(["18—35岁", "60岁及以上", "18岁以下", "36—59岁"]) == [
        "18岁以下",
        "18—35岁",
        "36—59岁",
        "60岁及以上",
    ]
    assert ordered_levels(["初中及以下", "高中", "大学"]) == ["初中及以下", "高中", "大学"]  # the form's order
    assert ordered_levels(["2部", "免费赠送的", "1部"]) == ["1部", "2部", "免费赠送的"]
