"""The tracking states of a 社情民意信息 or a 协商意见, and which step may follow which.

起草 → 报送 → 采用 → 批示 → 交办 → 答复 → 反馈 → 办结. 采用 and 批示 may be skipped (not every report is
adopted or instructed on); 批示 may repeat (several leaders); 答复 carries the answer grade A/B/C.
问效 (跟踪问效, a follow-up check) is no state: it may be recorded any number of times once the item is
answered, and leaves the state as it is. Dates never go back; a deadline belongs to 交办 (办理期限) or to a
step from 答复 on (when the next 问效 check is due).

>>> allowed_next(["起草", "报送"])
['采用', '批示', '交办']
>>> try:
...     check_step(["起草"], "交办", "2026-05-08", "2026-05-01", item="社情民意信息 #1")
... except OpinionError as err:
...     print(err.code, err)
opinion.step_skipped 社情民意信息 #1：跳过了必经的步骤“报送”（当前为“起草”，要登记“交办”）。修改：先登记“报送”；现在可以登记：报送。
"""

from __future__ import annotations

from toolkit.numbers import to_date
from toolkit.opinion.errors import OpinionError

STATES = ("起草", "报送", "采用", "批示", "交办", "答复", "反馈", "办结")
OPTIONAL = frozenset({"采用", "批示"})
REPEATABLE = frozenset({"批示"})
FOLLOW_UP = "问效"  # 跟踪问效: a check, not a state
ANSWERED = ("答复", "反馈", "办结")  # states after which 问效 checks are recorded
ANSWERS = {"A": "已解决", "B": "列入计划", "C": "留作参考"}
DEADLINE_STATES = frozenset({"交办", *ANSWERED, FOLLOW_UP})
ALL_STEPS = (*STATES, FOLLOW_UP)


def parse_date(value, flag: str = "--date") -> str:
    """``value`` as ``YYYY-MM-DD``: accepts 2026-05-08, 2026/5/8, 2026.5.8 and 2026年5月8日 (``toolkit.numbers.to_date``)."""
    day = to_date(value)
    if day is None:
        raise OpinionError("opinion.date_invalid", flag=flag, value=value)
    return day.isoformat()


def current_state(states: list[str]) -> str | None:
    """The state an item is in: its last step that is not a 问效 check (None before any step)."""
    return next((s for s in reversed(states) if s != FOLLOW_UP), None)


def allowed_next(states: list[str]) -> list[str]:
    """The steps that may follow the recorded ``states`` (in order)."""
    current = current_state(states)
    if current is None:
        return [STATES[0]]
    at = STATES.index(current)
    out = [current] if current in REPEATABLE else []
    for state in STATES[at + 1 :]:
        out.append(state)
        if state not in OPTIONAL:
            break
    if current in ANSWERED:
        out.append(FOLLOW_UP)
    return out


def check_state(state: str, flag: str = "--to") -> str:
    state = str(state or "").strip()
    if state not in ALL_STEPS:
        raise OpinionError("opinion.state_unknown", flag=flag, state=state, known="、".join(ALL_STEPS))
    return state


def check_step(
    states: list[str],
    state: str,
    date: str,
    previous_date: str | None,
    *,
    item: str = "",
    answer: str | None = None,
    deadline: str | None = None,
    today: str | None = None,
) -> None:
    """Refuse a step that may not follow ``states`` (wrong order, an earlier date, a missing or misplaced
    answer or deadline); dates are ``YYYY-MM-DD`` texts."""
    state = check_state(state)
    allowed = allowed_next(states)
    shown = "、".join(allowed) or "（无）"
    current = current_state(states) or "（尚无步骤）"
    if state not in allowed:
        if state == FOLLOW_UP:
            raise OpinionError("opinion.follow_up_early", item=item, current=current, allowed=shown)
        later = current_state(states) is None or STATES.index(state) > STATES.index(current_state(states))
        if later:
            missing = next(s for s in allowed if s not in OPTIONAL)
            raise OpinionError(
                "opinion.step_skipped", item=item, missing=missing, current=current, state=state, allowed=shown
            )
        raise OpinionError("opinion.step_backwards", item=item, state=state, current=current, allowed=shown)
    if today is not None and date > today:
        raise OpinionError("opinion.date_future", flag="--date", date=date, today=today)
    if previous_date is not None and date < previous_date:
        raise OpinionError(
            "opinion.date_before", item=item, state=state, date=date, previous=states[-1], previous_date=previous_date
        )
    if state == "答复" and not answer:
        raise OpinionError("opinion.answer_missing", item=item)
    if answer and state != "答复":
        raise OpinionError("opinion.answer_not_here", answer=answer, state=state)
    if answer and answer not in ANSWERS:
        raise OpinionError("opinion.answer_invalid", answer=answer)
    if deadline is not None:
        if state not in DEADLINE_STATES:
            raise OpinionError("opinion.deadline_not_here", state=state)
        if deadline < date:
            raise OpinionError("opinion.deadline_before", deadline=deadline, date=date)


def clean_answer(answer) -> str | None:
    """``a``, ``Ａ``, ``A 已解决`` -> ``A``; empty -> None; anything else refused."""
    if answer is None or str(answer).strip() == "":
        return None
    text = str(answer).strip().upper().translate(str.maketrans("ＡＢＣ", "ABC"))
    letter = text[:1]
    if letter not in ANSWERS or text.strip(letter + " ") not in ("", ANSWERS[letter]):
        raise OpinionError("opinion.answer_invalid", answer=answer)
    return letter
