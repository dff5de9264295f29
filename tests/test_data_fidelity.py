"""Data fidelity (issue 11, item 9): nothing a file holds is lost or changed without a word.

Excel error cells and formulas without a saved value were read as blanks; ``int("1_0") == 10`` let a
typo through as ten; a repeated header hid a column; messages showed ``'\\u3000'``. Real xlsx files
written by openpyxl, real CSV bytes, real SQLite; the fix workbook is edited with openpyxl as staff would.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from conftest import AGE_OPINION_FORM_YAML, ROOT
from openpyxl import Workbook, load_workbook

from toolkit.errors import quoted
from toolkit.ingest import ingest
from toolkit.ingest.errors import IngestError
from toolkit.numbers import to_float, to_int

FORM_YAML = (
    AGE_OPINION_FORM_YAML
    + """  - id: visit
    kind: date
    label: 日期
"""
)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(FORM_YAML, encoding="utf-8")
    return path


def _rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _dump(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _workbook_with_odd_cells(path):
    """Row 2 fine; row 3: 年龄 shows #N/A, 意见 is a formula saved without a value; row 4: 意见 shows #REF!."""
    wb = Workbook()
    ws = wb.active
    ws.append(["年龄", "意见", "日期"])
    ws.append([30, "路灯坏了", "2025-01-02"])
    ws.append([None, None, "2025-01-03"])
    ws["A3"].value, ws["A3"].data_type = "#N/A", "e"
    ws["B3"] = '=A1&"x"'  # openpyxl saves formulas without a computed value
    ws.append([41, None, "2025-01-04"])
    ws["B4"].value, ws["B4"].data_type = "#REF!", "e"
    wb.save(path)
    return path


# ---- Excel error cells and formulas without a value --------------------------------------------------


def test_error_cells_reject_their_rows_with_the_cell_named(tmp_path, form):
    path = _workbook_with_odd_cells(tmp_path / "公式.xlsx")
    db = tmp_path / "x.db"
    report = ingest(path, form, db, source="table")
    assert (report["accepted"], report["rejected_rows"]) == (1, [2, 3])
    problems = {(p["row_number"], p["column"]): p for p in report["problems"]}
    assert problems[(2, "年龄")]["rule"] == "excel_error"
    assert problems[(2, "年龄")]["value"] == "#N/A"
    assert "表格第3行" in problems[(2, "年龄")]["message"] and "Excel 错误值 #N/A" in problems[(2, "年龄")]["message"]
    assert "没有保存计算结果" in problems[(2, "意见")]["message"]
    assert problems[(3, "意见")]["value"] == "#REF!"
    assert not any(p["rule"] == "required" for p in report["problems"])
    assert any("第3行“年龄”（#N/A）" in n for n in report["notes"])
    # the stored rows: one response, the three cells quarantined with their reasons
    assert _rows(db, "select count(*) from responses") == [(1,)]
    stored = _rows(db, "select row_number, rule, value from rejected_rows order by row_number, value")
    assert stored == [(2, "excel_error", None), (2, "excel_error", "#N/A"), (3, "excel_error", "#REF!")]


def test_error_cells_are_named_by_topics_and_rank_reading(tmp_path):
    from toolkit.tables import read_table

    frame = read_table(_workbook_with_odd_cells(tmp_path / "公式.xlsx"), error=ValueError)
    note = frame.attrs["note"]
    assert "A3（#N/A）" in note and "B3（公式无计算结果）" in note and "B4（#REF!）" in note
    assert frame["年龄"].isna().sum() == 1  # read as blank, and said so


