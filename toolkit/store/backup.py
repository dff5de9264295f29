"""Whole-store backups: SQLite's online backup API into a .db file, PostgreSQL's pg_dump / pg_restore.

The password (if the URL has one) reaches pg_dump through PGPASSWORD in its environment, never its
command line; everything else of the URL is passed as a libpq connection string.

>>> backup(open_store("data/调研.db"), "backups/调研.db")               # doctest: +SKIP
>>> restore(open_store("data/恢复.db"), "backups/调研.db")              # doctest: +SKIP
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect

from toolkit.outfolder import output_file
from toolkit.store.errors import StoreError
from toolkit.store.store import Store

SQLITE_MAGIC, PGDUMP_MAGIC = b"SQLite format 3\x00", b"PGDMP"
KINDS = {"sqlite": "SQLite 数据库文件", "postgresql": "PostgreSQL 备份（pg_dump）"}


def backup(store: Store, out) -> Path:
    """Write a complete copy of ``store`` to ``out`` (replaced only once whole); return the path."""
    with output_file(out, error=StoreError, flag="OUT") as tmp:
        if store.engine.dialect.name == "sqlite":
            _sqlite_copy(str(store.path), str(tmp))
        else:
            _pg_tool(store, "pg_dump", ["--format=custom", "--no-owner", f"--file={tmp}"])
    return Path(out)


def restore(store: Store, source, *, replace: bool = False) -> None:
    """Fill ``store`` (an empty database, or any with ``replace``) from a file ``backup`` wrote."""
    source = Path(source)
    if not source.is_file():
        raise StoreError("file.not_found", path=source)
    with open(source, "rb") as fh:
        head = fh.read(16)
    kind = "sqlite" if head == SQLITE_MAGIC else "postgresql" if head.startswith(PGDUMP_MAGIC) else None
    backend = store.engine.dialect.name
    if kind != backend:
        raise StoreError(
            "store.backup_kind",
            path=source,
            kind=KINDS.get(kind, "不是 db backup 写出的文件"),
            db=store.shown,
            want=KINDS[backend],
        )
    if not replace and "schema_migrations" in inspect(store.engine).get_table_names():
        raise StoreError("store.restore_not_empty", db=store.shown)
    if backend == "sqlite":
        store.close()
        _sqlite_copy(str(source), str(store.path))
    else:
        extra = ["--clean", "--if-exists"] if replace else []
        _pg_tool(
            store,
            "pg_restore",
            ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *extra, str(source)],
        )
    store.close()


def _sqlite_copy(src: str, dst: str) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)  # page by page, consistent even while others write (WAL)
    finally:
        a.close()
        b.close()


def _pg_tool(store: Store, tool: str, args: list[str]) -> None:
    exe = _find(tool)
    url = store.engine.url
    env = {**os.environ, "PGCONNECT_TIMEOUT": os.environ.get("PGCONNECT_TIMEOUT", "10")}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    run = subprocess.run(
        [exe, f"--dbname={conninfo(url)}", *args], env=env, capture_output=True, text=True, errors="replace"
    )
    if run.returncode != 0:
        detail = " ".join((run.stderr or run.stdout or "").split())[:400]
        raise StoreError("store.backup_failed", db=store.shown, tool=tool, detail=detail or f"退出码 {run.returncode}")


def conninfo(url) -> str:
    """A libpq connection string for a SQLAlchemy URL, without its password.

    >>> from sqlalchemy.engine import make_url
    >>> conninfo(make_url("postgresql+psycopg://录入:secret@db.office:5433/调研?sslmode=require"))
    "dbname='调研' host='db.office' port='5433' sslmode='require' user='录入'"
    """
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():  # host=/run/postgresql, sslmode=verify-full, sslrootcert=…
        parts[key] = value[-1] if isinstance(value, tuple) else value
    quoted = {k: str(v).replace("\\", "\\\\").replace("'", "\\'") for k, v in parts.items() if v not in (None, "")}
    return " ".join(f"{k}='{v}'" for k, v in sorted(quoted.items()))


def _find(tool: str) -> str:
    """The tool on PATH, else the newest Debian cluster's (``/usr/lib/postgresql/N/bin``)."""
    found = shutil.which(tool)
    if found:
        return found
    debian = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=lambda p: int(Path(p).parts[-3]))
    if debian:
        return debian[-1]
    raise StoreError("store.backup_tool_missing", tool=tool)
