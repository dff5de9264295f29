"""Import an export in JupyterLab with choices and one button (ipywidgets), for staff who do not program.

>>> IngestPanel("../data", "../surveys")                                          # doctest: +SKIP

Pick the export (from the files in ``data/`` or by uploading one), the survey, the database and the platform,
then press 导入. The panel says what happened in plain Chinese: rows accepted, quarantined and why (by
table row and column header, as staff see them in Excel), which headers matched which question (by the
question's text, never its id). Nothing here differs from ``weidiaoyan ingest``: it calls :func:`ingest`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.forms import Form, load_form
from toolkit.ingest.pipeline import ingest
from toolkit.ingest.readers import READERS
from toolkit.ingest.report import RULE_LABELS
from toolkit.outputs import mask_text

EXPORT_SUFFIXES = (".xlsx", ".xls", ".csv")
UPLOADS = "上传的文件"  # sub-folder of the data folder where uploaded exports are kept
NEW_DATABASE = "调研数据.db"
SHOWN_PROBLEMS = 50  # quarantined cells listed in the panel; all of them are in the store and the fix workbook


def export_files(folder) -> list[Path]:
    """The platform exports (.xlsx, .xls, .csv) under ``folder``, sorted; hidden files and folders skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in EXPORT_SUFFIXES
        and p.is_file()
        and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)
    ]
    return sorted(found, key=lambda p: str(p.relative_to(folder)))


def survey_choices(surveys) -> list[tuple[str, Path]]:
    """(title, path) of the survey definitions in a folder (or the given paths); the file name is added to a
    title two files share. Files that do not load are left out (``weidiaoyan form check`` says why)."""
    folder = isinstance(surveys, (str, Path))
    paths = sorted(Path(surveys).glob("*.yaml")) if folder else [Path(p) for p in surveys]
    loaded = []
    for path in paths:
        try:
            loaded.append((load_form(path).title, path))
        except ToolkitError:
            continue
    titles = [t for t, _ in loaded]
    return [(f"{t}（{p.name}）" if titles.count(t) > 1 else t, p) for t, p in loaded]


