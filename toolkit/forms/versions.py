"""Form versions: map answers typed under an older version onto the current one, and say what changed.

A question renamed in a later version carries ``renamed_from: old_id``; answers stored under the
old id (and its "other" text) move to the new id, so a renamed question is mapped, not lost.
Answers to questions that no longer exist are kept under their old ids.

>>> upgrade_answers({"age": "36_59"}, [new_form])       # doctest: +SKIP
{'age_band': '36_59'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from toolkit.forms.model import Form, other_key


def rename_map(form: Form) -> dict[str, str]:
    """{old id: new id} for the questions ``form`` renamed, including their "other" text keys."""
    out = {}
    for q in form.questions:
        if q.renamed_from and q.renamed_from != q.id:
            out[q.renamed_from] = q.id
            out[other_key(q.renamed_from)] = other_key(q.id)
    return out


def upgrade_answers(answers: Mapping[str, Any], later_forms: Iterable[Form]) -> dict:
    """Apply, in order, the renames of each version after the one ``answers`` were stored under."""
    out = dict(answers)
    for form in later_forms:
        mapping = rename_map(form)
        if mapping:
            current = set(form.question_ids())
            out = {(mapping[k] if k in mapping and k not in current else k): v for k, v in out.items()}
    return out


def describe_changes(old: Form, new: Form) -> list[str]:
    """What changed between two versions, in Chinese, one line per change."""
    lines = []
    old_ids, new_ids = old.question_ids(), new.question_ids()
    renamed = {q.renamed_from: q.id for q in new.questions if q.renamed_from in old_ids and q.id not in old_ids}
    for q in new.questions:
        if q.id in renamed.values():
            lines.append(f"改名：{q.renamed_from} → {q.id}（旧答卷的答案自动对应到新题）")
        elif q.id not in old_ids:
            lines.append(f"新增：{q.id}“{q.label}”")
        else:
            before = old.question(q.id).to_dict()
            after = q.to_dict()
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            if changed:
                lines.append(f"修改：{q.id} 的 {'、'.join(changed)}")
    for qid in old_ids:
        if qid not in new_ids and qid not in renamed:
            lines.append(f"删除：{qid}（旧答卷中的答案保留，不会丢失）")
    if old.title != new.title:
        lines.append(f"标题：{old.title} → {new.title}")
    return lines
