"""The Store: one database (a SQLite file by default) holding forms, responses and their history.

Every public write runs in one transaction: it happens completely or not at all.

>>> store = open_store("data/demo.db")                        # doctest: +SKIP
>>> version = store.save_form(form)                           # doctest: +SKIP
>>> ids = store.add_responses(form, [{"answers": {...}}], source="entry", operator="张三")  # doctest: +SKIP
>>> df = store.responses("annual_topics")                     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from toolkit.forms import Form, flatten_answers, form_from_dict, upgrade_answers
from toolkit.store import schema
from toolkit.store.errors import SerialTaken, StaleEdit, StoreBusy, StoreConflict, StoreError
from toolkit.store.migrations import migrate, pending

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
    """The current instant as stored: UTC with its offset ("2026-05-01 08:30:00+00:00"), so stamps written
    by computers with different clocks' time zones sort and compare as the same instants."""
    return dt.datetime.now(dt.UTC).isoformat(sep=" ", timespec="seconds")


def local_midnight() -> str:
    """The start of today on this computer's clock, in the stored form (for "saved today" counts)."""
    today = dt.datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return today.astimezone(dt.UTC).isoformat(sep=" ", timespec="seconds")


def display(location: str | Path) -> str:
    """A database location as printed or logged: a URL's password replaced by ***, a file path as is."""
    raw = str(location)
    if "://" not in raw:
        return raw
    try:
        return make_url(raw).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: hide whatever sits between "//user:" and "@"
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", raw)


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


SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 8, 10, 13, 14


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
        if context.dialect.name == "postgresql" and isinstance(wrapped, OperationalError) and not is_lock_error(orig):
            raise _server_trouble(location, orig) from None
        if isinstance(wrapped, OperationalError) and code is not None and is_lock_error(orig):
            raise StoreBusy("store.busy", db=location, seconds=busy_timeout()) from None
        primary = code & 0xFF if code is not None else None
        if primary == SQLITE_READONLY:
            raise StoreError("store.read_only", db=location) from None
        if primary == SQLITE_IOERR:
            raise StoreError("store.disk_error", db=location) from None
        if primary == SQLITE_FULL:
            raise StoreError("store.disk_full", db=location) from None
        if primary == SQLITE_CANTOPEN:
            raise StoreError("store.cannot_open", db=location) from None
        if isinstance(wrapped, IntegrityError) and (
            getattr(orig, "sqlite_errorname", "") in _UNIQUE or getattr(orig, "sqlstate", None) == "23505"
        ):
            raise StoreConflict("store.duplicate_row", db=location) from None

    return translate


# libpq reports a failed connection without an SQLSTATE: its stable phrases tell the cases apart (checked
# in order; a server whose lc_messages is not English gets the general message, which still quotes it)
_SERVER_TROUBLE = [
    ("auth", ("password authentication failed", "no password supplied", "authentication failed")),
    ("auth", ("role ", "does not exist")),
    ("no_database", ("database ", "does not exist")),
    ("tls", ("ssl", "certificate")),
    (
        "unreachable",
        (
            "connection refused",
            "no such file or directory",
            "could not translate host",
            "failed to resolve host",
            "timeout expired",
            "could not connect",
            "connection is bad",
            "network is unreachable",
            "no route to host",
            "server closed the connection",
        ),
    ),
]


def _server_trouble(location: str, orig) -> StoreError:
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]
    low = detail.lower()
    kind = next(
        (
            kind
            for kind, phrases in _SERVER_TROUBLE
            # "role … does not exist", "database … does not exist": both parts; otherwise any phrase
            if (all if "does not exist" in phrases else any)(p in low for p in phrases)
        ),
        None,
    )
    if kind == "auth":
        return StoreError("store.server_auth", db=location, detail=detail)
    if kind == "no_database":
        return StoreError("store.server_no_database", db=location, detail=detail)
    if kind == "tls":
        return StoreError("store.server_tls", db=location, detail=detail)
    if kind == "unreachable":
        return StoreError("store.server_unreachable", db=location, detail=detail)
    return StoreError("store.server_error", db=location, detail=detail)


def open_store(location: str | Path = "data/toolkit.db", *, upgrade: bool = True, create: bool = True) -> Store:
    """Open (creating and migrating as needed) the store at a file path or SQLAlchemy URL. ``create=False``:
    a database file that does not exist is refused rather than created (commands that only read: a mistyped
    path must not look like an empty database)."""
    return Store(location, upgrade=upgrade, create=create)


