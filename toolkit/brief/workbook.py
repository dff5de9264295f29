"""The 分类统计 workbook (分类统计.xlsx): one sheet per question, as staff know it from 问卷星's 数据报告.

Each sheet holds the question's table — counts, % and the base (respondents: a multiple-choice question's
percentages add to more than 100 %) — an Excel chart of it, and the numbers of the brief's chart of that
question. Number questions get their mean, median and quartiles and a histogram; date questions a timeline;
the texts written after “其他（请注明）” are grouped (the same words, as the text stage normalises them) and
counted, with how they were written, personal data masked. A first sheet (目录) lists the questions, their
bases and sheets. Every cell goes through ``toolkit.outputs.safe_cell``: masked, and no cell is a formula.

>>> write_workbook(survey, "reports/x/分类统计.xlsx", charts=[...])      # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from toolkit.brief.figure import Chart, chinese_punctuation, percent
from toolkit.brief.findings import date_values, number_bins, number_values, per_period, topic_of
from toolkit.brief.ordinal import is_ordinal, ordered_levels
from toolkit.brief.survey import Survey, question_text
from toolkit.forms import KIND_LABELS, OTHER, other_key
from toolkit.office import freeze_core_properties, normalize_zip
from toolkit.outputs import safe_cell, text_cells

WORKBOOK = "分类统计.xlsx"
TABULATED = ("single", "multiple", "ranking", "likert", "number", "date")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


def _answered(value) -> bool:
    return isinstance(value, str) and value != ""


def _picks(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _choice_order(q, seen) -> list[str]:
    """The question's choice ids in the form's order (an ordered scale in its scale's order), then answers
    off the list in the order first seen."""
    ids = q.choice_ids()
    if is_ordinal(q):
        by_label = {q.choice_label(c): c for c in ids}
        ids = [by_label[label] for label in ordered_levels(list(by_label))]
    return [*ids, *(v for v in dict.fromkeys(seen) if v not in ids)]


def choice_table(survey: Survey, q) -> tuple[pd.DataFrame, int]:
    """选项 / 人数 / 占比(%) of a single, multiple or (one-row) Likert question, every choice listed (0 too),
    and the base: the people who answered it."""
    col = survey.responses.get(q.id, pd.Series(dtype=object))
    if q.kind == "multiple":
        lists = col.map(_picks)
        base = int(lists.map(bool).sum())
        chosen = pd.Series([c for v in lists for c in v], dtype=object).value_counts()
    else:
        answered = col[col.map(_answered)]
        base = len(answered)
        chosen = answered.value_counts()
    order = _choice_order(q, chosen.index)
    rows = [(q.choice_label(c), int(chosen.get(c, 0)), percent(chosen.get(c, 0), base)) for c in order]
    return pd.DataFrame(rows, columns=["选项", "人数", "占比(%)"]), base


def ranking_table(survey: Survey, q) -> tuple[pd.DataFrame, int]:
    """For a ranking question: how many put each choice first, chose it at all, and its mean place."""
    lists = survey.responses.get(q.id, pd.Series(dtype=object)).map(_picks)
    lists = lists[lists.map(bool)]
    base = len(lists)
    first = pd.Series([v[0] for v in lists], dtype=object).value_counts()
    places: dict = {}
    for v in lists:
        for place, c in enumerate(v, start=1):
            places.setdefault(c, []).append(place)
    rows = []
    for c in _choice_order(q, places):
        got = places.get(c, [])
        rows.append(
            (
                q.choice_label(c),
                int(first.get(c, 0)),
                percent(first.get(c, 0), base),
                len(got),
                percent(len(got), base),
                round(sum(got) / len(got), 2) if got else None,
            )
        )
    columns = ["选项", "排第一位人数", "排第一位占比(%)", "选中人数", "选中占比(%)", "平均位次"]
    return pd.DataFrame(rows, columns=columns), base


def matrix_table(survey: Survey, q) -> tuple[pd.DataFrame, int]:
    """A Likert matrix: per statement the count of each answer, its base, the shares below and above the
    middle, and the mean score (1 = the first answer)."""
    order = q.choice_ids()
    half = len(order) // 2
    rows, base = [], 0
    for row in q.rows:
        col = survey.responses.get(f"{q.id}/{row.id}", pd.Series(dtype=object))
        counts = col[col.map(_answered)].value_counts().reindex(order, fill_value=0)
        n = int(counts.sum())
        base = max(base, n)
        score = sum((i + 1) * int(v) for i, v in enumerate(counts)) / n if n else None
        rows.append(
            [
                row.label,
                *(int(v) for v in counts),
                n,
                percent(counts.iloc[:half].sum(), n),
                percent(counts.iloc[len(order) - half :].sum(), n),
                round(score, 2) if score is not None else None,
            ]
        )
    columns = ["项目", *(q.choice_label(c) for c in order), "作答人数", "不满意(%)", "满意(%)", "平均分"]
    return pd.DataFrame(rows, columns=columns), base


def number_tables(survey: Survey, q) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The summary (mean, median, quartiles …) and the histogram's bins of a number question."""
    values = number_values(survey, q)
    if values.empty:
        return pd.DataFrame(columns=["统计量", "数值"]), pd.DataFrame(columns=["分组", "人数", "占比(%)"]), 0
    stats = [
        ("作答人数", len(values)),
        ("平均数", round(float(values.mean()), 2)),
        ("标准差", round(float(values.std(ddof=1)), 2) if len(values) > 1 else None),
        ("最小值", float(values.min())),
        ("下四分位数（25%的人不超过）", float(values.quantile(0.25))),
        ("中位数", float(values.quantile(0.5))),
        ("上四分位数（75%的人不超过）", float(values.quantile(0.75))),
        ("最大值", float(values.max())),
    ]
    bins = number_bins(values, q.integer)
    hist = pd.DataFrame(
        {"分组": bins.index, "人数": bins.to_numpy(), "占比(%)": [percent(v, len(values)) for v in bins]}
    )
    return pd.DataFrame(stats, columns=["统计量", "数值"]), hist, len(values)


def date_table(survey: Survey, q) -> tuple[pd.DataFrame, int]:
    """Answers of a date question per week or month (the timeline), every period listed."""
    dates = date_values(survey, q)
    if dates.empty:
        return pd.DataFrame(columns=["起始日", "人数"]), 0
    counts, unit = per_period(dates)
    return pd.DataFrame({f"{unit}起始日": counts.index.strftime("%Y-%m-%d"), "人数": counts.to_numpy()}), len(dates)


def other_texts(survey: Survey, q) -> tuple[pd.DataFrame, int]:
    """The texts written after “其他（请注明）”, grouped where they are the same words once normalised
    (full/half width, traditional/simplified, spaces and punctuation), most people first: the words as
    most wrote them, how many, and up to three other ways they were written."""
    from toolkit.text import normalize

    col = survey.responses.get(other_key(q.id), pd.Series(dtype=object))
    texts = [str(t).strip() for t in col if isinstance(t, str) and t.strip()]
    groups: dict[str, list[str]] = {}
    for text in texts:
        key = re.sub(r"[\W_]+", "", normalize(text).lower()) or text
        groups.setdefault(key, []).append(text)
    rows = []
    for written in groups.values():
        forms = pd.Series(written).value_counts()
        shown = chinese_punctuation(forms.index[0])
        others = "；".join(chinese_punctuation(f) for f in forms.index[1:4])
        rows.append((shown, len(written), percent(len(written), len(texts)), others))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return pd.DataFrame(rows, columns=["填写内容（相同说法已归并）", "人数", "占比(%)", "其他写法"]), len(texts)


# -- writing ------------------------------------------------------------------------------------------------


def _sheet_name(number: int, q, used: set) -> str:
    name = _SHEET_BAD.sub("", f"{number}_{topic_of(q.label, 12).rstrip('…')}")[:28] or str(number)
    while name in used:
        name = name[:26] + f"_{len(used)}"
    used.add(name)
    return name


class _Sheet:
    """Blocks written down a worksheet: a heading line, then a table with a bold header."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1
        self.widths: dict[int, int] = {}

    def line(self, text: str, *, bold: bool = False) -> None:
        from openpyxl.styles import Font

        cell = self.sheet.cell(row=self.row, column=1, value=safe_cell(text, excel=True))
        if bold:
            cell.font = Font(bold=True, size=12)
        self.row += 1

    def table(self, heading: str, frame: pd.DataFrame) -> tuple[int, int]:
        """Write ``frame`` under ``heading``; return its header row and last row."""
        from openpyxl.styles import Font, PatternFill

        self.line(heading, bold=True)
        top = self.row
        for j, name in enumerate(frame.columns, start=1):
            cell = self.sheet.cell(row=top, column=j, value=safe_cell(str(name), excel=True))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F1")
            self._width(j, str(name))
        for i, values in enumerate(frame.itertuples(index=False), start=top + 1):
            for j, value in enumerate(values, start=1):
                value = None if value is None or (isinstance(value, float) and pd.isna(value)) else value
                if hasattr(value, "item"):
                    value = value.item()
                cell = self.sheet.cell(row=i, column=j, value=safe_cell(value, excel=True))
                if "%" in str(frame.columns[j - 1]) and isinstance(value, float):
                    cell.number_format = "0.0"  # 86.0, as the chart and its CSV write it
                self._width(j, "" if value is None else str(value))
        self.row = top + len(frame) + 2
        return top, top + len(frame)

    def _width(self, column: int, text: str) -> None:
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:60]) + 2
        self.widths[column] = max(self.widths.get(column, 8), min(width, 50))

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        text_cells(self.sheet)


def _chart(kind: str, sheet, top: int, last: int, values_col: int, title: str, anchor: str, *, cols: int = 1):
    """An Excel chart of the table at rows ``top`` (header) … ``last``: categories in column A."""
    from openpyxl.chart import BarChart, LineChart, Reference

    if last <= top:
        return
    chart = LineChart() if kind == "line" else BarChart()
    if kind != "line":
        chart.type = "bar" if kind in ("bar", "stacked") else "col"
        chart.gapWidth = 60
        if kind == "stacked":
            chart.grouping, chart.overlap = "percentStacked", 100
        if chart.type == "bar":
            chart.y_axis.scaling.orientation = "minMax"
            chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table
    chart.title = title[:60]
    chart.height, chart.width = 7.5, 16
    data = Reference(sheet, min_col=values_col, max_col=values_col + cols - 1, min_row=top, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=last))
    chart.legend = chart.legend if cols > 1 else None
    sheet.add_chart(chart, anchor)


def write_workbook(survey: Survey, path, *, charts: Iterable[Chart] = (), filter_note: str = "") -> Path:
    """Write the 分类统计 workbook of ``survey`` to ``path``; ``charts``: the brief's charts (those with a
    ``question`` put their numbers on its sheet); ``filter_note``: the responses covered, said on 目录."""
    from openpyxl import Workbook

    form = survey.form
    by_question = {c.question: c for c in charts if c.question}
    book = Workbook()
    index = _Sheet(book.active)
    index.sheet.title = "目录"
    index.line(f"{form.title}：分类统计", bold=True)
    index.line(f"有效答卷 {survey.n:,} 份｜{survey.span()}" + (f"｜{filter_note}" if filter_note else ""))
    index.line("占比 = 人数 ÷ 作答人数（基数：答了这道题的人）；多选题每人可选多项，各项占比合计超过 100%。")
    index.row += 1
    listing: list[tuple] = []
    used: set[str] = set()
    for q in form.answer_questions():
        number = form.number(q.id)
        if q.kind not in TABULATED:
            note = "意见建议见调研报告和 candidates.csv" if q.kind == "concern" else "填空题不做统计（可能含个人信息）"
            listing.append((number, question_text(q.label), KIND_LABELS.get(q.kind, q.kind), None, note))
            continue
        name = _sheet_name(number, q, used)
        sheet = _Sheet(book.create_sheet(name))
        sheet.line(f"第{number}题　{q.label}", bold=True)
        base = _question(sheet, survey, q, by_question.get(q.id))
        sheet.finish()
        listing.append((number, question_text(q.label), KIND_LABELS.get(q.kind, q.kind), base, name))
    index.table("题目一览", pd.DataFrame(listing, columns=["题号", "题目", "题型", "作答人数", "工作表"]))
    index.finish()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    freeze_core_properties(book.properties)
    book.save(path)
    return normalize_zip(path)


def _same(data: pd.DataFrame, table: pd.DataFrame) -> bool:
    return (
        list(data.columns) == list(table.columns)
        and data.astype(str).to_numpy().tolist() == table.astype(str).to_numpy().tolist()
    )


def _question(sheet: _Sheet, survey: Survey, q, chart: Chart | None) -> int:
    """The blocks of one question's sheet; returns its base (the people who answered it)."""
    kind = KIND_LABELS.get(q.kind, q.kind)
    if q.is_matrix:
        table, base = matrix_table(survey, q)
        sheet.line(f"{kind}（矩阵）｜作答人数 {base:,}")
        top, last = sheet.table("各项回答人数", table)
        _chart("stacked", sheet.sheet, top, last, 2, "各项回答的构成", f"A{sheet.row}", cols=len(q.choice_ids()))
        sheet.row += 16
    elif q.kind == "number":
        stats, table, base = number_tables(survey, q)
        sheet.line(f"{kind}｜作答人数 {base:,}")
        sheet.table("统计量", stats)
        top, last = sheet.table("分布（直方图的数字）", table)
        _chart("col", sheet.sheet, top, last, 2, "人数分布", f"E{top}")
        sheet.row = max(sheet.row, top + 16)
    elif q.kind == "date":
        table, base = date_table(survey, q)
        sheet.line(f"{kind}｜作答人数 {base:,}")
        top, last = sheet.table("时间分布", table)
        _chart("line", sheet.sheet, top, last, 2, "人数随时间", f"D{top}")
        sheet.row = max(sheet.row, top + 16)
    else:
        table, base = ranking_table(survey, q) if q.kind == "ranking" else choice_table(survey, q)
        many = "（可多选，各项占比合计超过100%）" if q.kind == "multiple" else ""
        sheet.line(f"{kind}{many}｜作答人数（基数）{base:,}")
        top, last = sheet.table("各选项人数", table)
        _chart("bar", sheet.sheet, top, last, 2, "人数", f"{'H' if q.kind == 'ranking' else 'E'}{top}")
        sheet.row = max(sheet.row, top + 16)
        if q.other and (OTHER in q.choice_ids()):
            others, n = other_texts(survey, q)
            if n:
                sheet.table(f"“其他（请注明）”填写的内容（{n} 人填写，相同说法已归并，个人信息已遮蔽）", others)
    if chart is not None and not _same(chart.data, table):  # the chart's own numbers, when they differ
        sheet.table(f"图表数据（charts/{chart.stem}.csv）：{chart.title}", chart.data)
    return base
