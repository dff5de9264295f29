"""What a reader of the deck and the report saw (issue 16, item 5): ties, even splits, one rounding, wrapped
item numbers, heatmap labels, half-width punctuation, a broken report title, jargon on the method page —
and the deck's native, editable charts with their numbers in the notes and the title said once."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from toolkit.brief import charts  # noqa: E402
from toolkit.brief.figure import chinese_punctuation, title_lines, wrap  # noqa: E402
from toolkit.forms.model import Choice, Form, Question  # noqa: E402


def single(qid: str, label: str, *choices: str, role=None, kind="single") -> Question:
    return Question(
        id=qid, kind=kind, label=label, role=role, choices=[Choice(id=f"c{i}", label=c) for i, c in enumerate(choices)]
    )


def survey_of(questions: list[Question], rows: list[dict]):
    from toolkit.brief.survey import Survey

    frame = pd.DataFrame(rows)
    frame["response_id"] = range(1, len(frame) + 1)
    frame["submitted_at"] = pd.Timestamp("2026-03-02")
    form = Form(id="t", title="测试问卷", questions=questions)
    return Survey(form=form, responses=frame, counts={}, batches=pd.DataFrame())


# -- headlines ------------------------------------------------------------------------------------------------


def test_a_tie_names_every_answer_tied_for_most_not_one_of_them():
    from toolkit.brief.findings import choice_headline

    q = single("area", "您最关心哪方面？", "停车", "电梯", "噪音")
    counts = pd.Series({"电梯": 30, "停车": 30, "噪音": 10})
    title = choice_headline(q, counts, 70)
    assert "“电梯”“停车”并列最多（各42.9%）" in title and title.startswith("最关心哪方面")


def test_tied_districts_likert_rows_and_issues_are_all_named(tmp_path):
    from toolkit.brief.findings import district_bars, likert_bars, quotes

    district = single("district", "您所在的镇街", "东湖街道", "西山街道", "新港镇", role="district")
    scale = [
        Choice(id=str(i), label=x) for i, x in enumerate(["很不满意", "不太满意", "一般", "比较满意", "很满意"], 1)
    ]
    services = Question(
        id="services",
        kind="likert",
        label="满意程度",
        choices=scale,
        rows=[Choice(id="bus", label="公交"), Choice(id="road", label="道路"), Choice(id="park", label="公园")],
    )
    rows = [
        {"district": d, "services/bus": b, "services/road": r, "services/park": "5"}
        for d, b, r in [("c0", "1", "2"), ("c0", "5", "5"), ("c1", "2", "1"), ("c1", "4", "4"), ("c2", "5", "5")]
    ]
    survey = survey_of([district, services], rows)
    title = district_bars(survey, tmp_path).title
    assert title.startswith("东湖街道、西山街道答卷并列最多，各占40.0%")
    (likert,) = likert_bars(survey, tmp_path)
    assert likert.title.startswith("“公交”“道路”并列最不满意：各有40.0%")
    candidates = pd.DataFrame(
        {"rank": [1, 2], "label": ["甲议题", "乙议题"], "n_voices": [9, 9], "representative": ["车位少", "电梯坏"]}
    )
    said = quotes(survey, candidates, tmp_path)
    assert "“甲议题”“乙议题”人数并列最多（各9人）" in said.title
    # and each tie headline passes the check every headline of a built brief passes against its CSV
    from test_brief_build import check_headline

    for chart in (district_bars(survey, tmp_path), likert, said):
        check_headline(chart.title, chart.stem, pd.read_csv(chart.paths["csv"], encoding="utf-8-sig"))


def test_choice_headlines_pass_the_csv_check_when_tied_close_or_clear(tmp_path):
    from test_brief_build import check_headline

    from toolkit.brief.findings import choice_bars

    questions = [
        single("tied", "您最关心哪方面？", "停车", "电梯", "噪音"),
        single("even", "您反映过吗？", "是", "否"),
        single("close", "您常去哪里？", "公园", "广场", "图书馆"),
        single("clear", "您常用的出行方式", "公交", "步行", "开车"),
    ]
    shares = {"tied": (40, 40, 20), "even": (51, 49), "close": (41, 40, 19), "clear": (70, 20, 10)}
    answers = {q: [f"c{j}" for j, n in enumerate(counts) for _ in range(n)] for q, counts in shares.items()}
    rows = [{q: answers[q][i] for q in answers} for i in range(100)]
    survey = survey_of(questions, rows)
    made = {q.id: chart for q, chart in choice_bars(survey, tmp_path)}
    assert "并列最多" in made["tied"].title and "“公交”最多（70.0%）" in made["clear"].title
    assert "大致各半" in made["even"].title and "不相上下" in made["close"].title
    for chart in made.values():
        check_headline(chart.title, chart.stem, pd.read_csv(chart.paths["csv"], encoding="utf-8-sig"))


def test_an_even_split_is_called_one_and_the_question_is_named():
    from toolkit.brief.findings import choice_headline

    q = single("reported", "这个问题您以前向有关部门反映过吗？", "是", "否")
    title = choice_headline(q, pd.Series({"是": 506, "否": 494}), 1000)
    assert title == "这个问题您以前向有关部门反映过吗：两种回答大致各半（“是”50.6%，“否”49.4%）"
    three = single("way", "您常用的出行方式", "公交", "步行", "开车")
    title = choice_headline(three, pd.Series({"公交": 41, "步行": 40, "开车": 19}), 100)
    assert title == "常用的出行方式：“公交”与“步行”不相上下（41.0%、40.0%）"
    assert "最多" in choice_headline(three, pd.Series({"公交": 60, "步行": 30, "开车": 10}), 100)


def test_title_chart_labels_and_csv_share_one_rounding(tmp_path):
    """1251 of 2000 is 62.55 %: half up to 62.6 everywhere (float rounding gave 62.5 in the chart, 63 in the title)."""
    from toolkit.brief.findings import choice_headline

    q = single("q", "您的意见", "赞成", "反对")
    counts = pd.Series({"赞成": 1251, "反对": 749})
    title = choice_headline(q, counts, 2000)
    chart = charts.bar_chart(counts, title=title, path_stem=tmp_path / "q", base=2000)
    data = pd.read_csv(chart.paths["csv"], encoding="utf-8-sig")
    assert "62.6%" in title and data["占比(%)"].tolist() == [62.6, 37.5]
    assert chart.native.labels == ["1,251（62.6%）", "749（37.5%）"]


# -- layout ---------------------------------------------------------------------------------------------------


def test_an_item_number_is_never_a_line_of_its_own():
    label = "1. 丽发新城小区搅拌站夜间施工噪音扰民问题"
    lines = wrap(label, 18).split("\n")
    assert lines[0].startswith("1. 丽") and len(lines) == 2
    assert "".join(lines) == label
    # Latin words and numbers stay whole; a line never starts with closing punctuation
    assert all(
        not line.startswith(("，", "）", "。"))
        for line in wrap("停车位（含充电桩）严重不足，晚上无处停车", 6).split("\n")
    )
    assert "Wi-Fi" in wrap("小区Wi-Fi覆盖差", 4).split("\n")[1] + wrap("小区Wi-Fi覆盖差", 4).split("\n")[0]


def test_heatmap_column_labels_are_whole_names(tmp_path):
    table = pd.DataFrame(
        [[3, 1], [0, 4]], index=["1. 停车难", "2. 加装电梯"], columns=["教育界", "社会福利和社会保障界"]
    )
    chart = charts.heatmap_chart(table, title="测试", path_stem=tmp_path / "h")
    chart.figure.canvas.draw()
    labels = [t.get_text() for t in chart.figure.axes[0].get_xticklabels()]
    assert labels == ["教育界", "社会福利和社会保障界"]


def test_quotes_get_their_chinese_punctuation_back(tmp_path):
    assert (
        chinese_punctuation("停车难,晚上(8点后)没位置!价格3.5元,共1,000人")
        == "停车难，晚上（8点后）没位置！价格3.5元，共1,000人"
    )
    chart = charts.quotes_chart(
        [{"label": "停车难", "n": 3, "quotes": ["停车难,晚上没位置!"]}], title="t", path_stem=tmp_path / "q"
    )
    assert pd.read_csv(chart.paths["csv"], encoding="utf-8-sig")["引述"].tolist() == ["停车难，晚上没位置！"]
    from toolkit.brief.build import issue_line
    from toolkit.brief.candidate_list import typical

    row = {"label": "停车难", "n_voices": 3, "representative": "车位少,怎么办?"}
    assert issue_line(row) == "停车难：3人反映，如“车位少，怎么办？”。" and typical(row) == "车位少，怎么办？"


def test_the_report_title_breaks_between_words(tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    from toolkit.brief.docx_tools import new_document, save_document

    title = "2026年度“有事好商量”一线协商选题征集问卷调研报告"
    assert title_lines(title, 20) == ["2026年度“有事好商量”", "一线协商选题征集问卷调研报告"]
    save_document(new_document(title, "副标题"), tmp_path / "r.docx")
    heading = Document(tmp_path / "r.docx").paragraphs[0]
    assert heading.text == "2026年度“有事好商量”\n一线协商选题征集问卷调研报告"
    assert len(heading._p.findall(".//" + qn("w:br"))) == 1
    assert title_lines("短标题调研报告", 20) == ["短标题调研报告"]


def test_the_method_page_is_plain_chinese_and_the_technical_note_keeps_the_terms():
    from types import SimpleNamespace

    from toolkit.brief.build import method_notes, technical_notes

    survey = survey_of([single("q", "问题", "甲", "乙")], [{"q": "c0"}])
    ranker = SimpleNamespace(weights_={"volume": 0.5, "intensity": 0.5})
    jargon = ("TF-IDF", "LSA", "k-means", "jieba", "mplfonts", "Okabe", "0—1", "归一", "加权")
    plain = "\n".join(method_notes(survey, ranker, ["乡村振兴"]) + method_notes(survey))
    assert not [word for word in jargon if word in plain]
    technical = "\n".join(technical_notes(ranker))
    assert all(word in technical for word in ("TF-IDF", "k-means", "Okabe–Ito"))


# -- the deck -------------------------------------------------------------------------------------------------


@pytest.fixture
def deck(tmp_path):
    from toolkit.brief.deck import write_deck

    made = [
        charts.bar_chart(
            pd.Series({"东湖街道": 12, "西山街道": 8}),
            title="东湖街道答卷最多",
            subtitle="N=20",
            path_stem=tmp_path / "c" / "03_a",
        ),
        charts.likert_chart(
            pd.DataFrame(
                [[1, 2, 3, 4, 5]], index=["公交"], columns=["很不满意", "不太满意", "一般", "比较满意", "很满意"]
            ),
            title="“公交”最不满意",
            subtitle="N=15",
            path_stem=tmp_path / "c" / "04_a",
        ),
        charts.timeline_chart(
            pd.Series([3, 8], index=pd.to_datetime(["2024-03-04", "2024-03-11"])),
            title="峰值",
            path_stem=tmp_path / "c" / "05_a",
        ),
        charts.heatmap_chart(
            pd.DataFrame([[3]], index=["停车"], columns=["教育界"]), title="热力图", path_stem=tmp_path / "c" / "02_a"
        ),
    ]
    paths = [
        write_deck(tmp_path / f"d{i}.pptx", title="测试简报", subtitle="N=20", charts=made, technical=["TF-IDF"])
        for i in (1, 2)
    ]
    return made, paths


def test_charts_are_native_with_no_title_of_their_own_and_numbers_in_the_notes(deck):
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    made, (path, again) = deck
    assert path.read_bytes() == again.read_bytes()  # the embedded workbooks too: same input, same bytes
    slides = list(Presentation(path).slides)[1:5]
    kinds = []
    for slide, chart in zip(slides, made):
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert texts.count(chart.title) == 1
        natives = [sh.chart for sh in slide.shapes if sh.has_chart]
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        if natives:
            assert not natives[0].has_title and not pictures
            kinds.append(natives[0].chart_type)
        else:  # a picture without the title drawn on it
            assert pictures[0].image.blob != chart.png.read_bytes()
        notes = slide.notes_slide.notes_text_frame.text
        assert f"charts/{chart.stem}.csv" in notes
    assert kinds == [XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED_100, XL_CHART_TYPE.LINE_MARKERS]
    bars = slides[0].shapes[-1].chart if slides[0].shapes[-1].has_chart else None
    bars = next(sh.chart for sh in slides[0].shapes if sh.has_chart)
    assert list(bars.plots[0].categories) == ["东湖街道", "西山街道"] and list(bars.series[0].values) == [12, 8]
    assert (
        "东湖街道" in slides[0].notes_slide.notes_text_frame.text
        and "60.0" in slides[0].notes_slide.notes_text_frame.text
    )


def test_the_picture_leaves_its_title_to_the_slide(deck, monkeypatch):
    from matplotlib.text import Text

    from toolkit.brief.figure import HEADING_GID

    made, _ = deck
    heatmap = made[-1]
    fig = heatmap.figure
    drawn, save = [], fig.savefig

    def spy(*args, **kwargs):  # the heading texts as they are when the picture is drawn
        drawn.append(sorted(t.get_text() for t in fig.findobj(Text) if t.get_gid() == HEADING_GID))
        return save(*args, **kwargs)

    monkeypatch.setattr(fig, "savefig", spy)
    heatmap._headless.clear()
    heatmap.headless_png(dpi=50)
    assert drawn == [[""]]  # the title (this chart has no subtitle): left to the slide
    assert fig._suptitle.get_text() == "热力图"  # and back for the chart's own files
