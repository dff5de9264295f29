"""Batch validation gives exactly what ``validate_answers`` gives row by row."""

from __future__ import annotations

import random

import pytest
from conftest import SURVEYS

from toolkit.forms import load_form, validate_answers
from toolkit.ingest.validate import validate_rows


@pytest.mark.parametrize("name", ["annual_topics", "visit_record"])
def test_batch_validation_equals_row_validation(name):
    from toolkit.sample import generate_responses

    form = load_form(SURVEYS / f"{name}.yaml")
    rows = [dict(r["answers"]) for r in generate_responses(form, 120, seed=2)]
    rnd = random.Random(1)
    for a in rows:  # break some answers on purpose
        for _ in range(rnd.randint(0, 3)):
            q = rnd.choice(form.answer_questions())
            a[q.id] = rnd.choice([None, "x", "1", "-3", "", ["x"], "2026-13-01", "13800000000", "yes", "no"])
    expected = [validate_answers(form, a) for a in rows]
    got = validate_rows(form, rows)
    assert sum(len(p) for _, p in expected) > 50
    for (gc, gp), (ec, ep) in zip(got, expected):
        assert gc == ec
        assert sorted(map(repr, gp)) == sorted(map(repr, ep))
