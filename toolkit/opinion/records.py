"""The opinion stage's rows in the store: items (社情民意信息, 协商意见), their steps and evidence, 协商选题.

Every write is one transaction with its audit row (``Store.log_audit``): an item and its first step
(起草) and evidence together; each later step alone, checked against the steps already recorded
(``toolkit.opinion.states``) under a lock on the item, so two people recording at once cannot both add
step 3 — and a refused step writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TypedDict, Unpack

import pandas as pd
from sqlalchemy import func, select

from toolkit.opinion.errors import OpinionError
from toolkit.opinion.states import (
    ANSWERED,
    FOLLOW_UP,
    check_step,
    clean_answer,
    current_state,
    parse_date,
)
from toolkit.store import dumps, lock, now, schema

KINDS = {"report": "社情民意信息", "proposal": "协商意见"}
EVIDENCE_COLUMNS = ["message_id", "issue_id", "text", "time", "sector", "district"]
ITEM_ENTITY, TOPIC_ENTITY = "opinion_item", "opinion_topic"


def item_name(kind: str, item_id) -> str:
    """How messages and sources name an item: ``社情民意信息 #12``, ``协商意见 #13``."""
    return f"{KINDS.get(kind, '事项')} #{item_id}"


def today() -> str:
    return dt.date.today().isoformat()


def _evidence_rows(evidence, **owner) -> list[dict]:
    frame = pd.DataFrame(evidence if evidence is not None else [], columns=EVIDENCE_COLUMNS)
    rows = []
    for rec in frame.to_dict("records"):
        row = {k: (None if _missing(v) else v) for k, v in rec.items()}
        row["message_id"] = str(row["message_id"])
        row["issue_id"] = None if row["issue_id"] is None else int(row["issue_id"])
        for key in ("text", "time", "sector", "district"):
            row[key] = None if row[key] is None else str(row[key])
        rows.append({**row, **owner})
    return rows


def _add_evidence(c, evidence, **owner) -> None:
    rows = _evidence_rows(evidence, **owner)
    if rows:
        c.execute(schema.opinion_evidence.insert(), rows)


class Source(TypedDict, total=False):
    """Where an item or a topic came from: the ranking run's issue ids and label, the stable ids of the
    messages behind it, the rank folder and place, the run's settings, and the evidence rows."""

    issue_ids: Iterable[int]
    issue_label: str | None
    message_ids: Iterable
    source: str | None
    source_rank: int | None
    source_settings: dict | None
    evidence: object


def _source_columns(source: Source) -> dict:
    """``source`` as stored (the evidence rows go to their own table: ``_add_evidence``)."""
    if unknown := sorted(set(source) - set(Source.__annotations__)):  # a misspelt keyword is no source
        raise TypeError(f"unexpected keyword arguments: {', '.join(unknown)}")
    settings = source.get("source_settings")
    return dict(
        issue_ids=dumps([int(i) for i in source.get("issue_ids", ())]),
        issue_label=source.get("issue_label"),
        message_ids=dumps([str(m) for m in source.get("message_ids", ())]),
        source=source.get("source"),
        source_rank=source.get("source_rank"),
        source_settings=None if settings is None else dumps(settings),
    )


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def create_item(
    store,
    *,
    kind: str,
    title: str,
    body: dict,
    chars: int,
    date: str,
    member: str | None = None,
    unit: str | None = None,
    department: str | None = None,
    topic_id: int | None = None,
    operator: str | None = None,
    conn=None,
    **source: Unpack[Source],
) -> int:
    """Register an item with its 起草 step dated ``date`` (not after today: no later step could follow it) and
    where it came from (``Source``: its evidence too); return its id."""
    date = parse_date(date)
    if date > today():
        raise OpinionError("opinion.date_future", flag="--date", date=date, today=today())
    stamp = now()
    values = dict(
        kind=kind,
        topic_id=topic_id,
        title=title,
        body=dumps(body),
        chars=int(chars),
        member=member or None,
        unit=unit or None,
        department=department or None,
        **_source_columns(source),
        operator=operator,
        created_at=stamp,
    )
    with store.transaction(conn) as c:
        if topic_id is not None:
            _topic_row(c, topic_id)
        item_id = c.execute(schema.opinion_items.insert().values(**values)).inserted_primary_key[0]
        step = dict(item_id=item_id, seq=1, state="起草", date=date, operator=operator, recorded_at=stamp)
        c.execute(schema.opinion_steps.insert().values(**step))
        _add_evidence(c, source.get("evidence"), item_id=item_id)
        after = {k: values[k] for k in ("kind", "title", "member", "unit", "topic_id", "source", "source_rank")}
        store.log_audit(
            c, operator=operator, action="create", entity=ITEM_ENTITY, entity_id=item_id, after=after | {"date": date}
        )
    return int(item_id)


