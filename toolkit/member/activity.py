"""Members' duties (履职活动), each with its kind, date, members, recorder and source: "谁组织谁记录".

Three sources, read together by :func:`activities`:

* entered by staff (接待日, 协商会, 视察 …: ``record_activity``), kept in the store's ``member_activities``;
* found in records: every response of a form with a ``role: member`` question (the 走访记录表: a 走访 by that
  member) or a ``role: collector`` question (a response the member collected: 收集意见). These are derived
  each time from the responses themselves, so a corrected or voided response counts as it now stands;
* 社情民意信息 and their later steps, when the opinion stage is installed
  (``toolkit.opinion.member_activities(store, year)``); without it the archive says they are left out.

A name a record gives that matches no member (or two of one name) is never counted: it goes to the
unmatched list with the reason, until staff add the member or an alias (``toolkit.member.set_alias``).
Each activity has a stable id: ``A12`` (entered #12), ``R345`` (response #345), ``O7-采用`` (report #7's step).
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select

from toolkit.member.errors import MemberError
from toolkit.member.names import Register, split_names
from toolkit.numbers import to_date

STAFF_KINDS = ("接待日", "协商会", "视察", "走访", "调研", "其他")
VISIT_KIND = "走访"  # a response of a form whose role: member question names who visited
COLLECT_KIND = "收集意见"  # a response a member collected (role: collector)
ROLE_KINDS = {"member": VISIT_KIND, "collector": COLLECT_KIND}
ACTIVITY_COLUMNS = ["activity_id", "kind", "date", "member_id", "recorder", "source", "concerns", "note"]
UNMATCHED_COLUMNS = ["name", "reason", "activity_id", "kind", "date", "source"]
SOURCE_WORDS = {"entry": "录入网页", "sample": "示例数据"}  # who recorded a response no operator signed
OPINION_MISSING = "社情民意信息未计入：本工具箱尚未安装社情民意阶段（toolkit.opinion.member_activities）"


@dataclass
class Activities:
    """All duties of some years: one row per (activity, member); names no member matches; notes."""

    frame: pd.DataFrame  # ACTIVITY_COLUMNS, sorted by date, activity_id, member_id
    unmatched: pd.DataFrame  # UNMATCHED_COLUMNS
    notes: list[str] = field(default_factory=list)


def parse_date(value, *, flag: str = "--date") -> dt.date:
    """A date as staff write it: 2026-04-12, 2026/4/12, 2026.4.12, 20260412 or 2026年4月12日 (``toolkit.numbers.to_date``)."""
    day = to_date(value)
    if day is None:
        raise MemberError("member.date_invalid", flag=flag, value=value)
    return day


def record_activity(
    store, *, kind: str, date, members: list[str], note: str | None = None, operator: str | None = None
) -> int:
    """Enter one duty done by ``members`` (names or codes of the register); its id (shown as ``A<id>``). Audited."""
    from toolkit.store import now, schema

    if kind not in STAFF_KINDS:
        raise MemberError("member.kind_unknown", flag="--kind", kind=kind, known="、".join(STAFF_KINDS))
    day = parse_date(date)
    if day > dt.date.today():  # a planned duty earns nothing until it is done
        raise MemberError("member.date_future", flag="--date", date=day.isoformat(), today=dt.date.today().isoformat())
    if not members:
        raise MemberError("member.no_members", flag="--member")
    ids = Register.load(store).resolve(members)
    t, link = schema.member_activities, schema.member_activity_members
    values = {"kind": kind, "date": day.isoformat(), "note": note or None, "recorder": operator}
    with store.transaction() as c:
        activity = c.execute(t.insert().values(**values, status="active", created_at=now())).inserted_primary_key[0]
        c.execute(link.insert(), [{"activity_id": activity, "member_id": m} for m in ids])
        after = {**values, "members": ids}
        store.log_audit(
            c, operator=operator, action="create", entity="member_activity", entity_id=activity, after=after
        )
    return activity


def void_activity(store, activity: int, *, operator: str | None = None, reason: str | None = None) -> None:
    """Void an entered duty (it stops counting; nothing is deleted). Audited."""
    from toolkit.store import schema

    t = schema.member_activities
    with store.transaction() as c:
        # FOR UPDATE (PostgreSQL; SQLite's write lock does it): two voiding at once, the second sees it void
        row = c.execute(select(t.c.status).where(t.c.id == activity).with_for_update()).first()
        if row is None or row[0] != "active":
            raise MemberError("member.activity_unknown", activity=activity)
        c.execute(t.update().where(t.c.id == activity).values(status="void"))
        store.log_audit(
            c,
            operator=operator,
            action="void",
            entity="member_activity",
            entity_id=activity,
            before={"status": "active"},
            after={"status": "void"},
            reason=reason,
        )


def activities(store, years) -> Activities:
    """Every duty dated in ``years`` (an int or several), from all three sources."""
    years = sorted({int(y) for y in ([years] if isinstance(years, int) else years)})
    register = Register.load(store)
    rows, unmatched, notes = _entered(store, years), [], []
    for found, missing in (_from_responses(store, years, register), _from_opinion(store, years, register, notes)):
        rows += found
        unmatched += missing
    frame = pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)
    frame = frame.sort_values(["date", "activity_id", "member_id"], kind="mergesort").reset_index(drop=True)
    lost = pd.DataFrame(unmatched, columns=UNMATCHED_COLUMNS)
    lost = lost.sort_values(["name", "date", "activity_id"], kind="mergesort").reset_index(drop=True)
    return Activities(frame, lost, notes)


def _in(years: list[int], day: str) -> bool:
    return bool(day) and int(day[:4]) in years


def _entered(store, years: list[int]) -> list[dict]:
    from toolkit.store import schema

    t, link = schema.member_activities, schema.member_activity_members
    query = (
        select(t.c.id, t.c.kind, t.c.date, t.c.recorder, t.c.note, link.c.member_id)
        .join(link, link.c.activity_id == t.c.id)
        .where(t.c.status == "active")
    )
    with store.engine.connect() as c:
        found = c.execute(query).all()
    return [
        {
            "activity_id": f"A{a}",
            "kind": kind,
            "date": day,
            "member_id": member,
            "recorder": recorder or "",
            "source": f"工作人员录入 #{a}",
            "concerns": [],
            "note": note or "",
        }
        for a, kind, day, recorder, note, member in found
        if _in(years, day)
    ]


def _response_date(row, date_q) -> str:
    for value in (row.get(date_q) if date_q else None, row.get("submitted_at"), row.get("created_at")):
        if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
            continue
        try:
            stamp = pd.Timestamp(str(value))
        except ValueError:
            continue
        if stamp.tzinfo is not None:  # a store stamp (UTC): the day on this computer's clock
            return stamp.to_pydatetime().astimezone().date().isoformat()
        return stamp.date().isoformat()
    return ""


def _from_responses(store, years: list[int], register: Register) -> tuple[list[dict], list[dict]]:
    found, unmatched = [], []
    for form_id in sorted(set(store.form_versions()["form_id"])):
        form = store.get_form(form_id)
        roles = [(q, ROLE_KINDS[q.role]) for q in form.questions if q.role in ROLE_KINDS]
        if not roles:
            continue
        date_q = form.by_role("date").id if form.by_role("date") is not None else None
        concern_qs = [q.id for q in form.concern_questions()]
        for row in store.responses(form_id).to_dict("records"):
            day = _response_date(row, date_q)
            if not _in(years, day):
                continue
            rid = int(row["response_id"])
            serial = row.get("serial")
            shown = f"（编号 {serial}）" if isinstance(serial, str) and serial.strip() else ""
            source = f"{form.title} 答卷 #{rid}{shown}"
            batch = row.get("batch_id")
            recorder = row.get("operator") or (
                f"导入批次 #{int(batch)}" if pd.notna(batch) else SOURCE_WORDS.get(row.get("source"), row.get("source"))
            )
            concerns = [str(row[q]).strip() for q in concern_qs if isinstance(row.get(q), str) and row[q].strip()]
            for question, kind in roles:
                for name in split_names(row.get(question.id)):
                    activity = {"activity_id": f"R{rid}", "kind": kind, "date": day, "source": source}
                    member_id, why = register.find(name)
                    if member_id is None:
                        unmatched.append({"name": name, "reason": why, **activity})
                        continue
                    found.append(
                        {
                            **activity,
                            "member_id": member_id,
                            "recorder": recorder or "",
                            "concerns": concerns,
                            "note": "",
                        }
                    )
    return _once(found), unmatched


def _once(rows: list[dict]) -> list[dict]:
    """One row per (activity, member, kind): a name written twice in one record counts once."""
    seen, out = set(), []
    for r in rows:
        key = (r["activity_id"], r["member_id"], r["kind"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _from_opinion(store, years: list[int], register: Register, notes: list[str]) -> tuple[list[dict], list[dict]]:
    try:
        module = importlib.import_module("toolkit.opinion")
    except ModuleNotFoundError as err:
        if err.name != "toolkit.opinion":  # the stage itself is missing, not something it needs
            raise
        notes.append(OPINION_MISSING)
        return [], []
    member_activities = getattr(module, "member_activities", None)
    if member_activities is None:
        notes.append(OPINION_MISSING)
        return [], []
    found, unmatched = [], []
    for year in years:
        for row in member_activities(store, year).to_dict("records"):
            day = _response_date({"submitted_at": row.get("date")}, None)
            if not _in(years, day):
                continue
            activity = {
                "activity_id": f"O{row['report_id']}-{row['kind']}",
                "kind": str(row["kind"]),
                "date": day,
                "source": str(row.get("source") or f"社情民意信息 #{row['report_id']}"),
            }
            member_id, why = register.find(str(row["member"]))
            if member_id is None:
                unmatched.append({"name": str(row["member"]), "reason": why, **activity})
                continue
            found.append({**activity, "member_id": member_id, "recorder": "", "concerns": [], "note": ""})
    return _once(found), unmatched
