"""The entry form in JupyterLab (and, through Voilà, as a plain web page): ipywidgets over ``EntrySession``.

Keyboard first: type the choice numbers printed on the paper form, Tab to the next field, Enter in any
one-line field saves and starts the next form (the cursor returns to the first field). Skip logic is
live (a skipped question disappears and its answer is cleared); problems show in Chinese under the
question; every change is saved as a draft, so a crash loses nothing.

Stable CSS classes for tests and styling: ``wdy-q-<question id>`` on each question box,
``wdy-in-<key>`` on each input (matrix rows ``wdy-in-<qid>-<row>``), ``wdy-msg-<qid>`` on messages,
``wdy-operator``, ``wdy-start``, ``wdy-save``, ``wdy-status``, ``wdy-counter``.
"""

from __future__ import annotations

import asyncio
import html
import warnings

import ipywidgets as w
from sqlalchemy.exc import OperationalError

from toolkit.entry.busy import RETRY_AFTER, SAVE_WAIT, db_said, impatient
from toolkit.entry.codes import answers_from_typed, echo
from toolkit.entry.double import SecondEntryResult, field_question
from toolkit.entry.errors import EntryError
from toolkit.entry.session import MODES, EntrySession
from toolkit.forms import Form, FormError, Question, other_key, relevant_questions
from toolkit.store import Store

_CSS = """<style>
.wdy-form .wdy-q {border-left: 3px solid #d0d7de; padding: 2px 8px; margin: 4px 0;}
.wdy-form .wdy-q:focus-within {border-left-color: #0969da; background: #f6f8fa;}
.wdy-form .wdy-msg {color: #c62828; font-size: 13px;}
.wdy-form .wdy-echo {color: #1b5e20; font-size: 13px; margin-left: 6px;}
.wdy-form .wdy-legend {color: #57606a; font-size: 12px; line-height: 1.5;}
.wdy-form .wdy-required {color: #c62828;}
</style>"""


_ACTIONS = {"create": "新建", "update": "修改", "void": "作废", "restore": "恢复", "second_entry": "第二遍录入"}


def css_key(key: str) -> str:
    return key.replace("/", "-")


def _legend(q: Question) -> str:
    items = [f"<b>{i}</b>&nbsp;{html.escape(q.choice_label(cid))}" for i, cid in enumerate(q.choice_ids(), start=1)]
    return "<div class='wdy-legend'>" + "　".join(items) + "</div>"


class _QuestionView:
    """The widgets of one question: label, inputs, echo of chosen labels, message."""

    def __init__(self, form: Form, q: Question, on_change, on_submit):
        self.q = q
        self.inputs: dict[str, w.Widget] = {}
        self.echoes: dict[str, w.HTML] = {}
        self.message = w.HTML("")
        self.message.add_class("wdy-msg")
        self.message.add_class(f"wdy-msg-{q.id}")
        parts: list[w.Widget] = []
        if q.kind == "note":
            self.box = w.HTML(f"<h4 style='margin:10px 0 2px'>{html.escape(q.label)}</h4>")
            return
        star = "<span class='wdy-required'>*</span>" if q.required else ""
        head = f"<b>{form.number(q.id)}. {star}{html.escape(q.label)}</b>"
        if q.relevant:
            from toolkit.forms import condition_in_words

            head += f" <small>（{html.escape(condition_in_words(form, q.relevant))}者回答）</small>"
        if q.hint:
            head += f"<br><small style='color:#57606a'>{html.escape(q.hint)}</small>"
        if q.kind in ("single", "multiple", "likert", "ranking"):
            head += _legend(q)
        parts.append(w.HTML(head))
        if q.is_matrix:
            for r in q.rows:
                key = f"{q.id}/{r.id}"
                text = self._text(key, "序号", on_change, on_submit, width="70px")
                label = w.HTML(html.escape(r.label), layout=w.Layout(width="280px"))
                parts.append(w.HBox([label, text, self._echo(key)]))
        else:
            placeholder = {
                "single": "填序号",
                "likert": "填序号",
                "multiple": "填序号，空格分隔",
                "ranking": "按名次填序号，空格分隔",
                "number": "数字",
                "date": "如 2026-05-01 或 20260501",
            }.get(q.kind, "")
            if q.kind == "concern":
                field = w.Textarea(
                    placeholder="照原文录入", continuous_update=True, layout=w.Layout(width="95%", height="64px")
                )
                field.add_class(f"wdy-in-{css_key(q.id)}")
                field.observe(on_change, "value")
                self.inputs[q.id] = field
            else:
                width = "360px" if q.kind in ("text", "date") else "180px"
                field = self._text(q.id, placeholder, on_change, on_submit, width=width)
            parts.append(w.HBox([field, self._echo(q.id)]))
        if q.other:
            other = self._text(other_key(q.id), "其他（请注明）的内容", on_change, on_submit, width="360px")
            other.layout.display = "none"
            parts.append(other)
        parts.append(self.message)
        self.box = w.VBox(parts)
        self.box.add_class("wdy-q")
        self.box.add_class(f"wdy-q-{q.id}")

    def _text(self, key: str, placeholder: str, on_change, on_submit, width: str) -> w.Text:
        field = w.Text(placeholder=placeholder, continuous_update=True, layout=w.Layout(width=width))
        field.add_class(f"wdy-in-{css_key(key)}")
        field.observe(on_change, "value")
        with warnings.catch_warnings():
            # on_submit is deprecated but still the only way to hear Enter without custom JavaScript
            warnings.simplefilter("ignore")
            field.on_submit(on_submit)
        self.inputs[key] = field
        return field

    def _echo(self, key: str) -> w.HTML:
        self.echoes[key] = w.HTML("")
        self.echoes[key].add_class("wdy-echo")
        return self.echoes[key]

    def first_input(self) -> w.Widget | None:
        return next(iter(self.inputs.values()), None)


