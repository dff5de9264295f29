"""问卷星 (wjx.cn) exports: 按选项文本 and 按选项序号, as .xls, .xlsx or .csv.

Headers: meta ``序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP`` (any order, sometimes ``总分``);
questions ``N、题干`` (older files add a tag such as ``(多选题 *必答)``); by code, multiple choice
and ranking become one column per option, ``第6题(运动)`` or ``6、(运动)``; a matrix starts with
``13、题干—行标签`` and continues with columns headed by the bare row label. The 省市区 question is an
unnumbered ``请选择省份城市与地区:`` column (cells ``山西-晋城``). A question the respondent never saw (routed
past by 跳题 logic, hidden by 关联逻辑) is ``(跳过)``, by code ``-3``/``-2``; ``(空)`` is shown but left empty.
"""

from __future__ import annotations

import re

import numpy as np

from toolkit.forms import Question
from toolkit.ingest.files import RawTable
from toolkit.ingest.normalize import key
from toolkit.ingest.readers import decode as d
from toolkit.ingest.readers.base import Layout, Reader, SourceColumn, SourceQuestion

META = {
    "序号": "external_id",
    "提交答卷时间": "submitted_at",
    "答卷提交时间": "submitted_at",
    "所用时间": "duration",
    "来自ip": "ip",
    "来源": "channel",
}
META_EXTRA = {"来源详情", "总分", "填写设备", "用户id", "昵称", "微信昵称", "性别(微信)", "城市(微信)"}
_OPTION = re.compile(r"^(?:第(\d+)题|(\d+)[、.．])\s*[(（](.*)[)）]$")
_NUMBERED = re.compile(r"^(\d+)[、]\s*(.*)$")
_TAG = re.compile(r"\s*[(（]([^()（）]*题[^()（）]*)[)）]\s*")
# 问卷星's 省市区 question keeps its stock title, usually unnumbered: ``请选择省份城市与地区:``, cells ``山西-晋城``
_REGION = re.compile(r"^(?:(\d+)、\s*)?(请选择省份城市与地区)\s*[:：]?\s*$")
REGION_TAG = "省市区"
MATRIX_SEP = "—"
# a question routed past by skip logic (跳题) or hidden by 关联逻辑: not shown, so not unanswered
NOT_SHOWN_TEXT = {"(跳过)", "（跳过）"}
NOT_SHOWN_CODES = {"-3", "-2"}


def parse_header(header: str) -> tuple[int | None, str, str, str | None]:
    """(number, question label, type tag, matrix row label) of a numbered header."""
    m = _NUMBERED.match(header)
    if not m:
        return None, header, "", None
    number, rest = int(m.group(1)), m.group(2)
    tag = ""
    t = _TAG.search(rest)
    if t:
        tag = t.group(1).strip()
        rest = (
            rest[: t.start()]
            + (MATRIX_SEP if rest[t.end() :].startswith(MATRIX_SEP) else " ")
            + rest[t.end() :].lstrip(MATRIX_SEP)
        )
    row = None
    if MATRIX_SEP in rest:
        label, row = rest.rsplit(MATRIX_SEP, 1) if "矩阵" not in tag else rest.split(MATRIX_SEP, 1)
        rest = label
    return number, rest.strip(), tag, (row.strip() if row is not None else None)


class WjxReader(Reader):
    name = "wjx"
    label = "问卷星"

    def score(self, table: RawTable) -> float:
        keys = {key(h) for h in table.header}
        hits = sum(k in keys for k in ("序号", "提交答卷时间", "所用时间", "来自ip", "来源详情"))
        numbered = sum(bool(_NUMBERED.match(h) or _OPTION.match(h)) for h in table.header)
        return min(1.0, hits / 4 + (0.3 if numbered >= max(1, len(table.header) // 3) else 0))

    def layout(self, table: RawTable) -> Layout:
        lay = Layout()
        current: SourceQuestion | None = None
        by_number: dict[int, SourceQuestion] = {}
        for i, header in enumerate(table.header):
            k, text = key(header), header
            if k in META and META[k] not in lay.meta:
                lay.meta[META[k]] = i
                current = None
                continue
            if k in {key(x) for x in META_EXTRA}:
                lay.meta_extra.append(i)
                current = None
                continue
            opt = _OPTION.match(text)
            if opt:
                number = int(opt.group(1) or opt.group(2))
                sq = by_number.get(number)
                if sq is None:
                    sq = by_number[number] = SourceQuestion(number, "")
                    lay.questions.append(sq)
                sq.columns.append(SourceColumn(i, header, "option", opt.group(3).strip()))
                lay.mode = "按选项序号"
                current = None
                continue
            region = _REGION.match(text.strip())
            if region:
                sq = SourceQuestion(int(region.group(1)) if region.group(1) else None, region.group(2), tag=REGION_TAG)
                sq.columns.append(SourceColumn(i, header))
                lay.questions.append(sq)
                current = None
                continue
            number, label, tag, row = parse_header(text)
            if number is not None:
                sq = SourceQuestion(number, label, tag=tag)
                sq.columns.append(SourceColumn(i, header, "row" if row is not None else "main", row))
                by_number[number] = sq
                lay.questions.append(sq)
                current = sq if row is not None else None
            elif current is not None:
                current.columns.append(SourceColumn(i, header, "row", text))  # matrix continuation
            else:
                lay.unknown.append(i)
        lay.mode = lay.mode or "按选项文本"
        return lay

    def decode(self, table: RawTable, layout: Layout, sq: SourceQuestion, q: Question) -> dict[str, list]:
        data = table.data
        coded = True if layout.mode == "按选项序号" else None
        if q.is_matrix:
            return d.matrix_columns(data, sq.columns, q, coded)
        options = sq.parts("option")
        if options and q.kind in ("multiple", "ranking"):
            return d.option_columns(data, options, q, ranked=q.kind == "ranking")
        main = sq.columns[0]
        values = data[main.index]
        if q.kind == "multiple":
            return d.list_column(values, q, "┋")
        if q.kind == "ranking":
            return d.list_column(values, q, "→")
        if q.kind in ("single", "likert"):
            return d.choice_column(values, q, coded)
        return d.plain_column(values, q)

    def not_shown(self, table: RawTable, sq: SourceQuestion) -> np.ndarray:
        """Per row: every cell of ``sq`` says the question was not shown (``(跳过)``, by code ``-3``/``-2``).

        In a ranking's option columns ``-2`` only means "this option not ranked", so there only ``-3`` counts.
        """
        out = np.ones(table.n_rows, dtype=bool)
        for c in sq.columns:
            marks = NOT_SHOWN_TEXT | (NOT_SHOWN_CODES if c.part != "option" else {"-3"})
            values = table.data[c.index]
            hits = [v for v in values.dropna().unique() if str(v).strip() in marks]  # few distinct cells
            out &= values.isin(hits).to_numpy()
            if not hits:
                break
        return out if sq.columns else np.zeros(table.n_rows, dtype=bool)