class IngestPanel:
    """Choose an export, a survey, a database and the platform; press 导入; read the result.

    ``folder``: where staff keep exports (listed, uploads saved under ``上传的文件/``) and databases (``*.db``).
    ``surveys``: a folder of survey definitions (``*.yaml``) or their paths. ``files``: more exports listed
    first ({label: path} or paths, e.g. a sample export). ``databases``: more databases listed first
    ({label: location}, a location may be a database URL). The first of each list is chosen to begin with.
    """

    def __init__(
        self,
        folder,
        surveys,
        *,
        files: Mapping[str, str | Path] | Iterable[str | Path] = (),
        databases: Mapping[str, str | Path] | None = None,
        operator: str = "",
    ):
        import ipywidgets as w

        self.folder = Path(folder)
        self.report: dict | None = None
        self._extra_files = _labelled(files)
        self.file = w.Dropdown(description="导出文件", layout=w.Layout(width="90%"))
        self.upload = w.FileUpload(accept=",".join(EXPORT_SUFFIXES), multiple=False, description="上传文件")
        self.form = w.Dropdown(options=survey_choices(surveys), description="问卷", layout=w.Layout(width="90%"))
        self.database = w.Dropdown(
            options=self._databases(databases), description="数据库", layout=w.Layout(width="90%")
        )
        self.source = w.Dropdown(
            options=[("自动识别", "auto"), *((r.label, name) for name, r in READERS.items())],
            description="来源平台",
        )
        self.operator = w.Text(value=operator, description="导入人", placeholder="您的姓名（记入审计日志）")
        self.button = w.Button(description="导入", icon="upload", button_style="primary")
        self.fix_button = w.Button(description="导出待修正表", icon="file-excel-o")
        self.status = w.HTML()
        self.details = w.HTML()
        for widget in (self.file, self.form, self.database, self.source, self.operator):
            widget.style = {"description_width": "5em"}
        self.upload.observe(lambda _: self.take_upload(), names="value")
        self.button.on_click(lambda _: self.run())
        self.fix_button.on_click(lambda _: self.export_fixes())
        self.widget = w.VBox(
            [
                w.HBox([self.file, self.upload]),
                self.form,
                self.database,
                w.HBox([self.source, self.operator]),
                w.HBox([self.button, self.fix_button]),
                self.status,
                self.details,
            ]
        )
        self.refresh_files()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _databases(self, given) -> list[tuple[str, str]]:
        options = [(label, str(location)) for label, location in (given or {}).items()]
        found = sorted(self.folder.glob("*.db")) if self.folder.is_dir() else []
        options += [(f"{p.name}（{self.folder.name} 文件夹）", str(p)) for p in found]
        if not any(p.name == NEW_DATABASE for p in found):
            options.append((f"新建 {NEW_DATABASE}（{self.folder.name} 文件夹）", str(self.folder / NEW_DATABASE)))
        return options

    def refresh_files(self, choose: Path | None = None) -> None:
        """List the exports again (a file saved into the folder meanwhile appears); keep or set the choice."""
        listed = [*self._extra_files, *((str(p.relative_to(self.folder)), p) for p in export_files(self.folder))]
        before = choose or self.file.value
        self.file.options = [(label, str(path)) for label, path in listed]
        values = [v for _, v in self.file.options]
        self.file.value = str(before) if before is not None and str(before) in values else next(iter(values), None)

    def take_upload(self) -> Path | None:
        """Save the uploaded file under ``<folder>/上传的文件/`` (a same-named earlier upload is replaced) and
        choose it."""
        if not self.upload.value:
            return None
        item = self.upload.value[0]
        target = self.folder / UPLOADS / Path(item["name"]).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(item["content"]))
        self.refresh_files(choose=target)
        self.status.value = (
            f"已收到上传的文件：{html.escape(target.name)}（保存在 {html.escape(self.folder.name)}/{UPLOADS}/）"
        )
        return target

    def run(self) -> dict | None:
        """Import the chosen file; show the result (or the error, in Chinese) and return the report."""
        self.report, self.details.value = None, ""
        if not self.file.value or not self.form.value:
            self.status.value = _error("请先选择导出文件和问卷（没有文件时可点“上传文件”）。")
            return None
        from toolkit.store import open_store

        self.status.value = "正在导入……"
        form = None
        try:
            form = load_form(self.form.value)
            store = open_store(self.database.value)
            try:
                self.report = ingest(
                    self.file.value, form, store, source=self.source.value, operator=self.operator.value.strip() or None
                )
            finally:
                store.close()
        except ToolkitError as err:
            self.status.value = _error(plain(str(err), form))
            return None
        self.status.value = summary_html(self.report, self.database.label)
        self.details.value = problems_html(self.report, form) + mapping_html(self.report, form)
        return self.report

    def export_fixes(self) -> Path | None:
        """Write the survey's open quarantined rows to ``<folder>/待修正表_<survey>.xlsx`` for staff to correct
        (``weidiaoyan rejected resubmit`` reads it back); say where."""
        from toolkit.ingest.fixes import export_rejected
        from toolkit.store import open_store

        try:
            form = load_form(self.form.value)
            path = self.folder / f"待修正表_{form.title}.xlsx"
            store = open_store(self.database.value)
            try:
                summary = export_rejected(store, form, path)
            finally:
                store.close()
        except ToolkitError as err:
            self.status.value = _error(str(err))
            return None
        self.status.value = (
            f"已写出待修正表：{html.escape(str(path))}（{summary['rows']} 行，个人信息已遮盖）。"
            "在表中改好答案后，交给技术人员重新提交。"
        )
        return path


