"""Finding a member from a name as a record writes it: the register's names and codes, and staff's aliases.

Records are typed by many hands ("陈明", "陈 明", "陈委员", a code): a name is compared without spaces and
full-width forms (``name_key``); an alias ("陈委员" -> 陈明) is set once by staff (``set_alias``). A name that
matches no member, or two members of one name, is never guessed: ``Register.find`` says why, and the
record goes to the unmatched list.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from toolkit.member.errors import MemberError

NOT_REGISTERED = "不在委员名单中"
SEVERAL = "名单中有同名委员"
SEPARATORS = "、,，;；/／"  # between several names in one answer ("陈明、李华")


def name_key(text) -> str:
    """A name (or header, or 界别) as compared: full-width folded to half-width (NFKC), no spaces anywhere
    ("陈 明" is "陈明")."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def split_names(text) -> list[str]:
    """The names in one answer or option: "陈明、李华" -> ["陈明", "李华"] (blank parts dropped)."""
    raw = str(text or "")
    for sep in SEPARATORS:
        raw = raw.replace(sep, ",")
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass
class Register:
    """The register and aliases as read once, for matching many names."""

    frame: pd.DataFrame  # toolkit.member.members(store)
    aliases: dict[str, int]  # name_key(alias) -> member_id

    @classmethod
    def load(cls, store) -> Register:
        from toolkit.member.register import members
        from toolkit.store import schema

        t = schema.member_aliases
        with store.engine.connect() as c:
            aliases = {name_key(a): m for a, m in c.execute(select(t.c.alias, t.c.member_id))}
        return cls(members(store), aliases)

    def __post_init__(self) -> None:
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for member_id, code, name in zip(self.frame["member_id"], self.frame["code"], self.frame["name"]):
            if code:
                self.by_code.setdefault(name_key(code), []).append(int(member_id))
            self.by_name.setdefault(name_key(name), []).append(int(member_id))

    def find(self, name: str) -> tuple[int | None, str]:
        """``(member_id, "")`` for the one member ``name`` (a name, code or alias) means, else ``(None, why)``."""
        key = name_key(name)
        for found in (self.by_code.get(key, []), self.by_name.get(key, [])):
            if len(found) == 1:
                return found[0], ""
        if len(self.by_name.get(key, [])) > 1:
            return None, SEVERAL
        if key in self.aliases:
            return self.aliases[key], ""
        return None, NOT_REGISTERED

    def resolve(self, names: list[str]) -> list[int]:
        """The members ``names`` name, each exactly one; ``MemberError`` for the first that is not."""
        ids = []
        for name in names:
            member_id, why = self.find(name)
            if why == SEVERAL:
                same = self.frame[self.frame["name"].map(name_key) == name_key(name)]
                codes = [c or "（无）" for c in same["code"].fillna("")]
                raise MemberError("member.ambiguous", name=name, count=len(same), codes=codes, example=codes[0])
            if member_id is None:
                raise MemberError("member.unknown", name=name)
            ids.append(member_id)
        return list(dict.fromkeys(ids))


def set_alias(store, alias: str, member: str, *, operator: str | None = None) -> int:
    """Let records' ``alias`` mean the member ``member`` (a name or code of the register); audited."""
    from toolkit.member.register import LONGEST
    from toolkit.store import lock, now, schema

    alias = " ".join(str(alias).split())
    if len(alias) > LONGEST:
        where = f"别称“{alias[:20]}…”"
        raise MemberError("member.too_long", where=where, value=alias[:20] + "…", length=len(alias), limit=LONGEST)
    with store.transaction() as c:
        lock(c, "members")
        register = Register.load(store)
        (member_id,) = register.resolve([member])
        if not alias or (_is_name(register, alias) and register.find(alias)[0] != member_id):
            raise MemberError("member.alias_invalid", alias=alias)
        if _is_name(register, alias):
            return member_id  # the member's own name or code: found without an alias
        t = schema.member_aliases
        # compared as records are matched ("陈 委员" is "陈委员"): one alias, one member
        stored = {name_key(a): (a, m) for a, m in c.execute(select(t.c.alias, t.c.member_id))}
        taken = stored.get(name_key(alias))
        if taken is not None and taken[1] != member_id:
            other = register.frame.loc[register.frame["member_id"] == taken[1], "name"]
            raise MemberError("member.alias_taken", alias=alias, other=other.iloc[0] if len(other) else taken[1])
        if taken is None:
            c.execute(t.insert().values(alias=alias, member_id=member_id, created_at=now()))
            store.log_audit(
                c,
                operator=operator,
                action="create",
                entity="member_alias",
                entity_id=member_id,
                after={"alias": alias},
            )
    return member_id


def _is_name(register: Register, alias: str) -> bool:
    key = name_key(alias)
    frame = register.frame
    return bool(((frame["name"].map(name_key) == key) | (frame["code"].fillna("").map(name_key) == key)).any())


def remove_alias(store, alias: str, *, operator: str | None = None) -> bool:
    """Forget the alias ``alias``; whether there was one. Audited."""
    from toolkit.store import schema

    t = schema.member_aliases
    alias = " ".join(str(alias).split())
    with store.transaction() as c:
        row = c.execute(select(t.c.id, t.c.member_id).where(t.c.alias == alias)).first()
        if row is None:
            return False
        c.execute(t.delete().where(t.c.id == row[0]))
        store.log_audit(
            c, operator=operator, action="delete", entity="member_alias", entity_id=row[1], before={"alias": alias}
        )
    return True


def aliases(store) -> pd.DataFrame:
    """Aliases: alias, member_id."""
    from toolkit.store import schema

    t = schema.member_aliases
    with store.engine.connect() as c:
        rows = c.execute(select(t.c.alias, t.c.member_id).order_by(t.c.alias)).all()
    return pd.DataFrame(rows, columns=["alias", "member_id"])
