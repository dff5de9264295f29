"""TopicModel and Router as scikit-learn estimators: clone, params, validation in Chinese, pipelines.

scikit-learn's ``check_estimator`` skips both (their input is a sequence of texts, not a numeric matrix:
tags ``input_tags.two_d_array=False, string=True``), so the checks that apply are run one by one below.
The checks that fit on the random numeric matrices scikit-learn generates do not apply; each is restated
here on texts where its promise matters:

- check_fit_score_takes_y, check_estimators_fit_returns_self, check_estimators_overwrite_params,
  check_dont_overwrite_parameters, check_estimators_pickle, check_fit_check_is_fitted — numeric X;
  restated on texts (``test_fit_*``, ``test_pickled_*``, ``test_check_is_fitted_*``).
- check_param_validation — numeric X and an English message; restated with scikit-learn's own invalid
  values and our Chinese message (``test_every_parameter_is_checked_*``).
- check_n_features_in, check_positive_only_tag_during_fit, check_estimator_sparse_tag,
  check_readonly_memmap_input, check_requires_y_none and the classifier/transformer data checks — about
  numeric arrays (feature counts, signs, sparse and memory-mapped matrices, y=None's English message).
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils import estimator_checks
from sklearn.utils._param_validation import generate_invalid_param_val, generate_valid_param, make_constraint
from sklearn.utils.validation import check_is_fitted

from toolkit.sample import generate_concerns
from toolkit.topics import TopicModel, TopicsError
from toolkit.topics.estimator import validate_params
from toolkit.topics.routing import Router, evaluate, prepare

ESTIMATORS = [TopicModel(themes=3, progress=False), Router(char_min_df=2)]
APPLICABLE_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimators_unfitted",
]


def _id(est):
    return type(est).__name__


@pytest.fixture(scope="module")
def concerns():
    return generate_concerns(300, seed=5)


@pytest.fixture(scope="module")
def history():
    df = generate_concerns(400, seed=7)
    return df[df["theme"].notna()].reset_index(drop=True)


def _fit(est, concerns, history):
    if isinstance(est, Router):
        return est.fit(history["text"].tolist(), history["theme"].tolist())
    return est.fit(concerns["text"].tolist(), ids=concerns["id"].tolist())


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_scikit_learn_api_checks_pass(estimator, check):
    getattr(estimator_checks, check)(_id(estimator), estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_check_estimator_skips_text_estimators_instead_of_failing(estimator):
    with pytest.warns(estimator_checks.SkipTestWarning, match="requires input"):
        estimator_checks.check_estimator(estimator)


def test_clone_of_the_default_model_works_and_keeps_parameters():
    model = TopicModel(themes=7, min_issue_size=3, progress=False)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert clone(TopicModel()).get_params()["themes"] == "auto"
    assert repr(copy) == "TopicModel(min_issue_size=3, progress=False, themes=7)"


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_every_parameter_is_checked_with_a_chinese_message(estimator):
    """scikit-learn's check_param_validation, with TopicsError and a Chinese message instead of English."""
    params = estimator.get_params()
    assert set(type(estimator)._parameter_constraints) == set(params)
    texts, labels = ["小区停车难", "孩子上学难"], ["交通", "教育"]
    fits = (
        [lambda e: e.fit(texts, labels)]
        if isinstance(estimator, Router)
        else [lambda e: e.fit(texts), lambda e: e.fit_transform(texts)]
    )
    for name, constraints in type(estimator)._parameter_constraints.items():
        bad_values = [type("BadType", (), {})()]
        for constraint in map(make_constraint, constraints):
            try:
                bad = generate_invalid_param_val(constraint)
            except NotImplementedError:
                continue
            if not any(make_constraint(c).is_satisfied_by(bad) for c in constraints):
                bad_values.append(bad)
        for bad in bad_values:
            for fit in fits:
                with pytest.raises(TopicsError) as err:
                    fit(clone(estimator).set_params(**{name: bad}))
                assert err.value.code == "param.invalid" and err.value.context["name"] == name
                assert re.match(
                    rf"^{_id(estimator)} 的参数 {name}：应为.+（实为 .+）。修改：.*默认值 {name}=", str(err.value)
                )


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_every_allowed_kind_of_value_passes_the_check(estimator):
    for name, constraints in type(estimator)._parameter_constraints.items():
        for constraint in map(make_constraint, constraints):
            good = generate_valid_param(constraint)
            if name == "char_ngrams":  # a tuple or list, and of two whole numbers low <= high
                good = type(good)((2, 2))
            validate_params(clone(estimator).set_params(**{name: good}), getattr(estimator, "_rules", ()))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"n_components": 0},
            "^TopicModel 的参数 n_components：应为正整数（实为 0）。修改：改为符合要求的值，例如默认值 n_components=150。$",
        ),
        ({"min_issue_size": "2"}, '参数 min_issue_size：应为正整数（实为 "2"）'),
        ({"themes": 0}, '应为正整数或 "auto"'),
        ({"issue_similarity": 1.5}, "参数 issue_similarity：应为 0 ≤ 值 ≤ 1 的数（实为 1.5）"),
        ({"duplicate_threshold": float("nan")}, "参数 duplicate_threshold：.*（实为 nan）"),
        ({"progress": "no"}, '参数 progress：应为 True 或 False（实为 "no"）'),
    ],
)
def test_the_issues_bad_parameters_are_refused_before_any_work(params, message):
    with pytest.raises(TopicsError, match=message) as err:
        TopicModel(**params).fit(["小区停车难"])
    assert err.value.code == "param.invalid" and err.value.context["name"] == next(iter(params))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"C": 0}, "参数 C：应为 > 0 的数（实为 0）"),
        ({"char_ngrams": (3, 1)}, r"参数 char_ngrams：应为两个整数 \(low, high\)，1 ≤ low ≤ high.*（实为 \(3, 1\)）"),
        ({"char_ngrams": (0, 2)}, "参数 char_ngrams："),
        ({"class_weight": "equal"}, '参数 class_weight：应为 "balanced" 或字典或 None（实为 "equal"）'),
        ({"departments": ["交通局"]}, "参数 departments："),
    ],
)
def test_router_parameters_are_refused_in_chinese(params, message):
    with pytest.raises(TopicsError, match=message) as err:
        Router(**params).fit(["小区停车难", "孩子上学难"], ["交通", "教育"])
    assert err.value.code == "param.invalid" and err.value.context["name"] == next(iter(params))


