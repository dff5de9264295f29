"""The sheet scan of ``toolkit.filesafety`` on hand-written worksheet XML: the used range calamine would
allocate, and the error/formula cells, also when cells lack ``r``, use a namespace prefix or straddle
the 1 MB pieces the XML is streamed in."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from toolkit.filesafety import MAX_COLUMNS, UnsafeFile, check_text_table, check_workbook, column_letters, column_number

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def book(sheet: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="r"><sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Type="ws" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def scan(sheet: str):
    workbook = check_workbook(book(sheet))
    assert workbook.names == ["表1"]
    return workbook.scan("表1")


def test_column_letters_round_trip():
    assert [column_number(s) for s in ("A", "Z", "AA", "XFD")] == [1, 26, 27, MAX_COLUMNS]
    assert [column_letters(n) for n in (1, 26, 27, MAX_COLUMNS)] == ["A", "Z", "AA", "XFD"]


def test_the_used_range_leaves_out_formatted_empty_cells():
    s = scan(
        f'<worksheet {NS}><sheetData><row r="2"><c r="B2"><v>1</v></c><c r="C2" s="1"/></row>'
        f'<row r="30000"><c r="XFD30000" s="3"/></row></sheetData></worksheet>'
    )
    assert (s.first, s.rows, s.columns) == ((2, 2), 2, 2)


def test_cells_without_references_follow_each_other():
    s = scan(
        f"<worksheet {NS}><sheetData><row><c><v>1</v></c><c><v>2</v></c></row>"
        f'<row><c><v>3</v></c><c><v>4</v></c><c t="e"><v>#N/A</v></c></row></sheetData></worksheet>'
    )
    assert (s.rows, s.columns) == (2, 3)


def test_a_prefixed_sheet_is_measured_too():
    with pytest.raises(UnsafeFile, match="XFD30000"):
        scan(
            '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
            '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><x:row r="30000"><x:c r="XFD30000">'
            "<x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>"
        )


def test_error_and_formula_cells_are_found_across_pieces():
    # about 3 MB of cells: every 997th shows #N/A, every 1009th is a formula without a value
    rows, errors, formulas = [], set(), set()
    for r in range(1, 12001):
        cells = []
        for c in range(1, 6):
            k = r * 5 + c
            ref = f"{column_letters(c)}{r}"
            if k % 997 == 0:
                cells.append(f'<c r="{ref}" t="e"><f>VLOOKUP(A1,B:B,2,0)</f><v>#N/A</v></c>')
                errors.add((r, c))
            elif k % 1009 == 0:
                cells.append(f'<c r="{ref}"><f>A1*2</f><v></v></c>')
                formulas.add((r, c))
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>第{k}个单元格的文字</t></is></c>')
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    sheet = f'<worksheet {NS}><dimension ref="A1:E12000"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
    assert len(sheet.encode()) > 3 * 2**20
    s = scan(sheet)
    assert (s.rows, s.columns, s.dimension) == (12000, 5, "A1:E12000")
    assert s.n_odd == len(errors) + len(formulas)
    assert {k for k, v in s.odd_cells.items() if v == "#N/A"} == errors
    assert {k for k, v in s.odd_cells.items() if v == ""} == formulas


def test_a_formula_with_a_saved_value_is_not_odd():
    s = scan(f'<worksheet {NS}><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>')
    assert s.n_odd == 0


def test_a_wide_line_is_counted_by_fields_not_by_commas():
    quoted = '"' + "," * (MAX_COLUMNS + 10) + '"'
    check_text_table(f"编号,留言\n1,{quoted}\n", ",")  # one quoted field full of commas: fine
    with pytest.raises(UnsafeFile) as err:
        check_text_table("a\n" + ",".join(["x"] * (MAX_COLUMNS + 2)) + "\n", ",")
    assert err.value.code == "table.too_many_columns" and (err.value.context["line"], err.value.context["columns"]) == (
        2,
        16_386,
    )


# ---- which sheets a reader may load: every one the workbook names is scanned, or refused ------------


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return buf.getvalue()


FAR = (
    f'<worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    '<row r="30000"><c r="XFD30000"><v>1</v></c></row></sheetData></worksheet>'
)
BOOK = '<workbook xmlns:r="r"><sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'


@pytest.mark.parametrize(
    "target, part",
    [("sheets/data.xml", "xl/sheets/data.xml"), ("/xl/x/y.xml", "xl/x/y.xml"), ("worksheets/../s.xml", "xl/s.xml")],
)
def test_a_sheet_is_found_through_the_workbook_whatever_its_folder(target, part):
    workbook = check_workbook(
        _zip(
            {
                "xl/workbook.xml": BOOK,
                part: FAR,
                "xl/_rels/workbook.xml.rels": f'<Relationships><Relationship Id="rId1" Target="{target}"/></Relationships>',
            }
        )
    )
    assert workbook.names == ["表1"]
    with pytest.raises(UnsafeFile, match="XFD30000"):
        workbook.scan("表1")
    with pytest.raises(UnsafeFile, match="XFD30000"):
        workbook.scan(0)  # by tab position, as pandas asks for the first sheet


def test_a_named_sheet_whose_part_is_missing_is_refused_not_passed():
    workbook = check_workbook(
        _zip(
            {
                "xl/workbook.xml": BOOK,
                "xl/sheet9.xml": FAR,
                "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Target="nowhere.xml"/></Relationships>',
            }
        )
    )
    with pytest.raises(UnsafeFile) as err:
        workbook.scan("表1")
    assert err.value.code == "workbook.sheet_data_missing" and err.value.context["sheet"] == "表1"
    assert str(err.value).startswith("输入文件 工作表“表1”：找不到这个工作表的数据")


def test_without_a_readable_sheet_list_no_sheet_passes():
    for members in (
        {"xl/worksheets/sheet1.xml": FAR},  # no workbook part
        {
            "xl/workbook.xml": "<workbook><sheets>",
            "xl/_rels/workbook.xml.rels": "<Relationships/>",
            "xl/worksheets/sheet1.xml": FAR,
        },
    ):  # unreadable XML
        workbook = check_workbook(_zip(members))
        for name in ("Sheet1", 0):
            with pytest.raises(UnsafeFile) as err:
                workbook.scan(name)
            assert err.value.code == "workbook.no_sheet_list"


def test_a_sheet_the_reader_has_but_the_workbook_does_not_name_is_refused():
    workbook = check_workbook(book(f"<worksheet {NS}><sheetData/></worksheet>"))
    assert workbook.scan("待修正") is None  # the reader says the sheet is missing
    with pytest.raises(UnsafeFile) as err:
        workbook.scan("别的表", required=True)
    # the reader found it: unmeasured, so refused
    assert err.value.code == "workbook.sheet_unlisted" and err.value.context["sheet"] == "别的表"


def test_lines_ended_by_a_lone_cr_are_lines():
    rows = "\r".join(f"{i},意见{i},2024-01-02" for i in range(9000))  # "CSV (Macintosh)": 18,000 commas
    check_text_table("id,text,time\r" + rows + "\r", ",")
    wide = ",".join(["x"] * (MAX_COLUMNS + 2))
    with pytest.raises(UnsafeFile) as err:
        check_text_table("a\r\nb\r" + wide + "\r", ",")
    assert err.value.code == "table.too_many_columns" and err.value.context["line"] == 3


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files without permission")
def test_a_file_without_read_permission_is_refused_in_chinese_by_every_opener(tmp_path):
    from toolkit.filesafety import check_csv_head, read_input

    path = tmp_path / "锁住.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    path.chmod(0)
    for opener in (read_input, check_csv_head):
        with pytest.raises(UnsafeFile) as err:
            opener(path)
        assert err.value.code == "file.no_access"