def set_document(store, item_id: int, path: str, conn=None) -> None:
    with store.transaction(conn) as c:
        c.execute(schema.opinion_items.update().where(schema.opinion_items.c.id == item_id).values(document=path))


def _key(given) -> int | None:
    """An id as typed ("7", " 07", 7) as the store's integer; None when it is none."""
    try:
        return int(str(given).strip())
    except (TypeError, ValueError):
        return None


def _row(c, table, given) -> dict | None:
    key = _key(given)
    row = None if key is None else c.execute(select(table).where(table.c.id == key)).mappings().first()
    return None if row is None else dict(row)


def _item_row(c, item_id) -> dict:
    row = _row(c, schema.opinion_items, item_id)
    if row is None:
        raise OpinionError("opinion.item_unknown", item=item_id)
    return row


def _topic_row(c, topic_id) -> dict:
    row = _row(c, schema.opinion_topics, topic_id)
    if row is None:
        raise OpinionError("opinion.topic_unknown", topic=topic_id)
    return row


def _steps(c, item_id: int) -> list[dict]:
    t = schema.opinion_steps
    return [dict(r) for r in c.execute(select(t).where(t.c.item_id == item_id).order_by(t.c.seq)).mappings()]


def add_step(
    store,
    item_id,
    state: str,
    date,
    *,
    by: str | None = None,
    note: str | None = None,
    deadline=None,
    answer=None,
    operator: str | None = None,
    today_is: str | None = None,
) -> dict:
    """Record one tracking step of an item (one audited transaction); return the step as stored.

    Refused, with nothing written: an unknown id, a step out of order, a date before the last step's or
    after today, an answer grade on any step but 答复 (which needs one), a misplaced or early deadline.
    """
    date = parse_date(date)
    deadline = None if deadline in (None, "") else parse_date(deadline, "--deadline")
    answer = clean_answer(answer)
    with store.transaction() as c:
        # the lock is the item's, however its id was typed: "7" and "07" must not record step 3 side by side
        lock(c, "opinion", str(_key(item_id)))
        row = _item_row(c, item_id)
        steps = _steps(c, row["id"])
        states = [s["state"] for s in steps]
        check_step(
            states,
            state,
            date,
            steps[-1]["date"] if steps else None,
            item=item_name(row["kind"], row["id"]),
            answer=answer,
            deadline=deadline,
            today=today_is or today(),
        )
        step = dict(
            item_id=row["id"],
            seq=len(steps) + 1,
            state=state.strip(),
            date=date,
            actor=(by or "").strip() or None,
            note=(note or "").strip() or None,
            deadline=deadline,
            answer=answer,
            operator=operator,
            recorded_at=now(),
        )
        c.execute(schema.opinion_steps.insert().values(**step))
        store.log_audit(
            c,
            operator=operator,
            action="track",
            entity=ITEM_ENTITY,
            entity_id=row["id"],
            before={"state": current_state(states)},
            after={k: v for k, v in step.items() if k not in ("item_id", "recorded_at") and v is not None},
        )
    return step


