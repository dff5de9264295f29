"""The opinion stage's year report (``year_report``, ``weidiaoyan opinion report``): the 报送登记表 and its counts
on a real store (SQLite and PostgreSQL), the workbook and charts read back, and the whole loop of the issue's
"Done when" through the command line: draft → 报送 → 批示 → 交办 → 答复 → 办结, an overdue case, a refused
wrong-order step that leaves the store unchanged, the DOCX and the year report read back."""

from __future__ import annotations

import json

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from tests.test_opinion_draft import rank_dir  # noqa: F401  (a fixture: a rank --out folder)
from toolkit.cli import main
from toolkit.member import import_members
from toolkit.opinion import OpinionError, track, write_year_report, year_report
from toolkit.opinion.records import create_item
from toolkit.store import open_store, schema


def _item(store, member, label, date, kind="report", **kw) -> int:
    return create_item(
        store,
        kind=kind,
        title=f"关于{label}的建议",
        body={},
        chars=100,
        date=date,
        member=member,
        issue_label=label,
        message_ids=["M1", "M2"],
        **kw,
    )


def _year(store, tmp_path):
    """Four items: one through every step, one overdue, one drafted the year before and submitted in 2026,
    one of 2025 (left out); and a member register with 界别."""
    names = tmp_path / "名单.csv"
    names.write_text("姓名,界别\n张三,教育界\n李四,经济界\n王五,教育界\n", encoding="utf-8")
    import_members(store, names)
    a = _item(store, "张三、李四", "青石路口：红绿灯", "2026-02-01", unit="区政协教育委")
    for state, date, kw in [
        ("报送", "2026-02-03", {}),
        ("采用", "2026-02-05", {}),
        ("批示", "2026-02-06", {"by": "区长"}),
        ("批示", "2026-02-07", {"by": "区委书记"}),
        ("交办", "2026-02-08", {"by": "区交通运输局", "deadline": "2026-03-31"}),
        ("答复", "2026-03-20", {"answer": "A"}),
        ("反馈", "2026-03-21", {}),
        ("办结", "2026-03-22", {}),
        ("问效", "2026-06-01", {}),
    ]:
        track(store, a, state, date, **kw)
    b = _item(store, "张三", "幸福里：垃圾清运", "2026-02-01")
    track(store, b, "报送", "2026-02-03")
    track(store, b, "交办", "2026-02-10", by="区城管局", deadline="2026-03-01")
    c = _item(store, "赵六", "青石路口：红绿灯", "2025-12-20")
    track(store, c, "报送", "2026-01-03")
    track(store, c, "交办", "2026-01-05", by="区交通运输局")
    track(store, c, "答复", "2026-01-25", answer="B")
    d = _item(store, "王五", "东湖公园：健身器材", "2025-03-01")
    track(store, d, "报送", "2025-03-02")
    return a, b, c, d


