"""Cleaning concerns for the brief: each distinct text is normalised and masked once (a campaign repeats one
letter many times, a large store repeats many), with the same texts and personal-data counts as cleaning
every copy."""

from __future__ import annotations

from collections import Counter

import pandas as pd


def test_repeated_texts_are_cleaned_once_with_the_same_texts_and_counts(monkeypatch):
    from toolkit import text as T
    from toolkit.brief import BriefError
    from toolkit.messages import Columns, from_frame

    letters = ["电话13912345678，小区停车难", "ＡＢＣ小区路灯不亮", "", "身份证430102199001011234，车牌湘A12345"]
    texts = [letters[i % len(letters)] for i in range(40)]
    expected_counts: Counter = Counter()
    expected = [T.mask_pii(T.normalize(t), expected_counts) for t in texts]

    calls = []
    normalize = T.normalize
    monkeypatch.setattr(T, "normalize", lambda t: calls.append(t) or normalize(t))
    counts: Counter = Counter()
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    out = from_frame(
        frame, Columns(text="text", id="id"), where="测试", error=BriefError, clean=True, pii_counts=counts
    )
    assert out["text"].tolist() == expected
    assert counts == expected_counts and counts["mobile"] == 10
    assert len(calls) == len(letters)