def test_router_without_labels_says_so():
    with pytest.raises(TopicsError, match="没有给出分类标签") as err:
        Router().fit(["小区停车难", "孩子上学难"], None)
    assert err.value.code == "routing.labels_missing"


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_fit_returns_self_keeps_parameters_and_adds_only_underscored_attributes(estimator, concerns, history):
    """check_estimators_fit_returns_self + check_estimators_overwrite_params + check_dont_overwrite_parameters."""
    est = clone(estimator)
    before_params, before_attrs = joblib.hash(est.get_params()), dict(vars(est))
    assert _fit(est, concerns, history) is est
    assert joblib.hash(est.get_params()) == before_params
    added = set(vars(est)) - set(before_attrs)
    public = {a for a in added if not a.startswith("_")}
    assert public and all(a.endswith("_") for a in public), public
    assert all(vars(est)[k] is v for k, v in before_attrs.items())


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)
def test_check_is_fitted_before_and_after_fit_and_clone_forgets(estimator, concerns, history):
    """check_fit_check_is_fitted: scikit-learn's own test of fittedness agrees with ours."""
    est = clone(estimator)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    method = est.decision_function if isinstance(est, Router) else est.transform
    with pytest.raises(TopicsError, match="尚未训练") as err:
        method(["小区停车难"])
    assert isinstance(err.value, NotFittedError)
    _fit(est, concerns, history)
    check_is_fitted(est)
    with pytest.raises(NotFittedError):
        check_is_fitted(clone(est))


def test_pickled_models_give_the_same_outputs(concerns, history):
    """check_estimators_pickle on texts."""
    new = generate_concerns(340, seed=5)["text"].iloc[300:].tolist()
    model = TopicModel(themes=3, progress=False).fit(concerns["text"])
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(model)).transform(new), model.transform(new))
    router = Router().fit(history["text"], history["theme"])
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(router)).decision_function(new), router.decision_function(new)
    )


