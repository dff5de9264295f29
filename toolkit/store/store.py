"""The Store: one database (a SQLite file by default) holding forms, responses and their history.

Every public write runs in one transaction: it happens completely or not at all.

>>> store = open_store("data/demo.db")                        # doctest: +SKIP
>>> version = store.save_form(form)                           # doctest: +SKIP
>>> ids = store.add_responses(form, [{"answers": {...}}], source="entry", operator="张三")  # doctest: +SKIP
>>> df = store.responses("annual_topics")                     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from toolkit.forms import Form, flatten_answers, form_from_dict, upgrade_answers
from toolkit.store import schema
from toolkit.store.errors import StoreBusy, StoreConflict, StoreError
from toolkit.store.migrations import migrate

META_COLUMNS = [
    "response_id",
    "form_id",
    "form_version",
    "serial",
    "source",
    "batch_id",
    "row_number",
    "external_id",
    "operator",
    "submitted_at",
    "created_at",
    "updated_at",
    "status",
    "flags",
]


def now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


BUSY_TIMEOUT_ENV = "WEIDIAOYAN_BUSY_TIMEOUT"  # seconds a write waits for another program's write (default 15)
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # SQLite primary result codes (the low byte of extended ones)
_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def is_lock_error(orig) -> bool:
    """Whether a driver error means another writer holds the lock: SQLite BUSY/LOCKED by result code,
    PostgreSQL lock_not_available (55P03, a lock_timeout ran out); never by the English message."""
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    return (getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)) == "55P03"


_SQLITE_TROUBLE = {  # primary result code: what happened, the fix
    8: (
        "数据库文件是只读的（或它所在的文件夹不可写）",
        "给数据库文件及其文件夹写权限，或把它复制到可写的位置后用 --db 指定。",
    ),
    10: ("读写磁盘时出错", "检查磁盘或网络盘的连接与剩余空间后重新运行。"),
    13: ("磁盘已满，写不下", "清理磁盘空间后重新运行。"),
    14: ("无法打开数据库文件", "检查 --db 的路径是否存在、是否有读写权限。"),
}


def busy_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(BUSY_TIMEOUT_ENV, "15")))
    except ValueError:
        return 15.0


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    _wal(cur)  # readers (notebook, entry page) never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process still leaves a consistent file
    cur.close()


def _wal(cur) -> None:
    # Switching a new file to WAL needs it to oneself and SQLite answers "busy" at once, without waiting,
    # when another program opens the same new file at that moment; WAL is a property of the file, so
    # once either program has switched it, the other is done too.
    deadline = time.monotonic() + busy_timeout()
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if err.sqlite_errorcode & 0xFF != SQLITE_BUSY or time.monotonic() > deadline:
                raise
            if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            time.sleep(0.05)


def _plain_errors(location: str):
    """A ``handle_error`` listener: a locked database, a unique row written first by someone else, a full
    disk or a read-only file becomes a Chinese StoreError (every write is one transaction, rolled back on the
    way out), told apart by the driver's error codes rather than by its English text."""

    def translate(context) -> None:
        orig, wrapped = context.original_exception, context.sqlalchemy_exception
        code = getattr(orig, "sqlite_errorcode", None)
        if isinstance(wrapped, OperationalError) and code is not None and is_lock_error(orig):
            raise StoreBusy(
                f"数据库 {location} 正被另一个程序写入，等了 {busy_timeout():g} 秒仍未释放"
                "（可能有人正在导入、录入或整理数据）。本次没有写入任何数据。修改：稍等片刻后重新运行；"
                "若一直如此，关闭其他正在使用该数据库的程序（录入页面、Jupyter 笔记本等）。"
            ) from None
        if code is not None and code & 0xFF in _SQLITE_TROUBLE:
            why, fix = _SQLITE_TROUBLE[code & 0xFF]
            raise StoreError(f"数据库 {location}：{why}。未完成的写入已撤销，数据库保持原样。修改：{fix}") from None
        if isinstance(wrapped, IntegrityError) and (
            getattr(orig, "sqlite_errorname", "") in _UNIQUE or getattr(orig, "sqlstate", None) == "23505"
        ):
            raise StoreConflict(
                f"数据库 {location} 中已有相同的记录：同一份数据已经写入过，可能是另一个程序"
                "（或另一位同事）刚刚同时写入。本次的改动已全部撤销，没有重复写入。"
                "修改：重新运行一次，已写入的答卷会被自动跳过。"
            ) from None

    return translate


