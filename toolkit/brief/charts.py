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

from toolkit.brief.figure import Chart, Native, chinese_punctuation, new_figure, pct, save_chart, wrap
from toolkit.brief.figure import percent as share
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


def bar_chart(
    data,
    *,
    title: str,
    subtitle: str = "",
    path_stem,
    label: str | None = None,
    value: str | None = None,
    base: float | None = None,
    percent: bool = True,
    sort: bool = True,
    top: int | None = None,
    highlight: int = 1,
    value_name: str = "人数",
    label_name: str = "类别",
) -> Chart:
    """Horizontal bars with "n (x%)" labels, largest on top.

    ``data``: a Series (index = labels) or a DataFrame (``label``/``value`` columns, default its first two).
    ``base``: the denominator of the percentages — pass the number of respondents for multiple-choice
    questions (percentages then add to more than 100 %); defaults to the sum of values.
    ``highlight``: how many of the largest bars get the accent colour; the rest are muted so the finding stands
    out. ``sort=False`` keeps the given order (ordered scales such as 年龄段); the largest bars are still the
    highlighted ones.
    """
    with_percent = percent
    frame = _label_value(data, label, value)
    if sort:
        frame = frame.sort_values(["value", "label"], ascending=[False, True], kind="mergesort")
    if top:
        frame = frame.head(top)
    total = float(base) if base else float(frame["value"].sum()) or 1.0
    frame["percent"] = [share(v, total) for v in frame["value"]]
    frame = frame.reset_index(drop=True)

    height = max(2.6, min(7.5, 0.9 + 0.42 * len(frame)))
    fig, ax = new_figure(title, subtitle, figsize=(10, height))
    largest = frame["value"].rank(method="first", ascending=False) <= highlight
    colors = [
        MUTED if lab in OTHER_LABELS else (ACCENT if big else "#8FB8DE") for lab, big in zip(frame["label"], largest)
    ]
    y = np.arange(len(frame))
    ax.barh(y, frame["value"], color=colors, height=0.65)
    ax.set_yticks(y, [wrap(v, 16) for v in frame["label"]])
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.spines[["bottom", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    top_value = float(frame["value"].max() or 1)
    texts = [f"{v:,.0f}（{pct(p)}）" if with_percent else f"{v:,.0f}" for v, p in zip(frame["value"], frame["percent"])]
    for yi, (v, text) in enumerate(zip(frame["value"], texts)):
        ax.text(v + top_value * 0.01, yi, text, va="center", fontsize=10, color=TEXT)
    ax.set_xlim(0, top_value * 1.18)
    out = frame.rename(columns={"label": label_name, "value": value_name, "percent": "占比(%)"})
    if not with_percent:
        out = out.drop(columns="占比(%)")
    native = Native(
        "bar",
        categories=frame["label"].tolist(),
        series={value_name: frame["value"].astype(float).tolist()},
        point_colours=colors,
        labels=texts,
    )
    return save_chart(fig, path_stem, out, title=title, subtitle=subtitle, native=native)


def ranking_chart(
    candidates: pd.DataFrame, *, title: str, subtitle: str = "", path_stem, top: int = 10, key: str = "topic_id"
) -> Chart:
    """Top candidates as stacked bars: each factor's contribution to the score, heat index at the end."""
    from toolkit.agenda import FACTOR_NAMES, FACTORS

    top_rows = candidates.head(top).reset_index(drop=True)
    factors = [f for f in FACTORS if f"contrib_{f}" in top_rows and top_rows[f"contrib_{f}"].abs().sum() > 0]
    fig, ax = new_figure(title, subtitle, figsize=(10, max(3.2, min(7.5, 1.2 + 0.5 * len(top_rows)))))
    y = np.arange(len(top_rows))
    left = np.zeros(len(top_rows))
    # one measure everywhere: 热度 = score × 100, so the factor contributions are drawn in 热度 points too
    for i, f in enumerate(factors):
        values = 100 * top_rows[f"contrib_{f}"].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=PALETTE[i % len(PALETTE)], height=0.65, label=FACTOR_NAMES[f])
        left += values
    # a candidate the ranker moved down (too few people, scattered) can out-heat those above it: say why
    notes = (
        top_rows.get("explanation", pd.Series("", index=top_rows.index))
        .astype(str)
        .str.extract(r"（([^（）]*排在其后)）", expand=False)
        .fillna("")
    )
    names = [
        f"{r['rank']}. {r.get('label', r[key])}" + (f"（{note}）" if note else "")
        for r, note in zip(top_rows.to_dict("records"), notes)
    ]
    ax.set_yticks(y, [wrap(n, 18) for n in names])
    ax.invert_yaxis()
    ax.tick_params(axis="y", length=0)
    for yi, heat in zip(y, top_rows["heat"]):
        ax.text(left[yi] + 0.5, yi, f"{heat:.1f}", va="center", fontsize=10, color=TEXT)
    ax.set_xlim(0, min(100.0, max(left.max(), 1.0) * 1.12))
    ax.set_xlabel("热度（0–100，各因素贡献之和）", color=SUBTLE_TEXT)
    ax.legend(
        ncols=min(len(factors), 7),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        fontsize=9,
        handlelength=1.0,
        columnspacing=1.2,
    )
    cols = ["rank", key, "label", "heat", *factors]
    data = top_rows[[c for c in cols if c in top_rows]].rename(
        columns={"heat": "热度", **{f: f"{f}（{FACTOR_NAMES[f]}，0–1）" for f in factors}}
    )
    for f in factors:  # the drawn segments, in 热度 points: they add up to 热度
        data[f"{FACTOR_NAMES[f]}贡献（热度）"] = (100 * top_rows[f"contrib_{f}"]).round(2)
    data["说明"] = notes.to_numpy()
    native = Native(
        "stacked",
        categories=names,
        series={FACTOR_NAMES[f]: (100 * top_rows[f"contrib_{f}"]).round(2).tolist() for f in factors},
        number_format="0.0",
        colours=[PALETTE[i % len(PALETTE)] for i in range(len(factors))],
        axis_title="热度（0–100，各因素贡献之和）",
    )
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle, native=native)


