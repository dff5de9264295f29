"""A brief of a large store fits the topic model and the ranker on a sample of the concerns (issue 13, item 3):
the sample is chosen by a seeded hash of the response id (same store, same sample), every other concern is
assigned to the issues a chunk at a time, and the brief says so. Small stores are analysed whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def test_the_hashed_sample_depends_on_the_ids_and_the_seed_not_on_their_order():
    from toolkit.topics.stream import hashed_sample

    ids = [f"R{i}" for i in range(1000)]
    chosen = hashed_sample(ids, 100, seed=0)
    assert len(chosen) == 100 and list(chosen) == sorted(chosen)
    picked = {ids[i] for i in chosen}
    shuffled = list(np.random.default_rng(1).permutation(ids))
    assert {shuffled[i] for i in hashed_sample(shuffled, 100, seed=0)} == picked
    assert {ids[i] for i in hashed_sample(ids, 100, seed=1)} != picked
    assert list(hashed_sample(ids[:50], 100, seed=0)) == list(range(50))  # no more than asked: all of them


def test_assigning_in_chunks_equals_one_transform():
    from toolkit.topics import TopicModel
    from toolkit.topics.stream import assign_in_chunks

    texts = [
        *(f"{p}小区停车位太少，晚上车没地方停" for p in ("幸福里", "和平新村", "府前", "文昌")),
        *(f"{p}学校学位紧张，孩子上学难" for p in ("城东", "城西", "实验", "育才")),
        *(f"{p}路口晚高峰拥堵严重" for p in ("人民路", "解放路", "中山路", "建设路")),
    ] * 3
    model = TopicModel(themes=2, progress=False, n_jobs=1).fit(texts)
    new = ["停车位不够", "学位不足", "路口堵车", "", "天气很好"] * 3
    ids = [f"n{i}" for i in range(len(new))]
    whole = model.transform(new, ids=ids)["topic_id"].to_numpy()
    assert (whole >= 0).any()
    np.testing.assert_array_equal(assign_in_chunks(model, new, ids, chunksize=4), whole)


@pytest.mark.slow  # two whole briefs
def test_a_brief_of_a_sample_counts_every_concern_and_says_it_was_sampled(tmp_path):
    from docx import Document

    from toolkit.brief import Survey
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store
    from toolkit.workflows import build_brief, bundled_form_path

    form = load_form(bundled_form_path())
    store = open_store(tmp_path / "brief.db")
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 160, seed=3)]
    store.add_responses(form, records, source="sample")
    n_concerns = len(Survey.load(store, form).messages())
    assert n_concerns > 80

    runs = [build_brief(store, form, tmp_path / f"out{i}", sample_size=80) for i in range(2)]
    tables = [pd.read_csv(r["candidates"], encoding="utf-8-sig") for r in runs]
    pd.testing.assert_frame_equal(tables[0], tables[1])  # the same store gives the same sample and brief
    table = tables[0]
    assert (table["n_messages_all"] >= table["n_messages"]).all()
    assert table["n_messages_all"].sum() > table["n_messages"].sum()

    report = "\n".join(p.text for p in Document(runs[0]["report"]).paragraphs)
    assert "抽样归纳" in report and f"{n_concerns:,} 条意见" in report and "80 条" in report
    cells = [[c.text for c in row.cells] for t in Document(runs[0]["report"]).tables for row in t.rows]
    counts = {row[0]: row[1] for row in cells if len(row) >= 2}
    assert counts["填写了意见建议"] == f"{n_concerns:,}" and counts["议题归纳所用样本"] == "80"
    assigned = table["n_messages_all"].sum()
    assert int(counts["未归类的意见"].replace(",", "")) >= n_concerns - assigned  # 未归类 issues hold no candidate

    whole = build_brief(store, form, tmp_path / "whole", sample_size=n_concerns)  # no more than the sample: whole
    assert "n_messages_all" not in pd.read_csv(whole["candidates"], encoding="utf-8-sig")
    assert "抽样归纳" not in "\n".join(p.text for p in Document(whole["report"]).paragraphs)
    store.close()
