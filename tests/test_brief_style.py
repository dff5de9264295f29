"""House style: a Chinese font is always found, and charts never draw tofu."""

from __future__ import annotations

import warnings

import matplotlib
import pandas as pd

matplotlib.use("Agg")

from toolkit.brief import bar_chart, glyph_problems, style, use_house_style  # noqa: E402


def test_env_can_force_the_bundled_font(monkeypatch):
    monkeypatch.setenv(style.FONT_ENV, "bundled")
    style.find_cjk_font.cache_clear()
    try:
        family, path, origin = style.find_cjk_font()
    finally:
        style.find_cjk_font.cache_clear()
    assert (family, origin) == ("Noto Sans CJK SC", "env") and path.endswith(style.BUNDLED_FONT_FILE)


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
