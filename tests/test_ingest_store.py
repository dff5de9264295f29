"""Import into the store: idempotent, quarantine, duplicate flags, transactions, the CLI contract."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, SURVEYS
from openpyxl import load_workbook

from toolkit.ingest import ingest
from toolkit.sample import wjx_table, write_export, write_rows
from toolkit.store import open_store

FORM = str(SURVEYS / "annual_topics.yaml")


@pytest.fixture(scope="module")
def records():
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    return generate_responses(load_form(FORM), 60, seed=11)


def _counts(db) -> dict:
    store = open_store(db)
    out = {
        "responses": len(store.responses("annual_topics")),
        "batches": len(store.batches()),
        "rejected": len(store.rejected(status=None)),
    }
    store.close()
    return out


def test_reimport_adds_nothing_and_longer_export_adds_only_new_rows(tmp_path, annual_form, records):
    db = tmp_path / "x.db"
    first = write_export(annual_form, records[:40], tmp_path / "a.xlsx", "wjx", neutralise=False)
    r1 = ingest(first, annual_form, db)
    assert r1["accepted"] == 40
    before = _counts(db)
    r2 = ingest(first, annual_form, db)
    assert (r2["accepted"], r2["rejected"], r2["skipped_existing"]) == (0, 0, 40)
    assert _counts(db) == before
    longer = write_export(annual_form, records, tmp_path / "b.xlsx", "wjx", neutralise=False)
    r3 = ingest(longer, annual_form, db)
    assert (r3["accepted"], r3["skipped_existing"]) == (20, 40)
    assert _counts(db)["responses"] == 60


def test_bad_rows_are_quarantined_with_reasons_and_not_repeated(tmp_path, annual_form, records):
    header, rows = wjx_table(annual_form, records[:10])
    col = {h: i for i, h in enumerate(header)}
    sector = next(h for h in header if "职业" in h)
    years = next(h for h in header if "多少年" in h)
    rows[2][col[sector]] = "宇航员"  # not a choice
    rows[5][col[years]] = "一百五十"  # not a number
    path = write_rows(header, rows, tmp_path / "bad.xlsx", neutralise=False)
    db = tmp_path / "q.db"
    report = ingest(path, annual_form, db)
    assert (report["accepted"], report["rejected"], report["rejected_rows"]) == (8, 2, [3, 6])
    store = open_store(db)
    rej = store.rejected()
    assert set(zip(rej["row_number"], rej["column"], rej["rule"], rej["value"])) == {
        (3, sector, "choice", "宇航员"),
        (6, years, "type", "一百五十"),
    }
    assert all("修改" in m for m in rej["message"])
    assert json.loads(rej["raw"][0])[sector] == "宇航员"  # the whole raw row is kept
    store.close()
    again = ingest(path, annual_form, db)
    assert (again["accepted"], again["rejected"]) == (0, 0)
    assert _counts(db)["rejected"] == 2


def test_fixed_rejected_row_can_be_resubmitted(tmp_path, annual_form, records):
    from toolkit.ingest import IngestError, resubmit

    header, rows = wjx_table(annual_form, records[:4])
    sector = next(i for i, h in enumerate(header) if "职业" in h)
    rows[1][sector] = "宇航员"
    db = tmp_path / "r.db"
    report = ingest(write_rows(header, rows, tmp_path / "r.xlsx", neutralise=False), annual_form, db)
    store = open_store(db)
    fixed = dict(records[1]["answers"], sector="science")
    with pytest.raises(IngestError, match="仍不符合") as still:
        resubmit(
            store,
            annual_form,
            batch_id=report["batch_id"],
            row_number=2,
            answers=dict(fixed, sector="宇航员"),
            operator="张三",
        )
    assert still.value.code == "ingest.still_invalid"
    assert [(p.code, p.question_id) for p in still.value.problems] == [("answer.choice_unknown", "sector")]
    rid = resubmit(store, annual_form, batch_id=report["batch_id"], row_number=2, answers=fixed, operator="张三")
    assert store.response(rid)["answers"]["sector"] == "science"
    assert len(store.rejected()) == 0 and store.rejected(status="resubmitted")["response_id"].tolist() == [rid]
    assert "resubmit" in set(store.audit()["action"])
    store.close()
    again = ingest(tmp_path / "r.xlsx", annual_form, db)  # the original file still adds nothing
    assert (again["accepted"], again["rejected"]) == (0, 0)


def test_duplicate_submissions_are_flagged_not_deleted(tmp_path, annual_form, records):
    dupe = dict(records[0], submitted_at="2026-05-02 10:03:00")
    first = dict(records[0], submitted_at="2026-05-02 10:00:00", ip="8.8.8.8")
    dupe["ip"] = "8.8.8.8"
    recs = [first, *records[1:5], dupe]
    path = write_export(annual_form, recs, tmp_path / "d.xlsx", "wjx", neutralise=False)
    report = ingest(path, annual_form, tmp_path / "d.db")
    assert report["accepted"] == 6 and report["duplicates"] >= 2
    assert {1, 6} <= set(report["duplicate_rows"])
    df = open_store(tmp_path / "d.db").responses("annual_topics")
    flagged = df[df["flags"].map(bool)]
    assert "possible_duplicate" in flagged["flags"].iloc[0]


_KILLER = """
import sys, time
from toolkit.store.store import Store
orig = Store.finish_batch
def slow(self, *a, **k):
    orig(self, *a, **k)
    print("WRITING", flush=True)
    time.sleep(60)                       # parent kills us here, inside the open transaction
