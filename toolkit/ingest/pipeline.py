"""From a file to the store: read, map, validate, quarantine, flag duplicates, write in one transaction.

>>> report = ingest("wjx_export.xlsx", "surveys/annual_topics.yaml", "data/x.db")   # doctest: +SKIP
>>> report["accepted"], report["rejected"], report["unmapped_columns"]               # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from toolkit.forms import AnswerProblem, Form, load_form
from toolkit.ingest import duplicates as dup
from toolkit.ingest.errors import IngestError
from toolkit.ingest.files import RawTable, read_table
from toolkit.ingest.mapping import load_mapping, mapping_path, match_questions, save_mapping
from toolkit.ingest.readers import get_reader
from toolkit.ingest.validate import validate_rows
from toolkit.store import Store, StoreConflict, open_store

MIN_MATCHED = 0.3  # below this share of matched questions the file is taken to be from another survey


def _unique_headers(headers: list[str]) -> list[str]:
    """Raw-row keys: a repeated header numbered ``意见#2`` (never a name another column has), so no column is lost."""
    taken, used, out = set(headers), set(), []
    for h in headers:
        name, k = h, 2
        while name in used or name != h and name in taken:
            name, k = f"{h}#{k}", k + 1
        used.add(name)
        taken.add(name)
        out.append(name)
    return out


def _raw_rows(table: RawTable) -> list[dict]:
    headers = _unique_headers(table.header)
    return [
        {h: v for h, v in zip(headers, values) if v is not None}
        for values in table.data.itertuples(index=False, name=None)
    ]


FORM_SUFFIXES = (".yaml", ".yml")


def check_swapped(path, form) -> None:
    """Raise if the export and the form definition look swapped (``ingest form.yaml --form export.xls``)."""
    if not isinstance(form, (str, Path)):
        return
    form_ext, input_ext = Path(form).suffix.lower(), Path(str(path)).suffix.lower()
    if form_ext in FORM_SUFFIXES and input_ext not in FORM_SUFFIXES:
        return
    form_bad, input_bad = form_ext not in FORM_SUFFIXES, input_ext in FORM_SUFFIXES
    if form_bad and input_bad:  # the export is where the form belongs and the other way round
        raise IngestError(
            "ingest.args_swapped", form=form, path=path, path_name=Path(str(form)).name, form_name=Path(str(path)).name
        )
    if form_bad:
        raise IngestError("ingest.form_not_yaml", form=form, ext=form_ext)
    raise IngestError("ingest.input_is_form", path=path, ext=input_ext)


def read_export(
    path, form: Form, source: str = "auto", sheet=None, mapping: dict | None = None, header_row: int | None = None
) -> dict:
    """Read and map an export without touching any store.

    Returns a dict with ``table``, ``reader``, ``layout``, ``pairs`` (source question, form question),
    ``unmapped`` (header texts), ``answers`` (one dict per row, before validation) and ``meta`` (DataFrame).
    """
    table = read_table(path, sheet=sheet, header_row=header_row)
    reader = get_reader(source, table)
    layout = reader.for_form(reader.layout(table), form)
    saved = load_mapping(form) if mapping is None else mapping
    pairs, unmatched = match_questions(layout, form, saved)
    n_questions = len(layout.questions)
    if not pairs or (n_questions and len(pairs) / n_questions < MIN_MATCHED):
        sample = "、".join(sq.headers[0] for sq in layout.questions[:5]) or "、".join(table.header[:5])
        raise IngestError(
            "ingest.no_match",
            path=path,
            title=form.title,
            form=form.id,
            reader=reader.label,
            matched=len(pairs),
            total=n_questions,
            sample=sample,
        )
    columns: dict[str, list] = {}
    for sq, q in pairs:
        columns.update(reader.decode(table, layout, sq, q))
    keys = list(columns)
    answers = (
        [{k: v for k, v in zip(keys, values) if v is not None} for values in zip(*columns.values())]
        if keys
        else [{} for _ in range(table.n_rows)]
    )
    unmapped = [table.header[c.index] for sq in unmatched for c in sq.columns] + [
        table.header[i] for i in layout.unknown
    ]
    return {
        "table": table,
        "reader": reader,
        "layout": layout,
        "pairs": pairs,
        "unmapped": unmapped,
        "answers": answers,
        "meta": reader.meta(table, layout),
        "not_shown": _not_shown(table, reader, pairs),
    }


def _not_shown(table: RawTable, reader, pairs) -> list[frozenset[str]]:
    """Per row, the form questions the platform marks as skipped by its logic (问卷星 ``(跳过)``, ``-3``)."""
    flagged = [(q.id, f) for sq, q in pairs if (f := reader.not_shown(table, sq)) is not None and f.any()]
    if not flagged:
        return [frozenset()] * table.n_rows
    ids = [qid for qid, _ in flagged]
    # rows share a few skip patterns: one frozenset per distinct pattern
    patterns: dict[tuple, frozenset] = {}
    return [
        patterns.setdefault(row, frozenset(q for q, hit in zip(ids, row) if hit))
        for row in zip(*(f.tolist() for _, f in flagged))
    ]


