"""Double entry reports exactly the planted mismatches, resolutions correct the response (audited),
and discrepancy rates come out per operator and per question."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.entry import DoubleEntry, EntryError, EntrySession, compare
from toolkit.forms import load_form
from toolkit.store import open_store

ROOT = Path(__file__).resolve().parents[1]
TYPED = {
    "serial": "DH-0007",
    "sector": "1",
    "district": "2",
    "age_band": "4",
    "years_here": "30",
    "concern_areas": "1 5 15",
    "concern_areas_other": "广场舞噪音",
    "priority": "5 1 6",
    "services/medical": "2",
    "services/elderly": "3",
    "concern": "社区卫生服务站看病排队时间太长",
    "reported_before": "1",
    "reported_result": "4",
    "willing_contact": "1",
    "phone": "13812345678",
    "fill_date": "2026-05-01",
}
# field -> second operator's typo, each a different kind of slip
PLANTED = {
    "district": "3",  # wrong choice number
    "services/elderly": "4",  # one matrix row
    "priority": "1 5 6",  # ranking order swapped
    "concern_areas_other": "广场舞燥音",  # a character in the other-text
    "phone": "13812345679",  # last digit
}


@pytest.fixture
def setting(tmp_path):
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    store = open_store(tmp_path / "d.db")
    first_id = EntrySession(form, store, "张三").submit(TYPED)
    return form, store, first_id


def test_exact_planted_mismatches(setting):
    form, store, first_id = setting
    second = EntrySession(form, store, "李四", mode="second")
    result = second.submit({**TYPED, **PLANTED, "concern_areas": "15 5 1"})  # tick order is not a difference
    assert result.response_id == first_id and result.serial == "DH-0007"
    assert [m.field for m in result.mismatches] == [
        "district",
        "concern_areas_other",
        "priority",
        "services/elderly",
        "phone",
    ]
    by_field = {m.field: m for m in result.mismatches}
    assert (by_field["district"].first, by_field["district"].second) == ("donghu", "xishan")
    assert by_field["priority"].first == ["medical", "traffic", "elderly"]
    assert by_field["priority"].second == ["traffic", "medical", "elderly"]
    listed = DoubleEntry(store, form).discrepancies()
    assert list(listed["field"]) == [m.field for m in result.mismatches]
    assert set(listed["first_operator"]) == {"张三"} and set(listed["second_operator"]) == {"李四"}


def test_identical_second_entry_matches(setting):
    form, store, _ = setting
    result = EntrySession(form, store, "李四", mode="second").submit(dict(TYPED))
    assert result.matched and result.n_fields == len(form.columns())


def test_resolution_corrects_response_with_audit_and_rates(setting):
    form, store, first_id = setting
    result = EntrySession(form, store, "李四", mode="second").submit({**TYPED, **PLANTED})
    de = DoubleEntry(store, form)
    ids = {m.field: m.id for m in result.mismatches}
    de.resolve(ids["district"], "second", supervisor="王主任")  # the first operator was wrong
    de.resolve(ids["phone"], "first", supervisor="王主任")
    de.resolve(ids["services/elderly"], "other", value="5", supervisor="王主任", reason="核对原件：很满意")
    answers = store.response(first_id)["answers"]
    assert answers["district"] == "xishan" and answers["phone"] == "13812345678"
    assert answers["services"] == {"medical": "2", "elderly": "5"}
    audit = store.audit("response", first_id)
    assert list(audit["action"]).count("update") == 2 and "核对原件：很满意" in set(audit["reason"])
    assert len(de.discrepancies()) == 2  # two still open
    with pytest.raises(EntryError) as done:
        de.resolve(ids["district"], "first", supervisor="王主任")
    assert done.value.code == "entry.discrepancy_resolved" and done.value.context["by"] == "王主任"
    with pytest.raises(EntryError) as invalid:
        de.resolve(ids["priority"], "other", value=["traffic", "nope"], supervisor="王主任")
    assert invalid.value.code == "entry.resolution_invalid"
    assert [p.code for p in invalid.value.problems] == ["answer.choice_unknown"]
    by_op, by_q = de.rates()
    ops = by_op.set_index("operator")
    n_fields = len(form.columns())
    assert ops.loc["张三", "fields"] == n_fields and ops.loc["张三", "mismatches"] == 5
    assert ops.loc["张三", "errors"] == 2 and ops.loc["李四", "errors"] == 2  # other = both wrong
    assert ops.loc["李四", "mismatch_rate"] == pytest.approx(5 / n_fields)
    qs = by_q.set_index("question_id")
    assert qs.loc["district", "mismatch_rate"] == 1.0
    assert qs.loc["services", "fields"] == 6 and qs.loc["services", "mismatches"] == 1
    assert qs.loc["sector", "mismatches"] == 0


def test_second_entry_needs_a_first_and_another_operator(setting):
    form, store, _ = setting
    with pytest.raises(EntryError) as err:
        EntrySession(form, store, "李四", mode="second").submit({**TYPED, "serial": "DH-9999"})
    assert err.value.code == "entry.no_first_entry"
    with pytest.raises(EntryError) as err:
        EntrySession(form, store, "张三", mode="second").submit(TYPED)
    assert err.value.code == "entry.same_operator"
    with pytest.raises(EntryError) as err:
        EntrySession(form, store, "王五").submit(TYPED)
    assert err.value.code == "entry.serial_taken"


def test_compare_ignores_spacing_and_tick_order():
    form = load_form(ROOT / "surveys" / "visit_record.yaml")
    a = {"member": "张 三", "people_met": ["residents", "elderly"]}
    b = {"member": "张 三 ", "people_met": ["elderly", "residents"]}
    assert compare(form, a, b) == []
