"""Data-quality flags on responses imported from a 问卷星 export written here (用时 and IP kept with each
row by the real ingest) and on double entries typed through the entry stage: flagged with reasons, nothing
deleted."""

from __future__ import annotations

import csv

import pytest

from tests.test_analysis_crosstab import make_form
from toolkit.analysis import quality_flags, quality_summary
from toolkit.analysis.quality import parse_duration
from toolkit.entry import DoubleEntry
from toolkit.ingest import ingest
from toolkit.sample import write_export


def _answers(i: int, **extra) -> dict:
    rows = ("1", "3", "2") if i % 2 else ("2", "3", "1")
    services = dict(zip(("medical", "transport", "school"), rows))
    return {"district": "donghu", "sex": "m" if i % 2 else "f", "years": i, "services": services, **extra}


def _wjx_export(path, form) -> None:
    """A 问卷星 export (按选项文本, CSV) of 16 responses with chosen 用时, IP and times."""
    records, durations = [], []
    for i in range(10):
        answers = _answers(i, services={"medical": "2", "transport": "2", "school": "2"}) if i == 3 else _answers(i)
        records.append({"answers": answers, "ip": f"10.0.1.{i}", "submitted_at": f"2026-05-01 08:{i:02d}:00"})
        durations.append("5分0秒" if i % 2 else "300秒")
    records.append({"answers": _answers(10), "ip": "10.0.2.1", "submitted_at": "2026-05-01 09:00:00"})
    durations.append("50秒")  # under a third of the median (300 s)
    records.append({"answers": _answers(11), "ip": "10.0.2.2", "submitted_at": "2026-05-01 09:05:00"})
    durations.append("1秒")
    same = _answers(12)  # the same answers from one IP three minutes apart
    records += [
        {"answers": same, "ip": "10.0.3.1", "submitted_at": "2026-05-01 10:00:00"},
        {"answers": same, "ip": "10.0.3.1", "submitted_at": "2026-05-01 10:03:00"},
    ]
    later = _answers(14, serial="S-9")  # the same answers from one IP two hours apart: not flagged by IP
    records += [
        {"answers": later, "ip": "10.0.4.1", "submitted_at": "2026-05-01 10:00:00"},
        {"answers": later, "ip": "10.0.4.1", "submitted_at": "2026-05-01 12:00:00"},
    ]
    durations += ["300秒"] * 4
    write_export(form, records, path, "wjx")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("所用时间")
    for row, seconds in zip(rows[1:], durations):
        row[column] = seconds
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def test_flags_from_an_imported_export(store, tmp_path):
    form = make_form()
    export = tmp_path / "问卷星导出.csv"
    _wjx_export(export, form)
    report = ingest(export, form, store, operator="测试")
    assert report["accepted"] == 16
    ids = store.responses(form.id)["response_id"].tolist()
    flags = quality_flags(store, form.id, form=form)
    by_flag = {flag: sorted(ids.index(r) for r in group["response_id"]) for flag, group in flags.groupby("flag")}
    assert by_flag == {
        "straight_line": [3],
        "speeder": [10],
        "instant": [11],
        "same_device": [12, 13],
        "duplicate_respondent": [14, 15],
    }
    reasons = dict(zip(flags["flag"], flags["reason"]))
    assert reasons["speeder"] == "用时 50 秒，不到全部答卷用时中位数（300 秒）的三分之一"
    assert reasons["straight_line"] == "第5题（矩阵量表）3 行都选“一般”"
    assert "来自同一IP、答案完全相同，相隔 180 秒" in reasons["same_device"]
    assert len(store.responses(form.id)) == 16  # flagged, never deleted
    summary = quality_summary(flags, 16).set_index("flag")
    assert summary.loc["same_device", "responses"] == 2 and summary.loc["any", "responses"] == 7
    assert summary.loc["any", "percent"] == pytest.approx(43.8)


def test_open_double_entry_discrepancies_until_ruled(store):
    form = make_form()
    first = {"serial": "A-1", "district": "donghu", "sex": "m", "years": 5}
    (rid,) = store.add_responses(form, [{"answers": first, "serial": "A-1"}], source="entry", operator="张三")
    assert quality_flags(store, form.id, form=form).empty
    de = DoubleEntry(store, form)
    result = de.add_second({**first, "district": "xishan", "years": 6}, operator="李四")
    flags = quality_flags(store, form.id, form=form)
    assert flags["response_id"].tolist() == [rid] and flags["flag"].tolist() == ["entry_discrepancy"]
    assert flags["reason"].iloc[0] == "两遍录入有 2 处不一致，尚未裁定：您所在的镇街、居住年数"
    for m in result.mismatches:
        de.resolve(m.id, "first", supervisor="王主任")
    assert quality_flags(store, form.id, form=form).empty


def test_platform_durations_are_read_as_seconds():
    assert parse_duration("1小时2分") == 3720
    assert parse_duration("２分３秒") == 123  # full-width digits as 问卷星 may write them
    assert parse_duration(17) == 17 and parse_duration("") is None and parse_duration(-3) is None


def test_a_voided_response_carries_no_flag(store):
    # flags are of active responses only: a voided one's open double-entry discrepancy is not counted
    form = make_form()
    first = {"serial": "A-2", "district": "donghu", "sex": "m", "years": 5}
    other = {"serial": "A-3", "district": "xishan", "sex": "f", "years": 9}
    rid, _ = store.add_responses(
        form,
        [{"answers": first, "serial": "A-2"}, {"answers": other, "serial": "A-3"}],
        source="entry",
        operator="张三",
    )
    DoubleEntry(store, form).add_second({**first, "years": 6}, operator="李四")
    assert quality_flags(store, form.id, form=form)["response_id"].tolist() == [rid]
    store.set_status(rid, "void", operator="王主任", reason="重复录入")
    flags = quality_flags(store, form.id, form=form)
    assert flags.empty and quality_summary(flags, 1).set_index("flag").loc["any", "responses"] == 0


def test_checks_without_their_data_are_not_computed_rather_than_zero(store, tmp_path):
    # a 问卷星 export with the 所用时间 and 来自IP columns taken out: no 用时 and no IP to check
    form = make_form()
    export = tmp_path / "问卷星导出.csv"
    _wjx_export(export, form)
    with open(export, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    keep = [i for i, name in enumerate(rows[0]) if name not in ("所用时间", "来自IP")]
    assert len(keep) == len(rows[0]) - 2
    with open(export, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([[row[i] for i in keep] for row in rows])
    assert ingest(export, form, store, operator="测试")["accepted"] == 16
    flags = quality_flags(store, form.id, form=form)
    assert flags.attrs["not_computed"] == {
        "instant": "没有用时数据",
        "speeder": "没有用时数据",
        "same_device": "没有 IP/设备数据",
    }
    summary = quality_summary(flags, 16).set_index("flag")
    assert summary.loc["speeder", "computed"] is False and summary.loc["speeder", "responses"] is None
    assert summary.loc["straight_line", "computed"] is True and summary.loc["straight_line", "responses"] == 1


def test_a_check_with_its_data_is_computed(store, tmp_path):
    form = make_form()
    export = tmp_path / "问卷星导出.csv"
    _wjx_export(export, form)
    ingest(export, form, store, operator="测试")
    flags = quality_flags(store, form.id, form=form)
    assert flags.attrs["not_computed"] == {}
    assert quality_summary(flags, 16)["computed"].tolist() == [True] * 7
