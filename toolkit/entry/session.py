"""One operator's entry session on one form: drafts, checks, saving, today's count, corrections, voiding.

Everything the entry widgets do goes through here, so it is testable without a browser and the
widgets stay a thin skin. Typed texts (not parsed answers) are what the draft keeps: an operator
who comes back after a crash finds exactly what they had typed. A database busy with another writer
never freezes typing: writes wait briefly, drafts wait in memory and beside the database (``busy.py``).

>>> s = EntrySession(form, store, operator="张三")          # doctest: +SKIP
>>> s.save_draft({"district": "3"})                         # doctest: +SKIP
>>> response_id = s.submit({"district": "3", ...})          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from toolkit.entry.busy import BUSY_ERRORS, DRAFT_WAIT, RETRY_AFTER, SAVE_WAIT, LocalDraft, db_said, impatient
from toolkit.entry.busy import reason as busy_reason
from toolkit.entry.codes import answers_from_typed, typed_from_answers
from toolkit.entry.double import DoubleEntry, SecondEntryResult
from toolkit.entry.errors import EntryError
from toolkit.forms import AnswerProblem, Form, validate_answers
from toolkit.store import Store, StoreConflict, dumps, local_midnight, now, schema

MODES = {"first": "第一遍录入", "second": "第二遍录入（双录核对）", "correct": "修改已录答卷"}


class EntrySession:
    def __init__(self, form: Form, store: Store, operator: str, mode: str = "first"):
        if not str(operator or "").strip():
            raise EntryError("entry.operator_missing")
        if mode not in ("first", "second"):
            raise EntryError("entry.mode_unknown", mode=mode)
        self.form, self.store, self.operator, self.mode = form, store, str(operator).strip(), mode
        # writes wait briefly for a busy database (see busy.py); reads use the store as is
        self._writer, self._draft_writer = impatient(store, SAVE_WAIT), impatient(store, DRAFT_WAIT)
        self._local = LocalDraft(store, form.id, self.operator)
        self.pending: tuple[str, dict, int | None] | None = None  # (mode, typed, response id) not yet in the database
        self.draft_problem: str | None = None  # why the last draft did not reach the database
        self._retry_at = 0.0
        try:
            self._require_account()
            self.version = self._writer.save_form(form)
        except OperationalError as err:
            raise EntryError("entry.busy_start", detail=db_said(err)) from None
        self.correcting: int | None = None  # response id being corrected, if any
        self.correcting_revision: int | None = None  # its revision when loaded (a stale save is refused)

    # ---- checks ----------------------------------------------------------------------------------
    def _require_account(self) -> None:
        """Once the store has operators' accounts, entries are saved under one of them only."""
        from toolkit.store import StoreError, require_account

        with self.store.engine.connect() as c:
            try:
                require_account(c, self.operator)
            except StoreError:
                raise EntryError("entry.operator_not_account", name=self.operator) from None

    def check(self, typed: Mapping[str, str]) -> tuple[dict, list[AnswerProblem]]:
        """Parse typed texts and apply the form's rules (the same ones ingest applies)."""
        return validate_answers(self.form, answers_from_typed(self.form, typed))

    # ---- drafts: a typed form is never lost ------------------------------------------------------
    @property
    def _draft_mode(self) -> str:
        return "correct" if self.correcting else self.mode

    def save_draft(self, typed: Mapping[str, str]) -> bool:
        """Keep the form in progress (called on every change); True once it is in the database.

        While the database is busy the draft stays in memory and in a file beside the database
        (``draft_problem`` says why), the database is left alone for ``RETRY_AFTER`` seconds so typing
        never waits on it, and the next call after that (or ``retry_draft``) writes the latest draft.
        """
        self._keep(self._draft_mode, {k: v for k, v in typed.items() if v}, self.correcting)
        if time.monotonic() < self._retry_at:
            mode, kept, response_id = self.pending
            self._local.write(mode, kept, response_id)
            return False
        return self.retry_draft()

    def retry_draft(self) -> bool:
        """Write the kept draft to the database now; True if nothing is left waiting."""
        if self.pending is None:
            return True
        mode, typed, response_id = self.pending
        t = schema.entry_drafts
        values = {"answers": dumps(typed), "response_id": response_id, "updated_at": now()}
        key = (t.c.form_id == self.form.id) & (t.c.operator == self.operator) & (t.c.mode == mode)
        try:
            with self._draft_writer.transaction() as c:
                if not typed:
                    c.execute(t.delete().where(key))
                elif c.execute(t.update().where(key).values(**values)).rowcount == 0:
                    c.execute(t.insert().values(form_id=self.form.id, operator=self.operator, mode=mode, **values))
        except OperationalError as err:
            self.draft_problem = busy_reason(err)
            self._retry_at = time.monotonic() + RETRY_AFTER
            self._local.write(mode, typed, response_id)
            return False
        if self.pending == (mode, typed, response_id):
            self.pending = None
        self.draft_problem, self._retry_at = None, 0.0
        self._local.remove(mode)
        return self.pending is None

    def _keep(self, mode: str, typed: dict, response_id: int | None) -> None:
        if self.pending is not None and self.pending[0] != mode:
            self.retry_draft()  # another mode's draft still waiting: try it before it is replaced
        self.pending = (mode, typed, response_id)

    def load_draft(self) -> tuple[dict[str, str], int | None] | None:
        """(typed texts, response id being corrected) of an unsaved form, or None.

        A draft kept in memory or beside the database (it could not be written) wins over the database's.
        """
        t = schema.entry_drafts
        for mode in (self.mode, "correct"):
            kept = self.pending[1:] if self.pending is not None and self.pending[0] == mode else self._local.read(mode)
            if kept is None:
                try:
                    with self.store.engine.connect() as c:
                        row = c.execute(
                            select(t.c.answers, t.c.response_id).where(
                                t.c.form_id == self.form.id, t.c.operator == self.operator, t.c.mode == mode
                            )
                        ).first()
                except BUSY_ERRORS as err:
                    raise EntryError("entry.busy_draft", detail=db_said(err)) from None
                kept = (json.loads(row[0]), row[1]) if row else None
            if kept and kept[0]:
                return dict(kept[0]), kept[1]
        return None

    def clear_draft(self) -> None:
        """Forget the form in progress (after saving or on 清空); a busy database is cleared later."""
        self._keep(self._draft_mode, {}, None)
        self.retry_draft()

    # ---- saving ----------------------------------------------------------------------------------
    def submit(self, typed: Mapping[str, str], reason: str | None = None) -> int | SecondEntryResult:
        """Save the form: a new response (first entry), a second entry, or a correction.

        Raises ``EntryError`` listing every problem if the answers break a rule; the draft is kept.
        Returns the response id, or for a second entry the comparison with the first.
        """
        clean, problems = self.check(typed)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise EntryError(
                "entry.has_problems",
                count=len(errors),
                details="".join(f"\n{p.message}" for p in errors),
                problems=errors,
            )
        serial_q = self.form.by_role("serial")
        serial = str(clean.get(serial_q.id) or "").strip() or None if serial_q else None
        try:
            if self.correcting:
                self._writer.update_response(
                    self.correcting,
                    clean,
                    operator=self.operator,
                    reason=reason or "录入员修改",
                    revision=self.correcting_revision,  # someone else's save since loading: StaleEdit
                )
                result: int | SecondEntryResult = self.correcting
                self.clear_draft()
                self.correcting = None
                return result
            if self.mode == "second":
                result = DoubleEntry(self._writer, self.form).add_second(clean, operator=self.operator)
            else:
                if serial:
                    self._refuse_duplicate_serial(serial)
                result = self._writer.add_responses(
                    self.form,
                    [{"answers": clean, "serial": serial, "submitted_at": dt.datetime.now()}],
                    source="entry",
                    operator=self.operator,
                )[0]
        except OperationalError as err:
            # nothing was written (one transaction); the typed form is kept like any draft
            self.save_draft(typed)
            raise EntryError("entry.busy_save", detail=db_said(err)) from None
        except StoreConflict as err:  # a 问卷编号 saved by another operator a moment ago, or a stale correction
            self.save_draft(typed)
            raise EntryError.from_error(err) from None
        self.clear_draft()
        return result

    def _refuse_duplicate_serial(self, serial: str) -> None:
        t = schema.responses
        with self.store.engine.connect() as c:
            row = c.execute(
                select(t.c.id, t.c.operator).where(
                    t.c.form_id == self.form.id, t.c.serial == serial, t.c.status == "active"
                )
            ).first()
        if row:
            raise EntryError("entry.serial_taken", serial=serial, response_id=row[0], operator=row[1])

    # ---- today's count, browsing, corrections ------------------------------------------------------
    def count_today(self) -> int:
        """Forms this operator saved today (first entries and second entries)."""
        today = local_midnight()  # stamps are UTC: today starts at this computer's midnight
        r, s = schema.responses, schema.second_entries
        with self.store.engine.connect() as c:
            first = c.execute(
                select(func.count())
                .select_from(r)
                .where(
                    r.c.form_id == self.form.id,
                    r.c.operator == self.operator,
                    r.c.source == "entry",
                    r.c.created_at >= today,
                )
            ).scalar()
            second = c.execute(
                select(func.count())
                .select_from(s)
                .where(s.c.form_id == self.form.id, s.c.operator == self.operator, s.c.created_at >= today)
            ).scalar()
        return int(first or 0) + int(second or 0)

    def recent(self, limit: int = 50, include_void: bool = True) -> pd.DataFrame:
        """The latest entered responses of this form, newest first."""
        t = schema.responses
        q = (
            select(t.c.id, t.c.serial, t.c.operator, t.c.created_at, t.c.updated_at, t.c.status, t.c.form_version)
            .where(t.c.form_id == self.form.id, t.c.source == "entry")
            .order_by(t.c.id.desc())
            .limit(limit)
        )
        if not include_void:
            q = q.where(t.c.status == "active")
        with self.store.engine.connect() as c:
            return pd.DataFrame(c.execute(q).mappings().all(), columns=list(q.selected_columns.keys()))

    def start_correction(self, response_id: int) -> dict[str, str]:
        """Load a stored response for correcting; return its answers as typed texts."""
        response = self.store.response(response_id)
        if response["form_id"] != self.form.id:
            raise EntryError("entry.wrong_form", response_id=response_id, found=response["form_id"], form=self.form.id)
        answers = response["answers"]
        if response["form_version"] != self.version:
            from toolkit.forms import upgrade_answers

            later = [
                self.store.get_form(self.form.id, v) for v in range(response["form_version"] + 1, self.version + 1)
            ]
            answers = upgrade_answers(answers, later)
        self.correcting, self.correcting_revision = response_id, response["revision"]
        return typed_from_answers(self.form, answers)

    def cancel_correction(self) -> None:
        self.clear_draft()
        self.correcting = None

    def void(self, response_id: int, reason: str) -> None:
        if not (reason or "").strip():
            raise EntryError("entry.void_reason_missing")
        self._set_status(response_id, "void", reason, "作废")

    def restore(self, response_id: int, reason: str = "恢复") -> None:
        self._set_status(response_id, "active", reason, "恢复")

    def _set_status(self, response_id: int, status: str, why: str, action: str) -> None:
        try:
            self._writer.set_status(response_id, status, operator=self.operator, reason=why)
        except OperationalError as err:
            code = "entry.busy_void" if status == "void" else "entry.busy_restore"
            raise EntryError(code, response_id=response_id, detail=db_said(err)) from None

    def history(self, response_id: int) -> pd.DataFrame:
        """The audit trail of one response: who changed what, when and why."""
        return self.store.audit("response", response_id)[["at", "operator", "action", "before", "after", "reason"]]
