"""`weidiaoyan topics` on CSV, XLSX and a store; output contract; determinism; errors."""

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.sample import generate_concerns


@pytest.fixture(scope="module")
def concerns_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "concerns.csv"
    generate_concerns(300, seed=2).to_csv(path, index=False)
    return path


def _run(*args):
    return main(["topics", *map(str, args), "--quiet"])


def test_csv_gives_the_three_files_with_the_contract_columns(concerns_csv, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        _run(
            concerns_csv,
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--respondent-col",
            "respondent",
            "--themes",
            "4",
            "--seed",
            "1",
            "--out",
            out,
        )
        == 0
    )
    assert "个议题" in capsys.readouterr().out
    a = pd.read_csv(out / "assignments.csv")
    t = pd.read_csv(out / "topics.csv")
    th = pd.read_csv(out / "themes.csv")
    assert list(a.columns[:3]) == ["id", "topic_id", "theme_id"]
    assert list(t.columns[:9]) == [
        "topic_id",
        "theme_id",
        "label",
        "keywords",
        "size",
        "representative",
        "places",
        "first_seen",
        "last_seen",
    ]
    assert len(a) == 300 and len(th) == 4
    assert -1 in set(t["topic_id"])
    assert t.loc[t["topic_id"] >= 0, "first_seen"].notna().all()
    assert (t["size"] <= t["n_texts"]).all()  # distinct respondents
    # Phone numbers in the sample never reach the files.
    for name in ("assignments.csv", "topics.csv", "themes.csv"):
        assert not pd.Series((out / name).read_text(encoding="utf-8-sig")).str.contains(r"1[3-9]\d{9}").any()


def test_same_seed_gives_byte_identical_files(concerns_csv, tmp_path):
    for name in ("a", "b"):
        assert _run(concerns_csv, "--text-col", "text", "--id-col", "id", "--out", tmp_path / name) == 0
    for f in ("assignments.csv", "topics.csv", "themes.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_xlsx_input(tmp_path):
    path = tmp_path / "in.xlsx"
    generate_concerns(120, seed=4)[["id", "text"]].rename(columns={"id": "编号", "text": "留言"}).to_excel(
        path, index=False
    )
    assert _run(path, "--text-col", "留言", "--id-col", "编号", "--out", tmp_path / "o") == 0
    assert len(pd.read_csv(tmp_path / "o" / "assignments.csv")) == 120


def test_store_and_question_input_replays_curation(tmp_path, annual_form):
    from toolkit.sample import generate_responses
    from toolkit.store import open_store
    from toolkit.topics.curation import CurationLog

    db = tmp_path / "s.db"
    store = open_store(db)
    store.add_responses(annual_form, generate_responses(annual_form, 150, seed=1), source="test")
    store.close()
    args = (db, "--text-col", "concern", "--id-col", "response_id", "--themes", "3", "--out", tmp_path / "o1")
    assert _run(*args) == 0
    store = open_store(db)
    CurationLog(store, "annual_topics/concern").store.add_curation(
        "annual_topics/concern", "rename", {"topic_id": 0, "label": "人工命名的议题"}
    )
    store.close()
    assert _run(*args[:-1], tmp_path / "o2") == 0
    topics = pd.read_csv(tmp_path / "o2" / "topics.csv").set_index("topic_id")
    assert topics.loc[0, "label"] == "人工命名的议题"


def test_errors_are_chinese_without_traceback(concerns_csv, tmp_path, capsys):
    assert _run(concerns_csv, "--text-col", "留言", "--id-col", "id", "--out", tmp_path) == 1
    err = capsys.readouterr().err
    assert "找不到列“留言”" in err and "Traceback" not in err
    assert _run(concerns_csv, "--text-col", "text", "--id-col", "district", "--out", tmp_path) == 1
    assert "重复" in capsys.readouterr().err
    assert _run(concerns_csv, "--text-col", "text", "--id-col", "id", "--themes", "many", "--out", tmp_path) == 1
    assert "--themes" in capsys.readouterr().err
    assert _run(tmp_path / "missing.csv", "--text-col", "t", "--id-col", "i", "--out", tmp_path) == 1
    assert "不存在" in capsys.readouterr().err


def test_staff_slips_are_caught_before_the_work(concerns_csv, tmp_path, capsys):
    a_file = tmp_path / "结果.yaml"
    a_file.write_text("x", encoding="utf-8")
    assert _run(concerns_csv, "--text-col", "text", "--id-col", "id", "--out", a_file) == 1
    assert "已存在的文件，不是文件夹" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "x"
    assert (
        _run(concerns_csv, "--text-col", "text", "--id-col", "id", "--time-col", "district", "--out", tmp_path / "o")
        == 1
    )
    err = capsys.readouterr().err
    assert "时间列“district”" in err and "不是" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as usage:
        main(["topics", str(concerns_csv), "--text-col", "text", "--out", str(tmp_path / "o")])
    assert usage.value.code == 2
    assert "缺少必填参数：--id-col" in capsys.readouterr().err


def test_several_text_columns_are_joined(tmp_path):
    data = generate_concerns(120, seed=5)
    data["title"] = data["text"].str[:8]
    path = tmp_path / "two.csv"
    data.to_csv(path, index=False)
    assert _run(path, "--text-col", "title,text", "--id-col", "id", "--out", tmp_path / "o") == 0
    assert len(pd.read_csv(tmp_path / "o" / "assignments.csv")) == 120


def test_a_title_row_above_the_header_is_skipped_with_a_note(tmp_path, capsys):
    from openpyxl import Workbook

    data = generate_concerns(80, seed=6)[["id", "text"]]
    wb = Workbook()
    ws = wb.active
    ws.append(["2019年群众留言汇总表"])
    ws.append(["留言编号", "留言详情", "备注"])
    for row in data.itertuples(index=False):
        ws.append([row.id, row.text, ""])
    path = tmp_path / "汇总表.xlsx"
    wb.save(path)
    assert _run(path, "--text-col", "留言详情", "--id-col", "留言编号", "--out", tmp_path / "o") == 0
    assert "表头不在第一行" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "o" / "assignments.csv")["id"].tolist() == data["id"].tolist()
