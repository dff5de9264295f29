"""``weidiaoyan crosstab`` and ``weidiaoyan quality`` as staff run them, the notebook widget and the chart."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pytest
from scipy import stats

from tests.test_analysis_crosstab import answers_for, make_form
from toolkit.cli import main


@pytest.fixture
def db(tmp_path):
    """A SQLite store with a table counted by hand (镇街 × 性别) and a form file beside it."""
    import yaml

    from tests.test_analysis_crosstab import FORM
    from toolkit.store import open_store

    form_path = tmp_path / "xt.yaml"
    form_path.write_text(yaml.safe_dump(FORM, allow_unicode=True), encoding="utf-8")
    cells = {("donghu", "m"): 30, ("donghu", "f"): 10, ("xishan", "m"): 12, ("xishan", "f"): 28}
    records = answers_for(cells)
    records[0]["opinion"] = "电话13812345678"
    store = open_store(tmp_path / "xt.db")
    store.add_responses(make_form(), [{"answers": a} for a in records], source="sample")
    store.close()
    return str(tmp_path / "xt.db"), str(form_path)


def test_json_prints_counts_test_and_the_p_value_scipy_gives(db, capsys):
    path, form = db
    assert main(["crosstab", "--db", path, "--form", form, "--rows", "district", "--cols", "sex", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["东湖街道"] == {"男": 30, "女": 10}
    assert out["col_percent"]["西山街道"]["女"] == round(100 * 28 / 38, 2)
    assert out["bases"]["cols"] == {"男": 42, "女": 38} and out["bases"]["total"] == 80
    assert out["p_value"] == pytest.approx(stats.chi2_contingency(np.array([[30, 10], [12, 28]])).pvalue)
    assert out["test"]["method"] == "卡方检验（连续性校正）" and out["reading"].startswith("差异显著")
    assert out["warnings"] == [] and out["weighted"] is None


def test_workbook_has_counts_percent_and_notes_sheets_without_formulas(db, tmp_path, capsys):
    path, form = db
    out = tmp_path / "交叉分析.xlsx"
    args = ["crosstab", "--db", path, "--form", form, "--rows", "sex", "--cols", "district"]
    assert main([*args, "--filter", "${district} != 'qingshi'", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "差异显著" in text and "筛选条件：镇街不是“青石镇”（80 / 80 份答卷符合）" in text
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["人数", "列百分比", "行百分比", "说明"]
    counts = [[c.value for c in row] for row in book["人数"].iter_rows()]
    assert counts[1] == ["男", 30, 12, 0, 42] and counts[-1] == ["合计", 40, 40, 0, 80]
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["筛选条件"].startswith("镇街不是“青石镇”") and notes["检验方法"] == "卡方检验（连续性校正）"
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [v for v in cells if isinstance(v, str) and v.startswith("=")]


def test_weights_file_shows_weighted_beside_unweighted(db, tmp_path, capsys):
    path, form = db
    targets = tmp_path / "目标.yaml"
    targets.write_text("targets:\n  sex: {男: 0.5, 女: 0.5}\n", encoding="utf-8")
    out = tmp_path / "加权.xlsx"
    args = ["crosstab", "--db", path, "--form", form, "--rows", "district", "--cols", "sex"]
    assert main([*args, "--weights", str(targets), "-o", str(out)]) == 0
    assert "加权列百分比（未加权 → 加权 ±误差范围" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out)["加权对照"]
    header = [c.value for c in sheet[1]]
    assert header[3:6] == ["列百分比（未加权）", "列百分比（加权）", "误差范围（±百分点）"]


def test_refusals_are_chinese_with_a_code_and_no_traceback(db, capsys):
    path, form = db
    args = ["crosstab", "--db", path, "--form", form, "--rows", "district", "--cols", "sex"]
    assert main([*args, "--filter", "${district} == '东湖街道'", "--json"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "改为 'donghu'" in captured.err
    assert json.loads(captured.out)["error"]["code"] == "analysis.filter_label_not_id"
    assert main(["crosstab", "--db", path, "--form", form, "--rows", "opinion", "--cols", "sex"]) == 1
    assert "不能做交叉分析" in capsys.readouterr().err


def test_a_date_filter_that_is_no_date_is_refused_and_a_good_one_is_shown_normalised(db, capsys):
    path, form = db
    args = ["crosstab", "--db", path, "--form", form, "--rows", "district", "--cols", "sex"]
    assert main([*args, "--filter", "${submitted_at} < '2026-13-01'"]) == 1
    assert "月份 13 不存在" in capsys.readouterr().err
    assert main([*args, "--filter", "${created_at} >= '2000/1/1'"]) == 0
    assert "筛选条件：录入日期不早于 2000-01-01（80 / 80 份答卷符合）" in capsys.readouterr().out


def test_quality_command_lists_flags_and_writes_a_masked_workbook(db, tmp_path, capsys):
    path, form = db
    out = tmp_path / "质量.xlsx"
    assert main(["quality", "--db", path, "--form", "xt", "--json", "-o", str(out)]) == 0  # a form id in the store
    result = json.loads(capsys.readouterr().out)
    assert result["responses"] == 80 and result["summary"]["any"]["responses"] == 0
    # typed in, not imported: no 用时, IP or device, so those checks are not computed (not "0 份")
    speeder = result["summary"]["speeder"]
    assert speeder["computed"] is False and speeder["responses"] is None and speeder["why"] == "没有用时数据"
    assert result["summary"]["same_device"]["computed"] is False
    assert result["summary"]["straight_line"] == {
        "label": "矩阵题全选同一项",
        "computed": True,
        "responses": 0,
        "percent": 0.0,
    }
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "标记明细"]
    summary = {row[0].value: [c.value for c in row[1:]] for row in book["汇总"].iter_rows(min_row=2)}
    assert summary["答题过快"] == ["未计算", None, "没有用时数据"] and summary["矩阵题全选同一项"][0] == 0
    assert main(["quality", "--db", path, "--form", "xt"]) == 0
    text = capsys.readouterr().out
    assert "答题过快：未计算（没有用时数据）" in text and "同一 IP/设备重复作答：未计算（没有 IP/设备数据）" in text
    assert "矩阵题全选同一项：0 份（0.0%）" in text
    assert [c.value for c in book["标记明细"][1]] == ["答卷编号", "问卷编号", "提交时间", "标记", "原因"]


def test_notebook_widget_shows_table_reading_and_chart(db):
    from toolkit.analysis import CrosstabPanel
    from toolkit.store import open_store

    path, _ = db
    store = open_store(path)
    panel = CrosstabPanel(store, make_form())
    store.close()
    assert panel.cols.value == "district"  # the 镇街 question by default
    panel.rows.value, panel.cols.value = "district", "sex"
    panel.filter.value = "${sex} == 'm'"
    panel.button.click()
    assert panel.result.n == 42 and "东湖街道" in panel.table.value and "30（71.4%）" in panel.table.value
    assert bytes(panel.chart.value).startswith(b"\x89PNG")
    panel.filter.value = "${district} == '东湖街道'"
    panel.button.click()
    assert panel.result is None and "donghu" in panel.status.value and bytes(panel.chart.value) == b""


@pytest.mark.slow
def test_chart_files_name_the_filter_and_bases(db, tmp_path):
    from toolkit.analysis import crosstab, crosstab_chart
    from toolkit.store import open_store

    path, _ = db
    store = open_store(path)
    frame = store.responses("xt")
    store.close()
    t = crosstab(frame, make_form(), "district", "sex", filter="${district} != 'qingshi'")
    chart = crosstab_chart(t, path_stem=tmp_path / "charts" / "镇街×性别")
    assert sorted(chart.paths) == ["csv", "pdf", "png", "svg"]
    assert "筛选：镇街不是“青石镇”" in chart.subtitle and "N=80人" in chart.subtitle
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert "男（n=42）" in "".join(labels).replace("\n", "")
    assert chart.data.loc[0, "列百分比(%)"] == round(100 * 30 / 42, 1)


@pytest.mark.parametrize("command", [["crosstab", "--rows", "district", "--cols", "sex"], ["quality"]])
def test_an_output_that_cannot_be_written_is_refused_before_the_store_is_opened(db, tmp_path, capsys, command):
    _, form = db
    (tmp_path / "notes.txt").write_text("staff notes", encoding="utf-8")
    out = tmp_path / "notes.txt" / "结果.xlsx"
    new_db = tmp_path / "new.db"
    assert main([command[0], "--db", str(new_db), "--form", form, *command[1:], "-o", str(out)]) == 1
    assert f"-o {out}" in capsys.readouterr().err and not new_db.exists()
