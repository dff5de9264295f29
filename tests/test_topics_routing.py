"""Routing to standing categories from labelled history; streaming path for large inputs."""

import pandas as pd
import pytest

from toolkit.sample import generate_concerns
from toolkit.topics import TopicsError
from toolkit.topics.routing import Router


@pytest.fixture(scope="module")
def history():
    df = generate_concerns(600, seed=7)
    return df[df["theme"].notna()]


def test_router_reports_macro_f1_on_a_held_out_split(history):
    result = Router().evaluate(history["text"], history["theme"], test_size=0.25)
    assert result["n_test"] == pytest.approx(len(history) * 0.25, abs=1)
    assert result["macro_f1"] > 0.8
    assert "macro avg" in result["report"].index


def test_route_adds_departments_and_margins(history):
    departments = {t: f"{t}责任部门" for t in history["theme"].unique()}
    router = Router(departments=departments).fit(history["text"], history["theme"])
    out = router.route(["小区加装电梯费用分摊谈不拢", "孩子上学学位紧张"], ids=["a", "b"])
    assert list(out.columns) == ["id", "category", "margin", "department"]
    assert (out["department"] == out["category"] + "责任部门").all()
    assert (out["margin"] >= 0).all()


def test_router_needs_labels():
    with pytest.raises(TopicsError, match="少于 2 种"):
        Router().fit(["小区停车难", "停车位不够"], ["交通", "交通"])


def test_stream_assigns_every_row_from_a_sample(tmp_path):
    from toolkit.topics.stream import fit_stream

    csv = tmp_path / "big.csv"
    generate_concerns(900, seed=8).to_csv(csv, index=False)
    model = fit_stream(csv, "text", "id", "submitted_at", out=tmp_path / "o", sample_size=300, chunksize=250,
                       themes=4, random_state=0, progress=False)
    assert len(model.assignments_) == 300
    a = pd.read_csv(tmp_path / "o" / "assignments.csv")
    assert len(a) == 900 and list(a.columns[:3]) == ["id", "topic_id", "theme_id"]
    topics = pd.read_csv(tmp_path / "o" / "topics.csv")
    assert topics["n_texts"].sum() == 900
    assert set(a["topic_id"]) <= set(topics["topic_id"])
