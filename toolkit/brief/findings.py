"""Every chart of the brief, each with a title that states its finding, computed from the data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.brief import charts as C
from toolkit.brief.figure import Chart, pct, percent
from toolkit.brief.ordinal import is_ordinal, ordered_levels
from toolkit.brief.survey import Survey, question_text, short_label
from toolkit.outputs import write_csv

if TYPE_CHECKING:  # for the annotation only
    from toolkit.forms import Question


# two shares closer than this (percentage points) are "close": the headline says so instead of naming a winner
CLOSE = 3.0


def leaders(values: pd.Series) -> list:
    """The labels of ``values`` tied at its largest value, in ``values``' order (the chart's order)."""
    if values.empty:
        return []
    top = values.max()
    return [k for k, v in values.items() if v == top]


def quoted(labels, limit: int = 3) -> str:
    """ "“甲”" / "“甲”“乙”" / "“甲”“乙”“丙”等5项": the names in a headline."""
    shown = "".join(f"“{x}”" for x in list(labels)[:limit])
    return shown + (f"等{len(labels)}项" if len(labels) > limit else "")


def candidate_ranking(survey: Survey, candidates: pd.DataFrame, folder: Path, top: int = 10) -> Chart:
    first = candidates.iloc[0]
    title = f"“{first['label']}”位列选题候选第一（热度 {first['heat']:.1f}）"
    sub = survey.subtitle(int(candidates["n_voices"].sum()), "人次反映", extra=f"前{min(top, len(candidates))}个候选")
    return C.ranking_chart(candidates, title=title, subtitle=sub, path_stem=folder / "01_选题候选排序", top=top)


def issue_sector_heatmap(survey: Survey, candidates, members, msgs, folder: Path, top: int = 8) -> Chart | None:
    if "sector" not in msgs or msgs["sector"].isna().all():
        return None
    rows = candidates.head(top)
    joined = members.merge(msgs[["id", "sector"]], on="id")
    joined = joined[joined["topic_id"].isin(rows["topic_id"])]
    table = pd.crosstab(joined["topic_id"], joined["sector"]).reindex(rows["topic_id"]).fillna(0).astype(int)
    table.index = [f"{r}. {lab}" for r, lab in zip(rows["rank"], rows["label"])]
    table = table[table.sum().sort_values(ascending=False, kind="mergesort").index]
    i, j = divmod(int(table.to_numpy().argmax()), table.shape[1])
    ties = int((table.to_numpy() == table.iat[i, j]).sum())
    title = f"{table.columns[j]}最集中反映“{rows.iloc[i]['label']}”（{table.iat[i, j]}人）"
    if ties > 1:  # several cells share the largest count: name one as an example, say how many there are
        title = f"{ties}处并列最集中（各{table.iat[i, j]}人），如{table.columns[j]}反映“{rows.iloc[i]['label']}”"
    return C.heatmap_chart(
        table,
        title=title,
        subtitle=survey.subtitle(len(joined), "人（前列议题）"),
        path_stem=folder / "02_议题与界别",
        row_name="议题",
        col_name="界别",
    )


def district_bars(survey: Survey, folder: Path) -> Chart | None:
    q = survey.by_role("district")
    if q is None:
        return None
    counts = survey.labels(q).value_counts()
    if counts.empty or (survey.filter_words and len(counts) < 2):  # a filter on one 镇街: nothing to show
        return None
    share = percent(counts.iloc[0], counts.sum())
    listed = len({short_label(c.label) for c in q.choices})
    # "均有" only when every 镇街 of the form answered; otherwise say how many of them did
    spread = (
        f"{len(counts)}个镇街均有答卷"
        if len(counts) >= listed or not listed
        else f"{listed}个镇街中{len(counts)}个有答卷"
    )
    first = leaders(counts)
    if len(first) > 1:
        title = f"{'、'.join(first[:3])}{'等' if len(first) > 3 else ''}答卷并列最多，各占{pct(share)}；{spread}"
    else:
        title = f"{counts.index[0]}答卷最多，占{pct(share)}；{spread}"
    chart = C.bar_chart(
        counts,
        title=title,
        subtitle=survey.subtitle(int(counts.sum())),
        highlight=1,
        path_stem=folder / "03_镇街分布",
        label_name="镇街",
        value_name="答卷数",
    )
    chart.question = q.id
    return chart


def likert_bars(survey: Survey, folder: Path) -> list[Chart]:
    out = []
    for n, q in enumerate(q for q in survey.of_kind("likert") if q.is_matrix):
        order = q.choice_ids()
        counts = pd.DataFrame(
            {
                short_label(row.label): survey.responses.get(f"{q.id}/{row.id}", pd.Series(dtype=object))
                .value_counts()
                .reindex(order)
                .fillna(0)
                .astype(int)
                for row in q.rows
            }
        ).T
        counts.columns = [q.choice_label(c) for c in order]
        answered = int(counts.sum(axis=1).max())
        if not answered:
            continue
        half = len(order) // 2
        neg = pd.Series(
            [percent(n, t) for n, t in zip(counts.iloc[:, :half].sum(axis=1), counts.sum(axis=1))], index=counts.index
        )
        worst = leaders(neg.sort_values(ascending=False, kind="mergesort"))
        if len(worst) > 1:
            title = f"{quoted(worst)}并列最不满意：各有{pct(neg.max())}的人不满意"
        else:
            title = f"“{worst[0]}”最不满意：{pct(neg.max())}的人不满意"
        sub = survey.subtitle(answered, "人作答", extra=question_text(q.label))
        chart = C.likert_chart(
            counts, title=title, subtitle=sub, path_stem=folder / chart_name(f"04_{n + 1}", "满意度", q.id)
        )
        chart.question = q.id
        out.append(chart)
    return out


def per_period(times: pd.Series) -> tuple[pd.Series, str]:
    """Counts of ``times`` (datetimes, no NaT) per week (a span up to 200 days) or per month, every period
    from the first to the last shown (0 too), and the unit ("周"/"月")."""
    days = (times.max() - times.min()).days
    freq, unit = ("W-MON", "周") if days <= 200 else ("MS", "月")
    counts = times.dt.to_period("W-SUN" if unit == "周" else "M").dt.start_time.value_counts().sort_index()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=freq)
    return counts.reindex(full.union(counts.index)).fillna(0).astype(int), unit


def timeline(survey: Survey, folder: Path) -> Chart | None:
    times = survey.responses["submitted_at"].dropna()
    if times.empty:
        return None
    counts, unit = per_period(times)
    peaks = leaders(counts)
    when = "、".join(f"{p.year}年{p.month}月" + (f"{p.day}日起的一周" if unit == "周" else "") for p in peaks[:2]) + (
        "等" if len(peaks) > 2 else ""
    )
    title = (
        f"答卷在{when}最多（{counts.max()}份）" if len(peaks) == 1 else f"答卷在{when}并列最多（各{counts.max()}份）"
    )
    return C.timeline_chart(
        counts, title=title, subtitle=survey.subtitle(), path_stem=folder / "05_答卷时间", unit=unit
    )


def choice_questions(survey: Survey) -> list:
    """Choice questions charted as bars (镇街 has its own chart)."""
    return [
        q
        for q in survey.form.questions
        if q.kind in ("single", "multiple", "ranking") and q.role != "district" and q.id in survey.responses
    ]


def choice_bars(survey: Survey, folder: Path) -> list[tuple[Question, Chart]]:
    """(question, chart) for every answered choice question."""
    out = []
    for n, q in enumerate(choice_questions(survey)):
        col = survey.responses[q.id]
        ordinal = is_ordinal(q)
        if q.kind == "single":
            answered = col.map(lambda v: isinstance(v, str) and v != "")
            counts = col[answered].map(q.choice_label).map(short_label).value_counts()
            if ordinal:  # the scale's order, every level shown (0 too); answers off the list after it
                levels = ordered_levels(list(dict.fromkeys(short_label(c.label) for c in q.choices)))
                counts = counts.reindex([*levels, *(k for k in counts.index if k not in levels)], fill_value=0)
            base, note = int(answered.sum()), "人作答"
        else:
            lists = col.map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
            answered = lists.map(bool)
            picks = lists[answered].map(lambda v: v[:1]) if q.kind == "ranking" else lists[answered]
            counts = pd.Series([short_label(q.choice_label(c)) for v in picks for c in v]).value_counts()
            base = int(answered.sum())
            note = "人作答（排第一位的选项）" if q.kind == "ranking" else "人作答（可多选，合计超过100%）"
        if counts.empty or not counts.sum() or (survey.filter_words and q.kind == "single" and (counts > 0).sum() < 2):
            continue  # no answers, or one answer left by the filter ("${sector} == 'edu'"): nothing to compare
        title = choice_headline(q, counts, base)
        topic = topic_of(q.label)
        sub = survey.subtitle(base, note, extra=question_text(q.label)[:30])
        stem = folder / chart_name(f"06_{n + 1}", topic, q.id)
        chart = C.bar_chart(
            counts,
            title=title,
            subtitle=sub,
            base=base,
            top=None if ordinal else 12,
            sort=not ordinal,
            path_stem=stem,
            label_name="选项",
            value_name="人数",
        )
        chart.question = q.id
        out.append((q, chart))
    return out


def number_values(survey: Survey, q) -> pd.Series:
    """The answers of a number question as floats, unanswered left out."""
    col = survey.responses.get(q.id)
    if col is None:
        return pd.Series(dtype=float)
    return pd.to_numeric(col, errors="coerce").dropna().astype(float)


def number_bins(values: pd.Series, integer: bool) -> pd.Series:
    """Counts of ``values`` in about 8 bins of a round width (1, 2, 5 × 10ⁿ), labelled "0–4" (whole numbers) or
    "0–5" (left-closed); each value its own bar when whole numbers span at most 12 values. Every bin shown."""
    import numpy as np

    low, high = float(values.min()), float(values.max())
    if integer and high - low <= 11:
        levels = np.arange(int(low), int(high) + 1)
        counts = values.round().astype(int).value_counts().reindex(levels, fill_value=0)
        return pd.Series(counts.to_numpy(), index=[str(v) for v in levels])
    raw = (high - low) / 8 or 1.0
    scale = 10 ** np.floor(np.log10(raw))
    width = next(m * scale for m in (1, 2, 5, 10) if m * scale >= raw)
    if integer:
        width = max(1.0, float(np.ceil(width)))
    start = np.floor(low / width) * width
    edges = np.arange(start, high + width, width)
    if edges[-1] <= high:
        edges = np.append(edges, edges[-1] + width)
    index = np.clip(((values.to_numpy() - start) // width).astype(int), 0, len(edges) - 2)
    counts = np.bincount(index, minlength=len(edges) - 1)

    def label(a, b):
        return f"{a:g}–{b - 1:g}" if integer else f"{a:g}–{b:g}"

    return pd.Series(counts, index=[label(a, b) for a, b in zip(edges[:-1], edges[1:])])


def number_histograms(survey: Survey, folder: Path) -> list[Chart]:
    """A histogram of every answered number question, its headline the median and the middle half."""
    out = []
    for n, q in enumerate(survey.of_kind("number")):
        values = number_values(survey, q)
        if values.empty:
            continue
        topic = topic_of(q.label)
        q1, median, q3 = (float(values.quantile(p)) for p in (0.25, 0.5, 0.75))
        title = f"{topic}：中位数 {median:g}，中间一半的人在 {q1:g}—{q3:g} 之间"
        chart = C.bar_chart(
            number_bins(values, q.integer),
            title=title,
            subtitle=survey.subtitle(len(values), "人作答", extra=question_text(q.label)[:30]),
            sort=False,
            highlight=0,
            path_stem=folder / chart_name(f"08_{n + 1}", topic, q.id),
            label_name="分组",
            value_name="人数",
        )
        # the numbers of the headline beside the bins: a headline is checked against its chart's CSV
        summary = f"中位数 {median:g}；下四分位数 {q1:g}；上四分位数 {q3:g}；平均数 {values.mean():.2f}；作答人数 {len(values)}"
        chart.data["说明"] = [summary] + [""] * (len(chart.data) - 1)
        write_csv(chart.data, chart.paths["csv"])
        chart.question = q.id
        out.append(chart)
    return out


def date_values(survey: Survey, q) -> pd.Series:
    """The answers of a date question as datetimes, unanswered and unreadable left out."""
    col = survey.responses.get(q.id)
    if col is None:
        return pd.Series(dtype="datetime64[ns]")
    return pd.to_datetime(col, errors="coerce", format="mixed").dropna()


def date_timelines(survey: Survey, folder: Path) -> list[Chart]:
    """The answers of every date question over time (per week or month), the busiest period named."""
    out = []
    for n, q in enumerate(survey.of_kind("date")):
        dates = date_values(survey, q)
        if dates.empty:
            continue
        counts, unit = per_period(dates)
        peaks = leaders(counts)
        when = "、".join(
            f"{p.year}年{p.month}月" + (f"{p.day}日起的一周" if unit == "周" else "") for p in peaks[:2]
        ) + ("等" if len(peaks) > 2 else "")
        topic = topic_of(q.label)
        title = f"{topic}：{when}最多（{'各' if len(peaks) > 1 else ''}{counts.max()}人）"
        chart = C.timeline_chart(
            counts,
            title=title,
            subtitle=survey.subtitle(len(dates), "人作答", extra=question_text(q.label)[:30]),
            path_stem=folder / chart_name(f"09_{n + 1}", topic, q.id),
            unit=unit,
            what="人数",
        )
        chart.question = q.id
        out.append(chart)
    return out


def choice_headline(q, counts: pd.Series, base: int) -> str:
    """The headline of a choice question's bars: the question named, then the answer most chosen — or the
    answers tied for most, or, when the first two are within ``CLOSE`` points, that they are about even.
    The shares are the chart's (``percent``: one rounding everywhere)."""
    topic = topic_of(q.label)
    ordered = counts.sort_values(ascending=False, kind="mergesort")
    shares = [percent(v, max(base, 1)) for v in ordered]
    first = leaders(counts)
    verb = "排第一位的" if q.kind == "ranking" else ""
    if len(first) > 1:
        return f"{topic}：{quoted(first)}{verb}并列最多（各{pct(shares[0])}）"
    second = ordered.index[1] if len(ordered) > 1 else None
    if second is not None and shares[0] - shares[1] < CLOSE:
        if len(counts[counts > 0]) == 2:
            return f"{topic}：两种回答大致各半（“{ordered.index[0]}”{pct(shares[0])}，“{second}”{pct(shares[1])}）"
        return f"{topic}：“{ordered.index[0]}”与“{second}”{verb}不相上下（{pct(shares[0])}、{pct(shares[1])}）"
    return f"{topic}：“{ordered.index[0]}”{verb}最多（{pct(shares[0])}）"


