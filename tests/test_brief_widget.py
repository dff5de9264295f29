"""The brief panel of notebook 06: database, survey, a filter chosen by option text, the output folder, a button."""

from pathlib import Path

import pytest
from docx import Document

from toolkit.brief import BriefPanel
from toolkit.brief.widget import filter_expression, filter_words
from toolkit.forms import load_form
from toolkit.sample import generate_responses
from toolkit.store import open_store
from toolkit.workflows import build_brief

SURVEYS = Path(__file__).resolve().parents[1] / "surveys"


@pytest.fixture
def form():
    return load_form(SURVEYS / "annual_topics.yaml")


def _fill(location, form, n: int) -> None:
    store = open_store(location)
    try:
        records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, n, seed=4)]
        store.add_responses(form, records, source="sample")
    finally:
        store.close()


def test_choices_come_from_the_database_by_their_text(tmp_path, db_url, form):
    _fill(db_url, form, 20)
    panel = BriefPanel(build_brief, {"区调研库": db_url}, reports=tmp_path)
    assert panel.form.options == ((f"{form.title}（20 份答卷）", form.id),)
    assert panel.chosen_form().title == form.title
    assert Path(panel.out.value).parent == tmp_path and panel.out.value.endswith("简报")
    question, choices = panel.questions[0], panel.choices[0]
    assert question.label == "（不筛选）" and panel.filter() == ""
    question.value = "district"
    assert question.label == form.question("district").label
    assert [label for label, _ in choices.options][:2] == ["城关街道", "东湖街道"]
    choices.value = ("donghu", "xishan")
    panel.questions[1].value = "concern_areas"
    panel.choices[1].value = ("traffic",)
    assert (
        panel.filter()
        == "(${district} == 'donghu' or ${district} == 'xishan') and selected(${concern_areas}, 'traffic')"
    )
    assert filter_words(form, panel.conditions()).startswith("您居住或工作的镇（街道）是？：东湖街道或西山街道；")

    panel.choices[1].value = ()  # a question without options is refused before anything is built
    panel.button.click()
    assert "没有选要保留的选项" in panel.status.value and panel.outputs == {}


def test_empty_database_says_what_to_do(tmp_path):
    panel = BriefPanel(build_brief, {"空库": tmp_path / "empty.db"}, reports=tmp_path)
    assert panel.form.options == () and panel.chosen_form() is None
    assert "还没有问卷和答卷" in panel.status.value
    panel.button.click()
    assert "请先选择" in panel.status.value


def test_filter_expression_leaves_out_rows_without_options(form):
    assert filter_expression(form, [("district", ["donghu"]), ("age_band", [])]) == "${district} == 'donghu'"
    assert filter_expression(form, []) == ""


@pytest.mark.slow  # fits the topic model and writes the whole brief (tens of seconds)
def test_button_builds_the_filtered_brief(tmp_path, form):
    _fill(tmp_path / "x.db", form, 120)
    panel = BriefPanel(build_brief, {"示例": tmp_path / "x.db"}, reports=tmp_path / "reports", top=5)
    panel.questions[0].value = "district"
    panel.choices[0].value = ("donghu", "xishan", "chengguan", "nanmen", "beiyuan")
    panel.button.click()
    out = tmp_path / "reports" / "x简报"
    assert panel.status.value.startswith("<b>简报已生成</b>") and "东湖街道或西山街道" in panel.status.value
    assert {"deck", "report", "workbook"} <= set(panel.outputs) and (out / "简报.pptx").exists()
    assert "演示文稿" in panel.files.value and "调研报告" in panel.files.value
    assert "<th>排名</th><th>议题</th><th>热度</th>" in panel.candidates.value
    for code in ("n_voices", "explanation", "donghu", "{"):
        assert code not in panel.status.value + panel.files.value + panel.candidates.value
    assert bytes(panel.chart.value).startswith(b"\x89PNG")
    text = "\n".join(p.text for p in Document(out / "调研报告.docx").paragraphs)
    assert "东湖街道" in text  # the report says which answers it is about


def test_databases_of_a_folder_are_listed_after_the_given_ones(tmp_path, form):
    _fill(tmp_path / "区库.db", form, 5)
    panel = BriefPanel(build_brief, {"示例": tmp_path / "x.db"}, folder=tmp_path, reports=tmp_path)
    assert [label for label, _ in panel.database.options] == ["示例", f"区库.db（{tmp_path.name} 文件夹）"]
    panel.database.value = str(tmp_path / "区库.db")
    assert panel.form.label == f"{form.title}（5 份答卷）" and panel.out.value == str(tmp_path / "区库简报")
