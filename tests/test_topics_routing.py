"""Routing to standing categories from labelled history; streaming path for large inputs."""

import numpy as np
import pandas as pd
import pytest

from toolkit.sample import generate_concerns
from toolkit.topics import TopicsError
from toolkit.topics.routing import Router, evaluate, prepare


@pytest.fixture(scope="module")
def history():
    df = generate_concerns(600, seed=7)
    return df[df["theme"].notna()]


@pytest.fixture(scope="module")
def prepared(history):
    return prepare(history["text"])


def test_router_reports_macro_f1_on_a_held_out_split(history, prepared):
    result = evaluate(Router(), prepared, history["theme"], test_size=0.25)
    assert result["n_test"] == pytest.approx(len(history) * 0.25, abs=1)
    assert result["macro_f1"] > 0.8
    assert "macro avg" in result["report"].index
    assert set(history["theme"]) <= set(result["report"].index)


def test_prepared_texts_give_the_same_routes_as_raw_texts(history, prepared):
    head = history.iloc[:200]
    a = Router().fit(head["text"], head["theme"]).route(history["text"].iloc[200:260])
    b = Router().fit(prepared.take(range(200)), head["theme"]).route(prepared.take(range(200, 260)))
    pd.testing.assert_frame_equal(a, b)


def test_route_adds_departments_and_margins(history, prepared):
    departments = {t: f"{t}责任部门" for t in history["theme"].unique()}
    router = Router(departments=departments).fit(prepared, history["theme"])
    out = router.route(["小区加装电梯费用分摊谈不拢", "孩子上学学位紧张"], ids=["a", "b"])
    assert list(out.columns) == ["id", "category", "margin", "department"]
    assert (out["department"] == out["category"] + "责任部门").all()
    assert (out["margin"] >= 0).all()


def test_two_categories_route_with_real_margins():
    texts = [
        "小区停车位不够晚上停不下",
        "停车难车位太少",
        "路边乱停车堵路",
        "小区车位被占",
        "学校学位紧张孩子上学难",
        "孩子入学学位不够",
        "学校离家太远上学不便",
        "学位分配不公平",
    ] * 3
    labels = ["交通"] * 4 + ["教育"] * 4
    router = Router(char_min_df=2).fit(texts, labels * 3)
    out = router.route(["车位不够停车难", "孩子上学学位紧张"])
    assert list(out["category"]) == ["交通", "教育"]
    # a graded margin, not a fixed ±1
    assert (out["margin"] > 0).all() and out["margin"].nunique() == 2


@pytest.mark.parametrize(
    "texts, labels, code",
    [
        (["小区停车难", "停车位不够"], ["交通", "交通"], "routing.one_label"),
        (["小区停车难", "孩子上学难", "垃圾没人清"], ["交通", "教育"], "routing.labels_mismatch"),
        (["小区停车难", "孩子上学难", "垃圾没人清"], ["交通", None, " "], "routing.labels_empty"),
    ],
)
def test_bad_labels_are_explained_in_chinese(texts, labels, code):
    with pytest.raises(TopicsError) as err:
        Router().fit(texts, labels)
    assert err.value.code == code
    if code == "routing.labels_empty":  # the rows are named as staff count them
        assert "2 条为空：第 2、3 条" in str(err.value)


def test_evaluate_needs_two_examples_per_category(history, prepared):
    labels = np.array(history["theme"], dtype=object)
    labels[0] = "孤例"
    with pytest.raises(TopicsError) as err:
        evaluate(Router(), prepared, labels)
    assert err.value.code == "routing.class_too_small" and err.value.context["label"] == "孤例"


def test_unfitted_router_says_so():
    with pytest.raises(TopicsError, match="尚未训练"):
        Router().predict(["小区停车难"])


def test_stream_assigns_every_row_from_a_sample(tmp_path):
    from toolkit.topics.stream import fit_stream

    csv = tmp_path / "big.csv"
    generate_concerns(900, seed=8).to_csv(csv, index=False)
    model = fit_stream(
        csv,
        "text",
        "id",
        "submitted_at",
        out=tmp_path / "o",
        sample_size=300,
        chunksize=250,
        themes=4,
        random_state=0,
        progress=False,
    )
    assert len(model.assignments_) == 300
    a = pd.read_csv(tmp_path / "o" / "assignments.csv")
    assert len(a) == 900 and list(a.columns[:3]) == ["id", "topic_id", "theme_id"]
    topics = pd.read_csv(tmp_path / "o" / "topics.csv")
    assert topics["n_texts"].sum() == 900
    assert set(a["topic_id"]) <= set(topics["topic_id"])
