"""One operator's entry session on one form: drafts, checks, saving, today's count, corrections, voiding.

Everything the entry widgets do goes through here, so it is testable without a browser and the
widgets stay a thin skin. Typed texts (not parsed answers) are what the draft keeps: an operator
who comes back after a crash finds exactly what they had typed.

>>> s = EntrySession(form, store, operator="张三")          # doctest: +SKIP
>>> s.save_draft({"district": "3"})                         # doctest: +SKIP
>>> response_id = s.submit({"district": "3", ...})          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Mapping

import pandas as pd
from sqlalchemy import func, select

from toolkit.entry.codes import answers_from_typed, typed_from_answers
from toolkit.entry.double import DoubleEntry, SecondEntryResult
from toolkit.entry.errors import EntryError
from toolkit.forms import AnswerProblem, Form, validate_answers
from toolkit.store import Store, schema
from toolkit.store.store import dumps, now

MODES = {"first": "第一遍录入", "second": "第二遍录入（双录核对）", "correct": "修改已录答卷"}


class EntrySession:
    def __init__(self, form: Form, store: Store, operator: str, mode: str = "first"):
        if not str(operator or "").strip():
            raise EntryError("请先填写录入员姓名。修改：在“录入员”一栏写上您的名字，每份答卷都会记下录入员和时间。")
        if mode not in ("first", "second"):
            raise EntryError(f"录入方式只能是 first（第一遍）或 second（第二遍），收到 {mode!r}。")
        self.form, self.store, self.operator, self.mode = form, store, str(operator).strip(), mode
        self.version = store.save_form(form)
        self.correcting: int | None = None     # response id being corrected, if any

    # ---- checks ----------------------------------------------------------------------------------
    def check(self, typed: Mapping[str, str]) -> tuple[dict, list[AnswerProblem]]:
        """Parse typed texts and apply the form's rules (the same ones ingest applies)."""
        return validate_answers(self.form, answers_from_typed(self.form, typed))

    # ---- drafts: a typed form is never lost ------------------------------------------------------
    @property
    def _draft_mode(self) -> str:
        return "correct" if self.correcting else self.mode

    def save_draft(self, typed: Mapping[str, str]) -> None:
        """Keep the form in progress in the database (called on every change)."""
        t = schema.entry_drafts
        values = {"answers": dumps({k: v for k, v in typed.items() if v}), "response_id": self.correcting,
                  "updated_at": now()}
        key = (t.c.form_id == self.form.id) & (t.c.operator == self.operator) & (t.c.mode == self._draft_mode)
        with self.store.transaction() as c:
            if c.execute(t.update().where(key).values(**values)).rowcount == 0:
                c.execute(t.insert().values(form_id=self.form.id, operator=self.operator, mode=self._draft_mode,
                                            **values))

    def load_draft(self) -> tuple[dict[str, str], int | None] | None:
        """(typed texts, response id being corrected) of an unsaved form, or None."""
        t = schema.entry_drafts
        with self.store.engine.connect() as c:
            for mode in (self.mode, "correct"):
                row = c.execute(select(t.c.answers, t.c.response_id).where(
                    t.c.form_id == self.form.id, t.c.operator == self.operator, t.c.mode == mode)).first()
                if row and json.loads(row[0]):
                    return json.loads(row[0]), row[1]
        return None

    def clear_draft(self) -> None:
        t = schema.entry_drafts
        with self.store.transaction() as c:
            c.execute(t.delete().where(t.c.form_id == self.form.id, t.c.operator == self.operator,
                                       t.c.mode == self._draft_mode))

    # ---- saving ----------------------------------------------------------------------------------
    def submit(self, typed: Mapping[str, str], reason: str | None = None) -> int | SecondEntryResult:
        """Save the form: a new response (first entry), a second entry, or a correction.

        Raises ``EntryError`` listing every problem if the answers break a rule; the draft is kept.
        Returns the response id, or for a second entry the comparison with the first.
        """
        clean, problems = self.check(typed)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise EntryError(f"有 {len(errors)} 处需要改正，答卷未保存（已录内容保留）：\n"
                             + "\n".join(p.message for p in errors), problems=errors)
        serial_q = self.form.by_role("serial")
        serial = str(clean.get(serial_q.id) or "").strip() or None if serial_q else None
        if self.correcting:
            self.store.update_response(self.correcting, clean, operator=self.operator,
                                       reason=reason or "录入员修改")
            result: int | SecondEntryResult = self.correcting
            self.clear_draft()
            self.correcting = None
            return result
        if self.mode == "second":
            result = DoubleEntry(self.store, self.form).add_second(clean, operator=self.operator)
        else:
            if serial:
                self._refuse_duplicate_serial(serial)
            result = self.store.add_responses(self.form, [{"answers": clean, "serial": serial,
                                                           "submitted_at": dt.datetime.now()}],
                                              source="entry", operator=self.operator)[0]
        self.clear_draft()
        return result

    def _refuse_duplicate_serial(self, serial: str) -> None:
        t = schema.responses
        with self.store.engine.connect() as c:
            row = c.execute(select(t.c.id, t.c.operator).where(t.c.form_id == self.form.id, t.c.serial == serial,
                                                               t.c.status == "active")).first()
        if row:
            raise EntryError(f"问卷编号 {serial} 已录入过（答卷 #{row[0]}，录入员 {row[1]}）。修改：核对编号；"
                             "若是双人录入的第二遍，请切换到“第二遍录入”。")

    # ---- today's count, browsing, corrections ------------------------------------------------------
    def count_today(self) -> int:
        """Forms this operator saved today (first entries and second entries)."""
        today = dt.date.today().isoformat()
        r, s = schema.responses, schema.second_entries
        with self.store.engine.connect() as c:
            first = c.execute(select(func.count()).select_from(r).where(
                r.c.form_id == self.form.id, r.c.operator == self.operator, r.c.source == "entry",
                r.c.created_at >= today)).scalar()
            second = c.execute(select(func.count()).select_from(s).where(
                s.c.form_id == self.form.id, s.c.operator == self.operator, s.c.created_at >= today)).scalar()
        return int(first or 0) + int(second or 0)

    def recent(self, limit: int = 50, include_void: bool = True) -> pd.DataFrame:
        """The latest entered responses of this form, newest first."""
        t = schema.responses
        q = (select(t.c.id, t.c.serial, t.c.operator, t.c.created_at, t.c.updated_at, t.c.status, t.c.form_version)
             .where(t.c.form_id == self.form.id, t.c.source == "entry").order_by(t.c.id.desc()).limit(limit))
        if not include_void:
            q = q.where(t.c.status == "active")
        with self.store.engine.connect() as c:
            return pd.DataFrame(c.execute(q).mappings().all(), columns=list(q.selected_columns.keys()))

    def start_correction(self, response_id: int) -> dict[str, str]:
        """Load a stored response for correcting; return its answers as typed texts."""
        response = self.store.response(response_id)
        if response["form_id"] != self.form.id:
            raise EntryError(f"答卷 #{response_id} 属于问卷 {response['form_id']}，不是 {self.form.id}。")
        answers = response["answers"]
        if response["form_version"] != self.version:
            from toolkit.forms.versions import upgrade_answers

            later = [self.store.get_form(self.form.id, v) for v in range(response["form_version"] + 1, self.version + 1)]
            answers = upgrade_answers(answers, later)
        self.correcting = response_id
        return typed_from_answers(self.form, answers)

    def cancel_correction(self) -> None:
        self.clear_draft()
        self.correcting = None

    def void(self, response_id: int, reason: str) -> None:
        if not (reason or "").strip():
            raise EntryError("作废答卷需要写明原因（如“重复录入”“编号错误”）。修改：在“原因”一栏填写后再点作废。")
        self.store.set_status(response_id, "void", operator=self.operator, reason=reason)

    def restore(self, response_id: int, reason: str = "恢复") -> None:
        self.store.set_status(response_id, "active", operator=self.operator, reason=reason)

    def history(self, response_id: int) -> pd.DataFrame:
        """The audit trail of one response: who changed what, when and why."""
        return self.store.audit("response", response_id)[["at", "operator", "action", "before", "after", "reason"]]

