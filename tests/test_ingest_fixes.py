"""Quarantined rows out to a fix workbook (待修正.xlsx) and back: ``weidiaoyan rejected export|resubmit``.

Real 问卷星 xlsx in, real SQLite in tmp_path, the workbook edited with openpyxl as staff would in Excel.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import SURVEYS
from openpyxl import load_workbook

from toolkit.cli import main
from toolkit.ingest import ingest
from toolkit.sample import wjx_table, write_export, write_rows
from toolkit.store import open_store

FORM = str(SURVEYS / "annual_topics.yaml")
PHONE_TEXT = "=HYPERLINK(1) 我家电话13812345678，楼下路灯坏了三个月没人修"


@pytest.fixture(scope="module")
def records():
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    recs = generate_responses(load_form(FORM), 40, seed=21)
    # rows without skip-logic surprises: contact wanted, so the phone question is shown
    return [r for r in recs if r["answers"].get("willing_contact") == "yes"][:6]


@pytest.fixture
def quarantined(tmp_path, records):
    """A 6-row 问卷星 file: row 2 has a wrong 职业, row 4 a wrong 年数 and a phone in its concern text,
    row 5 a malformed phone number; the rest import."""
    from toolkit.forms import load_form

    form = load_form(FORM)
    header, rows = wjx_table(form, records)
    col = {h: i for i, h in enumerate(header)}
    find = lambda word: col[next(h for h in header if word in h)]  # noqa: E731
    rows[1][find("职业")] = "宇航员"
    rows[3][find("多少年")] = "一百五十"
    rows[3][find("最急")] = PHONE_TEXT
    rows[4][find("联系电话")] = "1381234"
    db = tmp_path / "x.db"
    report = ingest(write_rows(header, rows, tmp_path / "bad.xlsx", neutralise=False), form, db)
    assert (report["accepted"], report["rejected_rows"]) == (3, [2, 4, 5])
    return form, db, header


def _dump(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _export(db, out, *extra) -> int:
    return main(["rejected", "export", "--form", FORM, "--db", str(db), "-o", str(out), *extra])


def _resubmit(db, path, operator="张三", *extra) -> int:
    return main(["rejected", "resubmit", str(path), "--form", FORM, "--db", str(db), "--operator", operator, *extra])


def _sheet(path, name="待修正"):
    ws = load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return ws, rows[0], rows[1:]


def _edit(path, changes: dict):
    """``changes``: {(data row number, header word): new value}, as staff would type them in Excel.

    The sheet shows 表格行号, the row in the import file (data row + 1 below a one-row header)."""
    wb = load_workbook(path)
    ws = wb["待修正"]
    header = [c.value for c in ws[1]]
    for (row_number, word), value in changes.items():
        j = next(i for i, h in enumerate(header) if word in h) + 1
        i = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == row_number + 1)
        ws.cell(i, j).value = value
    wb.save(path)


def test_export_lists_each_quarantined_row_with_problem_answers_and_masking(tmp_path, quarantined, capsys):
    form, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    assert _export(db, out) == 0
    assert "已导出 3 行隔离数据" in capsys.readouterr().out
    ws, header, rows = _sheet(out)
    assert list(header[:4]) == ["批次", "表格行号", "处理", "问题"]
    assert [(r[0], r[1]) for r in rows] == [(1, 3), (1, 5), (1, 6)]
    by_row = {r[1] - 1: dict(zip(header, r)) for r in rows}  # keyed by data row number
    # the row number column and the problem text name the same spreadsheet row
    assert all(f"表格第{r[1]}行" in r[3] for r in rows)
    sector = next(h for h in header if "职业" in h)
    years = next(h for h in header if "多少年" in h)
    concern = next(h for h in header if "最急" in h)
    phone = next(h for h in header if "联系电话" in h)
    assert by_row[2][sector] == "宇航员" and "选项不符" in by_row[2]["问题"] and "修改" in by_row[2]["问题"]
    assert by_row[4][years] == "一百五十" and "列：" + years in by_row[4]["问题"]
    # answers as imported, written as option labels for editing
    assert by_row[4][sector] in {c.label for c in form.question("sector").choices}
    # PII: the concern text is not the field to fix -> phone masked and formula neutralised; the bad phone is shown
    assert "13812345678" not in by_row[4][concern] and by_row[4][concern].startswith("'=")
    assert by_row[5][phone] == "1381234"
    j = header.index(years) + 1
    assert ws.cell(3, j).fill.fgColor.rgb.endswith("FFF2CC")  # the cell to fix is highlighted
    raw = _sheet(out, "原始数据")[2]
    assert not any("13812345678" in str(v) for r in raw for v in r)
    assert _sheet(out, "说明")[1] == ("问卷编号", "annual_topics")
    again = tmp_path / "again.xlsx"
    _export(db, again)
    assert again.read_bytes() == out.read_bytes()  # deterministic
    personal = tmp_path / "personal.xlsx"
    _export(db, personal, "--show-personal", "--batch", "1")
    _, header, rows = _sheet(personal)
    assert PHONE_TEXT in dict(zip(header, rows[1]))[concern].lstrip("'")


def test_resubmit_fixes_rows_keeps_bad_ones_quarantined_and_is_idempotent(tmp_path, quarantined, records, capsys):
    form, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    science = form.question("sector").choice_label("science")
    _edit(
        out,
        {
            (2, "职业"): science,  # fixed
            (4, "多少年"): 150,  # a number now, but over the 0–100 limit
            (5, "联系电话"): "13912345678",
        },
    )  # fixed
    capsys.readouterr()
    assert _resubmit(db, out, "张三", "--reason", "电话回访核实") == 0
    text = capsys.readouterr().out
    assert "已重新提交 2 行" in text and "仍不符合（继续隔离，原因已更新）1 行" in text
    store = open_store(db)
    try:
        df = store.responses("annual_topics")
        assert len(df) == 5
        fixed = df[df["row_number"] == 2].iloc[0]
        assert fixed["sector"] == "science" and fixed["operator"] == "张三" and "resubmitted" in fixed["flags"]
        # every other answer came through unchanged, e.g. the concern text
        assert fixed["concern"] == records[1]["answers"]["concern"]
        assert df[df["row_number"] == 5].iloc[0]["phone"] == "13912345678"
        still = store.rejected()
        assert set(still["row_number"]) == {4}
        assert still["rule"].tolist() == ["constraint"] and "仍不符合" in still["message"].iloc[0]
        audit = store.audit(entity="rejected_row")
        assert sorted(audit["action"]) == ["resubmit", "resubmit", "resubmit_failed"]
        assert set(audit["operator"]) == {"张三"} and set(audit["reason"]) == {"电话回访核实"}
    finally:
        store.close()
    before = _dump(db)
    assert _resubmit(db, out, "张三", "--json") == 0  # same workbook again: nothing changes
    again_summary = json.loads(capsys.readouterr().out)
    assert (again_summary["already_done"], again_summary["unchanged"], again_summary["resubmitted"]) == (2, 1, [])
    assert _dump(db) == before
    # the next export shows the latest attempt; a masked cell left alone keeps the original text
    again = tmp_path / "第二次.xlsx"
    _export(db, again)
    _, header, rows = _sheet(again)
    row = dict(zip(header, rows[0]))
    assert len(rows) == 1 and row[next(h for h in header if "多少年" in h)] == "150"
    assert "13812345678" not in row[next(h for h in header if "最急" in h)]
    _edit(again, {(4, "多少年"): 15})
    assert _resubmit(db, again, "李四") == 0
    store = open_store(db)
    try:
        df = store.responses("annual_topics")
        last = df[df["row_number"] == 4].iloc[0]
        assert last["years_here"] == 15 and last["concern"] == PHONE_TEXT and last["operator"] == "李四"
        assert len(store.rejected()) == 0
    finally:
        store.close()
    assert ingest(tmp_path / "bad.xlsx", form, db)["accepted"] == 0  # the original file still adds nothing


def test_dismissed_rows_are_closed_and_audited(tmp_path, quarantined, capsys):
    _, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _edit(out, {(2, "处理"): "放弃"})
    assert _resubmit(db, out) == 0
    text = capsys.readouterr().out
    assert "放弃 1 行" in text and "未修改 2 行" in text
    store = open_store(db)
    try:
        assert set(store.rejected(status="dismissed")["row_number"]) == {2}
        assert "dismiss" in set(store.audit(entity="rejected_row")["action"])
    finally:
        store.close()


def _other_form_workbook(path):
    wb = load_workbook(path)
    wb["说明"]["B1"] = "visit_record"
    wb.save(path)


def _drop_column(path):
    wb = load_workbook(path)
    wb["待修正"].delete_cols(6)
    wb.save(path)


def _bad_row_number(path):
    wb = load_workbook(path)
    wb["待修正"]["B2"] = 999
    wb.save(path)


@pytest.mark.parametrize(
    "spoil,expect",
    [
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook"), "无法作为 .xlsx 打开"),
        (lambda p: p.unlink(), "不存在"),
        (_other_form_workbook, "待修正表属于另一份问卷"),
        (_drop_column, "缺少列"),
        (_bad_row_number, "不是问卷 annual_topics 的隔离行"),
    ],
)
def test_bad_workbooks_fail_in_chinese_and_change_nothing(tmp_path, quarantined, capsys, spoil, expect):
    _, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _edit(out, {(2, "职业"): "科学技术界（科研、技术人员）"})
    spoil(out)
    before = _dump(db)
    capsys.readouterr()
    assert _resubmit(db, out) != 0
    err = capsys.readouterr().err
    assert err.startswith("错误：") and expect in err and "Traceback" not in err
    assert _dump(db) == before


def test_missing_operator_or_database_is_refused(tmp_path, quarantined, capsys):
    _, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    with pytest.raises(SystemExit) as exit_info:  # argparse: --operator is required
        main(["rejected", "resubmit", str(out), "--form", FORM, "--db", str(db)])
    assert exit_info.value.code == 2
    assert _resubmit(db, out, " ") != 0 and "操作人" in capsys.readouterr().err
    missing = tmp_path / "没有.db"
    assert _export(missing, tmp_path / "x.xlsx") != 0 and "不存在" in capsys.readouterr().err
    assert not missing.exists()  # no empty database created by mistake


def test_matrix_and_multiple_choice_cells_round_trip(tmp_path, records):
    """A row rejected for one question comes back with its matrix, multiple-choice and other answers intact."""
    from toolkit.forms import load_form, validate_answers
    from toolkit.ingest.fixes import answer_columns, parse, render

    form = load_form(FORM)
    columns = answer_columns(form)
    for r in records:  # cells are texts; validation turns "9" back into 9
        assert validate_answers(form, parse(columns, render(columns, r["answers"])))[0] == r["answers"]
    db = tmp_path / "m.db"
    with_matrix = [r for r in records if r["answers"].get("services") and r["answers"].get("concern_areas")][:2]
    assert len(with_matrix) == 2
    header, rows = wjx_table(form, with_matrix)
    rows[0][next(i for i, h in enumerate(header) if "职业" in h)] = "宇航员"
    ingest(write_rows(header, rows, tmp_path / "m.xlsx", neutralise=False), form, db)
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _edit(out, {(1, "职业"): form.question("sector").choice_label("health")})
    assert _resubmit(db, out) == 0
    store = open_store(db)
    try:
        got = [store.response(int(i))["answers"] for i in store.responses("annual_topics")["response_id"]]
    finally:
        store.close()
    fixed = next(a for a in got if a.get("sector") == "health")
    assert fixed == dict(with_matrix[0]["answers"], sector="health")


def test_export_with_nothing_quarantined_says_so(tmp_path, records, capsys):
    from toolkit.forms import load_form

    db = tmp_path / "ok.db"
    ingest(write_export(load_form(FORM), records[:3], tmp_path / "ok.xlsx", "wjx"), FORM, db)
    capsys.readouterr()
    assert _export(db, tmp_path / "empty.xlsx") == 0
    assert "没有待处理的隔离行" in capsys.readouterr().out
    assert _export(db, tmp_path / "e.xlsx", "--batch", "7") != 0 and "没有这个导入批次（7）" in capsys.readouterr().err


def test_rows_imported_before_answers_were_kept_are_filled_in_by_hand(tmp_path, quarantined, records):
    """Batches from before this workbook existed have no parsed answers: the row is exported blank, with a note."""
    form, db, _ = quarantined
    con = sqlite3.connect(db)
    report = json.loads(con.execute("select report from batches").fetchone()[0])
    del report["rejected_answers"]
    con.execute("update batches set report = ?", (json.dumps(report, ensure_ascii=False),))
    con.commit()
    con.close()
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _, header, rows = _sheet(out)
    first = dict(zip(header, rows[0]))
    assert "没有保存解析后的答案" in first["问题"] and all(v is None for v in rows[0][4:])
    before = _dump(db)
    assert _resubmit(db, out) == 0 and _dump(db) == before  # nothing typed yet: nothing changes
    answers = dict(records[1]["answers"], sector="science")
    from toolkit.ingest.fixes import answer_columns, render

    texts = render(answer_columns(form), answers)
    _edit(out, {(2, c.header): texts[c.key] for c in answer_columns(form) if texts[c.key] is not None})
    assert _resubmit(db, out) == 0
    store = open_store(db)
    try:
        row = store.responses("annual_topics").query("row_number == 2").iloc[0]
        assert row["sector"] == "science" and row["concern"] == records[1]["answers"]["concern"]
    finally:
        store.close()


_KILLER = """
import sys, time
from toolkit.store.store import Store
orig, calls = Store.log_audit, []
def slow(self, *a, **k):
    orig(self, *a, **k)
    calls.append(1)
    if len(calls) == 2:                  # one row fully re-submitted, the second half-way
        print("WRITING", flush=True)
        time.sleep(60)                   # the parent kills us here, inside the open transaction
