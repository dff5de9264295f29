"""Render responses as each platform's export: 问卷星 (按文本/按序号; xlsx, xls, csv), 腾讯问卷 CSV,
KoboToolbox CSV, ODK Central CSV and a plain table.

Used to build test fixtures, the benchmark file and demo files. Records are in the store shape
(``{"answers": …, "submitted_at": …}``, as ``toolkit.sample.generate_responses`` makes them) or bare
answer dicts. Formula-like cells are neutralised with a leading ``'`` (``toolkit.outputs.safe_cell``) unless
``neutralise=False`` (tests use that to reproduce a hostile platform file). Personal data is kept: these
files stand for what a platform exports, and ingest must be tested on it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from toolkit.forms import OTHER, Form, Question, other_key, relevant_questions
from toolkit.outputs import EXCEL_MAX_CELL
from toolkit.outputs import ILLEGAL as _ILLEGAL
from toolkit.outputs import safe_cell as _safe_cell
from toolkit.sample.errors import SampleError

WJX_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
WJX_OTHER = "其他【请注明】"
TENCENT_META = [
    "编号",
    "开始答题时间",
    "结束答题时间",
    "答题时长",
    "地理位置国家和地区",
    "地理位置省",
    "地理位置市",
    "自定义字段",
]


def safe_cell(value):
    """A cell value that no spreadsheet will run as a formula (``=cmd|…`` becomes ``'=cmd|…``)."""
    return _safe_cell(value, mask=False)


def _record(r: dict) -> dict:
    return r if "answers" in r else {"answers": r}


def _when(r: dict, i: int) -> dt.datetime:
    text = r.get("submitted_at")
    if text:
        try:
            return dt.datetime.fromisoformat(str(text))
        except ValueError:
            pass
    return dt.datetime(2026, 5, 1, 8, 0, 0) + dt.timedelta(minutes=7 * i)


def _ip(i: int) -> str:
    h = hashlib.sha256(str(i).encode()).digest()
    return f"{36 + h[0] % 80}.{h[1]}.{h[2]}.{h[3]}"


def _label(q: Question, cid: str) -> str:
    return WJX_OTHER if cid == OTHER else q.choice_label(cid)


def _position(q: Question, cid: str) -> int | str:
    ids = q.choice_ids()
    return ids.index(cid) + 1 if cid in ids else cid


def _numbered(form: Form) -> list[tuple[int, Question]]:
    return [(form.number(q.id), q) for q in form.answer_questions()]


# ---- 问卷星 ------------------------------------------------------------------


def wjx_table(form: Form, records: list[dict], by: str = "text") -> tuple[list[str], list[list]]:
    """Header and rows of a 问卷星 export, ``by`` = ``text`` (按选项文本) or ``code`` (按选项序号)."""
    header = list(WJX_META)
    for n, q in _numbered(form):
        if q.is_matrix:
            header.append(f"{n}、{q.label}—{q.rows[0].label}")
            header.extend(r.label for r in q.rows[1:])
        elif by == "code" and q.kind in ("multiple", "ranking"):
            header.extend(f"第{n}题({_label(q, c)})" for c in q.choice_ids())
        else:
            header.append(f"{n}、{q.label}")
    rows = []
    for i, r in enumerate(map(_record, records)):
        a = r["answers"]
        shown = relevant_questions(form, a)
        when = _when(r, i)
        secs = 60 + (i * 37) % 600
        row = [
            i + 1,
            when.strftime("%Y/%m/%d %H:%M:%S"),
            f"{secs}秒" if secs < 60 or i % 2 else f"{secs // 60}分{secs % 60}秒",
            "手机提交",
            "直接访问",
            f"{r.get('ip') or _ip(i)}(上海-上海)",
        ]
        for _, q in _numbered(form):
            row.extend(_wjx_cells(q, a, q.id in shown, by))
        rows.append(row)
    return header, rows


def _wjx_cells(q: Question, a: dict, shown: bool, by: str) -> list:
    value = a.get(q.id)
    empty = "(空)" if shown else "(跳过)"
    if q.is_matrix:
        value = value or {}
        if by == "code":
            return [_position(q, value[r.id]) if r.id in value else (-3 if not shown else "") for r in q.rows]
        return [_label(q, value[r.id]) if r.id in value else empty for r in q.rows]
    if by == "code" and q.kind in ("multiple", "ranking"):
        if value is None:
            return [-3 if not shown else (0 if q.kind == "multiple" else -2)] * len(q.choice_ids())
        if q.kind == "multiple":
            return [1 if c in value else 0 for c in q.choice_ids()]
        return [value.index(c) + 1 if c in value else -2 for c in q.choice_ids()]
    if value is None:
        return [-3 if by == "code" and q.kind in ("single", "likert") and not shown else empty]
    other = a.get(other_key(q.id))
    if q.kind in ("single", "likert"):
        if by == "code":
            return [_position(q, value)]
        text = _label(q, value)
        return [f"{text}〖{other}〗" if value == OTHER and other else text]
    if q.kind in ("multiple", "ranking"):
        items = [f"{WJX_OTHER}〖{other}〗" if c == OTHER and other else _label(q, c) for c in value]
        return ["┋".join(items) if q.kind == "multiple" else "→".join(items)]
    return [value]


# ---- 腾讯问卷 ----------------------------------------------------------------


def tencent_table(form: Form, records: list[dict]) -> tuple[list[str], list[list]]:
    header = list(TENCENT_META)
    for n, q in _numbered(form):
        if q.is_matrix:
            header.extend(f"{n}.{q.label}:{r.label}" for r in q.rows)
        elif q.kind in ("multiple", "ranking"):
            header.extend(f"{n}.{q.label}:{_label(q, c)}" for c in q.choice_ids())
        else:
            header.append(f"{n}.{q.label}")
        if q.other:
            header.append(f"{n}.{q.label}_填空1")
    rows = []
    records = list(map(_record, records))
    for i, r in enumerate(records):
        a = r["answers"]
        end = _when(r, i)
        secs = 40 + (i * 13) % 500
        row = [
            i + 1,
            (end - dt.timedelta(seconds=secs)).strftime("%d-%b-%Y %H:%M:%S"),
            end.strftime("%d-%b-%Y %H:%M:%S"),
            secs,
            "中国",
            "广东",
            "深圳",
            "",
        ]
        for _, q in _numbered(form):
            v = a.get(q.id)
            if q.is_matrix:
                row.extend(_label(q, (v or {}).get(r_.id)) if (v or {}).get(r_.id) else "" for r_ in q.rows)
            elif q.kind == "multiple":
                row.extend(_label(q, c) if v and c in v else "" for c in q.choice_ids())
            elif q.kind == "ranking":
                row.extend(v.index(c) + 1 if v and c in v else "" for c in q.choice_ids())
            elif q.kind in ("single", "likert"):
                row.append(_label(q, v) if v else "")
            else:
                row.append("" if v is None else v)
            if q.other:
                row.append(a.get(other_key(q.id)) or "")
        rows.append(row)
    return header, rows[::-1]  # 腾讯问卷 lists the newest answers first


# ---- KoboToolbox / ODK Central / any table ------------------------------------


def kobo_table(form: Form, records: list[dict], flavour: str = "kobo") -> tuple[list[str], list[list]]:
    """Kobo (``_uuid``, ``q/option`` 1/0 columns) or ODK Central (``SubmissionDate``, ``KEY``) CSV columns.

    A Likert matrix is the field-list group ``toolkit.forms.xlsform`` writes: one column per row,
    ``q/q_row`` (Kobo) or ``q-q_row`` (ODK).
    """
    questions = form.answer_questions()
    sep = "/" if flavour == "kobo" else "-"
    header = ["start"] if flavour == "kobo" else ["SubmissionDate", "start"]
    for q in questions:
        if q.is_matrix:
            header.extend(f"{q.id}{sep}{q.id}_{r.id}" for r in q.rows)
            continue
        header.append(q.id)
        if flavour == "kobo" and q.kind == "multiple":
            header.extend(f"{q.id}/{c}" for c in q.choice_ids())
        if q.other:
            header.append(other_key(q.id))
    header += (
        ["_id", "_uuid", "_submission_time", "_index"]
        if flavour == "kobo"
        else ["KEY", "SubmitterID", "SubmitterName", "ReviewState"]
    )
    rows = []
    for i, r in enumerate(map(_record, records)):
        a = r["answers"]
        when = _when(r, i)
        uuid = hashlib.sha256(f"{form.id}{i}".encode()).hexdigest()
        uuid = f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:32]}"
        iso = when.strftime("%Y-%m-%dT%H:%M:%S")
        row: list = (
            [iso + ".000+08:00"] if flavour == "kobo" else [when.strftime("%Y-%m-%dT%H:%M:%S.000Z"), iso + ".000+08:00"]
        )
        for q in questions:
            v = a.get(q.id)
            if q.is_matrix:
                row.extend((v or {}).get(r_.id, "") for r_ in q.rows)
                continue
            row.append(" ".join(v) if isinstance(v, list) else ("" if v is None else v))
            if flavour == "kobo" and q.kind == "multiple":
                row.extend(("1" if v and c in v else "0") if v is not None else "" for c in q.choice_ids())
            if q.other:
                row.append(a.get(other_key(q.id)) or "")
        row += [1000 + i, uuid, iso, i + 1] if flavour == "kobo" else [f"uuid:{uuid}", 7, "采集员", "approved"]
        rows.append(row)
    return header, rows


