"""generate_concerns: determinism, prefix stability, ground truth, duplicates, noise, long tail, fake PII."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.sample import SampleError, generate_concerns
from toolkit.sample.catalogue import catalogue
from toolkit.sample.concerns import COLUMNS
from toolkit.sample.variants import fake_id_number
from toolkit.text import mask_pii, normalize, valid_id_number

THEMES = {
    "交通出行与停车",
    "老旧小区改造与加装电梯",
    "物业管理与业委会",
    "教育与学位",
    "看病就医",
    "养老服务",
    "托育与儿童关爱",
    "就业与创业",
    "生态环境与噪音",
    "食品安全",
    "社会治安与安全隐患",
    "营商环境",
    "文化体育设施",
    "农村人居环境",
}
DISTRICTS = {
    "城关街道",
    "东湖街道",
    "西山街道",
    "南门街道",
    "北苑街道",
    "新港镇",
    "青石镇",
    "桃源镇",
    "河口镇",
    "龙泉镇",
}


@pytest.fixture(scope="module")
def df():
    return generate_concerns(6000, seed=3)


def test_same_seed_same_frame_and_prefix_stable():
    a = generate_concerns(5000, seed=1)
    pd.testing.assert_frame_equal(a, generate_concerns(5000, seed=1))
    pd.testing.assert_frame_equal(a.head(700), generate_concerns(700, seed=1))
    assert not a["text"].head(50).equals(generate_concerns(50, seed=2)["text"])


def test_columns_and_types(df):
    assert list(df.columns) == COLUMNS
    assert df["id"].is_unique and df["id"].iloc[0] == "C00000001"
    assert pd.api.types.is_datetime64_any_dtype(df["submitted_at"])
    assert df["submitted_at"].min() >= pd.Timestamp("2025-01-01")
    assert df["submitted_at"].max() < pd.Timestamp("2026-11-01")
    assert (df["likes"] >= 0).all()
    assert set(df["district"]) == DISTRICTS
    assert df["text"].str.len().min() >= 1


def test_every_theme_and_a_long_tail_of_issues(df):
    real = df[df["kind"] != "noise"]
    assert set(real["theme"]) == THEMES
    sizes = real["issue"].value_counts()
    assert 150 <= len(sizes) <= 400
    assert sizes.iloc[0] > 0.04 * len(real)  # a hot issue
    assert (sizes <= 10).sum() > len(sizes) / 3  # and many small ones
    # one issue, one place: every issue stays in its 镇街
    assert real.groupby("issue")["district"].nunique().max() == 1


def test_issue_count_grows_with_n():
    small = generate_concerns(100, seed=0)["issue"].nunique()
    assert 25 <= small < generate_concerns(3000, seed=0)["issue"].nunique()


def test_duplicates_campaigns_and_noise(df):
    kinds = df["kind"].value_counts()
    assert kinds["concern"] > 0.7 * len(df)
    for kind in ("near_duplicate", "campaign", "noise"):
        assert kinds[kind] > 0.02 * len(df)
    near = df[df["kind"] == "near_duplicate"]
    originals = df.set_index("id").loc[near["dup_of"]]
    assert (originals["issue"].to_numpy() == near["issue"].to_numpy()).all()
    assert (originals["text"].to_numpy() != near["text"].to_numpy()).mean() > 0.5
    # a campaign repeats one text many times
    camp = df[df["kind"] == "campaign"].groupby("campaign")["text"].agg(lambda s: s.value_counts().iloc[0])
    assert camp.max() >= 20
    assert df.loc[df["kind"] == "noise", "theme"].isna().all()
    assert df["text"].isin(["无", "没有", "您好！"]).any()
    # some people post several times
    assert df["respondent"].value_counts().iloc[0] >= 5


def test_variants_traditional_fullwidth_boilerplate(df):
    text = df["text"]
    assert text.str.contains("們|區|車|難|醫|電").any()
    assert text.str.contains("[\uff10-\uff19\uff21-\uff5a]").any()
    assert text.str.contains("尊敬的|您好").mean() > 0.1
    assert text.str.contains("谢谢").mean() > 0.05
    assert text.nunique() > 0.8 * len(text)


def test_fake_pii_present_and_maskable(df):
    with_pii = df[df["text"].map(lambda t: mask_pii(normalize(t)) != normalize(t))]
    assert 0.01 * len(df) < len(with_pii) < 0.06 * len(df)
    assert df["text"].str.contains("身份证号").any() and df["text"].str.contains("车牌号").any()
    number = fake_id_number(123456789)
    assert valid_id_number(number) and number.startswith("99")  # valid check digit, no such region


def test_sectors_lean_to_theme(df):
    real = df[df["kind"] == "concern"]
    share = (real["sector"] == "education").groupby(real["theme_id"]).mean()
    assert share["schooling"] > 2 * share["traffic"]


def test_growing_issues_and_time_windows():
    cat = catalogue(0, 669.0)
    assert (cat.issue_growth > 0).sum() >= 10
    assert ((cat.issue_t1 - cat.issue_t0) < 200).sum() >= 10  # short episodes too


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": -1},
        {"n": 1.5},
        {"n": 10, "start": "昨天"},
        {"n": 10, "start": "2026-01-01", "end": "2026-01-05"},
        {"n": 10, "seed": -1},
    ],
)
def test_bad_arguments_say_how_to_fix(kwargs):
    with pytest.raises(SampleError, match="修改"):
        generate_concerns(**kwargs)


def test_zero_rows():
    empty = generate_concerns(0)
    assert list(empty.columns) == COLUMNS and len(empty) == 0
