"""Entry panel for JupyterLab: staff record a duty (接待日, 协商会, 视察 …) by picking its kind, date and members."""

from __future__ import annotations

import datetime as dt
import html

from toolkit.member.activity import STAFF_KINDS, record_activity
from toolkit.member.errors import MemberError
from toolkit.member.register import members


def activity_widget(store, *, operator: str | None = None, today: dt.date | None = None):
    """Return an ipywidgets box that enters one duty per click of 记录 (``record_activity``, audited as ``operator``).

    ``box.recorded`` lists the ids entered; a refusal is shown in the box, in Chinese, and nothing is written.

    >>> activity_widget(store, operator="张三")                 # doctest: +SKIP
    """
    import ipywidgets as w

    register = members(store)
    options = [
        (f"{m.name}（{m.sector}{'，' + m.code if m.code else ''}）", m.code or m.name)
        for m in register.itertuples(index=False)
    ]
    kind = w.Dropdown(options=list(STAFF_KINDS), description="类型")
    day = w.DatePicker(value=today or dt.date.today(), description="日期")
    who = w.SelectMultiple(options=options, rows=min(10, max(3, len(options))), description="委员")
    note = w.Text(description="说明", placeholder="如：东湖街道委员工作室接待日")
    button = w.Button(description="记录", icon="check")
    status = w.HTML()
    box = w.VBox(
        [w.HTML("<b>录入履职活动</b>（按住 Ctrl 可选几位委员）"), kind, day, who, note, w.HBox([button, status])]
    )
    box.recorded = []

    def record(_button=None) -> None:
        try:
            activity = record_activity(
                store,
                kind=kind.value,
                date=day.value.isoformat() if day.value else "",
                members=list(who.value),
                note=note.value.strip() or None,
                operator=operator,
            )
        except MemberError as err:  # shown in the panel instead of a traceback in a callback
            status.value = f"<span style='color:#D55E00'>{html.escape(str(err))}</span>"
            return
        box.recorded.append(activity)
        status.value = html.escape(f"已记录 A{activity}：{kind.value}，{len(who.value)} 位委员")
        who.value = ()
        note.value = ""

    button.on_click(record)
    box.kind, box.day, box.members, box.note, box.button, box.status = kind, day, who, note, button, status
    return box
