"""Fix and re-submit a quarantined row: the corrected answers become a response, the rejected row is
marked ``resubmitted`` and linked to it, and the change is audited — all in one transaction.

>>> rejected = store.rejected()                                       # doctest: +SKIP
>>> resubmit(store, form, batch_id=3, row_number=17, answers={...}, operator="张三")   # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from toolkit.forms import Form, validate_answers
from toolkit.ingest.errors import IngestError
from toolkit.ingest.validate import skipped_of, without_skipped

if TYPE_CHECKING:  # hints only: toolkit.ingest imports this module eagerly, keep it light
    from sqlalchemy.engine import Connection

    from toolkit.store import Store


def resubmit(
    store: Store,
    form: Form,
    *,
    batch_id: int,
    row_number: int,
    answers: dict,
    operator: str,
    reason: str | None = None,
    conn: Connection | None = None,
    skipped: frozenset[str] | None = None,
) -> int:
    """Store corrected ``answers`` for a quarantined row; return the new response id.

    With ``conn`` the writes join that open transaction (``fixes.resubmit_workbook`` re-submits a whole
    workbook at once); without it they are a transaction of their own. ``skipped``: the row's questions
    the platform did not show (read from the batch's report when not given).
    """
    rows = store.open_rejected(batch_id, row_number)
    batch = store.batch(batch_id)
    if not rows or batch is None:
        raise IngestError("ingest.row_not_pending", batch=batch_id, row=row_number)
    clean, problems = validate_answers(form, answers)
    if skipped is None:  # the workbook path knows them; parsing the batch report per row would be its hot spot
        skipped = skipped_of(_report(batch), row_number)
    problems = without_skipped(problems, skipped)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise IngestError(
            "ingest.still_invalid",
            batch=batch_id,
            row=row_number,
            problems=errors,
            details="".join(f"\n{p.message}" for p in errors),  # each with its own fix
        )
    raw = json.loads(rows[0]["raw"]) if rows[0]["raw"] else None
    if conn is None:
        with store.transaction() as own:
            return _write(store, form, own, rows, raw, batch, batch_id, row_number, clean, operator, reason)
    return _write(store, form, conn, rows, raw, batch, batch_id, row_number, clean, operator, reason)


def _write(store, form, conn, rows, raw, batch, batch_id, row_number, clean, operator, reason) -> int:
    ids = store.add_responses(
        form,
        [
            {
                "answers": clean,
                "raw": raw,
                "row_number": row_number,
                "fingerprint": rows[0]["fingerprint"],
                "flags": ["resubmitted"],
            }
        ],
        source=batch["source"],
        operator=operator,
        batch_id=batch_id,
        conn=conn,
    )
    store.resolve_rejected(conn, [x["id"] for x in rows], status="resubmitted", response_id=ids[0])
    store.log_audit(
        conn,
        operator=operator,
        action="resubmit",
        entity="rejected_row",
        entity_id=rows[0]["id"],
        before={"rule": [x["rule"] for x in rows], "value": [x["value"] for x in rows]},
        after=clean,
        reason=reason,
    )
    return ids[0]


def _report(batch: dict) -> dict:
    report = batch.get("report")
    return json.loads(report) if isinstance(report, str) and report else (report or {})
