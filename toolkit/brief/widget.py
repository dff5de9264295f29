"""Make the brief in JupyterLab with choices and one button (ipywidgets), for staff who do not program.

>>> from toolkit.workflows import build_brief
>>> BriefPanel(build_brief, {"调研数据": "../data/调研数据.db"}, reports="../reports")   # doctest: +SKIP

Pick the database and the survey in it, optionally limit the brief to some answers (a question and the
options to keep, chosen by their text: 镇街 = 东湖街道、西山街道), name the output folder and press 生成简报.
The panel lists what was written (演示文稿, 调研报告, 分类统计 …) and shows the top candidates and a chart.

``build`` is the run that fits and writes (``toolkit.workflows.build_brief``, called as
``build(store, form, out, top=, filter=)``): it lives above the stages, so the panel is given it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.forms import Form, Question

# What a staffer reads for each output of the brief (toolkit.brief.write_brief's names).
OUTPUT_LABELS = {
    "deck": "演示文稿（可编辑的图表）",
    "report": "调研报告",
    "workbook": "分类统计工作簿",
    "candidate_list": "选题候选清单",
    "candidates": "选题候选表（CSV）",
    "charts": "图表文件夹（PNG、SVG、PDF 和每张图的数字）",
    "weights": "排序权重设置",
}
CONDITIONS = 2  # filter rows; all must hold
NO_FILTER = "（不筛选）"


def filter_questions(form: Form) -> list[Question]:
    """The questions a brief can be limited by: single and multiple choice (not matrices)."""
    return [q for q in form.questions if q.kind in ("single", "multiple") and q.choices and not q.is_matrix]


def filter_expression(form: Form, conditions: list[tuple[str, list[str]]]) -> str:
    """The filter, in the form's expression language, keeping answers with one of the chosen options of each
    question: ``[("district", ["donghu", "xishan"])]`` -> ``(${district} == 'donghu' or …)``. Conditions
    without options are left out; all the others must hold."""
    parts = []
    for qid, choices in conditions:
        if not qid or not choices:
            continue
        q = form.question(qid)
        each = [f"selected(${{{qid}}}, '{c}')" if q.kind == "multiple" else f"${{{qid}}} == '{c}'" for c in choices]
        parts.append(each[0] if len(each) == 1 else "(" + " or ".join(each) + ")")
    return " and ".join(parts)


def filter_words(form: Form, conditions: list[tuple[str, list[str]]]) -> str:
    """The same filter as staff chose it: ``镇街：东湖街道或西山街道``."""
    parts = []
    for qid, choices in conditions:
        if qid and choices:
            q = form.question(qid)
            parts.append(f"{_clip(q.label)}：{'或'.join(q.choice_label(c) for c in choices)}")
    return "；".join(parts)


class BriefPanel:
    """Choose a database, a survey, an optional filter and the output folder; press 生成简报.

    ``databases``: {label: location} (a SQLite file or a database URL), the first chosen to begin with;
    the ``*.db`` files of ``folder`` (where staff keep them, e.g. ``data/``) are listed after them.
    ``reports``: the folder the output folder goes in (default name ``<database file name>简报``, editable).
    """

    def __init__(
        self,
        build: Callable,
        databases: Mapping[str, str | Path] | None = None,
        *,
        folder=None,
        reports="reports",
        top: int = 10,
    ) -> None:
        import ipywidgets as w

        self.build, self.reports = build, Path(reports)
        self.outputs: dict[str, Path] = {}
        wide, label = w.Layout(width="90%"), {"description_width": "6em"}
        listed = [(k, str(v)) for k, v in (databases or {}).items()]
        if folder is not None and Path(folder).is_dir():
            listed += [(f"{p.name}（{Path(folder).name} 文件夹）", str(p)) for p in sorted(Path(folder).glob("*.db"))]
        self.database = w.Dropdown(options=listed, description="数据库", layout=wide, style=label)
        self.form = w.Dropdown(description="问卷", layout=wide, style=label)
        self.questions = [w.Dropdown(description="筛选题目", style=label) for _ in range(CONDITIONS)]
        self.choices = [w.SelectMultiple(rows=5, description="保留选项", style=label) for _ in range(CONDITIONS)]
        self.out = w.Text(description="输出文件夹", layout=wide, style=label)
        self.top = w.BoundedIntText(value=top, min=1, max=50, description="选题候选数", style=label)
        self.button = w.Button(description="生成简报", icon="file-powerpoint-o", button_style="primary")
        self.status = w.HTML()
        self.files = w.HTML()
        self.candidates = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="800px"))
        self.database.observe(lambda _: self._load_forms(), names="value")
        self.form.observe(lambda _: self._load_questions(), names="value")
        for question, choices in zip(self.questions, self.choices):
            question.observe(lambda _, q=question, c=choices: self._load_choices(q, c), names="value")
        self.button.on_click(lambda _: self.run())
        hint = w.HTML(
            "<small>筛选：每行选一道题和要保留的选项（按住 Ctrl 可多选）；两行都选时两个条件都要满足。</small>"
        )
        self.widget = w.VBox(
            [
                self.database,
                self.form,
                hint,
                *(w.HBox([q, c]) for q, c in zip(self.questions, self.choices)),
                self.out,
                self.top,
                self.button,
                self.status,
                self.files,
                self.candidates,
                self.chart,
            ]
        )
        self._load_forms()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def open_store(self):
        """The chosen database, opened (close it when done)."""
        from toolkit.store import open_store

        return open_store(self.database.value, create=False)

    def chosen_form(self) -> Form | None:
        """The chosen survey's definition as saved in the database (None when the database has none)."""
        return self._forms.get(self.form.value)

    def conditions(self) -> list[tuple[str, list[str]]]:
        """The chosen filter: (question id, kept choice ids) per row that has a question."""
        return [(q.value, list(c.value)) for q, c in zip(self.questions, self.choices) if q.value]

    def filter(self) -> str:
        """The chosen filter in the form's expression language ("" for all answers)."""
        form = self.chosen_form()
        return filter_expression(form, self.conditions()) if form else ""

    def _load_forms(self) -> None:
        self._forms: dict[str, Form] = {}
        options = []
        try:
            store = self.open_store()
            try:
                versions = store.form_versions()
                for form_id in dict.fromkeys(versions["form_id"]):
                    form = self._forms[form_id] = store.get_form(form_id)
                    n = store.counts(form_id)["responses"]
                    options.append((f"{form.title}（{n:,} 份答卷）", form_id))
            finally:
                store.close()
        except ToolkitError as err:
            self.status.value = _error(str(err))
        self.form.options = options
        self.form.value = options[0][1] if options else None
        if not options:
            self.status.value = _error("这个数据库里还没有问卷和答卷：先在“03 回收与导入”或录入网页中录入答卷。")
        name = Path(str(self.database.value or "").split("?")[0]).stem  # a file's name, or a database URL's
        self.out.value = str(self.reports / f"{name}简报")
        self._load_questions()

    def _load_questions(self) -> None:
        form = self.chosen_form()
        options = [(NO_FILTER, "")] + ([(_clip(q.label), q.id) for q in filter_questions(form)] if form else [])
        for question in self.questions:
            question.options = options
            question.value = ""

    def _load_choices(self, question, choices) -> None:
        form = self.chosen_form()
        q = form.question(question.value) if form and question.value else None
        choices.options = [(c.label, c.id) for c in q.choices] if q else []

    def run(self) -> dict[str, Path]:
        """Build the brief with the chosen settings; list the outputs, show the top candidates and a chart."""
        self.outputs, self.files.value, self.candidates.value, self.chart.value = {}, "", "", b""
        form = self.chosen_form()
        if form is None:
            self.status.value = _error("请先选择有答卷的数据库和问卷。")
            return {}
        conditions = self.conditions()
        if any(not kept for _, kept in conditions):
            self.status.value = _error("筛选题目已选，但没有选要保留的选项：请选选项，或把题目改回“（不筛选）”。")
            return {}
        words = filter_words(form, conditions)
        self.status.value = f"正在生成“{html.escape(form.title)}”的简报{'（' + html.escape(words) + '）' if words else ''}，需要几十秒……"
        try:
            store = self.open_store()
            try:
                self.outputs = self.build(
                    store, form, Path(self.out.value), top=int(self.top.value), filter=self.filter() or None
                )
            finally:
                store.close()
        except ToolkitError as err:
            self.status.value = _error(str(err))
            return {}
        where = html.escape(str(Path(self.out.value).resolve()))
        self.status.value = f"<b>简报已生成</b>：{where}" + (f"；筛选：{html.escape(words)}" if words else "")
        self.files.value = outputs_html(self.outputs)
        if "candidates" in self.outputs:
            self.candidates.value = candidates_html(self.outputs["candidates"])
        pictures = sorted(Path(self.outputs["charts"]).glob("*.png")) if "charts" in self.outputs else []
        if pictures:
            self.chart.value = pictures[0].read_bytes()
        return self.outputs


def outputs_html(outputs: Mapping[str, Path]) -> str:
    """The written files by what they are for staff (演示文稿 …), with their names."""
    rows = "".join(
        f"<li>{html.escape(OUTPUT_LABELS.get(key, '其他文件'))}：{html.escape(Path(path).name)}</li>"
        for key, path in outputs.items()
    )
    return f"<ul>{rows}</ul>"


def candidates_html(path, top: int = 5) -> str:
    """The first candidates of ``candidates.csv`` with Chinese headers: 排名, 议题, 热度, 反映人数, 为什么排在这里."""
    table = pd.read_csv(path, encoding="utf-8-sig").head(top)
    columns = {"rank": "排名", "label": "议题", "heat": "热度", "n_voices": "反映人数", "explanation": "为什么排在这里"}
    table = table[[c for c in columns if c in table.columns]].rename(columns=columns)
    head = "".join(f"<th>{h}</th>" for h in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<h4>选题候选（前 {len(table)} 名）</h4><table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _clip(label: str, width: int = 30) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _error(text: str) -> str:
    return f"<p style='color:#b00'>{html.escape(text)}</p>"
