"""The curation panel: buttons apply steps and log them in the store."""

from toolkit.sample import generate_concerns
from toolkit.topics import TopicModel
from toolkit.topics.curation import CurationLog
from toolkit.topics.widget import CurationPanel


def test_buttons_merge_and_rename_and_log(store):
    df = generate_concerns(300, seed=9)
    model = TopicModel(themes=4, random_state=0, progress=False).fit(df["text"], ids=df["id"])
    log = CurationLog(store, "w/concern")
    panel = CurationPanel(model, log, operator="测试")
    first, second = [value for _, value in panel.picker.options[:2]]
    panel.picker.value = (first,)
    panel.merge_button.click()
    assert "至少选择两个" in panel.status.value and log.steps() == []
    panel.picker.value = (first, second)
    assert "<li>" in panel.details.value
    panel.merge_button.click()
    panel.picker.value = (first,)
    panel.label.value = "人工命名"
    panel.rename_button.click()
    assert [s["action"] for s in log.steps()] == ["merge", "rename"]
    assert model.topics_.set_index("topic_id").loc[first, "label"] == "人工命名"
    assert second not in {value for _, value in panel.picker.options}
