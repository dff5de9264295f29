"""XLSForm export passes pyxform and round-trips; import of a hand-made XLSForm; CLI export/import."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest

from toolkit.cli import main
from toolkit.forms import FormError, dump_form, load_form
from toolkit.forms.xlsform import read_xlsform, write_xlsform, xlsform_to_xml

ROOT = Path(__file__).resolve().parents[1]
FORMS = ["annual_topics", "visit_record"]


@pytest.mark.parametrize("name", FORMS)
def test_export_passes_pyxform_and_round_trips(tmp_path, name):
    form = load_form(ROOT / "surveys" / f"{name}.yaml")
    path = write_xlsform(form, tmp_path / f"{name}.xlsx")
    xml, warnings = xlsform_to_xml(path)
    assert warnings == []
    assert f'<data id="{form.id}" version="{form.version}">' in xml
    assert form.title[-8:] in xml  # pyxform straightens “” quotes, so check the tail
    back = read_xlsform(path)
    assert back.to_dict() == form.to_dict()
    assert back.fingerprint == form.fingerprint  # same store version, not a new one


def test_export_is_byte_identical(tmp_path):
    form = load_form(ROOT / "surveys" / "visit_record.yaml")
    a = write_xlsform(form, tmp_path / "a.xlsx").read_bytes()
    time.sleep(2.1)  # zip entries carry the write time at 2-second resolution: cross a tick
    b = write_xlsform(form, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_matrix_skip_logic_and_constraints_in_xlsform_syntax(tmp_path):
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    wb = openpyxl.load_workbook(write_xlsform(form, tmp_path / "a.xlsx"))
    header = [c.value for c in wb["survey"][1]]
    rows = [dict(zip(header, r)) for r in wb["survey"].iter_rows(min_row=2, values_only=True)]
    by_name = {r["name"]: r for r in rows if r["type"] != "end_group"}
    assert by_name["services"]["type"] == "begin_group" and by_name["services"]["appearance"] == "field-list"
    matrix = [r for r in rows if str(r["name"]).startswith("services_")]
    assert len(matrix) == 6 and {r["type"] for r in matrix} == {"select_one satisfaction5"}
    assert by_name["reported_result"]["relevant"] == "${reported_before} = 'yes'"
    assert by_name["concern_areas"]["type"] == "select_multiple areas_or_other"
    assert by_name["concern_areas"]["constraint"] == "count-selected(.) <= 3"
    assert by_name["concern_areas_other"]["relevant"] == "selected(${concern_areas}, 'other')"
    assert by_name["years_here"]["constraint"] == "(. >= 0) and (. <= 100)"
    assert by_name["priority"]["type"] == "rank areas"
    assert by_name["concern"]["appearance"] == "multiline"
    assert by_name["sector"]["label"] == "您的职业或所属群体是？"
    choices = [r for r in wb["choices"].iter_rows(min_row=2, values_only=True)]
    assert ("areas_or_other", "other", "其他（请注明）") in choices


def test_edits_made_in_excel_win_over_the_original_text(tmp_path):
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    path = write_xlsform(form, tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb["survey"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "phone":
            row[header.index("relevant")].value = "${willing_contact} = 'yes' and ${age_band} != 'under18'"
    wb.save(path)
    back = read_xlsform(path)
    assert back.question("phone").relevant == "${willing_contact} = 'yes' and ${age_band} != 'under18'"
    assert back.question("reported_result").relevant == "${reported_before} == 'yes'"


def test_import_a_hand_made_xlsform(tmp_path):
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "survey"
    s.append(["type", "name", "label::Chinese (zh)", "relevant", "appearance"])
    s.append(["select_one yn", "q1", "是否参加过议事会", None, None])
    s.append(["begin_group", "m", "满意度", "${q1} = 'yes'", "field-list"])
    s.append(["select_one yn", "m_a", "环境", None, None])
    s.append(["select_one yn", "m_b", "服务", None, None])
    s.append(["end_group", None, None, None, None])
    s.append(["text", "why", "原因", "${m_a} = 'no'", "multiline"])
    s.append(["begin_group", "g", "联系方式", None, None])  # a plain group: its questions stay questions
    s.append(["text", "tel", "电话", "${why} != ''", None])
    s.append(["end_group", None, None, None, None])
    s.append(["calculate", "c", None, None, None])
    c = wb.create_sheet("choices")
    c.append(["list_name", "name", "label::Chinese (zh)"])
    c.append(["yn", "yes", "是"])
    c.append(["yn", "no", "否"])
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    form = read_xlsform(path)
    assert form.id == "hand" and [q.id for q in form.questions] == ["q1", "m", "why", "tel"]
    assert form.question("tel").relevant == "${why} != ''"
    assert form.question("m").is_matrix and [r.id for r in form.question("m").rows] == ["a", "b"]
    assert form.question("q1").choice_list == "yn"  # used by two questions: a shared list
    assert form.question("why").kind == "concern" and form.question("why").relevant == "${m/a} = 'no'"


def test_unreadable_file_is_a_form_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(FormError) as unreadable:
        read_xlsform(bad)
    assert unreadable.value.code == "file.not_xlsx"
    with pytest.raises(FormError) as missing:
        read_xlsform(tmp_path / "missing.xlsx")
    assert missing.value.code == "file.not_found"


def test_cli_export_then_import_gives_the_same_yaml(tmp_path, capsys):
    src = ROOT / "surveys" / "annual_topics.yaml"
    out = tmp_path / "a.xlsx"
    assert main(["form", "export", str(src), "--to", "xlsform", "-o", str(out)]) == 0
    assert "pyxform 转换通过" in capsys.readouterr().out
    assert main(["form", "import", str(out), "-o", str(tmp_path / "x.yaml")]) == 0
    assert (tmp_path / "x.yaml").read_text(encoding="utf-8") == dump_form(load_form(src))
    assert main(["form", "import", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path / "y.yaml")]) == 1
    assert "nope.xlsx：文件不存在。修改：" in capsys.readouterr().err
