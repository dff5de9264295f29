"""Curation: staff merge, split, rename, move and exclude — an ordered log, stored and replayed.

Each step is ``(action, params)`` with JSON-able params:

====================  =====================================================  =========================
action                params                                                 effect
====================  =====================================================  =========================
``rename``            ``topic_id`` or ``theme_id``, ``label``                 fixed label
``merge``             ``topic_ids`` (first one survives), optional ``label``  one issue
``split``             ``topic_id``, ``n`` (default 2)                         new issues get new ids
``move``              ``ids`` (text ids), ``topic_id``                        texts join that issue
``move_topic``        ``topic_id``, ``theme_id``                              issue joins that theme
``exclude``           ``ids`` or ``topic_id``, ``reason``                     texts go to 未归类 (人工排除)
====================  =====================================================  =========================

The same input and seed give the same topic ids, so replaying the log after a re-run
reproduces the curated result; ``transform`` then assigns new texts without renumbering.

>>> log = CurationLog(store, "annual_topics/concern")              # doctest: +SKIP
>>> log.record(model, "merge", topic_ids=[3, 7], operator="王敏")   # doctest: +SKIP
>>> CurationLog(store, "annual_topics/concern").replay(new_model)   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from toolkit.topics import cluster
from toolkit.topics.errors import TopicsError
from toolkit.topics.summary import UNASSIGNED

ACTIONS = ("rename", "merge", "split", "move", "move_topic", "exclude")
REASON_EXCLUDED = "人工排除"


def apply_step(model, action: str, params: dict) -> None:
    """Apply one curation step to a fitted model, in place, and rebuild its frames."""
    if not hasattr(model, "_state"):
        raise TopicsError("curation.not_fitted")
    handler = _HANDLERS.get(action)
    if handler is None:
        raise TopicsError("curation.step_unknown", action=action, known="、".join(ACTIONS))
    try:
        handler(model, model._state, dict(params))
    except KeyError as err:
        raise TopicsError("curation.param_missing", action=action, param=err, params=params) from None
    model._rebuild()


def _topics(model, *topic_ids) -> list[int]:
    known = set(model.topics_["topic_id"]) - {UNASSIGNED}
    out = []
    for t in topic_ids:
        t = int(t)
        if t not in known:
            raise TopicsError("curation.topic_unknown", topic=t, last=max(known, default=-1))
        out.append(t)
    return out


def _rows(model, ids) -> np.ndarray:
    index = {v: i for i, v in enumerate(model._corpus.ids.tolist())}
    missing = [i for i in ids if i not in index]
    if missing:
        raise TopicsError("curation.ids_unknown", ids=missing[:5])
    return np.array([index[i] for i in ids], dtype=int)


def _rename(model, st, p):
    if "theme_id" in p:
        if int(p["theme_id"]) not in set(model.themes_["theme_id"]):
            raise TopicsError("curation.theme_unknown", theme=p["theme_id"])
        model.theme_labels_[int(p["theme_id"])] = str(p["label"])
    else:
        (t,) = _topics(model, p["topic_id"])
        model.topic_labels_[t] = str(p["label"])


def _merge(model, st, p):
    target, *others = _topics(model, *p["topic_ids"])
    theme = model.theme_of_issue_[target]
    moved = np.isin(st["issue"], others)
    st["issue"][moved] = target
    st["theme"][moved] = theme
    for t in others:
        model.topic_labels_.pop(t, None)
    if p.get("label"):
        model.topic_labels_[target] = str(p["label"])


def _split(model, st, p):
    (t,) = _topics(model, p["topic_id"])
    members = np.flatnonzero(st["issue"] == t)
    n = max(2, int(p.get("n", 2)))
    if len(members) < n:
        raise TopicsError("curation.split_too_small", topic=t, count=len(members), n=n)
    labels, _ = cluster.kmeans(model._corpus.Z[members], n, model.random_state)
    first_new = int(st["issue"].max()) + 1
    # The part holding the first member keeps the old id (and a curated label); others get new ids.
    keep = labels[0]
    parts = [lab for lab in dict.fromkeys(labels.tolist()) if lab != keep]
    for offset, lab in enumerate(parts):
        st["issue"][members[labels == lab]] = first_new + offset


def _move(model, st, p):
    (t,) = _topics(model, p["topic_id"])
    rows = _rows(model, p["ids"])
    st["issue"][rows] = t
    st["theme"][rows] = model.theme_of_issue_[t]
    st["reasons"][rows] = ""


def _move_topic(model, st, p):
    (t,) = _topics(model, p["topic_id"])
    theme = int(p["theme_id"])
    if theme not in set(model.themes_["theme_id"]):
        raise TopicsError("curation.theme_unknown", theme=theme)
    st["theme"][st["issue"] == t] = theme


def _exclude(model, st, p):
    if "topic_id" in p:
        (t,) = _topics(model, p["topic_id"])
        rows = np.flatnonzero(st["issue"] == t)
    else:
        rows = _rows(model, p["ids"])
    reason = REASON_EXCLUDED + (f"：{p['reason']}" if p.get("reason") else "")
    st["issue"][rows] = UNASSIGNED
    st["theme"][rows] = UNASSIGNED
    st["reasons"][rows] = reason


_HANDLERS = {
    "rename": _rename,
    "merge": _merge,
    "split": _split,
    "move": _move,
    "move_topic": _move_topic,
    "exclude": _exclude,
}


class CurationLog:
    """The ordered curation steps of one topic run (``model_key``) in a store's ``curation_log`` table."""

    def __init__(self, store, model_key: str):
        self.store = store
        self.model_key = model_key

    def steps(self) -> list[dict]:
        return self.store.curation(self.model_key)

    def record(self, model, action: str, operator: str | None = None, **params) -> int:
        """Apply a step to ``model`` and, if it succeeds, append it to the log; returns its sequence number."""
        apply_step(model, action, params)
        return self.store.add_curation(self.model_key, action, params, operator=operator)

    def replay(self, model) -> int:
        """Apply every logged step in order; returns how many were applied."""
        steps = self.steps()
        for step in steps:
            apply_step(model, step["action"], step["params"])
        return len(steps)

    def undo(self) -> None:
        """Remove the last step (fit again and replay to see the result)."""
        steps = self.steps()
        if steps:
            self.store.remove_curation(self.model_key, steps[-1]["seq"])
