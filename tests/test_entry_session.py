"""Entry session: typed codes, drafts that survive a restart, today's count, correct and void with audit,
and responses stored under an older form version (renamed questions mapped, not lost)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import VISIT

from toolkit.entry import EntryError, EntrySession
from toolkit.entry.codes import answers_from_typed, typed_from_answers
from toolkit.forms import load_form
from toolkit.forms.versions import describe_changes
from toolkit.store import open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def visit(tmp_path):
    return load_form(ROOT / "surveys" / "visit_record.yaml"), open_store(tmp_path / "e.db")


def test_codes_map_to_answers_and_back(visit):
    form, _ = visit
    answers = answers_from_typed(form, VISIT)
    assert answers["member_sector"] == "minmeng" and answers["visit_date"] == "2026-04-12"
    assert answers["people_met"] == ["residents", "elderly", "other"] and answers["people_met_other"] == "村医"
    assert answers["urgency"] == "2"
    typed = typed_from_answers(form, answers)
    assert typed["people_met"] == "1 5 8" and typed["member_sector"] == "3"
    assert answers_from_typed(form, typed) == answers


def test_failed_validation_keeps_every_value_and_the_draft(visit):
    form, store = visit
    session = EntrySession(form, store, "张三")
    bad = {**VISIT, "people_count": "0", "district": "11"}
    session.save_draft(bad)
    with pytest.raises(EntryError) as err:
        session.submit(bad)
    assert {p.question_id for p in err.value.problems} == {"people_count", "district"}
    assert err.value.code == "entry.has_problems" and err.value.context["count"] == 2
    assert "人数应在 1 到 5000 之间" in str(err.value)  # the form's own constraint message is shown
    # the kernel dies here; a new session for the same operator finds the typed form
    restored, correcting = EntrySession(form, open_store(store.path), "张三").load_draft()
    assert restored == bad and correcting is None
    assert EntrySession(form, store, "李四").load_draft() is None  # drafts are per operator


def test_save_count_correct_void_with_audit(visit):
    form, store = visit
    session = EntrySession(form, store, "张三")
    rid = session.submit(VISIT)
    assert session.load_draft() is None and session.count_today() == 1
    saved = store.response(rid)
    assert saved["operator"] == "张三" and saved["serial"] == "ZF-2026-015" and saved["source"] == "entry"
    typed = session.start_correction(rid)
    assert typed["people_count"] == "12"
    session.save_draft({**typed, "people_count": "15"})  # a correction in progress is a draft too
    assert session.load_draft()[1] == rid
    session.submit({**typed, "people_count": "15"}, reason="核对原件")
    assert store.response(rid)["answers"]["people_count"] == 15
    with pytest.raises(EntryError) as err:
        session.void(rid, "")
    assert err.value.code == "entry.void_reason_missing"
    session.void(rid, "重复录入")
    assert store.response(rid)["status"] == "void"
    assert session.recent()["status"].tolist() == ["void"]
    history = session.history(rid)
    assert history["action"].tolist() == ["update", "void"]
    assert history["reason"].tolist() == ["核对原件", "重复录入"]
    session.restore(rid)
    assert store.response(rid)["status"] == "active" and session.count_today() == 1


def test_operator_is_required(visit):
    form, store = visit
    with pytest.raises(EntryError) as err:
        EntrySession(form, store, "  ")
    assert err.value.code == "entry.operator_missing"
    assert (
        str(err.value) == "录入员：未填写录入员姓名（每份答卷都会记下录入员和时间）。修改：在“录入员”一栏写上您的名字。"
    )


def test_old_version_responses_follow_renamed_questions(visit):
    form, store = visit
    old_id = EntrySession(form, store, "张三").submit(VISIT)
    new = copy.deepcopy(form)
    q = new.question("people_met")
    q.id, q.renamed_from, q.label = "visitors", "people_met", "走访对象"
    assert describe_changes(form, new)[0] == "改名：people_met → visitors（旧答卷的答案自动对应到新题）"
    session = EntrySession(new, store, "张三")
    assert session.version == 2
    renamed = {k.replace("people_met", "visitors"): v for k, v in VISIT.items()}
    session.submit({**renamed, "serial": "ZF-2026-016"})
    df = store.responses("visit_record")
    assert df["form_version"].tolist() == [1, 2]
    assert df["visitors"].tolist() == [["residents", "elderly", "other"]] * 2
    assert df["visitors_other"].tolist() == ["村医", "村医"]
    assert "people_met" not in df.columns
    typed = session.start_correction(old_id)  # an old response opens in the new form
    assert typed["visitors"] == "1 5 8"


def _hold_lock(db):
    """Another program holding the write lock, as an import does: SQLite's own client, BEGIN EXCLUSIVE."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None, timeout=0)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