def chart_name(number: str, topic: str, question_id: str) -> str:
    """File stem of a per-question chart: number, Chinese heading and question id ("06_2_年龄段_age_band")."""
    words = re.sub(r"[^\w]+", "", topic.replace("…", ""))[:12]
    return "_".join(part for part in (number, words, question_id) if part)


def topic_of(label: str, limit: int = 18) -> str:
    """A question as a short heading: "您的年龄段" -> "年龄段", trailing "？" and hints dropped."""
    text = short_label(question_text(label)).rstrip("？?：:。 ")
    text = re.sub(r"(是什么|有哪些|是)$", "", text)
    for lead in ("请问您", "请问", "您的", "您"):
        if text.startswith(lead) and len(text) > len(lead) + 1:
            text = text[len(lead) :]
            break
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quotes(survey: Survey, candidates: pd.DataFrame, folder: Path, top: int = 5) -> Chart | None:
    items = []
    for r in candidates.head(top).to_dict("records"):
        qs = [q.strip().rstrip("…") for q in str(r.get("representative") or "").split(" | ") if q.strip()]
        items.append({"label": r["label"], "n": int(r["n_voices"]), "quotes": [q[:90] for q in qs]})
    if not items:
        return None
    total = sum(it["n"] for it in items)
    # the items come in candidate rank order; "最多" must name the issue with the most people
    most = leaders(pd.Series({it["label"]: it["n"] for it in items}))
    n_most = max(it["n"] for it in items)
    title = f"排名前{len(items)}的议题共{total}人反映，" + (
        f"“{most[0]}”人数最多（{n_most}人）" if len(most) == 1 else f"{quoted(most)}人数并列最多（各{n_most}人）"
    )
    return C.quotes_chart(
        items, title=title, subtitle=survey.subtitle(extra="个人信息已遮蔽"), path_stem=folder / "07_议题原话"
    )
