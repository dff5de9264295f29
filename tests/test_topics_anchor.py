"""Anchors: the spot or rare name an issue is about, and how concrete that makes it."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from toolkit.agenda.factors import CONCRETE, anchored, matter_focus
from toolkit.text import is_road
from toolkit.topics.anchor import generic_names, is_name, main_anchor, rare_names, text_anchors
from toolkit.topics.labels import compose_label


def test_generic_names_are_kinds_written_like_names():
    names = {"实验中学", "广益实验中学", "滨江实验中学", "丽发新城", "暮云丽发新城", "新城丽发新城"}
    # "丽发新城" ends two longer names too, but "丽发" is a name, not ordinary words
    assert generic_names(names) == {"实验中学"}


def test_clause_fragments_glued_by_the_hmm_are_no_names():
    assert is_name("余易贷") and is_name("佳兆业")  # ("中茂城" ends in a place suffix: place extraction finds it)
    for fragment in ("人太多", "西往东", "撤场后", "普惠性", "普惠制", "虚假宣传", "公安局", "实验中学", "失能老人"):
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
    # a letter listing six roads names the last ones in passing: 长永高速 is the subject of two letters of four
    roads = [
        ["黄星大道", "凉塘路", "螺丝塘路", "开元路", "东升路", "长永高速"],
        ["东六路", "长永高速"],
        ["长永高速"],
        [],
    ]
    assert main_anchor(roads, ["a", "b", "c", "d"]) == ("长永高速", 0.5)
    # as many name the estate as a phrase after it: the letters give the estate first ("设置医院" < "诺亚山林" by code)
    hospital = [["诺亚山林", "设置医院"], ["诺亚山林", "设置医院"], ["诺亚山林"], ["设置医院"], ["溪泉湾"]]
    assert main_anchor(hospital, ["a", "b", "a", "b", "c"]) == ("诺亚山林", round(2 / 3, 3))
    # one spot named more or less fully by as many, the fuller name first: its shorter name
    tower = [["西路星光大厦"], ["西路星光大厦"], ["美食广场", "星光大厦"], ["美食广场", "星光大厦"]]
    assert main_anchor(tower, ["a", "b", "c", "d"]) == ("星光大厦", 1.0)
    # ... when written as often: a piece a few letters give is not the name
    estate = [["伊景园滨河苑"], ["伊景园滨河苑"], ["伊景园滨河苑"], ["滨河苑"]]
    assert main_anchor(estate, ["a", "b", "c", "d"]) == ("伊景园滨河苑", 1.0)


def test_concrete_when_most_voices_name_the_anchor_and_three_in_four_for_a_road():
    assert is_road("凉塘路") and is_road("星沙大道") and not is_road("丽发新城")
    shares = pd.Series([1.0, 0.5, 0.75, 0.5, 0.25, np.nan])
    got = anchored(shares, pd.Series(["丽发新城", "丽发新城", "凉塘路", "凉塘路", "丽发新城", ""]))
    assert got.tolist() == [1.0, CONCRETE, CONCRETE, 0.3333, 0.25, 0.0]
    assert (got >= CONCRETE).tolist() == [True, True, True, False, False, False]


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


def test_an_anchor_gathers_into_the_issue_most_of_whose_letters_name_it():
    from toolkit.topics.issues import gather_at_anchors

    # issue 0: three 温斯顿 letters among six on refunds; issue 1: six letters all naming 温斯顿
    Z = np.array([[0.9, 0.436]] * 3 + [[0.0, 1.0]] * 3 + [[1.0, 0.0]] * 6)
    issue = theme = np.array([0] * 6 + [1] * 6)
    anchors = [["温斯顿"]] * 3 + [["德睿国际"], [], []] + [["温斯顿"]] * 6
    got, _ = gather_at_anchors(Z, issue, theme, anchors, list("abcdefghijkl"), np.ones(12), margin=0.1)
    assert got.tolist() == [1] * 3 + [0] * 3 + [1] * 6
    # with homes given (the spots a split has just founded), only those gather: issue 0 as 温斯顿's home keeps
    # its letters, and issue 1's read far nearer their own
    home = {"温斯顿": 0}
    kept, _ = gather_at_anchors(Z, issue, theme, anchors, list("abcdefghijkl"), np.ones(12), margin=0.1, home=home)
    assert kept.tolist() == issue.tolist()


def test_a_letter_in_a_broad_issue_joins_the_issue_of_the_spot_it_names():
    from toolkit.topics.issues import gather_at_anchors

    # issue 0: four letters about 洪山公园; issue 1: "公园何时建" about six parks, one of them 洪山公园's
    Z = np.array([[1.0, 0.0]] * 4 + [[0.64, 0.768]] + [[0.0, 1.0]] * 5)
    issue, theme = np.array([0] * 4 + [1] * 6), np.zeros(10, dtype=int)
    anchors = [["洪山公园"]] * 4 + [["洪山公园"], ["泉星公园"], ["鹅羊山公园"], ["李家湖公园"], [], []]
    voices = list("abcdefghij")
    got, _ = gather_at_anchors(Z, issue, theme, anchors, voices, np.ones(10), margin=0.1)
    assert got[4] == 0  # 0.64 to its spot's issue against 0.83 to the broad one: within the broad margin
    # nearer its own by more than that, or in another theme, or naming the spot only after three others: it stays
    assert gather_at_anchors(Z, issue, theme, anchors, voices, np.ones(10), margin=0.1, broad_margin=0.1)[0][4] == 1
    other_theme = np.array([0] * 4 + [2] * 6)
    assert gather_at_anchors(Z, issue, other_theme, anchors, voices, np.ones(10), margin=0.1)[0][4] == 1
    late = anchors[:4] + [["泉星公园", "鹅羊山公园", "李家湖公园", "洪山公园"]] + anchors[5:]
    assert gather_at_anchors(Z, issue, theme, late, voices, np.ones(10), margin=0.1)[0][4] == 1
    # a second spot it names, whose issue is in another theme, does not keep it from its spot's issue
    Z2 = np.vstack([Z, [[0.7, 0.714]] * 3])
    issue2, theme2 = np.append(issue, [2, 2, 2]), np.append(theme, [1, 1, 1])
    both = anchors[:4] + [["洪山公园", "泉星公园"], ["其他"]] + anchors[6:] + [["泉星公园"]] * 3
    got2, _ = gather_at_anchors(Z2, issue2, theme2, both, list("abcdefghijklm"), np.ones(13), margin=0.1)
    assert got2[4] == 0


def test_a_split_names_the_spots_it_founds():
    from toolkit.topics.issues import split_at_anchors

    X, vocab = _tfidf(SPOT + TOLD_WITHOUT_IT + ELSEWHERE)
    issue, cores = split_at_anchors(
        X, np.zeros(10, dtype=int), ANCHORS, [f"v{i}" for i in range(10)], vocab, np.full(10, -1)
    )
    assert cores == {"凉塘路": 0} and issue.tolist() == [0] * 6 + [1] * 4


def test_letters_sharing_only_a_place_share_no_matter():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.summary import matter_lift, mean_similarity

    texts = [
        "青松苑 搅拌站 噪音 粉尘 扰民",
        "青松苑 搅拌站 夜间 噪音",
        "青松苑 搅拌站 粉尘 严重",
        "青松苑 幼儿园 学位 不足",
        "青松苑 围栏 拆除",
        "青松苑 违建 阳台",
        "地铁 站口 拥堵",
        "公交 线路 调整",
        "医保 报销 手续",
        "学校 食堂 价格",
    ]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    vocab = vec.get_feature_names_out()
    base = mean_similarity(X)
    one_matter = matter_lift(X[[0, 1, 2]], vocab, ["青松苑"], base)
    one_place = matter_lift(X[[0, 3, 4, 5]], vocab, ["青松苑"], base)
    assert one_place < 1 < one_matter  # without the place word, the bundle's letters share nothing
    assert matter_lift(X[[0, 3, 4, 5]], vocab, [], base) > one_place  # the place word alone makes them look alike
    assert np.isnan(matter_lift(X[[0]], vocab, ["青松苑"], base))


def test_matter_lift_compares_the_letters_of_different_voices():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.summary import matter_lift, mean_similarity

    # one resident writes four times about his cracked floors, three neighbours each about something else there
    texts = ["青松苑 楼板 开裂"] * 4 + ["青松苑 幼儿园 学位", "青松苑 围栏 拆除", "青松苑 违建 阳台"]
    texts += ["地铁 站口 拥堵", "公交 线路 调整", "医保 报销 手续", "学校 食堂 价格"]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(texts)
    vocab = vec.get_feature_names_out()
    base = mean_similarity(X)
    issue = list(range(7))
    by_text = matter_lift(X[issue], vocab, ["青松苑"], base)
    by_voice = matter_lift(X[issue], vocab, ["青松苑"], base, voices=["甲"] * 4 + ["乙", "丙", "丁"])
    assert by_voice == 0.0 < 1 < by_text  # his repeats made the bundle look like one matter
    # copies by different people are different voices sharing a matter; one voice alone compares nothing
    assert matter_lift(X[[0, 1, 2]], vocab, ["青松苑"], base, voices=["甲", "乙", "丙"]) > 1
    assert np.isnan(matter_lift(X[[0, 1, 2]], vocab, ["青松苑"], base, voices=["甲"] * 3))
    # without voices, every text is its own
    assert matter_lift(X[issue], vocab, ["青松苑"], base, voices=list("ABCDEFG")) == by_text
    # ids as read from a sheet: numbers and text mixed, blanks; each unknown writer is a voice of their own
    mixed = ["甲", 7, 7.0, np.nan, "乙", None, ""]
    assert matter_lift(X[issue], vocab, ["青松苑"], base, voices=mixed) == matter_lift(
        X[issue], vocab, ["青松苑"], base, voices=["甲", 7, 7, "u1", "乙", "u2", "u3"]
    )


def test_matter_lift_leaves_out_the_pieces_of_names_not_the_words_jieba_lacks():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toolkit.topics.summary import matter_lift, mean_similarity

    # jieba cuts "北辰三角洲" into names ("北辰" nr, "三角洲" ns); "棚改" and "加层" it lacks, yet they say the matter
    at_estate = ["北辰 三角洲 群租房", "北辰 三角洲 入户门 设计", "北辰 三角洲 外墙 渗水"]
    one_matter = ["棚改 加层 停工", "棚改 加层 两年", "棚改 加层 无人 问津"]
    others = ["地铁 站口 拥堵", "公交 线路 调整", "医保 报销 手续", "学校 食堂 价格"]
    vec = TfidfVectorizer(analyzer=str.split)
    X = vec.fit_transform(at_estate + one_matter + others)
    vocab = vec.get_feature_names_out()
    base = mean_similarity(X)
    assert matter_lift(X[[0, 1, 2]], vocab, [], base) == 0.0
    assert matter_lift(X[[3, 4, 5]], vocab, [], base) > 1


def test_matter_focus_is_relative_to_the_collections_typical_issue():
    lift = pd.Series([30.0, 15.0, 45.0, 60.0, 2.0, np.nan])
    n_texts = pd.Series([10, 6, 8, 20, 1, 1])
    focus = matter_focus(lift, n_texts)  # typical: median of 30, 15, 45, 60 = 37.5
    assert focus.round(2).tolist()[:5] == [0.8, 0.4, 1.0, 1.0, 0.05]
    got = anchored(pd.Series([1.0, 1.0]), pd.Series(["丽发新城", "丽发新城"]), focus.iloc[:2])
    assert got.tolist() == [0.8, 0.4]
    assert anchored(pd.Series([1.0]), pd.Series(["丽发新城"]), pd.Series([np.nan])).tolist() == [1.0]


def test_an_estate_named_with_its_road_is_the_anchor_not_the_road():
    anchors = [["劳动东路", "魅力之城"], ["劳动东路", "魅力之城"], ["劳动东路"], ["魅力之城"], ["劳动东路", "魅力之城"]]
    voices = ["a", "b", "c", "d", "e"]
    assert main_anchor(anchors, voices) == ("魅力之城", 0.8)  # 4 of 5 name the estate, 4 of 5 the road
    assert main_anchor([["劳动东路"], ["劳动东路"], ["劳动东路", "魅力之城"]], ["a", "b", "c"])[0] == "劳动东路"


def test_one_spot_inside_a_matter_told_elsewhere_is_its_own_issue():
    from collections import Counter

    from toolkit.topics.issues import _by_place

    # "培训机构退费": six letters about 温斯顿 (named nowhere else), five about other schools naming no place
    named = [{"温斯顿"}] * 6 + [set()] * 5
    matter = np.arange(11)
    X = sp.csr_matrix(np.eye(11))
    total = Counter({"温斯顿": 6})
    parts = _by_place(X, matter, named, total, {}, 0.1)
    assert sorted(p.tolist() for p in parts) == [list(range(6)), list(range(6, 11))]
    # a speaker's own 社区, named about everything its residents raise, founds nothing
    assert len(_by_place(X, matter, named, Counter({"温斯顿": 30}), {}, 0.1)) == 1
    # nor does a spot with too few letters to stand as an issue, or with nothing left beside it
    assert len(_by_place(X, matter, [{"温斯顿"}] * 4 + [set()] * 7, Counter({"温斯顿": 4}), {}, 0.1)) == 1
    assert len(_by_place(X, matter, [{"温斯顿"}] * 10 + [set()], Counter({"温斯顿": 10}), {}, 0.1)) == 1


def test_words_the_dictionary_mistags_as_names_are_no_names():
    from toolkit.text import is_mistagged_phrase

    # jieba's dictionary tags these as person or place names; each is two ordinary words
    for phrase in ("大力支持", "安全措施", "家里人", "原以为"):
        assert is_mistagged_phrase(phrase) and not is_name(phrase), phrase
    for name in ("温斯顿", "余易贷", "美麓阳光", "伊景园", "马建军", "林豆豆"):  # a surname and a given name
        assert not is_mistagged_phrase(name), name


def test_issues_at_a_kind_of_place_are_not_joined_across_themes():
    from toolkit.topics.issues import join_across_themes

    # issues 0 and 1 (themes 0 and 1) are alike and name one spot; issue 2 names two county hospitals
    Z = np.array([[1.0, 0.0]] * 3 + [[0.9, 0.44]] * 3 + [[0.0, 1.0]] * 2)
    issue = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    theme = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    others = [{"广州人民医院"}, {"岳阳人民医院"}]
    joined, themes = join_across_themes(Z, issue, theme, [{"丽发新城"}] * 6 + others, 0.3)
    assert joined[:6].tolist() == [0] * 6 and themes[:6].tolist() == [0] * 6
    # "人民医院" ends two other names and says nothing but ordinary words: a kind of hospital, not one spot
    joined, themes = join_across_themes(Z, issue, theme, [{"人民医院"}] * 6 + others, 0.3)
    assert joined.tolist() == issue.tolist() and themes.tolist() == theme.tolist()


def test_letters_naming_no_place_are_not_a_places_letters():
    from collections import Counter

    from toolkit.topics.issues import _by_place

    # 门面油烟: four letters at 魅力之城, four at 银杏嘉园, five about other shops naming no place
    rows = [[1, 1, 0, 0]] * 4 + [[1, 0, 1, 0]] * 4 + [[1, 0, 0, 1]] * 5
    X = sp.csr_matrix(np.asarray(rows, dtype=float))
    named = [{"魅力之城"}] * 4 + [{"银杏嘉园"}] * 4 + [set()] * 5
    parts = _by_place(X, np.arange(13), named, Counter({"魅力之城": 4, "银杏嘉园": 4}), {}, 0.1)
    assert sorted(p.tolist() for p in parts) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11, 12]]
    # letters naming no place that are most of the matter: a speaker's 社区 named by a few cuts out no matter
    many = _by_place(
        X[[0, 1, 2, 3, 4, 5, 6, 7] + [8] * 10],
        np.arange(18),
        named[:8] + [set()] * 10,
        Counter({"魅力之城": 4, "银杏嘉园": 4}),
        {},
        0.1,
    )
    assert sorted(len(p) for p in many) != [4, 4, 10]
    # one or two such letters still join the nearest place's part
    parts = _by_place(X[:9], np.arange(9), named[:9], Counter({"魅力之城": 4, "银杏嘉园": 4}), {}, 0.1)
    assert sorted(len(p) for p in parts) == [4, 5]


def test_the_group_of_letters_naming_no_place_is_scored_leaving_each_letter_out():
    from sklearn.preprocessing import normalize

    from toolkit.topics.issues import _alike_to_the_others

    rows = normalize(np.random.default_rng(0).random((6, 5)))
    got = _alike_to_the_others(sp.csr_matrix(rows))
    for i in range(6):  # each letter against the others only: none is near the group for being part of it
        others = rows[np.arange(6) != i].sum(axis=0)
        assert got[i] == pytest.approx(rows[i] @ others / np.linalg.norm(others))


def _tfidf(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=str.split)
    return vec.fit_transform(texts), vec.get_feature_names_out()


def _split(texts, anchors, issue=None, dup=None):
    from toolkit.topics.issues import split_at_anchors

    X, vocab = _tfidf(texts)
    issue = np.zeros(len(texts), dtype=int) if issue is None else np.asarray(issue)
    dup = np.full(len(texts), -1) if dup is None else np.asarray(dup)
    return split_at_anchors(X, issue, anchors, [f"v{i}" for i in range(len(texts))], vocab, dup)[0].tolist()


SPOT = [
    "凉塘路 旧城 改造 停工 加层 两年 无人 问津",
    "凉塘路 几排 房子 改造 停工 两年",
    "凉塘路 居民 加层 改造 停工 指挥部",
    "凉塘路 改造 停工 加层 指挥部 通告",
    "凉塘路 旧城 改造 停工 无人 问津",
]
TOLD_WITHOUT_IT = ["四区 几排 房子 旧城 改造 停工 加层 两年"]  # the same matter, the road not named
ELSEWHERE = ["棚户 改造 水电 煤气 升级", "危房 拆迁 规划 多年 停止", "顶棚 拆除 漏水 严重", "提质 改造 缩水 公示"]
ANCHORS = [["凉塘路"]] * 5 + [[]] + [["杉仙岭"], ["唐家湾巷"], [], ["富绿新村"]]


def test_an_issue_splits_into_its_anchors_letters_and_the_same_matter_elsewhere():
    assert _split(SPOT + TOLD_WITHOUT_IT + ELSEWHERE, ANCHORS) == [0] * 6 + [1] * 4
    # other issues, unused ids and unassigned texts stay as they are; new issues take fresh ids
    issue = [2] * 10 + [-1, 0]
    got = _split(SPOT + TOLD_WITHOUT_IT + ELSEWHERE + ["路灯 不亮", "公交 线路"], ANCHORS + [[], []], issue)
    assert got == [2] * 6 + [3] * 4 + [-1, 0]


def test_copies_of_one_letter_do_not_raise_the_bar_for_the_matter_told_without_the_name():
    copies = [SPOT[0]] * 4 + SPOT[1:2]  # a collective letter posted by four residents, and a letter
    dup = [0] * 4 + [-1] * 6
    assert _split(copies + TOLD_WITHOUT_IT + ELSEWHERE, ANCHORS, dup=dup) == [0] * 6 + [1] * 4
    # counted as distinct letters, the copies (alike as 1) would have set the bar above the letter without the name
    assert _split(copies + TOLD_WITHOUT_IT + ELSEWHERE, ANCHORS)[5] == 1


def test_no_split_at_a_speakers_own_place_for_a_tiny_rest_or_when_all_name_it():
    # a spot named mostly about other matters (a speaker's own 社区) splits nothing off
    texts = SPOT + TOLD_WITHOUT_IT + ELSEWHERE + ["凉塘路 路灯"] * 6
    assert _split(texts, ANCHORS + [["凉塘路"]] * 6, [0] * 10 + [-1] * 6)[:10] == [0] * 10
    # nor a rest of fewer than MIN_PLACE_TEXTS texts, nor an issue whose letters all name the spot
    assert _split(SPOT + TOLD_WITHOUT_IT + ELSEWHERE[:2], ANCHORS[:8]) == [0] * 8
    assert _split(SPOT + SPOT[:4], [["凉塘路"]] * 9) == [0] * 9


def test_a_few_letters_naming_a_spot_inside_a_broad_matter_found_no_issue():
    spot = ["癌症村 工厂 排放 废水 污染"] + [
        "癌症村 工厂 废水 污染 河流",
        "癌症村 排放 污染 严重",
        "癌症村 工厂 污染",
        "癌症村 废水 排放",
    ]
    broad = [
        "工厂 排放 废水 污染 河流",
        "工厂 污染 排放 严重",
        "废水 排放 污染 河流",
        "工厂 废水 污染",
        "排放 废水 污染 严重",
    ]
    broad += ["工厂 排放 污染", "废水 污染 河流 严重"]
    other = ["夜间 施工 噪音 扰民", "广场舞 噪音 扰民", "烧烤 油烟 扰民"]
    anchors = [["癌症村"]] * 5 + [[]] * 10
    # the spot's letters are five of fifteen, and seven letters of the same broad matter read as near as they do
    assert _split(spot + broad + other, anchors) == [0] * 15


def test_a_road_all_its_letters_name_is_as_concrete_as_an_estate():
    got = anchored(pd.Series([1.0, 0.875, 1.0]), pd.Series(["凉塘路", "凉塘路", "丽发新城"]))
    assert got.tolist() == [1.0, 0.75, 1.0]