def ingest(
    path,
    form: Form | str | Path,
    store: Store | str | Path,
    *,
    source: str = "auto",
    operator: str | None = None,
    sheet=None,
    remember_mapping: bool = True,
    header_row: int | None = None,
) -> dict:
    """Import one export file into ``store`` and return the import report (a dict, see ``report.py``).

    Nothing is half-written: batch, accepted responses, quarantined rows and the report are one
    transaction. Rows already imported (same fingerprint) are skipped; if nothing is new, nothing is written.
    """
    check_swapped(path, form)
    form = load_form(form) if isinstance(form, (str, Path)) else form
    try:
        # read before opening the store: a file that cannot be read leaves no new database behind
        got = read_export(path, form, source, sheet, header_row=header_row)
    except _UNFORESEEN as err:
        raise _unparseable(path, source, err) from err
    own_store = not isinstance(store, Store)
    db: Store = open_store(store) if own_store else store
    try:
        with db.form_lock(form.id) as conn:  # one import of a form at a time: what it reads stays true
            report = _ingest(got, path, form, db, operator, conn)
    except _UNFORESEEN as err:
        raise _unparseable(path, source, err) from err
    except StoreConflict:  # the loser of two imports of one file at the same moment: rolled back
        raise IngestError("ingest.busy", path=path) from None
    finally:
        if own_store:
            db.close()
    if remember_mapping and report["batch_id"] is not None and got["reader"].name == "table" and form.path:
        _remember_mapping(form, got["pairs"], report)
    return report


def _remember_mapping(form, pairs, report: dict) -> None:
    """Save the column mapping beside the form. The rows are committed by now, so a folder that cannot be
    written is a note in the report (which says what was written), never an error that hides the import."""
    try:
        save_mapping(form, pairs)
    except OSError as err:
        why = "没有写权限" if isinstance(err, PermissionError) else err.strerror or str(err)
        report["notes"].append(
            f"导入已完成（批次 {report['batch_id']}：接收 {report['accepted']} 行、隔离 {report['rejected']} 行），"
            f"但表头与题目的对应关系未能保存到 {mapping_path(form)}（{why}）。数据不受影响；下次导入"
            "同类表格时会重新自动匹配。如需保存对应关系，请给问卷所在文件夹写权限"
        )


_UNFORESEEN = (ValueError, KeyError, IndexError, TypeError, UnicodeError, OSError, MemoryError)


def _unparseable(path, source: str, err: Exception) -> IngestError:
    # a file shape no reader foresaw: the transaction has rolled back; say so instead of a traceback
    return IngestError("ingest.unparseable", path=path, source=source, reason=f"{type(err).__name__}: {str(err)[:200]}")


