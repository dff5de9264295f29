"""Drafting a 社情民意信息 from a ranking run's candidate: the text seeded from residents' own words, the DOCX
as printed (fonts, indent, marks, 反映人 line), the registration with its evidence, and the whole loop
through the command line on sample data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.opinion import OpinionError, draft_report, item
from toolkit.store import open_store

# one candidate (rank 1) and two others whose letters share the boilerplate
LETTERS = [
    (0, "A1", "您好，我是青石社区的居民，青石路口没有红绿灯，孩子过马路太危险！希望能给我们一个答复。", "2026-03-01"),
    (0, "A2", "青石路口没有红绿灯，孩子过马路太危险。建议在青石路口增设红绿灯。电话13812345678", "2026-03-03"),
    (
        0,
        "A3",
        "本人是青石镇居民，青石路口车速太快，早上上学时段特别乱。建议在青石路口增设红绿灯和减速带。",
        "2026-03-09",
    ),
    (0, "A4", "青石路口车速太快，老人不敢过马路。希望安排交警上下学时段值守。希望能给我们一个答复。", "2026-04-02"),
    (0, "A5", "我想反映一个问题：青石路口没有红绿灯，孩子过马路太危险，希望引起重视。", "2026-04-20"),
    (1, "B1", "幸福里小区垃圾没人清运，臭气熏天。希望能给我们一个答复。希望引起重视。", "2026-03-02"),
    (1, "B2", "幸福里小区垃圾没人清运。希望能给我们一个答复。", "2026-03-04"),
    (2, "C1", "东湖公园健身器材坏了没人修。希望能给我们一个答复。希望引起重视。", "2026-03-05"),
]
DISTRICTS = {"A1": "青石镇", "A2": "青石镇", "A3": "青石镇", "A4": "东湖街道", "A5": "青石镇"}


@pytest.fixture
def rank_dir(tmp_path):
    """A folder as ``weidiaoyan rank --out`` writes it (the parts a draft reads), letters unmasked."""
    folder = tmp_path / "rank"
    folder.mkdir()
    pd.DataFrame(
        [
            {
                "rank": 1,
                "topic_id": 0,
                "label": "青石路口：红绿灯",
                "n_messages": 5,
                "n_voices": 5,
                "first_seen": "2026-03-01 08:00:00",
                "last_seen": "2026-04-20 08:00:00",
                "places": "青石路口",
                "keywords": "红绿灯 路口 过马路 车速",
                "anchor": "青石路口",
                "anchor_share": 1.0,
            },
            {"rank": 2, "topic_id": 1, "label": "幸福里：垃圾", "n_messages": 2, "n_voices": 2},
            {"rank": 3, "topic_id": 2, "label": "东湖公园：健身器材", "n_messages": 1, "n_voices": 1},
            {"rank": 4, "topic_id": 7, "label": "未列出", "n_messages": 1, "n_voices": 1},
        ]
    ).to_csv(folder / "candidates.csv", index=False, encoding="utf-8-sig")
    detail = pd.DataFrame(
        [
            {"问题ID": i, "留言编号": m, "留言内容": t, "留言时间": d, "镇街": DISTRICTS.get(m, ""), "界别": "教育界"}
            for i, m, t, d in LETTERS
        ]
    )
    detail.to_excel(folder / "热点问题留言明细表.xlsx", index=False)
    columns = {"id": "留言编号", "text": ["留言内容"], "time": "留言时间", "district": "镇街", "sector": "界别"}
    (folder / "weights.json").write_text(json.dumps({"columns": columns, "random_state": 0}), encoding="utf-8")
    return folder


def _docx_text(path) -> list[str]:
    from docx import Document

    return [p.text for p in Document(str(path)).paragraphs]


def test_draft_is_seeded_from_residents_words_and_registered(tmp_path, rank_dir):
    store = open_store(tmp_path / "o.db")
    result = draft_report(
        store, rank_dir, 1, out=tmp_path / "drafts", member="张三", unit="区政协教育委", date="2026-05-06"
    )
    assert result.docx == tmp_path / "drafts" / f"社情民意信息_{result.id}.docx" and result.docx.is_file()
    text = result.text
    assert text.title == "关于青石路口红绿灯问题的建议"
    situation = "".join(text.situation)
    assert "2026年3月至4月" in situation and "共有5位群众" in situation and "留言5条" in situation
    assert "2个镇街（青石镇4条，东湖街道1条）" in situation
    assert situation.count("“") in (2, 3)  # 2–3 short quotes
    # problems and suggestions are the residents' own sentences, most said first, boilerplate left out
    assert text.problems[0].startswith("一是青石路口没有红绿灯，孩子过马路太危险") and "（3人反映）" in text.problems[0]
    assert text.suggestions[0].startswith("一是在青石路口增设红绿灯")
    body = "".join(text.situation + text.problems + text.suggestions)
    assert "答复" not in body and "引起重视" not in body and "我是" not in body and "您好" not in body
    assert "13812345678" not in body
    assert result.chars == text.chars() < 1500 and not result.over
    got = item(store, result.id)
    assert got["state"] == "起草" and got["steps"][0]["date"] == "2026-05-06"
    assert got["message_ids"] == ["A1", "A2", "A3", "A4", "A5"] and got["issue_ids"] == [0]
    assert got["source_rank"] == 1 and got["document"] == str(result.docx)


def test_docx_is_laid_out_as_printed(tmp_path, rank_dir):
    from docx import Document
    from docx.oxml.ns import qn

    store = open_store(tmp_path / "o.db")
    result = draft_report(store, rank_dir, 1, out=tmp_path / "d", member="张三", unit="区政协教育委")
    doc = Document(str(result.docx))  # opens: a valid package
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert texts[0] == "社情民意信息" and texts[2] == "关于青石路口红绿灯问题的建议"
    assert texts[-2:] == ["反映人：张三", "报送单位：区政协教育委"]
    headings = [t for t in texts if t.startswith(("一、", "二、", "三、"))]
    assert headings == ["一、基本情况", "二、存在问题【待委员改写】", "三、意见建议【待委员改写】"]
    body = paragraphs[3:-2]
    for para in body:  # 正文: two-character first-line indent
        ind = para._p.pPr.find(qn("w:ind"))
        assert ind is not None and ind.get(qn("w:firstLineChars")) == "200"
    fonts = {r.element.rPr.rFonts.get(qn("w:eastAsia")) for p in paragraphs for r in p.runs}
    assert fonts == {"宋体", "仿宋", "黑体"}  # every run names its East-Asian font
    assert "13812345678" not in "".join(_docx_text(result.docx))
    assert doc.core_properties.subject == f"社情民意信息 #{result.id}"
    # byte-identical for the same input (written twice, at different moments, to different names)
    from toolkit.opinion.document import write_docx

    once, twice = tmp_path / "once.docx", tmp_path / "twice.docx"
    for path in (once, twice):
        write_docx(result.text, path, number=f"第{result.id}号", date="2026-05-06", member="张三", unit="区政协教育委")
    assert once.read_bytes() == twice.read_bytes()


def test_refusals_write_nothing(tmp_path, rank_dir):
    store = open_store(tmp_path / "o.db")
    cases = [
        ((tmp_path / "nowhere", 1), {}, "opinion.rank_dir_invalid"),
        ((rank_dir, 9), {}, "opinion.rank_unknown"),
        ((rank_dir, 4), {}, "opinion.rank_no_messages"),  # ranked, but not among the listed candidates
        ((None, None), {}, "opinion.source_missing"),
        ((None, None), {"blank_draft": True}, "opinion.title_missing"),
        ((rank_dir, 1), {"date": "5月6日"}, "opinion.date_invalid"),
    ]
    for args, kw, code in cases:
        with pytest.raises(OpinionError) as err:
            draft_report(store, *args, out=tmp_path / "d", **kw)
        assert err.value.code == code, str(err.value)
    assert not (tmp_path / "d").exists()
    from toolkit.opinion import items

    assert items(store).empty


def test_a_docx_that_cannot_be_written_registers_nothing(tmp_path, rank_dir, monkeypatch):
    import toolkit.opinion.register as register
    from toolkit.opinion import items

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(register, "write_docx", broken)
    store = open_store(tmp_path / "o.db")
    with pytest.raises(OpinionError) as err:
        draft_report(store, rank_dir, 1, out=tmp_path / "d")
    assert err.value.code == "out.write_failed"
    assert items(store).empty and store.audit(entity="opinion_item").empty
    assert not list((tmp_path / "d").glob("*.docx"))


def test_blank_draft_and_the_length_warning(tmp_path, rank_dir, monkeypatch, capsys):
    db = str(tmp_path / "o.db")
    out = str(tmp_path / "d")
    assert (
        main(["opinion", "draft", "--blank", "--title", "关于加装电梯的建议", "--db", db, "--out", out, "--json"]) == 0
    )
    shown = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert shown["id"] == 1 and shown["docx"].endswith("社情民意信息_1.docx") and shown["chars"] > 0
    assert "关于加装电梯的建议" in _docx_text(shown["docx"])
    monkeypatch.setattr("toolkit.opinion.draft.MAX_CHARS", 100)
    assert main(["opinion", "draft", str(rank_dir), "--rank", "1", "--db", db, "--out", out]) == 0
    printed = capsys.readouterr().out
    assert "超过 100 字" in printed and "社情民意信息 #2" in printed


def test_evidence_command_lists_the_letters_masked(tmp_path, rank_dir, capsys):
    db = str(tmp_path / "o.db")
    assert main(["opinion", "draft", str(rank_dir), "--rank", "1", "--db", db, "--out", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    assert main(["opinion", "evidence", "1", "--db", db, "--json"]) == 0
    letters = json.loads(capsys.readouterr().out)
    assert [r["留言编号"] for r in letters] == ["A1", "A2", "A3", "A4", "A5"]
    assert "[手机号]" in letters[1]["留言内容"]
    out = tmp_path / "依据.xlsx"
    assert main(["opinion", "evidence", "1", "--db", db, "-o", str(out)]) == 0
    sheet = pd.read_excel(out, sheet_name="群众留言", dtype=str, engine="openpyxl")
    assert sheet["留言编号"].tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert not sheet["留言内容"].str.contains("13812345678").any()


@pytest.mark.slow
def test_libreoffice_opens_and_renders_the_draft(tmp_path, rank_dir):
    from tests.test_brief_build import _libreoffice_pdf  # skips without LibreOffice and pdftotext

    store = open_store(tmp_path / "o.db")
    result = draft_report(store, rank_dir, 1, out=tmp_path / "d", member="张三", unit="区政协教育委")
    compact = "".join("".join(_libreoffice_pdf(result.docx, tmp_path)).split())
    assert "关于青石路口红绿灯问题的建议" in compact and "反映人：张三" in compact and "【待委员改写】" in compact


# ---- the whole loop on sample data, through the command line -------------------------------------------
@pytest.mark.slow
def test_the_whole_loop_through_the_cli(tmp_path, capsys):
    from sqlalchemy import select

    from toolkit.sample import generate_concerns
    from toolkit.store import schema

    generate_concerns(800, seed=3).to_csv(tmp_path / "留言.csv", index=False)
    rank = tmp_path / "rank"
    args = ["--text-col", "text", "--id-col", "id", "--time-col", "submitted_at", "--sector-col", "sector"]
    args += ["--district-col", "district", "--respondent-col", "respondent", "--quiet"]
    assert main(["rank", str(tmp_path / "留言.csv"), *args, "--out", str(rank)]) == 0
    db = ["--db", str(tmp_path / "o.db")]
    capsys.readouterr()

    def run(*argv) -> int:
        return main(["opinion", *argv, *db])

    assert (
        run(
            "draft",
            str(rank),
            "--rank",
            "1",
            "--out",
            str(tmp_path / "稿"),
            "--member",
            "张三",
            "--date",
            "2026-01-05",
            "--json",
        )
        == 0
    )
    draft = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0 < draft["chars"] <= 1500
    paragraphs = _docx_text(draft["docx"])
    assert paragraphs[2].startswith("关于") and paragraphs[2].endswith("的建议") and "反映人：张三" in paragraphs
    assert (
        run(
            "draft", str(rank), "--rank", "2", "--out", str(tmp_path / "稿"), "--member", "李四", "--date", "2026-01-06"
        )
        == 0
    )
    rid, other = draft["id"], draft["id"] + 1
    for step in (
        ["--to", "报送", "--date", "2026-01-08", "--by", "区政协办公室"],
        ["--to", "批示", "--date", "2026-01-15", "--by", "区长"],
        ["--to", "交办", "--date", "2026-01-20", "--by", "区交通运输局", "--deadline", "2026-03-31"],
        ["--to", "答复", "--date", "2026-03-20", "--answer", "A"],
        ["--to", "反馈", "--date", "2026-03-25"],
        ["--to", "办结", "--date", "2026-03-28"],
    ):
        assert run("track", str(rid), *step) == 0, capsys.readouterr().err
    assert run("track", str(other), "--to", "报送", "--date", "2026-01-08") == 0
    assert run("track", str(other), "--to", "交办", "--date", "2026-01-10", "--deadline", "2026-02-28") == 0
    capsys.readouterr()

    def tables():
        store = open_store(db[1])
        with store.engine.connect() as c:
            names = ("opinion_items", "opinion_steps", "opinion_evidence", "audit_log")
            return {t: c.execute(select(schema.metadata.tables[t])).all() for t in names}

    before = tables()
    assert run("track", str(other), "--to", "办结", "--date", "2026-03-01") == 1  # 答复 and 反馈 skipped
    err = capsys.readouterr().err
    assert "跳过了必经的步骤“答复”" in err and "Traceback" not in err
    assert run("track", str(rid), "--to", "答复", "--date", "2026-04-01", "--answer", "B") == 1  # already closed
    assert run("track", "99", "--to", "报送", "--date", "2026-04-01") == 1
    assert "数据库里没有这条" in capsys.readouterr().err
    assert tables() == before

    assert run("list", "--overdue", "--today", "2026-04-01", "--json") == 0
    overdue = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in overdue] == [other] and "2026-02-28" in overdue[0]["overdue_reason"]
    assert run("list", "--state", "办结", "--json") == 0
    assert [o["id"] for o in json.loads(capsys.readouterr().out)] == [rid]
    assert run("show", str(rid)) == 0
    shown = capsys.readouterr().out
    assert "批示  区长" in shown and "答复类别 A（已解决）" in shown
    assert run("evidence", str(rid), "--json") == 0
    letters = json.loads(capsys.readouterr().out)
    assert len(letters) == len(item(open_store(db[1]), rid)["message_ids"]) > 0

    # the year's 协商选题, its 协商会 and a 协商意见 tracked the same way
    assert run("topic", "add", str(rank), "--rank", "3", "--year", "2026", "--json") == 0
    topic = json.loads(capsys.readouterr().out)["id"]
    assert run("topic", "meeting", str(topic), "--date", "2026-04-10", "--note", "镇政府会议室") == 0
    assert (
        run("topic", "proposal", str(topic), "--title", "建立联席会议制度", "--department", "区住建局", "--json") == 0
    )
    proposal = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["id"]
    assert run("track", str(proposal), "--to", "报送", "--date", "2026-04-12") == 0
    assert run("topic", "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert listed[0]["meeting_date"] == "2026-04-10" and listed[0]["proposals"][0]["state"] == "报送"


def test_the_notebook_panel_drafts_and_records(tmp_path, rank_dir):
    import datetime as dt

    from toolkit.opinion import TrackingPanel

    store = open_store(tmp_path / "o.db")
    panel = TrackingPanel(store, rank_dir, tmp_path / "d")
    assert [v for _, v in panel.candidate.options] == [1, 2, 3, 4]
    panel.member.value = "张三"
    rid = panel.draft()
    assert rid == 1 and "已起草" in panel.message.value and panel.item.value == 1
    panel.state.value, panel.date.value = "交办", dt.date.today().isoformat()
    assert panel.record() is None and "跳过了必经的步骤" in panel.message.value  # shown, not raised
    panel.state.value = "报送"
    assert panel.record()["seq"] == 2 and "报送" in panel.table.value


def test_a_draft_of_the_same_number_already_there_is_kept_and_nothing_registered(tmp_path):
    # another store's 社情民意信息_1.docx, rewritten by its member: a fresh store's draft #1 must not replace it
    from toolkit.opinion import items

    out = tmp_path / "稿"
    out.mkdir()
    (out / "社情民意信息_1.docx").write_bytes(b"rewritten by the member")
    store = open_store(tmp_path / "new.db")
    with pytest.raises(OpinionError) as err:
        draft_report(store, blank_draft=True, title="关于停车的建议", out=out, date="2026-05-06")
    assert err.value.code == "opinion.draft_exists" and "不覆盖" in str(err.value)
    assert (out / "社情民意信息_1.docx").read_bytes() == b"rewritten by the member"
    assert items(store).empty


def test_traditional_letters_are_simplified_and_courtesies_cut_from_seeded_sentences(tmp_path, rank_dir):
    detail = pd.read_excel(rank_dir / "热点问题留言明细表.xlsx", engine="openpyxl")
    more = [
        ("A6", "青石路口沒有紅綠燈，孩子過馬路太危險。二是盡快解決，謝謝。辛苦了！"),
        ("A7", "感謝委員關心。希望盡快在青石路口增設紅綠燈，望回覆。"),
    ]
    rows = [{"问题ID": 0, "留言编号": m, "留言内容": t, "留言时间": "2026-04-21", "镇街": "青石镇"} for m, t in more]
    pd.concat([detail, pd.DataFrame(rows)]).to_excel(rank_dir / "热点问题留言明细表.xlsx", index=False)
    result = draft_report(open_store(tmp_path / "o.db"), rank_dir, 1, out=tmp_path / "drafts", date="2026-05-06")
    text = result.text
    body = "".join(text.situation + text.problems + text.suggestions)
    for word in ("謝", "谢", "感", "辛苦", "回复", "回覆", "盡", "紅"):
        assert word not in body, word
    assert text.problems[0].startswith("一是青石路口没有红绿灯，孩子过马路太危险") and "（4人反映）" in text.problems[0]
    assert "是尽快解决" in body and "二是二是" not in body and "是二是" not in body
    assert text.suggestions[0].startswith("一是在青石路口增设红绿灯") and "（3人提出）" in text.suggestions[0]


def test_a_member_not_in_the_register_is_warned_about_and_still_drafted(db_url, tmp_path, rank_dir, capsys):
    from tests.test_member_register import GOOD, write_list

    db = ["--db", db_url]
    draft = ["opinion", "draft", str(rank_dir), "--rank", "1", "--out", str(tmp_path / "稿"), "--date", "2026-05-06"]
    assert main([*draft, "--member", "不存在的人", *db]) == 0  # no register yet: nothing to check against
    assert "不在委员名单中" not in capsys.readouterr().err
    assert main(["member", "import", str(write_list(tmp_path / "名单.xlsx", GOOD)), *db]) == 0
    capsys.readouterr()
    assert main([*draft, "--rank", "2", "--member", "不存在的人、陈 明", *db]) == 0
    out, err = capsys.readouterr()
    assert "已起草 社情民意信息 #2" in out
    assert "反映人“不存在的人”不在委员名单中" in err and "陈" not in err
    assert main([*draft, "--rank", "3", "--member", "李华、W-03", "--json", *db]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["not_in_register"] == [] and "委员名单" not in err
