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

import datetime as dt
import hashlib
import hmac
import secrets
import time
import unicodedata

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from toolkit.store import schema
from toolkit.store.errors import StoreError
from toolkit.store.store import Store
from toolkit.store.store import now as _stamp

MIN_PASSWORD = 8
# scrypt cost: ~50 ms and 16 MB per check on an office PC — cheap for one login, slow for guessing
N, R, P = 2**14, 8, 1
LOGIN_DELAY = 1.5  # seconds a refused login waits before answering, so guessing over the LAN is slow
# Lockout: MAX_FAILURES wrong passwords for one account within FAILURE_WINDOW lock it for LOCK_TIME. With
# LOGIN_DELAY alone a guesser on the LAN still tries ~2,000 passwords an hour; this caps it at 20, while a
# colleague who mistypes a few times (or forgets the input method) is not locked out, and a lock ends by
# itself before the entry session is lost (or at once: the administrator's ``user passwd`` unlocks).
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_TIME = dt.timedelta(minutes=15)


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


def list_operators(store: Store, *, now: dt.datetime | None = None) -> list[dict]:
    """Every account: name, status, created_at, updated_at, locked_until (the stored UTC stamp while the
    account is locked at ``now``, else None; never the hash), by name."""
    t = schema.operators
    at = _stored(now)
    with store.engine.connect() as c:
        rows = c.execute(
            select(t.c.name, t.c.status, t.c.created_at, t.c.updated_at, t.c.locked_until).order_by(t.c.name)
        ).all()
    out = [dict(row._mapping) for row in rows]
    for row in out:
        if row["locked_until"] is not None and row["locked_until"] <= at:
            row["locked_until"] = None
    return out


def local_time(stamp: str) -> str:
    """A stored UTC stamp as this computer's local time ("2026-05-01 16:45")."""
    return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _stored(at: dt.datetime | None) -> str:
    """``at`` (default: now) in the stored form: UTC with its offset, so stamps compare as text."""
    when = at if at is not None else dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(dt.UTC).isoformat(sep=" ", timespec="seconds")


def add_operator(store: Store, name: str, password: str) -> str:
    """Create the account ``name``; return the name as stored."""
    name = clean_name(name)
    check_new_password(password)
    t = schema.operators
    with store.transaction() as c:
        if c.execute(select(t.c.id).where(t.c.name == name)).first():
            raise StoreError("store.operator_exists", name=name)
        stamp = _stamp()
        c.execute(
            t.insert().values(
                name=name, password_hash=hash_password(password), status="active", created_at=stamp, updated_at=stamp
            )
        )
        store.log_audit(c, operator=None, action="create", entity="operator", entity_id=None, after={"name": name})
    return name


def set_password(store: Store, name: str, password: str) -> None:
    """Give ``name`` a new password (and enable the account again if it was disabled or unlock it if locked)."""
    check_new_password(password)
    _change(
        store,
        name,
        "passwd",
        password_hash=hash_password(password),
        status="active",
        **_UNLOCKED,
    )


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
        c.execute(t.update().where(t.c.id == row[0]).values(updated_at=_stamp(), **values))
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


_UNLOCKED = {"failed_logins": 0, "first_failed_at": None, "locked_until": None}


def check_login(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> str | None:
    """The account's name when ``name``/``password`` is an active account, else None after a delay
    (an unknown name costs the same hash as a known one, so timing tells nothing).

    Wrong passwords are counted in the store: the ``MAX_FAILURES``-th within ``FAILURE_WINDOW`` locks the
    account for ``LOCK_TIME`` (written to the audit log); while locked even the right password raises
    ``store.operator_locked`` with the lock's end in local time. A success resets the count. An unknown
    name is never counted nor locked: it always gets the plain refusal. ``now`` is for tests.
    """
    try:
        name = clean_name(name)
    except StoreError:
        name = ""
    at = _stored(now)
    t = schema.operators
    with store.engine.connect() as c:
        row = (
            c.execute(
                select(t.c.id, t.c.password_hash, t.c.status, t.c.failed_logins, t.c.locked_until).where(
                    t.c.name == name
                )
            ).first()
            if name
            else None
        )
    matches = verify_password(password, row.password_hash if row else _DUMMY)
    if row is not None and row.locked_until is not None and row.locked_until > at:
        time.sleep(LOGIN_DELAY)
        raise StoreError("store.operator_locked", name=name, until=local_time(row.locked_until))
    if row is None or row.status != "active":
        time.sleep(LOGIN_DELAY)
        return None
    if matches:
        if row.failed_logins or row.locked_until is not None:
            with store.transaction() as c:
                c.execute(t.update().where(t.c.id == row.id).values(**_UNLOCKED))
        return name
    _count_failure(store, row.id, name, at)
    time.sleep(LOGIN_DELAY)
    return None


def _count_failure(store: Store, op_id: int, name: str, at: str) -> None:
    """One more wrong password for account ``op_id`` at ``at``; lock it on the ``MAX_FAILURES``-th within
    the window. One UPDATE adds to the stored count, so logins in several kernels at once all count."""
    t = schema.operators
    when = dt.datetime.fromisoformat(at)
    window_start = _stored(when - FAILURE_WINDOW)
    stale = (t.c.first_failed_at.is_(None)) | (t.c.first_failed_at <= window_start)
    with store.transaction() as c:
        c.execute(
            t.update()
            .where(t.c.id == op_id)
            .values(
                failed_logins=case((stale, 1), else_=t.c.failed_logins + 1),
                first_failed_at=case((stale, at), else_=t.c.first_failed_at),
            )
        )
        count = c.execute(select(t.c.failed_logins).where(t.c.id == op_id)).scalar() or 0
        if count < MAX_FAILURES:
            return
        until = _stored(when + LOCK_TIME)
        c.execute(t.update().where(t.c.id == op_id).values(failed_logins=0, first_failed_at=None, locked_until=until))
        store.log_audit(
            c,
            operator=None,
            action="lock",
            entity="operator",
            entity_id=op_id,
            after={"name": name, "failed_logins": count, "locked_until": until},
            reason=f"{count} 次密码错误（{int(FAILURE_WINDOW.total_seconds() // 60)} 分钟内）",
        )