def test_fit_transform_is_fit_then_transform(concerns):
    texts, ids = concerns["text"].tolist(), concerns["id"].tolist()
    params = dict(themes="auto", random_state=0, progress=False)
    once = TopicModel(**params).fit_transform(texts, ids=ids, times=concerns["submitted_at"])
    twice = TopicModel(**params).fit(texts, ids=ids, times=concerns["submitted_at"]).transform(texts, ids=ids)
    pd.testing.assert_frame_equal(once, twice)
    assert list(once.columns) == ["id", "topic_id", "theme_id", "similarity", "reason"]
    assert once["id"].tolist() == ids


def test_transform_refuses_ids_that_are_not_one_per_text(concerns):
    model = TopicModel(themes=3, progress=False).fit(concerns["text"].head(60))
    with pytest.raises(TopicsError) as err:
        model.transform(["小区停车难", "孩子上学难"], ids=["a"])
    assert err.value.code == "topics.ids_mismatch" and err.value.context == {"count": 1, "n": 2}


def test_topic_model_works_as_a_pipeline_step(concerns):
    texts = concerns["text"].tolist()
    pipe = Pipeline([("topics", TopicModel(themes=3, progress=False))])
    pipe.fit(texts, topics__ids=concerns["id"].tolist())
    direct = TopicModel(themes=3, progress=False).fit(texts, ids=concerns["id"].tolist())
    pd.testing.assert_frame_equal(pipe.named_steps["topics"].assignments_, direct.assignments_)
    pd.testing.assert_frame_equal(pipe.transform(texts[:20]), direct.transform(texts[:20]))


def test_router_cross_validates_with_scikit_learn(history):
    texts, labels = history["text"].tolist(), history["theme"].tolist()
    scores = cross_val_score(Router(), texts, labels, cv=3, scoring="f1_macro")
    assert len(scores) == 3 and scores.min() > 0.7
    assert Router().fit(texts[:200], labels[:200]).score(texts[200:], labels[200:]) > 0.7


def test_evaluate_fits_a_clone_and_leaves_the_router_alone(history):
    prepared = prepare(history["text"])
    router = Router(C=1.0)
    result = evaluate(router, prepared, history["theme"], test_size=0.25)
    assert not hasattr(router, "models_")
    fitted = result["router"]
    assert fitted is not router and fitted.get_params() == router.get_params()
    assert result["macro_f1"] > 0.8 and result["n_train"] + result["n_test"] == len(history)
    with pytest.warns(FutureWarning, match="evaluate"):
        old = router.evaluate(prepared, history["theme"], test_size=0.25)
    assert old["macro_f1"] == result["macro_f1"] and not hasattr(router, "models_")


@pytest.mark.slow
def test_rank_cli_refuses_a_bad_issue_count_in_chinese(tmp_path):
    data = generate_concerns(30, seed=1)[["id", "text", "submitted_at"]]
    data.to_excel(tmp_path / "留言.xlsx", index=False)
    out = tmp_path / "out"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "rank",
            str(tmp_path / "留言.xlsx"),
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--issues",
            "0",
            "--quiet",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0
    assert 'TopicModel 的参数 issues：应为正整数或 "auto"（实为 0）' in run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


@pytest.mark.parametrize(
    "texts, topics",
    [
        (["小区停车难"] * 5, [0, 0, 0, 0, 0]),  # one shared word: a campaign is one issue
        (["小区停车难"], [-1]),  # a single text
        (["小区停车难", "孩子上学难", "医保报销慢"], [-1, -1, -1]),  # every issue too small: none left
    ],
)
def test_tiny_inputs_fit_and_transform_without_error(texts, topics):
    model = TopicModel(progress=False).fit(texts)
    a = model.assignments_
    assert a["topic_id"].tolist() == topics
    assert (a.loc[a["topic_id"] == -1, "reason"] == "与任何议题都不相似（孤立的关切）").all()
    again = model.transform(texts[:1])
    assert again["topic_id"].tolist() == topics[:1] and again["theme_id"].tolist() == [a["theme_id"][0]]
    assert again["reason"].tolist() == ["" if topics[0] >= 0 else "与任何议题都不相似（孤立的关切）"]