def plain_table(form: Form, records: list[dict]) -> tuple[list[str], list[list]]:
    """A hand-made sheet: one column per question headed by its label, option texts, ``；`` between items."""
    header, rows = [], []
    for q in form.answer_questions():
        header.extend([f"{q.label}（{r.label}）" for r in q.rows] if q.is_matrix else [q.label])
    for r in map(_record, records):
        a, row = r["answers"], []
        for q in form.answer_questions():
            v = a.get(q.id)
            if q.is_matrix:
                row.extend(q.choice_label(v[r_.id]) if v and r_.id in v else "" for r_ in q.rows)
            elif isinstance(v, list):
                row.append("；".join(q.choice_label(c) for c in v))
            elif q.kind in ("single", "likert") and v is not None:
                row.append(q.choice_label(v))
            else:
                row.append("" if v is None else v)
        rows.append(row)
    return header, rows


# ---- files --------------------------------------------------------------------


def write_rows(
    header: list[str],
    rows: list[list],
    path,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    quote_all: bool = False,
    trailing_comma: bool = False,
    neutralise: bool = True,
) -> Path:
    """Write a header and rows as .xlsx, .xls or .csv (format from ``fmt`` or the suffix)."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".") or "csv"
    cell = safe_cell if neutralise else (lambda v: v)
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        for values in [header, *rows]:
            out = []
            for v in values:
                v = cell(v)
                if isinstance(v, str):
                    c = WriteOnlyCell(ws, value=_ILLEGAL.sub("", v)[:EXCEL_MAX_CELL])
                    c.data_type = "s"  # never a formula, whatever the text starts with
                    out.append(c)
                else:
                    out.append(v)
            ws.append(out)
        wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
        wb.save(path)
    elif fmt == "xls":
        import xlwt  # test dependency: 问卷星's legacy BIFF format

        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("Sheet1")
        for i, values in enumerate([header, *rows]):
            for j, v in enumerate(values):
                sheet.write(i, j, cell(v)[:EXCEL_MAX_CELL] if isinstance(v, str) else v)
        book.save(str(path))
    else:
        buf = io.StringIO()
        writer = csv.writer(
            buf,
            delimiter=delimiter,
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
            lineterminator=("," if trailing_comma else "") + "\n",
        )
        writer.writerow(header)
        writer.writerows([cell(v) for v in row] for row in rows)
        path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_export(
    form: Form,
    records: list[dict],
    path,
    platform: str = "wjx",
    *,
    by: str = "text",
    neutralise: bool = True,
    encoding: str | None = None,
) -> Path:
    """Write ``records`` as ``platform``'s export (wjx, tencent, kobo, odk, table) to ``path``.

    >>> write_export(form, generate_responses(form, 50), "wjx.xlsx", "wjx", by="code")   # doctest: +SKIP
    """
    if platform == "wjx":
        header, rows = wjx_table(form, records, by)
        return write_rows(header, rows, path, neutralise=neutralise, encoding=encoding or "utf-8-sig")
    if platform == "tencent":
        header, rows = tencent_table(form, records)
        return write_rows(
            header,
            rows,
            path,
            neutralise=neutralise,
            encoding=encoding or "utf-8-sig",
            quote_all=True,
            trailing_comma=True,
        )
    if platform in ("kobo", "odk"):
        header, rows = kobo_table(form, records, platform)
        return write_rows(
            header,
            rows,
            path,
            neutralise=neutralise,
            encoding=encoding or "utf-8",
            delimiter=";" if platform == "kobo" else ",",
        )
    if platform == "table":
        header, rows = plain_table(form, records)
        return write_rows(header, rows, path, neutralise=neutralise, encoding=encoding or "utf-8-sig")
    raise SampleError("sample.platform_unknown", platform=platform)
