"""Every file the toolkit writes: no cell a spreadsheet would run, no planted phone or ID number.

A corpus of formula payloads (OWASP CSV injection) and personal data is planted in real input files
(an xlsx of letters written with openpyxl, a 问卷星 CSV, a SQLite store); the real commands write their
outputs; every xlsx/csv/docx/pptx written is opened and checked: no formula cell (openpyxl ``data_type``
``f``, no ``<f>`` element in the sheet XML), no CSV cell a spreadsheet would evaluate, every payload still
there as text, and no phone or ID number anywhere. The fix workbook (待修正表) also has to come back:
neutralised and masked cells re-import as the answers stored before.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SURVEYS
from openpyxl import Workbook, load_workbook

from toolkit.outputs import neutralise, safe_cell, safe_frame, unneutralise, write_csv

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+cmd|'/C notepad'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
    " =1",
    "'=1+1",
]
SAFE_TEXTS = ["-5", "2020-01-01", "+3.5"]
PHONE = "13812345678"
WIDE_PHONE = "１３９１２３４５６７８"  # full-width digits, as some input methods type them
ID_NUMBER = "11010519491231002X"  # check digit valid (the GB 11643 example)
SECRETS = [PHONE, WIDE_PHONE, ID_NUMBER, "13912345678"]
FORM = SURVEYS / "annual_topics.yaml"
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def lf(text: str) -> str:
    """Line breaks as written: a carriage return becomes a line feed (a bare CR would split a CSV row)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_cli(*args) -> subprocess.CompletedProcess:
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    return res


def runs_as_formula(text: str) -> bool:
    """What Excel/LibreOffice evaluate when a CSV cell or a typed text starts with it (test's own oracle)."""
    if text[:1] in ("\t", "\r"):
        return True
    stripped = text.lstrip()
    return stripped[:1] in "=+-@＝＋－＠" and stripped != "" and not _NUMBER.fullmatch(stripped)


