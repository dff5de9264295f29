"""Operators' accounts: who enters, corrects and rules, each known by name and password.

App-level, so they work alike on SQLite and PostgreSQL. A password is kept only as a salted
``hashlib.scrypt`` hash with its parameters (``scrypt$n$r$p$salt$hash``), so the parameters can grow
later without breaking old hashes. Once a store has an account, the entry page asks for a login
instead of a typed-in name (``toolkit.entry.page``).

>>> add_operator(store, "张三", "一个足够长的密码")          # doctest: +SKIP
>>> check_login(store, "张三", "一个足够长的密码")          # doctest: +SKIP
'张三'
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from toolkit.store import schema
from toolkit.store.errors import StoreError
from toolkit.store.store import Store, now

MIN_PASSWORD = 8
# scrypt cost: ~50 ms and 16 MB per check on an office PC — cheap for one login, slow for guessing
N, R, P = 2**14, 8, 1
LOGIN_DELAY = 1.5  # seconds a refused login waits before answering, so guessing over the LAN is slow


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """``scrypt$n$r$p$salt$hash`` of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """``password`` matches ``stored`` (a ``hash_password`` result), compared in constant time."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        mine = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except ValueError:
        return False
    return hmac.compare_digest(mine.hex(), digest)


_DUMMY = hash_password("-")  # checked for unknown names, so they take as long as known ones


def clean_name(name: str) -> str:
    """The account name as stored: NFC, trimmed; refused when empty, too long or holding control characters."""
    cleaned = unicodedata.normalize("NFC", str(name or "")).strip()
    if not cleaned or len(cleaned) > 64 or any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise StoreError("store.operator_name_invalid", name=name)
    return cleaned


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StoreError("store.password_short", minimum=MIN_PASSWORD, length=len(password))


def has_operators(store: Store) -> bool:
    """The store has at least one active account (then the entry page requires a login)."""
    t = schema.operators
    with store.engine.connect() as c:
        return bool(c.execute(select(func.count()).select_from(t).where(t.c.status == "active")).scalar())


def list_operators(store: Store) -> list[dict]:
    """Every account: name, status, created_at, updated_at (never the hash), by name."""
    t = schema.operators
    with store.engine.connect() as c:
        rows = c.execute(select(t.c.name, t.c.status, t.c.created_at, t.c.updated_at).order_by(t.c.name)).all()
    return [dict(row._mapping) for row in rows]


def add_operator(store: Store, name: str, password: str) -> str:
    """Create the account ``name``; return the name as stored."""
    name = clean_name(name)
    check_new_password(password)
    t = schema.operators
    with store.transaction() as c:
        if c.execute(select(t.c.id).where(t.c.name == name)).first():
            raise StoreError("store.operator_exists", name=name)
        stamp = now()
        c.execute(
            t.insert().values(
                name=name, password_hash=hash_password(password), status="active", created_at=stamp, updated_at=stamp
            )
        )
        store.log_audit(c, operator=None, action="create", entity="operator", entity_id=None, after={"name": name})
    return name


def set_password(store: Store, name: str, password: str) -> None:
    """Give ``name`` a new password (and enable the account again if it was disabled)."""
    check_new_password(password)
    _change(store, name, "passwd", password_hash=hash_password(password), status="active")


def disable_operator(store: Store, name: str) -> None:
    """``name`` can no longer log in; what they entered keeps their name."""
    _change(store, name, "disable", status="disabled")


def _change(store: Store, name: str, action: str, **values) -> None:
    name = clean_name(name)
    t = schema.operators
    with store.transaction() as c:
        row = c.execute(select(t.c.id).where(t.c.name == name)).first()
        if row is None:
            raise StoreError("store.operator_unknown", name=name)
        c.execute(t.update().where(t.c.id == row[0]).values(updated_at=now(), **values))
        store.log_audit(c, operator=None, action=action, entity="operator", entity_id=row[0], after={"name": name})


def require_account(conn: Connection, name: str | None) -> None:
    """Refuse to record ``name`` as who did something when the store has accounts and it is not an active
    one (an import's ``--operator``, a resubmission, a correction): the log must say who, for real."""
    if name is None:
        return
    t = schema.operators
    active = t.c.status == "active"
    if conn.execute(select(t.c.id).where(active, t.c.name == str(name).strip()).limit(1)).first():
        return
    if conn.execute(select(t.c.id).where(active).limit(1)).first():
        raise StoreError("store.operator_not_account", name=name)


def check_login(store: Store, name: str, password: str) -> str | None:
    """The account's name when ``name``/``password`` is an active account, else None after a delay
    (an unknown name costs the same hash as a known one, so timing tells nothing)."""
    try:
        name = clean_name(name)
    except StoreError:
        name = ""
    t = schema.operators
    with store.engine.connect() as c:
        row = c.execute(select(t.c.password_hash, t.c.status).where(t.c.name == name)).first() if name else None
    ok = verify_password(password, row[0] if row else _DUMMY) and row is not None and row[1] == "active"
    if not ok:
        time.sleep(LOGIN_DELAY)
        return None
    return name
