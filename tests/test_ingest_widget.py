"""The ingest panel of notebook 03: choose a file (from the folder or uploaded), a survey and a database, press
导入, read the result in plain Chinese."""

import datetime as dt
from pathlib import Path

import pytest

from toolkit.forms import load_form
from toolkit.ingest import IngestPanel
from toolkit.ingest.widget import export_files, survey_choices
from toolkit.sample import generate_responses, wjx_table, write_export, write_rows
from toolkit.store import open_store

SURVEYS = Path(__file__).resolve().parents[1] / "surveys"


@pytest.fixture
def form():
    return load_form(SURVEYS / "annual_topics.yaml")


@pytest.fixture
def broken_export(tmp_path, form):
    """A 问卷星 export of 30 answers in ``tmp_path``, one with an occupation not on the form."""
    header, rows = wjx_table(form, generate_responses(form, 30, seed=5))
    sector = next(i for i, h in enumerate(header) if "职业" in h)
    rows[3][sector] = "宇航员"
    return write_rows(header, rows, tmp_path / "问卷星导出.csv")


def _choose(dropdown, label_part: str) -> None:
    dropdown.value = next(v for label, v in dropdown.options if label_part in label)


def test_import_by_button_says_what_happened_without_codes(tmp_path, db_url, form, broken_export):
    panel = IngestPanel(tmp_path, SURVEYS, databases={"测试数据库": db_url}, operator="王敏")
    assert panel.file.value == str(broken_export)  # the only export in the folder, chosen to begin with
    assert [label for label, _ in panel.form.options] == [load_form(p).title for p in sorted(SURVEYS.glob("*.yaml"))]
    _choose(panel.form, "选题征集")
    assert panel.database.label == "测试数据库" and panel.source.label == "自动识别"

    panel.button.click()
    report = panel.report
    assert (report["accepted"], report["rejected"]) == (29, 1)
    shown = panel.status.value + panel.details.value
    assert "本次接收 29 行，隔离 1 行" in shown and "问卷星" in shown
    assert "<td>5</td>" in panel.details.value  # row 4 of the data is line 5 in Excel, under the header
    assert "宇航员" in panel.details.value and "教育界" in panel.details.value
    # what staff read carries no internal codes: no form id, question id or choice id
    for code in ("annual_topics", "（sector）", "education=", "'accepted'", "{"):
        assert code not in shown
    store = open_store(db_url)
    try:
        assert len(store.responses(form.id)) == 29
        assert set(store.batches()["operator"]) == {"王敏"}
    finally:
        store.close()

    panel.button.click()  # the same file again: nothing counted twice
    assert panel.report["accepted"] == 0 and "此前已导入（跳过）30 行" in panel.status.value


def test_fix_workbook_button(tmp_path, form, broken_export):
    panel = IngestPanel(tmp_path, SURVEYS, databases={"测试数据库": tmp_path / "x.db"})
    _choose(panel.form, "选题征集")
    panel.button.click()
    panel.fix_button.click()
    path = tmp_path / f"待修正表_{form.title}.xlsx"
    assert path.exists() and "已写出待修正表" in panel.status.value and "1 行" in panel.status.value


def test_upload_is_saved_listed_and_chosen(tmp_path, form):
    records = generate_responses(form, 12, seed=2)
    export = write_export(form, records, tmp_path / "腾讯.csv", "tencent")
    folder = tmp_path / "data"
    folder.mkdir()
    panel = IngestPanel(folder, [SURVEYS / "annual_topics.yaml"], databases={"库": tmp_path / "u.db"})
    assert panel.file.options == () and panel.file.value is None
    panel.button.click()
    assert "请先选择导出文件" in panel.status.value and panel.report is None

    content = export.read_bytes()
    panel.upload.value = (
        {
            "name": "腾讯问卷导出.csv",
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 5, 1),
        },
    )
    saved = folder / "上传的文件" / "腾讯问卷导出.csv"
    assert saved.read_bytes() == content
    assert panel.file.value == str(saved) and panel.file.label == str(Path("上传的文件") / "腾讯问卷导出.csv")
    panel.button.click()
    assert panel.report["accepted"] == 12 and "腾讯问卷" in panel.status.value


def test_wrong_survey_is_said_in_chinese(tmp_path, broken_export):
    panel = IngestPanel(tmp_path, SURVEYS, databases={"库": tmp_path / "w.db"})
    _choose(panel.form, "走访记录")
    panel.button.click()
    assert panel.report is None
    assert "题目对不上" in panel.status.value and "visit_record" not in panel.status.value


def test_lists(tmp_path, form):
    (tmp_path / "a").mkdir()
    for name in ("b.xlsx", "a/c.csv", ".hidden.csv", "~$open.xlsx", "notes.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in export_files(tmp_path)] == ["a/c.csv", "b.xlsx"]
    assert export_files(tmp_path / "missing") == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", encoding="utf-8")
    assert survey_choices([SURVEYS / "annual_topics.yaml", bad]) == [(form.title, SURVEYS / "annual_topics.yaml")]
    panel = IngestPanel(tmp_path, SURVEYS, files={"示例导出": tmp_path / "b.xlsx"})
    assert panel.file.options[0] == ("示例导出", str(tmp_path / "b.xlsx"))
    assert panel.database.options[-1][0].startswith("新建 调研数据.db")