Store.finish_batch = slow
from toolkit.ingest import ingest
ingest(sys.argv[1], sys.argv[2], sys.argv[3])
"""


def test_killed_import_leaves_database_as_before(tmp_path, annual_form, records):
    db = tmp_path / "k.db"
    ingest(write_export(annual_form, records[:10], tmp_path / "a.xlsx", "wjx", neutralise=False), annual_form, db)
    before = _counts(db)
    path = write_export(annual_form, records, tmp_path / "b.xlsx", "wjx", neutralise=False)
    kill_while_writing(_KILLER, path, FORM, db)
    assert _counts(db) == before


def kill_while_writing(script: str, *args) -> None:
    """Run ``script`` in a child process and SIGKILL it once it prints WRITING (inside its transaction)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert proc.stdout.readline().strip() == "WRITING"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_cli_json_contract_and_report(tmp_path, annual_form, records):
    recs = [dict(r, answers=dict(r["answers"])) for r in records[:5]]
    recs[1]["answers"]["concern"] = '=HYPERLINK("http://x","点我") 小区停车难 😀'
    recs[2]["answers"]["suggestion"] = "@SUM(1+1) 建议"
    path = write_export(annual_form, recs, tmp_path / "c.csv", "wjx", neutralise=False)
    out = tmp_path / "r.xlsx"
    cmd = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "ingest",
        str(path),
        "--form",
        FORM,
        "--db",
        str(tmp_path / "c.db"),
        "--json",
        "--report",
        str(out),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert {"accepted", "rejected", "duplicates", "unmapped_columns"} <= set(report)
    assert report["accepted"] == 5
    store = open_store(tmp_path / "c.db")
    assert store.responses("annual_topics")["concern"].iloc[1].startswith("=HYPERLINK")  # kept as text
    store.close()
    wb = load_workbook(out)
    assert {"概要", "隔离行", "列对应"} <= set(wb.sheetnames)
    text = subprocess.run(cmd[:-3] + ["--report", str(tmp_path / "r2.xlsx")], capture_output=True, text=True, cwd=ROOT)
    assert text.returncode == 0 and "导入报告" in text.stdout and "此前已导入 5 行" in text.stdout


def test_cli_unreadable_file_exits_non_zero_in_chinese(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "ingest", str(bad), "--form", FORM, "--db", str(tmp_path / "e.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "文件" in res.stderr and "修改" in res.stderr


def test_report_neutralises_formulas(tmp_path):
    from toolkit.ingest.report import save_report

    report = {
        "file": "f",
        "source_label": "问卷星",
        "mode": "",
        "form_title": "t",
        "form_id": "t",
        "batch_id": 1,
        "rows": 1,
        "skipped_existing": 0,
        "accepted": 0,
        "rejected": 1,
        "duplicates": 0,
        "unmapped_columns": ["=cmd|' /C calc'!A0"],
        "mapping": {},
        "top_reasons": [],
        "problems": [{"row_number": 1, "column": "c", "rule": "choice", "value": "+1+1", "message": "m"}],
    }
    path = save_report(report, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    assert "'+1+1" in values


def test_same_respondent_is_flagged(tmp_path, annual_form, records):
    recs = [dict(r, answers=dict(r["answers"])) for r in records[:6]]
    for r in recs[:2]:
        r["answers"].update(willing_contact="yes", phone="13912345678")
    report = ingest(
        write_export(annual_form, recs, tmp_path / "p.csv", "wjx", neutralise=False), annual_form, tmp_path / "p.db"
    )
    assert report["accepted"] == 6 and report["duplicate_rows"] == [1, 2]
    flags = open_store(tmp_path / "p.db").responses("annual_topics")["flags"]
    assert list(flags[:2]) == [["duplicate_respondent"], ["duplicate_respondent"]] and not any(flags[2:])


@pytest.mark.slow
def test_cli_form_infer_writes_a_checkable_form(tmp_path, annual_form, records):
    text = write_export(annual_form, records[:30], tmp_path / "t.xlsx", "wjx", by="text")
    code = write_export(annual_form, records[:30], tmp_path / "c.xlsx", "wjx", by="code")
    out = tmp_path / "draft.yaml"
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "form", "infer", str(text), "--by-code", str(code), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    check = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "form", "check", str(out)], capture_output=True, text=True, cwd=ROOT
    )
    assert check.returncode == 0, check.stdout + check.stderr
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "ingest",
            str(text),
            "--form",
            str(out),
            "--db",
            str(tmp_path / "i.db"),
            "--json",
            "--report",
            str(tmp_path / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert json.loads(res.stdout)["accepted"] == 30
