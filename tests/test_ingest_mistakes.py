"""Mistakes a new user makes on the command line: each gets a Chinese message naming the file, the rule
and the fix, exit code 1, no traceback and no database written."""

from __future__ import annotations

import shutil

import pytest
from conftest import SHARED, SURVEYS
from openpyxl import load_workbook

from toolkit.cli import main
from toolkit.ingest import ingest, read_table
from toolkit.ingest.files import find_header_row
from toolkit.sample import write_export


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    d = tmp_path_factory.mktemp("mistakes")
    form_path = shutil.copy(SURVEYS / "annual_topics.yaml", d)
    form = load_form(form_path)
    export = write_export(form, generate_responses(form, 8, seed=3), d / "export.xlsx", "wjx")
    return {"form": form_path, "export": export, "dir": d}


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.err + out.out


def test_swapped_form_and_export(files, tmp_path, capsys):
    db = tmp_path / "x.db"
    code, text = _run(capsys, "ingest", files["form"], "--form", files["export"], "--db", db)
    assert code == 1
    assert "导出文件和问卷定义的位置颠倒了" in text and "--form 后面跟问卷定义" in text
    assert "UTF-8" not in text
    assert not db.exists()
    # a table given as --form, with a table as input: not swapped, but still the right rule
    code, text = _run(capsys, "ingest", files["export"], "--form", files["export"], "--db", db)
    assert code == 1 and "--form 应是问卷定义文件" in text and "form infer" in text
    assert not db.exists()
    # the form given twice: only the input is named as wrong
    code, text = _run(capsys, "ingest", files["form"], "--form", files["form"], "--db", db)
    assert code == 1 and "输入文件应是平台导出的 .xlsx/.xls/.csv" in text and "--form 应是" not in text
    assert not db.exists()


def test_missing_sheet_lists_sheets(files, tmp_path, capsys):
    db = tmp_path / "x.db"
    code, text = _run(capsys, "ingest", files["export"], "--form", files["form"], "--sheet", "答卷", "--db", db)
    assert code == 1
    assert "没有这个工作表（“答卷”" in text and "“Sheet1”" in text and "--sheet" in text
    assert "损坏" not in text and not db.exists()


@pytest.mark.parametrize("name", ["调研报告.docx", "报告.pdf"])
def test_unsupported_file_type(files, tmp_path, capsys, name):
    doc = tmp_path / name
    doc.write_bytes(files["export"].read_bytes())  # a zip like any .docx
    db = tmp_path / "x.db"
    code, text = _run(capsys, "ingest", doc, "--form", files["form"], "--db", db)
    assert code == 1
    assert "Word、PDF、PPT 等文档不能直接导入" in text and f"扩展名 “{doc.suffix}”" in text
    assert ".xlsx、.xls 或 .csv" in text and text.count("修改：") == 1
    assert "损坏" not in text and not db.exists()


def test_word_document_renamed_xlsx(tmp_path):
    import zipfile

    from toolkit.ingest import IngestError

    fake = tmp_path / "调研报告.xlsx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(IngestError) as err:
        read_table(fake)
    assert err.value.code == "file.word_not_table" and "内容是 Word 文档" in str(err.value)


def _with_title(src, dst, title="2019年群众留言汇总表", rows=1):
    wb = load_workbook(src)
    ws = wb.active
    width = ws.max_column
    ws.insert_rows(1, rows)
    ws["A1"] = title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    wb.save(dst)
    return dst


def test_title_row_above_header_is_skipped(files, tmp_path, capsys):
    titled = _with_title(files["export"], tmp_path / "titled.xlsx")
    table = read_table(titled)
    plain = read_table(files["export"])
    assert table.header == plain.header and table.n_rows == plain.n_rows
    assert table.header_line == 2 and table.sheet_row(1) == 3
    assert any("表头不在第一行" in n and "第 2 行" in n for n in table.notes)
    db = tmp_path / "x.db"
    code, text = _run(capsys, "ingest", titled, "--form", files["form"], "--db", db, "--report", tmp_path / "r.xlsx")
    assert code == 0 and "表头不在第一行" in text and "2019年群众留言汇总表" in text


