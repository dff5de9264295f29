"""Match an export's questions to the form's questions, and remember the matches beside the form.

Matching compares texts after ``normalize.key`` (全角/半角, spaces, punctuation): the question label,
the question id (Kobo/ODK headers are ids), option labels of split option columns and matrix row
labels; the printed question number only breaks ties. A saved mapping (``<form>.mapping.yaml``)
wins over guesses, so a reviewed mapping is reused on the next import.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from toolkit.forms import Form, Question
from toolkit.ingest.normalize import key, similarity
from toolkit.ingest.readers.base import ChoiceIndex, Layout, SourceQuestion
from toolkit.ingest.readers.wjx import REGION_TAG

THRESHOLD = 0.6


def _score(sq: SourceQuestion, q: Question, number: int) -> float:
    s = 0.0
    if sq.label:
        s = max(similarity(sq.label, q.label), 1.0 if key(sq.label) == key(q.id) else 0.0)
    options = [c.sub for c in sq.parts("option") if c.sub]
    if options and q.choices:
        idx = ChoiceIndex(q)
        s = max(s, 0.95 * sum(idx.find(o) is not None for o in options) / len(options))
    rows = [c.sub for c in sq.parts("row") if c.sub]
    if rows and q.is_matrix:
        labels = {key(r.label) for r in q.rows} | {key(r.id) for r in q.rows}
        s = max(s, 0.95 * sum(key(r) in labels for r in rows) / len(rows)) if not sq.label else s
        s = min(1.0, s + 0.1 * sum(key(r) in labels for r in rows) / len(rows))
    if sq.tag == REGION_TAG and q.role == "district" and q.kind in ("text", "concern"):
        s = max(s, THRESHOLD + 0.1)  # 问卷星's 省市区 column keeps its stock title, whatever the form calls it
    if sq.number is not None and sq.number == number:
        s += 0.05
    return s


def match_questions(
    layout: Layout, form: Form, saved: dict[str, str] | None = None
) -> tuple[list[tuple[SourceQuestion, Question]], list[SourceQuestion]]:
    """Pairs (source question, form question) and the source questions left unmatched."""
    questions = form.answer_questions()
    numbers = {q.id: form.number(q.id) for q in questions}
    by_id = {q.id: q for q in questions}
    pairs: list[tuple[SourceQuestion, Question]] = []
    used: set[str] = set()
    taken: set[int] = set()
    for i, sq in enumerate(layout.questions):  # reviewed mapping first
        qid = (saved or {}).get(sq.columns[0].header)
        if qid in by_id and qid not in used:
            pairs.append((sq, by_id[qid]))
            used.add(qid)
            taken.add(i)
    scored = []
    for i, sq in enumerate(layout.questions):
        if i in taken:
            continue
        for q in questions:
            if q.id not in used:
                s = _score(sq, q, numbers[q.id])
                if s >= THRESHOLD:
                    scored.append((-s, i, q.id))
    for _, i, qid in sorted(scored):
        if i in taken or qid in used:
            continue
        pairs.append((layout.questions[i], by_id[qid]))
        used.add(qid)
        taken.add(i)
    pairs.sort(key=lambda p: numbers[p[1].id])
    return pairs, [sq for i, sq in enumerate(layout.questions) if i not in taken]


def mapping_path(form: Form) -> Path | None:
    """Where a form's reviewed column mapping lives: ``surveys/x.yaml`` → ``surveys/x.mapping.yaml``."""
    if not form.path:
        return None
    p = Path(form.path)
    return p.with_name(p.stem + ".mapping.yaml")


def load_mapping(form: Form) -> dict[str, str]:
    path = mapping_path(form)
    if path is None or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("columns") or {}).items() if v}


def save_mapping(form: Form, pairs: list[tuple[SourceQuestion, Question]]) -> Path | None:
    """Write the header → question id mapping beside the form (merging with one already there)."""
    path = mapping_path(form)
    if path is None:
        return None
    columns = load_mapping(form)
    columns.update({sq.columns[0].header: q.id for sq, q in pairs})
    text = "# 导入时表头与题目的对应关系（weidiaoyan ingest 自动生成，可人工修改后再次导入）\n" + yaml.safe_dump(
        {"form": form.id, "columns": dict(sorted(columns.items()))}, allow_unicode=True, sort_keys=False
    )
    path.write_text(text, encoding="utf-8")
    return path
