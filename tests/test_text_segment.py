"""The two segmentation engines: jieba (the reference and the default) and rjieba (jieba-rs, opt-in)."""

from pathlib import Path

import pytest

from toolkit.sample import generate_concerns
from toolkit.text import cut, normalize, tokenize
from toolkit.text.segment import DEFAULT_ENGINE, Segmenter, default_engine, segmenter

TEDDY = Path(__file__).resolve().parents[2] / "shared/data/external/teddy2020c/Asimok_question_2/2933bd2/question1/data"
MIXED = ["Wi-Fi 5G网络，A3区3.5%的人說：不行！！", "丽发新城小区旁搅拌站噪音扰民", "伊景园滨河苑捆绑销售车位", ""]


def _texts(n=300, seed=4):
    return [normalize(t) for t in generate_concerns(n, seed=seed)["text"].tolist() + MIXED]


def test_block_cache_gives_exactly_jiebas_own_segmentation(monkeypatch):
    monkeypatch.setenv("WEIDIAOYAN_SEGMENTER", "jieba")
    reference = segmenter("jieba")
    texts = _texts()
    assert [cut(t) for t in texts] == [reference.cut(t) if t else [] for t in texts]


def _agreement(texts) -> float:
    """Share of texts whose content words are identical under both engines."""
    import os

    same = 0
    for t in texts:
        os.environ["WEIDIAOYAN_SEGMENTER"] = "jieba"
        a = tokenize(t)
        os.environ["WEIDIAOYAN_SEGMENTER"] = "rjieba"
        same += a == tokenize(t)
    return same / len(texts)


def test_rjieba_segments_like_jieba_on_sample_concerns(monkeypatch):
    monkeypatch.setenv("WEIDIAOYAN_SEGMENTER", "rjieba")
    # they differ only at near-ties of word frequencies ("卫生太差": 太差 or 太|差), ~3 % of these texts
    assert _agreement(_texts(400, seed=9)) >= 0.95


@pytest.mark.skipif(not TEDDY.exists(), reason="../shared teddy2020c data not present")
def test_rjieba_segments_like_jieba_on_real_messages(monkeypatch):
    monkeypatch.setenv("WEIDIAOYAN_SEGMENTER", "rjieba")
    lines = (TEDDY / "test_detail.txt").read_text(encoding="utf-8").splitlines()[:300]
    assert _agreement([normalize(line.rpartition("\t")[0]) for line in lines]) >= 0.93  # measured 0.963


def test_domain_words_and_known_words_agree():
    rs, py = segmenter("rjieba"), segmenter("jieba")
    for word in ["加装电梯", "物业费", "校园", "景园", "丽发", "滨河苑"]:
        assert rs.known(word) == py.known(word), word
    assert rs.cut("小区加装电梯没有进展") == py.cut("小区加装电梯没有进展") == ["小区", "加装电梯", "没有", "进展"]


def test_default_engine_is_jieba_unless_chosen(monkeypatch):
    monkeypatch.delenv("WEIDIAOYAN_SEGMENTER", raising=False)
    assert DEFAULT_ENGINE == default_engine() == Segmenter().engine == "jieba"
    monkeypatch.setenv("WEIDIAOYAN_SEGMENTER", "rjieba")
    assert Segmenter().engine == "rjieba"


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown segmenter"):
        Segmenter("pkuseg")