def _ingest(got, path, form, store, operator, conn=None) -> dict:
    table, reader, meta, answers = got["table"], got["reader"], got["meta"], got["answers"]
    raw_rows = _raw_rows(table)
    fps = dup.fingerprints(reader.name, form.id, list(meta["external_id"]), list(meta["submitted_at"]), raw_rows)
    known = store.known_fingerprints(form.id, fps, conn)
    new = [i for i, fp in enumerate(fps) if fp not in known]
    not_shown = got.get("not_shown") or [frozenset()] * len(answers)
    results = validate_rows(form, [answers[i] for i in new], [not_shown[i] for i in new])
    header_of = {q.id: sq.columns[0].header for sq, q in got["pairs"]}

    numbers = table.row_numbers or list(range(1, table.n_rows + 1))
    accepted, rejected, warnings = [], [], Counter()
    rejected_answers = {}  # answers as read, kept with the batch so the fix workbook can show them
    rejected_not_shown = {}
    odd = _odd_cell_problems(table, got["pairs"])
    for i, (clean, problems) in zip(new, results):
        errors = [p for p in problems if p.is_error]
        if numbers[i] in odd:  # an Excel error cell read as blank: that, not "blank", is the problem
            errors = [p for p in errors if p.question_id not in {x.question_id for x in odd[numbers[i]]}] + odd[
                numbers[i]
            ]
        for p in problems:
            if not p.is_error:
                warnings[p.rule] += 1
        if errors:
            rejected_answers[str(numbers[i])] = answers[i]
            if not_shown[i]:  # a resubmitted row must still count its skipped questions as not shown
                rejected_not_shown[str(numbers[i])] = sorted(not_shown[i])
            rejected.extend(
                {
                    "row_number": numbers[i],
                    "column": header_of.get(p.question_id, p.question_id),
                    "question_id": p.question_id,
                    "rule": p.rule,
                    "value": _text(p.value),
                    "message": f"第{numbers[i]}条数据（表格第{table.sheet_row(numbers[i])}行）{p.message}",
                    "raw": raw_rows[i],
                    "fingerprint": fps[i],
                }
                for p in errors
            )
        else:
            accepted.append((i, clean))
    respondent, ips, submitted, external = (list(meta[c]) for c in ("respondent", "ip", "submitted_at", "external_id"))
    flags = dup.flag_duplicates(
        form,
        [c for _, c in accepted],
        [respondent[i] for i, _ in accepted],
        [ips[i] for i, _ in accepted],
        [submitted[i] for i, _ in accepted],
        store.duplicate_candidates(form, [c for _, c in accepted], conn) if accepted else [],
    )
    serial_q = form.by_role("serial")
    records = [
        {
            "answers": clean,
            "serial": clean.get(serial_q.id) if serial_q else None,
            "submitted_at": submitted[i],
            "external_id": _text(external[i]),
            "fingerprint": fps[i],
            "raw": raw_rows[i],
            "row_number": numbers[i],
            "flags": flags[k] or None,
        }
        for k, (i, clean) in enumerate(accepted)
    ]
    rejected_row_numbers = sorted({r["row_number"] for r in rejected})
    report = {
        "file": str(path),
        "sha256": table.sha256,
        "source": reader.name,
        "source_label": reader.label,
        "mode": got["layout"].mode,
        "header_row": table.header_line,
        "form_id": form.id,
        "form_title": form.title,
        "batch_id": None,
        "rows": table.n_rows,
        "new_rows": len(new),
        "skipped_existing": table.n_rows - len(new),
        "accepted": len(records),
        "rejected": len(rejected_row_numbers),
        "rejected_rows": rejected_row_numbers,
        "duplicates": sum(1 for f in flags if f),
        "duplicate_rows": [r["row_number"] for r in records if r["flags"]],
        "unmapped_columns": got["unmapped"],
        "mapping": {sq.columns[0].header: q.id for sq, q in got["pairs"]},
        "top_reasons": _top_reasons(rejected),
        "warnings": dict(warnings),
        "notes": list(table.notes),
        "problems": [{k: r[k] for k in ("row_number", "column", "rule", "value", "message")} for r in rejected],
    }
    skipped_rows = sum(1 for i in new if not_shown[i])
    if skipped_rows:
        report["notes"].append(
            f"{skipped_rows} 条答卷有题目标为“(跳过)”（问卷星按跳题逻辑未显示，按序号导出为 -3/-2）："
            "这些题按未作答保存，不算必答未答"
        )
    if not new:
        report["notes"].append(
            "文件只有表头，没有答卷，未写入任何数据"
            if not table.n_rows
            else "文件中的答卷此前都已导入，本次未写入任何数据"
        )
        return report
    with store.transaction(conn) as conn:
        batch_id = store.create_batch(
            conn, form, source=reader.name, filename=Path(path).name, file_sha256=table.sha256, operator=operator
        )
        report["batch_id"] = batch_id
        store.add_responses(form, records, source=reader.name, operator=operator, batch_id=batch_id, conn=conn)
        store.add_rejected(conn, batch_id, rejected)
        store.finish_batch(
            conn,
            batch_id,
            n_rows=len(new),
            n_accepted=len(records),
            n_rejected=len(rejected_row_numbers),
            n_duplicates=report["duplicates"],
            report={
                **{k: v for k, v in report.items() if k != "problems"},
                "rejected_answers": rejected_answers,
                "rejected_not_shown": rejected_not_shown,
            },
        )
    return report


def _odd_cell_problems(table: RawTable, pairs) -> dict[int, list[AnswerProblem]]:
    """Per data row number, one problem per answer cell that Excel shows as an error (``#N/A``) or that
    holds a formula without a saved value: the reader saw a blank, the respondent's answer is unknown."""
    question_of = {c.index: q for sq, q in pairs for c in sq.columns}
    out: dict[int, list[AnswerProblem]] = {}
    for (row, col), text in sorted(table.cell_errors.items()):
        q = question_of.get(col)
        if q is None or any(p.question_id == q.id for p in out.get(row, [])):
            continue
        code = "answer.excel_error" if text else "answer.formula_unsaved"
        out.setdefault(row, []).append(AnswerProblem(code, q.id, text or None, header=table.header[col]))
    return out


def _text(value):
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _top_reasons(rejected: list[dict], n: int = 10) -> list[dict]:
    counts = Counter((r["rule"], r["column"]) for r in rejected)
    example = {}
    for r in rejected:
        example.setdefault((r["rule"], r["column"]), r["message"])
    return [
        {"rule": rule, "column": col, "count": c, "example": example[(rule, col)]}
        for (rule, col), c in counts.most_common(n)
    ]


def as_frame(report: dict) -> pd.DataFrame:
    """The report's problems as a DataFrame (row, column, rule, value, message)."""
    return pd.DataFrame(report.get("problems", []), columns=["row_number", "column", "rule", "value", "message"])