def test_the_cli_prints_the_error_cell_note(tmp_path, form):
    path = _workbook_with_odd_cells(tmp_path / "公式.xlsx")
    proc = subprocess.run(
        [
            str(ROOT / ".venv/bin/weidiaoyan"),
            "ingest",
            str(path),
            "--form",
            str(form),
            "--db",
            str(tmp_path / "x.db"),
            "--source",
            "table",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Excel 错误值 #N/A" in proc.stdout
    assert "Excel 错误值/公式无结果 · 列“年龄”" in proc.stdout and "excel_error" not in proc.stdout  # not the rule id
    assert "Traceback" not in proc.stderr


def test_fix_workbook_highlights_error_cells_of_optional_questions(tmp_path, form):
    """#N/A in an optional question is stored as a blank that passes: the stored problem, not a re-check of
    the blank, says which cells staff must fill (otherwise it goes back blank, the answer silently lost)."""
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import SHEET, export_rejected
    from toolkit.store import open_store

    db = tmp_path / "x.db"
    ingest(_workbook_with_odd_cells(tmp_path / "公式.xlsx"), form, db, source="table")
    store = open_store(db)
    try:
        export_rejected(store, load_form(form), tmp_path / "待修正.xlsx")
    finally:
        store.close()
    ws = load_workbook(tmp_path / "待修正.xlsx")[SHEET]
    col = {c.value: c.column for c in ws[1]}
    yellow = {
        (r, h)
        for r in (2, 3)
        for h in ("年龄", "意见", "日期")
        if ws.cell(r, next(v for k, v in col.items() if k and h in k)).fill.fgColor.rgb.endswith("FFF2CC")
    }
    assert yellow == {(2, "年龄"), (2, "意见"), (3, "意见")}


# ---- the fix workbook read back ----------------------------------------------------------------------


@pytest.fixture
def quarantined(tmp_path, form):
    """One row rejected for "1_0" in 年龄 (a typo that int() would take as 10), exported to a fix workbook."""
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import export_rejected
    from toolkit.store import open_store

    csv = tmp_path / "答卷.csv"
    csv.write_bytes("年龄,意见,日期\n30,好,2025-01-02\n1_0,差,2025-01-03\n".encode())
    db = tmp_path / "x.db"
    report = ingest(csv, form, db, source="table")
    assert (report["accepted"], report["rejected_rows"]) == (1, [2])
    store = open_store(db)
    try:
        export_rejected(store, load_form(form), tmp_path / "待修正.xlsx")
    finally:
        store.close()
    return tmp_path / "待修正.xlsx", db


def _edit_age(path, edit):
    wb = load_workbook(path)
    ws = wb["待修正"]
    col = next(c.column for c in ws[1] if c.value and "年龄" in str(c.value))
    edit(ws.cell(row=2, column=col))
    wb.save(path)


def test_one_underscore_zero_is_no_ten(tmp_path, quarantined):
    _, db = quarantined
    [(value, message)] = _rows(db, "select value, message from rejected_rows")
    assert value == "1_0" and "不是整数（“1_0”）" in message
    assert _rows(db, "select answers from responses") == [('{"age": 30, "opinion": "好", "visit": "2025-01-02"}',)]


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda cell: setattr(cell, "value", "=5+5"), ["第2行", "年龄", "是公式，但文件里没有保存计算结果"]),
        (
            lambda cell: (setattr(cell, "value", "#N/A"), setattr(cell, "data_type", "e")),
            ["第2行", "Excel 错误值 #N/A"],
        ),
    ],
)
def test_a_fix_workbook_cell_that_cannot_be_read_stops_the_resubmit(tmp_path, form, quarantined, edit, words):
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import resubmit_workbook
    from toolkit.store import open_store

    path, db = quarantined
    _edit_age(path, edit)
    before = _dump(db)
    store = open_store(db)
    try:
        with pytest.raises(IngestError) as err:
            resubmit_workbook(store, load_form(form), path, operator="张三")
    finally:
        store.close()
    for word in words:
        assert word in str(err.value)
    assert "未作任何改动" in str(err.value)
    assert _dump(db) == before


def test_a_fixed_value_is_still_taken(tmp_path, form, quarantined):
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import resubmit_workbook
    from toolkit.store import open_store

    path, db = quarantined
    _edit_age(path, lambda cell: setattr(cell, "value", 10))
    store = open_store(db)
    try:
        summary = resubmit_workbook(store, load_form(form), path, operator="张三")
    finally:
        store.close()
    assert len(summary["resubmitted"]) == 1


# ---- strict numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number",
    [
        ("10", 10.0),
        ("1_0", None),
        ("１０", 10.0),
        (" 3.5 ", 3.5),
        ("nan", None),
        ("inf", None),
        ("1e400", None),
        ("-2", -2.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("", None),
        ("1,000", None),
        ("٣", None),
    ],
)
def test_to_float_takes_plain_decimal_numbers_only(text, number):
    assert to_float(text) == number


@pytest.mark.parametrize(
    "text, number",
    [
        ("10", 10),
        ("1_0", None),
        ("3.0", 3),
        ("3.5", None),
        ("１２", 12),
        (7.0, 7),
        (True, None),
        ("99999999999999999999", 99999999999999999999),
    ],
)
def test_to_int_takes_whole_numbers_only(text, number):
    assert to_int(text) == number


def test_underscored_numbers_and_dates_are_rejected_everywhere(annual_form):
    from toolkit.forms import validate_answers
    from toolkit.ingest.readers.base import ChoiceIndex, as_int

    assert as_int("1_0") is None and as_int("10") == 10
    q = next(q for q in annual_form.answer_questions() if q.kind == "single" and len(q.choices) >= 3)
    assert ChoiceIndex(q).at("1_0") is None and ChoiceIndex(q).at("3.5") is None and ChoiceIndex(q).at("2") is not None
    number = next(q for q in annual_form.answer_questions() if q.kind == "number")
    _, problems = validate_answers(annual_form, {number.id: "2_0"})
    assert any(p.question_id == number.id and p.rule == "type" for p in problems)


