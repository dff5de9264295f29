"""The archive's two charts in the house style (``toolkit.brief``): points by kind per 界别, and duties per month."""

from __future__ import annotations

import pandas as pd

from toolkit.brief import PALETTE, new_figure, save_chart

MUTED = "#9E9E9E"
SUBTLE = "#555555"


def sector_points_chart(table: pd.DataFrame, *, title: str, subtitle: str, path_stem):
    """Stacked horizontal bars: one bar per 界别 (``table``'s index), one colour per kind (its columns)."""
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="mergesort").index]
    height = max(3.0, min(8.0, 1.2 + 0.42 * len(table)))
    fig, ax = new_figure(title, subtitle, figsize=(10, height))
    left = pd.Series(0.0, index=table.index)
    for i, kind in enumerate(table.columns):
        color = PALETTE[i] if i < len(PALETTE) else MUTED
        ax.barh(range(len(table)), table[kind], left=left, color=color, height=0.65, label=kind)
        left += table[kind]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:g}", va="center", fontsize=9, color=SUBTLE)
    ax.set_yticks(range(len(table)), list(table.index))
    ax.invert_yaxis()
    ax.set_xlabel("积分")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="履职类型")
    data = table.reset_index().rename(columns={table.index.name or "index": "界别"})
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle)


def monthly_chart(counts: pd.Series, *, title: str, subtitle: str, path_stem):
    """Duties per month (``counts`` indexed 1–12) as bars, the busiest month marked."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = new_figure(title, subtitle, figsize=(10, 4.2))
    months = list(range(1, 13))
    values = [int(counts.get(m, 0)) for m in months]
    ax.bar(months, values, color=PALETTE[0], width=0.7)
    if any(values):
        peak = max(months, key=lambda m: (values[m - 1], -m))
        ax.annotate(
            f"最多 {values[peak - 1]} 次",
            xy=(peak, values[peak - 1]),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_xticks(months, [f"{m}月" for m in months])
    ax.set_ylabel("履职活动（次）")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    data = pd.DataFrame({"月份": [f"{m}月" for m in months], "履职活动次数": values})
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle)
