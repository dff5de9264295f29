"""generate_responses: valid for the bundled forms, coherent with the concern, deterministic, storable."""

from __future__ import annotations

import collections

import pytest

from toolkit.forms import form_from_dict, validate_answers
from toolkit.sample import SampleError, generate_responses


@pytest.fixture(scope="module")
def annual_records():
    from conftest import SURVEYS

    from toolkit.forms import load_form

    form = load_form(SURVEYS / "annual_topics.yaml")
    return form, generate_responses(form, 1500, seed=0)


def _assert_all_valid(form, records):
    for r in records:
        clean, problems = validate_answers(form, r["answers"])
        assert problems == [], (r, problems)
        assert clean == r["answers"]  # nothing hidden by skip logic, nothing coerced


def test_annual_responses_valid(annual_records):
    form, records = annual_records
    assert len(records) == 1500
    _assert_all_valid(form, records)
    assert {"answers", "serial", "submitted_at", "operator", "truth"} <= set(records[0])


def test_visit_responses_valid(visit_form):
    records = generate_responses(visit_form, 800, seed=5)
    _assert_all_valid(visit_form, records)
    # a member always belongs to the same 界别
    pairs = collections.defaultdict(set)
    for r in records:
        pairs[r["answers"]["member"]].add(r["answers"]["member_sector"])
    assert max(len(s) for s in pairs.values()) == 1
    category = [r["answers"]["category"] == r["truth"]["theme_id"] for r in records if r["truth"]["theme_id"]]
    assert sum(category) > 0.8 * len(category)


def test_skip_logic_both_ways(annual_records):
    _, records = annual_records
    answered_yes = [r for r in records if r["answers"].get("reported_before") == "yes"]
    assert sum("reported_result" in r["answers"] for r in answered_yes) > 0.8 * len(answered_yes) > 0
    assert not any("reported_result" in r["answers"] for r in records if r["answers"].get("reported_before") != "yes")
    phones = [r["answers"]["phone"] for r in records if "phone" in r["answers"]]
    assert phones and all(p[3:7] == "0000" for p in phones)  # clearly fake
    assert not any("phone" in r["answers"] for r in records if r["answers"].get("willing_contact") != "yes")


def test_answers_agree_with_the_concern(annual_records):
    _, records = annual_records
    real = [r for r in records if r["truth"]["theme_id"]]
    first_priority = sum(r["answers"].get("priority", [None])[0] == r["truth"]["theme_id"] for r in real)
    assert first_priority > 0.7 * len(real)
    areas = sum(r["truth"]["theme_id"] in r["answers"]["concern_areas"] for r in real)
    assert areas > 0.8 * len(real)
    # dissatisfied with the service they complain about
    medical = [
        int(r["answers"]["services"]["medical"])
        for r in real
        if r["truth"]["theme_id"] == "medical" and "services" in r["answers"]
    ]
    others = [
        int(r["answers"]["services"]["medical"])
        for r in real
        if r["truth"]["theme_id"] == "jobs" and "services" in r["answers"]
    ]
    assert sum(medical) / len(medical) + 1 < sum(others) / len(others)
    districts = {r["answers"]["district"] for r in records}
    assert len(districts) == 10


def test_concern_texts_come_with_truth(annual_records):
    _, records = annual_records
    kinds = collections.Counter(r["truth"]["kind"] for r in records)
    assert kinds["near_duplicate"] > 0 and kinds["campaign"] > 0
    assert all(len(r["answers"]["concern"]) >= 5 for r in records)
    serials = [r["serial"] for r in records if r["serial"]]
    assert len(serials) == len(set(serials)) > 0.4 * len(records)
    assert all(r["operator"] for r in records if r["serial"])


def test_deterministic(visit_form):
    assert generate_responses(visit_form, 60, seed=2) == generate_responses(visit_form, 60, seed=2)
    assert generate_responses(visit_form, 60, seed=2) != generate_responses(visit_form, 60, seed=3)


def test_any_form_with_every_kind():
    form, problems = form_from_dict(
        {
            "id": "mini",
            "title": "小问卷",
            "questions": [
                {
                    "id": "age",
                    "kind": "number",
                    "required": True,
                    "constraint": ". >= 18 and . <= 120",
                    "integer": True,
                },
                {
                    "id": "kids",
                    "kind": "single",
                    "required": True,
                    "choices": [{"id": "y", "label": "有"}, {"id": "n", "label": "无"}],
                },
                {"id": "kid_age", "kind": "number", "relevant": "${kids} == 'y'", "constraint": ". <= 18"},
                {
                    "id": "likes",
                    "kind": "multiple",
                    "min_choices": 2,
                    "max_choices": 2,
                    "other": True,
                    "choices": [{"id": c, "label": c} for c in "abcd"],
                },
                {"id": "rank", "kind": "ranking", "choices": [{"id": c, "label": c} for c in "xyz"]},
                {
                    "id": "score",
                    "kind": "likert",
                    "required": True,
                    "choices": [{"id": str(i), "label": str(i)} for i in range(1, 11)],
                },
                {"id": "when", "kind": "date", "required": True},
                {"id": "what", "kind": "concern", "required": True, "constraint": "string-length(.) >= 20"},
                {"id": "name", "kind": "text", "required": True},
                {
                    "id": "town",
                    "kind": "single",
                    "role": "district",
                    "required": True,
                    "choices": [{"id": "dh", "label": "东湖街道"}, {"id": "xs", "label": "西山街道"}],
                },
                {"id": "village", "kind": "text", "role": "community"},
            ],
        }
    )
    assert not [p for p in problems if p.is_error]
    records = generate_responses(form, 200, seed=1)
    _assert_all_valid(form, records)
    assert any("kid_age" in r["answers"] for r in records)
    # the choice named like the concern's 镇街 when the form lists it
    donghu = [r["answers"]["town"] == "dh" for r in records if r["answers"].get("village", "").startswith("东湖")]
    assert donghu and all(donghu)


def test_into_the_store(store, annual_form):
    records = generate_responses(annual_form, 120, seed=4)
    ids = store.add_responses(annual_form, records, source="sample")
    assert len(ids) == 120
    df = store.responses("annual_topics")
    assert len(df) == 120 and set(df["source"]) == {"sample"}


def test_bad_arguments(annual_form):
    with pytest.raises(SampleError, match="修改"):
        generate_responses(annual_form, -5)
    with pytest.raises(SampleError, match="load_form"):
        generate_responses("surveys/annual_topics.yaml", 5)
