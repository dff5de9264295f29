from toolkit.forms import relevant_questions, validate_answers

GOOD = {
    "sector": "education",
    "district": "donghu",
    "age_band": "36_59",
    "years_here": "12",
    "concern_areas": ["traffic", "other"],
    "concern_areas_other": "夜市油烟",
    "priority": ["traffic", "medical"],
    "services": {"medical": "2", "schooling": "4"},
    "concern": "幸福里小区停车位太少，晚上车停到消防通道上",
    "reported_before": "no",
    "willing_contact": "yes",
    "phone": "13800001234",
    "fill_date": "2026/3/5",
}


def test_good_answers_are_cleaned(annual_form):
    clean, problems = validate_answers(annual_form, GOOD)
    assert [p for p in problems if p.is_error] == []
    assert clean["years_here"] == 12 and clean["fill_date"] == "2026-03-05"
    assert clean["concern_areas_other"] == "夜市油烟"


def test_skip_logic_hides_and_reports(annual_form):
    answers = {**GOOD, "reported_before": "no", "reported_result": "solved"}
    assert "reported_result" not in relevant_questions(annual_form, answers)
    clean, problems = validate_answers(annual_form, answers)
    assert "reported_result" not in clean
    [p] = [p for p in problems if p.question_id == "reported_result"]
    assert p.rule == "irrelevant" and p.level == "warning"


def test_each_rule(annual_form):
    bad = {
        **GOOD,
        "sector": "astronaut",
        "concern_areas": ["traffic", "medical", "elderly", "jobs"],
        "years_here": "很多年",
        "phone": "12345",
        "concern": "",
        "services": {"medical": "9"},
    }
    _, problems = validate_answers(annual_form, bad)
    rules = {(p.question_id, p.rule) for p in problems}
    assert ("sector", "choice") in rules
    assert ("concern_areas", "count") in rules
    assert ("years_here", "type") in rules
    assert ("phone", "constraint") in rules
    assert ("concern", "required") in rules
    assert ("services", "choice") in rules
    for p in problems:
        assert p.message.startswith("第") and "修改" in p.message


def test_phone_only_checked_when_shown(annual_form):
    clean, problems = validate_answers(annual_form, {**GOOD, "willing_contact": "no", "phone": "12345"})
    assert not [p for p in problems if p.is_error] and "phone" not in clean
