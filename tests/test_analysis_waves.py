"""问效 by re-survey (``compare_waves``, ``weidiaoyan compare-waves``): the waves picked by filters, N, means and
shares counted by hand, p-values against scipy on the same numbers, refusals with their codes, the workbook
read back — on responses kept in a real store."""

from __future__ import annotations

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

from tests.test_analysis_crosstab import FORM, make_form
from toolkit.analysis import AnalysisError, compare_waves
from toolkit.cli import main
from toolkit.store import open_store

BEFORE, AFTER = "${submitted_at} < '2026-06-01'", "${submitted_at} >= '2026-06-01'"
# (district, wave) -> transport scores (1 不满意, 2 一般, 3 满意), one respondent each
SCORES = {
    ("donghu", 0): [1] * 20 + [2] * 15 + [3] * 5,
    ("donghu", 1): [1] * 8 + [2] * 14 + [3] * 18,
    ("xishan", 0): [1] * 10 + [2] * 20 + [3] * 10,
    ("xishan", 1): [1] * 11 + [2] * 19 + [3] * 10,
    ("qingshi", 0): [1] * 6 + [2] * 4,
    ("qingshi", 1): [2] * 5 + [3] * 5,
}


def _records() -> list[dict]:
    out = []
    for (district, wave), scores in SCORES.items():
        for i, score in enumerate(scores):
            answers = {"district": district, "services": {"transport": str(score)}, "years": score * 10 + i % 3}
            answers["sex"] = "m" if i % (2 + wave) == 0 else "f"  # half men before, a third after
            out.append({"answers": answers, "submitted_at": "2026-09-10 10:00" if wave else "2026-03-10 10:00"})
    return out


@pytest.fixture
def responses(tmp_path):
    store = open_store(tmp_path / "w.db")
    form = make_form()
    store.add_responses(form, _records(), source="sample")
    frame = store.responses(form.id)
    store.close()
    return frame, form


def _scores(district=None, wave=0):
    keys = [k for k in SCORES if k[1] == wave and (district is None or k[0] == district)]
    return np.array([s for k in keys for s in SCORES[k]], dtype=float)