def heatmap_chart(
    table: pd.DataFrame, *, title: str, subtitle: str = "", path_stem, row_name: str = "议题", col_name: str = "界别"
) -> Chart:
    """Counts of ``table`` (rows × columns) as a heatmap with the numbers written in the cells."""
    import matplotlib.pyplot as plt

    values = table.to_numpy(dtype=float)
    width = max(6.0, min(12.0, 3.5 + 0.75 * table.shape[1]))
    fig, ax = new_figure(title, subtitle, figsize=(width, max(3.0, min(8.0, 1.6 + 0.45 * table.shape[0]))))
    cmap = plt.get_cmap(SEQUENTIAL_CMAP)
    image = ax.imshow(values, cmap=cmap, aspect="auto", vmin=0, vmax=max(values.max(), 1))
    columns = [str(c) for c in table.columns]
    if max(map(len, columns), default=0) <= 4:
        ax.set_xticks(np.arange(table.shape[1]), columns, fontsize=8)
    else:  # long names are turned, not broken inside a word ("社会福利和社会保障界" stays one name)
        ax.set_xticks(np.arange(table.shape[1]), columns, fontsize=8, rotation=35, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(table.shape[0]), [wrap(r, 16) for r in table.index], fontsize=9)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    top = values.max() or 1
    for (i, j), v in np.ndenumerate(values):
        if v:
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8, color="white" if v > 0.55 * top else TEXT)
    fig.colorbar(image, ax=ax, shrink=0.8, label="人数")
    data = table.copy()
    data.index.name = row_name
    data = data.reset_index()
    data.columns.name = None
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle)


def likert_chart(counts: pd.DataFrame, *, title: str, subtitle: str = "", path_stem) -> Chart:
    """Diverging stacked bars: rows = statements, columns = ordered answers (most negative first), counts.

    The middle answer (odd scales) straddles zero, negatives extend left, positives right; the labels give
    the negative and positive shares so the finding reads without the legend.
    """
    shares = counts.div(counts.sum(axis=1).replace(0, 1), axis=0) * 100
    k = shares.shape[1]
    colors = _diverging(k)
    half = k // 2
    # the shares written (title, labels, CSV): one rounding of the exact counts
    totals = counts.sum(axis=1)
    neg_share = pd.Series([share(n, t) for n, t in zip(counts.iloc[:, :half].sum(axis=1), totals)], index=counts.index)
    pos_share = pd.Series(
        [share(n, t) for n, t in zip(counts.iloc[:, k - half :].sum(axis=1), totals)], index=counts.index
    )
    # most dissatisfied statement on top: that is the finding
    order = shares.loc[neg_share.sort_values(ascending=False, kind="mergesort").index]
    fig, ax = new_figure(title, subtitle, figsize=(10, max(3.0, min(7.0, 1.6 + 0.55 * len(order)))))
    y = np.arange(len(order))
    neutral = order.iloc[:, half].to_numpy() if k % 2 else np.zeros(len(order))
    start = -order.iloc[:, :half].sum(axis=1).to_numpy() - neutral / 2
    for j, col in enumerate(order.columns):
        width = order[col].to_numpy()
        ax.barh(y, width, left=start, color=colors[j], height=0.65, label=str(col))
        start = start + width
    ax.axvline(0, color=MUTED, linewidth=0.8)
    ax.set_yticks(y, [wrap(r, 14) for r in order.index])
    ax.invert_yaxis()
    ax.tick_params(axis="y", length=0)
    neg = order.iloc[:, :half].sum(axis=1).to_numpy()
    pos = order.iloc[:, k - half :].sum(axis=1).to_numpy()
    neg_shown, pos_shown = neg_share[order.index].to_numpy(), pos_share[order.index].to_numpy()
    left_edge = -(neg + neutral / 2)
    right_edge = pos + neutral / 2
    for yi in y:
        ax.text(left_edge[yi] - 1, yi, pct(neg_shown[yi]), ha="right", va="center", fontsize=9, color=colors[0])
        ax.text(right_edge[yi] + 1, yi, pct(pos_shown[yi]), ha="left", va="center", fontsize=9, color=colors[-1])
    limit = max(np.abs(left_edge).max(), right_edge.max()) + 12
    ax.set_xlim(-limit, limit)
    ax.set_xticks([])
    ax.spines[["bottom", "left"]].set_visible(False)
    ax.legend(ncols=k, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=9, handlelength=1.0)
    data = counts.loc[order.index].copy()
    data.index.name = "项目"
    data = data.reset_index()
    data["不满意(%)"] = neg_shown
    data["满意(%)"] = pos_shown
    native = Native(
        "stacked100",
        categories=[str(r) for r in order.index],
        series={str(c): counts.loc[order.index, c].astype(float).tolist() for c in counts.columns},
        colours=list(colors),
    )
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle, native=native)