def get_item(store, item_id) -> dict:
    """One item with its ``steps`` (in order), ``state`` and decoded JSON fields."""
    with store.engine.connect() as c:
        row = _item_row(c, item_id)
        steps = _steps(c, row["id"])
    out = _decoded(row)
    return out | {
        "name": item_name(out["kind"], out["id"]),
        "steps": steps,
        "state": current_state([s["state"] for s in steps]),
    }


def _decoded(row) -> dict:
    """An item's or a topic's row with its JSON fields decoded."""
    out = dict(row)
    for key in ("body", "issue_ids", "message_ids", "source_settings"):
        if out.get(key):
            out[key] = json.loads(out[key])
    return out


ITEM_COLUMNS = [
    "id",
    "kind",
    "name",
    "title",
    "member",
    "unit",
    "department",
    "topic_id",
    "state",
    "state_date",
    "drafted",
    "deadline",
    "answer",
    "follow_up",
    "overdue",
    "overdue_reason",
    "issue_label",
    "n_messages",
    "chars",
]


def items_frame(store, *, today_is: str | None = None) -> pd.DataFrame:
    """Every item, one row each, with where it stands: ``state`` and ``state_date``; ``drafted`` (起草);
    ``deadline`` (of its 交办); ``answer`` (A/B/C); ``follow_up`` (the next 问效 check); ``overdue`` with its
    reason (a 交办 past its deadline without 答复, or a 问效 check due by ``today_is``)."""
    today_is = today_is or today()
    t, s = schema.opinion_items, schema.opinion_steps
    with store.engine.connect() as c:
        rows = [dict(r) for r in c.execute(select(t).order_by(t.c.id)).mappings()]
        steps = [dict(r) for r in c.execute(select(s).order_by(s.c.item_id, s.c.seq)).mappings()]
    by_item: dict[int, list[dict]] = {}
    for step in steps:
        by_item.setdefault(step["item_id"], []).append(step)
    out = []
    for row in rows:
        own = by_item.get(row["id"], [])
        status = standing(own, today_is)
        out.append(
            {
                **{k: row.get(k) for k in ("id", "kind", "title", "member", "unit", "department", "topic_id")},
                "name": item_name(row["kind"], row["id"]),
                **status,
                "issue_label": row["issue_label"],
                "n_messages": len(json.loads(row["message_ids"] or "[]")),
                "chars": row["chars"],
            }
        )
    return pd.DataFrame(out, columns=ITEM_COLUMNS)


def standing(steps: list[dict], today_is: str) -> dict:
    """Where one item stands after ``steps`` (in order) on ``today_is``: the fields of ``items_frame``."""
    states = [s["state"] for s in steps]
    state = current_state(states)
    last = next((s for s in reversed(steps) if s["state"] == state), None)
    assigned = next((s for s in reversed(steps) if s["state"] == "交办"), None)
    answered = next((s for s in reversed(steps) if s["state"] == "答复"), None)
    follow_up, after = None, False
    for i, step in enumerate(steps):
        if step["state"] in (*ANSWERED, FOLLOW_UP) and step["deadline"]:
            follow_up, after = step["deadline"], any(x["state"] == FOLLOW_UP for x in steps[i + 1 :])
    follow_up = None if after else follow_up
    reason = ""
    if state == "交办" and assigned and assigned["deadline"] and today_is > assigned["deadline"]:
        reason = f"交办期限 {assigned['deadline']} 已过，尚未答复"
    elif follow_up and today_is >= follow_up:
        reason = f"跟踪问效 {follow_up} 到期"
    return {
        "state": state,
        "state_date": last["date"] if last else None,
        "drafted": steps[0]["date"] if steps else None,
        "deadline": assigned["deadline"] if assigned else None,
        "answer": answered["answer"] if answered else None,
        "follow_up": follow_up,
        "overdue": bool(reason),
        "overdue_reason": reason,
    }


