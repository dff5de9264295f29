"""Several people on one store at once (issue 13), on SQLite and on a real PostgreSQL server: every saver
gets its own response's id back, one 问卷编号 is saved once, a stale correction is refused, and first
imports racing into an empty database all land without a traceback. Real processes, real databases."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

import pytest
from conftest import VISIT

from toolkit.entry import EntryError, EntrySession
from toolkit.forms import load_form
from toolkit.store import StaleEdit, open_store

ROOT = Path(__file__).resolve().parents[1]
VISIT_FORM = ROOT / "surveys" / "visit_record.yaml"
ANNUAL_FORM = ROOT / "surveys" / "annual_topics.yaml"
FORK = multiprocessing.get_context("fork")  # workers open their own store: nothing is shared but the database


def _run(workers: list[tuple], timeout: float = 120) -> list:
    """Start every (function, args) in its own process at once; their results (or tracebacks) in order."""
    barrier, queue = FORK.Barrier(len(workers)), FORK.Queue()

    def main(k, func, args):
        try:
            barrier.wait(30)  # everyone past their start-up, then all at the same moment
            queue.put((k, "ok", func(*args)))
        except BaseException as err:  # reported to the test, which shows it
            queue.put((k, "error", f"{type(err).__name__}: {err}\n{traceback.format_exc()}"))

    procs = [FORK.Process(target=main, args=(k, f, a)) for k, (f, a) in enumerate(workers)]
    for p in procs:
        p.start()
    results = dict((k, (status, value)) for k, status, value in (queue.get(timeout=timeout) for _ in procs))
    for p in procs:
        p.join(timeout)
    return [results[k] for k in range(len(workers))]


def _save_many(url: str, operator: str, n: int) -> list[tuple[int, str]]:
    session = EntrySession(load_form(VISIT_FORM), open_store(url), operator)
    out = []
    for i in range(n):
        serial = f"{operator}-{i:03d}"
        out.append((session.submit({**VISIT, "serial": serial}), serial))
    return out


def test_concurrent_saves_each_get_their_own_id(db_url):
    open_store(db_url).save_form(load_form(VISIT_FORM))
    operators = ["张三", "李四", "王五", "赵六"]
    results = _run([(_save_many, (db_url, op, 50)) for op in operators])
    assert [s for s, _ in results] == ["ok"] * 4, results
    store = open_store(db_url)
    wrong = [
        (rid, op, serial)
        for op, (_, saved) in zip(operators, results)
        for rid, serial in saved
        if (r := store.response(rid))["operator"] != op or r["serial"] != serial
    ]
    assert wrong == []  # "已保存答卷 #id" names the saver's own response, every time
    assert len({rid for _, saved in results for rid, _ in saved}) == 200
    assert store.counts("visit_record")["responses"] == 200


def _save_serial(url: str, operator: str, serial: str):
    session = EntrySession(load_form(VISIT_FORM), open_store(url), operator)
    try:
        return ("saved", session.submit({**VISIT, "serial": serial}))
    except EntryError as err:
        return ("refused", str(err))


def test_one_serial_typed_by_two_operators_at_once_is_saved_once(db_url):
    open_store(db_url).save_form(load_form(VISIT_FORM))
    for trial in range(4):
        serial = f"DH-{trial}"
        results = _run([(_save_serial, (db_url, op, serial)) for op in ("张三", "李四")])
        assert all(s == "ok" for s, _ in results), results
        outcomes = sorted(value[0] for _, value in results)
        assert outcomes == ["refused", "saved"], results
        refusal = next(value[1] for _, value in results if value[0] == "refused")
        # the page's own check (a moment later) or the database's unique index (the same moment) refuses it
        assert "问卷编号" in refusal and serial in refusal and "已录入" in refusal and "修改：" in refusal
    store = open_store(db_url)
    frame = store.responses("visit_record")
    assert sorted(frame["serial"]) == [f"DH-{t}" for t in range(4)]


def test_stale_correction_is_refused_showing_both_values(db_url):
    form = load_form(VISIT_FORM)
    store = open_store(db_url)
    rid = EntrySession(form, store, "张三").submit(VISIT)
    first, second = EntrySession(form, store, "张三"), EntrySession(form, open_store(db_url), "李四")
    typed_a, typed_b = first.start_correction(rid), second.start_correction(rid)
    assert second.submit({**typed_b, "place": "青石镇上塘村"}, reason="地点笔误") == rid
    with pytest.raises(EntryError, match="已被别人修改") as err:
        first.submit({**typed_a, "place": "青石镇中塘村"})
    message = str(err.value)
    assert "“青石镇上塘村”" in message and "“青石镇中塘村”" in message and "第 1 版" in message
    assert store.response(rid)["answers"]["place"] == "青石镇上塘村"  # the earlier save stands
    assert store.response(rid)["revision"] == 2
    # reloaded, the same operator's correction goes through
    typed = first.start_correction(rid)
    first.submit({**typed, "place": "青石镇中塘村"})
    assert store.response(rid)["answers"]["place"] == "青石镇中塘村"
    # at the store level too
    with pytest.raises(StaleEdit):
        store.update_response(rid, VISIT, operator="王五", revision=1)


def _import(url: str, path: str) -> dict:
    from toolkit.ingest import ingest

    r = ingest(path, str(ANNUAL_FORM), url)
    return {"accepted": r["accepted"], "rejected": r["rejected"], "skipped": r["skipped_existing"]}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Four offices' 问卷星 exports of one survey, 3,000 rows each (different respondents)."""
    from toolkit.sample import generate_responses, write_export

    form, folder = load_form(ANNUAL_FORM), tmp_path_factory.mktemp("exports")
    paths = []
    for k in range(4):
        records = generate_responses(form, 3000, seed=100 + k)
        paths.append(str(write_export(form, records, folder / f"office{k}.csv", "wjx", by="code")))
    return paths


@pytest.mark.slow
def test_four_first_imports_into_an_empty_database_all_land(db_url, exports):
    results = _run([(_import, (db_url, p)) for p in exports])
    assert [s for s, _ in results] == ["ok"] * 4, results  # no traceback, no refusal
    rows = sum(r["accepted"] + r["rejected"] for _, r in results)
    assert rows == 12000
    store = open_store(db_url)
    c = store.counts("annual_topics")
    assert c["responses"] + c["rejected"] == 12000 and c["batches"] == 4


def test_one_quarantined_file_imported_twice_at_once_is_quarantined_once(db_url, tmp_path):
    from toolkit.sample import generate_responses, write_export

    form = load_form(ANNUAL_FORM)
    records = generate_responses(form, 40, seed=7)
    path = write_export(form, records, tmp_path / "x.csv", "wjx", by="code")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    age = header.index("5、您的年龄段")
    bad = [",".join(c if i != age else "99" for i, c in enumerate(line.split(","))) for line in lines[1:6]]
    path.write_text("\n".join([lines[0], *bad, *lines[6:]]) + "\n", encoding="utf-8-sig")
    results = _run([(_import, (db_url, str(path))) for _ in range(2)])
    assert [s for s, _ in results] == ["ok", "ok"], results
    store = open_store(db_url)
    c = store.counts("annual_topics")
    assert c["batches"] == 1  # the second found every row imported already and wrote nothing
    assert c["rejected"] == sum(r["rejected"] for _, r in results) > 0
    assert c["responses"] + c["rejected"] == 40
