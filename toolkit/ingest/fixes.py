"""The fix workbook (待修正.xlsx): quarantined rows out to staff, corrected rows back into the store.

``export_rejected`` writes one row per quarantined source row: 批次 and 表格行号 (which row, numbered as
staff see it in Excel, like the "表格第N行" of the problem text), 问题 (each
failed rule with its column, value and fix), a 处理 cell, then an answer area with one column per
answer, filled with the answers as imported (or as last tried) and written as option labels.
``resubmit_workbook`` reads the workbook back: each changed row is validated with the form's rules and
re-submitted through ``resubmit``; rows still wrong stay quarantined with the new reasons; ``放弃`` in
处理 dismisses a row. Rows whose cells did not change, and rows already handled, are left alone, so
running it twice changes nothing. All writes are one transaction, audited with the operator.

Privacy: every cell goes through ``toolkit.outputs.safe_cell``. Staff need the real value to fix a row, so
the cells of the questions that failed, the problem texts (which quote them) and the failing raw columns
are shown as submitted; phone and ID numbers in every other cell are masked unless ``show_personal=True``.
Formula-like text gets a leading ``'`` that reading back removes. A masked cell left as it was keeps the
stored original; an edited cell is taken as typed (a placeholder like ``[手机号]`` left in it stays).

>>> export_rejected(store, form, "reports/待修正.xlsx")                      # doctest: +SKIP
>>> resubmit_workbook(store, form, "reports/待修正.xlsx", operator="张三")    # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.forms import OTHER_LABEL, Form, Question, other_key, validate_answers
from toolkit.ingest.errors import IngestError
from toolkit.ingest.readers.base import ChoiceIndex
from toolkit.ingest.readers.decode import split_items
from toolkit.ingest.resubmit import resubmit
from toolkit.ingest.validate import skipped_of, without_skipped
from toolkit.outputs import safe_cell, text_cells, unneutralise
from toolkit.store import Store

SHEET, RAW_SHEET, INFO_SHEET = "待修正", "原始数据", "说明"
ROW = "表格行号"  # the row number staff see in Excel (header row counted)
LEGACY_ROW = "行号"  # workbooks exported before: the 1-based data row number
FIXED = ["批次", ROW, "处理", "问题"]
DISMISS = {"放弃", "作废", "不再处理"}
RETRY = "resubmit_failed"  # audit action of a correction that still broke a rule
SUPERSEDED = "superseded"  # rejected-row status: replaced by the reasons of a later attempt
LIST_SEP = "┋"  # between the items of a multiple choice / ranking cell (as 问卷星 writes them)
_COMMAS = re.compile(r"[，、,]")
NO_ANSWERS = "（此行在较早版本导入，没有保存解析后的答案：请对照“原始数据”表填写整行答案）"


@dataclass
class AnswerColumn:
    header: str
    key: str  # answer key: question id, ``q/row`` of a matrix, or ``q_other``
    q: Question
    row: str | None = None
    other: bool = False


@dataclass
class Pending:
    """One quarantined source row: its open entries (one per failed rule) and its answers so far."""

    batch_id: int
    row_number: int
    entries: list[dict]
    raw: dict
    answers: dict | None  # None: imported before answers were kept with the batch
    failing: set[str] = field(default_factory=set)  # question ids whose cells are highlighted to fix
    skipped: frozenset = frozenset()  # questions the platform did not show on this row (问卷星 "(跳过)")
    header_line: int = 1  # sheet row of the import file's header (a title row above it moves it down)

    @property
    def sheet_row(self) -> int:
        return self.row_number + self.header_line


def answer_columns(form: Form) -> list[AnswerColumn]:
    """The answer area's columns, headed ``N、题干`` (matrix rows ``N、题干—行``, other text ``N、题干—其他（请注明）``)."""
    out = []
    for q in form.answer_questions():
        base = f"{form.number(q.id)}、{q.label}"
        if q.is_matrix:
            out.extend(AnswerColumn(f"{base}—{r.label}", f"{q.id}/{r.id}", q, r.id) for r in q.rows)
        else:
            out.append(AnswerColumn(base, q.id, q))
        if q.other:
            out.append(AnswerColumn(f"{base}—{OTHER_LABEL}", other_key(q.id), q, other=True))
    return out