def steps_frame(store, item_id=None) -> pd.DataFrame:
    """The steps of one item (``item_id``) or of all, in order."""
    s = schema.opinion_steps
    q = select(s).order_by(s.c.item_id, s.c.seq)
    with store.engine.connect() as c:
        if item_id is not None:
            row = _item_row(c, item_id)
            q = q.where(s.c.item_id == row["id"])
        rows = [dict(r) for r in c.execute(q).mappings()]
    return pd.DataFrame(rows, columns=[col.name for col in s.columns])


def evidence_frame(store, item_id=None, *, topic_id=None) -> pd.DataFrame:
    """The residents' letters behind an item (a 协商意见 without its own: its 协商选题's) or a topic."""
    e = schema.opinion_evidence
    with store.engine.connect() as c:
        if item_id is not None:
            row = _item_row(c, item_id)
            cond = e.c.item_id == row["id"]
            n = c.execute(select(func.count()).select_from(e).where(cond)).scalar()
            if not n and row["topic_id"] is not None:
                cond = e.c.topic_id == row["topic_id"]
        else:
            cond = e.c.topic_id == _topic_row(c, topic_id)["id"]
        rows = [dict(r) for r in c.execute(select(e).where(cond).order_by(e.c.id)).mappings()]
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS + ["item_id", "topic_id"])[EVIDENCE_COLUMNS]


# ---- 协商选题 -------------------------------------------------------------------------------------------
def create_topic(
    store,
    *,
    year: int,
    title: str,
    operator: str | None = None,
    **source: Unpack[Source],
) -> int:
    """Register a year's chosen 协商选题 with where it came from (``Source``: its evidence too); return its id."""
    values = dict(
        year=int(year),
        title=title,
        **_source_columns(source),
        operator=operator,
        created_at=now(),
    )
    with store.transaction() as c:
        topic_id = c.execute(schema.opinion_topics.insert().values(**values)).inserted_primary_key[0]
        _add_evidence(c, source.get("evidence"), topic_id=topic_id)
        after = {k: values[k] for k in ("year", "title", "source", "source_rank")}
        store.log_audit(c, operator=operator, action="create", entity=TOPIC_ENTITY, entity_id=topic_id, after=after)
    return int(topic_id)


def set_meeting(store, topic_id, date, *, note: str | None = None, operator: str | None = None) -> dict:
    """Record (or correct) the 协商会 of a topic: its date and a note (place, who attended)."""
    date = parse_date(date)
    with store.transaction() as c:
        row = _topic_row(c, topic_id)
        values = {"meeting_date": date, "meeting_note": (note or "").strip() or None}
        t = schema.opinion_topics
        c.execute(t.update().where(t.c.id == row["id"]).values(**values))
        before = {k: row[k] for k in values}
        store.log_audit(
            c,
            operator=operator,
            action="meeting",
            entity=TOPIC_ENTITY,
            entity_id=row["id"],
            before=before,
            after=values,
        )
    return values


def get_topic(store, topic_id) -> dict:
    with store.engine.connect() as c:
        row = _topic_row(c, topic_id)
    return _decoded(row)


TOPIC_COLUMNS = ["id", "year", "title", "meeting_date", "meeting_note", "issue_label", "n_messages", "source_rank"]


def topics_frame(store) -> pd.DataFrame:
    t = schema.opinion_topics
    with store.engine.connect() as c:
        rows = [dict(r) for r in c.execute(select(t).order_by(t.c.id)).mappings()]
    for row in rows:
        row["n_messages"] = len(json.loads(row["message_ids"] or "[]"))
    return pd.DataFrame(rows, columns=[*TOPIC_COLUMNS, "source"])[TOPIC_COLUMNS]


# ---- the public names (toolkit.opinion) ------------------------------------------------------------------
track = add_step
items = items_frame
item = get_item
steps = steps_frame
topics = topics_frame
