"""交叉分析: counts, bases and percentages checked against tables counted by hand, p-values against scipy on
the same tables, filters in the form's expression language, on responses kept in a real store (both backends)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.analysis import AnalysisError, crosstab, filter_in_words, filter_responses, independence_test
from toolkit.forms import form_from_dict


def _choices(**labels: str) -> list[dict]:
    """``donghu="东湖街道", …`` as a question's choices (or a matrix's rows)."""
    return [{"id": key, "label": label} for key, label in labels.items()]


FORM = {
    "id": "xt",
    "title": "交叉分析测试问卷",
    "version": "1",
    "questions": [
        {"id": "serial", "kind": "text", "role": "serial", "label": "问卷编号"},
        {
            "id": "district",
            "kind": "single",
            "role": "district",
            "label": "您所在的镇街",
            "choices": _choices(donghu="东湖街道", xishan="西山街道", qingshi="青石镇"),
        },
        {
            "id": "sex",
            "kind": "single",
            "label": "性别",
            "choices": _choices(m="男", f="女"),
        },
        {
            "id": "areas",
            "kind": "multiple",
            "label": "您关心哪些方面？",
            "choices": _choices(traffic="交通", elderly="养老", schooling="上学"),
        },
        {
            "id": "services",
            "kind": "likert",
            "label": "满意程度",
            "choices": [{"id": "1", "label": "不满意"}, {"id": "2", "label": "一般"}, {"id": "3", "label": "满意"}],
            "rows": _choices(medical="看病", transport="出行", school="上学"),
        },
        {"id": "years", "kind": "number", "integer": True, "label": "居住年数"},
        {"id": "fill_date", "kind": "date", "label": "填写日期"},
        {"id": "opinion", "kind": "concern", "label": "意见建议"},
    ],
}


def make_form():
    form, problems = form_from_dict(FORM)
    assert not [p for p in problems if p.is_error]
    return form


def answers_for(cells: dict[tuple[str, str], int]) -> list[dict]:
    """Respondents for a table counted by hand: {(district, sex): how many}."""
    return [{"district": d, "sex": s} for (d, s), n in cells.items() for _ in range(n)]


def stored(store, form, records: list[dict]) -> pd.DataFrame:
    store.add_responses(form, [{"answers": a} for a in records], source="sample")
    return store.responses(form.id)


def test_counts_percentages_and_chi_square_equal_a_table_counted_by_hand(store):
    form = make_form()
    cells = {("donghu", "m"): 30, ("donghu", "f"): 10, ("xishan", "m"): 12, ("xishan", "f"): 28}
    frame = stored(store, form, [*answers_for(cells), {"district": "qingshi"}, {"sex": "f"}])
    t = crosstab(frame, form, "district", "sex")
    hand = np.array([[30, 10], [12, 28], [0, 0]])
    assert t.counts.index.tolist() == ["东湖街道", "西山街道", "青石镇"]  # labels, in the form's order
    assert t.counts.columns.tolist() == ["男", "女"]
    assert (t.counts.to_numpy() == hand).all()
    assert t.n == 80 and t.responses == 82  # who answered only one question is not counted
    assert t.col_base.tolist() == [42, 38] and t.row_base.tolist() == [40, 40, 0]
    assert t.col_percent.loc["东湖街道", "男"] == pytest.approx(100 * 30 / 42)
    assert t.row_percent.loc["西山街道", "女"] == pytest.approx(100 * 28 / 40)
    expected = stats.chi2_contingency(np.array([[30, 10], [12, 28]]))  # the empty 青石镇 row is left out
    assert t.test.method == "卡方检验（连续性校正）"
    assert t.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert t.test.statistic == pytest.approx(expected.statistic)
    assert t.reading == "差异显著（p<0.001）"
    data = t.to_dict()
    assert data["counts"]["东湖街道"]["男"] == 30 and data["p_value"] == t.p_value
    assert data["bases"]["cols"] == {"男": 42, "女": 38} and data["test"]["method"] == t.test.method


def test_fisher_for_a_small_two_by_two_and_no_difference_read_plainly(store):
    form = make_form()
    cells = {("donghu", "m"): 3, ("donghu", "f"): 1, ("xishan", "m"): 2, ("xishan", "f"): 3}
    t = crosstab(stored(store, form, answers_for(cells)), form, "district", "sex")
    odds, p = stats.fisher_exact([[3, 1], [2, 3]])
    assert t.test.method == "Fisher 精确检验"
    assert t.p_value == pytest.approx(p) and t.test.statistic == pytest.approx(odds)
    assert t.reading == f"差异不显著（p={p:.3f}）"
    assert any("少于 30 人" in w and "“东湖街道”（4 人）" in w for w in t.warnings)


def test_larger_table_with_small_cells_uses_a_seeded_monte_carlo_p_value():
    table = np.array([[8, 1, 0], [2, 9, 1], [1, 2, 6]])
    result = independence_test(table)
    method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(0))
    expected = stats.chi2_contingency(table, correction=False, method=method)
    assert "蒙特卡洛" in result.method and result.dof == 4
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.statistic == pytest.approx(stats.chi2_contingency(table, correction=False).statistic)
    assert independence_test(table).p_value == result.p_value  # the same data, the same p
    assert independence_test([[5, 0], [0, 0]]).p_value is None  # one category answered: no test


def test_multiple_choice_base_is_respondents_and_each_option_is_tested(store):
    form = make_form()
    records = (
        [{"sex": "m", "areas": ["traffic", "elderly"]}] * 20
        + [{"sex": "m", "areas": ["traffic"]}] * 15
        + [{"sex": "f", "areas": ["elderly", "schooling"]}] * 25
        + [{"sex": "f", "areas": ["traffic"]}] * 10
        + [{"sex": "f"}] * 5  # did not answer the multiple choice: not in any base
    )
    t = crosstab(stored(store, form, records), form, "areas", "sex")
    assert t.rows.multiple and t.col_base.tolist() == [35, 35] and t.n == 70
    assert t.counts.loc["交通"].tolist() == [35, 10] and t.counts.loc["养老"].tolist() == [20, 25]
    assert t.col_percent["男"].sum() == pytest.approx(100 * (35 + 20) / 35)  # more than 100 %: several ticks
    assert t.test is None and t.p_value is None and [x.option for x in t.tests] == ["交通", "养老", "上学"]
    # 交通: chosen or not × 男/女, counted by hand
    expected = stats.chi2_contingency(np.array([[35, 10], [0, 25]]))
    assert t.tests[0].p_value == pytest.approx(expected.pvalue)
    assert any("可选多项" in n and "百分比之和可超过 100%" in n for n in t.notes)
    assert t.to_dict()["tests"][0]["option"] == "交通"


def test_likert_row_numbers_binned_dates_by_month(store):
    form = make_form()
    records = [
        {"services": {"medical": "1", "transport": "3"}, "years": 3, "fill_date": "2026-04-02", "sex": "m"},
        {"services": {"medical": "3"}, "years": 12, "fill_date": "2026-04-30", "sex": "f"},
        {"services": {"medical": "3"}, "years": 47, "fill_date": "2026-06-01", "sex": "f"},
        {"services": {"medical": "2"}, "years": 0, "fill_date": "2026-06-15", "sex": "m"},
        {"services": {"medical": "2"}, "years": 25, "fill_date": "2026-05-15", "sex": "m"},
        {"services": {"medical": "2"}, "years": 31, "fill_date": "2026-05-16", "sex": "m"},
        {"services": {"medical": "1"}, "years": 19, "fill_date": "2026-05-17", "sex": "m"},
        {"services": {"medical": "1"}, "years": 8, "fill_date": "2026-05-18", "sex": "f"},
        {"services": {"medical": "2"}, "years": 10, "fill_date": "2026-05-19", "sex": "m"},
    ]
    frame = stored(store, form, records)
    likert = crosstab(frame, form, "services/medical", "sex")
    assert likert.counts.index.tolist() == ["不满意", "一般", "满意"]
    assert likert.counts.loc["满意", "女"] == 2
    years = crosstab(frame, form, "years", "fill_date")
    assert years.counts.index.tolist() == ["0–9", "10–19", "20–29", "30–39", "40–49"]
    assert years.counts.columns.tolist() == ["2026年4月", "2026年5月", "2026年6月"]
    assert years.row_base.tolist() == [3, 3, 1, 1, 1]  # 3, 0, 8 | 12, 19, 10 | 25 | 31 | 47
    assert years.col_base.tolist() == [2, 5, 2]
    with pytest.raises(AnalysisError) as err:
        crosstab(frame, form, "services", "sex")
    assert err.value.code == "analysis.matrix_row_needed" and "services/medical" in str(err.value)
    with pytest.raises(AnalysisError) as err:
        crosstab(frame, form, "opinion", "sex")
    assert err.value.code == "analysis.not_tabulable"
    with pytest.raises(AnalysisError) as err:
        crosstab(frame, form, "sex", "sex")
    assert err.value.code == "analysis.same_question"


def test_filter_in_the_forms_expression_language(store):
    form = make_form()
    records = [
        {"district": "donghu", "sex": "m", "years": 5, "areas": ["traffic"]},
        {"district": "donghu", "sex": "f", "years": 20, "areas": ["elderly"]},
        {"district": "xishan", "sex": "f", "years": 30, "areas": ["traffic", "elderly"]},
        {"district": "qingshi", "sex": "m", "services": {"medical": "1"}},
        {"sex": "f"},
    ]
    frame = stored(store, form, records)
    chosen = filter_responses(frame, form, "${district} == 'donghu' and ${sex} != 'f'")
    assert chosen["years"].tolist() == [5]
    assert chosen.index.tolist() == [0]  # aligned with the frame it came from
    assert len(filter_responses(frame, form, "selected(${areas}, 'elderly') or ${years} >= 30")) == 2
    assert len(filter_responses(frame, form, "${services/medical} == '1'")) == 1
    assert len(filter_responses(frame, form, "${source} == 'sample'")) == 5  # meta columns too
    assert filter_responses(frame, form, "  ") is frame
    words = filter_in_words(form, "${district} == 'donghu' and ${sex} != 'f'")
    assert words == "镇街为“东湖街道”且第3题不是“女”"
    refused = {
        "${district} == '东湖街道'": "analysis.filter_label_not_id",
        "${district} == 'nowhere'": "analysis.filter_choice_unknown",
        "${nowhere} == 'x'": "analysis.filter_unknown_question",
        "${district} == ": "analysis.filter_invalid",
    }
    for expression, code in refused.items():
        with pytest.raises(AnalysisError) as err:
            filter_responses(frame, form, expression)
        assert err.value.code == code, expression
    with pytest.raises(AnalysisError) as err:
        filter_responses(frame, form, "${district} == '东湖街道'")
    assert "'donghu'" in str(err.value)
    t = crosstab(frame, form, "district", "sex", filter="${years} >= 10")
    assert t.filtered == 2 and t.n == 2 and t.filter_words == "${years} >= 10"
    with pytest.raises(AnalysisError) as err:
        crosstab(frame, form, "district", "sex", filter="${years} > 100")
    assert err.value.code == "analysis.filter_matches_none"


def test_a_text_question_with_a_role_groups_by_its_answers_masked(store, annual_form):
    records = [
        {"community": "幸福里社区", "age_band": "18_35"},
        {"community": "幸福里社区", "age_band": "36_59"},
        {"community": " 联系13812345678 ", "age_band": "36_59"},
        {"community": "桃园村", "age_band": "60_plus"},
    ]
    t = crosstab(stored(store, annual_form, records), annual_form, "community", "age_band")
    assert t.counts.index.tolist() == ["幸福里社区", "桃园村", "联系[手机号]"]  # most answered first, phone masked
    assert t.counts.loc["幸福里社区"].tolist() == [0, 1, 1, 0]
    with pytest.raises(AnalysisError) as err:
        crosstab(stored(store, annual_form, []), annual_form, "serial", "age_band")
    assert err.value.code == "analysis.not_tabulable"


def test_submission_month_is_a_column_too(store):
    form = make_form()
    times = ["2026-04-30 23:00:00", "2026-05-01 08:00:00", "2026-05-20 10:00:00"]
    store.add_responses(
        form, [{"answers": {"sex": s}, "submitted_at": t} for s, t in zip("mfm", times)], source="sample"
    )
    t = crosstab(store.responses(form.id), form, "sex", "submitted_at")
    assert t.counts.columns.tolist() == ["2026年4月", "2026年5月"] and t.counts.loc["男"].tolist() == [1, 1]


def test_a_time_or_date_compared_with_a_date_is_compared_as_dates(store):
    # as text, "2026-07-01 …" < "2026-6-1" ("0" sorts before "6"): every response was picked
    form = make_form()
    times = ["2026-05-31 12:00:00+00:00", "2026-06-01 12:00:00+00:00", "2026-10-20 12:00:00+00:00"]
    fills = ["2026-05-31", "2026-06-01", "2026-10-20"]
    store.add_responses(
        form,
        [{"answers": {"sex": "m", "fill_date": d}, "submitted_at": t} for t, d in zip(times, fills)],
        source="sample",
    )
    frame = store.responses(form.id)
    for written in ("'2026-6-1'", "'2026/6/1'", "'2026年6月1日'", "'２０２６-06-01'", "20260601"):
        assert len(filter_responses(frame, form, f"${{submitted_at}} < {written}")) == 1, written
        assert len(filter_responses(frame, form, f"${{submitted_at}} >= {written}")) == 2, written
        assert len(filter_responses(frame, form, f"{written} > ${{fill_date}}")) == 1, written
    assert len(filter_responses(frame, form, "${submitted_at} == '2026/6/1'")) == 1
    assert filter_in_words(form, "${submitted_at} < '2026/6/1'") == "提交日期早于 2026-06-01"
    words = filter_in_words(form, "'2026年6月1日' <= ${fill_date} and ${sex} == 'm'")
    assert words == "第7题不早于 2026-06-01且第3题为“男”"
    refused = {
        "'2026-13-01'": ("analysis.filter_date_month", "月份 13 不存在"),
        "'2026-2-30'": ("analysis.filter_date_day", "2026年2月没有30日"),
        "'六月'": ("analysis.filter_date_invalid", "比较的值应是日期"),
    }
    for written, (code, rule) in refused.items():
        with pytest.raises(AnalysisError) as err:
            filter_responses(frame, form, f"${{submitted_at}} < {written}")
        assert err.value.code == code and rule in str(err.value) and written.strip("'") in str(err.value)


def test_a_matrix_row_keeps_its_row_in_a_chart_title():
    from types import SimpleNamespace

    from toolkit.analysis.chart import _named

    row = SimpleNamespace(name="您对所在镇以下公共服务的满意程度·看病", label="")
    assert _named(row, 12).endswith("·看病") and len(_named(row, 12)) <= 12
    assert _named(SimpleNamespace(name="年龄段", label="")) == "年龄段"
