"""``weidiaoyan sample``: into a store, into CSV (masked by default), concerns only, errors without traceback."""

from __future__ import annotations

import pandas as pd
from conftest import SURVEYS

from toolkit.cli import main
from toolkit.store import open_store


def test_sample_into_store(tmp_path, capsys):
    db = tmp_path / "s.db"
    assert (
        main(["sample", "--form", str(SURVEYS / "annual_topics.yaml"), "-n", "40", "--seed", "1", "--db", str(db)]) == 0
    )
    assert "40" in capsys.readouterr().out
    store = open_store(db)
    assert len(store.responses("annual_topics")) == 40
    store.close()


def test_sample_csv_is_masked_unless_asked(tmp_path):
    args = ["sample", "--form", str(SURVEYS / "visit_record.yaml"), "-n", "400", "--truth"]
    assert main([*args, "--csv", str(tmp_path / "m.csv")]) == 0
    assert main([*args, "--csv", str(tmp_path / "k.csv"), "--keep-pii"]) == 0
    masked, kept = pd.read_csv(tmp_path / "m.csv"), pd.read_csv(tmp_path / "k.csv")
    assert len(masked) == 400 and {"truth_theme", "truth_issue", "people_met"} <= set(masked.columns)
    assert masked["concern"].str.contains(r"\[手机号\]|\[身份证号\]|\[车牌\]|\[电话\]").any()
    assert kept["concern"].str.contains("0000").any()
    assert not masked["concern"].str.contains(r"1[3-9]\d0000\d{4}").any()


def test_concerns_only_csv(tmp_path):
    out = tmp_path / "c.csv"
    assert main(["sample", "-n", "300", "--csv", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 300 and {"text", "theme", "issue"} <= set(df.columns)


def test_errors_are_messages(tmp_path, capsys):
    assert main(["sample", "-n", "10"]) == 1
    assert "--csv" in capsys.readouterr().err
    assert main(["sample", "-n", "-4", "--csv", str(tmp_path / "x.csv")]) == 1
    assert "修改" in capsys.readouterr().err


def test_phone_answers_masked_too(tmp_path):
    out = tmp_path / "a.csv"
    assert main(["sample", "--form", str(SURVEYS / "annual_topics.yaml"), "-n", "200", "--csv", str(out)]) == 0
    phones = pd.read_csv(out, dtype=str)["phone"].dropna()
    assert len(phones) and (phones == "[手机号]").all()
