"""The store on both backends (SQLite, a real PostgreSQL server): the same behaviour, ids from the INSERT,
migrations that a race cannot break, UTC stamps (old stores converted), passwords never printed, Chinese
messages for a server that is down, refuses the login or lacks the database, and the db commands
(init, upgrade, info, backup, restore)."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from toolkit.cli import main
from toolkit.forms import load_form
from toolkit.sample import generate_responses, write_export
from toolkit.store import SerialTaken, StaleEdit, StoreError, display, open_store, schema
from toolkit.store.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
ANNUAL = ROOT / "surveys" / "annual_topics.yaml"


@pytest.fixture
def annual():
    return load_form(ANNUAL)


def test_ids_come_back_in_the_records_order(any_store, annual):
    records = generate_responses(annual, 30, seed=3)
    ids = any_store.add_responses(annual, records, source="sample", operator="张三")
    assert len(ids) == 30 and ids == sorted(ids)
    for rid, rec in zip(ids, records):
        assert any_store.response(rid)["answers"] == rec["answers"]
    more = any_store.add_responses(annual, generate_responses(annual, 5, seed=4), source="sample")
    assert min(more) > max(ids)
    assert any_store.counts("annual_topics")["responses"] == 35


def test_stamps_are_utc_with_their_offset(any_store, annual):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rid = any_store.add_responses(annual, generate_responses(annual, 1), source="entry", operator="张三")[0]
    stored = any_store.response(rid)
    for key in ("created_at", "updated_at"):
        when = dt.datetime.fromisoformat(stored[key])
        assert when.utcoffset() == dt.timedelta(0) and before <= when <= dt.datetime.now(dt.UTC)
    assert any_store.audit("form")["at"].str.endswith("+00:00").all()


def test_one_active_entered_response_per_serial(any_store, annual):
    rec = {**generate_responses(annual, 1, seed=5)[0], "serial": "XS-2026-0042"}
    first = any_store.add_responses(annual, [rec], source="entry", operator="张三")[0]
    with pytest.raises(SerialTaken) as err:
        any_store.add_responses(annual, [rec], source="entry", operator="李四")
    assert err.value.code == "store.serial_taken" and err.value.context["response_id"] == first
    assert "张三" in str(err.value) and "修改：" in str(err.value)
    # voided, the number is free again; imports are not held to it (their duplicates are flagged instead)
    any_store.set_status(first, "void", operator="张三", reason="编号错误")
    again = any_store.add_responses(annual, [rec], source="entry", operator="李四")[0]
    assert any_store.response(again)["serial"] == rec["serial"]
    any_store.add_responses(annual, [rec], source="sample")


def test_corrections_carry_their_revision(any_store, annual):
    rec = generate_responses(annual, 1, seed=6)[0]
    rid = any_store.add_responses(annual, [rec], source="entry", operator="张三")[0]
    loaded = any_store.response(rid)
    assert loaded["revision"] == 1
    changed = {**loaded["answers"], "community": "东湖社区"}
    assert any_store.update_response(rid, changed, operator="李四", revision=1) == 2
    with pytest.raises(StaleEdit) as err:
        any_store.update_response(rid, {**loaded["answers"], "community": "西山社区"}, operator="王五", revision=1)
    assert err.value.context["theirs"] == 2 and "“东湖社区”" in str(err.value) and "“西山社区”" in str(err.value)
    assert any_store.response(rid)["answers"]["community"] == "东湖社区"
    assert len(any_store.audit("response", rid)) == 1  # the refused save left no trace


def _open(url):
    return open_store(url).applied_migrations


def test_stores_opened_at_once_migrate_once(db_url):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        applied = pool.map(_open, [db_url] * 4)
    assert sorted(len(a) for a in applied)[-1] == len(MIGRATIONS)  # someone migrated, the others found it done
    assert sum(len(a) for a in applied) == len(MIGRATIONS)
    store = open_store(db_url)
    assert store.pending_migrations() == []
    with store.engine.connect() as c:
        assert c.execute(schema.schema_migrations.select()).all().__len__() == len(MIGRATIONS)


def test_an_old_sqlite_store_is_upgraded_with_the_same_instants(tmp_path, annual):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as c:  # the store as the previous release left it: three migrations, local stamps
        schema.schema_migrations.create(c)
        for mig_id, description, func in MIGRATIONS[:3]:
            func(c)
            c.execute(
                schema.schema_migrations.insert().values(
                    id=mig_id, description=description, applied_at="2026-01-02T03:04:05"
                )
            )
        c.exec_driver_sql("ALTER TABLE responses DROP COLUMN revision")
        c.execute(
            schema.forms.insert().values(
                form_id="annual_topics",
                version=1,
                label=annual.version,
                title=annual.title,
                fingerprint=annual.fingerprint,
                definition=json.dumps(annual.to_dict(), ensure_ascii=False),
                created_at="2026-05-01 08:00:00",
            )
        )
        for serial in ("A-1", "A-1", "B-2"):  # entered twice before the index existed
            c.exec_driver_sql(
                "INSERT INTO responses (form_id, form_version, serial, source, answers, status, created_at, updated_at) "
                f"VALUES ('annual_topics', 1, '{serial}', 'entry', '{{\"serial\": \"{serial}\"}}', 'active', "
                "'2026-05-01 08:30:00', '2026-05-01 08:30:00')"
            )
    engine.dispose()
    store = open_store(path)
    assert store.applied_migrations[:4] == ["0004_concurrency", "0005_utc", "0006_keys", "0007_operators"]
    assert "0009_members" in store.applied_migrations  # later stages' tables are created as well
    assert "0010_login_lockout" in store.applied_migrations  # the lockout columns of operators
    # the duplicate-check index was filled from the stored answers
    assert len(store.duplicate_candidates(annual, [{"serial": "A-1"}])) == 2
    expected = dt.datetime.fromisoformat("2026-05-01 08:30:00").astimezone(dt.UTC)
    frame = store.responses("annual_topics")
    assert len(frame) == 3  # the old duplicates are kept (for staff to void), not lost
    assert {dt.datetime.fromisoformat(v) for v in frame["created_at"]} == {expected}
    assert store.response(1)["revision"] == 1
    rec = {"answers": {}, "serial": "B-2"}
    with pytest.raises(SerialTaken):  # new entries are held to one per number
        store.add_responses(annual, [rec], source="entry")


def test_passwords_are_never_shown():
    url = "postgresql+psycopg://录入:Pa55-w0rd@db.example:5433/调研?sslmode=require"
    shown = display(url)
    assert "Pa55-w0rd" not in shown and "***" in shown and "db.example:5433" in shown and "sslmode=require" in shown
    assert display("data/调研.db") == "data/调研.db"
    assert "Pa55" not in display("postgresql://u:Pa55@[::1")  # not even a URL SQLAlchemy can read


def _pg_admin():
    from tests.conftest import _pg_admin_url

    return make_url(_pg_admin_url())


def test_server_trouble_is_said_in_chinese_without_the_password(db_url, capsys):
    if not db_url.startswith("postgresql"):
        pytest.skip("a server's errors")
    url = make_url(db_url).set(password="Top-Secret-1")
    down = url.update_query_dict({"port": "1"}) if "host" in url.query else url.set(port=1)
    missing = url.set(database="no_such_database_here")
    for target, code in ((down, "store.server_unreachable"), (missing, "store.server_no_database")):
        text = target.render_as_string(hide_password=False)
        with pytest.raises(StoreError) as err:
            open_store(text)
        assert err.value.code == code and "Top-Secret-1" not in str(err.value) and "修改：" in str(err.value)
        assert main(["db", "info", "--db", text]) == 1
        out = capsys.readouterr()
        assert "Top-Secret-1" not in out.out + out.err and "Traceback" not in out.err and "***" in out.err


def test_a_refused_login_is_said_as_such(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("a server's errors")
    import uuid

    role = f"wdy_role_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_admin(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'right-one'")
    try:
        wrong = make_url(db_url).set(username=role, password="wrong-one").render_as_string(hide_password=False)
        try:
            open_store(wrong).close()
        except StoreError as err:
            assert err.code == "store.server_auth" and "wrong-one" not in str(err) and "PGPASSWORD" in str(err)
        else:
            pytest.skip("this server lets every local user in without a password (trust)")
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP OWNED BY {role}; DROP ROLE {role}")
        admin.dispose()


def test_missing_driver_and_bad_url_are_plain_errors():
    with pytest.raises(StoreError) as err:
        open_store("mysql://u:Hidden-9@host/db")
    assert err.value.code == "store.no_driver" and "Hidden-9" not in str(err.value)


def test_db_commands_on_each_backend(db_url, tmp_path, annual, capsys, monkeypatch):
    monkeypatch.setenv("WDY_TEST_URL", db_url)
    assert main(["db", "init", "--db-env", "WDY_TEST_URL"]) == 0
    assert "已建好数据库" in capsys.readouterr().out
    assert main(["db", "init", "--db", db_url]) == 0
    assert "已经建好" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "已是最新" in capsys.readouterr().out
    # some data, then a backup, a restore into an empty database, the same data there
    export = write_export(annual, generate_responses(annual, 25, seed=9), tmp_path / "wjx.csv", "wjx", by="code")
    assert (
        main(
            [
                "ingest",
                str(export),
                "--form",
                str(ANNUAL),
                "--db-env",
                "WDY_TEST_URL",
                "--report",
                str(tmp_path / "r.xlsx"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert main(["db", "info", "--db-env", "WDY_TEST_URL"]) == 0
    info = capsys.readouterr().out
    assert "有效答卷 25 份" in info
    dump = tmp_path / "backup" / ("b.db" if db_url.endswith(".db") else "b.dump")
    assert main(["db", "backup", str(dump), "--db", db_url]) == 0 and dump.is_file()
    capsys.readouterr()
    target = _empty_target(db_url, tmp_path)
    assert main(["db", "restore", str(dump), "--db", target]) == 0
    assert "有效答卷 25 份" in capsys.readouterr().out
    restored = open_store(target)
    original = open_store(db_url)
    assert restored.responses("annual_topics").equals(original.responses("annual_topics"))
    assert restored.batches().equals(original.batches())
    # restoring over data is refused unless asked for
    assert main(["db", "restore", str(dump), "--db", target]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["db", "restore", str(dump), "--db", target, "--replace"]) == 0
    assert len(open_store(target).responses("annual_topics")) == 25
    assert out  # the import printed its report


def _empty_target(db_url: str, tmp_path) -> str:
    if not db_url.startswith("postgresql"):
        return str(tmp_path / "restored.db")
    name = make_url(db_url).database + "_r"
    admin = create_engine(_pg_admin(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(db_url).set(database=name).render_as_string(hide_password=False)


def test_db_env_names_a_variable_that_must_be_set(capsys, monkeypatch):
    monkeypatch.delenv("WDY_NOT_SET", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["db", "info", "--db-env", "WDY_NOT_SET"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "WDY_NOT_SET" in err and "环境变量" in err and "Traceback" not in err


def test_a_sqlite_backup_is_a_whole_database(tmp_path, annual):
    store = open_store(tmp_path / "a.db")
    store.add_responses(annual, generate_responses(annual, 10), source="sample")
    main(["db", "backup", str(tmp_path / "copy.db"), "--db", str(tmp_path / "a.db")])
    with sqlite3.connect(tmp_path / "copy.db") as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT count(*) FROM responses").fetchone()[0] == 10


def test_duplicate_candidates_flag_what_a_full_scan_flags(any_store, annual):
    from toolkit.ingest.duplicates import FLAG_RESPONDENT, FLAG_SAME_ANSWERS, flag_duplicates

    old = generate_responses(annual, 150, seed=11)
    for i, r in enumerate(old):
        r["raw"] = {"来自IP": f"10.0.0.{i % 7}(上海-上海)"}
    any_store.add_responses(annual, old, source="wjx")
    new = generate_responses(annual, 60, seed=12)
    answers = [r["answers"] for r in new] + [old[i]["answers"] for i in range(0, 30, 3)]  # ten sent again
    submitted = [r["submitted_at"] for r in new] + [old[i]["submitted_at"] for i in range(0, 30, 3)]
    ips = [f"10.0.0.{i % 7}" for i in range(len(new))] + [f"10.0.0.{i % 7}" for i in range(0, 30, 3)]
    respondent = [None] * len(answers)
    full = flag_duplicates(annual, answers, respondent, ips, submitted, any_store.answers_times_raw("annual_topics"))
    candidates = any_store.duplicate_candidates(annual, answers)
    assert flag_duplicates(annual, answers, respondent, ips, submitted, candidates) == full
    assert sum(FLAG_SAME_ANSWERS in f for f in full) == 10 and any(FLAG_RESPONDENT in f for f in full)
    assert len(candidates) < 150 / 2  # only the responses that may match were read
