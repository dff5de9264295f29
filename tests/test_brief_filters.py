"""One filter for ``brief`` and ``rank`` from a store (issue 16, item 2): the form's own expression language,
refused in Chinese with the fix, said in words wherever the results are."""

from __future__ import annotations

import pytest

from toolkit.cli import main


@pytest.fixture
def db(tmp_path):
    from conftest import SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store

    form_path = SURVEYS / "annual_topics.yaml"
    form = load_form(form_path)
    store = open_store(tmp_path / "f.db")
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 120, seed=7)]
    store.add_responses(form, records, source="sample")
    donghu = set(store.responses(form.id).query("district == 'donghu'")["response_id"])
    store.close()
    return str(tmp_path / "f.db"), str(form_path), donghu


def test_brief_refuses_a_label_in_place_of_a_choice_id_before_reading(db, tmp_path, capsys):
    path, form, _ = db
    out = tmp_path / "out"
    assert (
        main(["brief", "--db", path, "--form", form, "--out", str(out), "--filter", "${district} == '东湖街道'"]) == 1
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err and "donghu" in err and not out.exists()


def test_rank_of_a_table_file_refuses_a_filter(tmp_path):
    import pandas as pd

    from toolkit.agenda import AgendaError
    from toolkit.workflows import rank_file

    table = tmp_path / "t.csv"
    pd.DataFrame({"id": [1], "text": ["小区停车难"], "time": ["2026-01-01"]}).to_csv(table, index=False)
    with pytest.raises(AgendaError) as err:
        rank_file(table, text_col="text", id_col="id", time_col="time", out=tmp_path / "r", filter="${x} == 'a'")
    assert err.value.code == "filter.needs_store" and "ingest" in str(err.value)


@pytest.mark.slow  # fits the topic model
def test_rank_from_a_store_ranks_only_the_filtered_responses_and_says_so(db, tmp_path, capsys):
    import json

    from docx import Document

    path, form, donghu = db
    out = tmp_path / "rank"
    args = ["rank", path, "--text-col", "concern", "--id-col", "response_id", "--time-col", "submitted_at"]
    assert main([*args, "--out", str(out), "--filter", "${district} == 'donghu'", "--quiet"]) == 0
    settings = json.loads((out / "weights.json").read_text(encoding="utf-8"))
    assert settings["filter_words"] == "镇街为“东湖街道”"
    detail = __import__("pandas").read_excel(out / "热点问题留言明细表.xlsx")
    assert set(detail["response_id"]) <= donghu
    context = Document(out / "选题候选清单.docx").paragraphs[1].text
    assert "筛选：镇街为“东湖街道”" in context


def test_a_filter_on_one_district_draws_no_district_chart(db, tmp_path):
    from toolkit.brief import Survey
    from toolkit.brief.findings import district_bars
    from toolkit.forms import load_form
    from toolkit.store import open_store

    path, form_path, donghu = db
    form = load_form(form_path)
    store = open_store(path)
    try:
        one = Survey.load(store, form, where=lambda p: p[p["district"] == "donghu"], filter_words="镇街为“东湖街道”")
        assert one.n == len(donghu)
        assert district_bars(one, tmp_path) is None  # "东湖街道答卷最多，占100%" says nothing
        everyone = Survey.load(store, form)
        assert district_bars(everyone, tmp_path) is not None
    finally:
        store.close()


def test_topics_from_a_store_groups_only_the_filtered_responses(db, tmp_path, capsys):
    import pandas as pd

    path, _, donghu = db
    out = tmp_path / "topics"
    args = ["topics", path, "--text-col", "concern", "--id-col", "response_id", "--quiet"]
    assert main([*args, "--out", str(out), "--filter", "${district} == 'donghu'"]) == 0
    assert "筛选：镇街为“东湖街道”" in capsys.readouterr().out
    ids = set(pd.read_csv(out / "assignments.csv")["id"])
    assert ids and ids <= donghu
    assert main([*args, "--out", str(out), "--filter", "${district} == 'donghu'", "--stream"]) == 1
    assert "不能同时使用" in capsys.readouterr().err
