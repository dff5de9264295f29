"""Duties from records and by staff, matched to the register, scored by a rules file (toolkit.member)."""

from __future__ import annotations

import sys

import pytest

from tests.test_member_register import GOOD, write_list
from toolkit.forms import form_from_dict
from toolkit.member import (
    MemberError,
    activities,
    import_members,
    load_rules,
    record_activity,
    score,
    set_alias,
    void_activity,
)

COLLECTED_FORM = {
    "id": "street_survey",
    "title": "街巷问卷",
    "version": "1",
    "questions": [
        {"id": "collector", "kind": "text", "role": "collector", "label": "收集问卷的委员"},
        {"id": "concern", "kind": "concern", "label": "您最希望解决的问题"},
    ],
}


def visit(member: str, day: str, concern: str = "村里老人看病要坐一小时公交到镇卫生院") -> dict:
    return {
        "answers": {
            "member": member,
            "member_sector": "minjian",
            "visit_date": day,
            "district": "qingshi",
            "place": "下塘村",
            "visit_type": "home",
            "people_met": ["residents"],
            "people_count": 12,
            "concern": concern,
            "category": "medical",
            "urgency": "2",
            "follow_up": "no",
        }
    }


@pytest.fixture
def filled(store, tmp_path, visit_form):
    """A register of four, three visit records (one by a name not in it), two collected responses, one entered duty."""
    import_members(store, write_list(tmp_path / "名单.xlsx", GOOD))
    store.add_responses(
        visit_form,
        [
            visit("陈明", "2026-03-02", "下塘村路灯坏了三个月，电话13812345678"),
            visit("陈明、李华", "2026-04-12"),
            visit("陈委员", "2026-05-06"),
            visit("陈明", "2025-12-30"),  # another year
        ],
        source="entry",
    )
    form, _ = form_from_dict(COLLECTED_FORM)
    store.add_responses(
        form,
        [
            {"answers": {"collector": "李华", "concern": "小区门口停车难"}, "submitted_at": "2026-07-15 10:00:00"},
            {"answers": {"collector": "W-03"}, "submitted_at": "2026-07-16 09:00:00"},
        ],
        source="entry",
    )
    record_activity(store, kind="接待日", date="2026/6/1", members=["李华", "W-04"], note="东湖接待日")
    return store


def test_duties_come_from_records_and_staff_with_unmatched_names_kept_apart(filled):
    found = activities(filled, 2026)
    frame = found.frame
    kinds = frame.groupby("member_id")["kind"].agg(sorted).to_dict()
    assert kinds == {1: ["走访", "走访"], 2: ["接待日", "收集意见", "走访"], 3: ["收集意见"], 4: ["接待日"]}
    assert sorted(frame[frame["member_id"] == 1]["date"]) == ["2026-03-02", "2026-04-12"]
    assert (frame["member_id"] == 3).sum() == 1 and frame[frame["member_id"] == 3]["kind"].item() == "收集意见"
    assert frame[frame["member_id"] == 4]["kind"].tolist() == ["接待日"]
    staff = frame[frame["activity_id"].str.startswith("A")]
    assert sorted(staff["member_id"]) == [2, 4] and set(staff["note"]) == {"东湖接待日"}
    # "陈委员" is no member: listed with its record, never counted
    assert found.unmatched[["name", "reason", "kind", "date"]].values.tolist() == [
        ["陈委员", "不在委员名单中", "走访", "2026-05-06"]
    ]
    # the residents' concern travels with the duty (masked only when exported)
    first = frame[(frame["member_id"] == 1) & (frame["date"] == "2026-03-02")].iloc[0]
    assert first["concerns"] == ["下塘村路灯坏了三个月，电话13812345678"] and first["source"].endswith("答卷 #1")


def test_an_alias_resolves_an_unmatched_name(filled):
    assert set_alias(filled, "陈委员", "陈明", operator="张三") == 1
    found = activities(filled, 2026)
    assert found.unmatched.empty and (found.frame["member_id"] == 1).sum() == 3
    assert filled.audit("member_alias")["operator"].tolist() == ["张三"]
    with pytest.raises(MemberError) as caught:
        set_alias(filled, "李华", "陈明")  # another member's own name
    assert caught.value.code == "member.alias_invalid"
    with pytest.raises(MemberError) as caught:
        set_alias(filled, "陈委员", "李华")
    assert caught.value.code == "member.alias_taken"


def test_a_voided_response_or_duty_stops_counting(filled):
    before = activities(filled, 2026).frame
    filled.set_status(1, "void", operator="张三")
    void_activity(filled, 1, operator="张三", reason="重复录入")
    after = activities(filled, 2026).frame
    assert set(before["activity_id"]) - set(after["activity_id"]) == {"R1", "A1"}
    with pytest.raises(MemberError) as caught:
        void_activity(filled, 1)
    assert caught.value.code == "member.activity_unknown"


