"""The year's 履职档案 (toolkit.member.build_archive / write_archive and ``weidiaoyan member``): its counts and
points equal what the store holds, change with the rules, and every export is masked and formula-free."""

from __future__ import annotations

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from tests import test_member_points
from tests.test_member_points import visit
from tests.test_member_register import GOOD, write_list
from toolkit.member import (
    MemberError,
    activities,
    build_archive,
    import_members,
    load_rules,
    score,
    write_archive,
)

filled = test_member_points.filled  # the fixture: a register, visit records, collected responses, an entered duty


def _docx_text(path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_archive_counts_and_points_equal_the_store(filled):
    archive = build_archive(filled, 2026, as_of="2026-12-31")
    found = activities(filled, 2026)
    table = score(found.frame, load_rules())
    summary = archive.summary.set_index("序号")
    for member_id in (1, 2, 3, 4):
        mine = found.frame[found.frame["member_id"] == member_id]
        assert summary.at[member_id, "履职次数"] == mine["activity_id"].nunique()
        assert summary.at[member_id, "总积分"] == table[table["member_id"] == member_id]["points"].sum()
    assert summary.at[1, "走访（分）"] == 4.0 and summary.at[2, "接待日（分）"] == 3.0
    # by the store directly: two visits of 陈明 in 2026 (the 2025 one is another year's)
    assert summary.at[1, "履职次数"] == 2
    # six months before the year's end: 陈明's last duty (04-12) and W-04's (06-01) are older, 李华's and W-03's
    # collected responses (07-15, 07-16) are not
    assert summary["近6个月无履职记录"].tolist() == ["是", "", "", "是"]
    assert build_archive(filled, 2026, as_of="2026-09-30").summary["近6个月无履职记录"].tolist() == ["", "", "", ""]
    assert build_archive(filled, 2026, as_of="2026-03-01").summary["近6个月无履职记录"].tolist() == [
        "",
        "是",
        "是",
        "是",
    ]
    assert any("未能对应" in n for n in archive.notes)


@pytest.mark.slow  # writes the charts (PNG, SVG, PDF) and a DOCX per member
def test_other_rules_give_other_points_and_the_same_rules_the_same_files(filled, tmp_path):
    rules = tmp_path / "规则.yaml"
    rules.write_text("name: 只计走访\nkinds:\n  走访: 10\n", encoding="utf-8")
    default = build_archive(filled, 2026, as_of="2026-12-31")
    other = build_archive(filled, 2026, rules=rules, as_of="2026-12-31")
    assert other.summary["总积分"].tolist() == [20.0, 10.0, 0.0, 0.0] != default.summary["总积分"].tolist()
    first = write_archive(default, tmp_path / "a")
    second = write_archive(build_archive(filled, 2026, as_of="2026-12-31"), tmp_path / "b")
    for key in ("workbook", "dossier:1", "chart:sector:png", "chart:month:svg"):
        assert first[key].read_bytes() == second[key].read_bytes(), key
    assert (tmp_path / "a" / "计分规则.yaml").read_text(encoding="utf-8") == load_rules().text


@pytest.mark.slow  # writes the charts (PNG, SVG, PDF) and a DOCX per member
def test_the_written_archive_is_whole_masked_and_traceable(filled, tmp_path):
    archive = build_archive(filled, 2026, as_of="2026-12-31")
    paths = write_archive(archive, tmp_path / "out")
    dossiers = sorted((tmp_path / "out" / "履职档案").glob("*.docx"))
    assert [p.name for p in dossiers] == ["001_陈明.docx", "002_李华.docx", "W-03_王芳.docx", "W-04_王芳.docx"]
    text = _docx_text(paths["dossier:1"])
    assert "陈明 履职档案" in text and "政协委员联系群众走访记录表 答卷 #1" in text and "青石镇委员工作室" in text
    assert "下塘村路灯坏了三个月" in text and "13812345678" not in text and "[手机号]" in text
    assert "近 6 个月没有履职记录" in text
    book = load_workbook(paths["workbook"])
    assert book.sheetnames == ["委员履职汇总", "按界别", "按工作室", "积分明细", "履职活动", "未匹配姓名", "说明"]
    cells = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [v for v in cells if v.startswith("=")] and not [v for v in cells if "13812345678" in v]
    detail = pd.read_excel(paths["workbook"], sheet_name="积分明细", engine="calamine")
    summary = pd.read_excel(paths["workbook"], sheet_name="委员履职汇总", engine="calamine")
    assert detail.groupby("姓名")["积分"].sum().to_dict() == {"李华": 3 + 0.5 + 2, "王芳": 3.5, "陈明": 4.0}
    assert summary["总积分"].sum() == detail["积分"].sum()
    sectors = pd.read_excel(paths["workbook"], sheet_name="按界别", engine="calamine").set_index("界别")
    assert sectors.at["民建", "总积分"] == 4.0 and sectors["委员人数"].sum() == 4
    lost = pd.read_excel(paths["workbook"], sheet_name="未匹配姓名", engine="calamine")
    assert lost["记录中的姓名"].tolist() == ["陈委员"]
    for name in ("01_界别积分", "02_每月履职"):
        assert {p.suffix for p in (tmp_path / "out" / "charts").glob(f"{name}.*")} == {".png", ".svg", ".pdf", ".csv"}


def test_an_archive_needs_a_register_and_a_sensible_year(store, tmp_path):
    with pytest.raises(MemberError) as caught:
        build_archive(store, 2026)
    assert caught.value.code == "member.no_register"
    for kwargs, code in (
        ({"year": 26}, "member.year_invalid"),
        ({"year": 2026, "idle_months": 0}, "member.months_invalid"),
    ):
        with pytest.raises(MemberError) as caught:
            build_archive(store, **kwargs)
        assert caught.value.code == code


@pytest.mark.slow
def test_the_commands_run_end_to_end_and_refuse_a_bad_list(tmp_path, capsys, visit_form):
    from toolkit.cli import main
    from toolkit.store import open_store

    db = str(tmp_path / "履职.db")
    good = write_list(tmp_path / "名单.xlsx", GOOD)
    assert main(["member", "import", str(good), "--db", db]) == 0
    assert "新增 4 人" in capsys.readouterr().out
    bad = write_list(tmp_path / "坏名单.xlsx", [["", "", "天文界", "", ""]])
    assert main(["member", "import", str(bad), "--db", db]) == 1
    err = capsys.readouterr().err
    assert "有 2 处问题，未导入任何委员" in err and "Traceback" not in err
    store = open_store(db)
    store.add_responses(visit_form, [visit("陈明", "2026-04-12"), visit("陈委员", "2026-05-06")], source="entry")
    assert (
        main(["member", "record", "--kind", "视察", "--date", "2026-07-01", "--member", "陈明,李华", "--db", db]) == 0
    )
    assert "A1" in capsys.readouterr().out
    assert main(["member", "record", "--kind", "视察", "--date", "2026-07-01", "--member", "赵六", "--db", db]) == 1
    assert "“赵六”：不在委员名单中" in capsys.readouterr().err
    assert main(["member", "unmatched", "--year", "2026", "--db", db]) == 0
    assert "“陈委员”：不在委员名单中" in capsys.readouterr().out
    assert main(["member", "alias", "陈委员", "--member", "陈明", "--db", db]) == 0
    assert main(["member", "list", "--db", db]) == 0
    assert "别称：陈委员" in capsys.readouterr().out
    out = tmp_path / "档案"
    assert main(["member", "archive", "--year", "2026", "--out", str(out), "--db", db, "--as-of", "2026-12-31"]) == 0
    printed = capsys.readouterr().out
    assert "委员 4 人，履职活动 3 次" in printed and (out / "委员履职汇总表.xlsx").is_file()
    assert len(list((out / "履职档案").glob("*.docx"))) == 4
    assert main(["member", "activities", "--year", "2026", "--member", "陈明", "--db", db]) == 0
    assert "（3 次）" in capsys.readouterr().out


@pytest.mark.slow  # writes the charts and a DOCX per member
def test_a_code_from_the_list_cannot_name_a_file_outside_the_archive(store, tmp_path):
    rows = [["../../外面", "陈明", "民建", "", ""], ["W/1", "李华", "经济界", "", ""], ["W_1", "李华", "民革", "", ""]]
    import_members(store, write_list(tmp_path / "名单.xlsx", rows))
    out = tmp_path / "a" / "b" / "档案"
    paths = write_archive(build_archive(store, 2026, as_of="2026-12-31"), out)
    dossiers = [p for k, p in paths.items() if k.startswith("dossier:")]
    assert all(p.parent == out / "履职档案" for p in dossiers) and len(set(dossiers)) == 3
    # two codes alike once made safe: the second file carries its member's number too
    assert [p.name for p in dossiers] == ["外面_陈明.docx", "W_1_李华.docx", "003_W_1_李华.docx"]
    assert [p.name for p in tmp_path.rglob("*.docx") if p.parent != out / "履职档案"] == []


def test_the_sector_chart_names_every_sector_that_ties_for_most_points():
    from toolkit.member.archive import _sector_title

    assert _sector_title(pd.Series({"民建": 4.0, "经济界": 4.0, "民革": 1.0}), 2026) == "民建、经济界委员积分并列最多"
    assert _sector_title(pd.Series({"民建": 4.0, "经济界": 3.0}), 2026) == "民建委员积分最多"