class Store:
    def __init__(self, location: str | Path = "data/toolkit.db", *, upgrade: bool = True, create: bool = True):
        location = str(location)
        if "://" in location:
            self.url, self.path = location, None
        else:
            self.path = Path(location)
            if not create and not self.path.is_file():
                raise StoreError("store.not_found", path=self.path)
            if self.path.exists() and self.path.is_file() and self.path.stat().st_size > 0:
                with open(self.path, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError("store.not_sqlite", path=self.path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.url = f"sqlite:///{self.path}"
        self.shown = display(location)  # what messages print: never the password
        try:
            self.engine: Engine = create_engine(self.url, future=True)
        except ModuleNotFoundError as err:  # a server URL without its driver installed
            raise StoreError("store.no_driver", db=self.shown, module=err.name) from None
        except Exception as err:  # a URL SQLAlchemy cannot read
            raise StoreError(
                "store.bad_url", db=self.shown, detail=str(err)[:200].replace(self.url, self.shown)
            ) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        event.listen(self.engine, "handle_error", _plain_errors(self.shown))
        self.applied_migrations = self.upgrade() if upgrade else []

    def upgrade(self) -> list[str]:
        """Apply the migrations this database lacks (under a lock: see ``migrations.migrate``); their ids."""
        try:
            return migrate(self.engine)
        except (OperationalError, DatabaseError) as err:
            code = "store.migrate_failed" if self.path else "store.migrate_failed_server"
            raise StoreError(code, db=self.shown, detail=str(err.orig)[:300]) from None

    def pending_migrations(self) -> list[str]:
        """Migrations this database lacks (``weidiaoyan db upgrade`` applies them)."""
        return pending(self.engine)

    def __repr__(self) -> str:
        return f"Store({self.path or self.shown})"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self, conn: Connection | None = None) -> Iterator[Connection]:
        """One transaction: commits on success, rolls back everything on any error (``conn``: join that one).

        On SQLite it takes the write lock at its start (``BEGIN IMMEDIATE``): what it reads is then still
        true when it writes, and a second writer waits instead of failing half-way through.
        """
        if conn is not None:
            yield conn
            return
        with self.engine.connect() as c:
            if c.dialect.name == "sqlite":
                c.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.rollback()
                raise
            c.commit()

    @contextmanager
    def form_lock(self, form_id: str, conn: Connection | None = None) -> Iterator[Connection]:
        """A transaction holding the lock that serialises imports of one form: fingerprints and duplicate
        checks read inside it are still true when the import writes (PostgreSQL: an advisory lock;
        SQLite: the write lock every store transaction takes)."""
        with self.transaction(conn) as c:
            lock(c, "import", form_id)
            yield c

    # ---- forms ---------------------------------------------------------
    def save_form(self, form: Form, conn: Connection | None = None) -> int:
        """Register a form definition; return its store version (a new one only if the definition changed).

        Idempotent under races: the version is chosen under the form's lock, after looking again.
        """
        t = schema.forms
        known = select(t.c.version).where(t.c.form_id == form.id, t.c.fingerprint == form.fingerprint)
        with self._read(conn) as c:  # a known form needs no write lock (the entry page opens while an import runs)
            row = c.execute(known).first()
        if row:
            return row[0]
        with self._conn(conn) as c:
            lock(c, "form", form.id)
            row = c.execute(known).first()
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
            version_text = f" 的第 {version} 版" if version else ""
            raise StoreError("store.no_form", db=self.shown, form_id=form_id, version_text=version_text)
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
        A record whose fingerprint is already stored raises ``StoreConflict``, an entered record whose
        问卷编号 already has an active entered response ``SerialTaken``; either way nothing is written.
        """
        records = list(records)
        try:
            return self._add_responses(form, records, source, operator, batch_id, conn)
        except SerialTaken:
            raise
        except (StoreConflict, IntegrityError):  # IntegrityError: a view's own engine (entry's impatient writer)
            taken = self._serial_holder(form.id, records) if source == "entry" and conn is None else None
            if taken is None:
                raise
            raise SerialTaken("store.serial_taken", form_id=form.id, **taken) from None

    def _serial_holder(self, form_id: str, records: Iterable[dict]) -> dict | None:
        """The active entered response holding one of ``records``' 问卷编号 (after a refused insert)."""
        t = schema.responses
        serials = [r.get("serial") for r in records if r.get("serial")]
        if not serials:
            return None
        with self.engine.connect() as c:
            row = c.execute(
                select(t.c.id, t.c.serial, t.c.operator)
                .where(t.c.form_id == form_id, t.c.serial.in_(serials), t.c.status == "active", t.c.source == "entry")
                .limit(1)
            ).first()
        return {"response_id": row[0], "serial": row[1], "operator": row[2]} if row else None

    def _add_responses(self, form, records, source, operator, batch_id, conn) -> list[int]:
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
                    "operator": r.get("operator") or operator,  # a record's own operator, else the batch's
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
            t = schema.responses
            # ids from the INSERT itself, in the records' order (another writer's rows never mix in)
            result = c.execute(t.insert().returning(t.c.id, sort_by_parameter_order=True), rows)
            ids = [r[0] for r in result]  # a fingerprint or active 问卷编号 already stored: StoreConflict
            identity = form.identity_questions()
            keys = [
                {"form_id": form.id, "key": k, "response_id": rid}
                for rid, r, row in zip(ids, records, rows)
                for k in response_keys(form, r["answers"], blob=row["answers"], identity=identity)
            ]
            c.execute(schema.response_keys.insert(), keys)
            return ids

    def fingerprints(self, form_id: str, conn: Connection | None = None) -> set[str]:
        """Fingerprints already stored for a form (for idempotent imports)."""
        t = schema.responses
        with self._read(conn) as c:
            return {
                r[0]
                for r in c.execute(select(t.c.fingerprint).where(t.c.form_id == form_id, t.c.fingerprint.is_not(None)))
            }

    def known_fingerprints(self, form_id: str, fingerprints: Iterable[str], conn: Connection | None = None) -> set[str]:
        """Those of ``fingerprints`` already stored for a form, as a response or a quarantined row: looked up
        through their indexes, so an import reads as many keys as its file has rows, not as the store holds."""
        t, r, b = schema.responses, schema.rejected_rows, schema.batches
        wanted, found = sorted(set(fingerprints)), set()
        with self._read(conn) as c:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                found.update(
                    x[0]
                    for x in c.execute(select(t.c.fingerprint).where(t.c.form_id == form_id, t.c.fingerprint.in_(part)))
                )
                found.update(
                    x[0]
                    for x in c.execute(
                        select(r.c.fingerprint)
                        .join(b, r.c.batch_id == b.c.id)
                        .where(b.c.form_id == form_id, r.c.fingerprint.in_(part))
                    )
                )
        return found

    def rejected_fingerprints(self, form_id: str, conn: Connection | None = None) -> set[str]:
        """Fingerprints of source rows already quarantined for a form (ingest: quarantine each row once)."""
        r, b = schema.rejected_rows, schema.batches
        with self._read(conn) as c:
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

    def reindex(self, conn: Connection, response_id: int, answers: dict) -> None:
        """Renew a response's lookup keys after its answers changed (in the transaction that changed them)."""
        k, t = schema.response_keys, schema.responses
        form_id, version = conn.execute(select(t.c.form_id, t.c.form_version).where(t.c.id == response_id)).one()
        conn.execute(k.delete().where(k.c.response_id == response_id))
        keys = response_keys(self.get_form(form_id, version), answers)
        conn.execute(k.insert(), [{"form_id": form_id, "key": key, "response_id": response_id} for key in keys])

    def duplicate_candidates(
        self, form: Form, answers: list[dict], conn: Connection | None = None
    ) -> list[tuple[dict, str | None, str | None]]:
        """(answers, submitted_at, raw row) of the active responses that may duplicate one of ``answers``:
        the same identity answer or the same answers altogether, found through the ``response_keys`` index.
        Exactly the stored responses ingest's duplicate rules can match, read without decoding the rest."""
        identity = form.identity_questions()
        wanted = sorted({key for a in answers for key in response_keys(form, a, identity=identity)})
        k, t = schema.response_keys, schema.responses
        ids: set[int] = set()
        with self._read(conn) as c:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                ids.update(
                    r[0] for r in c.execute(select(k.c.response_id).where(k.c.form_id == form.id, k.c.key.in_(part)))
                )
            rows = []
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                rows += c.execute(
                    select(t.c.answers, t.c.submitted_at, t.c.raw)
                    .where(t.c.id.in_(ordered[start : start + 500]), t.c.status == "active")
                    .order_by(t.c.id)
                ).all()
        return [(json.loads(a), s, r) for a, s, r in rows]

    def answers_times_raw(
        self, form_id: str, conn: Connection | None = None
    ) -> list[tuple[dict, str | None, str | None]]:
        """(answers, submitted_at, raw row as JSON text) of a form's active responses.

        Ingest compares new rows with these by respondent, IP (kept in the raw row) and answers.
        """
        t = schema.responses
        with self._read(conn) as c:
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
        with self.engine.connect() as c:
            return self._response(c, response_id)

    def _response(self, c: Connection, response_id: int, for_update: bool = False) -> dict:
        t = schema.responses
        q = select(t).where(t.c.id == response_id)
        if for_update:  # an edit reads the row it changes under the row's lock (PostgreSQL; SQLite has one writer)
            q = q.with_for_update()
        row = c.execute(q).mappings().first()
        if row is None:
            raise StoreError("store.no_response", response_id=response_id)
        out = dict(row)
        for key in ("answers", "raw", "flags"):
            out[key] = json.loads(out[key]) if out[key] else ({} if key == "answers" else None)
        return out

    def update_response(
        self,
        response_id: int,
        answers: dict,
        *,
        operator: str,
        reason: str | None = None,
        revision: int | None = None,
    ) -> int:
        """Replace a response's answers; the before/after pair goes to the audit log. Returns the new revision.

        ``revision``: the one the editor loaded (``response(id)["revision"]``). If someone saved the response
        since, nothing is written and ``StaleEdit`` shows both versions — a later save never silently
        overwrites an earlier one.
        """
        t = schema.responses
        with self.transaction() as c:
            before = self._response(c, response_id, for_update=True)
            if revision is not None and before["revision"] != revision:
                raise StaleEdit.of(response_id, revision, before, answers)
            c.execute(
                t.update()
                .where(t.c.id == response_id)
                .values(answers=dumps(answers), updated_at=now(), revision=before["revision"] + 1)
            )
            self.reindex(c, response_id, answers)
            self._audit(c, operator, "update", "response", response_id, before["answers"], answers, reason)
            return before["revision"] + 1

    def set_status(self, response_id: int, status: str, *, operator: str, reason: str | None = None) -> None:
        """Void (``status='void'``) or restore (``'active'``) a response, audited; nothing is deleted."""
        if status not in ("active", "void"):
            raise StoreError("store.bad_status", status=status)
        with self.transaction() as c:
            before = self._response(c, response_id, for_update=True)
            c.execute(
                schema.responses.update()
                .where(schema.responses.c.id == response_id)
                .values(status=status, updated_at=now(), revision=before["revision"] + 1)
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
        with self.engine.connect() as c:
            rows = c.execute(self._responses_query(form_id, version, include_void)).mappings().all()
        return self._response_frame(form_id, rows, version)

    def iter_responses(
        self, form_id: str, *, chunksize: int = 50_000, version: int | None = None, include_void: bool = False
    ) -> Iterator[pd.DataFrame]:
        """:meth:`responses` in frames of at most ``chunksize`` rows, in id order, never holding more than one
        frame's rows: a million responses are read in bounded memory. The frames concatenated equal
        :meth:`responses` (up to answer columns no form version declares, which each frame lists for itself)."""
        t = schema.responses
        last = 0
        while True:
            query = self._responses_query(form_id, version, include_void).where(t.c.id > last).limit(chunksize)
            with self.engine.connect() as c:
                rows = c.execute(query).mappings().all()
            if not rows:
                return
            last = rows[-1]["id"]
            yield self._response_frame(form_id, rows, version)
            if len(rows) < chunksize:
                return

    @staticmethod
    def _responses_query(form_id: str, version: int | None, include_void: bool):
        t = schema.responses
        q = select(t).where(t.c.form_id == form_id).order_by(t.c.id)
        if version:
            q = q.where(t.c.form_version == version)
        if not include_void:
            q = q.where(t.c.status == "active")
        return q

    def _response_frame(self, form_id: str, rows, version: int | None) -> pd.DataFrame:
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
        from toolkit.store.accounts import require_account

        require_account(conn, operator)
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
        from toolkit.store.accounts import require_account

        require_account(conn, operator)  # once the store has accounts, the log names one of them
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
            lock(c, "curation", model_key)
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
        with self.transaction(conn) as c:
            yield c

    @contextmanager
    def _read(self, conn: Connection | None):
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as c:
                yield c

    def _frame(self, table, where=None) -> pd.DataFrame:
        q = select(table).order_by(table.c.id)
        if where is not None:
            q = q.where(where)
        with self.engine.connect() as c:
            return pd.DataFrame(c.execute(q).mappings().all(), columns=[col.name for col in table.columns])


def response_keys(
    form: Form, answers: dict, *, blob: str | None = None, identity: list[str] | None = None
) -> list[str]:
    """Lookup keys of one response's answers (``response_keys`` table): one per identity answer, one for
    all the answers together (``blob``: their stored JSON text, if at hand); hashes, so no answer is written
    twice in clear. ``identity``: ``form.identity_questions()``, when many responses of one form are keyed."""
    ids = form.identity_questions() if identity is None else identity
    texts = [f"{q}\x1f{str(answers[q]).strip()}" for q in ids if answers.get(q) not in (None, "")]
    texts.append("answers\x1f" + (dumps(answers) if blob is None else blob))
    return list(dict.fromkeys(hashlib.sha256(t.encode("utf-8")).hexdigest()[:32] for t in texts))


def lock(conn: Connection, *key: str) -> None:
    """Hold a named lock until ``conn``'s transaction ends. PostgreSQL: a transaction-level advisory lock on
    a 64-bit hash of the name; SQLite needs none (a store transaction holds the one write lock already)."""
    if conn.dialect.name != "postgresql":
        return
    digest = hashlib.sha256("\x1f".join(("weidiaoyan", *key)).encode("utf-8")).digest()
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest[:8], "big", signed=True)})


def _iso(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