def test_staff_entries_are_refused_with_messages_and_nothing_written(filled):
    count = len(filled.audit("member_activity"))
    cases = [
        (dict(kind="接待日", date="2026-06-01", members=["赵六"]), "member.unknown"),
        (dict(kind="接待日", date="2026-06-01", members=["王芳"]), "member.ambiguous"),
        (dict(kind="开会", date="2026-06-01", members=["李华"]), "member.kind_unknown"),
        (dict(kind="视察", date="6月1日", members=["李华"]), "member.date_invalid"),
        (dict(kind="视察", date="2026-06-01", members=[]), "member.no_members"),
    ]
    for kwargs, code in cases:
        with pytest.raises(MemberError) as caught:
            record_activity(filled, **kwargs)
        assert caught.value.code == code, kwargs
    assert "“W-03”、“W-04”" in str(
        MemberError("member.ambiguous", name="王芳", count=2, codes=["W-03", "W-04"], example="W-03")
    )
    assert len(filled.audit("member_activity")) == count


def rules_file(tmp_path, text: str, name: str = "r.yaml"):
    """``text`` written as a rules file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused_rules(path, text: str | None = None) -> MemberError:
    """The error ``load_rules`` raises on the rules file ``path`` (first rewritten to ``text``, if given)."""
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(MemberError) as caught:
        load_rules(path)
    return caught.value


def test_points_follow_the_rules_with_caps_and_multipliers(tmp_path, filled):
    rules_path = rules_file(
        tmp_path,
        "name: 测试规则\ncap_period: year\nkinds:\n  走访: {points: 2, cap: 3}\n  收集意见: 0.5\n"
        "  接待日: {points: 3, multiplier: 2}\n",
        "规则.yaml",
    )
    found = activities(filled, 2026)
    table = score(found.frame, load_rules(rules_path))
    assert len(table) == len(found.frame)  # every activity of every member has its row
    chen = table[table["member_id"] == 1]
    assert chen["points"].tolist() == [2.0, 1.0]  # the cap of 3 leaves 1 for the second visit
    assert "达到2026年上限 3 分，只计 1 分" in chen["rule"].iloc[1]
    totals = table.groupby("member_id")["points"].sum().to_dict()
    assert totals == {1: 3.0, 2: 2.0 + 0.5 + 6.0, 3: 0.5, 4: 6.0}
    # same rules -> the same table; other rules -> other totals
    assert score(found.frame, load_rules(rules_path)).equals(table)
    other = score(found.frame, load_rules())
    assert other.groupby("member_id")["points"].sum().to_dict() != totals


def test_a_kind_the_rules_do_not_list_earns_nothing_and_says_so(tmp_path, filled):
    table = score(activities(filled, 2026).frame, load_rules(rules_file(tmp_path, "kinds:\n  走访: 1\n")))
    unlisted = table[table["kind"] != "走访"]
    assert (unlisted["points"] == 0).all() and set(unlisted["rule"]) == {"计分规则未列这一类型，不计分"}


def test_a_bad_rules_file_names_every_problem(tmp_path):
    path = rules_file(
        tmp_path,
        "cap_period: week\nweights: 1\nkinds:\n  走访: {points: -1}\n  视察: {points: 2, cap: 0, bonus: 1}\n"
        "  调研: {points: 1, multiplier: 0}\n",
        "坏规则.yaml",
    )
    err = refused_rules(path)
    codes = [p.code for p in err.problems]
    assert err.code == "member.rules_has_errors"
    assert sorted(codes) == sorted(
        [
            "member.rules_key_unknown",
            "member.rules_period",
            "member.rules_points",
            "member.rules_cap",
            "member.rules_key_unknown",
            "member.rules_multiplier",
        ]
    )
    assert "kinds › 视察 › cap" in str(err)
    assert "应为键值对" in str(refused_rules(path, "kinds: [走访]\n"))
    assert refused_rules(path, "kinds:\n  走访: {points: 1\n").code == "member.rules_unreadable"


def test_the_bundled_rules_load_and_count_an_adopted_opinion_double():
    rules = load_rules()
    assert rules.kinds["被采用"].multiplier == 2 and rules.cap_period == "year" and len(rules.sha256) == 64


def test_without_the_opinion_stage_the_archive_notes_it(filled, monkeypatch):
    monkeypatch.setitem(sys.modules, "toolkit.opinion", None)  # as on an install without the opinion stage
    found = activities(filled, 2026)
    assert any("社情民意" in note for note in found.notes) and len(found.frame)


def test_opinion_reports_count_for_their_authors(filled, tmp_path):
    opinion = pytest.importorskip("toolkit.opinion")
    draft = opinion.draft_report(
        filled,
        blank_draft=True,
        title="关于下塘村路灯维修的建议",
        member="陈明",
        out=tmp_path / "sq",
        date="2026-03-05",
    )
    opinion.track(filled, draft.id, "报送", "2026-03-06")
    opinion.track(filled, draft.id, "采用", "2026-03-20")
    found = activities(filled, 2026)
    mine = found.frame[found.frame["activity_id"].str.startswith("O")]
    assert mine[["member_id", "kind", "date"]].values.tolist() == [
        [1, "撰写社情民意", "2026-03-05"],
        [1, "被采用", "2026-03-20"],
    ]
    table = score(found.frame, load_rules())
    adopted = table[table["kind"] == "被采用"].iloc[0]
    assert adopted["points"] == 6.0 and "× 2" in adopted["rule"]


def test_rules_with_yaml_aliases_are_refused(tmp_path):
    err = refused_rules(
        rules_file(tmp_path, "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nname: *b\nkinds:\n  走访: 1\n", "炸弹.yaml")
    )
    assert err.code == "member.rules_unreadable" and "第 2 行" in str(err)


def test_the_entry_panel_records_a_duty_and_shows_a_refusal(filled):
    pytest.importorskip("ipywidgets")
    import datetime as dt

    from toolkit.member import activity_widget

    box = activity_widget(filled, operator="张三", today=dt.date(2026, 8, 1))
    box.button.click()  # nobody picked: refused in the panel, nothing written
    assert "没有给出委员" in box.status.value and box.recorded == []
    box.kind.value, box.members.value, box.note.value = "视察", ("陈明", "W-04"), "视察河道"
    box.button.click()
    assert len(box.recorded) == 1 and "已记录" in box.status.value
    found = activities(filled, 2026).frame
    mine = found[found["activity_id"] == f"A{box.recorded[0]}"]
    assert sorted(mine["member_id"]) == [1, 4] and set(mine["kind"]) == {"视察"} and set(mine["date"]) == {"2026-08-01"}
    assert filled.audit("member_activity")["operator"].tolist()[-1] == "张三"


def test_rules_with_non_numbers_where_numbers_belong_are_refused_in_words(tmp_path):
    text = "cap_period: [year]\nkinds:\n  走访: {points: .inf}\n  视察: {points: 1, cap: .nan}\n"
    err = refused_rules(rules_file(tmp_path, text))  # a MemberError: not a TypeError, nor an endless or unknowable cap
    assert sorted(p.code for p in err.problems) == [
        "member.rules_cap",
        "member.rules_period",
        "member.rules_points",
    ]


def test_a_duty_dated_after_today_is_refused(filled):
    import datetime as dt

    count = len(filled.audit("member_activity"))
    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(MemberError) as caught:
        record_activity(filled, kind="协商会", date=later, members=["李华"])
    assert caught.value.code == "member.date_future" and later in str(caught.value)
    assert len(filled.audit("member_activity")) == count


def test_an_alias_too_long_or_written_with_other_spaces_is_refused(filled):
    set_alias(filled, "华委员", "李华")
    with pytest.raises(MemberError) as caught:  # the same alias as records match it: it points to 李华 already
        set_alias(filled, "华 委员", "陈明")
    assert caught.value.code == "member.alias_taken"
    with pytest.raises(MemberError) as caught:
        set_alias(filled, "委" * 65, "陈明")
    assert caught.value.code == "member.too_long"


def test_an_opinion_author_written_with_a_space_is_the_member(filled, tmp_path):
    opinion = pytest.importorskip("toolkit.opinion")
    draft = opinion.draft_report(
        filled, blank_draft=True, title="关于停车的建议", member="李 华", out=tmp_path / "sq", date="2026-03-05"
    )
    found = activities(filled, 2026)
    mine = found.frame[found.frame["activity_id"] == f"O{draft.id}-撰写社情民意"]
    assert mine["member_id"].tolist() == [2] and found.unmatched["name"].tolist() == ["陈委员"]


def test_a_duty_voided_twice_at_once_is_voided_and_audited_once(filled):
    import threading

    from sqlalchemy import update

    from toolkit.store import schema

    t = schema.member_activities
    outcome = []

    def second():
        try:
            void_activity(filled, 1, operator=None)
            outcome.append("voided")
        except MemberError as err:
            outcome.append(err.code)

    worker = threading.Thread(target=second)
    with filled.transaction() as c:  # someone voiding A1 right now, not yet committed
        c.execute(update(t).where(t.c.id == 1).values(status="void"))
        worker.start()
        worker.join(1.0)
    worker.join(30)
    assert outcome == ["member.activity_unknown"]


def test_a_kind_written_twice_in_the_rules_is_refused(tmp_path):
    # YAML keeps the last of two equal keys without a word: the points would not be those staff read first
    err = refused_rules(rules_file(tmp_path, "kinds:\n  走访: 2\n  视察: 1\n  走访: {points: 5}\n"))
    assert err.code == "member.rules_unreadable" and "第 4 行：'走访' 与第 2 行重复" in str(err)
