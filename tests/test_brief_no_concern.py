"""`weidiaoyan brief` on a survey without free-text concerns: the survey charts, deck and report are made,
the issue and candidate parts are left out with a note saying why."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # whole briefs on a survey without a concern question

FORM = """
id: household_poll
title: 居民生活情况调查
version: "1"
questions:
  - id: district
    kind: single
    role: district
    required: true
    label: 您居住的镇（街道）是？
    choices:
      - {id: a, label: 东湖街道}
      - {id: b, label: 西山街道}
      - {id: c, label: 桃源镇}
  - id: income
    kind: single
    required: true
    label: 家庭月收入
    # in order of appearance, as `weidiaoyan form infer` drafts it from a text export
    choices:
      - {id: "1", label: 5001-8000元}
      - {id: "2", label: 15000元以上}
      - {id: "3", label: 3000元以下}
      - {id: "4", label: 3001-5000元}
      - {id: "5", label: 8001-15000元}
  - id: pets
    kind: single
    label: 您家养宠物吗？
    choices:
      - {id: "no", label: 不养}
      - {id: dog, label: 养狗}
      - {id: cat, label: 养猫}
  - id: worries
    kind: multiple
    label: 您最操心哪些事？
    choices:
      - {id: price, label: 物价}
      - {id: school, label: 上学}
      - {id: health, label: 看病}
  - id: services
    kind: likert
    label: 您对以下服务的满意程度
    choices:
      - {id: "1", label: 很不满意}
      - {id: "2", label: 不太满意}
      - {id: "3", label: 一般}
      - {id: "4", label: 比较满意}
      - {id: "5", label: 很满意}
    rows:
      - {id: bus, label: 公交}
      - {id: clinic, label: 社区医院}
"""
CONCERN = """
  - id: concern
    kind: concern
    label: 您身边最急的一件事是什么？
"""


def _brief(tmp_path, yaml_text: str, drop_concern: bool = False):
    from toolkit.cli import main
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store

    form_path = tmp_path / "form.yaml"
    form_path.write_text(yaml_text, encoding="utf-8")
    form = load_form(form_path)
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 60, seed=2)]
    if drop_concern:
        for r in records:
            r["answers"].pop("concern", None)
    store = open_store(tmp_path / "poll.db")
    store.add_responses(form, records, source="sample")
    store.close()
    out = tmp_path / "out"
    assert main(["brief", "--db", str(tmp_path / "poll.db"), "--form", str(form_path), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def no_concern(tmp_path_factory):
    return _brief(tmp_path_factory.mktemp("no_concern"), FORM)


def _deck_text(path) -> str:
    from pptx import Presentation

    return "\n".join(sh.text_frame.text for s in Presentation(path).slides for sh in s.shapes if sh.has_text_frame)


def _report_text(path) -> tuple[list[str], str]:
    from docx import Document

    doc = Document(path)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    return headings, "\n".join(p.text for p in doc.paragraphs)


def test_survey_charts_are_made_without_a_concern_question(no_concern):
    stems = {p.stem for p in (no_concern / "charts").glob("*.csv")}
    assert any(s.startswith("03_镇街分布") for s in stems)
    assert any(s.startswith("04_") and s.endswith("_services") for s in stems)
    for qid in ("income", "pets", "worries"):
        assert any(s.startswith("06_") and s.endswith(f"_{qid}") for s in stems), qid
    assert not any(s.startswith(("01_", "02_", "07_")) for s in stems)  # no issues, no candidates
    assert not (no_concern / "candidates.csv").exists()


def test_deck_and_report_say_why_the_issue_parts_are_left_out(no_concern):
    from pptx import Presentation

    deck = _deck_text(no_concern / "简报.pptx")
    assert "没有意见建议题，未做议题归纳" in deck and "选题候选" not in deck
    # every survey chart is on a slide: a native chart or (a heatmap, quotes) a picture
    shown = sum(
        1
        for s in Presentation(no_concern / "简报.pptx").slides
        for sh in s.shapes
        if sh.shape_type == 13 or sh.has_chart
    )
    assert shown == len(list((no_concern / "charts").glob("*.png")))
    headings, text = _report_text(no_concern / "调研报告.docx")
    assert headings == ["一、基本情况", "二、主要问题", "附录：方法与数据质量"]
    assert "没有意见建议题，未做议题归纳" in text and "示例数据 60 份" in text


def test_ordered_ranges_follow_their_numbers_even_when_the_form_lists_them_out_of_order(no_concern):
    (path,) = (no_concern / "charts").glob("06_*_income.csv")
    data = pd.read_csv(path, encoding="utf-8-sig")
    assert data["选项"].tolist() == ["3000元以下", "3001-5000元", "5001-8000元", "8001-15000元", "15000元以上"]
    (path,) = (no_concern / "charts").glob("06_*_pets.csv")
    pets = pd.read_csv(path, encoding="utf-8-sig")["人数"].tolist()
    assert pets == sorted(pets, reverse=True)  # not a scale: largest first


def test_concern_question_nobody_answered_is_noted_too(tmp_path):
    out = _brief(tmp_path, FORM + CONCERN, drop_concern=True)
    assert "意见建议题（concern）没有人填写" in _deck_text(out / "简报.pptx")
    assert "意见建议题（concern）没有人填写" in _report_text(out / "调研报告.docx")[1]


def test_a_rerun_leaves_no_charts_of_the_earlier_run(tmp_path):
    charts = tmp_path / "out" / "charts"
    charts.mkdir(parents=True)
    stale = charts / "07_议题原话.png"  # the issues chart of an earlier run, when there were concerns
    stale.write_bytes(b"old")
    (charts / "notes.txt").write_text("mine", encoding="utf-8")
    _brief(tmp_path, FORM)
    assert not stale.exists() and (charts / "notes.txt").exists()
