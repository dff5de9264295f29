"""The ipywidgets entry form driven from Python: live skip logic, inline messages, saving, drafts,
second entry, corrections and the supervisor's panel."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

from toolkit.entry import DoubleEntry, EntryForm  # noqa: E402
from toolkit.entry.widgets import ReviewPanel  # noqa: E402
from toolkit.forms import load_form  # noqa: E402
from toolkit.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {
    "serial": "DH-0100",
    "sector": "2",
    "district": "1",
    "age_band": "2",
    "concern_areas": "3",
    "concern": "电梯经常坏，老人上下楼困难",
}


@pytest.fixture
def entry(tmp_path):
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    store = open_store(tmp_path / "w.db")
    return form, store, EntryForm(form, store, operator="张三")


def _view(ui, qid):
    return next(v for v in ui.views if v.q.id == qid)


def _type(ui, values):
    for key, value in values.items():
        ui.inputs[key].value = value


def test_skip_logic_hides_and_clears(entry):
    _, _, ui = entry
    assert _view(ui, "reported_result").box.layout.display == "none"
    ui.inputs["reported_before"].value = "1"
    assert _view(ui, "reported_result").box.layout.display is None
    assert "是" in _view(ui, "reported_before").echoes["reported_before"].value
    ui.inputs["reported_result"].value = "3"
    ui.inputs["reported_before"].value = "2"
    assert _view(ui, "reported_result").box.layout.display == "none"
    assert ui.inputs["reported_result"].value == ""
    other = ui.inputs["concern_areas_other"]
    assert other.layout.display == "none"
    ui.inputs["concern_areas"].value = "1 15"
    assert other.layout.display is None


def test_inline_messages_and_save(entry):
    form, store, ui = entry
    ui.inputs["years_here"].value = "120"
    assert "年数应在 0 到 100 之间" in _view(ui, "years_here").message.value
    assert _view(ui, "sector").message.value == ""  # required shows only after a save attempt
    ui._submitted(None)
    assert "答卷未保存" in ui.status.value and "本题必答" in _view(ui, "sector").message.value
    assert ui.inputs["years_here"].value == "120"  # a failed save keeps every value
    _type(ui, {**MINIMAL, "years_here": "20"})
    ui._submitted(None)
    assert "已保存答卷 #1" in ui.status.value and ">1<" in ui.counter.value
    assert ui.inputs["serial"].value == ""
    assert store.response(1)["operator"] == "张三"
    assert [o[1] for o in ui.recent.options] == [1]


def test_draft_survives_a_new_widget(entry):
    form, store, ui = entry
    _type(ui, {"serial": "DH-0200", "concern": "半截话"})
    again = EntryForm(form, store, operator="张三")
    assert again.inputs["concern"].value == "半截话" and "已恢复" in again.status.value


def test_operator_asked_on_screen(tmp_path):
    form = load_form(ROOT / "surveys" / "visit_record.yaml")
    ui = EntryForm(form, open_store(tmp_path / "v.db"))
    assert ui.body.layout.display == "none"
    ui.start.click()
    assert "录入员姓名" in ui.status.value
    ui.operator.value = "李四"
    ui.start.click()
    assert ui.body.layout.display is None and ui.session.operator == "李四"


def test_second_entry_lists_mismatches_and_supervisor_resolves(entry):
    form, store, ui = entry
    _type(ui, MINIMAL)
    ui._submitted(None)
    second = EntryForm(form, store, operator="李四", mode="second")
    _type(second, {**MINIMAL, "district": "4"})
    second._submitted(None)
    assert "1</b> 处不一致" in second.status.value and "district" in second.status.value
    panel = ReviewPanel(form, store, supervisor="王主任")
    assert len(panel.pick.options) == 1 and "第3题" in panel.pick.options[0][0]
    panel.choice.value = "second"
    panel._resolve()
    assert store.response(1)["answers"]["district"] == "nanmen"
    assert DoubleEntry(store, form).discrepancies().empty and "已裁定" in panel.status.value


def test_correct_and_void_from_the_browse_panel(entry):
    form, store, ui = entry
    _type(ui, MINIMAL)
    ui._submitted(None)
    ui.recent.value = 1
    ui._act("load")
    assert ui.inputs["district"].value == "1"
    ui.inputs["district"].value = "5"
    ui._submitted(None)
    assert store.response(1)["answers"]["district"] == "beiyuan"
    ui.reason.value = "重复录入"
    ui._act("void")
    assert store.response(1)["status"] == "void" and "作废" in ui.history.value


@pytest.mark.slow
def test_a_locked_database_is_told_and_the_typing_kept(entry):
    import sqlite3

    form, store, ui = entry
    lock = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    lock.execute("BEGIN EXCLUSIVE")  # an import holds the write lock
    try:
        _type(ui, MINIMAL)
        assert "数据库正忙" in ui.status.value and "草稿已保留" in ui.status.value
        ui._submitted(None)
        assert "答卷未保存，已录内容保留" in ui.status.value and ui.inputs["serial"].value == "DH-0100"
        again = EntryForm(form, store, operator="张三")  # the page reloaded meanwhile
        assert again.inputs["concern"].value == MINIMAL["concern"]
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    ui.retry_draft()  # what the scheduled retry does
    assert "数据库已恢复" in ui.status.value
    ui._submitted(None)
    assert "已保存答卷 #1" in ui.status.value
