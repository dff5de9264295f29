"""Tokenising with the domain dictionary and curated stopwords; places, groups; parallel = serial."""

from toolkit.text import cut, extract_groups, extract_places, normalize, parallel, tokenize, tokenize_many


def test_domain_words_stay_whole_and_negations_are_kept():
    tokens = tokenize("我们小区加装电梯没有进展，物业不作为，停车位无法解决")
    assert {"小区", "加装电梯", "物业", "停车位", "不作为"} <= set(tokens)
    assert "没有" in tokens and "无法" in tokens


def test_stopwords_codes_and_placeholders_are_dropped():
    tokens = tokenize("请问 A3区 2019年 我们的 [手机号] 的 问题")
    assert tokens == []


def test_places_and_groups():
    assert extract_places(cut("丽发新城小区旁搅拌站噪音扰民，书院路与解放路交汇处")) == [
        "丽发新城小区",
        "书院路",
        "解放路",
    ]
    assert extract_groups("独居老人和留守儿童没人照顾，老人很难") == ["独居老人", "留守儿童"]


def test_parallel_tokenising_equals_serial(monkeypatch):
    texts = [normalize(t) for t in ["小区停车难", "学校学位紧张，孩子入学难", "医保报销太慢", ""] * 30]
    texts += [f"第{i}号楼电梯故障" for i in range(60)]
    serial = tokenize_many(texts, n_jobs=1, progress=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(parallel, "_CHUNK", 16)
    assert tokenize_many(texts, n_jobs=2, progress=False) == serial
    assert serial[0] == tokenize(texts[0])


def test_a_number_naming_a_platform_is_kept_with_its_word():
    assert "58车贷" in tokenize("A市58车贷案件进展缓慢") and "车贷" in tokenize("A市58车贷案件进展缓慢")
    assert "360借条" in tokenize("360借条暴力催收")
    # counts, units and times are no names
    for text in ("借了20万元", "等了10多年", "住在3号楼", "排队12小时", "2019年的事", "交了2000元押金", "2020疫情期间"):
        assert not any(ch.isdigit() for word in tokenize(text) for ch in word), text
    for text in ("花了3000块钱", "积水20公分深"):
        assert not any(ch.isdigit() for word in tokenize(text) for ch in word), text
