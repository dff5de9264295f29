"""The opinion stage's tracking: the state machine, one audited transaction per step, refusals that write
nothing, overdue items, 协商选题 and 协商意见, evidence and the member activities — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from toolkit.opinion import OpinionError, add_proposal, item, items, member_activities, set_meeting, track
from toolkit.opinion.records import create_item, create_topic, evidence_frame
from toolkit.opinion.states import allowed_next, check_step, clean_answer, parse_date
from toolkit.store import schema

EVIDENCE = [
    {
        "message_id": "M1",
        "issue_id": 3,
        "text": "小区门口没有红绿灯，电话13812345678",
        "time": "2026-03-01",
        "district": "青石镇",
    },
    {"message_id": "M2", "issue_id": 3, "text": "孩子上学过马路太危险", "time": "2026-03-05", "district": "青石镇"},
]


def _report(store, member="张三", date="2026-04-01", **kw) -> int:
    return create_item(
        store,
        kind="report",
        title="关于青石镇学校门口交通安全问题的建议",
        body={"situation": ["…"], "problems": ["…"], "suggestions": ["…"]},
        chars=200,
        date=date,
        member=member,
        issue_ids=[3],
        issue_label="青石镇：红绿灯",
        message_ids=["M1", "M2"],
        evidence=EVIDENCE,
        **kw,
    )


def _snapshot(store) -> dict:
    tables = (schema.opinion_items, schema.opinion_steps, schema.opinion_evidence, schema.audit_log)
    with store.engine.connect() as c:
        return {t.name: c.execute(select(t).order_by(t.c.id)).all() for t in tables}


# ---- the state machine ---------------------------------------------------------------------------------
def test_order_with_optional_and_repeated_steps():
    assert allowed_next([]) == ["起草"]
    assert allowed_next(["起草"]) == ["报送"]
    assert allowed_next(["起草", "报送"]) == ["采用", "批示", "交办"]
    assert allowed_next(["起草", "报送", "采用"]) == ["批示", "交办"]
    assert allowed_next(["起草", "报送", "批示"]) == ["批示", "交办"]  # several leaders may instruct
    assert allowed_next(["起草", "报送", "交办"]) == ["答复"]
    assert allowed_next(["起草", "报送", "交办", "答复"]) == ["反馈", "问效"]
    assert allowed_next(["起草", "报送", "交办", "答复", "反馈", "办结"]) == ["问效"]
    assert allowed_next(["起草", "报送", "交办", "答复", "问效"]) == ["反馈", "问效"]  # 问效 leaves the state


@pytest.mark.parametrize(
    ("states", "state", "kw", "code"),
    [
        (["起草"], "交办", {}, "opinion.step_skipped"),
        (["起草", "报送", "交办"], "反馈", {}, "opinion.step_skipped"),
        (["起草", "报送", "交办"], "采用", {}, "opinion.step_backwards"),
        (["起草", "报送"], "报送", {}, "opinion.step_backwards"),
        (["起草", "报送"], "问效", {}, "opinion.follow_up_early"),
        (["起草", "报送"], "办理", {}, "opinion.state_unknown"),
        (["起草", "报送", "交办"], "答复", {}, "opinion.answer_missing"),
        (["起草", "报送"], "交办", {"answer": "A"}, "opinion.answer_not_here"),
        (["起草"], "报送", {"deadline": "2026-06-01"}, "opinion.deadline_not_here"),
        (["起草", "报送"], "交办", {"deadline": "2026-04-01"}, "opinion.deadline_before"),
        (["起草"], "报送", {"date": "2026-04-30"}, "opinion.date_before"),
        (["起草"], "报送", {"today": "2026-05-01"}, "opinion.date_future"),
    ],
)
def test_refusals_have_codes(states, state, kw, code):
    date = kw.pop("date", "2026-05-02")
    with pytest.raises(OpinionError) as err:
        check_step(states, state, date, "2026-05-01", item="社情民意信息 #1", **kw)
    assert err.value.code == code
    assert "修改：" in str(err.value)


def test_dates_and_answers_are_read_as_people_write_them():
    assert parse_date("2026/5/8") == parse_date("2026年5月8日") == parse_date("2026.05.08") == "2026-05-08"
    for bad in ("2026-13-01", "明天", "", "20260508x"):
        with pytest.raises(OpinionError) as err:
            parse_date(bad)
        assert err.value.code == "opinion.date_invalid"
    assert clean_answer("b") == clean_answer("Ｂ") == clean_answer("B 列入计划") == "B"
    assert clean_answer("") is None
    with pytest.raises(OpinionError, match="A、B、C"):
        clean_answer("D")


# ---- the store -----------------------------------------------------------------------------------------
def test_each_step_is_one_audited_transaction(store):
    rid = _report(store)
    track(store, rid, "报送", "2026-04-03", by="区政协办公室", operator="王敏")
    track(store, rid, "批示", "2026-04-10", by="区委书记")
    track(store, rid, "交办", "2026-04-12", by="区交通运输局", deadline="2026-05-31")
    step = track(store, rid, "答复", "2026-05-20", answer="a", by="区交通运输局")
    assert step["answer"] == "A" and step["seq"] == 5
    got = item(store, rid)
    assert got["state"] == "答复" and [s["state"] for s in got["steps"]] == ["起草", "报送", "批示", "交办", "答复"]
    assert got["steps"][1]["actor"] == "区政协办公室" and got["steps"][1]["operator"] == "王敏"
    audit = store.audit(entity="opinion_item", entity_id=rid)
    assert audit["action"].tolist() == ["create", "track", "track", "track", "track"]
    assert '"state": "报送"' in audit["after"].iloc[1] and audit["operator"].iloc[1] == "王敏"


def test_a_refused_step_writes_nothing(store):
    rid = _report(store)
    track(store, rid, "报送", "2026-04-03")
    before = _snapshot(store)
    for state, date, kw in [
        ("交办", "2026-04-01", {}),  # earlier than 报送
        ("答复", "2026-04-05", {"answer": "A"}),  # 交办 skipped
        ("采用", "2026-04-05", {"answer": "A"}),  # an answer on 采用
        ("交办", "2026-04-05", {"deadline": "2026-04-04"}),
        ("交办", "2999-01-01", {}),  # in the future
    ]:
        with pytest.raises(OpinionError):
            track(store, rid, state, date, **kw)
    with pytest.raises(OpinionError) as err:
        track(store, 999, "报送", "2026-04-05")
    assert err.value.code == "opinion.item_unknown"
    with pytest.raises(OpinionError):
        track(store, "abc", "报送", "2026-04-05")
    assert _snapshot(store) == before


def test_overdue_assignments_and_follow_ups(store):
    late = _report(store, member="张三")
    track(store, late, "报送", "2026-04-03")
    track(store, late, "交办", "2026-04-05", by="区住建局", deadline="2026-05-31")
    answered = _report(store, member="李四")
    track(store, answered, "报送", "2026-04-03")
    track(store, answered, "交办", "2026-04-05", deadline="2026-05-31")
    track(store, answered, "答复", "2026-05-20", answer="B", deadline="2026-09-30")  # 列入计划: check in autumn
    frame = items(store, today_is="2026-06-01").set_index("id")
    assert frame.loc[late, "overdue"] and "2026-05-31" in frame.loc[late, "overdue_reason"]
    assert not frame.loc[answered, "overdue"] and frame.loc[answered, "follow_up"] == "2026-09-30"
    assert not items(store, today_is="2026-05-31").set_index("id").loc[late, "overdue"]  # due that day: not late yet
    autumn = items(store, today_is="2026-09-30").set_index("id")
    assert autumn.loc[answered, "overdue"] and "问效" in autumn.loc[answered, "overdue_reason"]
    track(store, answered, "问效", "2026-09-30", note="停车场已开工")
    assert not items(store, today_is="2026-10-01").set_index("id").loc[answered, "overdue"]


def test_topic_meeting_and_proposals_are_tracked_like_reports(store):
    tid = create_topic(
        store, year=2026, title="学校门口交通安全", issue_ids=[3], message_ids=["M1", "M2"], evidence=EVIDENCE
    )
    set_meeting(store, tid, "2026-06-15", note="青石镇政府")
    pid = add_proposal(store, tid, "在学校门口增设信号灯", department="区交通运输局")
    got = item(store, pid)
    assert got["kind"] == "proposal" and got["topic_id"] == tid and got["steps"][0]["date"] == "2026-06-15"
    assert got["message_ids"] == ["M1", "M2"]
    track(store, pid, "报送", "2026-06-20")
    track(store, pid, "交办", "2026-06-25", by="区交通运输局", deadline="2026-08-31")
    assert items(store, today_is="2026-09-01").set_index("id").loc[pid, "overdue"]
    # its evidence is the topic's letters
    assert evidence_frame(store, pid)["message_id"].tolist() == ["M1", "M2"]
    with pytest.raises(OpinionError) as err:
        add_proposal(store, 42, "不存在的选题")
    assert err.value.code == "opinion.topic_unknown"


def test_evidence_is_kept_masked_and_by_message_id(store):
    from toolkit.opinion import evidence_table

    rid = _report(store)
    table = evidence_table(store, rid)
    assert table["留言编号"].tolist() == ["M1", "M2"]
    assert "13812345678" not in "".join(table["留言内容"]) and "[手机号]" in table["留言内容"].iloc[0]
    with store.engine.connect() as c:
        linked = c.execute(
            select(func.count())
            .select_from(schema.opinion_evidence)
            .where(schema.opinion_evidence.c.message_id == "M1")
        ).scalar()
    assert linked == 1  # from a letter back to what it led to


def test_member_activities(store):
    first = _report(store, member="张三、李四", date="2025-12-20")
    track(store, first, "报送", "2026-01-05")
    track(store, first, "采用", "2026-01-10")
    track(store, first, "批示", "2026-01-12", by="区长")
    track(store, first, "批示", "2026-01-15", by="区委书记")
    _report(store, member=None, date="2026-02-01")  # no 反映人: nobody's activity
    tid = create_topic(store, year=2026, title="选题")
    pid = add_proposal(store, tid, "协商意见", date="2026-03-01")
    track(store, pid, "报送", "2026-03-02")
    track(store, pid, "采用", "2026-03-03")  # the committee's, not a member's
    frame = member_activities(store)
    assert list(frame.columns) == ["member", "kind", "date", "source", "report_id"]
    assert sorted(frame["kind"].value_counts().items()) == [("撰写社情民意", 2), ("获批示", 4), ("被采用", 2)]
    assert set(frame["member"]) == {"张三", "李四"} and set(frame["source"]) == {f"社情民意信息 #{first}"}
    this_year = member_activities(store, 2026)
    assert "撰写社情民意" not in set(this_year["kind"]) and len(this_year) == 6


def test_the_migration_is_recorded(store):
    from toolkit.store.migrations import MIGRATIONS

    assert "0008_opinion" in [m[0] for m in MIGRATIONS]
    with store.engine.connect() as c:
        done = {r[0] for r in c.execute(select(schema.schema_migrations.c.id))}
    assert "0008_opinion" in done


def test_two_people_recording_the_same_step_at_once(store):
    import threading

    rid = _report(store)
    barrier, results = threading.Barrier(2), []

    def record(who):
        barrier.wait()
        try:
            results.append(track(store, rid, "报送", "2026-04-03", by=who)["seq"])
        except OpinionError as err:
            results.append(err.code)

    threads = [threading.Thread(target=record, args=(who,)) for who in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == ["2", "opinion.step_backwards"]
    assert [s["state"] for s in item(store, rid)["steps"]] == ["起草", "报送"]


def test_a_draft_dated_after_today_is_refused_as_no_step_could_follow_it(store):
    import datetime as dt

    before = _snapshot(store)
    later = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(OpinionError) as err:
        _report(store, date=later)
    assert err.value.code == "opinion.date_future"
    assert _snapshot(store) == before


def test_an_id_typed_another_way_waits_for_the_same_lock(store):
    # "07" and 7 are one item: a step recorded under one must wait for a step being recorded under the other,
    # or both would read one step and write step 2
    import threading

    from toolkit.store import lock

    rid = _report(store)
    done = threading.Event()

    def record():
        track(store, f" 0{rid}", "报送", "2026-04-03")
        done.set()

    worker = threading.Thread(target=record)
    with store.transaction() as c:
        lock(c, "opinion", str(rid))  # as track(store, rid, …) holds it while it records
        worker.start()
        assert not done.wait(1.0)
    worker.join(30)
    assert done.is_set() and [s["state"] for s in item(store, rid)["steps"]] == ["起草", "报送"]


def test_a_member_written_with_a_space_stays_one_name(store):
    _report(store, member="王 芳、李四", date="2026-02-01")
    assert member_activities(store)["member"].tolist() == ["李四", "王 芳"]
