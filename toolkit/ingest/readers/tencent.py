"""腾讯问卷 (wj.qq.com) CSV exports.

UTF-8 with BOM, every field quoted, a trailing comma per line (the empty last column is dropped by
``files``); meta ``编号, 开始答题时间, 结束答题时间, 答题时长, 地理位置…, 自定义字段`` (newer files add
``用户类型, 用户标识, 昵称, IP, UA …``); questions ``N.题干``; multiple choice one column per option
``N.题干:选项`` (non-empty = chosen); blanks ``N.题干_填空1``; rows come newest first.
"""

from __future__ import annotations

import re

from toolkit.forms import Question
from toolkit.ingest.files import RawTable
from toolkit.ingest.normalize import key
from toolkit.ingest.readers import decode as d
from toolkit.ingest.readers.base import Layout, Reader, SourceColumn, SourceQuestion, as_int

META = {
    "编号": "external_id",
    "开始答题时间": "started_at",
    "结束答题时间": "submitted_at",
    "答题时长": "duration",
    "ip": "ip",
    "用户标识": "respondent",
    "来源": "channel",
}
META_EXTRA = ("地理位置", "自定义字段", "用户类型", "昵称", "ua", "referrer", "答题状态", "渠道", "标签")
_NUMBERED = re.compile(r"^(\d+)[.．]\s*(.*)$", re.S)
_BLANK = re.compile(r"^(.*?)_填空\d*$", re.S)


class TencentReader(Reader):
    name = "tencent"
    label = "腾讯问卷"

    def score(self, table: RawTable) -> float:
        keys = {key(h) for h in table.header}
        hits = sum(k in keys for k in ("编号", "开始答题时间", "结束答题时间", "答题时长"))
        numbered = sum(bool(_NUMBERED.match(h)) for h in table.header)
        return min(1.0, hits / 3 + (0.2 if numbered >= max(1, len(table.header) // 3) else 0))

    def layout(self, table: RawTable) -> Layout:
        lay = Layout(mode="CSV")
        groups: dict[int, list[tuple[int, str, str]]] = {}
        order: list[int] = []
        for i, header in enumerate(table.header):
            k = key(header)
            if k in META and META[k] not in lay.meta:
                lay.meta[META[k]] = i
                continue
            if any(k.startswith(key(x)) for x in META_EXTRA):
                lay.meta_extra.append(i)
                continue
            m = _NUMBERED.match(header.replace("：", ":"))
            if not m:
                lay.unknown.append(i)
                continue
            number = int(m.group(1))
            if number not in groups:
                groups[number] = []
                order.append(number)
            groups[number].append((i, header, m.group(2).strip()))
        for number in order:
            cols = groups[number]
            blanks = [c for c in cols if _BLANK.match(c[2])]
            mains = [c for c in cols if c not in blanks]
            split = len(mains) > 1 or (mains and ":" in mains[0][2] and len(cols) > 1)
            if split:
                label = mains[0][2].rsplit(":", 1)[0].strip()
                sq = SourceQuestion(number, label)
                for i, header, rest in mains:
                    sub = rest[len(label) :].lstrip(":").strip() if rest.startswith(label) else rest.rsplit(":", 1)[-1]
                    sq.columns.append(SourceColumn(i, header, "option", sub))
            else:
                label = mains[0][2] if mains else _BLANK.match(blanks[0][2]).group(1)
                sq = SourceQuestion(number, label)
                sq.columns.extend(SourceColumn(i, h, "main") for i, h, _ in mains)
            sq.columns.extend(SourceColumn(i, h, "other", _BLANK.match(rest).group(1)) for i, h, rest in blanks)
            lay.questions.append(sq)
        return lay

    def decode(self, table: RawTable, layout: Layout, sq: SourceQuestion, q: Question) -> dict[str, list]:
        data = table.data
        options, mains, blanks = sq.parts("option"), sq.parts("main"), sq.parts("other")
        if q.is_matrix:
            cols = [SourceColumn(c.index, c.header, "row", c.sub) for c in options] or mains
            out = d.matrix_columns(data, cols, q)
        elif options and q.kind in ("multiple", "ranking"):
            out = d.option_columns(
                data, options, q, ranked=q.kind == "ranking", chosen=lambda v: not d.blank(v) and str(v).strip() != "0"
            )
        elif not mains:
            out = {q.id: [None] * len(data)}
        elif q.kind == "multiple":
            out = d.list_column(data[mains[0].index], q, "┋")
        elif q.kind == "ranking":
            out = d.list_column(data[mains[0].index], q, "→")
        elif q.kind in ("single", "likert"):
            out = d.choice_column(data[mains[0].index], q)
        else:
            out = d.plain_column(data[mains[0].index], q)
        if blanks and q.other:
            texts = [None] * len(data)
            for c in blanks:
                for i, v in enumerate(data[c.index]):
                    if not d.blank(v, codes=False):
                        texts[i] = v
            out[f"{q.id}_other"] = texts
        elif blanks and q.kind in ("text", "concern") and not mains:
            out[q.id] = list(data[blanks[0].index])
        return out

    def meta(self, table: RawTable, layout: Layout):
        out = super().meta(table, layout)
        # 答题时长 is whole seconds in 腾讯问卷; keep the platform's 编号 as text
        out["duration"] = [as_int(v) if v is not None else None for v in out["duration"]]
        return out
