"""What every reader shares: the layout of an export, choice look-ups, and the reader interface.

A reader turns a ``RawTable`` into a ``Layout`` (meta columns, source questions with their columns)
and decodes one source question's cells into answer values of a form question. Decoding works on
the distinct cell values of a column, not on every row, so large files stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from toolkit.forms import OTHER, Form, Question
from toolkit.ingest.files import RawTable
from toolkit.ingest.normalize import key
from toolkit.numbers import to_int

META_FIELDS = ("external_id", "submitted_at", "started_at", "duration", "ip", "place", "respondent", "channel")


@dataclass
class SourceColumn:
    index: int  # position in the RawTable
    header: str
    part: str = "main"  # main | option (one column per option) | row (matrix row) | other (free text)
    sub: str | None = None  # the option / row label for split columns


@dataclass
class SourceQuestion:
    number: int | None
    label: str
    columns: list[SourceColumn] = field(default_factory=list)
    tag: str = ""  # platform's type tag, e.g. 多选题, 矩阵单选题

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def parts(self, part: str) -> list[SourceColumn]:
        return [c for c in self.columns if c.part == part]


@dataclass
class Layout:
    meta: dict[str, int] = field(default_factory=dict)  # META_FIELDS name -> column index
    meta_extra: list[int] = field(default_factory=list)  # other platform columns (kept raw, not unmapped)
    questions: list[SourceQuestion] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # columns we could not read as meta or question
    mode: str = ""  # e.g. 按选项文本 / 按选项序号


class ChoiceIndex:
    """Look up a choice id from an option text, id, number or ``N分`` written by a platform."""

    def __init__(self, q: Question):
        self.q = q
        self.ids = q.choice_ids()
        self.by_key: dict[str, str] = {}
        for c in q.choices:
            self.by_key.setdefault(key(c.label), c.id)
        for c in q.choices:
            self.by_key.setdefault(key(c.id), c.id)
        if q.other:
            for text in ("其他", "其它", "其他(请注明)", "其他[请注明]", "其他请注明", OTHER):
                self.by_key.setdefault(key(text), OTHER)

    def find(self, text) -> str | None:
        """The choice id for ``text``, or None if nothing matches."""
        if text is None:
            return None
        k = key(text)
        hit = self.by_key.get(k)
        if hit is not None:
            return hit
        if k.endswith("分") and k[:-1]:  # 问卷星 scales: "4分" (the 4th point when ids are words)
            return self.by_key.get(k[:-1]) or (self.at(k[:-1]) if self.q.kind == "likert" else None)
        if self.q.other and (k.startswith("其他") or k.startswith("其它")):
            return OTHER
        return None

    def at(self, number) -> str | None:
        """The choice at a 1-based position (问卷星 按选项序号), or None."""
        n = to_int(str(number))
        if n is None:
            return None
        choices = [c.id for c in self.q.choices] + (
            [OTHER] if self.q.other and OTHER not in [c.id for c in self.q.choices] else []
        )
        return choices[n - 1] if 1 <= n <= len(choices) else None


def distinct_map(values: pd.Series, func) -> list:
    """``func`` applied to each distinct value once, spread back over the rows."""
    lookup = {v: func(v) for v in set(values)}
    return [lookup[v] for v in values]


def as_int(text) -> int | None:
    if text is None:
        return None
    return to_int(text if isinstance(text, (int, float)) else str(text))  # strict: int("1_0") would be 10


class Reader:
    """One export flavour. Subclasses set ``name``/``label`` and implement ``score``, ``layout``, ``decode``."""

    name = "base"
    label = ""

    def score(self, table: RawTable) -> float:
        """0..1: how sure we are this table came from this platform."""
        raise NotImplementedError

    def layout(self, table: RawTable) -> Layout:
        raise NotImplementedError

    def for_form(self, layout: Layout, form: Form) -> Layout:
        """The layout adjusted to ``form`` before matching (e.g. XLSForm matrix rows gathered); default: as is."""
        return layout

    def decode(self, table: RawTable, layout: Layout, sq: SourceQuestion, q: Question) -> dict[str, list]:
        """Answer columns (answer key -> one value per row; None = blank) for form question ``q``."""
        raise NotImplementedError

    def not_shown(self, table: RawTable, sq: SourceQuestion):
        """Per row (a bool array), True where the platform marks ``sq`` as not shown by its skip logic;
        None for platforms without such a mark."""
        return None

    def meta(self, table: RawTable, layout: Layout) -> pd.DataFrame:
        """Meta fields per row (external_id, submitted_at as ISO text, duration in seconds, ip …)."""
        out = pd.DataFrame(index=table.data.index)
        for name in META_FIELDS:
            idx = layout.meta.get(name)
            out[name] = table.data[idx] if idx is not None else None
        out["submitted_at"] = parse_times(out["submitted_at"])
        out["started_at"] = parse_times(out["started_at"])
        out["duration"] = distinct_map(out["duration"], parse_duration)
        ip = distinct_map(out["ip"], split_ip)
        out["ip"] = [i[0] for i in ip]
        out["place"] = [p if p is not None else i[1] for p, i in zip(out["place"], ip)]
        return out


_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%b-%Y %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M")


def parse_times(values: pd.Series) -> list:
    """Platform time texts (``2016/12/17 14:22:55``, ``02-Feb-2021 20:26:58``, ISO) as ``YYYY-MM-DD HH:MM:SS``."""
    return distinct_map(values, _parse_time)


def _parse_time(text):
    if text is None:
        return None
    import datetime as dt

    s = str(text).strip()
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).isoformat(sep=" ")
        except ValueError:
            continue
    try:
        stamp = pd.Timestamp(s)
    except (ValueError, TypeError):
        return s  # keep what the platform wrote rather than lose it
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamp.isoformat(sep=" ", timespec="seconds")


_DURATION = re.compile(r"^(?:(\d+)\s*小时)?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+)\s*秒)?$")


def parse_duration(text) -> int | None:
    """``136秒``, ``2分3秒``, ``1小时2分``, ``31`` → seconds."""
    if text is None:
        return None
    s = str(text).strip()
    n = as_int(s)
    if n is not None:
        return n
    m = _DURATION.match(s)
    if not m or not any(m.groups()):
        return None
    h, mi, se = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + se


_IP = re.compile(r"^\s*([0-9a-fA-F.:]+)\s*(?:[(（](.*)[)）])?\s*$")


def split_ip(text) -> tuple[str | None, str | None]:
    """``1.2.3.4(上海-上海)`` → ("1.2.3.4", "上海-上海")."""
    if text is None:
        return None, None
    m = _IP.match(str(text))
    if not m:
        return str(text), None
    return m.group(1), (m.group(2) or None)