class EntryForm:
    """Widget entry of ``form`` into ``store`` by ``operator`` (asked for on screen when not given).

    >>> EntryForm(load_form("surveys/annual_topics.yaml"), open_store("data/demo.db"), operator="张三")  # doctest: +SKIP
    """

    def __init__(
        self, form: Form, store: Store, operator: str | None = None, mode: str = "first", *, account: bool = False
    ):
        self.form, self.store = form, store
        # a logged-in account: its name is fixed, whatever a browser sends for the (disabled) name box
        self._account = str(operator).strip() if account and operator else None
        self.session: EntrySession | None = None
        self._busy = False
        self._tried = False
        self._draft_waiting = False  # the last draft could not reach the database (busy)
        self._retry: asyncio.TimerHandle | None = None  # the scheduled retry of that draft, if any
        self.views = [_QuestionView(form, q, self._changed, self._submitted) for q in form.questions]
        self.inputs = {k: v for view in self.views for k, v in view.inputs.items()}
        self.operator = w.Text(
            value=operator or "", placeholder="您的姓名", description="录入员", layout=w.Layout(width="240px")
        )
        self.operator.add_class("wdy-operator")
        self.operator.disabled = self._account is not None
        self.mode = w.ToggleButtons(options=[(MODES["first"], "first"), (MODES["second"], "second")], value=mode)
        self.mode.add_class("wdy-mode")
        self.mode.style.button_width = "180px"
        self.start = w.Button(description="开始录入", button_style="primary")
        self.start.add_class("wdy-start")
        self.start.on_click(lambda _: self._start())
        self.operator.observe(lambda change: self._stop(), "value")
        self.mode.observe(lambda change: self._stop(), "value")
        self.counter = w.HTML("")
        self.counter.add_class("wdy-counter")
        self.status = w.HTML("")
        self.status.add_class("wdy-status")
        self.save = w.Button(
            description="保存并录下一份（Enter）", button_style="success", layout=w.Layout(width="240px")
        )
        self.save.add_class("wdy-save")
        self.save.on_click(lambda _: self._submitted(None))
        self.clear = w.Button(description="清空本份", layout=w.Layout(width="120px"))
        self.clear.on_click(lambda _: self._reset())
        self.body = w.VBox([v.box for v in self.views] + [w.HBox([self.save, self.clear])])
        self.body.layout.display = "none"
        self.review = self._review_panel()
        title = w.HTML(
            f"{_CSS}<h3 style='margin:4px 0'>{html.escape(form.title)}</h3>"
            "<small>键盘录入：按纸质问卷上□旁的数字填写选项，Tab 到下一题，回车保存并开始下一份。</small>"
        )
        self.widget = w.VBox(
            [title, w.HBox([self.operator, self.mode, self.start]), self.counter, self.status, self.body, self.review]
        )
        self.widget.add_class("wdy-form")
        if operator:
            self._start()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ---- session ---------------------------------------------------------------------------------
    def _start(self) -> None:
        try:
            name = self._account or self.operator.value
            self.session = EntrySession(self.form, self.store, name, mode=self.mode.value)
        except EntryError as err:
            self._say(str(err), error=True)
            return
        self.body.layout.display = None
        try:
            draft = self.session.load_draft()
        except EntryError as err:
            self.session = None
            self.body.layout.display = "none"
            self._say(str(err), error=True)
            return
        self._fill({})
        if draft:
            typed, correcting = draft
            self.session.correcting = correcting
            self._fill(typed)
            what = f"对答卷 #{correcting} 的修改" if correcting else "上次未保存的录入"
            self._say(f"已恢复{what}（草稿），请核对后继续。")
        else:
            self._say(f"{self.session.operator}，请开始{MODES[self.session.mode]}。")
        self._count()
        self._refresh_recent()
        self._focus_first()

    def _stop(self) -> None:
        if self.session is not None and (
            (self._account or self.operator.value.strip()) != self.session.operator
            or self.mode.value != self.session.mode
        ):
            self.session = None
            self.body.layout.display = "none"
            self._say("录入员或录入方式已改变，请点“开始录入”。")

    def _count(self) -> None:
        if self.session:
            self.counter.value = (
                f"录入员 <b>{html.escape(self.session.operator)}</b> · {MODES[self.session.mode]}"
                f" · 今天已录入 <b class='wdy-count'>{self.session.count_today()}</b> 份"
            )

    # ---- typing ----------------------------------------------------------------------------------
    def typed(self) -> dict[str, str]:
        return {k: v.value for k, v in self.inputs.items()}

    def _fill(self, typed: dict) -> None:
        self._busy = True
        try:
            for key, field in self.inputs.items():
                field.value = str(typed.get(key) or "")
        finally:
            self._busy = False
        self._update(save_draft=False)

    def _changed(self, _change) -> None:
        if not self._busy:
            self._update(save_draft=True)

    def _update(self, save_draft: bool) -> None:
        answers = answers_from_typed(self.form, self.typed())
        try:
            shown = relevant_questions(self.form, answers)
        except FormError as err:  # a rule that cannot run (e.g. a regex too slow): show all, say why, keep the draft
            shown = {q.id for q in self.form.questions}
            self._say(str(err), error=True)
        self._busy = True
        try:
            for view in self.views:
                visible = view.q.id in shown
                view.box.layout.display = None if visible else "none"
                if not visible:
                    for field in view.inputs.values():
                        field.value = ""  # a skipped question keeps no answer
        finally:
            self._busy = False
        answers = answers_from_typed(self.form, self.typed())
        try:
            problems = self.session.check(self.typed())[1] if self.session else []
        except FormError as err:
            problems = []
            self._say(str(err), error=True)
        by_question: dict[str, list[str]] = {}
        for p in problems:
            if p.is_error and (self._tried or p.rule != "required"):
                by_question.setdefault(p.question_id, []).append(p.detail)
        for view in self.views:
            q = view.q
            for key, box in view.echoes.items():
                value = answers.get(q.id)
                if q.is_matrix:
                    value = (value or {}).get(key.split("/", 1)[1])
                box.value = html.escape(echo(q, value))
            if q.other:
                chosen = answers.get(q.id)
                has_other = chosen == "other" or (isinstance(chosen, list) and "other" in chosen)
                view.inputs[other_key(q.id)].layout.display = None if has_other else "none"
            view.message.value = "<br>".join(html.escape(m) for m in by_question.get(q.id, []))
        if save_draft and self.session:
            self._draft_saved(self.session.save_draft(self.typed()))

    def _draft_saved(self, saved: bool) -> None:
        """Tell the operator when drafts cannot reach the database and when they can again; retry later."""
        if not saved:
            self._draft_waiting = True
            self._say(
                f"{self.session.draft_problem}：草稿已保留在本机，稍后自动重试；录完照常点保存（未保存时请稍后再点保存）。",
                error=True,
            )
            self._schedule_retry()
        elif self._draft_waiting:
            self._draft_waiting = False
            self._say("数据库已恢复，草稿已保存，请继续录入。")

    def _schedule_retry(self) -> None:
        try:
            loop = asyncio.get_running_loop()  # the kernel's loop (Voilà, JupyterLab); none in plain Python
        except RuntimeError:
            return
        if self._retry is None:
            self._retry = loop.call_later(RETRY_AFTER + 0.5, self.retry_draft)

    def retry_draft(self) -> None:
        """Write a draft kept while the database was busy (called by the scheduled retry)."""
        self._retry = None
        if self.session is not None and self.session.pending is not None:
            self._draft_saved(self.session.retry_draft())

    def _focus_first(self) -> None:
        for view in self.views:
            field = view.first_input()
            if field is not None and view.box.layout.display != "none":
                field.focus()
                return

    # ---- saving ----------------------------------------------------------------------------------
    def _submitted(self, _field) -> None:
        if self.session is None:
            self._say("请先填写录入员姓名并点“开始录入”。", error=True)
            return
        try:
            reason = (self.reason.value.strip() or None) if self.session.correcting else None
            result = self.session.submit(self.typed(), reason=reason)
        except FormError as err:  # the form's own rule cannot run: nothing was saved; the draft is kept
            self._say(str(err), error=True)
            return
        except EntryError as err:
            self._tried = True
            self._update(save_draft=False)
            self._say(str(err), error=True)
            bad = {p.question_id for p in err.problems}
            for view in self.views:
                if view.q.id in bad and view.first_input() is not None:
                    view.first_input().focus()
                    break
            return
        self._tried = False
        if isinstance(result, SecondEntryResult):
            self._say(self._mismatch_html(result), raw=True, error=not result.matched)
        else:
            self._say(f"已保存答卷 #{result}。请录入下一份。")
        self._reset(keep_status=True)
        self._count()
        self._refresh_recent()

    def _mismatch_html(self, result: SecondEntryResult) -> str:
        head = f"编号 {html.escape(result.serial)} 第二遍录入已保存，与第一遍（答卷 #{result.response_id}）"
        if result.matched:
            return head + f"{result.n_fields} 个字段全部一致。"
        rows = "".join(
            f"<tr><td>{html.escape(m.field)}</td><td>{html.escape(str(m.first))}</td>"
            f"<td>{html.escape(str(m.second))}</td></tr>"
            for m in result.mismatches
        )
        return (
            head + f"有 <b>{len(result.mismatches)}</b> 处不一致，已记录待审核员裁定：<table class='wdy-mismatches'>"
            "<tr><th>字段</th><th>第一遍</th><th>第二遍</th></tr>" + rows + "</table>"
        )

    def _reset(self, keep_status: bool = False) -> None:
        if self.session and not keep_status:
            self.session.cancel_correction()
            self._say("已清空本份。")
        self._fill({})
        self._focus_first()

    def _say(self, text: str, error: bool = False, raw: bool = False) -> None:
        color = "#c62828" if error else "#1b5e20"
        body = text if raw else html.escape(text).replace("\n", "<br>")
        self.status.value = f"<div style='color:{color}'>{body}</div>"

    # ---- browse, correct, void -------------------------------------------------------------------
    def _review_panel(self) -> w.Widget:
        self.recent = w.Dropdown(options=[], description="答卷", layout=w.Layout(width="520px"))
        self.recent.add_class("wdy-recent")
        self.reason = w.Text(placeholder="修改或作废的原因", description="原因", layout=w.Layout(width="360px"))
        self.reason.add_class("wdy-reason")
        load = w.Button(description="载入修改")
        load.add_class("wdy-load")
        void = w.Button(description="作废", button_style="danger")
        void.add_class("wdy-void")
        restore = w.Button(description="恢复")
        self.history = w.HTML("")
        load.on_click(lambda _: self._act("load"))
        void.on_click(lambda _: self._act("void"))
        restore.on_click(lambda _: self._act("restore"))
        self.recent.observe(lambda _: self._show_history(), "value")
        panel = w.VBox([w.HBox([self.recent, load]), w.HBox([self.reason, void, restore]), self.history])
        acc = w.Accordion(children=[panel], titles=("浏览、修改与作废已录答卷",))
        acc.selected_index = None
        return acc

    def _refresh_recent(self) -> None:
        if not self.session:
            return
        df = self.session.recent()
        keep = self.recent.value
        status = {"active": "", "void": "（已作废）"}
        self.recent.options = [
            (f"#{r.id} 编号 {r.serial or '—'} · {r.operator} · {r.created_at}{status.get(r.status, '')}", int(r.id))
            for r in df.itertuples()
        ]
        ids = [value for _, value in self.recent.options]
        self.recent.value = keep if keep in ids else (ids[0] if ids else None)

    def _act(self, action: str) -> None:
        rid = self.recent.value
        if self.session is None or rid is None:
            self._say("请先开始录入并选择一份答卷。", error=True)
            return
        try:
            if action == "load":
                self._fill(self.session.start_correction(rid))
                self._draft_saved(self.session.save_draft(self.typed()))
                self._say(f"已载入答卷 #{rid}，改好后回车保存（修改会记入审计日志）。")
                self._focus_first()
            elif action == "void":
                self.session.void(rid, self.reason.value)
                self._say(f"答卷 #{rid} 已作废（原因：{self.reason.value}），可随时恢复。")
            else:
                self.session.restore(rid, self.reason.value or "恢复")
                self._say(f"答卷 #{rid} 已恢复。")
        except EntryError as err:
            self._say(str(err), error=True)
            return
        self.reason.value = ""
        self._refresh_recent()
        self._show_history()

    def _show_history(self) -> None:
        if self.session is None or self.recent.value is None:
            self.history.value = ""
            return
        df = self.session.history(self.recent.value)
        rows = "".join(
            f"<tr><td>{html.escape(str(r.at))}</td><td>{html.escape(str(r.operator or ''))}</td>"
            f"<td>{_ACTIONS.get(r.action, html.escape(str(r.action)))}</td><td>{html.escape(str(r.reason or ''))}</td></tr>"
            for r in df.itertuples()
        )
        self.history.value = (
            "<small>审计记录：</small><table><tr><th>时间</th><th>操作人</th><th>操作</th>"
            f"<th>原因</th></tr>{rows}</table>"
        )


