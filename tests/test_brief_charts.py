"""Every chart renders its Chinese with a CJK-capable font (no tofu), and writes PNG/SVG/PDF + CSV."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from toolkit.brief import charts, glyph_problems, style, use_house_style  # noqa: E402


@pytest.fixture(autouse=True)
def bundled_only(monkeypatch):
    """Behave as on a machine without system CJK fonts: only the font shipped in the mplfonts wheel."""
    monkeypatch.setenv(style.FONT_ENV, "bundled")
    style.find_cjk_font.cache_clear()
    monkeypatch.setattr(style, "_APPLIED", None)
    with matplotlib.rc_context():
        assert use_house_style() == "Noto Sans CJK SC"
        yield
    style.find_cjk_font.cache_clear()
    monkeypatch.setattr(style, "_APPLIED", None)


def cjk_fonts_of(fig) -> set[str]:
    """Names of the fonts matplotlib resolves for every text artist that holds Chinese."""
    from matplotlib import font_manager
    from matplotlib.text import Text

    names = set()
    for text in fig.findobj(Text):
        if any("\u4e00" <= ch <= "\u9fff" for ch in text.get_text()):
            first = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())[0]
            names.add(font_manager.get_font(first).family_name)
    return names


def candidates_frame():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(6):
        contrib = rng.uniform(0.02, 0.15, 4)
        rows.append(
            {
                "rank": i + 1,
                "topic_id": i,
                "label": f"丽发新城小区搅拌站问题{i}",
                "score": contrib.sum(),
                "heat": 100 * contrib.sum(),
                "contrib_volume": contrib[0],
                "contrib_intensity": contrib[1],
                "contrib_concreteness": contrib[2],
                "contrib_recency": contrib[3],
            }
        )
    return pd.DataFrame(rows)


RENDERERS = {
    "bar": lambda stem: charts.bar_chart(
        pd.Series({"停车难、乱停放": 120, "老旧小区加装电梯": 85, "其他": 12}),
        title="停车难是反映最多的问题",
        subtitle="N=217人｜2024年｜示例",
        path_stem=stem,
        base=200,
    ),
    "ranking": lambda stem: charts.ranking_chart(
        candidates_frame(), title="“丽发新城”位列第一", subtitle="N=120｜示例", path_stem=stem
    ),
    "heatmap": lambda stem: charts.heatmap_chart(
        pd.DataFrame([[3, 0, 5], [1, 7, 2]], index=["停车难", "加装电梯"], columns=["教育界", "经济界", "农业界"]),
        title="经济界最关注加装电梯",
        subtitle="N=18｜示例",
        path_stem=stem,
    ),
    "likert": lambda stem: charts.likert_chart(
        pd.DataFrame(
            [[5, 10, 20, 30, 35], [30, 25, 20, 15, 10]],
            index=["上学", "出行"],
            columns=["很不满意", "不太满意", "一般", "比较满意", "很满意"],
        ),
        title="出行最不满意：55%不满意",
        subtitle="N=100｜示例",
        path_stem=stem,
    ),
    "timeline": lambda stem: charts.timeline_chart(
        pd.Series([3, 8, 2], index=pd.to_datetime(["2024-03-04", "2024-03-11", "2024-03-18"])),
        title="答卷在3月11日起的一周最多",
        subtitle="N=13｜示例",
        path_stem=stem,
    ),
    "quotes": lambda stem: charts.quotes_chart(
        [
            {
                "label": "丽发新城小区：搅拌站",
                "n": 12,
                "quotes": ["搅拌站夜里施工，吵得睡不着，电话[手机号]", "粉尘太大"],
            }
        ],
        title="“丽发新城”12人反映",
        subtitle="N=12｜示例",
        path_stem=stem,
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_chart_draws_every_chinese_glyph_and_writes_four_files(name, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing-glyph warning fails the test
        chart = RENDERERS[name](tmp_path / name)
    assert glyph_problems(chart.figure) == []
    assert cjk_fonts_of(chart.figure) == {"Noto Sans CJK SC"}
    assert sorted(chart.paths) == ["csv", "pdf", "png", "svg"]
    assert all(p.stat().st_size > 0 for p in chart.paths.values())
    data = pd.read_csv(chart.paths["csv"], encoding="utf-8-sig")
    assert len(data) > 0
    assert chart.title and chart.subtitle


def test_bar_chart_percentages_use_the_given_base(tmp_path):
    chart = RENDERERS["bar"](tmp_path / "bar")
    data = pd.read_csv(chart.paths["csv"], encoding="utf-8-sig")
    assert list(data.columns) == ["类别", "人数", "占比(%)"]
    assert data["占比(%)"].tolist() == [60.0, 42.5, 6.0]
