"""What the opinion stage adds to a member's 履职档案: each 社情民意信息 they wrote, and each time one was
采用 or received a 批示."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from sqlalchemy import select

from toolkit.opinion import records

ACTIVITY_COLUMNS = ["member", "kind", "date", "source", "report_id"]
KIND_BY_STATE = {"起草": "撰写社情民意", "采用": "被采用", "批示": "获批示"}
_SEPARATORS = re.compile(r"[、，,;；/／]+")  # not spaces: "王 芳" is one name, as the register reads it


def member_activities(store, year: int | None = None) -> pd.DataFrame:
    """One row per 社情民意信息 authored (dated by its 起草) and per 采用 / 批示 step, for each of its 反映人
    (several joined with 、 each get the row): ``member, kind, date, source, report_id``; ``year`` keeps the
    rows dated that year. 协商意见 are the committee's, not a member's, and are left out.

    >>> member_activities(store, 2026).head()                                  # doctest: +SKIP
      member        kind        date            source  report_id
    0   张三  撰写社情民意  2026-03-02  社情民意信息 #12         12
    """
    items = records.items_frame(store)
    steps = records.steps_frame(store)
    rows = []
    reports = items[items["kind"] == "report"].set_index("id")
    for step in steps.itertuples(index=False):
        kind = KIND_BY_STATE.get(step.state)
        if kind is None or step.item_id not in reports.index:
            continue
        if kind == KIND_BY_STATE["起草"] and step.seq != 1:
            continue
        if year is not None and not str(step.date).startswith(f"{int(year):04d}-"):
            continue
        for member in _members(reports.at[step.item_id, "member"]):
            rows.append(
                {
                    "member": member,
                    "kind": kind,
                    "date": step.date,
                    "source": records.item_name("report", step.item_id),
                    "report_id": int(step.item_id),
                }
            )
    frame = pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)
    return frame.sort_values(["date", "report_id", "member"], kind="mergesort").reset_index(drop=True)


def _members(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [m for m in _SEPARATORS.split(str(value).strip()) if m]


def not_in_register(store, member) -> list[str]:
    """The names of ``member`` ("张三、李四") that the member register knows by no name, code or alias ("陈委员"),
    compared as the register compares them (full-width folded, no spaces); [] while the register is empty."""
    from toolkit.store import schema

    m, a = schema.members, schema.member_aliases
    with store.engine.connect() as c:
        known = {_key(v) for row in c.execute(select(m.c.name, m.c.code)) for v in row if v}
        known |= {_key(v) for (v,) in c.execute(select(a.c.alias))}
    return [name for name in _members(member) if known and _key(name) not in known]


def _key(name) -> str:
    return "".join(unicodedata.normalize("NFKC", str(name)).split())
