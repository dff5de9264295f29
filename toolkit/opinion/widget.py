"""An ipywidgets panel for notebooks: pick a candidate and draft, record steps with buttons, see what is
overdue — the same calls as the ``weidiaoyan opinion`` commands, refusals shown in Chinese."""

from __future__ import annotations

import html

from toolkit.errors import ToolkitError
from toolkit.opinion import records
from toolkit.opinion.states import ALL_STEPS, ANSWERS


class TrackingPanel:
    """``TrackingPanel(store, rank_dir, out).widget`` to display; ``draft()``, ``record()`` do what the buttons do."""

    def __init__(self, store, rank_dir, out, *, operator: str | None = None, top: int = 10):
        from pathlib import Path

        import ipywidgets as w

        from toolkit.opinion.errors import OpinionError
        from toolkit.opinion.source import CANDIDATES
        from toolkit.tables import read_table

        self.store, self.rank_dir, self.out, self.operator = store, rank_dir, out, operator
        # read as every input is (toolkit.tables: size, encoding and file kind checked), not straight with pandas
        cands = read_table(Path(rank_dir) / CANDIDATES, error=OpinionError).head(top)
        options = [
            (f"第{int(float(r['rank']))}名 {r['label']}（{int(float(r['n_voices']))}人）", int(float(r["rank"])))
            for _, r in cands.iterrows()
        ]
        self.candidate = w.Dropdown(options=options, description="选题候选")
        self.member = w.Text(description="反映人")
        self.draft_button = w.Button(description="起草", button_style="primary")
        self.item = w.Dropdown(description="编号")
        self.state = w.Dropdown(options=list(ALL_STEPS[1:]), description="登记为")
        self.date = w.Text(description="日期", placeholder="2026-05-08")
        self.by = w.Text(description="单位或领导")
        self.deadline = w.Text(description="期限", placeholder="交办的办理期限")
        self.answer = w.Dropdown(
            options=[("", "")] + [(f"{k} {v}", k) for k, v in ANSWERS.items()], description="答复类别"
        )
        self.record_button = w.Button(description="登记这一步", button_style="success")
        self.message = w.HTML()
        self.table = w.HTML()
        self.draft_button.on_click(lambda _: self.draft())
        self.record_button.on_click(lambda _: self.record())
        self.widget = w.VBox(
            [
                w.HTML("<b>起草社情民意信息</b>"),
                w.HBox([self.candidate, self.member, self.draft_button]),
                w.HTML("<b>登记跟踪步骤</b>"),
                w.HBox([self.item, self.state, self.date]),
                w.HBox([self.by, self.deadline, self.answer, self.record_button]),
                self.message,
                self.table,
            ]
        )
        self.refresh()

    def _say(self, text: str, ok: bool = True) -> None:
        color = "#1a7f37" if ok else "#c00000"
        self.message.value = f"<span style='color:{color}'>{html.escape(text)}</span>"

    def _attempt(self, verb, *args, **kwargs):
        """``verb(store, *args, **kwargs, operator=…)``; a refusal is said in red and gives None."""
        try:
            return verb(self.store, *args, operator=self.operator, **kwargs)
        except ToolkitError as err:
            self._say(str(err), ok=False)
            return None

    def draft(self) -> int | None:
        from toolkit.opinion.register import draft_report

        result = self._attempt(
            draft_report, self.rank_dir, self.candidate.value, out=self.out, member=self.member.value or None
        )
        if result is None:
            return None
        self._say(f"已起草 社情民意信息 #{result.id}（{result.chars} 字）：{result.docx}")
        self.refresh(select=result.id)
        return result.id

    def record(self) -> dict | None:
        step = self._attempt(
            records.track,
            self.item.value,
            self.state.value,
            self.date.value,
            by=self.by.value or None,
            deadline=self.deadline.value or None,
            answer=self.answer.value or None,
        )
        if step is None:
            return None
        self._say(f"已登记第 {step['seq']} 步：{step['state']} {step['date']}")
        self.refresh(select=self.item.value)
        return step

    def refresh(self, select=None) -> None:
        frame = records.items(self.store)
        self.item.options = [(f"{r['name']} {r['title'][:16]}", int(r["id"])) for r in frame.to_dict("records")]
        if select is not None:
            self.item.value = int(select)
        shown = frame[
            ["name", "state", "state_date", "member", "deadline", "answer", "follow_up", "overdue_reason", "title"]
        ]
        shown = shown.rename(
            columns={
                "name": "编号",
                "state": "状态",
                "state_date": "日期",
                "member": "反映人",
                "deadline": "办理期限",
                "answer": "答复",
                "follow_up": "问效日期",
                "overdue_reason": "逾期",
                "title": "标题",
            }
        )
        self.table.value = shown.fillna("").to_html(index=False, escape=True)


def tracking_widget(store, rank_dir, out, **kwargs):
    """The panel's widget (see :class:`TrackingPanel`)."""
    return TrackingPanel(store, rank_dir, out, **kwargs).widget
