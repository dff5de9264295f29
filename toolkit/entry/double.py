"""Double entry (EpiData style): a second operator re-types a paper form by its 编号; fields that differ
are listed one by one, a supervisor resolves each, and discrepancy rates are reported per operator
and per question.

>>> de = DoubleEntry(store, form)                                            # doctest: +SKIP
>>> result = de.add_second(answers, operator="李四")                          # doctest: +SKIP
>>> de.resolve(result.mismatches[0].id, "first", supervisor="王主任")        # doctest: +SKIP
>>> by_operator, by_question = de.rates()                                    # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from toolkit.entry.errors import EntryError
from toolkit.forms import Form, flatten_answers, validate_answers
from toolkit.store import Store, dumps, now, schema

_CHOICE_WORDS = {"first": "第一遍", "second": "第二遍", "other": "另填的正确值"}


@dataclass(frozen=True)
class Mismatch:
    field: str  # answer column: q3, services/medical, people_met_other
    first: Any
    second: Any
    id: int | None = None  # entry_discrepancies.id once stored


def _norm(q, value):
    if value is None or value == "" or value == [] or value == {}:
        return None
    if q is not None and q.kind == "multiple" and isinstance(value, list):
        return sorted(map(str, value))  # order of ticks on paper carries no meaning
    if isinstance(value, str):
        return " ".join(value.split())  # extra spaces are not a typing difference
    return value


def field_question(form: Form) -> dict[str, str]:
    """{answer column: question id}."""
    return {col: q.id for q in form.answer_questions() for col in q.columns()}


def compare(form: Form, first: Mapping[str, Any], second: Mapping[str, Any]) -> list[Mismatch]:
    """Fields whose values differ between two entries of one paper form, in form order."""
    a, b = flatten_answers(first), flatten_answers(second)
    out = []
    for field, qid in field_question(form).items():
        q = form.question(qid)
        if _norm(q, a.get(field)) != _norm(q, b.get(field)):
            out.append(Mismatch(field, a.get(field), b.get(field)))
    return out


def set_field(answers: Mapping[str, Any], field: str, value: Any) -> dict:
    """A copy of ``answers`` with one answer column set (``q/row`` writes into the matrix dict)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in answers.items()}
    base, _, row = field.partition("/")
    if row:
        rows = dict(out.get(base) or {})
        if value is None:
            rows.pop(row, None)
        else:
            rows[row] = value
        out[base] = rows
        if not rows:
            out.pop(base)
    elif value is None:
        out.pop(field, None)
    else:
        out[field] = value
    return out


@dataclass
class SecondEntryResult:
    second_entry_id: int
    response_id: int
    serial: str
    n_fields: int
    mismatches: list[Mismatch]

    @property
    def matched(self) -> bool:
        return not self.mismatches


