"""The register of committee members (委员名单): imported from the office's list, checked whole, kept in the store.

A list is a table (xlsx or csv) with the columns 姓名, 界别, 所在镇街/委员工作室, 职务 and optionally
委员编号. It is checked as a whole before anything is written: every empty name, name given twice without
a 委员编号 to tell the two apart, repeated code, and 界别 missing from the committee's list is reported at
once with its row and column, and then nothing is imported. Importing the same list again changes nothing;
a changed row updates its member, and each addition and change is written to the audit log.

A member is found by 委员编号 when the list gives one, else by name; a member missing from a later list
stays in the register (members are never deleted by an import).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from toolkit.member.errors import MemberError
from toolkit.member.names import name_key
from toolkit.member.sectors import read_sectors

# field -> the headers a list may use for it (the first is the one messages name)
COLUMNS = {
    "name": ("姓名", "委员姓名", "名字"),
    "sector": ("界别", "所在界别"),
    "studio": ("所在镇街/委员工作室", "所在镇街", "委员工作室", "工作室", "镇街"),
    "title": ("职务", "现任职务"),
    "code": ("委员编号", "编号"),
}
REQUIRED = ("name", "sector")
LONGEST = 64  # characters of a name, code or 界别: the width of their columns in the store (PostgreSQL enforces it)
FIELDS = ("code", "name", "sector", "studio", "title")
# the register as a table: the store's columns and the headers staff read
REGISTER_HEADERS = {
    "member_id": "序号",
    "code": "委员编号",
    "name": "姓名",
    "sector": "界别",
    "studio": "所在镇街/委员工作室",
    "title": "职务",
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did: members added, updated and unchanged, and members of the register the list lacks."""

    added: int
    updated: int
    unchanged: int
    not_in_list: int
    note: str = ""


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number reads back as 1001.0
    return " ".join(str(value).split())


def read_member_list(path, *, sectors=None) -> list[dict]:
    """The rows of the list at ``path`` as ``{code, name, sector, studio, title, row}``, all checked.

    ``sectors``: the 界别 a member may have (default: the bundled list, see ``toolkit.member.sectors``).
    Raises ``MemberError`` naming every problem at once (``member.list_has_errors``).
    """
    from toolkit.tables import read_table

    path = Path(path)
    allowed = list(sectors) if sectors is not None else read_sectors()
    frame = read_table(path, error=MemberError)
    first_row = int(frame.attrs.get("first_row", 2))
    headers = {name_key(c): c for c in frame.columns}
    found = {}
    for field, names in COLUMNS.items():
        column = next((headers[name_key(n)] for n in names if name_key(n) in headers), None)
        if column is None and field in REQUIRED:
            raise MemberError(
                "member.list_column_missing",
                path=path,
                column=names[0],
                present=[str(c) for c in frame.columns],
                aliases="、".join(names[1:]),
            )
        found[field] = column
    known = {name_key(s): s for s in allowed}
    rows, problems = [], []
    first_name: dict[str, int] = {}
    first_code: dict[str, int] = {}
    for i, record in enumerate(frame.to_dict("records")):
        values = {f: _cell(record[c]) if c is not None else "" for f, c in found.items()}
        if not any(values.values()):
            continue  # a blank line between rows
        row = first_row + i

        def problem(code: str, field: str, **facts) -> None:
            problems.append(MemberError(code, row=row, column=found[field], **facts))  # noqa: B023

        for field in ("code", "name", "sector"):  # the store keeps them in columns of a fixed width
            if len(values[field]) > LONGEST:
                where = f"第 {row} 行“{found[field]}”列"
                problems.append(
                    MemberError(
                        "member.too_long",
                        row=row,
                        where=where,
                        value=values[field][:20] + "…",
                        length=len(values[field]),
                        limit=LONGEST,
                    )
                )
        if not values["name"]:
            problem("member.name_empty", "name")
        if values["code"]:
            if values["code"] in first_code:
                problem("member.code_repeated", "code", first=first_code[values["code"]], value=values["code"])
            first_code.setdefault(values["code"], row)
        elif values["name"]:
            key = name_key(values["name"])
            if key in first_name:
                problem("member.name_repeated", "name", first=first_name[key], name=values["name"])
            first_name.setdefault(key, row)
        if not values["sector"]:
            problem("member.sector_empty", "sector", example=allowed[0])
        elif name_key(values["sector"]) not in known:
            problem("member.sector_unknown", "sector", sector=values["sector"], known="、".join(allowed))
        else:
            values["sector"] = known[name_key(values["sector"])]  # written as the list writes it
        rows.append({**values, "row": row})
    # a name without a code repeated by a member with a code: the one without cannot be told apart either
    coded = {name_key(r["name"]): r["row"] for r in rows if r["code"]}
    for r in rows:
        key = name_key(r["name"])
        if r["name"] and not r["code"] and key in coded and first_name.get(key) == r["row"]:
            problems.append(
                MemberError(
                    "member.name_repeated", row=r["row"], column=found["name"], first=coded[key], name=r["name"]
                )
            )
    if problems:
        problems.sort(key=lambda p: p.context["row"])
        details = "".join(f"\n{p.message}" for p in problems)
        raise MemberError("member.list_has_errors", path=path, count=len(problems), details=details, problems=problems)
    if not rows:
        raise MemberError("member.list_empty", path=path)
    return rows


