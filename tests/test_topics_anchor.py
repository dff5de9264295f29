"""Anchors: the spot or rare name an issue is about, and how concrete that makes it."""

import numpy as np
import pandas as pd

from toolkit.agenda.factors import anchored
from toolkit.text import is_road
from toolkit.topics.anchor import generic_names, is_name, main_anchor, rare_names, text_anchors
from toolkit.topics.labels import compose_label


def test_generic_names_are_kinds_written_like_names():
    names = {"实验中学", "广益实验中学", "滨江实验中学", "丽发新城", "暮云丽发新城", "新城丽发新城"}
    # "丽发新城" ends two longer names too, but "丽发" is a name, not ordinary words
    assert generic_names(names) == {"实验中学"}


def test_clause_fragments_glued_by_the_hmm_are_no_names():
    assert is_name("余易贷") and is_name("佳兆业")  # ("中茂城" ends in a place suffix: place extraction finds it)
    for fragment in ("人太多", "西往东", "撤场后", "普惠性", "普惠制", "虚假宣传", "公安局", "实验中学"):
        assert not is_name(fragment), fragment


def test_rare_names_must_be_about_one_matter():
    from sklearn.feature_extraction.text import TfidfVectorizer

    platform = ["余易贷 平台 逾期 不兑付 出借人 报案"] * 2 + ["余易贷 平台 兑付 逾期 出借人 立案"] * 2
    scattered = ["中茂城 停车 收费", "中茂城 学校 学位", "中茂城 路灯 不亮", "中茂城 公交 线路"]
    other = [f"话题{i} 内容{i} 其他{i}" for i in range(40)]
    texts = platform + scattered + other
    vec = TfidfVectorizer(token_pattern=r"\S+")
    X = vec.fit_transform(texts)
    names = rare_names(X, vec.get_feature_names_out())
    assert all("余易贷" in names[i] for i in range(4))
    # a word that letters about four different matters share is no anchor of a matter
    assert not any("中茂城" in names[i] for i in range(4, 8))


def test_text_anchors_keep_the_order_named_and_drop_areas():
    anchors = text_anchors([["A市", "劳动东路", "魅力之城小区"]], [set()], ["A市劳动东路魅力之城小区油烟扰民"])
    assert anchors == [["劳动东路", "魅力之城"]]


def test_main_anchor_counts_voices_not_letters():
    anchors = [["丽发新城"], ["丽发新城"], ["丽发新城"], ["暮云小学"], []]
    voices = ["a", "a", "a", "b", "c"]  # one person writing three times is one voice
    assert main_anchor(anchors, voices) == ("丽发新城", round(1 / 3, 3))
    assert main_anchor([["A市"], []], ["a", "b"]) == ("", 0.0)  # an area anchors nothing


def test_a_road_needs_twice_the_share_to_be_concrete():
    assert is_road("凉塘路") and is_road("星沙大道") and not is_road("丽发新城")
    got = anchored(pd.Series([0.5, 0.5, 0.25, np.nan]), pd.Series(["丽发新城", "凉塘路", "丽发新城", ""]))
    assert got.tolist() == [1.0, 0.5, 0.5, 0.0]


def test_terms_that_run_together_into_one_word_are_kept_apart():
    assert compose_label(["出租车", "司机"], "", {}) == "出租车、司机"
    assert compose_label(["搅拌站", "噪音"], "丽发新城小区", {}) == "丽发新城：搅拌站噪音"


def test_letters_naming_an_issues_anchor_join_it():
    from toolkit.topics.issues import gather_at_anchors

    # issue 0: five letters about 魅力之城; issue 1: a city-wide 油烟 issue holding one 魅力之城 letter
    Z = np.array([[1.0, 0.0]] * 5 + [[0.8, 0.6], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    issue = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    theme = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    anchors = [["魅力之城"]] * 5 + [["万科魅力之城"], ["银杏嘉园"], [], []]
    voices = list("abcdefghi")
    new_issue, new_theme = gather_at_anchors(Z, issue, theme, anchors, voices, np.ones(9), margin=0.1)
    assert new_issue.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert new_theme[5] == 0  # and takes that issue's theme
    # a letter that reads far nearer its own issue stays
    Z[5] = [0.1, 0.995]
    assert gather_at_anchors(Z, issue, theme, anchors, voices, np.ones(9), margin=0.1)[0][5] == 1