def test_the_year_in_numbers(store, tmp_path):
    a, b, c, d = _year(store, tmp_path)
    report = year_report(store, 2026, today_is="2026-04-01")
    reg = report.register.set_index("编号")
    assert list(reg.index) == [f"社情民意信息 #{i}" for i in (a, b, c)]  # 2025's left out; c: 报送 in 2026
    first = reg.loc[f"社情民意信息 #{a}"]
    assert (first["报送"], first["采用"], first["批示"], first["办结"]) == (
        "2026-02-03",
        "2026-02-05",
        "2026-02-06",
        "2026-03-22",
    )
    assert first["批示领导"] == "区长、区委书记" and first["承办单位"] == "区交通运输局"
    assert first["答复类别"] == "A 已解决" and first["最近问效"] == "2026-06-01" and first["界别"] == "教育界、经济界"
    assert first["报送至答复（天）"] == 45 and first["当前状态"] == "办结"
    assert reg.loc[f"社情民意信息 #{c}", "界别"] == "未登记"  # 赵六 is not in the register
    assert (report.submitted, report.adopted, report.instructed, report.instructions, report.closed) == (3, 1, 1, 2, 1)
    assert report.adoption_rate == 33.3
    assert report.days == [45, 22] and report.median_days == 33.5 and report.max_days == 45
    assert dict(zip(report.by_state["状态"], report.by_state["条数"])) == {
        "起草": 0,
        "报送": 0,
        "采用": 0,
        "批示": 0,
        "交办": 1,
        "答复": 1,
        "反馈": 0,
        "办结": 1,
    }
    assert report.funnel["条数"].tolist() == [3, 1, 1, 1]
    members = report.by_member.set_index("反映人")
    assert members.loc["张三", ["界别", "撰写", "采用", "批示", "办结"]].tolist() == ["教育界", 2, 1, 1, 1]
    sectors = report.by_sector.set_index("界别")["篇数"].to_dict()
    assert sectors == {"教育界": 2, "未登记": 1, "经济界": 1}
    themes = report.by_theme.set_index("议题")
    assert themes.loc["青石路口：红绿灯", ["篇数", "采用", "批示", "采用或批示"]].tolist() == [2, 1, 1, 1]
    assert report.overdue["编号"].tolist() == [f"社情民意信息 #{b}"]
    assert "2026-03-01" in report.overdue["逾期原因"].iloc[0]
    shown = report.to_dict()
    assert shown["adoption_rate"] == 33.3 and shown["days_to_answer"] == {"median": 33.5, "max": 45, "n": 2}
    assert year_report(store, 2024).register.empty


@pytest.mark.slow  # four formats of two charts: seconds
def test_the_workbook_and_charts_read_back(tmp_path):
    store = open_store(tmp_path / "o.db")
    a, b, *_ = _year(store, tmp_path)
    written = write_year_report(year_report(store, "2026", today_is="2026-04-01"), tmp_path / "年报")
    book = openpyxl.load_workbook(written["workbook"])
    assert written["workbook"].name == "社情民意年度报告_2026.xlsx"
    assert book.sheetnames == [
        "报送登记表",
        "汇总",
        "按状态",
        "办理环节",
        "按委员",
        "按界别",
        "按议题",
        "逾期清单",
        "办理天数",
    ]
    rows = [[c.value for c in r] for r in book["报送登记表"].iter_rows()]
    header = rows[0]
    assert header[:4] == ["编号", "类别", "标题", "反映人"] and "报送至答复（天）" in header
    assert rows[1][header.index("批示")] == "2026-02-06" and rows[1][header.index("报送至答复（天）")] == 45
    summary = {r[0].value: r[1].value for r in book["汇总"].iter_rows(min_row=2)}
    assert summary["采用率"] == "33.3%" and summary["批示（次）"] == "2" and summary["逾期（条）"] == "1"
    overdue = [[c.value for c in r] for r in book["逾期清单"].iter_rows(min_row=2)]
    assert [r[0] for r in overdue] == [f"社情民意信息 #{b}"]
    cells = [c.value for ws in book for r in ws.iter_rows() for c in r]
    assert not [v for v in cells if isinstance(v, str) and v.startswith("=")]
    for name in ("chart:funnel", "chart:theme"):
        for fmt in ("png", "svg", "pdf", "csv"):
            assert written[f"{name}:{fmt}"].is_file() and written[f"{name}:{fmt}"].stat().st_size > 0
    funnel_csv = written["chart:funnel:csv"].read_text(encoding="utf-8-sig").splitlines()
    assert funnel_csv[1].startswith("报送,3") and funnel_csv[2].startswith("采用,1")


def test_refusals(tmp_path):
    store = open_store(tmp_path / "o.db")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for call, code in [
        (lambda: year_report(store, "明年"), "opinion.year_invalid"),
        (lambda: year_report(store, 2026, today_is="4月1日"), "opinion.date_invalid"),
        (lambda: write_year_report(year_report(store, 2026), tmp_path / "file"), "out.is_file"),
    ]:
        with pytest.raises(OpinionError) as err:
            call()
        assert err.value.code == code and "修改：" in str(err.value)


