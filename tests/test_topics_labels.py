"""Issue labels say what their texts share; theme labels are domains; mixed issues are marked."""

from __future__ import annotations

import re

import numpy as np
import pytest

from toolkit.text import normalize, tokenize
from toolkit.topics import TopicModel
from toolkit.topics.labels import BOILERPLATE, MAX_LABEL_CHARS, compose_label, domains, theme_labels


@pytest.fixture(scope="module")
def fitted():
    from toolkit.sample import generate_concerns

    data = generate_concerns(800, seed=3)
    model = TopicModel(random_state=0, progress=False).fit(data["text"], ids=data["id"])
    return data, model


def _words(label):
    return [w for w in dict.fromkeys(tokenize(normalize(label.split("：")[-1]))) if len(w) >= 2]


def test_issue_labels_are_terms_most_of_their_texts_share(fitted):
    data, model = fitted
    topics = model.topics_[model.topics_["topic_id"] >= 0].nlargest(15, "n_texts")
    texts = data.set_index("id")["text"].map(normalize)
    shares = []
    for t in topics.itertuples():
        ids = model.assignments_.loc[model.assignments_["topic_id"] == t.topic_id, "id"]
        words = _words(t.label)
        assert words, t.label
        need = (len(words) + 1) // 2
        shares.append(np.mean([sum(w in texts[i] for w in words) >= need for i in ids]))
        assert len(t.label) <= MAX_LABEL_CHARS
        assert not re.search(r"[*＊]|^\d|[、,，]\d", t.label)
        assert not any(b in _words(t.label) for b in BOILERPLATE)
    assert np.median(shares) >= 0.6, shares


def test_a_dominant_place_leads_the_label():
    assert compose_label(["搅拌站", "噪音"], "丽发新城小区", {"搅拌站": 0.9, "噪音": 0.6}) == "丽发新城：搅拌站噪音"
    # too long: the least shared term goes first
    label = compose_label(
        ["教育培训机构", "报名缴费", "退费困难"],
        "某某某某某某花园小区",
        {"教育培训机构": 0.5, "报名缴费": 0.2, "退费困难": 0.7},
    )
    assert len(label) <= MAX_LABEL_CHARS and "报名缴费" not in label


def test_theme_labels_are_domains_in_staff_words(fitted):
    _, model = fitted
    names = {name for name, _ in domains()}
    for label in model.themes_["label"]:
        base = label.split("（")[0]
        assert base in names or base == "其他", label
    assert model.themes_["label"].is_unique


def test_themes_sharing_a_domain_are_told_apart():
    import scipy.sparse as sp

    vocab = np.array(["物业", "电梯", "停车位", "业委会"])
    weights = sp.csr_matrix(np.array([[1.0, 0.5, 0, 0], [1.0, 0, 0.8, 0.1]]))
    assert theme_labels(weights, vocab, [["物业", "电梯"], ["物业", "停车位"]]) == [
        "物业管理（电梯）",
        "物业管理（停车位）",
    ]


def test_a_grab_bag_is_marked_mixed_not_headlined():
    texts = (
        ["丽发新城小区旁边的搅拌站噪音粉尘扰民，晚上施工睡不着"] * 3
        + ["搅拌站半夜施工噪音太大", "丽发新城搅拌站粉尘污染严重", "搅拌站的噪音影响孩子学习"]
        + [
            "税务局房租发票开不出来",
            "政府机关食堂对外开放吗",
            "宽带被一家公司垄断价格高",
            "门面租金一年翻了一倍",
            "公交站台没有遮雨棚",
            "小学午托收费太贵",
        ]
    )
    model = TopicModel(themes=1, issues=1, random_state=0, progress=False).fit(texts[5:])
    row = model.topics_[model.topics_["topic_id"] == 0].iloc[0]
    assert 0 <= row["cohesion"] < 0.05 and row["reason"].startswith("内容分散")
    single = TopicModel(themes=1, issues=1, random_state=0, progress=False).fit(texts[:6])
    one = single.topics_[single.topics_["topic_id"] == 0].iloc[0]
    assert one["cohesion"] > 0.1 and one["reason"] == ""
    assert "搅拌站" in one["label"]


def test_rank_candidates_are_the_model_issues(fitted):
    from toolkit.agenda import CandidateRanker

    data, model = fitted
    msgs = data.rename(columns={"submitted_at": "time"})[["id", "text", "time", "respondent"]]
    ranker = CandidateRanker().fit(msgs, model.topics_, model.assignments_)
    assigned = model.assignments_.set_index("id")["topic_id"]
    members = ranker.members_.set_index("id")["topic_id"]
    assert (members == assigned.reindex(members.index)).all()
    labels = model.topics_.set_index("topic_id")["label"]
    table = ranker.candidates_
    assert (table["label"] == labels.reindex(table["topic_id"]).to_numpy()).all()


