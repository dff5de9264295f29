"""Any table (.csv/.xlsx/.xls) with one column per question: headers matched to questions by
similarity (reviewed and saved beside the form), cells as option texts or ids."""

from __future__ import annotations

import re

from toolkit.forms import Question
from toolkit.ingest.files import RawTable
from toolkit.ingest.normalize import clean, key
from toolkit.ingest.readers import decode as d
from toolkit.ingest.readers.base import ChoiceIndex, Layout, Reader, SourceColumn, SourceQuestion, distinct_map

_NUMBERED = re.compile(r"^(\d+)\s*[、.)．）]\s*(.+)$", re.S)
META = {
    "提交时间": "submitted_at",
    "提交答卷时间": "submitted_at",
    "填写时间": "submitted_at",
    "ip": "ip",
    "ip地址": "ip",
    "编号": "external_id",
    "序号": "external_id",
    "id": "external_id",
}
_SEPARATORS = re.compile(r"[┋;；|\n]|,|，")


def _split_row(text: str) -> tuple[str, str] | None:
    """``题干(行标签)`` → (题干, 行标签), honouring parentheses nested inside the row label."""
    if not text.endswith(")"):
        return None
    depth = 0
    for pos in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[pos], 0)
        if depth == 0:
            return (text[:pos].strip(), text[pos + 1 : -1].strip()) if pos > 0 else None
    return None


class TableReader(Reader):
    name = "table"
    label = "通用表格"

    def score(self, table: RawTable) -> float:
        return 0.1

    def layout(self, table: RawTable) -> Layout:
        lay = Layout(mode="列对应")
        for i, header in enumerate(table.header):
            k = key(header)
            if k in META and META[k] not in lay.meta:
                lay.meta[META[k]] = i
                continue
            m = _NUMBERED.match(header)
            number, label = (int(m.group(1)), m.group(2).strip()) if m else (None, header)
            row = _split_row(clean(label))
            prev = lay.questions[-1] if lay.questions else None
            if row and prev is not None and prev.tag == "rows" and key(prev.label) == key(row[0]):
                prev.columns.append(SourceColumn(i, header, "row", row[1]))
                continue
            if row and i + 1 < len(table.header) and (_split_row(clean(table.header[i + 1])) or ("",))[0] == row[0]:
                # "题干（行）" followed by "题干（另一行）": a matrix written one column per row
                lay.questions.append(
                    SourceQuestion(number, row[0], [SourceColumn(i, header, "row", row[1])], tag="rows")
                )
                continue
            lay.questions.append(SourceQuestion(number, label, [SourceColumn(i, header, "main")]))
        return lay

    def decode(self, table: RawTable, layout: Layout, sq: SourceQuestion, q: Question) -> dict[str, list]:
        if q.is_matrix:
            return d.matrix_columns(table.data, sq.parts("row") or sq.columns, q)
        values = table.data[sq.columns[0].index]
        if q.kind in ("multiple", "ranking"):
            idx = ChoiceIndex(q)

            def one(v):
                if d.blank(v, codes=False):
                    return None
                text = str(v)
                if idx.find(text) is not None:
                    return [idx.find(text)]
                items = [t.strip() for t in _SEPARATORS.split(text) if t.strip()]
                if any(idx.find(t) is None for t in items):
                    alt = [t.strip() for t in re.split(r"[、\s→>]+", text) if t.strip()]
                    if all(idx.find(t) is not None for t in alt):
                        items = alt
                return [idx.find(t) or t for t in items]

            return {q.id: distinct_map(values, one)}
        if q.kind in ("single", "likert") and not q.is_matrix:
            return d.choice_column(values, q)
        return d.plain_column(values, q)
