"""问卷星 exports with skip logic (2016 style): screened-out respondents are complete responses, the draft
records the skip logic it cannot see, the 省市区 column maps to a question, and a 按选项序号 file alone is
refused with a message that asks for the 按选项文本 file.

The fixture follows the real exports' conventions: meta ``序号 … 来自IP``, headers ``N、题干(单选题 *必答)``,
an unnumbered ``请选择省份城市与地区:`` column holding ``山西-晋城``; a question routed past by 跳题逻辑 is
``(跳过)`` by text and ``-3`` by code (one option column each for multiple choice), a question hidden by
关联逻辑 is ``-2`` by code; ``(空)`` is a shown question left empty.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, SHARED

from toolkit.forms import dump_form, load_form
from toolkit.ingest import ingest
from toolkit.ingest.errors import IngestError
from toolkit.ingest.infer import infer_draft
from toolkit.sample import write_rows

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
QUESTIONS = [
    "1、您的性别(单选题 *必答)",
    "2、您是否常住本区？(单选题 *必答)",
    "3、您的年龄段(单选题 *必答)",
    "4、您最关心哪些民生问题？(多选题 *必答)",
    "5、您对社区养老服务满意吗？(单选题 *必答)",
    "请选择省份城市与地区:",
    "6、您对政协有什么意见和建议？(填空题)",
]
CHOICES = {
    1: ["男", "女"],
    2: ["是", "否"],
    3: ["18~29岁", "30~44岁", "45~59岁", "60岁及以上"],
    4: ["交通出行", "教育", "医疗", "养老", "其他【请注明】"],
    5: ["很满意", "满意", "一般", "不满意"],
}
SKIP, HIDDEN = "跳过", "关联"  # routed past by 跳题 (Q2 = 否 ends the survey) / hidden by 关联 (no 养老 in Q4)
ANSWERS = [  # q1, q2, q3, q4, q5, 省市区, q6
    ("男", "是", "30~44岁", ["交通出行", "养老"], "满意", "山西-晋城", "希望多开通到市区的公交线路"),
    ("女", "是", "45~59岁", ["教育", "医疗"], HIDDEN, "山西-太原", None),
    ("女", "是", "60岁及以上", ["养老", "其他【请注明】〖社区食堂〗"], "一般", "山西-晋城", "社区食堂价格偏高"),
    ("男", "否", SKIP, SKIP, SKIP, SKIP, SKIP),
    ("男", "是", "18~29岁", ["交通出行"], HIDDEN, "山西-长治", "地铁站太远"),
    ("女", "是", "30~44岁", ["医疗", "养老"], "很满意", "山西-晋城", None),
    ("女", "否", SKIP, SKIP, SKIP, SKIP, SKIP),
    ("男", "是", "45~59岁", ["教育", "养老"], "不满意", "山西-晋城", "养老院床位不够"),
]
SCREENED = [4, 7]


def _meta(i: int) -> list:
    return [i, f"2016/12/17 14:{10 + i * 3}:55", f"{100 + i * 7}秒", "手机提交", "直接访问", f"58.49.12.{i}(山西-晋城)"]


def _by_text(a) -> list:
    single = [("(跳过)" if v in (SKIP, HIDDEN) else v) for v in a[:3]]
    q4 = "(跳过)" if a[3] == SKIP else "┋".join(a[3])
    tail = [("(跳过)" if v in (SKIP, HIDDEN) else "(空)" if v is None else v) for v in a[4:]]
    return single + [q4] + tail


def _by_code(a) -> list:
    def code(n, v):
        return -3 if v == SKIP else -2 if v == HIDDEN else CHOICES[n].index(v) + 1

    q4 = [-3] * 5 if a[3] == SKIP else [int(any(x.split("〖")[0] == c for x in a[3])) for c in CHOICES[4]]
    texts = [("(跳过)" if v == SKIP else "(空)" if v is None else v) for v in a[5:]]
    return [code(1, a[0]), code(2, a[1]), code(3, a[2]), *q4, code(5, a[4]), *texts]


def code_header() -> list[str]:
    return [*META, *QUESTIONS[:3], *(f"第4题({c})" for c in CHOICES[4]), *QUESTIONS[4:]]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    d = tmp_path_factory.mktemp("wjx2016")
    text = write_rows([*META, *QUESTIONS], [_meta(i) + _by_text(a) for i, a in enumerate(ANSWERS, 1)], d / "2016_0.xls")
    code = write_rows(code_header(), [_meta(i) + _by_code(a) for i, a in enumerate(ANSWERS, 1)], d / "2016_2.xls")
    return text, code


@pytest.mark.parametrize("with_code", [False, True])
def test_screened_out_respondents_are_complete_responses(exports, tmp_path, with_code):
    text, code = exports
    form, notes = infer_draft(text, code if with_code else None, form_id="wjx2016")
    assert [q.required for q in form.questions if q.id in ("q1", "q2", "q3", "q4", "q5")] == [True] * 5
    # codes need the platform's option order, which only a draft made with --by-code has
    paths = (text, code) if with_code else (text,)
    for path in paths:
        report = ingest(path, form, tmp_path / f"{path.stem}.db")
        assert report["rejected"] == 0, report["problems"]
        assert (report["accepted"], report["unmapped_columns"]) == (8, [])
        assert any("(跳过)" in n and "不算必答未答" in n for n in report["notes"])
    from toolkit.store import open_store

    for path in paths:
        store = open_store(tmp_path / f"{path.stem}.db")
        df = store.responses("wjx2016").set_index("external_id")
        store.close()
        # skipped stays missing: no "(跳过)", no -3/-2 stored as an answer
        screened = df.loc[[str(i) for i in SCREENED]]
        assert list(screened["q2"]) == ["2", "2"]
        for col in ("q3", "q4", "q5", "region", "q6"):
            assert screened[col].isna().all(), (path.name, col)
        assert df.loc["1", "region"] == "山西-晋城"
        assert [form.question("q4").choice_label(c) for c in df.loc["1", "q4"]] == ["交通出行", "养老"]
        assert df.loc[["2", "5"], "q5"].isna().all() and form.question("q5").choice_label(df.loc["8", "q5"]) == "不满意"
        if path == text:  # the "other" text exists only in the by-text file
            assert df.loc["3", "q4_other"] == "社区食堂"


def test_a_required_question_left_empty_is_still_quarantined(exports, tmp_path):
    text, _ = exports
    form, _ = infer_draft(text, form_id="wjx2016")
    rows = [_meta(i) + _by_text(a) for i, a in enumerate(ANSWERS, 1)]
    rows[0][6 + 2] = "(空)"  # shown, left empty: not a skip
    bad = write_rows([*META, *QUESTIONS], rows, tmp_path / "bad.xls")
    report = ingest(bad, form, tmp_path / "bad.db")
    assert report["rejected_rows"] == [1] and report["problems"][0]["rule"] == "required"


def test_draft_records_skip_logic_and_maps_the_region_column(exports, tmp_path):
    text, code = exports
    form, notes = infer_draft(text, code, form_id="wjx2016")
    region = form.question("region")
    assert (region.kind, region.role, region.label) == ("text", "district", "请选择省份城市与地区")
    skip_notes = [n for n in notes if "跳题逻辑" in n]
    assert len(skip_notes) == 1
    for qid in ("q3", "q4", "q5", "region", "q6"):
        assert f"（{qid}，" in skip_notes[0] and f"（{qid}，" in form.description
    assert "（q1，" not in skip_notes[0] and "（q2，" not in skip_notes[0]
    # the screening question shows in the answers (everyone who skipped Q3 said 否 to Q2); Q5's 关联 does not
    assert "（q3，2 份答卷跳过，从答案看可能是 relevant: ${q2} == '1'）" in skip_notes[0]
    assert "（q5，4 份答卷跳过）" in skip_notes[0]
    assert all(q.relevant is None for q in form.questions)  # a hint, never applied by itself
    # the note survives in the YAML a person reviews
    out = tmp_path / "draft.yaml"
    dump_form(form, out)
    again = load_form(out)
    assert "跳题逻辑" in again.description and again.question("region").role == "district"
    # codes give the platform's order: 满意 is option 2 although first seen first
    assert [c.label for c in form.question("q5").choices] == CHOICES[5]
    # the reviewer takes the hint: the same file still imports completely, with no skip-logic warnings
    for qid in ("q3", "q4", "region", "q6"):
        form.question(qid).relevant = "${q2} == '1'"
    report = ingest(text, form, tmp_path / "hinted.db")
    assert (report["accepted"], report["rejected"], report["warnings"]) == (8, 0, {})


def test_region_column_maps_to_the_forms_district_text_question(exports, tmp_path):
    from toolkit.forms import form_from_dict

    text, _ = exports
    form, _ = infer_draft(text, form_id="wjx2016")
    spec = form.to_dict()
    region = next(q for q in spec["questions"] if q["id"] == "region")
    region.update(id="area", label="您所在的省市")  # the survey designer's own wording
    own, _ = form_from_dict(spec)
    report = ingest(text, own, tmp_path / "own.db")
    assert report["unmapped_columns"] == [] and report["mapping"]["请选择省份城市与地区:"] == "area"
    assert report["accepted"] == 8


def test_infer_on_a_by_code_file_alone_asks_for_the_by_text_file(exports, tmp_path):
    text, code = exports
    with pytest.raises(IngestError) as err:
        infer_draft(code)
    message = str(err.value)
    assert "按选项序号" in message and "按选项文本" in message and f"--by-code {code.name}" in message
    with pytest.raises(IngestError) as err:
        infer_draft(code, text)
    assert err.value.code == "infer.by_code_swapped"
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "form", "infer", str(code), "-o", str(tmp_path / "x.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "按选项序号" in res.stderr and "--by-code" in res.stderr and not (tmp_path / "x.yaml").exists()


def test_by_code_file_without_multiple_choice_is_recognised_by_its_skip_codes(tmp_path):
    header = [*META, *QUESTIONS[:3]]
    rows = [_meta(i) + _by_code(a)[:3] for i, a in enumerate(ANSWERS, 1)]
    path = write_rows(header, rows, tmp_path / "only_single_2.xls")
    with pytest.raises(IngestError) as err:
        infer_draft(path)
    assert err.value.code == "infer.by_code_only"


REAL = SHARED / "survey-exports" / "wjx"


@pytest.mark.skipif(not REAL.exists(), reason="../shared survey exports absent")
def test_real_by_code_export_alone_is_refused_in_chinese(tmp_path):
    code = REAL / "reportgen_800_800_2_by-code.xls"
    res = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "form", "infer", str(code)], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode != 0 and "Traceback" not in res.stderr and res.stdout == ""
    assert "按选项序号" in res.stderr and f"--by-code {code.name}" in res.stderr
    # with its by-text twin it drafts without a skip-logic note (that survey has none)
    form, notes = infer_draft(REAL / "reportgen_800_800_0_by-text.xls", code)
    assert not any("跳题逻辑" in n for n in notes) and [q.kind for q in form.questions][:5] == ["single"] * 5


def test_hints_recover_the_skip_logic_of_a_known_form(tmp_path):
    from conftest import SURVEYS

    from toolkit.sample import generate_responses, write_export

    form = load_form(SURVEYS / "annual_topics.yaml")
    records = generate_responses(form, 300, seed=3)
    text = write_export(form, records, tmp_path / "t.xlsx", "wjx", by="text")
    code = write_export(form, records, tmp_path / "c.xlsx", "wjx", by="code")
    draft, notes = infer_draft(text, code)
    note = next(n for n in notes if "跳题逻辑" in n)
    for qid in ("reported_result", "phone"):  # relevant: ${reported_before} == 'yes' …
        q = form.question(qid)
        screen = form.question(q.relevant.split("}")[0].lstrip("${"))
        yes = str(screen.choice_ids().index("yes") + 1)  # 问卷星 numbers the choices 1, 2 …
        hint = f"relevant: ${{q{form.number(screen.id)}}} == '{yes}'"
        assert f"（q{form.number(qid)}，" in note and hint in note.split(f"（q{form.number(qid)}，")[1].split("）")[0]


def test_a_screened_out_row_fixed_in_the_fix_workbook_is_resubmitted_whole(exports, tmp_path):
    """A screened-out respondent with a wrong 性别 is quarantined for that only; once 性别 is corrected in the
    待修正表, its skipped questions still count as not shown (no 必答未答 on resubmit)."""
    from openpyxl import load_workbook

    from toolkit.ingest.fixes import export_rejected, resubmit_workbook
    from toolkit.store import open_store

    text, _ = exports
    form, _ = infer_draft(text, form_id="wjx2016")
    rows = [_meta(i) + _by_text(a) for i, a in enumerate(ANSWERS, 1)]
    rows[SCREENED[0] - 1][6] = "X男"
    bad = write_rows([*META, *QUESTIONS], rows, tmp_path / "bad.xls")
    report = ingest(bad, form, tmp_path / "x.db")
    assert report["rejected_rows"] == [SCREENED[0]]
    assert {p["rule"] for p in report["problems"]} != {"required"}
    store = open_store(tmp_path / "x.db")
    try:
        export_rejected(store, form, tmp_path / "fix.xlsx")
        wb = load_workbook(tmp_path / "fix.xlsx")
        ws = wb["待修正"]
        heads = [c.value for c in ws[1]]
        ws.cell(2, 1 + next(i for i, h in enumerate(heads) if h and "性别" in h), value="男")
        wb.save(tmp_path / "fix.xlsx")
        summary = resubmit_workbook(store, form, tmp_path / "fix.xlsx", operator="张三")
        assert store.rejected(status="open").empty, summary
        assert len(store.responses("wjx2016")) == len(ANSWERS)
    finally:
        store.close()