def cells_of(path: Path) -> list[str]:
    """Every text of an output file; asserts on the way that no spreadsheet cell is a formula."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert not re.search(rb"<(\w+:)?f[ >]", z.read(name)), f"{path.name}:{name} holds a formula"
        wb = load_workbook(path)
        texts = []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type not in ("f", "e"), (path.name, ws.title, cell.coordinate, cell.value)
                    if cell.value is not None:
                        texts.append(str(cell.value))
        return texts
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
        texts = [c for r in rows for c in r]
        bad = [c for c in texts if runs_as_formula(c)]
        assert not bad, f"{path.name}: cells a spreadsheet would run: {bad[:5]}"
        return texts
    if suffix in (".docx", ".pptx"):
        with zipfile.ZipFile(path) as z:
            xml = [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")]
        return [re.sub(r"<[^>]+>", "", x) for x in xml]
    raise AssertionError(f"unexpected output {path}")


def assert_safe_outputs(folder: Path) -> dict[str, list[str]]:
    """Check every xlsx/csv/docx/pptx under ``folder``; return their texts by file name."""
    files = [p for p in sorted(Path(folder).rglob("*")) if p.suffix.lower() in (".xlsx", ".csv", ".docx", ".pptx")]
    assert files, f"no outputs under {folder}"
    out = {}
    for path in files:
        texts = cells_of(path)
        blob = "\n".join(texts)
        for secret in SECRETS:
            assert secret not in blob, f"{path.name} shows {secret}"
        out[path.name] = texts
    return out


# ---- the policy itself --------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_neutralised_and_comes_back_exactly(payload):
    cell = safe_cell(payload, mask=False)
    assert cell == "'" + lf(payload) and not runs_as_formula(cell)
    assert unneutralise(neutralise(payload)) == payload


@pytest.mark.parametrize("text", [*SAFE_TEXTS, "路灯坏了", "2020/01/01 08:00", "", "[手机号]"])
def test_ordinary_texts_and_numbers_stay_as_they_are(text):
    assert safe_cell(text) == text and unneutralise(text) == text
    assert safe_cell(-2) == -2 and safe_cell(3.5) == 3.5 and safe_cell(None) is None


def test_personal_data_is_masked_in_texts_numbers_and_headers():
    assert safe_cell(f"=HYPERLINK(1) 电话{PHONE}") == "'=HYPERLINK(1) 电话[手机号]"
    assert WIDE_PHONE not in safe_cell(f"我的电话{WIDE_PHONE}") and ID_NUMBER not in safe_cell(f"身份证{ID_NUMBER}")
    assert safe_cell(13812345678) == "[手机号]" and safe_cell(13812345678.0) == "[手机号]"
    assert safe_cell(20240101) == 20240101  # an ordinary long number stays a number
    frame = pd.DataFrame({"=备注": ["@x", None], f"电话{PHONE}": [13912345678, 7], "n": [-1, 2]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=备注", "电话[手机号]", "n"]
    assert safe.iloc[:, 0].tolist()[0] == "'@x" and pd.isna(safe.iloc[1, 0])
    assert safe.iloc[:, 1].tolist() == ["[手机号]", 7] and safe["n"].tolist() == [-1, 2]


def test_write_csv_and_write_xlsx_write_no_formula(tmp_path):
    from toolkit.office import write_xlsx

    frame = pd.DataFrame({"留言": [*PAYLOADS, *SAFE_TEXTS, f"电话{PHONE}", "#N/A"], "n": range(len(PAYLOADS) + 5)})
    write_csv(frame, tmp_path / "a.csv")
    write_xlsx({"表": frame}, tmp_path / "a.xlsx")
    texts = assert_safe_outputs(tmp_path)
    for name in ("a.csv", "a.xlsx"):
        for text in [*PAYLOADS, *SAFE_TEXTS, "#N/A"]:
            assert neutralise(lf(text)) in texts[name], (name, text)


def test_platform_export_simulator_neutralises_by_default(tmp_path):
    """``toolkit.sample.write_rows`` (test fixtures, demo files) writes no formula either."""
    from toolkit.sample import write_rows

    header, rows = ["序号", "意见"], [[i, p] for i, p in enumerate(PAYLOADS)]
    for suffix in ("xlsx", "csv"):
        path = write_rows(header, rows, tmp_path / f"w.{suffix}")
        got = [lf(t) for t in cells_of(path)]
        assert all(lf(neutralise(p)) in got for p in PAYLOADS)


# ---- rank and topics on a letters workbook -----------------------------------------------------------


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    """An xlsx of 240 letters: payloads in the text and in a 备注 column (every row), phones and ID numbers
    in the text, in a 联系电话 column (some as numbers), and a column header that starts with ``=``."""
    from toolkit.sample import generate_concerns

    data = generate_concerns(240, seed=5)
    wb = Workbook()
    ws = wb.active
    ws.append(["留言编号", "留言时间", "留言详情", "=备注", "联系电话"])
    notes = [*PAYLOADS, *SAFE_TEXTS]
    for i, r in enumerate(data.itertuples()):
        text = r.text
        if i % 3 == 0:
            text = PAYLOADS[i % len(PAYLOADS)] + text
        if i % 4 == 0:
            text += f"，我的电话{PHONE if i % 8 else WIDE_PHONE}，身份证{ID_NUMBER}"
        phone = 13812345678 if i % 2 else "13912345678"
        # 8-digit ids read like local phone numbers: they must survive as they are (joins between files)
        ws.append([letter_id(i), str(r.submitted_at)[:19], text, notes[i % len(notes)], phone])
        ws.cell(ws.max_row, 3).data_type = "s"  # the payloads are the letters' text, not formulas
        ws.cell(ws.max_row, 4).data_type = "s"
    ws.cell(1, 4).data_type = "s"
    path = tmp_path_factory.mktemp("letters") / "留言.xlsx"
    wb.save(path)
    return path


def letter_id(i: int) -> str:
    return str(36541234 + 7 * i)


@pytest.mark.slow
def test_rank_writes_no_formula_and_no_personal_data(letters, tmp_path):
    out = tmp_path / "rank"
    run_cli(
        "rank",
        letters,
        "--text-col",
        "留言详情",
        "--id-col",
        "留言编号",
        "--time-col",
        "留言时间",
        "--top",
        "20",
        "--quiet",
        "--out",
        out,
    )
    texts = assert_safe_outputs(out)
    assert {"candidates.csv", "热点问题表.xlsx", "热点问题留言明细表.xlsx"} <= set(texts)
    detail = texts["热点问题留言明细表.xlsx"]
    assert "'=备注" in detail  # the header, neutralised
    for text in [*PAYLOADS, *SAFE_TEXTS]:  # (rank trims the cells it lists)
        assert neutralise(lf(text).strip()) in detail, text
    assert "[手机号]" in detail  # the 联系电话 cells, numbers included
    listed = pd.read_excel(out / "热点问题留言明细表.xlsx", dtype=str)["留言编号"]
    assert listed.isin({letter_id(i) for i in range(240)}).all()  # ids are keys, never masked


@pytest.mark.slow
def test_topics_writes_no_formula_and_no_personal_data(letters, tmp_path):
    out = tmp_path / "topics"
    run_cli(
        "topics",
        letters,
        "--text-col",
        "留言详情",
        "--id-col",
        "留言编号",
        "--time-col",
        "留言时间",
        "--quiet",
        "--out",
        out,
    )
    texts = assert_safe_outputs(out)
    assert {"assignments.csv", "topics.csv", "themes.csv"} <= set(texts)
    ids = pd.read_csv(out / "assignments.csv", dtype=str)["id"]
    assert sorted(ids) == sorted(letter_id(i) for i in range(240))  # ids are keys, never masked


# ---- ingest, its report, the fix workbook and back ----------------------------------------------------


@pytest.fixture
def quarantined(tmp_path, annual_form):
    """A 问卷星 CSV (as a hostile platform would write it: payloads not neutralised) of 8 rows whose
    concern texts carry payloads and personal data; rows 2, 4 and 6 have a wrong 职业 and are quarantined."""
    from toolkit.sample import generate_responses, wjx_table, write_rows

    recs = [r for r in generate_responses(annual_form, 60, seed=21) if r["answers"].get("willing_contact") == "yes"]
    recs = recs[:8]
    header, rows = wjx_table(annual_form, recs)
    col = {h: i for i, h in enumerate(header)}
    find = lambda word: col[next(h for h in header if word in h)]  # noqa: E731
    for i, row in enumerate(rows):
        row[find("最急")] = f"{PAYLOADS[i]}路灯坏了三个月，电话{PHONE}，身份证{ID_NUMBER}"
        if i % 2:
            row[find("职业")] = "宇航员"
    path = write_rows(header, rows, tmp_path / "问卷星.csv", neutralise=False, quote_all=True)
    db = tmp_path / "x.db"
    res = run_cli(
        "ingest", path, "--form", FORM, "--db", db, "--report", tmp_path / "report" / "导入报告.xlsx", "--json"
    )
    assert json.loads(res.stdout)["rejected"] == 4
    return db, tmp_path


@pytest.mark.slow
def test_ingest_report_and_fix_workbook_are_safe_and_come_back(quarantined, annual_form):
    from toolkit.store import open_store

    db, tmp = quarantined
    assert_safe_outputs(tmp / "report")
    fix = tmp / "fix" / "待修正.xlsx"
    run_cli("rejected", "export", "--form", FORM, "--db", db, "-o", fix)
    texts = assert_safe_outputs(tmp / "fix")["待修正.xlsx"]
    assert any(t.startswith("'=HYPERLINK") for t in texts)

    # staff correct 职业; the neutralised, masked concern cells go back untouched but one, edited with its '
    wb = load_workbook(fix)
    ws = wb["待修正"]
    header = [c.value for c in ws[1]]
    j = next(i for i, h in enumerate(header) if "职业" in h) + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, j).value = annual_form.question("sector").choices[0].label
    edited = ws.cell(2, next(i for i, h in enumerate(header) if "最急" in h) + 1)
    edited.value = "'@SUM(A1) 路灯修好了一半"
    edited_row = ws.cell(2, 2).value - 1
    wb.save(fix)
    res = run_cli("rejected", "resubmit", fix, "--form", FORM, "--db", db, "--operator", "张三", "--json")
    assert len(json.loads(res.stdout)["resubmitted"]) == 4

    store = open_store(db)
    try:
        report = json.loads(store.batches("annual_topics")["report"].iloc[0])
        before = {int(k): v["concern"] for k, v in report["rejected_answers"].items()}
        df = store.responses("annual_topics").set_index("row_number")
    finally:
        store.close()
    assert df.loc[edited_row, "concern"] == "@SUM(A1) 路灯修好了一半"
    for row_number, concern in before.items():
        if row_number == edited_row:
            continue
        stored = df.loc[row_number, "concern"]
        # as imported (resubmit trims surrounding blanks): no added ', phone and ID number back unmasked
        assert stored == concern.strip() and PHONE in stored and ID_NUMBER in stored


# ---- the brief (charts' CSV, candidates, deck, report, candidate list) and the demo --------------------


@pytest.mark.slow
def test_brief_writes_no_formula_and_no_personal_data(tmp_path, annual_form):
    from toolkit.sample import generate_responses
    from toolkit.store import open_store
    from toolkit.workflows import build_brief

    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(annual_form, 160, seed=3)]
    for i, r in enumerate(records[:60]):
        r["answers"]["concern"] = (
            f"{PAYLOADS[i % len(PAYLOADS)]}{r['answers'].get('concern') or '路灯坏了'}"
            f"，电话{PHONE if i % 2 else WIDE_PHONE}，身份证{ID_NUMBER}"
        )
    store = open_store(tmp_path / "brief.db")
    try:
        with store.transaction() as conn:
            batch = store.create_batch(conn, annual_form, source="sample", filename="test")
            store.add_responses(annual_form, records, source="sample", batch_id=batch, conn=conn)
        outputs = build_brief(store, annual_form, tmp_path / "out")
    finally:
        store.close()
    texts = assert_safe_outputs(tmp_path / "out")
    assert {"candidates.csv", "简报.pptx", "调研报告.docx", "选题候选清单.docx"} <= set(texts)
    assert any(name.endswith(".csv") and name != "candidates.csv" for name in texts)  # the charts' numbers
    assert outputs["deck"].name == "简报.pptx"


@pytest.mark.slow
def test_demo_outputs_hold_no_formula_and_no_personal_data(tmp_path):
    from toolkit.workflows import run_demo

    run_demo(out=tmp_path / "demo", db=tmp_path / "demo.db", n=240, seed=1, echo=lambda line: None)
    texts = assert_safe_outputs(tmp_path / "demo")
    assert {"assignments.csv", "topics.csv", "themes.csv", "简报.pptx"} <= set(texts)
