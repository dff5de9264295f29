"""Entry while something else writes to the database (an import, another computer saving): wait briefly,
keep the typed form on this computer, try again later.

SQLite has one writer at a time and the store waits up to 15 s for the lock (right for an import, which
must not fail because the entry page saved a draft). An entry page that waited that long on every
keystroke would freeze, so entry writes go through ``impatient(store, seconds)``: the same database and
store methods, but statements give up after ``seconds``. While the database stays busy, a ``LocalDraft``
file beside the database keeps what was typed, so even a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError

from toolkit.store import Store, StoreBusy, is_lock_error

DRAFT_WAIT = 0.2  # seconds a keystroke's draft save may wait for the database
SAVE_WAIT = 3.0  # seconds a click on 保存 (or 作废, 载入修改 …) may wait
RETRY_AFTER = 5.0  # seconds a busy database is left alone before a draft is written to it again


def impatient(store: Store, seconds: float) -> Store:
    """A view of ``store`` (same database, same methods) whose statements wait at most ``seconds`` for a lock."""
    dialect = store.engine.dialect.name
    if dialect not in ("sqlite", "postgresql") or dialect == "sqlite" and _sqlite_file(store) is None:
        return store  # an in-memory SQLite database exists only behind the store's own engine
    view = copy.copy(store)
    ms = max(1, int(seconds * 1000))
    if dialect == "sqlite":
        # journal_mode=WAL is already in the file (the store set it); only per-connection settings here
        view.engine = create_engine(store.url, future=True, connect_args={"timeout": seconds})
        settings: tuple[str, ...] = ("PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL", f"PRAGMA busy_timeout={ms}")
    else:
        view.engine = create_engine(store.url, future=True)
        settings = (f"SET lock_timeout = {ms}",)

    def configure(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        for statement in settings:
            cur.execute(statement)
        cur.close()

    event.listen(view.engine, "connect", configure)
    return view


def _sqlite_file(store: Store) -> Path | None:
    name = store.engine.url.database
    return Path(name) if store.engine.dialect.name == "sqlite" and name and name != ":memory:" else None


# what a database call may raise while another writer holds the lock: the impatient views' driver error,
# or the store's own translation of it (reads go through the store's engine)
BUSY_ERRORS = (OperationalError, StoreBusy)


def is_busy(err: BaseException) -> bool:
    """True for "another writer holds the lock", told by the driver's error code as the store tells it."""
    return isinstance(err, StoreBusy) or isinstance(err, OperationalError) and is_lock_error(getattr(err, "orig", None))


def db_said(err: BaseException) -> str:
    """The database's own words for a failed write (``database is locked``), for the value of a message."""
    return str(getattr(err, "orig", err))[:120]


def reason(err: BaseException) -> str:
    """What went wrong, for a message to the operator."""
    if is_busy(err):
        return "数据库正忙（可能正在导入数据，或另一台电脑正在保存）"
    return f"数据库暂时无法写入（{str(getattr(err, 'orig', err))[:120]}）"


class LocalDraft:
    """Typed texts of one operator's form in progress, in a file beside the database (``x.db.drafts/``).

    Written only while the database cannot take the draft, removed once it can: when the file exists it
    is newer than the database's draft. PostgreSQL and in-memory stores have no such file; the session's
    memory keeps the draft there.
    """

    def __init__(self, store: Store, form_id: str, operator: str):
        db = _sqlite_file(store)
        self.folder = db.with_name(db.name + ".drafts") if db is not None else None
        self.stem = f"{form_id}-{hashlib.sha256(operator.encode('utf-8')).hexdigest()[:12]}"

    def _path(self, mode: str) -> Path | None:
        return self.folder / f"{self.stem}-{mode}.json" if self.folder is not None else None

    def write(self, mode: str, typed: dict, response_id: int | None) -> None:
        path = self._path(mode)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(
                json.dumps({"typed": typed, "response_id": response_id}, ensure_ascii=False), encoding="utf-8"
            )
            tmp.replace(path)  # a crash mid-write leaves the previous file, never half a file
        except OSError:
            pass  # a folder we may not write to: the session's memory still holds the draft

    def read(self, mode: str) -> tuple[dict, int | None] | None:
        """(typed texts, response id) kept for ``mode``; ``({}, None)`` records a cleared form; None: no file."""
        path = self._path(mode)
        if path is None or not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return dict(data.get("typed") or {}), data.get("response_id")
        except (ValueError, OSError, AttributeError):
            return None

    def remove(self, mode: str) -> None:
        path = self._path(mode)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
