"""Cell decoders shared by the readers: option texts, codes, split option columns, matrices, rankings.

Each works on whole columns (lists of cell texts) and returns answer values in the store shape.
A text that matches no choice is passed on unchanged, so validation names it in the rejected row.
"""

from __future__ import annotations

import re

import pandas as pd

from toolkit.forms import OTHER, Question
from toolkit.ingest.normalize import best_match, key
from toolkit.ingest.readers.base import ChoiceIndex, SourceColumn, as_int, distinct_map

MARKERS = {"(跳过)", "(空)", "（跳过）", "（空）"}  # 问卷星: skipped by logic / left empty
CODE_SKIPS = {"-3", "-2", "-1"}  # 问卷星 按序号: skipped / not ranked
OTHER_TEXT = re.compile(r"^(.*?)[〖\[](.*)[〗\]]\s*$", re.S)


def blank(text, codes: bool = True) -> bool:
    """True for an empty cell or a platform marker; ``codes`` also treats -3/-2/-1 as skipped."""
    if text is None:
        return True
    s = str(text).strip()
    return s == "" or s in MARKERS or (codes and s in CODE_SKIPS)


def split_items(text: str, sep: str) -> list[str]:
    """Split on ``sep`` except inside 〖…〗 (问卷星 keeps "other" free text there, which may contain ``sep``)."""
    if "〖" not in text:
        return [t for t in text.split(sep) if t.strip()]
    items, depth, cur = [], 0, []
    for ch in text:
        if ch == "〖":
            depth += 1
        elif ch == "〗":
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur))
    return [t for t in items if t.strip()]


def _item(idx: ChoiceIndex, text: str, coded: bool) -> tuple[str, str | None]:
    """(choice id or the raw text, other free text) for one option cell/item."""
    text = text.strip()
    other_text = None
    m = OTHER_TEXT.match(text)
    if m and "〖" in text:
        text, other_text = m.group(1).strip(), m.group(2).strip() or None
    if coded:
        hit = idx.at(text)
        if hit is not None:
            return hit, other_text
    hit = idx.find(text)
    if hit is None and other_text is not None and idx.q.other:
        hit = OTHER
    return (hit if hit is not None else text), other_text


def is_coded(values, idx: ChoiceIndex) -> bool:
    """True if a column holds option numbers (按选项序号) rather than option texts."""
    seen = [v for v in set(values) if not blank(v)]
    if not seen or not all(as_int(v) is not None for v in seen):
        return False
    return not all(idx.find(v) is not None for v in seen)


def choice_column(values: pd.Series, q: Question, coded: bool | None = None) -> dict[str, list]:
    """Single choice / scale cells (text, ``4分``, option number, ``其他〖text〗``)."""
    idx = ChoiceIndex(q)
    coded = is_coded(values, idx) if coded is None else coded

    def one(v):
        if blank(v):
            return None, None
        return _item(idx, str(v), coded)

    pairs = distinct_map(values, one)
    out = {q.id: [p[0] for p in pairs]}
    if q.other:
        out[f"{q.id}_other"] = [p[1] for p in pairs]
    return out


def list_column(values: pd.Series, q: Question, sep: str, coded: bool = False) -> dict[str, list]:
    """Multiple choice / ranking in one cell, items joined by ``sep`` (┋, →, space …)."""
    idx = ChoiceIndex(q)

    def one(v):
        if blank(v):
            return None, None
        items, other = [], None
        for part in split_items(str(v), sep):
            cid, text = _item(idx, part, coded)
            items.append(cid)
            other = text if text is not None else other
        return (items or None), other

    pairs = distinct_map(values, one)
    out = {q.id: [p[0] for p in pairs]}
    if q.other:
        out[f"{q.id}_other"] = [p[1] for p in pairs]
    return out


def option_columns(
    data: pd.DataFrame, cols: list[SourceColumn], q: Question, ranked: bool = False, chosen=None
) -> dict[str, list]:
    """One column per option (``第6题(运动)`` 1/0, ``6.题干:选项`` non-empty, ``q/opt`` 1/0, or ranks)."""
    idx = ChoiceIndex(q)
    chosen = chosen or (lambda v: as_int(v) is not None and as_int(v) > 0)
    ids = [idx.find(c.sub) or c.sub for c in cols]
    n = len(data)
    picks: list[list] = [[] for _ in range(n)]
    for cid, col in zip(ids, cols):
        values = data[col.index]
        flags = distinct_map(
            values,
            (lambda v: as_int(v) if as_int(v) and as_int(v) > 0 else None)
            if ranked
            else (lambda v: True if chosen(v) else None),
        )
        for i, f in enumerate(flags):
            if f is not None:
                picks[i].append((f, cid) if ranked else cid)
    if ranked:
        answers = [[cid for _, cid in sorted(p, key=lambda t: t[0])] or None for p in picks]
    else:
        answers = [p or None for p in picks]
    return {q.id: answers}


def matrix_columns(data: pd.DataFrame, cols: list[SourceColumn], q: Question, coded: bool | None = None) -> dict:
    """Likert matrix: one column per row; cells are scale texts or numbers."""
    idx = ChoiceIndex(q)
    rows = {r.id: r.label for r in q.rows}
    n = len(data)
    result: list[dict] = [{} for _ in range(n)]
    for col in cols:
        row_id = _row_id(col.sub or col.header, rows)
        values = data[col.index]
        col_coded = is_coded(values, idx) if coded is None else coded
        cells = distinct_map(
            values, lambda v, col_coded=col_coded: None if blank(v) else _item(idx, str(v), col_coded)[0]
        )
        for i, c in enumerate(cells):
            if c is not None:
                result[i][row_id] = c
    return {q.id: [r or None for r in result]}


def _row_id(label: str, rows: dict[str, str]) -> str:
    k = key(label)
    for rid, text in rows.items():
        if key(text) == k or key(rid) == k:
            return rid
    rid, _ = best_match(label, rows, threshold=0.5)
    return rid or label


def plain_column(values: pd.Series, q: Question) -> dict[str, list]:
    """Number, date and text cells; platform markers for skipped/empty become blanks."""
    return {q.id: distinct_map(values, lambda v: None if blank(v, codes=False) else v)}
