"""The 分类统计 workbook (issue 16, item 3) and the brief's filter (item 2), on a real store."""

from __future__ import annotations

import pandas as pd
import pytest

PHONE = "13912345678"
OTHERS = ["充电桩不够", "充电桩 不够！", "充電樁不夠", "快递柜不够用", f"公墓管理，电话{PHONE}", "=1+2"]


@pytest.fixture
def filled(store):
    from conftest import SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    form = load_form(SURVEYS / "annual_topics.yaml")
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 60, seed=5)]
    for record, text in zip(records, OTHERS):
        record["answers"]["concern_areas"] = ["traffic", "other"]
        record["answers"]["concern_areas_other"] = text
    for record in records[len(OTHERS) :]:
        record["answers"].pop("concern_areas_other", None)
        record["answers"]["concern_areas"] = [c for c in record["answers"].get("concern_areas", []) if c != "other"]
    store.add_responses(form, records, source="sample")
    return store, form


def _sheet(book, prefix: str):
    (name,) = [n for n in book.sheetnames if n.startswith(prefix)]
    return [row for row in book[name].iter_rows(values_only=True) if any(v is not None for v in row)], book[name]


def _block(rows, header_first: str):
    """The rows of the table whose header row starts with ``header_first``, up to the next blank."""
    start = next(i for i, r in enumerate(rows) if r[0] == header_first)
    out = []
    for row in rows[start + 1 :]:
        if row[1] is None:
            break
        out.append(row)
    return rows[start], out


def test_one_sheet_per_question_with_counts_bases_and_charts(filled, tmp_path):
    from openpyxl import load_workbook

    from toolkit.brief import Survey
    from toolkit.brief.workbook import write_workbook

    store, form = filled
    survey = Survey.load(store, form)
    path = write_workbook(survey, tmp_path / "分类统计.xlsx")
    again = write_workbook(survey, tmp_path / "again.xlsx")
    assert path.read_bytes() == again.read_bytes()
    book = load_workbook(path)
    assert book.sheetnames[0] == "目录"
    tabulated = [
        q for q in form.answer_questions() if q.kind in ("single", "multiple", "ranking", "likert", "number", "date")
    ]
    assert len(book.sheetnames) == 1 + len(tabulated)
    responses = survey.responses

    # a multiple-choice question: % of the people who answered it (its base), so they add to more than 100
    rows, sheet = _sheet(book, f"{form.number('concern_areas')}_")
    header, table = _block(rows, "选项")
    base = int(responses["concern_areas"].map(lambda v: bool(v) if isinstance(v, (list, tuple)) else False).sum())
    assert f"作答人数（基数）{base}" in rows[1][0]
    counts = {label: n for label, n, *_ in table}
    traffic = sum("traffic" in v for v in responses["concern_areas"] if isinstance(v, (list, tuple)))
    assert counts["交通出行与停车"] == traffic
    assert dict((label, p) for label, _n, p, *_ in table)["交通出行与停车"] == round(100 * traffic / base + 1e-9, 1)
    assert sum(p for _l, _n, p, *_ in table) > 100 and len(sheet._charts) == 1

    # the “其他（请注明）” texts: the same words grouped whatever their width, script or spacing; masked; inert
    _, others = _block(rows, "填写内容（相同说法已归并）")
    grouped = {text: n for text, n, *_ in others}
    assert grouped["充电桩不够"] == 3 and sum(grouped.values()) == len(OTHERS)
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert PHONE not in " ".join(str(c.value) for c in cells) and all(c.data_type != "f" for c in cells)

    # a number question: the summary equals pandas' on the answers, and the histogram's bins count them all
    rows, sheet = _sheet(book, f"{form.number('years_here')}_")
    values = pd.to_numeric(responses["years_here"], errors="coerce").dropna()
    _, stats = _block(rows, "统计量")
    facts = {r[0]: r[1] for r in stats}
    assert facts["作答人数"] == len(values) and facts["中位数"] == values.median()
    assert facts["下四分位数（25%的人不超过）"] == values.quantile(0.25) and facts["平均数"] == round(values.mean(), 2)
    _, bins = _block(rows, "分组")
    assert sum(r[1] for r in bins) == len(values) and len(sheet._charts) == 1

    # a date question: a timeline whose periods count every answer
    rows, sheet = _sheet(book, f"{form.number('fill_date')}_")
    _, periods = _block(rows, "周起始日" if rows[3][0] == "周起始日" else "月起始日")
    assert sum(r[1] for r in periods) == responses["fill_date"].notna().sum() and len(sheet._charts) == 1

    # a Likert matrix: one row per statement, its base and shares
    rows, _ = _sheet(book, f"{form.number('services')}_")
    header, statements = _block(rows, "项目")
    assert len(statements) == len(form.question("services").rows) and "不满意(%)" in header


