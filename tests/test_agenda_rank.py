"""CandidateRanker: order, weights, ties, explanations, errors — and on real topic-model output."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.agenda import DEFAULT_WEIGHTS, AgendaError, CandidateRanker, rank_candidates


def small_inputs():
    rows = []
    # issue 0: a concrete matter raised by six people; issue 1: a broad bucket of four; issue 2: one person x3
    own_words = [
        "丽发新城小区旁搅拌站噪音扰民",
        "丽发新城搅拌站粉尘太大没法开窗",
        "请搬走丽发新城小区旁的搅拌站",
        "丽发新城搅拌站夜间施工吵得睡不着",
        "搅拌站离丽发新城小区太近了",
        "丽发新城小区搅拌站货车扬尘",
    ]
    for i, text in enumerate(own_words):  # six people, each in their own words (copies would count once)
        rows.append((f"a{i}", 0, text, f"2024-0{1 + i % 6}-10", f"p{i}", 3))
    for i, t in enumerate(
        ["东山湾路什么时候修", "咨询地铁11号线进度", "小区物业乱收费", "学校周边交通拥堵", "公园厕所太少"]
    ):
        rows.append((f"b{i}", 1, t, "2024-03-01", f"q{i}", 0))
    for i in range(3):
        rows.append((f"c{i}", 2, f"我家楼下的路灯坏了{i}", "2024-06-01", "same", 0))
    rows.append(("u0", -1, "谢谢", "2024-06-01", "z", 0))
    msgs = pd.DataFrame(rows, columns=["id", "topic_id", "text", "time", "respondent", "likes"])
    assignments = msgs[["id", "topic_id"]].assign(theme_id=msgs["topic_id"].clip(lower=0) % 2)
    assignments.loc[msgs["topic_id"] < 0, "theme_id"] = -1
    topics = pd.DataFrame(
        {
            "topic_id": [0, 1, 2, -1],
            "theme_id": [0, 1, 0, -1],
            "label": ["丽发新城小区：搅拌站、噪音", "道路、地铁", "路灯、坏了", "未归类"],
            "keywords": ["搅拌站 噪音 丽发", "道路 地铁", "路灯", ""],
            "places": ["丽发新城小区", "", "", ""],
            "representative": ["丽发新城小区旁搅拌站噪音扰民", "东山湾路什么时候修", "路灯坏了", ""],
        }
    )
    return msgs.drop(columns="topic_id"), topics, assignments


def test_concrete_hot_issue_first_and_unassigned_never_a_candidate():
    msgs, topics, assignments = small_inputs()
    ranker = CandidateRanker(keywords=["噪音"]).fit(msgs, topics, assignments)
    table = ranker.candidates_
    assert table["topic_id"].tolist()[0] == 0
    assert -1 not in table["topic_id"].tolist()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    # one person writing three times is not 群众关心, a bag of unrelated roads is not one matter:
    # both are listed, but after the real candidates, and the explanation says why
    assert set(table.loc[~table["eligible"], "topic_id"]) == {1, 2}
    notes = table.set_index("topic_id")["explanation"]
    assert "少于5人反映" in notes[2] and "内容分散" in notes[1]
    for factor in ("volume", "intensity", "concreteness", "alignment", "recency", "growth"):
        assert table[factor].between(0, 1).all(), factor
    contrib = table[[c for c in table if c.startswith("contrib_")]].sum(axis=1)
    assert (contrib - table["score"]).abs().max() < 1e-3
    assert abs(sum(ranker.weights_.values()) - 1) < 1e-3
    assert "breadth" in ranker.missing_factors_  # no 界别/镇街 columns given
    line = table.iloc[0]["explanation"]
    assert line.startswith("第1名 丽发新城小区") and "人反映" in line and "\n" not in line
    assert table.attrs["weights"] == ranker.weights_


def test_same_input_same_ranking_and_ties_broken_by_voices_then_id():
    msgs, topics, assignments = small_inputs()
    first = CandidateRanker().fit(msgs, topics, assignments).candidates_
    again = CandidateRanker().fit(msgs.sample(frac=1, random_state=3), topics, assignments).candidates_
    pd.testing.assert_frame_equal(first.drop(columns="explanation"), again.drop(columns="explanation"))
    # only volume counts: issue 0 (6 voices) beats issue 1 (4 voices); weight 0 switches factors off
    only_volume = {f: 0 for f in DEFAULT_WEIGHTS} | {"volume": 1}
    table = CandidateRanker(weights=only_volume).fit(msgs, topics, assignments).candidates_
    assert table["topic_id"].tolist()[:2] == [0, 1]


def test_weights_change_the_order_and_bad_weights_explain_themselves():
    msgs, topics, assignments = small_inputs()
    for weights, code in (
        ({"popularity": 1}, "agenda.factor_unknown"),
        ({"volume": -1}, "agenda.weight_invalid"),
        ({f: 0 for f in DEFAULT_WEIGHTS}, "agenda.weights_zero"),
    ):
        with pytest.raises(AgendaError) as err:
            CandidateRanker(weights=weights).fit(msgs, topics, assignments)
        assert err.value.code == code
    with pytest.raises(AgendaError) as err:
        CandidateRanker().fit(msgs.drop(columns="time"), topics, assignments)
    # the fix names the mapping helper: a caller of the Python API has no --text-col
    assert err.value.code == "agenda.messages_columns" and err.value.context["column"] == "time"
    assert "修改：先用 toolkit.agenda.messages_from" in str(err.value)


def test_theme_level_ranks_themes():
    msgs, topics, assignments = small_inputs()
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["环境", "交通"], "keywords": ["噪音", "道路"]})
    table = CandidateRanker(level="theme").fit(msgs, themes, assignments).candidates_
    assert set(table["theme_id"]) == {0, 1}


def test_real_topic_model_top_candidates_are_single_true_issues():
    # issues follow places (toolkit.topics.issues) and candidates naming different places are not joined
    from toolkit.sample import generate_concerns
    from toolkit.topics import TopicModel

    data = generate_concerns(600, seed=1)
    msgs = data.rename(columns={"submitted_at": "time"})[
        ["id", "text", "time", "respondent", "likes", "sector", "district"]
    ]
    model = TopicModel(random_state=0, progress=False).fit(
        msgs["text"], ids=msgs["id"], times=msgs["time"], respondents=msgs["respondent"]
    )
    ranker = CandidateRanker()
    table = ranker.fit(msgs, model.topics_, model.assignments_).candidates_
    truth = data.set_index("id")["issue_id"]
    members = ranker.members_.assign(issue=lambda m: m["id"].map(truth))
    tops = []
    for topic_id in table["topic_id"].head(5):
        issues = members.loc[members["topic_id"] == topic_id, "issue"]
        share = issues.value_counts(normalize=True)
        assert share.iloc[0] >= 0.6, (topic_id, share.head(3).to_dict())  # mostly one matter each
        tops.append(share.index[0])
    assert len(set(tops)) == 5  # and distinct
    assert table["breadth"].notna().all()


def test_rank_candidates_takes_a_fitted_model():
    msgs, topics, assignments = small_inputs()

    class Fitted:
        topics_, assignments_ = topics, assignments

    table = rank_candidates(msgs, Fitted(), weights={"volume": 2})
    assert table.attrs["weights"]["volume"] > DEFAULT_WEIGHTS["volume"]


def test_weights_widget_reranks_and_saves(tmp_path):
    import json

    from toolkit.agenda import weights_widget

    msgs, topics, assignments = small_inputs()

    class Fitted:
        topics_, assignments_ = topics, assignments

    box = weights_widget(msgs, Fitted(), keywords=["噪音"], save_to=tmp_path / "weights.json")
    before = dict(box.ranker.weights_)
    sliders = [w for w in box.children if hasattr(w, "value") and isinstance(w.value, float)]
    sliders[0].value = 0.9  # 规模 (volume) up
    assert box.ranker.weights_["volume"] > before["volume"]
    save = next(w for w in box.children[-2].children if getattr(w, "description", "") == "保存权重")
    save.click()
    saved = json.loads((tmp_path / "weights.json").read_text(encoding="utf-8"))
    assert saved["weights_requested"]["volume"] == 0.9 and saved["keywords"] == ["噪音"]


def test_differently_worded_letters_about_one_spot_are_one_matter():
    from toolkit.agenda.ranker import _one_matter

    table = pd.DataFrame(
        {
            "cohesion": [0.05, 0.05, 0.30, 0.05],
            "n_placed": [44, 44, 0, 3],
            "top_place_share": [1.0, 0.3, 0.0, 1.0],
        }
    )
    # one estate named by 44 voices: one matter; scattered places or too little evidence: a bag
    assert _one_matter(table, 0.1).tolist() == [True, False, True, False]


def test_each_writer_of_one_letter_counts_and_the_explanation_says_they_sent_one_text():
    msgs, topics, assignments = small_inputs()
    letter = "我们是丽发新城小区的业主，小区旁搅拌站日夜施工，噪音粉尘严重影响三千多户居民，请尽快搬走"
    extra = pd.DataFrame(
        [(f"d{i}", letter, "2024-06-10", f"r{i}", 0) for i in range(3)]
        + [("d9", letter, "2024-06-11", None, 0)],  # a copy whose writer is unknown
        columns=["id", "text", "time", "respondent", "likes"],
    )
    msgs = pd.concat([msgs, extra], ignore_index=True)
    assignments = pd.concat([assignments, extra[["id"]].assign(topic_id=0, theme_id=0)], ignore_index=True)
    row = CandidateRanker().fit(msgs, topics, assignments).candidates_.set_index("topic_id").loc[0]
    assert row["n_voices"] == 9 and row["n_messages"] == 10  # six in their own words, three signers of one letter
    assert row["n_same_text"] == 3 and "其中3人的留言与他人文字相同" in row["explanation"]
