"""Likely duplicates against responses already in the store follow the same rules as within one file:
same respondent key, or the same IP with the same answers within ten minutes. Flags only, never deletes."""

from __future__ import annotations

import pytest

from toolkit.ingest import ingest
from toolkit.sample import write_export
from toolkit.store import open_store


@pytest.fixture(scope="module")
def online(annual_form_module):
    from toolkit.sample import generate_responses

    # online answers carry no 问卷编号, so only IP + answers + time can tell a repeat
    recs = generate_responses(annual_form_module, 8, seed=5)
    return [dict(r, answers={k: v for k, v in r["answers"].items() if k != "serial"}) for r in recs]


@pytest.fixture(scope="module")
def annual_form_module():
    from conftest import SURVEYS

    from toolkit.forms import load_form

    return load_form(SURVEYS / "annual_topics.yaml")


def _import(form, recs, path, db):
    return ingest(write_export(form, recs, path, "wjx"), form, db)


def _flags(db) -> list:
    store = open_store(db)
    try:
        return store.responses("annual_topics")["flags"].tolist()
    finally:
        store.close()


def test_same_ip_and_answers_minutes_after_a_stored_response_is_flagged(tmp_path, annual_form_module, online):
    form, db = annual_form_module, tmp_path / "d.db"
    first = [dict(online[0], submitted_at="2026-05-02 10:00:00", ip="8.8.8.8"), *online[1:4]]
    assert _import(form, first, tmp_path / "a.xlsx", db)["duplicates"] == 0
    again = dict(online[0], submitted_at="2026-05-02 10:04:00", ip="8.8.8.8")
    report = _import(form, [again, online[5]], tmp_path / "b.xlsx", db)
    assert (report["accepted"], report["duplicates"], report["duplicate_rows"]) == (2, 1, [1])
    flags = _flags(db)
    assert flags[:4] == [[], [], [], []]  # the stored response is not touched
    assert flags[4] == ["possible_duplicate"] and flags[5] == []


def test_same_answers_from_another_ip_or_much_later_are_not_flagged(tmp_path, annual_form_module, online):
    form, db = annual_form_module, tmp_path / "e.db"
    _import(form, [dict(online[0], submitted_at="2026-05-02 10:00:00", ip="8.8.8.8")], tmp_path / "a.xlsx", db)
    other_ip = dict(online[0], submitted_at="2026-05-02 10:02:00", ip="9.9.9.9")
    later = dict(online[0], submitted_at="2026-05-02 11:30:00", ip="8.8.8.8")
    report = _import(form, [other_ip, later], tmp_path / "b.xlsx", db)
    assert (report["accepted"], report["duplicates"]) == (2, 0)


def test_a_stored_serial_seen_again_flags_the_new_row(tmp_path, annual_form_module, online):
    form, db = annual_form_module, tmp_path / "f.db"
    paper = dict(online[0], answers=dict(online[0]["answers"], serial="DH-2026-0042"))
    _import(form, [paper, online[1]], tmp_path / "a.xlsx", db)
    typed_again = dict(
        online[2], answers=dict(online[2]["answers"], serial="DH-2026-0042"), submitted_at="2026-06-01 09:00:00"
    )
    report = _import(form, [typed_again], tmp_path / "b.xlsx", db)
    assert report["duplicates"] == 1
    assert _flags(db)[-1] == ["duplicate_respondent"]


def test_stored_ip_is_read_from_each_platforms_raw_row():
    from toolkit.ingest.duplicates import stored_ip

    assert stored_ip('{"来自IP": "1.2.3.4(上海-上海)", "序号": "3"}') == "1.2.3.4"
    assert stored_ip('{"IP": "5.6.7.8"}') == "5.6.7.8"
    assert stored_ip('{"_uuid": "x"}') is None and stored_ip(None) is None