def open_store(location: str | Path = "data/toolkit.db") -> Store:
    """Open (creating and migrating as needed) the store at a file path or SQLAlchemy URL."""
    return Store(location)


class Store:
    def __init__(self, location: str | Path = "data/toolkit.db"):
        location = str(location)
        if "://" in location:
            self.url, self.path = location, None
        else:
            self.path = Path(location)
            if self.path.exists() and self.path.is_file() and self.path.stat().st_size > 0:
                with open(self.path, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError(
                            f"{self.path} 不是 SQLite 数据库文件。修改：换一个文件名（如 data/调研.db），"
                            "不要把 Excel/CSV 文件当作数据库。"
                        )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.url = f"sqlite:///{self.path}"
        try:
            self.engine: Engine = create_engine(self.url, future=True)
        except Exception as err:  # bad URL, missing driver
            raise StoreError(
                f"无法连接数据库 {location}：{err}。修改：检查数据库地址；默认用一个 .db 文件即可。"
            ) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "handle_error", _plain_errors(str(location)))
        try:
            self.applied_migrations = migrate(self.engine)
        except (OperationalError, DatabaseError) as err:
            raise StoreError(
                f"无法打开或升级数据库 {location}：{err.orig}。修改：确认文件未被占用且有写权限。"
            ) from None

    def __repr__(self) -> str:
        return f"Store({self.path or self.url!s})"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: commits on success, rolls back everything on any error."""
        with self.engine.begin() as conn:
            yield conn

    # ---- forms ---------------------------------------------------------
    def save_form(self, form: Form, conn: Connection | None = None) -> int:
        """Register a form definition; return its store version (a new one only if the definition changed)."""
        t = schema.forms
        with self._conn(conn) as c:
            row = c.execute(
                select(t.c.version).where(t.c.form_id == form.id, t.c.fingerprint == form.fingerprint)
            ).first()
            if row:
                return row[0]
            version = (c.execute(select(func.max(t.c.version)).where(t.c.form_id == form.id)).scalar() or 0) + 1
            c.execute(
                t.insert().values(
                    form_id=form.id,
                    version=version,
                    label=form.version,
                    title=form.title,
                    fingerprint=form.fingerprint,
                    definition=dumps(form.to_dict()),
                    created_at=now(),
                )
            )
            self._audit(c, None, "create", "form", version, None, {"form_id": form.id, "version": version}, None)
            return version

    def form_versions(self, form_id: str | None = None) -> pd.DataFrame:
        t = schema.forms
        q = select(t.c.form_id, t.c.version, t.c.label, t.c.title, t.c.fingerprint, t.c.created_at).order_by(
            t.c.form_id, t.c.version
        )
        if form_id:
            q = q.where(t.c.form_id == form_id)
        with self.engine.connect() as c:
            return pd.DataFrame(c.execute(q).mappings().all(), columns=list(q.selected_columns.keys()))

    def get_form(self, form_id: str, version: int | None = None) -> Form:
        t = schema.forms
        q = select(t.c.definition).where(t.c.form_id == form_id)
        q = q.where(t.c.version == version) if version else q.order_by(t.c.version.desc())
        with self.engine.connect() as c:
            row = c.execute(q.limit(1)).first()
        if row is None:
            raise StoreError(
                f"数据库中没有问卷 {form_id!r}"
                + (f" 的第 {version} 版" if version else "")
                + "。修改：先导入或保存该问卷（weidiaoyan ingest … --form 问卷.yaml）。"
            )
        form, _ = form_from_dict(json.loads(row[0]))
        return form

    # ---- responses -----------------------------------------------------
    def add_responses(
        self,
        form: Form,
        records: Iterable[dict],
        *,
        source: str,
        operator: str | None = None,
        batch_id: int | None = None,
        conn: Connection | None = None,
    ) -> list[int]:
        """Insert responses in one transaction; return their ids.

        Each record: ``answers`` (dict, required) and optionally ``serial``, ``submitted_at``,
        ``external_id``, ``fingerprint``, ``raw``, ``row_number``, ``flags``, ``operator``.
        A record whose fingerprint is already stored raises ``StoreError`` and nothing is written.
        """
        with self._conn(conn) as c:
            version = self.save_form(form, c)
            stamp = now()
            rows = [
                {
                    "form_id": form.id,
                    "form_version": version,
                    "serial": r.get("serial"),
                    "source": source,
                    "batch_id": batch_id,
                    "row_number": r.get("row_number"),
                    "external_id": r.get("external_id"),
                    "fingerprint": r.get("fingerprint"),
                    "operator": r.get("operator", operator),
                    "answers": dumps(r["answers"]),
                    "raw": dumps(r["raw"]) if r.get("raw") is not None else None,
                    "flags": dumps(r["flags"]) if r.get("flags") else None,
                    "status": "active",
                    "submitted_at": _iso(r.get("submitted_at")),
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for r in records
            ]
            if not rows:
                return []
            start = c.execute(select(func.max(schema.responses.c.id))).scalar() or 0
            c.execute(schema.responses.insert(), rows)  # a fingerprint already stored: StoreConflict
            ids = [
                r[0]
                for r in c.execute(
                    select(schema.responses.c.id).where(schema.responses.c.id > start).order_by(schema.responses.c.id)
                )
            ]
            return ids

    def fingerprints(self, form_id: str) -> set[str]:
        """Fingerprints already stored for a form (for idempotent imports)."""
        t = schema.responses
        with self.engine.connect() as c:
            return {
                r[0]
                for r in c.execute(select(t.c.fingerprint).where(t.c.form_id == form_id, t.c.fingerprint.is_not(None)))
            }

    def rejected_fingerprints(self, form_id: str) -> set[str]:
        """Fingerprints of source rows already quarantined for a form (ingest: quarantine each row once)."""
        r, b = schema.rejected_rows, schema.batches
        with self.engine.connect() as c:
            return {
                row[0]
                for row in c.execute(
                    select(r.c.fingerprint)
                    .join(b, r.c.batch_id == b.c.id)
                    .where(b.c.form_id == form_id, r.c.fingerprint.is_not(None))
                )
            }

    def answers_and_times(self, form_id: str) -> list[tuple[dict, str | None]]:
        """(answers, submitted_at) of a form's active responses (ingest: duplicate checks against the store)."""
        t = schema.responses
        with self.engine.connect() as c:
            rows = c.execute(
                select(t.c.answers, t.c.submitted_at).where(t.c.form_id == form_id, t.c.status == "active")
            ).all()
        return [(json.loads(a), s) for a, s in rows]

    def answers_times_raw(self, form_id: str) -> list[tuple[dict, str | None, str | None]]:
        """(answers, submitted_at, raw row as JSON text) of a form's active responses.

        Ingest compares new rows with these by respondent, IP (kept in the raw row) and answers.
        """
        t = schema.responses
        with self.engine.connect() as c:
            rows = c.execute(
                select(t.c.answers, t.c.submitted_at, t.c.raw).where(t.c.form_id == form_id, t.c.status == "active")
            ).all()
        return [(json.loads(a), s, r) for a, s, r in rows]

    def open_rejected(self, batch_id: int, row_number: int) -> list[dict]:
        """The open quarantine entries (one per failed rule) of one source row of a batch."""
        t = schema.rejected_rows
        with self.engine.connect() as c:
            rows = (
                c.execute(
                    select(t)
                    .where(t.c.batch_id == batch_id, t.c.row_number == row_number, t.c.status == "open")
                    .order_by(t.c.id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def resolve_rejected(
        self, conn: Connection, ids: list[int], *, status: str, response_id: int | None = None
    ) -> None:
        """Mark quarantine entries ``resubmitted`` (linked to the new response) or ``dismissed``."""
        t = schema.rejected_rows
        conn.execute(t.update().where(t.c.id.in_(ids)).values(status=status, response_id=response_id))

    def batch(self, batch_id: int) -> dict | None:
        t = schema.batches
        with self.engine.connect() as c:
            row = c.execute(select(t).where(t.c.id == batch_id)).mappings().first()
        return dict(row) if row else None

    def response(self, response_id: int) -> dict:
        t = schema.responses
        with self.engine.connect() as c:
            row = c.execute(select(t).where(t.c.id == response_id)).mappings().first()
        if row is None:
            raise StoreError(f"没有编号为 {response_id} 的答卷。修改：检查答卷编号（response_id）。")
        out = dict(row)
        for key in ("answers", "raw", "flags"):
            out[key] = json.loads(out[key]) if out[key] else ({} if key == "answers" else None)
        return out

    def update_response(self, response_id: int, answers: dict, *, operator: str, reason: str | None = None) -> None:
        """Replace a response's answers; the before/after pair goes to the audit log."""
        before = self.response(response_id)
        with self.transaction() as c:
            c.execute(
                schema.responses.update()
                .where(schema.responses.c.id == response_id)
                .values(answers=dumps(answers), updated_at=now())
            )
            self._audit(c, operator, "update", "response", response_id, before["answers"], answers, reason)

    def set_status(self, response_id: int, status: str, *, operator: str, reason: str | None = None) -> None:
        """Void (``status='void'``) or restore (``'active'``) a response, audited; nothing is deleted."""
        if status not in ("active", "void"):
            raise StoreError(f"答卷状态只能是 active 或 void，收到 {status!r}。")
        before = self.response(response_id)
        with self.transaction() as c:
            c.execute(
                schema.responses.update()
                .where(schema.responses.c.id == response_id)
                .values(status=status, updated_at=now())
            )
            action = "void" if status == "void" else "restore"
            self._audit(
                c, operator, action, "response", response_id, {"status": before["status"]}, {"status": status}, reason
            )

    def responses(self, form_id: str, *, version: int | None = None, include_void: bool = False) -> pd.DataFrame:
        """Responses as a DataFrame: meta columns, then one column per answer (see ``toolkit.forms.model``).

        Without ``version``, answers stored under older versions are mapped onto the newest one
        (renamed questions follow their ``renamed_from``).
        """
        t = schema.responses
        q = select(t).where(t.c.form_id == form_id).order_by(t.c.id)
        if version:
            q = q.where(t.c.form_version == version)
        if not include_void:
            q = q.where(t.c.status == "active")
        with self.engine.connect() as c:
            rows = c.execute(q).mappings().all()
        try:
            columns = self.get_form(form_id).columns()
        except StoreError:
            columns = []
        later = {} if version else self._later_versions(form_id, {r["form_version"] for r in rows})
        records = []
        for r in rows:
            answers = json.loads(r["answers"])
            if later.get(r["form_version"]):
                answers = upgrade_answers(answers, later[r["form_version"]])
            flat = flatten_answers(answers)
            meta = {k: r[k] for k in META_COLUMNS[1:] if k != "flags"}
            meta["response_id"] = r["id"]
            meta["flags"] = json.loads(r["flags"]) if r["flags"] else []
            records.append({**meta, **flat})
        # A question may share a meta column's name (the role=serial question is usually `serial`):
        # then the answer column is the one kept, once.
        meta_columns = [c for c in META_COLUMNS if c not in columns]
        extra = sorted({k for rec in records for k in rec} - set(META_COLUMNS) - set(columns))
        return pd.DataFrame.from_records(records, columns=meta_columns + columns + extra)

    def _later_versions(self, form_id: str, versions: set[int]) -> dict[int, list[Form]]:
        """{stored version: the forms of every later version, oldest first}, for mapping old answers."""
        known = sorted(self.form_versions(form_id)["version"].tolist()) if versions else []
        forms = {v: self.get_form(form_id, v) for v in known if v > min(versions)}
        return {v: [forms[w] for w in known if w > v] for v in versions}

    # ---- batches, rejected rows, audit ------------------------------------
    def create_batch(
        self,
        conn: Connection,
        form: Form,
        *,
        source: str,
        filename: str | None = None,
        file_sha256: str | None = None,
        operator: str | None = None,
    ) -> int:
        version = self.save_form(form, conn)
        res = conn.execute(
            schema.batches.insert().values(
                form_id=form.id,
                form_version=version,
                source=source,
                filename=filename,
                file_sha256=file_sha256,
                operator=operator,
                created_at=now(),
                n_rows=0,
                n_accepted=0,
                n_rejected=0,
                n_duplicates=0,
            )
        )
        return res.inserted_primary_key[0]

    def finish_batch(
        self,
        conn: Connection,
        batch_id: int,
        *,
        n_rows: int,
        n_accepted: int,
        n_rejected: int,
        n_duplicates: int,
        report: dict | None = None,
    ) -> None:
        conn.execute(
            schema.batches.update()
            .where(schema.batches.c.id == batch_id)
            .values(
                n_rows=n_rows,
                n_accepted=n_accepted,
                n_rejected=n_rejected,
                n_duplicates=n_duplicates,
                report=dumps(report) if report is not None else None,
            )
        )

    def add_rejected(self, conn: Connection, batch_id: int, rows: Iterable[dict]) -> None:
        """Quarantine rows: each with row_number, column, rule, value, message and the raw row."""
        stamp = now()
        payload = [
            {
                "batch_id": batch_id,
                "row_number": r.get("row_number"),
                "column": r.get("column"),
                "rule": r["rule"],
                "value": None if r.get("value") is None else str(r["value"]),
                "message": r["message"],
                "raw": dumps(r.get("raw")),
                "status": "open",
                "response_id": None,
                "created_at": stamp,
                "fingerprint": r.get("fingerprint"),
            }
            for r in rows
        ]
        if payload:
            conn.execute(schema.rejected_rows.insert(), payload)

    def batches(self, form_id: str | None = None) -> pd.DataFrame:
        return self._frame(schema.batches, schema.batches.c.form_id == form_id if form_id else None)

    def rejected(self, batch_id: int | None = None, status: str | None = "open") -> pd.DataFrame:
        t = schema.rejected_rows
        cond = []
        if batch_id is not None:
            cond.append(t.c.batch_id == batch_id)
        if status:
            cond.append(t.c.status == status)
        from sqlalchemy import and_

        return self._frame(t, and_(*cond) if cond else None)

    def audit(self, entity: str | None = None, entity_id: int | None = None) -> pd.DataFrame:
        t = schema.audit_log
        from sqlalchemy import and_

        cond = [
            c
            for c in (
                t.c.entity == entity if entity else None,
                t.c.entity_id == entity_id if entity_id is not None else None,
            )
            if c is not None
        ]
        return self._frame(t, and_(*cond) if cond else None)

    def _audit(self, conn, operator, action, entity, entity_id, before, after, reason) -> None:
        conn.execute(
            schema.audit_log.insert().values(
                at=now(),
                operator=operator,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=None if before is None else dumps(before),
                after=None if after is None else dumps(after),
                reason=reason,
            )
        )

    def log_audit(
        self,
        conn: Connection,
        *,
        operator: str | None,
        action: str,
        entity: str,
        entity_id: int | None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
    ) -> None:
        """Record an edit made by another stage inside its own transaction."""
        self._audit(conn, operator, action, entity, entity_id, before, after, reason)

    # ---- curation log (topic edits, replayed on re-runs) -------------------
    def add_curation(self, model_key: str, action: str, params: dict, operator: str | None = None) -> int:
        t = schema.curation_log
        with self.transaction() as c:
            seq = (c.execute(select(func.max(t.c.seq)).where(t.c.model_key == model_key)).scalar() or 0) + 1
            c.execute(
                t.insert().values(
                    model_key=model_key,
                    seq=seq,
                    action=action,
                    params=dumps(params),
                    operator=operator,
                    created_at=now(),
                )
            )
            return seq

    def curation(self, model_key: str) -> list[dict]:
        t = schema.curation_log
        with self.engine.connect() as c:
            rows = c.execute(select(t).where(t.c.model_key == model_key).order_by(t.c.seq)).mappings().all()
        return [{**dict(r), "params": json.loads(r["params"])} for r in rows]

    def remove_curation(self, model_key: str, seq: int) -> None:
        """Undo one curation step (the log is replayed without it)."""
        t = schema.curation_log
        with self.transaction() as c:
            c.execute(t.delete().where(t.c.model_key == model_key, t.c.seq == seq))

    def counts(self, form_id: str | None = None) -> dict:
        """Numbers for data-quality notes: responses, void, batches, rejected rows (open)."""
        r, b, x = schema.responses, schema.batches, schema.rejected_rows
        with self.engine.connect() as c:

            def n(q):
                return c.execute(q).scalar() or 0

            f = (lambda q, col: q.where(col == form_id)) if form_id else (lambda q, col: q)
            return {
                "responses": n(f(select(func.count()).select_from(r).where(r.c.status == "active"), r.c.form_id)),
                "void": n(f(select(func.count()).select_from(r).where(r.c.status == "void"), r.c.form_id)),
                "batches": n(f(select(func.count()).select_from(b), b.c.form_id)),
                # rows, not problems: one quarantined row may break several rules
                "rejected": n(
                    select(func.count()).select_from(
                        f(
                            select(x.c.batch_id, x.c.row_number)
                            .join(b, x.c.batch_id == b.c.id)
                            .where(x.c.status == "open"),
                            b.c.form_id,
                        )
                        .distinct()
                        .subquery()
                    )
                ),
                "duplicates": n(f(select(func.coalesce(func.sum(b.c.n_duplicates), 0)).select_from(b), b.c.form_id)),
            }

    # ---- helpers -------------------------------------------------------
    @contextmanager
    def _conn(self, conn: Connection | None):
        if conn is not None:
            yield conn
        else:
            with self.transaction() as c:
                yield c

    def _frame(self, table, where=None) -> pd.DataFrame:
        q = select(table).order_by(table.c.id)
        if where is not None:
            q = q.where(where)
        with self.engine.connect() as c:
            return pd.DataFrame(c.execute(q).mappings().all(), columns=[col.name for col in table.columns])


def _iso(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