# ---- answers <-> cell texts -------------------------------------------------------------------


def _label(q: Question, value) -> str:
    ids = q.choice_ids()
    return q.choice_label(value) if value in ids else str(value)


def render(columns: list[AnswerColumn], answers: dict | None) -> dict[str, str | None]:
    """Cell text per answer key: option labels, items joined by ``┋``; unknown values as written."""
    answers = answers or {}
    out: dict[str, str | None] = {}
    for col in columns:
        if col.row is not None:
            v = (answers.get(col.q.id) or {}).get(col.row) if isinstance(answers.get(col.q.id), dict) else None
        else:
            v = answers.get(col.key)
        if v is None or v == "" or v == []:
            out[col.key] = None
        elif col.other or col.q.kind not in ("single", "multiple", "likert", "ranking"):
            out[col.key] = (
                v
                if isinstance(v, str)
                else json.dumps(v, ensure_ascii=False)
                if isinstance(v, (list, dict))
                else str(v)
            )
        elif isinstance(v, list):
            out[col.key] = LIST_SEP.join(_label(col.q, x) for x in v)
        else:
            out[col.key] = _label(col.q, v)
    return out


def parse(columns: list[AnswerColumn], texts: dict[str, str | None]) -> dict:
    """Answers from cell texts (labels or ids; unknown texts pass through so validation names them)."""
    answers: dict = {}
    for col in columns:
        text = texts.get(col.key)
        if text is None or not str(text).strip():
            continue
        text = str(text).strip()
        q = col.q
        if col.other or q.kind not in ("single", "multiple", "likert", "ranking"):
            if q.kind == "date" and not col.other:
                text = re.sub(r"[ T]00:00:00$", "", text)  # Excel turns a typed date into a date-time
            answers[col.key] = text
            continue
        idx = ChoiceIndex(q)
        if col.row is not None:
            answers.setdefault(q.id, {})[col.row] = idx.find(text) or text
        elif q.kind in ("single", "likert"):
            answers[q.id] = idx.find(text) or text
        else:
            if LIST_SEP in text or idx.find(text) is not None:
                items = split_items(text, LIST_SEP)
            else:
                items = [t for t in re.split(r"[;；\n]+", text) if t.strip()]
                items = [x for t in items for x in _comma_items(idx, t)]
            answers[q.id] = [idx.find(t) or t.strip() for t in items]
    return answers


def _comma_items(idx: ChoiceIndex, text: str) -> list[str]:
    """``运动，阅读`` as two options when every part is an option and the whole is not; else unchanged.

    Staff type ，、, between options by habit; splitting only when all parts are known labels keeps an
    option whose own label holds a comma ("科学技术界（科研、技术人员）") whole.
    """
    if idx.find(text) is not None or not _COMMAS.search(text):
        return [text]
    parts = [t.strip() for t in _COMMAS.split(text) if t.strip()]
    return parts if len(parts) > 1 and all(idx.find(t) is not None for t in parts) else [text]


def _separator_hint(q: Question, value) -> str:
    """A hint for a multiple-choice cell that failed while holding ，、 or , (the separator is ┋)."""
    if (
        q.kind in ("multiple", "ranking")
        and isinstance(value, list)
        and any(isinstance(v, str) and _COMMAS.search(v) for v in value)
    ):
        example = LIST_SEP.join(c.label for c in q.choices[:2]) or f"运动{LIST_SEP}阅读"
        return f"（多个选项之间请用 {LIST_SEP} 分隔，如“{example}”，不要用逗号或顿号）"
    return ""


# ---- pending rows ---------------------------------------------------------------------------------