Store.log_audit = slow
from toolkit.cli import main
main(["rejected", "resubmit", sys.argv[1], "--form", sys.argv[2], "--db", sys.argv[3], "--operator", "张三"])
"""


def test_killed_resubmission_leaves_database_as_before(tmp_path, quarantined):
    from test_ingest_store import kill_while_writing

    form, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _edit(out, {(2, "职业"): form.question("sector").choice_label("science"), (5, "联系电话"): "13912345678"})
    before = _dump(db)
    kill_while_writing(_KILLER, out, FORM, db)
    assert _dump(db) == before


def test_comma_between_options_is_split_only_when_every_part_is_an_option():
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import answer_columns, parse

    columns = [c for c in answer_columns(load_form(FORM)) if c.key == "concern_areas"]
    for text in ("交通出行与停车，看病就医", "交通出行与停车、看病就医", "交通出行与停车,看病就医"):
        assert parse(columns, {"concern_areas": text}) == {"concern_areas": ["traffic", "medical"]}
    assert parse(columns, {"concern_areas": "交通出行与停车┋看病就医"}) == {"concern_areas": ["traffic", "medical"]}
    # a part that is no option: left whole, so validation names the cell as typed
    assert parse(columns, {"concern_areas": "交通出行与停车，火星移民"}) == {
        "concern_areas": ["交通出行与停车，火星移民"]
    }


def test_still_wrong_multiple_choice_with_commas_hints_at_the_separator(tmp_path, quarantined, capsys):
    _, db, _ = quarantined
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _edit(out, {(2, "职业"): "科学技术界（科研、技术人员）", (2, "最关心"): "交通出行与停车，火星移民"})
    capsys.readouterr()
    assert _resubmit(db, out) == 0
    text = capsys.readouterr().out
    assert "批次 1 表格第3行" in text and "┋ 分隔" in text, text


def test_fix_workbook_row_numbers_follow_a_title_row_and_old_workbooks_still_read(tmp_path, records):
    from toolkit.forms import load_form

    form = load_form(FORM)
    header, rows = wjx_table(form, records)
    rows[1][next(i for i, h in enumerate(header) if "职业" in h)] = "宇航员"
    titled = write_rows(header, rows, tmp_path / "t.xlsx")
    wb = load_workbook(titled)
    wb.active.insert_rows(1)
    wb.active["A1"] = "2019年群众意见汇总表"  # a title row above the header
    wb.save(titled)
    db = tmp_path / "x.db"
    report = ingest(titled, form, db)
    assert report["header_row"] == 2 and "表格第4行" in report["problems"][0]["message"]
    out = tmp_path / "待修正.xlsx"
    _export(db, out)
    _, head, got = _sheet(out)
    assert got[0][1] == 4 and "表格第4行" in got[0][3]
    # a workbook exported before the column was renamed: 行号 holds the data row number
    wb = load_workbook(out)
    ws = wb["待修正"]
    ws["B1"], ws["B2"] = "行号", 2
    ws.cell(2, head.index(next(h for h in head if "职业" in h)) + 1).value = "科学技术界（科研、技术人员）"
    wb.save(out)
    assert _resubmit(db, out) == 0
    store = open_store(db)
    try:
        assert len(store.rejected(status="open")) == 0
        assert "science" in set(store.responses("annual_topics")["sector"])
    finally:
        store.close()


@pytest.mark.parametrize("typed", ["0755 8765 4324", "１３８１２３４５６７８"])
def test_a_failing_number_is_shown_as_typed_so_staff_can_fix_it(tmp_path, records, typed):
    """A phone number typed with spaces or in full-width digits fails the form's rule; the detector also reads
    it as a phone, yet the yellow cell and the problem text must show it as submitted, or nobody can fix it."""
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import export_rejected

    form = load_form(FORM)
    header, rows = wjx_table(form, records[:2])
    phone = next(i for i, h in enumerate(header) if "联系电话" in h)
    rows[0][phone] = typed
    db = tmp_path / "x.db"
    assert ingest(write_rows(header, rows, tmp_path / "bad.xlsx"), form, db)["rejected_rows"] == [1]
    store = open_store(db)
    try:
        export_rejected(store, form, tmp_path / "fix.xlsx")
    finally:
        store.close()
    ws = load_workbook(tmp_path / "fix.xlsx")["待修正"]
    heads = [c.value for c in ws[1]]
    cell = ws.cell(2, 1 + next(i for i, h in enumerate(heads) if h and "联系电话" in h))
    assert cell.value == typed and cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert typed in ws.cell(2, 4).value and "[手机号]" not in ws.cell(2, 4).value


def test_db_info_counts_quarantined_rows_not_their_problems(tmp_path, records):
    from toolkit.forms import load_form

    form = load_form(FORM)
    header, rows = wjx_table(form, records[:3])
    col = {h: i for i, h in enumerate(header)}
    rows[0][col[next(h for h in header if "职业" in h)]] = "宇航员"  # two rules broken on one row
    rows[0][col[next(h for h in header if "多少年" in h)]] = "一百五十"
    db = tmp_path / "x.db"
    report = ingest(write_rows(header, rows, tmp_path / "bad.xlsx"), form, db)
    assert report["rejected_rows"] == [1] and len(report["problems"]) == 2
    store = open_store(db)
    try:
        assert store.counts(form.id)["rejected"] == 1
    finally:
        store.close()
