"""The register of members (toolkit.member): a 委员名单 is checked whole, imported idempotently, edits audited."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from tests.conftest import SURVEYS
from toolkit.member import MemberError, import_members, members, read_member_list, read_sectors

HEADER = ["委员编号", "姓名", "界别", "所在镇街/委员工作室", "职务"]
GOOD = [
    ["", "陈明", "民建", "青石镇委员工作室", "区政协委员"],
    ["", "李华", "经济界", "东湖街道委员工作室", "区政协常委"],
    ["W-03", "王芳", "教育界", "西山街道委员工作室", "区政协委员"],
    ["W-04", "王芳", "医药卫生界", "城关街道委员工作室", "区政协委员"],  # two of one name, told apart by code
]


def write_list(path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_list_is_imported_and_importing_it_again_changes_nothing(store, tmp_path):
    path = write_list(tmp_path / "名单.xlsx", GOOD)
    first = import_members(store, path)
    assert (first.added, first.updated, first.unchanged) == (4, 0, 0)
    register = members(store)
    assert register["name"].tolist() == ["陈明", "李华", "王芳", "王芳"]
    assert register["code"].tolist() == ["", "", "W-03", "W-04"]
    assert register.loc[1, ["sector", "studio", "title"]].tolist() == ["经济界", "东湖街道委员工作室", "区政协常委"]
    audited = len(store.audit("member"))
    assert audited == 4
    again = import_members(store, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert members(store).equals(register) and len(store.audit("member")) == audited


def test_a_changed_row_updates_its_member_and_is_audited(store, tmp_path):
    import json

    import_members(store, write_list(tmp_path / "a.xlsx", GOOD))
    changed = [row[:] for row in GOOD[:3]]
    changed[1][4] = "区政协副主席"
    result = import_members(store, write_list(tmp_path / "b.xlsx", changed), operator="张三")
    assert (result.added, result.updated, result.unchanged, result.not_in_list) == (0, 1, 2, 1)
    assert "1 人保持不变" in result.note
    assert members(store).loc[1, "title"] == "区政协副主席"
    log = store.audit("member")
    update = log[log["action"] == "update"].iloc[0]
    assert update["operator"] == "张三" and update["entity_id"] == 2
    assert (
        json.loads(update["before"])["title"] == "区政协常委" and json.loads(update["after"])["title"] == "区政协副主席"
    )
    assert len(members(store)) == 4  # a member missing from the later list stays


def test_a_bad_list_is_refused_whole_with_every_problem_and_the_store_is_unchanged(store, tmp_path):
    import_members(store, write_list(tmp_path / "ok.xlsx", GOOD[:1]))
    before, audit_before = members(store), len(store.audit())
    bad = [
        ["", "赵强", "民革", "", ""],
        ["", "", "民盟", "", ""],  # row 3: no name
        ["", "赵强", "民革", "", ""],  # row 4: same name, no code
        ["W-9", "孙丽", "天文界", "", ""],  # row 5: 界别 not in the list
        ["W-9", "周涛", "", "", ""],  # row 6: code repeated, 界别 empty
    ]
    with pytest.raises(MemberError) as caught:
        import_members(store, write_list(tmp_path / "bad.xlsx", bad))
    err = caught.value
    assert err.code == "member.list_has_errors" and err.context["count"] == 5
    assert [(p.code, p.context["row"]) for p in err.problems] == [
        ("member.name_empty", 3),
        ("member.name_repeated", 4),
        ("member.sector_unknown", 5),
        ("member.code_repeated", 6),
        ("member.sector_empty", 6),
    ]
    text = str(err)
    assert "bad.xlsx" in text and "第 5 行“界别”列" in text and "“天文界”" in text and "与第 2 行同名" in text
    assert members(store).equals(before) and len(store.audit()) == audit_before


def test_a_missing_column_is_named_with_the_columns_present(tmp_path):
    path = write_list(tmp_path / "x.xlsx", [["陈明", "青石镇"]], header=["姓名", "工作室"])
    with pytest.raises(MemberError) as caught:
        read_member_list(path)
    assert caught.value.code == "member.list_column_missing" and caught.value.context["column"] == "界别"


def test_an_unnamed_member_beside_a_coded_one_of_that_name_is_refused(tmp_path):
    rows = [["W-1", "王芳", "教育界", "", ""], ["", "王芳", "教育界", "", ""]]
    with pytest.raises(MemberError) as caught:
        read_member_list(write_list(tmp_path / "x.xlsx", rows))
    assert [p.code for p in caught.value.problems] == ["member.name_repeated"]


def test_a_committee_gives_its_own_sector_list(tmp_path):
    sectors = tmp_path / "界别.txt"
    sectors.write_text("# 本会界别\n中共\n港澳界\n", encoding="utf-8")
    assert read_sectors(sectors) == ["中共", "港澳界"]
    rows = read_member_list(
        write_list(tmp_path / "x.xlsx", [["", "何伟", "港澳界", "", ""]]), sectors=read_sectors(sectors)
    )
    assert rows[0]["sector"] == "港澳界"
    with pytest.raises(MemberError) as caught:  # the bundled list has no 港澳界
        read_member_list(tmp_path / "x.xlsx")
    assert caught.value.problems[0].code == "member.sector_unknown"
    empty = tmp_path / "空.txt"
    empty.write_text("# 无\n", encoding="utf-8")
    with pytest.raises(MemberError, match="没有任何界别"):
        read_sectors(empty)


def test_the_default_sectors_are_the_bundled_forms_sector_choices(visit_form):
    assert read_sectors() == [c.label for c in visit_form.by_role("sector").choices]
    assert read_sectors(SURVEYS / "visit_record.yaml") == read_sectors()


def test_a_csv_list_and_full_width_spaces_read_alike(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("姓名,界别,职务\n陈　明, 民建 ,委员\n", encoding="utf-8")
    (row,) = read_member_list(path)
    assert (row["name"], row["sector"], row["row"]) == ("陈 明", "民建", 2)


def test_a_list_without_codes_keeps_the_codes_the_register_has(store, tmp_path):
    import_members(store, write_list(tmp_path / "a.xlsx", [["W-01", "陈明", "民建", "", ""]]))
    no_codes = write_list(
        tmp_path / "b.xlsx", [["陈明", "民建", "青石镇", ""]], header=["姓名", "界别", "镇街", "职务"]
    )
    result = import_members(store, no_codes)
    assert (result.added, result.updated) == (0, 1)
    assert members(store)[["code", "studio"]].values.tolist() == [["W-01", "青石镇"]]


def test_a_value_wider_than_the_stores_column_is_refused_on_every_backend(store, tmp_path):
    # SQLite would keep it and PostgreSQL refuse it half-way with a database error: both refuse it first
    rows = [["", "陈" * 65, "民建", "", ""], ["W" * 70, "李华", "经济界", "", ""]]
    with pytest.raises(MemberError) as caught:
        import_members(store, write_list(tmp_path / "long.xlsx", rows))
    assert [(p.code, p.context["row"]) for p in caught.value.problems] == [
        ("member.too_long", 2),
        ("member.too_long", 3),
    ]
    assert "第 2 行“姓名”列" in str(caught.value) and "超过 64 个字" in str(caught.value)
    assert members(store).empty


def test_a_recorded_duty_echoes_its_date_as_stored(db_url, tmp_path, capsys):
    from toolkit.cli import main

    db = ["--db", db_url]
    assert main(["member", "import", str(write_list(tmp_path / "名单.xlsx", GOOD)), *db]) == 0
    capsys.readouterr()
    assert main(["member", "record", "--kind", "视察", "--date", "2026年6月15日", "--member", "陈明", *db]) == 0
    out = capsys.readouterr().out
    assert "视察，2026-06-15，委员 陈明" in out and "2026年6月15日" not in out
