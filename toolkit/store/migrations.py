"""Schema migrations, applied in id order when a store is opened.

The migrations a store lacks run once, in one transaction with their records in ``schema_migrations``,
so a store is never left half-migrated. Add new ones at the end with the next id; never
edit an applied one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from toolkit.store import schema


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


# (id, description, function)
MIGRATIONS: list[tuple[str, str, Callable[[Connection], None]]] = [
    ("0001_initial", "问卷版本、答卷、导入批次、隔离行、审计日志、议题整理日志", _initial),
    ("0002_entry", "录入草稿、双录第二遍、双录不一致及裁定", _entry),
    ("0003_ingest", "隔离行记录来源行指纹（重复导入不重复隔离）", _ingest),
]


def migrate(engine) -> list[str]:
    """Apply the migrations this database lacks; return their ids.

    Two programs opening a new database at once must not both create it: the one that migrates holds
    the write lock (SQLite ``BEGIN IMMEDIATE``) for all of it, the other waits, then finds it done.
    An up-to-date database is only read, so opening never waits for another program's write.
    """
    if not _missing(engine):
        return []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        schema.schema_migrations.create(conn, checkfirst=True)
        done = _done(conn)
        applied = []
        for mig_id, description, func in sorted(MIGRATIONS):
            if mig_id in done:
                continue
            func(conn)
            conn.execute(
                schema.schema_migrations.insert().values(
                    id=mig_id, description=description, applied_at=dt.datetime.now().isoformat(timespec="seconds")
                )
            )
            applied.append(mig_id)
        conn.commit()
    return applied


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