def test_pieces_of_a_place_named_by_a_minority_stay_out_of_the_label():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.labels import issue_labels

    # 伊景园滨河苑 (jieba's pieces: 景园, 滨河), written so by a minority: too few to lead, and no matter either
    texts = ["景园 滨河 捆绑 车位"] * 6 + ["捆绑 车位"] * 4 + [f"其他{i} 内容{i}" for i in range(20)]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    issue = np.array([0] * 10 + [-1] * 20)
    label = issue_labels(
        X, issue, [np.arange(10)], np.ones(30), vec.get_feature_names_out(), texts, [("伊景园滨河苑", 0.45)]
    )[0]
    assert "捆绑" in label and "车位" in label
    assert "景园" not in label and "滨河" not in label
    # the kind of the place is no piece of its name: "幼儿园" stays when "星沙幼儿园" does not lead
    texts = ["幼儿园 学位 不足"] * 10 + [f"其他{i} 内容{i}" for i in range(20)]
    X = vec.fit_transform(texts)
    label = issue_labels(
        X, issue, [np.arange(10)], np.ones(30), vec.get_feature_names_out(), texts, [("星沙幼儿园", 0.3)]
    )[0]
    assert "幼儿园" in label


def test_a_place_written_several_ways_is_one_place_for_the_label():
    from toolkit.topics.summary import naming_share

    lists = [["丽发新城小区"], ["A市", "丽发新城"], ["暮云丽发新城"], ["A市"], []]
    assert naming_share("丽发新城小区", lists) == 0.6  # three of five name it, each in its own way
    assert naming_share("A市", lists) == 0.4  # an area, named as written


def test_a_second_place_is_no_matter_when_a_place_leads_the_label():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.labels import issue_labels

    # the estate's letters give its road as their address: "魅力之城：劳动东路" says where twice and not what
    texts = (
        ["魅力之城 劳动 东路 油烟 噪音"] * 5 + ["魅力之城 劳动 东路 油烟"] * 3 + [f"其他{i} 内容{i}" for i in range(20)]
    )
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    issue = np.array([0] * 8 + [-1] * 20)
    args = (X, issue, [np.arange(8)], np.ones(28), vec.get_feature_names_out(), texts, [("魅力之城", 1.0)])
    # jieba cuts the road in two ("劳动|东路"); each piece is place, not matter
    assert issue_labels(*args, named=[["魅力之城小区", "劳动东路"]]) == ["魅力之城：油烟噪音"]
    assert "劳动" in issue_labels(*args)[0]  # without the places its texts name


def test_a_third_word_joins_the_label_only_when_most_texts_hold_two_of_the_three(monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics import labels

    # 计生办 and 超生 each in half the texts, 小孩 in 40 %: only 40 % hold two of the three words
    texts = [
        " ".join(w for w, on in (("计生办", i < 5), ("超生", i >= 5), ("小孩", i in (0, 1, 5, 6))) if on)
        for i in range(10)
    ] + [f"其他{i} 内容{i}" for i in range(20)]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    args = (X, np.array([0] * 10 + [-1] * 20), [np.arange(10)], np.ones(30), vec.get_feature_names_out(), texts, [None])
    assert "小孩" not in labels.issue_labels(*args)[0]
    monkeypatch.setattr(labels, "THIRD_TERM_SUPPORT", 0.4)
    assert "小孩" in labels.issue_labels(*args)[0]


def test_an_idiom_is_no_label_word():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.labels import issue_labels

    # every letter says how it feels (苦不堪言) and most what the matter is (噪音, 扰民)
    texts = ["苦不堪言 噪音 扰民"] * 6 + ["苦不堪言 噪音"] * 4 + [f"其他{i} 内容{i}" for i in range(20)]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    args = (X, np.array([0] * 10 + [-1] * 20), [np.arange(10)], np.ones(30), vec.get_feature_names_out(), texts, [None])
    label = issue_labels(*args)[0]
    assert "苦不堪言" not in label and "噪音" in label


def test_a_road_is_no_matter_when_a_place_leads_the_label():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.labels import issue_labels

    # the road is in every letter (an address the extractor missed as a place); what they share is 消防, 招商
    texts = (
        ["星光大厦 解放西路 消防 招商"] * 5 + ["星光大厦 解放西路 消防"] * 3 + [f"其他{i} 内容{i}" for i in range(20)]
    )
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    args = (X, np.array([0] * 8 + [-1] * 20), [np.arange(8)], np.ones(28), vec.get_feature_names_out(), texts)
    assert issue_labels(*args, [("星光大厦", 1.0)])[0] == "星光大厦：消防招商"


def test_the_estate_leads_the_label_not_the_road_it_is_on():
    # every letter gives the road, the estate is written two ways: the estate is what they are about
    texts = [
        "劳动东路魅力之城小区底层商铺油烟扰民",
        "劳动东路魅力之城小区底层餐馆油烟扰民严重",
        "劳动东路万科魅力之城小区底层商铺油烟熏人",
        "劳动东路万科魅力之城底层商铺油烟和噪音扰民",
        "劳动东路魅力之城一楼商铺油烟扰民没人管",
        "劳动东路万科魅力之城商铺油烟扰民",
    ]
    texts += [f"{p}小学门口早晚接送孩子交通拥堵" for p in ("东湖", "西山", "南门", "北苑", "河口", "松林")]
    texts += [f"{p}村自来水水压太低经常停水" for p in ("石桥", "上坪", "三河", "桃源", "龙泉", "金桥")]
    topics = TopicModel(random_state=0, progress=False).fit(texts).topics_
    label = topics.loc[topics["n_texts"] == 6, "label"].tolist()
    assert any(lab.startswith("万科魅力之城：") and "油烟" in lab for lab in label), label
