"""Points (积分): each member's duties scored under a rules file, every point traceable to its record.

``score`` gives one row per (activity, member): the activity's id and source, the rule's points and
multiplier, what the cap left, and the rule in words. A member's total is the sum of that table's
``points``; the same activities and rules give the same table, other rules another one.
"""

from __future__ import annotations

import pandas as pd

from toolkit.member.rules import Rules

POINT_COLUMNS = ["activity_id", "member_id", "kind", "date", "source", "base", "multiplier", "points", "rule"]


def _num(x: float) -> str:
    return f"{x:g}"


def period_of(day: str, period: str) -> str:
    """The cap period a date falls in, as shown: 2026年, 2026年第2季度, 2026年4月."""
    year, month = int(day[:4]), int(day[5:7])
    if period == "quarter":
        return f"{year}年第{(month - 1) // 3 + 1}季度"
    if period == "month":
        return f"{year}年{month}月"
    return f"{year}年"


def score(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The points table of ``frame`` (``Activities.frame``) under ``rules``.

    Caps are applied in date order within each member, kind and period: the activity that reaches the cap
    earns what is left of it, later ones earn 0, each saying so.
    """
    rows, used = [], {}
    ordered = frame.sort_values(["member_id", "date", "activity_id"], kind="mergesort")
    for r in ordered.itertuples(index=False):
        rule = rules.kinds.get(r.kind)
        base = {"activity_id": r.activity_id, "member_id": r.member_id, "kind": r.kind, "date": r.date}
        base["source"] = r.source
        if rule is None:
            rows.append({**base, "base": 0.0, "multiplier": 1.0, "points": 0.0, "rule": "计分规则未列这一类型，不计分"})
            continue
        earned = rule.points * rule.multiplier
        words = f"{r.kind} 每次 {_num(rule.points)} 分" + (
            f" × {_num(rule.multiplier)}" if rule.multiplier != 1 else ""
        )
        if rule.cap is not None:
            period = period_of(r.date, rules.cap_period)
            key = (r.member_id, r.kind, period)
            left = max(0.0, rule.cap - used.get(key, 0.0))
            if earned > left:
                words += (
                    f"；{period}上限 {_num(rule.cap)} 分已满，不再计分"
                    if left == 0
                    else f"；达到{period}上限 {_num(rule.cap)} 分，只计 {_num(left)} 分"
                )
                earned = left
            used[key] = used.get(key, 0.0) + earned
        rows.append({**base, "base": rule.points, "multiplier": rule.multiplier, "points": earned, "rule": words})
    table = pd.DataFrame(rows, columns=POINT_COLUMNS)
    return table.sort_values(["member_id", "date", "activity_id"], kind="mergesort").reset_index(drop=True)