def _attempts(store: Store) -> dict[tuple[int, int], dict]:
    """The answers of the latest failed correction per (batch, row), from the audit log."""
    audit = store.audit(entity="rejected_row")
    out = {}
    for action, after in zip(audit.get("action", []), audit.get("after", [])):
        if action == RETRY and after:
            a = json.loads(after)
            out[(int(a["batch_id"]), int(a["row_number"]))] = a["answers"]
    return out


def _groups(
    store: Store, batch_ids: set[int], batch_id: int | None, status: str | None
) -> dict[tuple[int, int], list[dict]]:
    """Rejected-row entries of the given batches grouped by (batch, row)."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for rec in store.rejected(batch_id, status=status).to_dict("records"):
        if int(rec["batch_id"]) in batch_ids:
            groups[(int(rec["batch_id"]), int(rec["row_number"]))].append(rec)
    return groups


def pending_rows(store: Store, form: Form, batch_id: int | None = None) -> list[Pending]:
    """Quarantined rows of ``form`` (optionally one batch), in batch and row order."""
    batches = store.batches(form.id)
    known = {int(b) for b in batches["id"]} if len(batches) else set()
    if batch_id is not None and batch_id not in known:
        have = "、".join(str(b) for b in sorted(known)) or "（无）"
        raise IngestError("ingest.batch_unknown", title=form.title, form=form.id, batch=batch_id, known=have)
    groups = _groups(store, known, batch_id, "open")
    reports = {int(b): json.loads(r) if r else {} for b, r in zip(batches.get("id", []), batches.get("report", []))}
    tried = _attempts(store)
    # a stored problem names its column (the export's header, or the fix workbook's on a retry) or question id
    ids, fix_headers = set(form.question_ids()), {c.header: c.q.id for c in answer_columns(form)}
    out = []
    for (b, r), entries in sorted(groups.items()):
        answers = tried.get((b, r), reports.get(b, {}).get("rejected_answers", {}).get(str(r)))
        raw = json.loads(entries[0]["raw"]) if entries[0]["raw"] else {}
        p = Pending(
            b,
            r,
            sorted(entries, key=lambda e: e["id"]),
            raw if isinstance(raw, dict) else {},
            answers,
            header_line=int(reports.get(b, {}).get("header_row") or 1),
        )
        p.skipped = skipped_of(reports.get(b), r)
        if answers is not None:
            p.failing = {
                x.question_id for x in without_skipped(validate_answers(form, answers)[1], p.skipped) if x.is_error
            }
        # and what failed on import though the stored answer now passes (an #N/A read as a blank optional answer)
        header_of = {**fix_headers, **reports.get(b, {}).get("mapping", {})}
        p.failing |= {header_of.get(e["column"], e["column"]) for e in entries} & ids
        out.append(p)
    return out


# ---- export -----------------------------------------------------------------------------------------


def _cell(value, mask: bool):
    return safe_cell(value, mask=mask, excel=True) if isinstance(value, str) else value


def _problem_text(entries: list[dict]) -> str:
    from toolkit.ingest.report import RULE_LABELS

    return "\n".join(f"· {RULE_LABELS.get(e['rule'], e['rule'])}｜列：{e['column']}｜{e['message']}" for e in entries)


def export_rejected(
    store: Store, form: Form, path, *, batch_id: int | None = None, show_personal: bool = False
) -> dict:
    """Write the open quarantined rows of ``form`` to the fix workbook at ``path``; return a summary."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = pending_rows(store, form, batch_id)
    columns = answer_columns(form)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(FIXED + [c.header for c in columns])
    todo = PatternFill("solid", fgColor="FFF2CC")
    for p in rows:
        texts = render(columns, p.answers)
        problem = _problem_text(p.entries) + ("" if p.answers is not None else f"\n{NO_ANSWERS}")
        # staff must see what failed to fix it: the failing questions' cells and the problem texts (which quote
        # them) are shown as submitted -- the detector also reads a mistyped "0755 8765 4324" as a phone
        values = [p.batch_id, p.sheet_row, None, _cell(problem, False)]
        for c in columns:
            values.append(_cell(texts[c.key], not (show_personal or c.q.id in p.failing)))
        ws.append(values)
        for j, c in enumerate(columns, start=len(FIXED) + 1):
            if c.q.id in p.failing:
                ws.cell(ws.max_row, j).fill = todo
        ws.cell(ws.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "E2"
    ws.column_dimensions["D"].width = 60
    raw_ws = wb.create_sheet(RAW_SHEET)
    raw_ws.append(["批次", ROW, "原始列", "原始值"])
    for p in rows:
        failing_columns = {e["column"] for e in p.entries}
        for header, value in sorted(p.raw.items(), key=lambda kv: _header_order(kv[0])):
            raw_ws.append(
                [
                    p.batch_id,
                    p.sheet_row,
                    _cell(header, False),
                    _cell(
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
                        not (show_personal or header in failing_columns),
                    ),
                ]
            )
    info = wb.create_sheet(INFO_SHEET)
    notes = [
        ("问卷编号", form.id),
        ("问卷", form.title),
        ("待修正行数", len(rows)),
        (
            "个人信息",
            "未遮盖：本表含手机号、身份证号等原始内容，用后请删除，不要外传"
            if show_personal
            else "需要修正的单元格（黄色）和问题说明照原样显示，其余单元格中的手机号、身份证号等已遮盖。遮盖的单元格不改动，重新提交时保留原值；"
            "若要看原值，导出时加 --show-personal",
        ),
        (
            "怎么改",
            "在“待修正”表里改正黄色单元格（选项写选项文字，多选用 ┋ 分隔，如“运动┋阅读”），"
            "不要改动批次、表格行号和表头",
        ),
        ("表格行号", "该行在导入文件中的行号（与 Excel 左侧的行号、问题里的“表格第N行”一致）"),
        ("放弃", "确实无法修正的行，在“处理”列写“放弃”，该行隔离标记为已放弃（记入审计日志）"),
        ("重新提交", "weidiaoyan rejected resubmit 本文件 --form 问卷.yaml --db 数据库 --operator 姓名"),
    ]
    for row in notes:
        info.append([_cell(v, False) for v in row])
    info.column_dimensions["B"].width = 80
    _save(wb, path)
    return {
        "path": str(path),
        "rows": len(rows),
        "batches": sorted({p.batch_id for p in rows}),
        "entries": sum(len(p.entries) for p in rows),
        "masked": not show_personal,
    }


def _header_order(header: str) -> tuple:
    # the store keeps raw rows with sorted keys; numbered question headers read better in question order
    m = re.match(r"^(?:第)?(\d+)[、.．题]", header)
    return (0, int(m.group(1)), header) if m else (1, 0, header)


def _save(wb, path) -> Path:
    """Save with fixed document dates and zip stamps: the same rows give a byte-identical workbook."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from toolkit.office import freeze_core_properties, normalize_zip

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    freeze_core_properties(wb.properties)
    for sheet in wb.worksheets:
        text_cells(sheet)
    ExcelWriter(wb, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(path)


# ---- read back and resubmit ---------------------------------------------------------------------


def _read_sheets(path) -> tuple[list[list], dict[str, str]]:
    """(rows of the 待修正 sheet, 说明 items) of a fix workbook; IngestError if it is not one, or if a cell
    shows an Excel error (``#N/A``) or holds a formula without a saved value (its answer cannot be read)."""
    import io

    from openpyxl import load_workbook

    from toolkit.filesafety import UnsafeFile, check_workbook, read_input
    from toolkit.ingest.files import _cell_text

    path = Path(path)
    if not path.exists():
        raise IngestError("fixes.file_not_found", path=path)
    try:
        blob = read_input(path)  # a regular file of bounded size; a zip that would not explode
        book = check_workbook(blob)
        scan, _ = book.scan(SHEET), book.scan(INFO_SHEET)  # the two sheets read below
    except UnsafeFile as bad:
        raise IngestError.from_error(bad, path=path) from None
    try:
        wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several types for non-xlsx or broken files
        raise IngestError("fixes.not_xlsx", path=path, reason=type(err).__name__) from None
    try:
        if SHEET not in wb.sheetnames or INFO_SHEET not in wb.sheetnames:
            raise IngestError("fixes.sheets_missing", path=path, sheets=[SHEET, INFO_SHEET])
        rows = [[_cell_text(v) for v in r] for r in wb[SHEET].iter_rows(values_only=True)]
        info = {
            str(r[0]): _cell_text(r[1])
            for r in wb[INFO_SHEET].iter_rows(values_only=True)
            if r and r[0] is not None and len(r) > 1
        }
    finally:
        wb.close()
    if scan is not None and scan.n_odd:
        raise _odd_cells(path, scan, rows[0] if rows else [])
    return rows, info


def _odd_cells(path, scan, header: list) -> IngestError:
    """The cells openpyxl would read as an error text or as empty though they hold a formula."""
    shown = []
    for (r, c), text in list(scan.odd_cells.items())[:3]:
        name = header[c - 1] if c - 1 < len(header) and header[c - 1] else f"第{c}列"
        shown.append(f"第{r}行“{name}”列" + (f"是 Excel 错误值 {text}" if text else "是公式，但文件里没有保存计算结果"))
    more = f"等 {scan.n_odd} 处" if scan.n_odd > len(shown) else ""
    return IngestError("fixes.odd_cells", path=path, sheet=SHEET, cells="；".join(shown) + more)


def _as_int(text) -> int | None:
    from toolkit.numbers import to_int

    return None if text is None else to_int(str(text))


def resubmit_workbook(store: Store, form: Form, path, *, operator: str, reason: str | None = None) -> dict:
    """Re-submit the corrected rows of a fix workbook (see module docstring); return a summary dict.

    Any problem with the workbook itself raises ``IngestError`` before anything is written.
    """
    if not operator or not str(operator).strip():
        raise IngestError("fixes.operator_missing")
    rows, info = _read_sheets(path)
    if info.get("问卷编号") != form.id:
        raise IngestError("fixes.wrong_form", path=path, found=info.get("问卷编号"), form=form.id)
    header = [h.strip() if h else "" for h in (rows[0] if rows else [])]
    legacy = ROW not in header and LEGACY_ROW in header  # exported before 表格行号: data row numbers
    fixed = [LEGACY_ROW if h == ROW and legacy else h for h in FIXED]
    columns = answer_columns(form)
    missing = [h for h in fixed + [c.header for c in columns] if h not in header]
    if missing:
        raise IngestError(
            "fixes.columns_missing",
            path=path,
            sheet=SHEET,
            columns="、".join(missing[:5]) + (" 等" if len(missing) > 5 else ""),
            count=len(missing),
        )
    pos = {h: header.index(h) for h in fixed + [c.header for c in columns]}
    pos[ROW] = pos[fixed[1]]
    open_rows = {(p.batch_id, p.row_number): p for p in pending_rows(store, form)}
    batches = store.batches(form.id)
    all_rows = set(_groups(store, {int(b) for b in batches["id"]} if len(batches) else set(), None, None))
    offset = (
        {}
        if legacy
        else {
            int(b): int(json.loads(r).get("header_row") or 1) if r else 1
            for b, r in zip(batches.get("id", []), batches.get("report", []))
        }
    )
    plan, seen = [], set()
    summary: dict = {
        "file": str(path),
        "resubmitted": [],
        "still_rejected": [],
        "dismissed": [],
        "unchanged": 0,
        "already_done": 0,
    }
    for n, cells in enumerate(rows[1:], start=2):
        cells = list(cells) + [None] * (len(header) - len(cells))
        if all(c is None for c in cells):
            continue
        batch, shown = _as_int(cells[pos["批次"]]), _as_int(cells[pos[ROW]])
        where = (batch, None if shown is None else shown - offset.get(batch, 1) if not legacy else shown)
        if None in where or where not in all_rows:
            raise IngestError(
                "fixes.row_unknown",
                path=path,
                sheet=SHEET,
                row=n,
                form=form.id,
                batch=cells[pos["批次"]],
                row_column=fixed[1],
                number=cells[pos[ROW]],
            )
        if where in seen:
            raise IngestError(
                "fixes.row_repeated", path=path, sheet=SHEET, row=n, batch=batch, row_column=fixed[1], number=shown
            )
        seen.add(where)
        p = open_rows.get(where)
        if p is None:
            summary["already_done"] += 1  # re-submitted or dismissed earlier (e.g. a second run)
            continue
        if (cells[pos["处理"]] or "").strip() in DISMISS:
            plan.append(("dismiss", p, None, []))
            continue
        before = render(columns, p.answers)
        texts = {}
        for c in columns:
            cell, was = cells[pos[c.header]], before[c.key]
            # a cell left as exported (masked or not, neutralised) keeps the stored original
            texts[c.key] = (
                was
                if cell is not None and was is not None and cell in (_cell(was, True), _cell(was, False))
                else unneutralise(cell)
            )
        if parse(columns, texts) == parse(columns, before):  # " 是 " and "是" are the same answer
            summary["unchanged"] += 1
            continue
        answers = parse(columns, texts)
        errors = [x for x in without_skipped(validate_answers(form, answers)[1], p.skipped) if x.is_error]
        plan.append(("retry" if errors else "resubmit", p, answers, errors))
    _apply(store, form, plan, columns, operator, reason, summary)
    return summary


def _apply(
    store: Store, form: Form, plan: list, columns: list[AnswerColumn], operator: str, reason: str | None, summary: dict
) -> None:
    """Write every planned outcome in one transaction."""
    if not plan:
        return
    header_of = {}
    for c in columns:
        header_of.setdefault(c.q.id, c.header)
    with store.transaction() as conn:
        for action, p, answers, errors in plan:
            ids = [e["id"] for e in p.entries]
            where = {"batch_id": p.batch_id, "row_number": p.row_number}
            if action == "resubmit":
                rid = resubmit(
                    store,
                    form,
                    batch_id=p.batch_id,
                    row_number=p.row_number,
                    answers=answers,
                    operator=operator,
                    reason=reason,
                    conn=conn,
                    skipped=p.skipped,
                )
                summary["resubmitted"].append({**where, "response_id": rid})
            elif action == "dismiss":
                store.resolve_rejected(conn, ids, status="dismissed")
                store.log_audit(
                    conn,
                    operator=operator,
                    action="dismiss",
                    entity="rejected_row",
                    entity_id=ids[0],
                    before={**where, "rule": [e["rule"] for e in p.entries]},
                    after=None,
                    reason=reason,
                )
                summary["dismissed"].append(where)
            else:
                new = [
                    {
                        "row_number": p.row_number,
                        "column": header_of.get(x.question_id, x.question_id),
                        "rule": x.rule,
                        "value": _text(x.value),
                        "message": f"第{p.row_number}条数据（表格第{p.sheet_row}行，修正后重新提交仍不符合）{x.message}"
                        + (
                            _separator_hint(form.question(x.question_id), answers.get(x.question_id))
                            if x.question_id in form.question_ids()
                            else ""
                        ),
                        "raw": p.raw,
                        "fingerprint": p.entries[0].get("fingerprint"),
                    }
                    for x in errors
                ]
                store.resolve_rejected(conn, ids, status=SUPERSEDED)
                store.add_rejected(conn, p.batch_id, new)
                store.log_audit(
                    conn,
                    operator=operator,
                    action=RETRY,
                    entity="rejected_row",
                    entity_id=ids[0],
                    before={**where, "rule": [e["rule"] for e in p.entries]},
                    after={**where, "answers": answers},
                    reason=reason,
                )
                summary["still_rejected"].append(
                    {**where, "sheet_row": p.sheet_row, "reasons": [n["message"] for n in new]}
                )


def _text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