def test_the_chart_numbers_go_on_the_question_sheet(filled, tmp_path):
    from openpyxl import load_workbook

    from toolkit.brief import Survey
    from toolkit.brief.findings import choice_bars
    from toolkit.brief.workbook import write_workbook

    store, form = filled
    survey = Survey.load(store, form)
    made = [chart for _, chart in choice_bars(survey, tmp_path / "charts")]
    book = load_workbook(write_workbook(survey, tmp_path / "w.xlsx", charts=made))
    chart = next(c for c in made if c.question == "sector")
    rows, _ = _sheet(book, f"{form.number('sector')}_")
    heading = next(r[0] for r in rows if str(r[0]).startswith("图表数据"))
    assert f"charts/{chart.stem}.csv" in heading and chart.title in heading


def test_a_filter_chooses_the_responses_and_is_said_on_each_chart(filled, tmp_path):
    from toolkit.analysis import filter_in_words, filter_responses
    from toolkit.brief import BriefError, Survey
    from toolkit.brief.findings import choice_bars, district_bars

    store, form = filled
    chosen = "${age_band} == '60_plus'"
    words = filter_in_words(form, chosen)
    survey = Survey.load(store, form, where=lambda page: filter_responses(page, form, chosen), filter_words=words)
    assert set(survey.responses["age_band"]) == {"60_plus"} and survey.n_total == 60 > survey.n
    made = [district_bars(survey, tmp_path), *(c for _, c in choice_bars(survey, tmp_path))]
    assert all(f"筛选：{words}" in chart.subtitle for chart in made) and words == "年龄为“60岁及以上”"
    assert survey.filter_note().startswith(f"本报告只统计符合筛选条件（{words}）的答卷：{survey.n} 份")
    with pytest.raises(BriefError) as err:
        Survey.load(store, form, where=lambda page: page.iloc[:0], filter_words="无人")
    assert err.value.code == "brief.filter_matches_none" and "共 60 份答卷，符合 0 份" in str(err.value)


@pytest.mark.slow  # a whole brief (topics, ranking, charts, deck, report, workbook)
def test_a_filtered_brief_says_its_filter_on_every_chart_and_in_the_report(filled, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from toolkit.brief import BriefError, Survey
    from toolkit.workflows import build_brief

    store, form = filled
    chosen = "${district} == 'donghu' or ${district} == 'xishan'"
    everyone = Survey.load(store, form)
    expected = int(everyone.responses["district"].isin(["donghu", "xishan"]).sum())
    assert 0 < expected < everyone.n
    # a form without concerns would do the same; the survey's own questions are enough here
    outputs = build_brief(store, form, tmp_path / "out", filter=chosen, sample_size=10_000)
    words = "镇街为“东湖街道”或镇街为“西山街道”"
    from pptx import Presentation

    deck = Presentation(outputs["deck"])
    subtitles = [
        sh.text_frame.text
        for slide in list(deck.slides)[1:]
        for sh in slide.shapes
        if sh.has_text_frame and sh.text_frame.text.startswith("N=")
    ]
    assert subtitles and all(f"筛选：{words}" in s for s in subtitles)
    report = "\n".join(p.text for p in Document(outputs["report"]).paragraphs)
    assert f"本报告只统计符合筛选条件（{words}）的答卷：{expected} 份，占全部有效答卷 {everyone.n} 份" in report
    quality = {r.cells[0].text: r.cells[1].text for r in Document(outputs["report"]).tables[-1].rows[1:]}
    assert quality["符合筛选条件的答卷"] == str(expected) and quality["有效答卷"] == str(everyone.n)
    book = load_workbook(outputs["workbook"])
    assert words in book["目录"]["A2"].value
    district = next(c for c in Survey.load(store, form).form.questions if c.id == "district")
    rows, _ = _sheet(book, f"{form.number(district.id)}_")
    _, table = _block(rows, "选项")
    assert {label for label, n, *_ in table if n} == {"东湖街道", "西山街道"}

    with pytest.raises(BriefError) as err:
        build_brief(store, form, tmp_path / "none", filter="${district} == 'donghu' and ${district} == 'xishan'")
    assert err.value.code == "brief.filter_matches_none" and "符合 0 份" in str(err.value)
    assert not (tmp_path / "none").exists()
