"""`weidiaoyan rank` end to end on a real xlsx: files, columns, masking, errors, reproducibility."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.cli import main

SHARED_SAMPLE = "teddy2020c/Syucryingstar_NLP_tipdm_90f5471/示例数据/3.xlsx"


@pytest.fixture(scope="module")
def messages_xlsx(tmp_path_factory):
    from toolkit.sample import generate_concerns

    data = generate_concerns(400, seed=2)[["id", "text", "submitted_at", "likes", "respondent", "district"]]
    data.loc[0, "text"] = data.loc[0, "text"] + "我的电话13812345678"
    path = tmp_path_factory.mktemp("in") / "留言.xlsx"
    data.to_excel(path, index=False)
    return path, data


def rank(path, out, *extra):
    return main(
        [
            "rank",
            str(path),
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--likes-col",
            "likes",
            "--out",
            str(out),
            "--top",
            "5",
            "--quiet",
            *extra,
        ]
    )


@pytest.mark.slow
def test_rank_writes_the_tables_staff_hand_on(messages_xlsx, tmp_path, capsys):
    path, data = messages_xlsx
    assert rank(path, tmp_path / "a", "--district-col", "district", "--keywords", "停车,加装电梯") == 0
    printed = capsys.readouterr().out
    assert "热点问题（前 5 名）" in printed and "用时" in printed

    cand = pd.read_csv(tmp_path / "a" / "candidates.csv", encoding="utf-8-sig")
    for col in (
        "rank",
        "topic_id",
        "score",
        "volume",
        "breadth",
        "recency",
        "growth",
        "intensity",
        "alignment",
        "concreteness",
        "label",
        "n_messages",
        "first_seen",
        "last_seen",
        "places",
        "explanation",
    ):
        assert col in cand.columns, col
    assert cand["rank"].tolist() == list(range(1, len(cand) + 1))

    hot = pd.read_excel(tmp_path / "a" / "热点问题表.xlsx", engine="calamine")
    assert hot.columns[:6].tolist() == ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
    assert hot["热度排名"].tolist() == [1, 2, 3, 4, 5]
    assert hot["问题ID"].tolist() == cand["topic_id"].head(5).tolist()

    detail = pd.read_excel(tmp_path / "a" / "热点问题留言明细表.xlsx", engine="calamine")
    assert detail.columns.tolist() == ["问题ID", *data.columns]
    assert set(detail["问题ID"]) == set(hot["问题ID"])
    assert detail["id"].is_unique and set(detail["id"]) <= set(data["id"])

    for name in ("candidates.csv", "热点问题表.xlsx", "热点问题留言明细表.xlsx", "选题候选清单.docx"):
        assert (tmp_path / "a" / name).stat().st_size > 0
    settings = json.loads((tmp_path / "a" / "weights.json").read_text(encoding="utf-8"))
    assert settings["keywords"] == ["停车", "加装电梯"] and "alignment" in settings["weights_used"]


def test_personal_data_is_masked_in_every_export(messages_xlsx, tmp_path):
    from docx import Document

    path, _ = messages_xlsx
    assert rank(path, tmp_path / "m", "--top", "50") == 0
    out = tmp_path / "m"
    texts = [(out / "candidates.csv").read_text(encoding="utf-8-sig")]
    for name in ("热点问题表.xlsx", "热点问题留言明细表.xlsx"):
        texts.append(pd.read_excel(out / name, engine="calamine").to_csv())
    texts.append("\n".join(p.text for p in Document(out / "选题候选清单.docx").paragraphs))
    assert not any("13812345678" in t for t in texts)


def test_same_input_gives_byte_identical_files(messages_xlsx, tmp_path):
    path, _ = messages_xlsx
    assert rank(path, tmp_path / "1") == 0
    assert rank(path, tmp_path / "2") == 0
    for f in (tmp_path / "1").iterdir():
        if f.name != "weights.json":  # holds the output-independent settings, compared below
            assert f.read_bytes() == (tmp_path / "2" / f.name).read_bytes(), f.name
    one, two = ((tmp_path / d / "weights.json").read_text(encoding="utf-8") for d in ("1", "2"))
    assert one == two


def test_wrong_column_is_a_chinese_message_not_a_traceback(messages_xlsx, tmp_path, capsys):
    path, _ = messages_xlsx
    code = main(
        [
            "rank",
            str(path),
            "--text-col",
            "留言详情",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "找不到列“留言详情”（--text-col；" in err and "Traceback" not in err  # as topics words it


def test_shared_sample_file_if_present(tmp_path):
    from conftest import SHARED

    path = SHARED / SHARED_SAMPLE
    if not path.exists():
        pytest.skip("shared TipDM sample data not available")
    assert (
        main(
            [
                "rank",
                str(path),
                "--text-col",
                "留言主题,留言详情",
                "--id-col",
                "留言编号",
                "--time-col",
                "留言时间",
                "--likes-col",
                "点赞数",
                "--dislikes-col",
                "反对数",
                "--top",
                "3",
                "--quiet",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert len(pd.read_excel(tmp_path / "热点问题表.xlsx", engine="calamine")) <= 3


def test_a_time_column_without_dates_and_an_out_file_are_refused(messages_xlsx, tmp_path, capsys):
    path, _ = messages_xlsx
    code = main(
        [
            "rank",
            str(path),
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "respondent",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "时间列“respondent”" in err and "Traceback" not in err
    a_file = tmp_path / "out.txt"
    a_file.write_text("keep", encoding="utf-8")
    assert rank(path, a_file) == 1
    assert "不是文件夹" in capsys.readouterr().err and a_file.read_text(encoding="utf-8") == "keep"


def test_rank_reads_one_forms_responses_from_a_store(db_url, tmp_path, capsys):
    """A store (a .db file or a database URL) is an input like a table: the text column is a question id."""
    from pathlib import Path

    from toolkit.forms import load_form
    from toolkit.ingest import ingest
    from toolkit.sample import generate_responses, write_export
    from toolkit.store import display

    form_path = Path(__file__).resolve().parents[1] / "surveys" / "annual_topics.yaml"
    form = load_form(form_path)
    export = write_export(form, generate_responses(form, 300, seed=3), tmp_path / "x.csv", "wjx", by="code")
    assert ingest(export, str(form_path), db_url)["accepted"] == 300
    out = tmp_path / "r"
    args = ["rank", db_url, "--text-col", "concern", "--id-col", "response_id", "--time-col", "submitted_at"]
    assert main([*args, "--district-col", "district", "--form", "annual_topics", "--quiet", "--out", str(out)]) == 0
    cands = pd.read_csv(out / "candidates.csv")
    assert len(cands) > 3 and cands["n_voices"].iloc[0] >= 5
    assert cands["n_districts"].max() > 1  # the district question feeds breadth
    detail = pd.read_excel(out / "热点问题留言明细表.xlsx", engine="openpyxl")
    assert {"问题ID", "response_id", "concern"} <= set(detail.columns)
    shown = json.loads((out / "weights.json").read_text(encoding="utf-8"))["input"]
    assert shown == display(db_url)  # as messages show it: a URL's password is never written
    capsys.readouterr()
    # a store holding the form under another id: the message names the store and the forms it holds
    assert main([*args, "--form", "nosuch", "--quiet", "--out", str(tmp_path / "r2")]) != 0
    assert "nosuch" in capsys.readouterr().err