class DoubleEntry:
    """Second entries, their discrepancies and the supervisor's resolutions for one form."""

    def __init__(self, store: Store, form: Form):
        self.store, self.form = store, form
        serial_q = form.by_role("serial")
        if serial_q is None:
            raise EntryError("entry.no_serial_question", form=form.id)
        self.serial_id = serial_q.id

    def first_entry(self, serial: str) -> dict:
        t = schema.responses
        with self.store.engine.connect() as c:
            rows = c.execute(
                select(t.c.id)
                .where(t.c.form_id == self.form.id, t.c.serial == serial, t.c.status == "active")
                .order_by(t.c.id)
            ).all()
        if not rows:
            raise EntryError("entry.no_first_entry", serial=serial)
        if len(rows) > 1:
            ids = "、".join(f"#{r[0]}" for r in rows)
            raise EntryError("entry.serial_repeated", serial=serial, count=len(rows), ids=ids)
        return self.store.response(rows[0][0])

    def add_second(self, answers: Mapping[str, Any], *, operator: str) -> SecondEntryResult:
        """Store a second entry (clean answers) and its mismatches with the first, in one transaction."""
        serial = str(answers.get(self.serial_id) or "").strip()
        if not serial:
            raise EntryError(
                "entry.serial_missing", label=self.form.question(self.serial_id).label, question=self.serial_id
            )
        first = self.first_entry(serial)
        if first["operator"] == operator:
            raise EntryError("entry.same_operator", serial=serial, operator=operator)
        mismatches = compare(self.form, first["answers"], answers)
        stamp = now()
        with self.store.transaction() as c:
            version = self.store.save_form(self.form, c)
            res = c.execute(
                schema.second_entries.insert().values(
                    form_id=self.form.id,
                    form_version=version,
                    serial=serial,
                    response_id=first["id"],
                    operator=operator,
                    answers=dumps(dict(answers)),
                    n_fields=len(field_question(self.form)),
                    n_mismatches=len(mismatches),
                    created_at=stamp,
                )
            )
            second_id = res.inserted_primary_key[0]
            stored = []
            for m in mismatches:
                r = c.execute(
                    schema.entry_discrepancies.insert().values(
                        second_entry_id=second_id,
                        response_id=first["id"],
                        field=m.field,
                        first_value=dumps(m.first),
                        second_value=dumps(m.second),
                        status="open",
                    )
                )
                stored.append(Mismatch(m.field, m.first, m.second, r.inserted_primary_key[0]))
            self.store.log_audit(
                c,
                operator=operator,
                action="second_entry",
                entity="response",
                entity_id=first["id"],
                after={"second_entry_id": second_id, "mismatches": [m.field for m in mismatches]},
            )
        return SecondEntryResult(second_id, first["id"], serial, len(field_question(self.form)), stored)

    def discrepancies(self, status: str | None = "open") -> pd.DataFrame:
        """Discrepancies with the serial, both operators and both values (JSON decoded)."""
        d, s, r = schema.entry_discrepancies, schema.second_entries, schema.responses
        q = (
            select(
                d.c.id,
                d.c.second_entry_id,
                s.c.serial,
                d.c.response_id,
                d.c.field,
                d.c.first_value,
                d.c.second_value,
                r.c.operator.label("first_operator"),
                s.c.operator.label("second_operator"),
                d.c.status,
                d.c.resolution,
                d.c.resolved_value,
                d.c.resolved_by,
                d.c.resolved_at,
            )
            .join(s, d.c.second_entry_id == s.c.id)
            .join(r, d.c.response_id == r.c.id)
            .where(s.c.form_id == self.form.id)
            .order_by(d.c.id)
        )
        if status:
            q = q.where(d.c.status == status)
        with self.store.engine.connect() as c:
            df = pd.DataFrame(c.execute(q).mappings().all(), columns=list(q.selected_columns.keys()))
        for col in ("first_value", "second_value", "resolved_value"):
            df[col] = [json.loads(v) if isinstance(v, str) else None for v in df[col]]
        labels = {col: self.form.question(qid).label for col, qid in field_question(self.form).items()}
        df.insert(5, "label", [labels.get(f, f) for f in df["field"]])
        return df

    def resolve(
        self,
        discrepancy_id: int,
        choice: str = "first",
        *,
        supervisor: str,
        value: Any = None,
        reason: str | None = None,
    ) -> None:
        """Settle one discrepancy: keep the ``first`` value, take the ``second``, or set ``other`` = ``value``.

        The response is corrected (audited) and the discrepancy closed in one transaction.
        """
        if choice not in ("first", "second", "other"):
            raise EntryError("entry.resolution_unknown", choice=choice)
        d = schema.entry_discrepancies
        with self.store.engine.connect() as c:
            row = c.execute(select(d).where(d.c.id == discrepancy_id)).mappings().first()
        if row is None:
            raise EntryError("entry.discrepancy_unknown", discrepancy=discrepancy_id)
        if row["status"] == "resolved":
            raise EntryError(
                "entry.discrepancy_resolved", discrepancy=discrepancy_id, field=row["field"], by=row["resolved_by"]
            )
        chosen = {"first": json.loads(row["first_value"]), "second": json.loads(row["second_value"])}.get(choice, value)
        response = self.store.response(row["response_id"])
        answers = set_field(response["answers"], row["field"], chosen)
        if choice == "other":
            _, problems = validate_answers(self.form, answers)
            qid = field_question(self.form).get(row["field"])
            errors = [p for p in problems if p.is_error and p.question_id == qid]
            if errors:
                raise EntryError(
                    "entry.resolution_invalid", details="".join(f"\n{p.message}" for p in errors), problems=errors
                )
        with self.store.transaction() as c:
            if answers != response["answers"]:
                c.execute(
                    schema.responses.update()
                    .where(schema.responses.c.id == row["response_id"])
                    # a new revision: a correction opened before this ruling is refused, not saved over it
                    .values(answers=dumps(answers), updated_at=now(), revision=schema.responses.c.revision + 1)
                )
                self.store.reindex(c, row["response_id"], answers)  # duplicate checks see the ruled answers
                self.store.log_audit(
                    c,
                    operator=supervisor,
                    action="update",
                    entity="response",
                    entity_id=row["response_id"],
                    before=response["answers"],
                    after=answers,
                    reason=reason or f"双录裁定：{row['field']} 采用{_CHOICE_WORDS[choice]}",
                )
            c.execute(
                d.update()
                .where(d.c.id == discrepancy_id)
                .values(
                    status="resolved",
                    resolution=choice,
                    resolved_value=dumps(chosen),
                    resolved_by=supervisor,
                    resolved_at=now(),
                )
            )

    def rates(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per operator, per question) discrepancy rates over all second entries of this form.

        Per operator: fields both entries compared, mismatches in forms the operator typed (first or
        second), and — once resolved — errors attributed to them (the value not kept).
        """
        s, r = schema.second_entries, schema.responses
        with self.store.engine.connect() as c:
            pairs = (
                c.execute(
                    select(s.c.id, s.c.operator, s.c.n_fields, r.c.operator.label("first_operator"))
                    .join(r, s.c.response_id == r.c.id)
                    .where(s.c.form_id == self.form.id)
                )
                .mappings()
                .all()
            )
        disc = self.discrepancies(status=None)
        ops: dict[str, dict] = {}

        def op(name):
            return ops.setdefault(name or "（未填）", {"forms": 0, "fields": 0, "mismatches": 0, "errors": 0})

        by_pair = {p["id"]: p for p in pairs}
        for p in pairs:
            for name in (p["first_operator"], p["operator"]):
                op(name)["forms"] += 1
                op(name)["fields"] += p["n_fields"]
        for row in disc.itertuples():
            pair = by_pair[row.second_entry_id]
            for name in (pair["first_operator"], pair["operator"]):
                op(name)["mismatches"] += 1
            if row.resolution == "first":
                op(pair["operator"])["errors"] += 1
            elif row.resolution == "second":
                op(pair["first_operator"])["errors"] += 1
            elif row.resolution == "other":
                op(pair["operator"])["errors"] += 1
                op(pair["first_operator"])["errors"] += 1
        by_op = pd.DataFrame(
            [{"operator": k, **v} for k, v in sorted(ops.items())],
            columns=["operator", "forms", "fields", "mismatches", "errors"],
        )
        by_op["mismatch_rate"] = (by_op["mismatches"] / by_op["fields"]).where(by_op["fields"] > 0)
        by_op["error_rate"] = (by_op["errors"] / by_op["fields"]).where(by_op["fields"] > 0)
        fq = field_question(self.form)
        n_pairs = len(pairs)
        rows = []
        for q in self.form.answer_questions():
            n_cols = len(q.columns())
            mism = int(sum(fq.get(f) == q.id for f in disc["field"])) if len(disc) else 0
            rows.append(
                {
                    "question_id": q.id,
                    "number": self.form.number(q.id),
                    "label": q.label,
                    "fields": n_pairs * n_cols,
                    "mismatches": mism,
                }
            )
        by_q = pd.DataFrame(rows, columns=["question_id", "number", "label", "fields", "mismatches"])
        by_q["mismatch_rate"] = (by_q["mismatches"] / by_q["fields"]).where(by_q["fields"] > 0)
        return by_op, by_q.sort_values(
            ["mismatch_rate", "number"], ascending=[False, True], na_position="last"
        ).reset_index(drop=True)
