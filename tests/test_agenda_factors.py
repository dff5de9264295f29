"""Factors of the candidate score, on small frames shaped like TopicModel output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.agenda import factors as F
from toolkit.agenda.textsim import char_vectors, cohesion, same_matter


def frame(rows):
    return pd.DataFrame(rows, columns=["id", "group", "text", "time", "respondent"])


CAMPAIGN = "联名：丽发新城小区旁的搅拌站日夜施工，噪音和粉尘严重影响三千多户居民休息，请有关部门尽快搬走"


def test_one_person_counts_once_and_each_signer_of_one_letter_counts():
    msgs = frame(
        [
            (1, 0, "丽发新城小区旁搅拌站噪音大", "2024-01-01", "a"),
            (2, 0, "丽发新城小区旁搅拌站粉尘多", "2024-01-02", "a"),  # same person again
            (3, 0, CAMPAIGN, "2024-01-03", "b"),
            (4, 0, CAMPAIGN, "2024-01-03", "c"),  # the same letter, another person: a 联名
            (5, 0, "丽发新城搅拌站夜间施工", "2024-01-04", "d"),
            (6, 1, "学校门口没有红绿灯", "2024-01-05", "e"),
        ]
    )
    msgs["letter"] = F.letters(msgs)
    msgs["voice"] = F.voices(msgs, letter=msgs["letter"])
    vol = F.volume(msgs)
    assert vol.loc[0, "n_messages"] == 5
    assert vol.loc[0, "n_respondents"] == 4
    assert vol.loc[0, "n_voices"] == 4  # a (twice), b, c, d
    assert vol.loc[0, "n_same_text"] == 2 and vol.loc[1, "n_same_text"] == 0  # b and c sent one text
    assert vol.loc[0, "volume"] == pytest.approx(1.0)
    assert 0 < vol.loc[1, "volume"] < 1


def test_copies_whose_writer_is_unknown_are_no_new_voice():
    msgs = frame(
        [
            (1, 0, CAMPAIGN, "2024-01-03", "b"),
            (2, 0, CAMPAIGN, "2024-01-03", "c"),
            (3, 0, CAMPAIGN, "2024-01-04", None),  # a repost, or a paper form entered twice
            (4, 0, "丽发新城搅拌站夜间施工", "2024-01-04", None),
        ]
    )
    voice = F.voices(msgs)
    assert voice.nunique() == 3 and voice[2] in (voice[0], voice[1])
    # without any respondent column, a copied letter is one voice
    assert F.volume(msgs.drop(columns="respondent")).loc[0, "n_voices"] == 2


def test_near_duplicate_of_links_letters():
    texts = [CAMPAIGN, CAMPAIGN.replace("三千", "两千"), CAMPAIGN.replace("联名", "呼吁")]
    msgs = frame([(i + 1, 0, t, "2024-01-01", r) for i, (t, r) in enumerate(zip(texts, "abc"))])
    msgs["dup_group"] = [None, 1, 1]
    assert F.letters(msgs).nunique() == 2
    assert F.volume(msgs).loc[0, "n_voices"] == 3  # three writers
    assert F.volume(msgs.drop(columns="respondent")).loc[0, "n_voices"] == 2


def test_short_answers_alike_by_chance_are_separate_voices():
    # survey answers and subject lines coincide: three residents writing "停车难" are three voices
    short = "泉星公园何时开工"
    msgs = frame(
        [(1, 0, "停车难", "2024-01-01", "a"), (2, 0, "停车难", "2024-01-01", "b"), (3, 0, "停车难", "2024-01-02", "c")]
    )
    msgs = pd.concat([msgs, frame([(4, 1, short, "2024-01-01", "d"), (5, 1, short + "？", "2024-01-01", "e")])])
    msgs = msgs.reset_index(drop=True)
    msgs["dup_group"] = [1, 1, 1, 4, 4]
    X, X_full = char_vectors(msgs["text"])
    msgs["voice"] = F.voices(msgs, X_full)
    vol = F.volume(msgs)
    assert vol.loc[0, "n_voices"] == 3 and vol.loc[1, "n_voices"] == 2
    # without respondents too: wording alone does not make two short answers one person's
    assert F.voices(msgs.drop(columns=["respondent", "dup_group"]), X_full).nunique() == 5


def test_breadth_is_share_of_sectors_and_districts():
    msgs = frame([(i, i % 2, "x", "2024-01-01", str(i)) for i in range(6)])
    msgs["sector"] = ["教育界", "医药卫生界", "教育界", "经济界", "农业界", "经济界"]
    msgs["district"] = ["东湖", "东湖", "西山", "东湖", "南门", "东湖"]
    out = F.breadth(msgs)
    # group 0: sectors {教育, 农业} of 4 -> .5; districts {东湖, 西山, 南门} of 3 -> 1
    assert out.loc[0, "n_sectors"] == 2 and out.loc[0, "n_districts"] == 3
    assert out.loc[0, "breadth"] == pytest.approx(0.75)
    assert F.breadth(msgs.drop(columns=["sector", "district"])) is None


def test_recency_and_growth():
    now = pd.Timestamp("2024-12-31")
    msgs = frame(
        [
            (1, 0, "x", "2024-12-20", "a"),
            (2, 0, "x", "2024-12-25", "b"),
            (3, 0, "x", "2024-09-01", "c"),
            (4, 1, "x", "2023-01-01", "d"),
            (5, 1, "x", "2023-02-01", "e"),
        ]
    )
    out = F.recency_growth(msgs, now, window_days=90)
    assert out.loc[0, "recency"] > out.loc[1, "recency"]
    assert out.loc[0, "n_recent"] == 2 and out.loc[0, "n_before"] == 1
    assert out.loc[0, "growth"] == pytest.approx((2 - 1) / 3 / 2 + 0.5)
    assert out.loc[1, "growth"] == 0.0  # silent in both windows: not growing


def test_intensity_uses_urgent_words_and_likes():
    msgs = frame(
        [
            (1, 0, "楼道堆物有火灾隐患", "2024-01-01", "a"),
            (2, 0, "存在安全隐患", "2024-01-01", "b"),
            (3, 1, "希望多种树", "2024-01-01", "c"),
        ]
    )
    msgs["likes"] = [100, 20, 0]
    out = F.intensity(msgs, F.urgent_words())
    assert out.loc[0, "urgent_share"] == 1.0 and out.loc[1, "urgent_share"] == 0.0
    assert out.loc[0, "likes"] == 120
    assert out.loc[0, "intensity"] == pytest.approx(1.0)
    assert out.loc[1, "intensity"] == 0.0


def test_alignment_names_the_matched_keywords():
    msgs = frame(
        [
            (1, 0, "老旧小区改造后加装电梯", "2024-01-01", "a"),
            (2, 0, "电梯坏了", "2024-01-01", "b"),
            (3, 1, "菜市场太远", "2024-01-01", "c"),
        ]
    )
    out = F.alignment(msgs, ["加装电梯", "老旧小区改造", "养老服务"])
    assert out.loc[0, "alignment"] == 0.5 and out.loc[1, "alignment"] == 0.0
    assert out.loc[0, "aligned_keywords"] == "加装电梯、老旧小区改造"
    assert F.alignment(msgs, []) is None


@pytest.mark.slow
def test_one_matter_is_more_concrete_than_a_broad_bucket():
    one = [
        "丽发新城小区旁边建搅拌站噪音扰民",
        "丽发新城小区搅拌站粉尘污染严重",
        "请尽快搬走丽发新城小区旁的搅拌站",
        "丽发新城搅拌站夜间施工吵得睡不着",
    ]
    broad = ["东山湾路什么时候修", "咨询地铁11号线进度", "小区物业乱收费", "学校周边交通拥堵"]
    msgs = frame([(i, 0 if i < 4 else 1, t, "2024-01-01", str(i)) for i, t in enumerate(one + broad)])
    X, _ = char_vectors(msgs["text"])
    out = F.concreteness(msgs, X)
    assert out.loc[0, "concreteness"] > 2 * out.loc[1, "concreteness"]
    assert np.all((out["concreteness"] >= 0) & (out["concreteness"] <= 1))


def test_split_matter_is_joined_but_unrelated_issues_are_not():
    texts = [
        "丽发新城小区旁边建搅拌站噪音扰民",
        "丽发新城小区搅拌站粉尘污染严重",
        "丽发新城小区旁搅拌站粉尘噪音",
        "丽发新城小区搅拌站噪音扰民严重",
        "学校门口早晚高峰拥堵",
        "学校门口接送孩子交通拥堵",
    ]
    groups = np.array([0, 0, 1, 1, 2, 2])
    X, _ = char_vectors(pd.Series(texts))
    mapping = same_matter(X, groups, pd.Series(texts), threshold=0.5)
    assert mapping[0] == mapping[1] == 0
    assert mapping[2] == 2
    coh = cohesion(X, groups, pd.Series(texts))
    assert coh.between(0, 1).all()


def test_specificity_of_everywhere_place_is_low():
    texts = pd.Series(["A市丽发小区搅拌站", "A市地铁", "A市公交", "A市学校"])
    spec = F.specificity(texts, ["A市", "丽发"])
    assert spec["A市"] == 0.0 and spec["丽发"] > 0.5


def test_letters_about_many_places_are_not_one_spot():
    one_spot = [
        "丽发新城小区旁搅拌站噪音大",
        "投诉丽发新城小区搅拌站",
        "A市丽发新城小区粉尘严重",
        "丽发新城小区居民睡不着",
        "丽发新城小区旁边建搅拌站",
    ]
    bag = [
        "长城水郡小区存在安全隐患",
        "悦湖山小区存在安全隐患",
        "江山帝景小区存在安全隐患",
        "雄新华府小区存在安全隐患",
        "缔壹城小区连廊存在安全隐患",
    ]
    msgs = frame([(i, 0 if i < 5 else 1, t, "2024-01-01", str(i)) for i, t in enumerate(one_spot + bag)])
    focus = F.place_focus(msgs)
    assert focus.loc[0, "top_place"] == "丽发新城" and focus.loc[0, "place_focus"] == 1.0
    assert focus.loc[1, "n_placed"] == 5 and focus.loc[1, "place_focus"] <= 0.4
    # two candidates concentrated on the same 小区 are one matter for a consultation
    twin = pd.concat([focus.loc[[0]], focus.loc[[0]].rename(index={0: 7})])
    assert F.same_place(twin).tolist() == [0, 0]
