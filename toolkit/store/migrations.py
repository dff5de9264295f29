"""Schema migrations, applied in id order when a store is opened.

The migrations a store lacks run once, in one transaction with their records in ``schema_migrations``,
so a store is never left half-migrated. Add new ones at the end with the next id; never
edit an applied one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from toolkit.store import schema

MIGRATION_LOCK = 0x77647977_6D696772  # PostgreSQL advisory lock key held while migrating ("wdyw" "migr")


def _initial(conn: Connection) -> None:
    tables = [
        schema.forms,
        schema.batches,
        schema.responses,
        schema.rejected_rows,
        schema.audit_log,
        schema.curation_log,
    ]
    schema.metadata.create_all(conn, tables=tables)


def _entry(conn: Connection) -> None:
    tables = [schema.entry_drafts, schema.second_entries, schema.entry_discrepancies]
    schema.metadata.create_all(conn, tables=tables)


def _ingest(conn: Connection) -> None:
    # rejected rows remember their source row's fingerprint, so re-importing a file quarantines nothing twice
    columns = {c["name"] for c in inspect(conn).get_columns("rejected_rows")}
    if "fingerprint" not in columns:
        conn.exec_driver_sql("ALTER TABLE rejected_rows ADD COLUMN fingerprint VARCHAR(64)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_rejected_fingerprint ON rejected_rows (fingerprint)")


def _concurrency(conn: Connection) -> None:
    # corrections carry the revision they edit: a stale save is refused, never silently overwrites
    if "revision" not in {c["name"] for c in inspect(conn).get_columns("responses")}:
        conn.exec_driver_sql("ALTER TABLE responses ADD COLUMN revision INTEGER NOT NULL DEFAULT 1")
    # one active entered response per 问卷编号: two operators typing one number at once -> one saved.
    # Numbers entered twice before this index existed stay as they are (the entry page lists them for
    # voiding); the index covers every response entered from now on.
    dup = conn.exec_driver_sql(
        "SELECT max(id) FROM responses WHERE source = 'entry' AND status = 'active' AND serial IS NOT NULL "
        "GROUP BY form_id, serial HAVING count(*) > 1 ORDER BY 1 DESC LIMIT 1"
    ).scalar()
    since = f" AND id > {int(dup)}" if dup else ""
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX IF NOT EXISTS uq_responses_active_serial ON responses (form_id, serial) "
        f"WHERE source = 'entry' AND status = 'active' AND serial IS NOT NULL{since}"
    )


# stamps the store writes itself (not submitted_at: that is the platform's or the paper form's own time)
_STAMPS = {
    "schema_migrations": ["applied_at"],
    "forms": ["created_at"],
    "batches": ["created_at"],
    "responses": ["created_at", "updated_at"],
    "rejected_rows": ["created_at"],
    "audit_log": ["at"],
    "curation_log": ["created_at"],
    "entry_drafts": ["updated_at"],
    "second_entries": ["created_at"],
    "entry_discrepancies": ["resolved_at"],
}


def _utc(conn: Connection) -> None:
    # Stamps used to be the writing computer's local clock without a zone: read as this computer's zone
    # (the one an office's store was written in) and rewrite them as UTC with their offset.
    for table, columns in _STAMPS.items():
        for column in columns:
            rows = conn.execute(
                text(
                    f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL AND "{column}" NOT LIKE :utc'
                ),
                {"utc": "%+00:00"},
            ).all()
            pairs = [{"old": old, "new": _as_utc(old)} for (old,) in rows]
            pairs = [p for p in pairs if p["new"] is not None and p["new"] != p["old"]]
            if pairs:
                conn.execute(text(f'UPDATE {table} SET "{column}" = :new WHERE "{column}" = :old'), pairs)


def _as_utc(value: str) -> str | None:
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None  # not a stamp this code wrote: left as it is
    return stamp.astimezone(dt.UTC).isoformat(sep=" ", timespec="seconds")


def _keys(conn: Connection) -> None:
    # the lookup table for duplicate checks, filled once from the responses already stored
    from toolkit.forms import form_from_dict
    from toolkit.store.store import response_keys

    schema.metadata.create_all(conn, tables=[schema.response_keys])
    forms = {
        (f, v): form_from_dict(json.loads(d))[0]
        for f, v, d in conn.execute(select(schema.forms.c.form_id, schema.forms.c.version, schema.forms.c.definition))
    }
    identity = {fv: form.identity_questions() for fv, form in forms.items()}
    r, last = schema.responses, 0
    while True:  # in slices of ids: memory stays bounded on a store of millions
        chunk = conn.execute(
            select(r.c.id, r.c.form_id, r.c.form_version, r.c.answers).where(r.c.id > last).order_by(r.c.id).limit(5000)
        ).all()
        if not chunk:
            return
        last = chunk[-1][0]
        rows = [
            {"form_id": f, "key": k, "response_id": rid}
            for rid, f, v, a in chunk
            if (f, v) in forms
            for k in response_keys(forms[(f, v)], json.loads(a), blob=a, identity=identity[(f, v)])
        ]
        if rows:
            conn.execute(schema.response_keys.insert(), rows)


def _operators(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.operators])


def _opinion(conn: Connection) -> None:
    tables = [schema.opinion_topics, schema.opinion_items, schema.opinion_steps, schema.opinion_evidence]
    schema.metadata.create_all(conn, tables=tables)


def _members(conn: Connection) -> None:
    tables = [schema.members, schema.member_aliases, schema.member_activities, schema.member_activity_members]
    schema.metadata.create_all(conn, tables=tables)


def _login_lockout(conn: Connection) -> None:
    # wrong passwords counted in the store, so every entry-page kernel and office sees the same count
    have = {c["name"] for c in inspect(conn).get_columns("operators")}
    for column, kind in (
        ("failed_logins", "INTEGER NOT NULL DEFAULT 0"),
        ("first_failed_at", "VARCHAR(32)"),
        ("locked_until", "VARCHAR(32)"),
    ):
        if column not in have:
            conn.exec_driver_sql(f"ALTER TABLE operators ADD COLUMN {column} {kind}")


# (id, description, function)
MIGRATIONS: list[tuple[str, str, Callable[[Connection], None]]] = [
    ("0001_initial", "问卷版本、答卷、导入批次、隔离行、审计日志、议题整理日志", _initial),
    ("0002_entry", "录入草稿、双录第二遍、双录不一致及裁定", _entry),
    ("0003_ingest", "隔离行记录来源行指纹（重复导入不重复隔离）", _ingest),
    ("0004_concurrency", "答卷修订号（过时的修改被拒绝）；同一问卷编号只有一份有效的录入答卷", _concurrency),
    ("0005_utc", "时间戳统一为带时区的 UTC 时间", _utc),
    ("0006_keys", "查重索引：导入时只读取可能重复的答卷，不再逐份解码全部答卷", _keys),
    ("0007_operators", "录入员账号（姓名与加盐散列的密码）：录入页面登录，审计日志记下是谁", _operators),
    ("0008_opinion", "社情民意信息、协商选题与协商意见，跟踪步骤（报送到办结、问效）与所依据的群众留言", _opinion),
    ("0009_members", "委员名单、姓名别称、工作人员录入的委员履职活动", _members),
    ("0010_login_lockout", "录入员账号连续输错密码后暂时锁定（错误次数记在数据库里，各台电脑一致）", _login_lockout),
]


def migrate(engine) -> list[str]:
    """Apply the migrations this database lacks; return their ids.

    Two programs opening a new database at once must not both create it: the one that migrates holds
    a lock for all of it (SQLite: the write lock, ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock, its
    DDL being transactional too), the other waits, then finds it done. An up-to-date database is only
    read, so opening never waits for another program's write.
    """
    if not _missing(engine):
        return []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        schema.schema_migrations.create(conn, checkfirst=True)
        done = _done(conn)
        applied = []
        for mig_id, description, func in sorted(MIGRATIONS):
            if mig_id in done:
                continue
            func(conn)
            conn.execute(
                schema.schema_migrations.insert().values(
                    id=mig_id,
                    description=description,
                    applied_at=dt.datetime.now(dt.UTC).isoformat(sep=" ", timespec="seconds"),
                )
            )
            applied.append(mig_id)
        conn.commit()
    return applied


def pending(engine) -> list[str]:
    """Ids of the migrations this database lacks (all of them for a new, empty one)."""
    with engine.connect() as conn:
        done = _done(conn) if inspect(conn).has_table(schema.schema_migrations.name) else set()
    return [m[0] for m in sorted(MIGRATIONS) if m[0] not in done]


def _missing(engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table(schema.schema_migrations.name):
            return True
        return bool({m[0] for m in MIGRATIONS} - _done(conn))


def _done(conn: Connection) -> set[str]:
    return {
        row[0]
        for row in conn.execute(schema.schema_migrations.select().with_only_columns(schema.schema_migrations.c.id))
    }


def known_tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())
