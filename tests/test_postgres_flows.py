"""Whole flows of the entry and ingest stages on both backends (SQLite, a real PostgreSQL server): an import
with quarantined rows, the fix workbook out and back, entry with drafts, corrections, voiding and double
entry — the same results on either database."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from toolkit.cli import main
from toolkit.entry import DoubleEntry, EntryError, EntrySession
from toolkit.forms import load_form
from toolkit.ingest import ingest
from toolkit.sample import generate_responses, wjx_table, write_rows
from toolkit.store import open_store

ROOT = Path(__file__).resolve().parents[1]
FORM = str(ROOT / "surveys" / "annual_topics.yaml")
TYPED = {
    "serial": "DH-0007",
    "sector": "3",
    "district": "2",
    "community": "东湖花园",
    "age_band": "4",
    "years_here": "30",
    "concern_areas": "1 5 15",
    "concern_areas_other": "广场舞噪音",
    "priority": "5 1 6",
    "services/medical": "2",
    "services/elderly": "3",
    "concern": "社区卫生服务站看病排队时间太长",
    "reported_before": "1",
    "reported_result": "4",
    "willing_contact": "1",
    "phone": "13812345678",
    "fill_date": "2026-05-01",
}


def test_import_quarantine_fix_and_resubmit(db_url, tmp_path, capsys):
    form = load_form(FORM)
    records = [r for r in generate_responses(form, 40, seed=21) if r["answers"].get("willing_contact") == "yes"][:6]
    header, rows = wjx_table(form, records)
    col = next(i for i, h in enumerate(header) if "职业" in h)
    rows[1][col] = "宇航员"
    path = write_rows(header, rows, tmp_path / "bad.xlsx")
    report = ingest(path, form, db_url)
    assert (report["accepted"], report["rejected_rows"]) == (5, [2])
    assert ingest(path, form, db_url)["batch_id"] is None  # nothing new: nothing written
    out = tmp_path / "待修正.xlsx"
    assert main(["rejected", "export", "--form", FORM, "--db", db_url, "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "已导出 1 行隔离数据" in printed
    wb = load_workbook(out)
    ws = wb["待修正"]
    j = next(i for i, c in enumerate(ws[1]) if "职业" in str(c.value)) + 1
    ws.cell(2, j).value = form.question("sector").choice_label("science")
    wb.save(out)
    assert main(["rejected", "resubmit", str(out), "--form", FORM, "--db", db_url, "--operator", "张三"]) == 0
    store = open_store(db_url)
    counts = store.counts("annual_topics")
    assert (counts["responses"], counts["rejected"]) == (6, 0)
    assert "science" in set(store.responses("annual_topics")["sector"])


def test_entry_session_and_double_entry(db_url):
    form, store = load_form(FORM), open_store(db_url)
    first = EntrySession(form, store, "张三")
    first.save_draft({"serial": "DH-0007"})
    assert EntrySession(form, open_store(db_url), "张三").load_draft() == ({"serial": "DH-0007"}, None)
    rid = first.submit(TYPED)
    assert first.count_today() == 1 and EntrySession(form, store, "张三").load_draft() is None
    with pytest.raises(EntryError, match="DH-0007"):
        EntrySession(form, store, "王五").submit(TYPED)  # the number is taken
    second = EntrySession(form, store, "李四", mode="second")
    result = second.submit({**TYPED, "district": "3"})
    assert result.response_id == rid and [m.field for m in result.mismatches] == ["district"]
    # a correction opened before the supervisor's ruling is refused after it, not saved over it
    typed = first.start_correction(rid)
    DoubleEntry(store, form).resolve(result.mismatches[0].id, "second", supervisor="王主任")
    with pytest.raises(EntryError, match="已被别人修改"):
        first.submit({**typed, "community": "东湖花园二期"})
    assert store.response(rid)["answers"]["district"] == "xishan"
    first.void(rid, "编号错误")
    assert store.counts("annual_topics")["void"] == 1
    assert list(store.audit("response", rid)["action"]) == ["second_entry", "update", "void"]