def test_likert_means_and_mann_whitney_per_district_and_overall(store):
    form = make_form()
    store.add_responses(form, _records(), source="sample")
    cmp = compare_waves(
        store.responses(form.id), form, "services/transport", baseline=BEFORE, followup=AFTER, by="district"
    )
    rows = cmp.rows.set_index("group")
    assert list(rows.index) == ["东湖街道", "西山街道", "青石镇", "合计"]
    for group, district in (("东湖街道", "donghu"), ("青石镇", "qingshi"), ("合计", None)):
        a, b = _scores(district, 0), _scores(district, 1)
        row = rows.loc[group]
        assert (row["n_baseline"], row["n_followup"]) == (len(a), len(b))
        assert row["baseline"] == pytest.approx(a.mean()) and row["followup"] == pytest.approx(b.mean())
        assert row["change"] == pytest.approx(b.mean() - a.mean())
        assert row["p_value"] == pytest.approx(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        assert row["method"] == "Mann-Whitney U 检验（双侧）"
    assert rows.loc["东湖街道", "reading"].startswith("平均分由 1.62 升至 2.25（+0.62），变化显著")
    assert "变化不显著" in rows.loc["西山街道", "reading"]
    assert cmp.measure_label == "平均分（1=不满意 … 3=满意）"
    assert rows.loc["青石镇", "small_base"] and not rows.loc["合计", "small_base"]
    assert cmp.warnings == ["基数少于 30 人，变化仅供参考：青石镇"]
    assert cmp.reading == rows.loc["合计", "reading"]


def test_share_of_chosen_options_by_two_proportion_z_and_fisher_when_small(responses):
    frame, form = responses
    cmp = compare_waves(frame, form, "services/transport", baseline=BEFORE, followup=AFTER, by="district", option="3")
    rows = cmp.rows.set_index("group")
    x1, n1, x2, n2 = 5, 40, 18, 40  # 东湖街道: chose 满意
    assert rows.loc["东湖街道", "baseline"] == pytest.approx(100 * x1 / n1)
    assert rows.loc["东湖街道", "change"] == pytest.approx(100 * (x2 / n2 - x1 / n1))
    pooled = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert rows.loc["东湖街道", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert rows.loc["东湖街道", "method"] == "两比例 z 检验（双侧）"
    assert rows.loc["东湖街道", "reading"].startswith("比例由 12.5% 升至 45.0%（+32.5个百分点），变化显著")
    # 青石镇: 0 of 10 before, 5 of 10 after: expected counts below 5
    assert rows.loc["青石镇", "method"].startswith("Fisher 精确检验")
    assert rows.loc["青石镇", "p_value"] == pytest.approx(stats.fisher_exact([[0, 10], [5, 5]])[1])
    assert cmp.measure_label == "选“满意”的比例（%）"
    both = compare_waves(frame, form, "services/transport", baseline=BEFORE, followup=AFTER, option="2, 3")
    assert both.total["baseline"].iloc[0] == pytest.approx(100 * (len(_scores(None, 0)) - 36) / 90)


def test_single_choice_compares_every_share_with_one_chi_square(responses):
    frame, form = responses
    cmp = compare_waves(frame, form, "sex", baseline=BEFORE, followup=AFTER)
    total = cmp.total.set_index("option")
    assert list(total.index) == ["男", "女"]
    wave = (frame["submitted_at"].astype(str) >= "2026-06-01").astype(int)
    counts = pd.crosstab(wave, frame["sex"])[["m", "f"]].to_numpy()  # rows: waves, columns: 男, 女
    assert total.loc["男", "baseline"] == pytest.approx(100 * counts[0, 0] / counts[0].sum())
    assert total.loc["男", "followup"] == pytest.approx(100 * counts[1, 0] / counts[1].sum())
    assert total.loc["女", "change"] == pytest.approx(100 * (counts[1, 1] / counts[1].sum() - counts[0, 1] / 90))
    assert total["p_value"].iloc[0] == pytest.approx(stats.chi2_contingency(counts).pvalue)
    assert total["method"].iloc[0] == "卡方检验（连续性校正）" and total["reading"].iloc[0].startswith(
        "各选项的分布变化"
    )
    assert cmp.measure_label == "各选项的比例（%）"


def test_a_number_question_compares_means(responses):
    frame, form = responses
    cmp = compare_waves(frame, form, "years", baseline=BEFORE, followup=AFTER)
    years = frame["years"].astype(float)
    before = years[frame["submitted_at"].astype(str) < "2026-06-01"]
    after = years[frame["submitted_at"].astype(str) >= "2026-06-01"]
    row = cmp.total.iloc[0]
    assert row["baseline"] == pytest.approx(before.mean()) and row["followup"] == pytest.approx(after.mean())
    assert row["p_value"] == pytest.approx(stats.mannwhitneyu(before, after, alternative="two-sided").pvalue)
    assert cmp.measure_label == "平均数"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"baseline": BEFORE, "followup": "${submitted_at} >= '2026-01-01'"}, "analysis.waves_overlap"),
        ({"followup": "${submitted_at} >= '2027-01-01'"}, "analysis.wave_empty"),
        ({"baseline": " "}, "analysis.wave_filter_missing"),
        ({"option": "9"}, "analysis.waves_option_unknown"),
        ({"question": "areas"}, "analysis.waves_not_comparable"),
        ({"question": "opinion"}, "analysis.waves_not_comparable"),
        ({"question": "years", "option": "1"}, "analysis.waves_option_number"),
        ({"by": "areas"}, "analysis.waves_by_invalid"),
        ({"by": "services/transport"}, "analysis.waves_by_invalid"),
        ({"baseline": "${district} == '东湖街道'"}, "analysis.filter_label_not_id"),
    ],
)
def test_refusals_say_what_to_fix(responses, kw, code):
    frame, form = responses
    args = {"question": "services/transport", "baseline": BEFORE, "followup": AFTER} | kw
    with pytest.raises(AnalysisError) as err:
        compare_waves(frame, form, args.pop("question"), **args)
    assert err.value.code == code and "修改：" in str(err.value)


