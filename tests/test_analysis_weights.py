"""Weights: raking checked against weights worked out by hand, Kish's effective n, margins of error, and
the Chinese refusals of bad targets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.test_analysis_crosstab import make_form
from toolkit.analysis import (
    AnalysisError,
    check_targets,
    crosstab,
    effective_n,
    example_targets_path,
    load_targets,
    rake,
)


def frame_of(cells: dict[tuple[str, str], int], **extra) -> pd.DataFrame:
    rows = [{"district": d, "sex": s, **extra} for (d, s), n in cells.items() for _ in range(n)]
    return pd.DataFrame(rows)


# a sample whose margins are independent (8:2 by 镇街, 5:5 by 性别): raking then needs one pass and the
# weights are the products of the two ratios, worked out by hand below
CELLS = {("donghu", "m"): 4, ("donghu", "f"): 4, ("xishan", "m"): 1, ("xishan", "f"): 1}
TARGETS = {"targets": {"district": {"donghu": 0.5, "xishan": 0.5}, "sex": {"男": 0.4, "女": 0.6}}}


def test_raking_equals_weights_worked_out_by_hand():
    form = make_form()
    frame = frame_of(CELLS)
    weights = rake(frame, form, check_targets(TARGETS, form))
    # 东湖 0.5/0.8 = 0.625, 西山 0.5/0.2 = 2.5; 男 0.4/0.5 = 0.8, 女 0.6/0.5 = 1.2
    hand = {("donghu", "m"): 0.5, ("donghu", "f"): 0.75, ("xishan", "m"): 2.0, ("xishan", "f"): 3.0}
    expected = [hand[(d, s)] for d, s in zip(frame["district"], frame["sex"])]
    assert weights.weights.tolist() == pytest.approx(expected)
    assert weights.converged and weights.iterations <= 2 and not weights.warnings
    t = crosstab(frame, form, "district", "sex", weights=weights)
    w = t.weighted
    # weighted column %: 东湖 among 男 = 4×0.5 / (4×0.5 + 1×2.0) = 50 %; unweighted 4/5 = 80 %
    assert w.col_percent.loc["东湖街道", "男"] == pytest.approx(50.0)
    assert t.col_percent.loc["东湖街道", "男"] == pytest.approx(80.0)  # unweighted stays beside
    assert w.row_base.tolist() == pytest.approx([5.0, 5.0, 0.0]) and w.col_base.tolist() == pytest.approx([4.0, 6.0])
    # margin of error from Kish's n of the 男 column: weights 0.5 ×4, 2.0 ×1
    n_eff = (4 * 0.5 + 2.0) ** 2 / (4 * 0.25 + 4.0)
    assert w.col_n_eff["男"] == pytest.approx(n_eff)
    assert w.col_moe.loc["东湖街道", "男"] == pytest.approx(100 * 1.96 * math.sqrt(0.25 / n_eff))
    assert t.to_dict()["weighted"]["col_percent"]["东湖街道"]["男"] == 50.0


def test_raked_margins_meet_their_targets_on_a_lopsided_sample():
    form = make_form()
    cells = {("donghu", "m"): 40, ("donghu", "f"): 5, ("xishan", "m"): 3, ("xishan", "f"): 12, ("qingshi", "f"): 9}
    frame = frame_of(cells)
    targets = {"targets": {"district": {"donghu": 0.3, "xishan": 0.3, "qingshi": 0.4}, "sex": {"m": 0.5, "f": 0.5}}}
    weights = rake(frame, form, check_targets(targets, form))
    w = weights.weights
    assert weights.converged and w.mean() == pytest.approx(1.0)
    share = w.groupby(frame["district"]).sum() / w.sum()
    assert share["qingshi"] == pytest.approx(0.4, abs=1e-6)
    assert (w.groupby(frame["sex"]).sum() / w.sum())["m"] == pytest.approx(0.5, abs=1e-6)


def test_targets_that_cannot_be_met_together_say_so():
    form = make_form()
    frame = frame_of({("donghu", "m"): 10, ("xishan", "f"): 10})  # 镇街 decides 性别 in this sample
    targets = {"targets": {"district": {"donghu": 0.5, "xishan": 0.5}, "sex": {"m": 0.2, "f": 0.8}}}
    weights = rake(frame, form, check_targets(targets, form))
    assert not weights.converged and weights.iterations == 100
    assert "未收敛" in weights.warnings[0]


def test_kish_effective_n():
    assert effective_n(np.ones(50)) == pytest.approx(50)
    assert effective_n(np.array([1.0, 3.0])) == pytest.approx(16 / 10)


def test_respondents_without_a_weighting_answer_are_left_out_of_the_weighted_side_only():
    form = make_form()
    frame = pd.concat([frame_of(CELLS), pd.DataFrame([{"district": "donghu"}])], ignore_index=True)
    weights = rake(frame, form, check_targets(TARGETS, form))
    assert math.isnan(weights.weights.iloc[-1]) and "1 份答卷缺少加权题目" in weights.warnings[0]
    t = crosstab(frame.assign(sex=frame["sex"].fillna("m")), form, "district", "sex", weights=weights)
    assert t.n == 11 and t.weighted.respondents == 10


@pytest.mark.parametrize(
    ("targets", "code"),
    [
        ({"district": {"donghu": 0.5, "xishan": 0.4}}, "analysis.weights_sum"),
        ({"district": {"donghu": 0.5, "火星": 0.5}}, "analysis.weights_category_unknown"),
        ({"nowhere": {"a": 1.0}}, "analysis.weights_question_unknown"),
        ({"areas": {"traffic": 1.0}}, "analysis.weights_question_kind"),
        ({"district": {"donghu": "一半", "xishan": 0.5}}, "analysis.weights_share_invalid"),
        ({"district": {"donghu": 50, "xishan": 50}}, "analysis.weights_share_invalid"),
        ({"district": ["donghu"]}, "analysis.weights_shape"),
    ],
)
def test_bad_targets_are_refused_in_chinese(targets, code):
    with pytest.raises(AnalysisError) as err:
        check_targets({"targets": targets}, make_form(), source="目标.yaml")
    assert err.value.code == code
    assert str(err.value).startswith("目标.yaml") and "修改：" in str(err.value)


def test_targets_the_sample_cannot_meet_are_refused():
    form = make_form()
    frame = frame_of(CELLS)
    empty = {"targets": {"district": {"donghu": 0.5, "xishan": 0.3, "qingshi": 0.2}}}
    with pytest.raises(AnalysisError) as err:
        rake(frame, form, check_targets(empty, form))
    assert err.value.code == "analysis.weights_empty_cell" and "qingshi（青石镇）" in str(err.value)
    missing = {"targets": {"district": {"donghu": 1.0}}}
    with pytest.raises(AnalysisError) as err:
        rake(frame, form, check_targets(missing, form))
    assert err.value.code == "analysis.weights_category_missing" and "2 份答卷" in str(err.value)


def test_target_files_bundled_example_and_broken_yaml(tmp_path, annual_form):
    example = load_targets(example_targets_path(), annual_form)
    assert set(example.margins) == {"district", "age_band"}
    assert example.margins["age_band"]["18_35"] == pytest.approx(0.30)  # written by label, kept by id
    broken = tmp_path / "目标.yaml"
    broken.write_text("targets:\n  district: {donghu: 0.5\n", encoding="utf-8")
    with pytest.raises(AnalysisError) as err:
        load_targets(broken, annual_form)
    assert err.value.code == "analysis.weights_yaml"
    with pytest.raises(AnalysisError) as err:
        load_targets(tmp_path / "没有.yaml", annual_form)
    assert err.value.code == "file.not_found"


def test_targets_with_yaml_aliases_are_refused_before_any_value_is_quoted(tmp_path, annual_form):
    # a share that is an alias of nested aliases would be spelled out, all billion items, by the message
    bomb = tmp_path / "炸弹.yaml"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb.write_text("\n".join(levels) + "\ntargets:\n  district: {donghu: *a8}\n", encoding="utf-8")
    with pytest.raises(AnalysisError) as err:
        load_targets(bomb, annual_form)
    assert err.value.code == "analysis.weights_yaml" and "第2行" in str(err.value) and "别名" in str(err.value)
