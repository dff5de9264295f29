"""Chart functions of the brief. Each takes tidy numbers, a finding-stating title and a context subtitle,
and returns a ``Chart`` whose PNG/SVG/PDF/CSV files sit at ``path_stem``.

>>> import pandas as pd
>>> from toolkit.brief import bar_chart
>>> counts = pd.Series({"停车难": 120, "加装电梯": 85, "噪音扰民": 40})
>>> bar_chart(counts, title="停车难是居民最关心的问题", subtitle="N=245｜2024年1—6月｜社区问卷",
...           path_stem="reports/demo/charts/01_concerns")          # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.brief.figure import Chart, new_figure, save_chart, wrap
from toolkit.brief.style import ACCENT, DIVERGING, MUTED, PALETTE, SEQUENTIAL_CMAP, SUBTLE_TEXT, TEXT

OTHER_LABELS = {"未归类", "其他", "其它", "未填写"}


def _label_value(data, label: str | None, value: str | None) -> pd.DataFrame:
    """Normalise a Series or DataFrame to columns ``label``/``value``."""
    if isinstance(data, pd.Series):
        frame = pd.DataFrame({"label": data.index.astype(str), "value": data.to_numpy()})
    else:
        frame = data.copy()
        if label is None and value is None and frame.shape[1] == 1:
            frame = frame.reset_index()
        label = label or frame.columns[0]
        value = value or frame.columns[1]
        frame = pd.DataFrame({"label": frame[label].astype(str).to_numpy(), "value": frame[value].to_numpy()})
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").fillna(0)
    return frame


def bar_chart(data, *, title: str, subtitle: str = "", path_stem, label: str | None = None,
              value: str | None = None, base: float | None = None, percent: bool = True, sort: bool = True,
              top: int | None = None, highlight: int = 1, value_name: str = "人数", label_name: str = "类别") -> Chart:
    """Horizontal bars with "n (x%)" labels, largest on top.

    ``data``: a Series (index = labels) or a DataFrame (``label``/``value`` columns, default its first two).
    ``base``: the denominator of the percentages — pass the number of respondents for multiple-choice
    questions (percentages then add to more than 100 %); defaults to the sum of values.
    ``highlight``: how many leading bars get the accent colour; the rest are muted so the finding stands out.
    """
    frame = _label_value(data, label, value)
    if sort:
        frame = frame.sort_values(["value", "label"], ascending=[False, True], kind="mergesort")
    if top:
        frame = frame.head(top)
    total = float(base) if base else float(frame["value"].sum()) or 1.0
    frame["percent"] = (100 * frame["value"] / total).round(1)
    frame = frame.reset_index(drop=True)

    height = max(2.6, min(7.5, 0.9 + 0.42 * len(frame)))
    fig, ax = new_figure(title, subtitle, figsize=(10, height))
    colors = [MUTED if lab in OTHER_LABELS else (ACCENT if i < highlight else "#8FB8DE")
              for i, lab in enumerate(frame["label"])]
    y = np.arange(len(frame))
    ax.barh(y, frame["value"], color=colors, height=0.65)
    ax.set_yticks(y, [wrap(v, 16) for v in frame["label"]])
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.spines[["bottom", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    top_value = float(frame["value"].max() or 1)
    for yi, (v, p) in enumerate(zip(frame["value"], frame["percent"])):
        text = f"{v:,.0f}（{p:.1f}%）" if percent else f"{v:,.0f}"
        ax.text(v + top_value * 0.01, yi, text, va="center", fontsize=10, color=TEXT)
    ax.set_xlim(0, top_value * 1.18)
    out = frame.rename(columns={"label": label_name, "value": value_name, "percent": "占比(%)"})
    if not percent:
        out = out.drop(columns="占比(%)")
    return save_chart(fig, path_stem, out, title=title, subtitle=subtitle)
