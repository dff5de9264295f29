"""The chart of a cross-tab, in the house style of the brief: column percentages as bars.

* stacked: one bar per column category (100 %), its segments the row categories — for a single choice;
* grouped: one cluster per row category, one bar per column category — for a multiple choice (shares
  add up to more than 100 %) or many row categories.

Each bar's base is in its label (“东湖街道（n=45）”); the subtitle says what is shown, the filter in words,
the base and the test. Weighted tables chart their weighted percentages and say so.

>>> chart = crosstab_chart(table, path_stem="reports/交叉分析/看病×镇街")        # doctest: +SKIP
>>> sorted(chart.paths)                                                        # doctest: +SKIP
['csv', 'pdf', 'png', 'svg']
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from toolkit.analysis.crosstabs import SMALL_BASE, CrossTab
from toolkit.brief import PALETTE, Chart, ink_on, new_figure, save_chart

MAX_STACKED = 7  # row categories a stacked bar shows before the grouped layout reads better
_LABEL_SHARE = 6.0  # segments of at least this many percent carry their number


def short(label: str, width: int = 24) -> str:
    """A question for a title: its bracketed hints dropped, cut at ``width`` characters."""
    text = re.sub(r"[（(][^（）()]*[)）]", "", str(label)).strip().rstrip("？?：:") or str(label)
    return text if len(text) <= width else text[: width - 1] + "…"


def _named(v, limit: int | None = None) -> str:
    """A question's short name; a matrix row ("question·row") keeps its row whole, the question is what is cut."""
    name = v.name or v.label
    if "·" in name:
        question, row = name.rsplit("·", 1)
        return f"{short(question, max(4, (limit or 16) - len(row) - 1))}·{row}"
    return short(name, limit) if limit else short(name)


def chart_data(t: CrossTab, *, weighted: bool = False) -> pd.DataFrame:
    """The numbers drawn, one line per cell: categories, count, column % and the column's base."""
    source = t.weighted if weighted and t.weighted is not None else None
    percent = source.col_percent if source is not None else t.col_percent
    rows = []
    for col in t.counts.columns:
        for row in t.counts.index:
            line = {
                "行类别": row,
                "列类别": col,
                "人数": int(t.counts.loc[row, col]),
                "列百分比(%)": None if pd.isna(percent.loc[row, col]) else round(float(percent.loc[row, col]), 1),
                "列基数": int(t.col_base[col]),
            }
            if source is not None:
                line["误差范围(±百分点)"] = round(float(source.col_moe.loc[row, col]), 1)
            rows.append(line)
    return pd.DataFrame(rows)


def crosstab_figure(t: CrossTab, *, layout: str = "auto", weighted: bool = False, title: str | None = None):
    """``(figure, title, subtitle)`` of the cross-tab; ``layout``: "auto", "stacked" or "grouped"."""
    weighted = weighted and t.weighted is not None
    percent = (t.weighted.col_percent if weighted else t.col_percent).fillna(0)
    cols = [c for c in t.counts.columns if t.col_base[c] > 0]
    rows = [r for r in t.counts.index if t.row_base[r] > 0]
    percent = percent.loc[rows, cols]
    stacked = layout == "stacked" or (layout == "auto" and not t.rows.multiple and len(rows) <= MAX_STACKED)
    colors = _colors(len(cols) if not stacked else len(rows))
    title = title or f"{_named(t.rows)}（按{_named(t.cols, 12)}）：{_finding(t)}"
    subtitle = _subtitle(t, weighted)
    bar_names = [f"{c}（n={t.col_base[c]:,}{'，基数小' if t.col_base[c] < SMALL_BASE else ''}）" for c in cols]
    if stacked:
        height = max(3.2, min(8.0, 1.8 + 0.5 * len(cols)))
        fig, ax = new_figure(title, subtitle, figsize=(10, height))
        y = np.arange(len(cols))
        left = np.zeros(len(cols))
        for i, row in enumerate(rows):
            width = percent.loc[row].to_numpy(dtype=float)
            ax.barh(y, width, left=left, color=colors[i], height=0.62, label=str(row))
            for yi, (x0, wv) in enumerate(zip(left, width)):
                if wv >= _LABEL_SHARE:
                    ax.text(
                        x0 + wv / 2, yi, f"{wv:.0f}%", ha="center", va="center", fontsize=9, color=ink_on(colors[i])
                    )
            left = left + width
        ax.set_yticks(y, [f"{_wrap(c)}\n{n[len(str(c)) :]}" for c, n in zip(cols, bar_names)])
        ax.set_xlim(0, 100)
        ax.legend(ncols=min(len(rows), 6), loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=9)
    else:
        k = len(cols)
        height = max(3.2, min(9.0, 1.6 + len(rows) * (0.25 * k + 0.35)))
        fig, ax = new_figure(title, subtitle, figsize=(10, height))
        step = 0.8 / max(k, 1)
        y = np.arange(len(rows))
        top = float(percent.to_numpy().max()) if percent.size else 0.0
        for j, col in enumerate(cols):
            values = percent[col].to_numpy(dtype=float)
            ys = y - 0.4 + step * (j + 0.5)
            ax.barh(ys, values, height=step * 0.9, color=colors[j], label=bar_names[j])
            for yi, v in zip(ys, values):
                ax.text(v + max(top, 1) * 0.01, yi, f"{v:.0f}%", va="center", fontsize=8)
        ax.set_yticks(y, [_wrap(r) for r in rows])
        ax.set_xlim(0, max(top, 1) * 1.15)
        ax.legend(ncols=min(k, 4), loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=9)
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.spines[["bottom", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig, title, subtitle


def crosstab_chart(
    t: CrossTab, *, path_stem, layout: str = "auto", weighted: bool = False, title: str | None = None
) -> Chart:
    """The cross-tab's chart as PNG (300 dpi), SVG, PDF and the numbers as CSV at ``path_stem`` (see
    ``toolkit.brief.save_chart``); returns the brief's ``Chart``."""
    fig, title, subtitle = crosstab_figure(t, layout=layout, weighted=weighted, title=title)
    return save_chart(fig, path_stem, chart_data(t, weighted=weighted), title=title, subtitle=subtitle)


def png_bytes(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (for the notebook widget), the figure closed afterwards."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _finding(t: CrossTab) -> str:
    if t.test is not None:
        return t.test.reading
    if not t.tests:
        return "未做显著性检验"
    significant = [x.option for x in t.tests if x.p_value is not None and x.p_value < 0.05]
    if not significant:
        return "各选项差异均不显著"
    return f"{len(significant)} 个选项差异显著"


def _subtitle(t: CrossTab, weighted: bool) -> str:
    parts = ["列百分比" + ("（加权）" if weighted else "")]
    parts.append(f"N={t.n:,}人")
    if t.filter:
        parts.append(f"筛选：{t.filter_words}")
    method = t.test.method if t.test is not None else ("各选项分别检验" if t.tests else "")
    if method:
        parts.append(method)
    if t.rows.multiple:
        parts.append("多选题，百分比之和可超过100%")
    return "｜".join(parts)


def _colors(k: int) -> list[str]:
    palette = [c for c in PALETTE if c.upper() != "#000000"]
    if k <= len(palette):
        return palette[:k]
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis"]
    return [to_hex(cmap(i / max(k - 1, 1))) for i in range(k)]


def _wrap(label: str, width: int = 12) -> str:
    text = str(label)
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) or text