def test_a_date_with_an_underscore_is_rejected(tmp_path, form):
    from toolkit.forms import load_form, validate_answers

    _, problems = validate_answers(load_form(form), {"visit": "2_025-01-02"})
    assert [p.rule for p in problems] == ["type"]
    _, problems = validate_answers(load_form(form), {"visit": "２０２５-01-02"})
    assert problems == []


# ---- repeated headers ------------------------------------------------------------------------------------


def test_a_repeated_header_keeps_both_columns_in_the_raw_row(tmp_path, form):
    csv = tmp_path / "重复.csv"
    csv.write_bytes("年龄,意见,意见,意见#2\n30,好,很好,非常好\n".encode())
    db = tmp_path / "x.db"
    ingest(csv, form, db, source="table")
    [(raw,)] = _rows(db, "select raw from responses")
    for text in ('"意见": "好"', '"很好"', '"意见#2": "非常好"'):
        assert text in raw


def test_a_repeated_header_is_named_in_the_topics_note(tmp_path):
    from toolkit.tables import read_table

    csv = tmp_path / "重复.csv"
    csv.write_bytes("编号,留言,留言\n1,路灯坏了,晚上看不见\n".encode())
    frame = read_table(csv, error=ValueError)
    assert list(frame.columns) == ["编号", "留言", "留言.1"]
    assert frame.loc[0, "留言.1"] == "晚上看不见"
    assert "表头“留言”出现了 2 次" in frame.attrs["note"] and "“留言.1”" in frame.attrs["note"]


def test_a_repeated_xlsform_column_is_refused(tmp_path):
    from toolkit.forms import FormError
    from toolkit.forms.xlsform import read_xlsform

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "label"])
    ws.append(["text", "q1", "姓名", "名字"])
    wb.create_sheet("choices").append(["list_name", "name", "label"])
    wb.save(tmp_path / "form.xlsx")
    with pytest.raises(FormError) as err:
        read_xlsform(tmp_path / "form.xlsx")
    assert err.value.code == "sheet.column_repeated"
    assert (err.value.context["column"], err.value.context["columns"]) == ("label", "C、D")


# ---- readable messages ------------------------------------------------------------------------------------


def test_messages_show_a_full_width_space_by_name(tmp_path, form):
    csv = tmp_path / "空格.csv"
    csv.write_bytes("年龄,意见,日期\n1\u30002,好,2025-01-02\n".encode("utf-8"))
    db = tmp_path / "x.db"
    report = ingest(csv, form, db, source="table")
    [message] = [p["message"] for p in report["problems"]]
    assert "“1〔全角空格〕2”" in message
    assert "\\u3000" not in message and "\u3000" not in message


def test_quoted_names_invisible_characters():
    assert quoted("a\u3000b\t") == "“a〔全角空格〕b〔制表符〕”"
    assert quoted(["x", "\xa0"]) == "“x”、“〔不换行空格〕”"
    assert quoted(None) == "（空）" and quoted(3) == "3"


def test_the_cli_runs_without_a_traceback_on_the_underscore_file(tmp_path, form):
    csv = tmp_path / "答卷.csv"
    csv.write_bytes("年龄,意见,日期\n1_0,差,2025-01-03\n".encode())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "ingest",
            str(csv),
            "--form",
            str(form),
            "--db",
            str(tmp_path / "x.db"),
            "--source",
            "table",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "不是整数（“1_0”）" in proc.stdout


# ---- line endings ---------------------------------------------------------------------------------------


def test_a_csv_with_mac_line_endings_reads_every_row(tmp_path, form):
    """Excel's "CSV (Macintosh)" ends lines with a lone CR: one 300 KB "line" to a check that split on LF
    only, which then crashed with csv's "new-line character seen in unquoted field"."""
    from toolkit.tables import read_table

    path = tmp_path / "mac.csv"
    rows = [f"{20 + i % 50},第{i}条：小区门口路灯坏了,2025-01-{i % 28 + 1:02d}" for i in range(9000)]
    path.write_bytes("\r".join(["年龄,意见,日期", *rows, ""]).encode("utf-8"))
    assert len(read_table(path, error=ValueError)) == 9000  # topics and rank read it
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "ingest",
            str(path),
            "--form",
            str(form),
            "--db",
            str(tmp_path / "x.db"),
            "--source",
            "table",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert _rows(tmp_path / "x.db", "select count(*) from responses") == [(9000,)]