def test_multiple_choice_with_an_option_is_a_share(responses):
    frame, form = responses
    cmp = compare_waves(frame, form, "areas", baseline=BEFORE, followup=AFTER, option="traffic")
    assert cmp.total["n_baseline"].iloc[0] == 0  # nobody answered it: said, not a crash
    assert "没有人回答" in cmp.reading


# ---- the command line ------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path):
    import yaml

    form_path = tmp_path / "xt.yaml"
    form_path.write_text(yaml.safe_dump(FORM, allow_unicode=True), encoding="utf-8")
    store = open_store(tmp_path / "w.db")
    store.add_responses(make_form(), _records(), source="sample")
    store.close()
    return str(tmp_path / "w.db"), str(form_path)


def test_cli_json_text_and_workbook(db, tmp_path, capsys):
    path, form = db
    args = ["compare-waves", "--db", path, "--form", form, "--question", "services/transport"]
    args += ["--baseline", BEFORE, "--followup", AFTER, "--by", "district"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["group"] for r in out["rows"]] == ["东湖街道", "西山街道", "青石镇", "合计"]
    assert out["rows"][0]["n_baseline"] == 40 and out["measure"] == "mean" and out["reading"].startswith("平均分由")
    book = tmp_path / "前后对比.xlsx"
    assert main([*args, "-o", str(book)]) == 0
    text = capsys.readouterr().out
    assert "东湖街道：平均分由 1.62 升至 2.25" in text and "注意：基数少于 30 人" in text and "已写入" in text
    # the waves in words, as crosstab writes its filter, not the expressions as typed
    assert "基线：提交日期早于 2026-06-01（90 份答卷）" in text and "跟踪：提交日期不早于 2026-06-01" in text
    assert "${submitted_at}" not in text
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["前后对比", "说明"]
    sheet = [[c.value for c in row] for row in wb["前后对比"].iter_rows()]
    assert sheet[0][:6] == ["分组", "基线 N", "跟踪 N", "基线", "跟踪", "变化"]
    assert sheet[1][:6] == ["东湖街道", 40, 40, 1.62, 2.25, 0.62]  # 1.625: rounded as Python rounds
    notes = {row[0].value: row[1].value for row in wb["说明"].iter_rows(min_row=2)}
    assert notes["基线条件"] == f"提交日期早于 2026-06-01（{BEFORE}）" and notes["结论（合计）"].startswith("平均分由")
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not [v for v in cells if isinstance(v, str) and v.startswith("=")]
    before = book.read_bytes()
    assert main([*args[:-2], "--by", "areas", "-o", str(book)]) == 1
    err = capsys.readouterr().err
    assert "分组题应是单选题" in err and "Traceback" not in err and book.read_bytes() == before


def test_a_change_too_small_to_show_is_zero_not_minus_zero(db_url, capsys):
    # 2.00 before, 601/301 = 1.9967 after: the change, -0.0033, rounds to 0.00 (Python's round gives -0.0)
    store = open_store(db_url)
    scores = {0: [1, 3], 1: [2] * 300 + [1]}
    records = [
        {"answers": {"services": {"transport": str(s)}}, "submitted_at": f"2026-{3 + 6 * wave:02d}-10 10:00"}
        for wave, values in scores.items()
        for s in values
    ]
    store.add_responses(make_form(), records, source="sample")
    store.close()
    args = ["compare-waves", "--db", db_url, "--form", "xt", "--question", "services/transport"]
    assert main([*args, "--baseline", BEFORE, "--followup", AFTER]) == 0
    text = capsys.readouterr().out
    assert "-0.00" not in text and "平均分前后都约为 2.00" in text
    assert main([*args, "--baseline", BEFORE, "--followup", AFTER, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["rows"]
    assert row["change"] == -0.003