@pytest.mark.slow
def test_a_locked_database_keeps_the_draft_and_saves_it_once_free(visit):
    import time

    form, store = visit
    session = EntrySession(form, store, "张三")
    session.save_draft({"serial": "ZF-1"})
    drafts = store.path.with_name(store.path.name + ".drafts")
    lock = _hold_lock(store.path)
    try:
        started = time.monotonic()
        for serial in ("ZF-2026-0", "ZF-2026-01", "ZF-2026-015"):  # keystrokes while locked
            assert session.save_draft({**VISIT, "serial": serial}) is False
        # hang guard: typing must not wait out the store's 15 s busy timeout, once or per keystroke
        assert time.monotonic() - started < 5
        assert session.draft_problem.startswith("数据库正忙")
        assert len(list(drafts.glob("*.json"))) == 1  # kept beside the database too
        # the kernel dies here: a new session (new process) finds the latest typing
        assert EntrySession(form, open_store(store.path), "张三").load_draft() == (VISIT, None)
        started = time.monotonic()
        with pytest.raises(EntryError, match="数据库正忙.*答卷未保存，已录内容保留") as err:
            session.submit(VISIT)
        assert err.value.code == "entry.busy_save" and "稍等几秒再点“保存”" in str(err.value)
        assert time.monotonic() - started < 10 and not err.value.problems
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert store.responses("visit_record").empty  # nothing half-written
    assert session.retry_draft() is True and session.pending is None and session.draft_problem is None
    assert not list(drafts.glob("*.json"))
    # now in the database itself: a session that never saw the lock reads it from there
    assert EntrySession(form, open_store(store.path), "张三").load_draft() == (VISIT, None)
    rid = session.submit(VISIT)
    assert store.response(rid)["answers"]["serial"] == "ZF-2026-015"
    assert EntrySession(form, store, "张三").load_draft() is None


def test_clearing_while_locked_is_not_undone_by_the_stale_draft(visit):
    form, store = visit
    session = EntrySession(form, store, "张三")
    session.save_draft(VISIT)
    lock = _hold_lock(store.path)
    try:
        session.clear_draft()  # 清空本份 while an import runs
        assert EntrySession(form, open_store(store.path), "张三").load_draft() is None
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert session.retry_draft() is True
    assert EntrySession(form, open_store(store.path), "张三").load_draft() is None


@pytest.mark.slow
def test_starting_a_new_form_version_on_a_locked_database_says_so(visit):
    form, store = visit
    lock = _hold_lock(store.path)
    try:
        with pytest.raises(EntryError, match="数据库正忙.*暂时无法开始录入"):
            EntrySession(form, store, "张三")  # registering the form must write
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert EntrySession(form, store, "张三").version == 1


def test_reading_the_draft_while_another_program_has_the_database_to_itself_says_so(visit, monkeypatch):
    """A reader waits too when another program holds the file exclusively; the store then raises StoreBusy
    (by SQLite's error code), which the session must word like any busy database, not let escape."""
    import sqlite3

    monkeypatch.setenv("WEIDIAOYAN_BUSY_TIMEOUT", "0.5")
    form, store = visit
    session = EntrySession(form, store, "张三")
    assert session.save_draft(VISIT) is True
    for engine in (store.engine, session._writer.engine, session._draft_writer.engine):
        engine.dispose()  # this process's idle connections would keep the lock from being taken
    lock = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    lock.execute("PRAGMA locking_mode=EXCLUSIVE")
    lock.execute("BEGIN EXCLUSIVE")
    lock.execute("SELECT count(*) FROM entry_drafts").fetchone()
    try:
        with pytest.raises(EntryError, match="数据库正忙.*暂时读不到草稿"):
            session.load_draft()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert session.load_draft() == (VISIT, None)


def test_busy_is_told_by_error_code_not_by_message():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from toolkit.entry.busy import is_busy
    from toolkit.store.errors import StoreBusy

    def driver_error(code: int, text: str) -> OperationalError:
        orig = sqlite3.OperationalError(text)
        orig.sqlite_errorcode = code
        return OperationalError("stmt", {}, orig)

    assert is_busy(driver_error(5, "数据库被锁"))  # SQLITE_BUSY, whatever the text says
    assert is_busy(driver_error(6 | (1 << 8), "table is locked"))  # SQLITE_LOCKED_SHAREDCACHE
    assert not is_busy(driver_error(14, "unable to open: /srv/locked/busy.db"))  # a path with "locked" in it
    assert is_busy(StoreBusy("store.busy", db="x.db", seconds=5))