def test_title_row_csv_and_explicit_header_row(files, tmp_path):
    plain = read_table(files["export"])
    lines = [
        "2019年群众留言汇总表" + "," * (len(plain.header) - 1),
        "导出时间：2019-12-31" + "," * (len(plain.header) - 1),
        ",".join(plain.header),
    ]
    lines += [",".join(v or "" for v in row) for row in plain.data.itertuples(index=False, name=None)][:3]
    csv = tmp_path / "t.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(csv)
    assert table.header == plain.header and table.n_rows == 3 and table.header_line == 3
    assert read_table(csv, header_row=3).header == plain.header
    from toolkit.ingest import IngestError

    with pytest.raises(IngestError) as err:
        read_table(csv, header_row=50)
    assert err.value.code == "ingest.header_row_empty" and err.value.context["row"] == 50


def test_rejected_row_message_counts_title_rows(files, tmp_path):
    titled = _with_title(files["export"], tmp_path / "titled.xlsx")
    wb = load_workbook(titled)
    ws = wb.active
    col = next(c.column for c in ws[2] if c.value and "职业" in str(c.value))
    ws.cell(4, col).value = "不存在的职业"  # data row 2 sits on sheet row 4
    wb.save(titled)
    report = ingest(titled, files["form"], tmp_path / "x.db")
    assert report["header_row"] == 2
    assert any("第2条数据（表格第4行）" in p["message"] for p in report["problems"])


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["标题", None, None, None], ["a", "b", "c", "d"], ["1", "2", "3", "4"]], 1),
        ([["标题", None, None, None], [None] * 4, ["序号", "姓名", "年龄", "意见"], ["1", "张", "3", "x"]], 2),
        ([["a", "b", "c", "d"], ["1", "2", "3", "4"]], 0),  # ordinary header
        ([["序号", None, None, None], ["1", "2", "3", "4"]], 0),  # data below, not a header
        ([["a", None], ["b", "c"]], 0),  # too narrow to tell
        ([["意见", None, None], ["x", "y", "z"], ["x", "y", "z"]], 1),
    ],
)
def test_find_header_row(rows, expected):
    assert find_header_row(rows) == expected


def test_title_line_without_delimiters_in_csv(tmp_path):
    for sep in (",", "\t"):
        path = tmp_path / "t.csv"
        path.write_text(
            f"2019年群众留言汇总表\n留言编号{sep}留言用户{sep}留言主题\n1{sep}A{sep}路灯坏了\n2{sep}B{sep}噪音扰民\n",
            encoding="utf-8",
        )
        table = read_table(path)
        assert table.header == ["留言编号", "留言用户", "留言主题"] and table.delimiter == sep
        assert table.n_rows == 2 and table.sheet_row(table.row_numbers[-1]) == 4


MESSAGES = SHARED / "teddy2020c/Syucryingstar_NLP_tipdm_90f5471/示例数据/3.xlsx"


@pytest.mark.skipif(not MESSAGES.exists(), reason="../shared message table absent")
def test_real_message_table_with_a_title_row(tmp_path):
    plain = read_table(MESSAGES)
    assert plain.header_line == 1 and not plain.notes  # real tables: nothing moves
    titled = read_table(_with_title(MESSAGES, tmp_path / "titled.xlsx"))
    assert titled.header == plain.header and titled.n_rows == plain.n_rows and titled.header_line == 2


def test_cli_header_row_option(files, tmp_path, capsys):
    titled = _with_title(files["export"], tmp_path / "titled.xlsx")
    code, text = _run(
        capsys,
        "ingest",
        titled,
        "--form",
        files["form"],
        "--db",
        tmp_path / "x.db",
        "--header-row",
        2,
        "--report",
        tmp_path / "r.xlsx",
    )
    assert code == 0 and "按 --header-row 从第 2 行读取表头" in text
    code, text = _run(capsys, "ingest", titled, "--form", files["form"], "--db", tmp_path / "y.db", "--header-row", 99)
    assert (
        code == 1
        and "--header-row 指向的行是空行或超出了表格范围（第 99 行）" in text
        and not (tmp_path / "y.db").exists()
    )
