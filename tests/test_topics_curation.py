"""Curation steps, stored in a real SQLite store and replayed on a fresh fit."""

import pytest

from toolkit.sample import generate_concerns
from toolkit.topics import TopicModel, TopicsError
from toolkit.topics.curation import CurationLog


@pytest.fixture(scope="module")
def concerns():
    return generate_concerns(400, seed=5)


def _fit(concerns):
    return TopicModel(themes=5, random_state=0, progress=False).fit(concerns["text"], ids=concerns["id"])


@pytest.fixture
def model(concerns):
    return _fit(concerns)


def _issues(model):
    return model.topics_[model.topics_["topic_id"] >= 0]


def test_merge_and_rename(model):
    a, b = _issues(model)["topic_id"].iloc[:2]
    n = int((model.assignments_["topic_id"].isin([a, b])).sum())
    model.curate("merge", topic_ids=[a, b]).curate("rename", topic_id=a, label="合并后的议题")
    row = model.topics_.set_index("topic_id").loc[a]
    assert row["label"] == "合并后的议题" and row["n_texts"] == n
    assert b not in set(model.topics_["topic_id"])
    assert (model.assignments_.loc[model.assignments_["topic_id"] == a, "theme_id"] == row["theme_id"]).all()


def test_split_gives_new_ids_and_keeps_the_old_one(model):
    t = int(_issues(model).sort_values("n_texts").iloc[-1]["topic_id"])
    before = set(model.topics_["topic_id"])
    n = int((model.assignments_["topic_id"] == t).sum())
    model.curate("split", topic_id=t, n=2)
    new = set(model.topics_["topic_id"]) - before
    assert len(new) == 1 and t in set(model.topics_["topic_id"])
    assert int(model.assignments_["topic_id"].isin([t, *new]).sum()) == n


def test_move_exclude_and_rename_theme(model):
    ids = model.assignments_["id"].iloc[:3].tolist()
    target = int(_issues(model)["topic_id"].iloc[-1])
    model.curate("move", ids=ids, topic_id=target)
    assert (model.assignments_.set_index("id").loc[ids, "topic_id"] == target).all()
    model.curate("exclude", ids=ids[:1], reason="与本次调研无关")
    row = model.assignments_.set_index("id").loc[ids[0]]
    assert row["topic_id"] == -1 and row["reason"].startswith("人工排除")
    model.curate("rename", theme_id=0, label="住房与物业")
    assert model.themes_.set_index("theme_id").loc[0, "label"] == "住房与物业"
    other = int(model.themes_["theme_id"].iloc[-1])
    model.curate("move_topic", topic_id=target, theme_id=other)
    assert model.topics_.set_index("topic_id").loc[target, "theme_id"] == other


def test_bad_steps_say_what_is_wrong(model):
    with pytest.raises(TopicsError) as err:
        model.curate("merge", topic_ids=[0, 9999])
    assert err.value.code == "curation.topic_unknown" and err.value.context["topic"] == 9999
    with pytest.raises(TopicsError) as err:
        model.curate("shuffle")
    assert err.value.code == "curation.step_unknown"
    with pytest.raises(TopicsError) as err:
        model.curate("rename", topic_id=0)
    assert err.value.code == "curation.param_missing" and str(err.value).startswith(
        "整理步骤“rename”：缺少参数（'label'"
    )


def test_log_is_stored_and_replayed_after_a_rerun(store, concerns):
    model = _fit(concerns)
    log = CurationLog(store, "annual_topics/concern")
    a, b = _issues(model)["topic_id"].iloc[:2]
    log.record(model, "merge", topic_ids=[int(a), int(b)], operator="王敏")
    log.record(model, "rename", topic_id=int(a), label="电梯加装难")
    bad = len(log.steps())
    with pytest.raises(TopicsError):
        log.record(model, "merge", topic_ids=[9999])
    assert len(log.steps()) == bad  # a failing step is not logged
    fresh = _fit(concerns)
    assert CurationLog(store, "annual_topics/concern").replay(fresh) == 2
    assert fresh.topics_.equals(model.topics_) and fresh.assignments_.equals(model.assignments_)
    assert [s["action"] for s in log.steps()] == ["merge", "rename"]
    # New responses join the curated issues without renumbering them.
    out = fresh.transform(generate_concerns(450, seed=5)["text"].iloc[400:])
    assert set(out["topic_id"]) <= set(fresh.topics_["topic_id"])
    log.undo()
    assert [s["action"] for s in log.steps()] == ["merge"]