def _tables(db) -> dict:
    store = open_store(db)
    with store.engine.connect() as c:
        names = ("opinion_items", "opinion_steps", "opinion_evidence", "audit_log")
        return {t: c.execute(select(schema.metadata.tables[t])).all() for t in names}


@pytest.mark.slow
def test_done_when_the_whole_loop_through_the_cli(tmp_path, rank_dir, capsys):  # noqa: F811
    db = str(tmp_path / "o.db")

    def run(*argv) -> int:
        return main(["opinion", *argv, "--db", db])

    drafts = str(tmp_path / "稿")
    assert run("draft", str(rank_dir), "--rank", "1", "--out", drafts, "--member", "张三", "--date", "2026-03-02") == 0
    assert run("draft", str(rank_dir), "--rank", "2", "--out", drafts, "--member", "李四", "--date", "2026-03-03") == 0
    one, two = 1, 2
    for step in (
        ["--to", "报送", "--date", "2026-03-05", "--by", "区政协办公室"],
        ["--to", "批示", "--date", "2026-03-10", "--by", "区长"],
        ["--to", "交办", "--date", "2026-03-12", "--by", "区交通运输局", "--deadline", "2026-04-30"],
        ["--to", "答复", "--date", "2026-04-20", "--answer", "B"],
        ["--to", "反馈", "--date", "2026-04-22", "--note", "电话告知反映群众"],
        ["--to", "办结", "--date", "2026-04-25"],
    ):
        assert run("track", str(one), *step) == 0, capsys.readouterr().err
    assert run("track", str(two), "--to", "报送", "--date", "2026-03-06") == 0
    assert (
        run("track", str(two), "--to", "交办", "--date", "2026-03-08", "--by", "区城管局", "--deadline", "2026-04-08")
        == 0
    )
    capsys.readouterr()
    before = _tables(db)
    assert run("track", str(two), "--to", "办结", "--date", "2026-05-01") == 1  # 答复 skipped
    err = capsys.readouterr().err
    assert "跳过了必经的步骤“答复”" in err and "修改：" in err and "Traceback" not in err
    assert _tables(db) == before

    paragraphs = [p.text for p in Document(str(tmp_path / "稿" / "社情民意信息_1.docx")).paragraphs]
    assert "关于青石路口红绿灯问题的建议" in paragraphs and "反映人：张三" in paragraphs

    out = tmp_path / "年报"
    assert run("report", "--year", "2026", "--out", str(out), "--today", "2026-05-02") == 0
    printed = capsys.readouterr().out
    funnel = (out / "charts" / "01_办理环节.png").read_bytes()
    assert "报送 2 条" in printed and "获批示 1 条" in printed and "逾期 1 条" in printed
    assert "⚠ 逾期 社情民意信息 #2：交办期限 2026-04-08 已过" in printed
    assert run("report", "--year", "2026", "--out", str(out), "--today", "2026-05-02", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["submitted"] == 2 and shown["instructed"] == 1 and shown["closed"] == 1
    assert shown["days_to_answer"] == {"median": 46.0, "max": 46, "n": 1}
    assert [o["编号"] for o in shown["overdue"]] == ["社情民意信息 #2"]
    book = openpyxl.load_workbook(out / "社情民意年度报告_2026.xlsx")
    register = [[c.value for c in r] for r in book["报送登记表"].iter_rows()]
    header = register[0]
    assert [r[header.index("当前状态")] for r in register[1:]] == ["办结", "交办"]
    assert [r[header.index("是否逾期")] for r in register[1:]] == [None, "是"]
    assert register[1][header.index("批示领导")] == "区长" and register[1][header.index("答复类别")] == "B 列入计划"
    assert (out / "charts" / "01_办理环节.png").read_bytes() == funnel  # the same year, the same bytes
    assert (out / "charts" / "02_按议题.png").is_file()
    assert run("report", "--year", "二〇二六", "--out", str(out)) == 1
    assert "年度应为四位数的年份" in capsys.readouterr().err