class ReviewPanel:
    """The supervisor's screen for double entry: open discrepancies to resolve, and the discrepancy rates."""

    def __init__(self, form: Form, store: Store, supervisor: str):
        from toolkit.entry.double import DoubleEntry

        self.double = DoubleEntry(impatient(store, SAVE_WAIT), form)  # a busy database: told, not frozen
        self.supervisor = supervisor
        self.pick = w.Dropdown(options=[], description="不一致", layout=w.Layout(width="620px"))
        self.choice = w.ToggleButtons(options=[("采用第一遍", "first"), ("采用第二遍", "second"), ("另填", "other")])
        self.value = w.Text(placeholder="另填的正确值（选项填编号 id）", layout=w.Layout(width="300px"))
        apply = w.Button(description="裁定", button_style="primary")
        apply.on_click(lambda _: self._resolve())
        self.status = w.HTML("")
        self.rates = w.HTML("")
        self.widget = w.VBox(
            [
                w.HTML("<h4>双录不一致裁定</h4>"),
                self.pick,
                w.HBox([self.choice, self.value, apply]),
                self.status,
                self.rates,
            ]
        )
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def refresh(self) -> None:
        df = self.double.discrepancies()
        fq = field_question(self.double.form)
        self.pick.options = [
            (
                f"编号 {r.serial} · 第{self.double.form.number(fq[r.field]) if r.field in fq else '?'}题 "
                f"{r.label}（{r.field}）：第一遍 {r.first_value!r}（{r.first_operator}） / 第二遍 {r.second_value!r}"
                f"（{r.second_operator}）",
                int(r.id),
            )
            for r in df.itertuples()
        ]
        self.pick.value = self.pick.options[0][1] if self.pick.options else None
        by_op, by_q = self.double.rates()
        self.rates.value = (
            "<h4>按录入员</h4>"
            + by_op.to_html(index=False, float_format="{:.1%}".format)
            + "<h4>按题目</h4>"
            + by_q[by_q["mismatches"] > 0].to_html(index=False, float_format="{:.1%}".format)
        )

    def _resolve(self) -> None:
        if self.pick.value is None:
            self.status.value = "没有待裁定的不一致。"
            return
        try:
            self.double.resolve(
                self.pick.value, self.choice.value, supervisor=self.supervisor, value=self.value.value or None
            )
        except (EntryError, OperationalError) as err:
            text = (
                str(err) if isinstance(err, EntryError) else str(EntryError("entry.busy_resolve", detail=db_said(err)))
            )
            self.status.value = f"<span style='color:#c62828'>{html.escape(text)}</span>"
            return
        self.status.value = "已裁定并更正答卷（已记入审计日志）。"
        self.value.value = ""
        self.refresh()
