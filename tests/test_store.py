import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit.store import StoreError, open_store

ROOT = Path(__file__).resolve().parents[1]


def _records(n, start=0):
    return [
        {
            "answers": {"sector": "education", "district": "donghu", "concern": f"第{i}条：路灯不亮"},
            "serial": f"DH-{i:04d}",
            "fingerprint": f"fp{i}",
        }
        for i in range(start, start + n)
    ]


def test_migrations_recorded_and_idempotent(tmp_path):
    s = open_store(tmp_path / "a.db")
    assert s.applied_migrations == ["0001_initial"] or "0001_initial" in s.applied_migrations
    s.close()
    again = open_store(tmp_path / "a.db")
    assert again.applied_migrations == []
    with sqlite3.connect(tmp_path / "a.db") as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {
        "forms",
        "responses",
        "batches",
        "rejected_rows",
        "audit_log",
        "curation_log",
        "schema_migrations",
    } <= tables


def test_form_versions_follow_content(store, annual_form):
    assert store.save_form(annual_form) == 1
    assert store.save_form(annual_form) == 1
    annual_form.questions[0].label = "问卷编号（新）"
    assert store.save_form(annual_form) == 2
    assert list(store.form_versions("annual_topics")["version"]) == [1, 2]
    assert store.get_form("annual_topics", 1).questions[0].label == "问卷编号"


def test_responses_frame_flattens(store, annual_form):
    ids = store.add_responses(
        annual_form,
        [
            {
                "answers": {
                    "sector": "education",
                    "concern_areas": ["traffic"],
                    "services": {"medical": "2"},
                    "concern": "看病难",
                }
            }
        ],
        source="entry",
        operator="王芳",
    )
    df = store.responses("annual_topics")
    row = df.iloc[0]
    assert row["response_id"] == ids[0] and row["operator"] == "王芳"
    assert row["concern_areas"] == ["traffic"] and row["services/medical"] == "2"
    assert list(df.columns[:3]) == ["response_id", "form_id", "form_version"]
    assert list(df.columns).count("serial") == 1  # the serial question and the meta column are one


def test_update_and_void_are_audited(store, annual_form):
    [rid] = store.add_responses(annual_form, _records(1), source="entry", operator="王芳")
    store.update_response(rid, {"sector": "health"}, operator="李审核", reason="核对原件")
    store.set_status(rid, "void", operator="李审核", reason="重复录入")
    assert store.responses("annual_topics").empty
    assert len(store.responses("annual_topics", include_void=True)) == 1
    log = store.audit("response", rid)
    assert list(log["action"]) == ["update", "void"]
    assert '"education"' in log["before"].iloc[0] and '"health"' in log["after"].iloc[0]


def test_duplicate_fingerprint_writes_nothing(store, annual_form):
    store.add_responses(annual_form, _records(3), source="sample")
    with pytest.raises(StoreError):
        store.add_responses(annual_form, _records(2, start=10) + _records(1), source="sample")
    assert len(store.responses("annual_topics")) == 3


def test_not_a_database(tmp_path):
    bad = tmp_path / "answers.db"
    bad.write_text("序号,提交答卷时间\n1,2026-01-01\n", encoding="utf-8")
    with pytest.raises(StoreError) as info:
        open_store(bad)
    assert "不是 SQLite 数据库文件" in str(info.value)


def test_curation_log_order(store):
    store.add_curation("run1", "rename", {"topic_id": 3, "label": "停车难"}, operator="张")
    store.add_curation("run1", "merge", {"topics": [3, 5]})
    assert [(c["seq"], c["action"]) for c in store.curation("run1")] == [(1, "rename"), (2, "merge")]
    store.remove_curation("run1", 1)
    assert [c["action"] for c in store.curation("run1")] == ["merge"]


WRITER = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from toolkit.forms import load_form
    from toolkit.store import open_store
    store = open_store(sys.argv[1])
    form = load_form(sys.argv[2])
    store.save_form(form)
    records = [{"answers": {"concern": f"第{i}条"}, "fingerprint": f"big{i}"} for i in range(200000)]
    # tell the parent we are inside the transaction, then keep writing until killed
    @event.listens_for(store.engine, "before_cursor_execute")
    def _ready(conn, cursor, statement, params, context, executemany):
        if executemany:
            print("writing", flush=True)
    while True:
        with store.transaction() as conn:
            store.add_responses(form, records, source="sample", conn=conn)
            time.sleep(30)   # hold the transaction open: the kill lands mid-transaction
""")


@pytest.mark.slow
def test_killed_writer_leaves_database_consistent(tmp_path, annual_form):
    db = tmp_path / "kill.db"
    store = open_store(db)
    store.add_responses(annual_form, _records(5), source="sample")
    store.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(ROOT / "surveys/annual_topics.yaml")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert con.execute("select count(*) from responses").fetchone()[0] == 5
    assert len(open_store(db).responses("annual_topics")) == 5
