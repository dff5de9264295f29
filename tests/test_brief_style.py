"""House style: a Chinese font is always found, and charts never draw tofu."""

from __future__ import annotations

import warnings

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from toolkit.brief import bar_chart, glyph_problems, style, use_house_style  # noqa: E402


@pytest.fixture
def bundled_only(monkeypatch):
    """Behave as on a machine without system CJK fonts: only the font shipped in the mplfonts wheel."""
    monkeypatch.setenv(style.FONT_ENV, "bundled")
    style.find_cjk_font.cache_clear()
    monkeypatch.setattr(style, "_APPLIED", None)
    with matplotlib.rc_context():
        yield
    style.find_cjk_font.cache_clear()
    monkeypatch.setattr(style, "_APPLIED", None)


def test_house_style_is_idempotent_and_draws_chinese():
    family = use_house_style()
    assert use_house_style() == family
    _family, path, origin = style.find_cjk_font()
    assert origin in {"env", "system", "bundled"}
    assert style.draws_chinese(path)
    assert matplotlib.rcParams["font.family"][0] == family


def test_pypi_dependency_ships_a_chinese_font():
    path = style.bundled_font_path()
    assert path is not None and style.draws_chinese(path, style.PROBE + style.LATIN)


def test_bar_chart_without_system_fonts_has_no_tofu(bundled_only, tmp_path):
    assert use_house_style() == "Noto Sans CJK SC"
    counts = pd.Series({"停车难、乱停放": 120, "老旧小区加装电梯进度慢": 85, "其他": 12})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any missing-glyph warning fails the test
        chart = bar_chart(counts, title="停车难是居民反映最多的问题", subtitle="N=217人｜2024年｜示例",
                          path_stem=tmp_path / "concerns", base=200)
    assert sorted(chart.paths) == ["csv", "pdf", "png", "svg"]
    assert all(p.stat().st_size > 0 for p in chart.paths.values())
    assert glyph_problems(chart.figure) == []
    csv = pd.read_csv(chart.paths["csv"], encoding="utf-8-sig")
    assert list(csv.columns) == ["类别", "人数", "占比(%)"]
    assert csv["占比(%)"].tolist() == [60.0, 42.5, 6.0]


def test_glyph_checker_catches_a_latin_only_font():
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig, ax = plt.subplots()
        ax.set_title("热度")
        problems = glyph_problems(fig)
        plt.close(fig)
    assert len(problems) == 2


def test_chart_files_are_byte_identical(tmp_path):
    counts = pd.Series({"甲": 3, "乙": 2})
    first = bar_chart(counts, title="甲多于乙", path_stem=tmp_path / "a")
    second = bar_chart(counts, title="甲多于乙", path_stem=tmp_path / "b")
    for fmt in first.paths:
        assert first.paths[fmt].read_bytes() == second.paths[fmt].read_bytes(), fmt
