"""KoboToolbox / ODK Central exports of our XLSForm: a Likert matrix comes back as one question.

The column names are derived from the XLSForm workbook that ``toolkit.forms.xlsform`` writes (its
group and row names), not from the ingest stage's own export helper, so the two stay in step.
"""

from __future__ import annotations

import hashlib

import pytest
from openpyxl import load_workbook

from toolkit.forms.xlsform import write_xlsform
from toolkit.ingest import ingest, read_export
from toolkit.sample import write_rows
from toolkit.store import open_store

PLATFORMS = {  # meta columns before / after the questions, path separator, CSV delimiter
    "kobo": (["start", "end"], ["_id", "_uuid", "_submission_time", "_validation_status", "_index"], "/", ";"),
    "odk": (
        ["SubmissionDate", "start", "end"],
        ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "ReviewState"],
        "-",
        ",",
    ),
}


@pytest.fixture(scope="module")
def records():
    from conftest import SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    recs = generate_responses(load_form(SURVEYS / "annual_topics.yaml"), 30, seed=3)
    return [r for r in recs if r["answers"].get("services")][:20]


def _survey_paths(xlsform_path) -> list[tuple[list[str], str, str]]:
    """(group path, name, type) of every answer field in the XLSForm's survey sheet, in order."""
    rows = list(load_workbook(xlsform_path, read_only=True)["survey"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    stack, out = [], []
    for row in rows[1:]:
        kind, name = str(row[col["type"]] or ""), row[col["name"]]
        if kind.replace(" ", "_") == "begin_group":
            stack.append(name)
        elif kind.replace(" ", "_") == "end_group":
            stack.pop()
        elif kind and kind != "note":
            out.append((list(stack), name, kind))
    return out


def _platform_csv(form, records, xlsform_path, platform, path, groups=True):
    before, after, sep, delimiter = PLATFORMS[platform]
    fields = _survey_paths(xlsform_path)
    matrix_groups = {q.id for q in form.questions if q.is_matrix}
    header = list(before)
    for stack, name, kind in fields:
        header.append(sep.join([*stack, name]) if groups else name)
        if platform == "kobo" and kind.startswith("select_multiple"):
            q = form.question(name)
            header.extend(f"{name}/{c}" for c in q.choice_ids())
    header += after
    rows = []
    for i, r in enumerate(records):
        a = r["answers"]
        uuid = hashlib.sha256(f"{platform}{i}".encode()).hexdigest()[:32]
        when = f"2026-05-0{1 + i % 9}T0{i % 10}:1{i % 6}:00"
        row = (
            [when + ".000+08:00", when + ".000+08:00"]
            if platform == "kobo"
            else [when + ".000Z", when + ".000+08:00", when + ".000+08:00"]
        )
        for stack, name, kind in fields:
            if stack and stack[-1] in matrix_groups:  # a matrix row: services_medical -> medical
                row.append((a.get(stack[-1]) or {}).get(name[len(stack[-1]) + 1 :], ""))
                continue
            v = a.get(name)
            row.append(" ".join(v) if isinstance(v, list) else ("" if v is None else v))
            if platform == "kobo" and kind.startswith("select_multiple"):
                row.extend(("1" if c in v else "0") if v else "" for c in form.question(name).choice_ids())
        row += (
            [1000 + i, uuid, when, "", i + 1]
            if platform == "kobo"
            else [f"uuid:{uuid}", f"uuid:{uuid}", 7, "采集员", 0, "approved"]
        )
        rows.append(row)
    return write_rows(header, rows, path, delimiter=delimiter, encoding="utf-8", neutralise=False)


@pytest.mark.parametrize("platform", ["kobo", "odk"])
def test_matrix_rows_map_back_to_the_likert_question(tmp_path, annual_form, records, platform):
    xlsform = write_xlsform(annual_form, tmp_path / "annual_topics.xlsx")
    path = _platform_csv(annual_form, records, xlsform, platform, tmp_path / f"{platform}.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert ("services/services_medical" if platform == "kobo" else "services-services_medical") in header
    report = ingest(path, annual_form, tmp_path / "m.db")
    assert report["source"] == platform
    assert (report["accepted"], report["rejected"], report["unmapped_columns"]) == (len(records), 0, [])
    store = open_store(tmp_path / "m.db")
    try:
        df = store.responses("annual_topics").sort_values("row_number")
        got = [store.response(int(i))["answers"] for i in df["response_id"]]
    finally:
        store.close()
    assert [g["services"] for g in got] == [r["answers"]["services"] for r in records]
    assert [g.get("sector") for g in got] == [r["answers"].get("sector") for r in records]
    assert "services/medical" in df.columns  # the DataFrame shape of a matrix row


def test_kobo_export_without_group_names(tmp_path, annual_form, records):
    xlsform = write_xlsform(annual_form, tmp_path / "annual_topics.xlsx")
    path = _platform_csv(annual_form, records[:6], xlsform, "kobo", tmp_path / "flat.csv", groups=False)
    got = read_export(path, annual_form)
    assert got["unmapped"] == []
    assert [a["services"] for a in got["answers"]] == [r["answers"]["services"] for r in records[:6]]


def test_a_bad_matrix_cell_is_quarantined(tmp_path, annual_form, records):
    xlsform = write_xlsform(annual_form, tmp_path / "annual_topics.xlsx")
    bad = [dict(r, answers=dict(r["answers"])) for r in records[:4]]
    bad[1]["answers"]["services"] = dict(bad[1]["answers"]["services"], transport="9")  # not on the 1–5 scale
    report = ingest(
        _platform_csv(annual_form, bad, xlsform, "kobo", tmp_path / "bad.csv"), annual_form, tmp_path / "b.db"
    )
    assert (report["accepted"], report["rejected"], report["rejected_rows"]) == (3, 1, [2])
    problem = report["problems"][0]
    assert problem["rule"] == "choice" and "9" in problem["message"], problem


def test_kobo_export_with_label_headers(tmp_path, annual_form, records):
    """Kobo's "labels" export: headers 题干/行标签 and option labels in the cells."""
    q = annual_form.question("services")
    header = ["_uuid", "_submission_time", "_id", *(f"{q.label}/{r.label}" for r in q.rows)]
    rows = [
        [
            f"u{i}",
            f"2026-05-01T08:0{i}:00",
            i,
            *(
                q.choice_label(a["answers"]["services"][r.id]) if r.id in a["answers"]["services"] else ""
                for r in q.rows
            ),
        ]
        for i, a in enumerate(records[:5])
    ]
    got = read_export(
        write_rows(header, rows, tmp_path / "labels.csv", delimiter=";", neutralise=False), annual_form, source="kobo"
    )
    assert got["unmapped"] == []
    assert [a["services"] for a in got["answers"]] == [r["answers"]["services"] for r in records[:5]]
