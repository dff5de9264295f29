"""The year report's two charts in the house style (``toolkit.brief``): the funnel 报送 → 采用 → 批示 → 办结,
and the items by theme."""

from __future__ import annotations

import pandas as pd

from toolkit.brief import PALETTE, ink_on, new_figure, save_chart

SUBTLE = "#555555"
MAX_THEMES = 12  # themes drawn; the rest are summed as 其他议题


def _bare(ax) -> None:
    ax.set_xticks([])
    ax.spines[["bottom", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.invert_yaxis()


def funnel_chart(report, *, path_stem):
    """Centred bars, one per step 报送 → 采用 → 批示 → 办结, each with its count and share of 报送."""
    funnel = report.funnel
    base = int(funnel["条数"].iloc[0])
    if base:
        rate = "—" if report.adoption_rate is None else f"{report.adoption_rate:.1f}%"
        title = f"{report.year}年报送{base}条，采用率{rate}，获批示{report.instructed}条"
    else:
        title = f"{report.year}年尚未报送社情民意信息"
    subtitle = f"{report.year}年｜社情民意信息与协商意见｜每一环节为报送后走到这一步的条数｜统计至{report.today}"
    fig, ax = new_figure(title, subtitle, figsize=(10, 3.8))
    top = max(base, 1)
    for y, (n, share) in enumerate(funnel[["条数", "占报送(%)"]].itertuples(index=False)):
        color = PALETTE[y % len(PALETTE)]
        ax.barh(y, n, left=(top - n) / 2, color=color, height=0.7)
        label = f"{n} 条" + ("" if share is None or pd.isna(share) or y == 0 else f"（{share:.1f}%）")
        ink = ink_on(color) if n >= top * 0.3 else "#222222"  # a narrow bar: the label reads over the white
        ax.text(top / 2, y, label, ha="center", va="center", fontsize=11, color=ink, fontweight="bold")
    ax.set_yticks(range(len(funnel)), list(funnel["环节"]))
    ax.set_xlim(-0.02 * top, top * 1.02)
    _bare(ax)
    return save_chart(fig, path_stem, funnel, title=title, subtitle=subtitle)


def theme_chart(report, *, path_stem):
    """One bar per theme (the most items first): items, with how many were adopted or instructed on."""
    table = report.by_theme
    if len(table) > MAX_THEMES:
        rest = table.iloc[MAX_THEMES - 1 :].drop(columns="议题").sum()
        table = pd.concat([table.iloc[: MAX_THEMES - 1], pd.DataFrame([{"议题": "其他议题", **rest}])])
    table = table.reset_index(drop=True)
    n = int(table["篇数"].sum()) if len(table) else 0
    tied = len(table) > 1 and table["篇数"].iloc[0] == table["篇数"].iloc[1]
    if n and not tied:
        title = f"“{table['议题'].iloc[0]}”最多，{int(table['篇数'].iloc[0])}条"
    elif n:
        title = f"{report.year}年{n}条，分属{len(report.by_theme)}个议题"
    else:
        title = f"{report.year}年尚无社情民意信息"
    subtitle = f"{report.year}年｜{n}条，按所依据的议题｜深色为其中已采用或获批示的"
    fig, ax = new_figure(title, subtitle, figsize=(10, max(3.0, min(8.0, 1.4 + 0.45 * len(table)))))
    y = range(len(table))
    ax.barh(y, table["篇数"], color="#D9D9D9", height=0.65, label="条数")
    ax.barh(y, table["采用或批示"], color=PALETTE[0], height=0.65, label="已采用或获批示")
    for yi, (total, a, b) in enumerate(zip(table["篇数"], table["采用"], table["批示"])):
        ax.text(total, yi, f" {int(total)} 条（采用 {int(a)}，批示 {int(b)}）", va="center", fontsize=9, color=SUBTLE)
    ax.set_yticks(list(y), [_wrap(t) for t in table["议题"]])
    ax.set_xlim(0, max(n and table["篇数"].max(), 1) * 1.45)
    ax.legend(ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=9, frameon=False)
    _bare(ax)
    return save_chart(fig, path_stem, table, title=title, subtitle=subtitle)


def _wrap(label: str, width: int = 14) -> str:
    text = str(label)
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) or text
