"""The brief reads the store in pages and keeps only the columns it uses (issue 13, item 3): its numbers —
the charts' CSVs and titles, the overview, sources, data-quality table and concern messages — are the same
as when every response is read at once, whatever the page size; on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def filled(any_store):
    """A store with responses of the bundled survey from two sources (one voided), and the form."""
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.workflows import bundled_form_path

    form = load_form(bundled_form_path())
    records = generate_responses(form, 90, seed=3)
    ids = any_store.add_responses(form, records[:60], source="sample")
    any_store.add_responses(form, records[60:], source="wjx")
    any_store.set_status(ids[5], "void", operator="测试", reason="重复")
    return any_store, form


def _all_at_once(store, form):
    """The survey as the brief read it before paging: every response and column in one frame."""
    from toolkit.brief import Survey

    responses = store.responses(form.id)
    responses = responses.loc[:, ~responses.columns.duplicated()].copy()
    responses["submitted_at"] = pd.to_datetime(responses["submitted_at"], errors="coerce")
    return Survey(form=form, responses=responses, counts=store.counts(form.id), batches=store.batches(form.id))


def _numbers(survey, folder):
    """Every number the survey part of the brief shows: chart titles, subtitles and CSVs, and the tables."""
    from toolkit.brief import findings
    from toolkit.brief.build import overview_lines, quality_table

    charts = [
        findings.district_bars(survey, folder),
        *findings.likert_bars(survey, folder),
        findings.timeline(survey, folder),
        *(c for _, c in findings.choice_bars(survey, folder)),
    ]
    shown = {
        c.paths["csv"].name: (c.title, c.subtitle, c.paths["csv"].read_text(encoding="utf-8-sig"))
        for c in charts
        if c is not None
    }
    messages = survey.messages()
    return {
        "charts": shown,
        "overview": overview_lines(survey),
        "sources": survey.sources(),
        "quality": quality_table(survey).to_dict("records"),
        "messages": messages.astype(str).to_dict("records"),
        "n": survey.n,
        "span": survey.span(),
    }


def test_paged_brief_numbers_equal_reading_all_at_once(filled, tmp_path, monkeypatch):
    import matplotlib

    from toolkit.brief import Survey

    matplotlib.use("Agg")
    store, form = filled
    expected = _numbers(_all_at_once(store, form), tmp_path / "all")
    assert expected["n"] == 89  # the voided response is not counted
    assert len(expected["charts"]) >= 4 and expected["messages"]
    for chunksize in (7, 89):  # many pages; one page exactly full (then an empty one)
        survey = Survey.load(store, form, chunksize=chunksize)
        assert _numbers(survey, tmp_path / f"paged_{chunksize}") == expected, chunksize


def test_only_the_columns_the_brief_uses_are_loaded(filled):
    from toolkit.brief import Survey
    from toolkit.brief.survey import brief_columns

    store, form = filled
    survey = Survey.load(store, form, chunksize=10)
    everything = store.responses(form.id)
    wanted = brief_columns(form)
    assert set(survey.responses.columns) == wanted & set(everything.columns)
    # free text (names, phones, addresses) is never loaded; numbers and dates are, for the 分类统计 workbook
    dropped = [q.id for q in form.questions if q.kind == "text" and q.id in everything]
    assert dropped and not set(dropped) & set(survey.responses.columns)
    kept = [q.id for q in form.questions if q.kind in ("number", "date") and q.id in everything]
    assert kept and set(kept) <= set(survey.responses.columns)
    # repeated answers are one object each: a choice id (or a multiple choice's tuple of ids) appears once
    # in memory however many chose it
    for kind, of in (("single", str), ("multiple", tuple)):
        q = next(q for q in form.questions if q.kind == kind and q.id in survey.responses)
        answers = [v for v in survey.responses[q.id] if isinstance(v, of)]
        assert len({id(v) for v in answers}) == len(set(answers)) < len(answers), q.id


def test_an_empty_form_is_refused_in_chinese(any_store):
    from toolkit.brief import BriefError, Survey
    from toolkit.forms import load_form
    from toolkit.workflows import bundled_form_path

    form = load_form(bundled_form_path())
    any_store.save_form(form)
    with pytest.raises(BriefError) as err:
        Survey.load(any_store, form, chunksize=5)
    assert form.id in str(err.value) and "答卷" in str(err.value)