def _diverging(k: int) -> list[str]:
    """``k`` colours from the diverging palette (negative → positive), neutral grey in the middle if odd."""
    if k == len(DIVERGING):
        return list(DIVERGING)
    if k == 2:
        return [DIVERGING[1], DIVERGING[3]]
    if k == 3:
        return [DIVERGING[1], DIVERGING[2], DIVERGING[3]]
    if k == 4:
        return [DIVERGING[0], DIVERGING[1], DIVERGING[3], DIVERGING[4]]
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    cmap = LinearSegmentedColormap.from_list("house_diverging", DIVERGING)
    return [to_hex(cmap(i / (k - 1))) for i in range(k)]


def timeline_chart(
    counts: pd.Series, *, title: str, subtitle: str = "", path_stem, unit: str = "周", what: str = "答卷数"
) -> Chart:
    """Responses (``what``: 答卷数, or 人数 of a date question) per period (``counts`` indexed by period start)
    as bars, the peak marked."""
    fig, ax = new_figure(title, subtitle, figsize=(10, 4.2))
    x = pd.to_datetime(counts.index)
    width = (x[1] - x[0]).days * 0.8 if len(x) > 1 else 5
    ax.bar(x, counts.to_numpy(), width=width, color=ACCENT, align="edge")
    if len(counts):
        peak = int(np.argmax(counts.to_numpy()))
        ax.annotate(
            f"峰值 {counts.iloc[peak]:.0f} {'份' if what == '答卷数' else '人'}",
            xy=(x[peak], counts.iloc[peak]),
            xytext=(0, 6),
            textcoords="offset points",
            ha="left",
            fontsize=9,
            color=TEXT,
        )
    ax.set_ylabel(f"{what}（每{unit}）")
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    import matplotlib.dates as mdates

    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    data = pd.DataFrame({f"{unit}起始日": x.strftime("%Y-%m-%d"), what: counts.to_numpy()})
    native = Native(
        "line",
        categories=data[f"{unit}起始日"].tolist(),
        series={what: counts.astype(float).tolist()},
        colours=[ACCENT],
        axis_title=f"{what}（每{unit}）",
    )
    return save_chart(fig, path_stem, data, title=title, subtitle=subtitle, native=native)


def quotes_chart(
    items: list[dict], *, title: str, subtitle: str = "", path_stem, per_issue: int = 2, width: int = 60
) -> Chart:
    """Top issues with their people count and one or two quotes (``items``: label, n, quotes)."""
    blocks = []  # (kind, text, lines)
    for i, item in enumerate(items, start=1):
        blocks.append(("head", f"{i}. {item['label']}（{item['n']}人）", 1))
        for quote in list(item.get("quotes", []))[:per_issue]:
            text = wrap(f"“{chinese_punctuation(quote)}”", width)
            blocks.append(("quote", text, text.count("\n") + 1))
    # one unit = one line of quote text; headings get a little more air above them
    units = sum(lines + (0.6 if kind == "head" else 0.25) for kind, _, lines in blocks)
    fig, ax = new_figure(title, subtitle, figsize=(10, max(2.5, min(9.0, 0.9 + 0.24 * units))))
    ax.axis("off")
    ax.set_xlim(0, 1)
    ax.set_ylim(units, 0)
    y = 0.0
    for kind, text, lines in blocks:
        y += 0.6 if kind == "head" else 0.25
        ax.text(
            0.0 if kind == "head" else 0.03,
            y,
            text,
            va="top",
            ha="left",
            linespacing=1.3,
            fontsize=11 if kind == "head" else 9.5,
            color=TEXT if kind == "head" else SUBTLE_TEXT,
            fontweight="bold" if kind == "head" and _bold_ok() else "normal",
        )
        y += lines
    rows = [
        {"议题": it["label"], "人数": it["n"], "引述": chinese_punctuation(q)}
        for it in items
        for q in list(it.get("quotes", []))[:per_issue]
    ]
    return save_chart(
        fig, path_stem, pd.DataFrame(rows, columns=["议题", "人数", "引述"]), title=title, subtitle=subtitle
    )


def _bold_ok() -> bool:
    import matplotlib

    return matplotlib.rcParams["axes.titleweight"] == "bold"