def summary_html(report: dict, database: str) -> str:
    """The import in a few plain sentences: file, platform, counts, notes."""
    lines = [
        f"<b>已导入 {html.escape(Path(report['file']).name)}</b>（{html.escape(report['source_label'])}"
        f"{'，' + html.escape(report['mode']) if report.get('mode') else ''}）到“{html.escape(report['form_title'])}”，"
        f"数据库：{html.escape(database)}",
        f"共 {report['rows']:,} 行：本次接收 {report['accepted']:,} 行，隔离 {report['rejected']:,} 行，"
        f"此前已导入（跳过）{report['skipped_existing']:,} 行，疑似重复（已接收，标记待核）{report['duplicates']:,} 行。",
    ]
    if report.get("batch_id"):
        lines.append(f"导入批次编号：{report['batch_id']}（撤销或追查时用）")
    if report.get("warnings"):
        lines.append("提醒：" + "、".join(f"{RULE_LABELS.get(k, k)} {v} 处" for k, v in report["warnings"].items()))
    lines += [f"说明：{html.escape(note)}" for note in report.get("notes", [])]
    if report["rejected"]:
        lines.append("隔离的行没有写入答卷：点“导出待修正表”，在表中改好后交技术人员重新提交。")
    return "<br>".join(lines)


def problems_html(report: dict, form: Form, limit: int = SHOWN_PROBLEMS) -> str:
    """The quarantined cells as a table: 表格行号 (as in Excel), 列, 问题, 填的内容 (masked), 说明."""
    problems = report.get("problems", [])
    if not problems:
        return ""
    line = report.get("header_row") or 1
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                p["row_number"] + line,
                p["column"],
                RULE_LABELS.get(p["rule"], p["rule"]),
                mask_text(_shown(p["value"])),
                mask_text(plain(str(p["message"]), form)),
            )
        )
        + "</tr>"
        for p in problems[:limit]
    )
    more = f"<p>另有 {len(problems) - limit} 处未列出。</p>" if len(problems) > limit else ""
    head = "".join(f"<th>{h}</th>" for h in ("表格行号", "列", "问题", "填的内容", "说明"))
    return f"<h4>隔离的行（{report['rejected']} 行）</h4><table><tr>{head}</tr>{rows}</table>{more}"


def mapping_html(report: dict, form: Form) -> str:
    """Which header of the file went to which question (by its text), and the headers that went nowhere."""
    labels = {q.id: q.label for q in form.questions}
    for q in form.questions:  # a Likert row's column: "question：row"
        labels.update({f"{q.id}/{r.id}": f"{q.label}：{r.label}" for r in q.rows})
    rows = [(h, labels.get(qid, qid)) for h, qid in report.get("mapping", {}).items()]
    rows += [(h, "（未对应到题目，原样保存）") for h in report.get("unmapped_columns", [])]
    if not rows:
        return ""
    body = "".join(f"<tr><td>{html.escape(str(h))}</td><td>{html.escape(str(q))}</td></tr>" for h, q in rows)
    return (
        f"<details><summary>表头与题目的对应（{len(rows)} 列）</summary>"
        f"<table><tr><th>文件中的表头</th><th>问卷题目</th></tr>{body}</table></details>"
    )


def plain(text: str, form: Form | None) -> str:
    """A message without the form's internal codes: ``第2题（sector）`` -> ``第2题``, ``education=教育界`` ->
    ``教育界``, ``问卷“…”（annual_topics）`` -> ``问卷“…”``. The command line keeps them (scripts need ids)."""
    if form is None:
        return text
    text = text.replace(f"（{form.id}）", "")
    for q in form.questions:
        text = text.replace(f"（{q.id}）", "")
        for c in q.choices:
            text = re.sub(rf"(?<![\w/]){re.escape(c.id)}=", "", text)
    return text


def _labelled(items) -> list[tuple[str, Path]]:
    if isinstance(items, Mapping):
        return [(str(label), Path(path)) for label, path in items.items()]
    return [(Path(p).name, Path(p)) for p in items]


def _shown(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def _error(text: str) -> str:
    return f"<p style='color:#b00'>{html.escape(text)}</p>"