def import_members(store, path, *, sectors=None, operator: str | None = None) -> ImportResult:
    """Check the list at ``path`` whole, then add and update its members in one transaction (audited).

    Nothing is written when the list has any problem. ``sectors``: see :func:`read_member_list`.
    """
    from toolkit.store import lock, now, schema

    rows = read_member_list(path, sectors=sectors)
    t = schema.members
    added = updated = unchanged = 0
    with store.transaction() as c:
        lock(c, "members")
        stored = [dict(r) for r in c.execute(select(t)).mappings()]
        by_code = {r["code"]: r for r in stored if r["code"]}
        by_name: dict[str, list[dict]] = {}
        for r in stored:
            by_name.setdefault(name_key(r["name"]), []).append(r)
        seen = set()
        for row in rows:
            new = {f: row[f] or None for f in FIELDS}
            match = by_code.get(row["code"]) if row["code"] else None
            if match is None:
                same = [r for r in by_name.get(name_key(row["name"]), []) if not (row["code"] and r["code"])]
                if len(same) > 1:
                    codes = [r["code"] or "（无）" for r in same]
                    raise MemberError(
                        "member.ambiguous", name=row["name"], count=len(same), codes=codes, example=codes[0]
                    )
                match = same[0] if same else None
            if match is not None and not row["code"]:
                new["code"] = match["code"]  # a list without 委员编号 keeps the codes the register has
            stamp = now()
            if match is None:
                member_id = c.execute(
                    t.insert().values(**new, created_at=stamp, updated_at=stamp)
                ).inserted_primary_key[0]
                store.log_audit(c, operator=operator, action="create", entity="member", entity_id=member_id, after=new)
                added += 1
                seen.add(member_id)
                continue
            seen.add(match["id"])
            before = {f: match[f] for f in FIELDS}
            if before == new:
                unchanged += 1
                continue
            c.execute(t.update().where(t.c.id == match["id"]).values(**new, updated_at=stamp))
            store.log_audit(
                c, operator=operator, action="update", entity="member", entity_id=match["id"], before=before, after=new
            )
            match.update(new)
            updated += 1
    missing = len({r["id"] for r in stored} - seen)
    note = f"名单中没有、数据库中已有的委员 {missing} 人保持不变（导入不会删除委员）" if missing else ""
    return ImportResult(added=added, updated=updated, unchanged=unchanged, not_in_list=missing, note=note)


def members(store) -> pd.DataFrame:
    """The register, one row per member in id order: member_id, code, name, sector, studio, title."""
    from toolkit.store import schema

    t = schema.members
    query = select(t.c.id.label("member_id"), *(t.c[f] for f in FIELDS)).order_by(t.c.id)
    with store.engine.connect() as c:
        rows = c.execute(query).mappings().all()
    frame = pd.DataFrame(rows, columns=list(REGISTER_HEADERS))
    text = ["code", "studio", "title"]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), "")
    return frame
