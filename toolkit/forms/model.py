"""The form model: a form, its questions and their choices.

Answers, wherever they are kept (store, entry widgets, ingest), use one shape per kind:

==========  ==================================================  =====================
kind        meaning                                              answer value
==========  ==================================================  =====================
single      单选                                                  choice id (str)
multiple    多选                                                  list of choice ids
likert      量表; with ``rows`` a Likert matrix (矩阵量表)        choice id, or {row id: choice id}
ranking     排序                                                  list of choice ids, first = most important
number      数字 (``integer: true`` for whole numbers)            int or float
date        日期                                                  'YYYY-MM-DD'
text        简短文字                                              str
concern     关切/意见建议 (long free text, later clustered)       str
note        段落说明 (display only)                               — (no answer)
==========  ==================================================  =====================

"Other, please specify" (``other: true``) adds the choice id ``other``; its text is kept
under the answer key ``<question id>_other``. Likert matrix rows flatten to ``<qid>/<row id>``
columns in DataFrames.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("single", "multiple", "likert", "ranking", "number", "date", "text", "concern", "note")
CHOICE_KINDS = ("single", "multiple", "likert", "ranking")
TEXT_KINDS = ("text", "concern")
KIND_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "likert": "量表题",
    "ranking": "排序题",
    "number": "数字题",
    "date": "日期题",
    "text": "填空题",
    "concern": "意见建议（开放题）",
    "note": "段落说明",
}
# Roles tell later stages which question carries the respondent's 界别, 镇街 … (one question per role).
ROLES = {
    "sector": "界别",
    "district": "镇街",
    "community": "社区/村",
    "member": "委员",
    "collector": "收集答卷的委员",  # who collected this response: a member's duty (toolkit.member)
    "serial": "问卷编号",
    "age": "年龄",
    "date": "日期",
    "place": "地点",
}
OTHER = "other"
OTHER_LABEL = "其他（请注明）"


def other_key(question_id: str) -> str:
    """Answer key that holds the text of an "other, please specify" answer."""
    return f"{question_id}_other"


def flatten_answers(answers: Mapping) -> dict:
    """Answers in DataFrame shape: a matrix answer {row: choice} becomes ``<qid>/<row>`` keys."""
    flat = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            flat.update({f"{key}/{row}": v for row, v in value.items()})
        else:
            flat[key] = value
    return flat


def expression_scope(answers: dict) -> dict:
    """Answers as skip-logic and constraint expressions see them: whole answers plus ``<qid>/<row>`` keys."""
    return {**answers, **flatten_answers(answers)}


@dataclass
class Choice:
    id: str
    label: str

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label}


@dataclass
class Question:
    id: str
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    role: str | None = None
    choices: list[Choice] = field(default_factory=list)
    choice_list: str | None = None  # name of a shared list in Form.choice_lists, if used
    rows: list[Choice] = field(default_factory=list)  # Likert matrix statements
    other: bool = False
    min_choices: int | None = None
    max_choices: int | None = None
    integer: bool = False
    constraint: str | None = None
    constraint_message: str | None = None
    relevant: str | None = None
    renamed_from: str | None = None  # the id this question had in an earlier version (answers are mapped)
    line: int | None = None  # line in the YAML file, for messages

    @property
    def is_matrix(self) -> bool:
        return self.kind == "likert" and bool(self.rows)

    def choice_ids(self) -> list[str]:
        ids = [c.id for c in self.choices]
        return ids + [OTHER] if self.other and OTHER not in ids else ids

    def choice_label(self, choice_id: str) -> str:
        for c in self.choices:
            if c.id == choice_id:
                return c.label
        return OTHER_LABEL if choice_id == OTHER and self.other else str(choice_id)

    def columns(self) -> list[str]:
        """DataFrame columns this question's answer occupies."""
        if self.kind == "note":
            return []
        if self.is_matrix:
            return [f"{self.id}/{r.id}" for r in self.rows]
        return [self.id, other_key(self.id)] if self.other else [self.id]

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "kind": self.kind, "label": self.label}
        if self.hint:
            d["hint"] = self.hint
        if self.required:
            d["required"] = True
        if self.role:
            d["role"] = self.role
        if self.choice_list:
            d["choices"] = self.choice_list
        elif self.choices:
            d["choices"] = [c.to_dict() for c in self.choices]
        if self.rows:
            d["rows"] = [r.to_dict() for r in self.rows]
        for name in ("other", "integer"):
            if getattr(self, name):
                d[name] = True
        for name in ("min_choices", "max_choices", "constraint", "constraint_message", "relevant", "renamed_from"):
            if getattr(self, name) is not None:
                d[name] = getattr(self, name)
        return d


@dataclass
class Form:
    id: str
    title: str
    version: str = "1"
    description: str = ""
    questions: list[Question] = field(default_factory=list)
    choice_lists: dict[str, list[Choice]] = field(default_factory=dict)
    path: str | None = None

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        from toolkit.forms.errors import FormError

        raise FormError(
            "form.question_unknown", form=self.id, question=question_id, known=", ".join(self.question_ids())
        )

    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def by_role(self, role: str) -> Question | None:
        """The question carrying ``role`` (e.g. 'sector', 'district'), or None."""
        return next((q for q in self.questions if q.role == role), None)

    def concern_questions(self) -> list[Question]:
        return [q for q in self.questions if q.kind == "concern"]

    def answer_questions(self) -> list[Question]:
        return [q for q in self.questions if q.kind != "note"]

    def identity_questions(self) -> list[str]:
        """Questions whose answer identifies a respondent: the 问卷编号 (role serial) and text questions asking
        for a phone or ID number. The same answer twice marks a likely duplicate (ingest's checks, the store's
        indexed keys)."""
        ids = [q.id for q in self.answer_questions() if q.role == "serial"]
        ids += [
            q.id
            for q in self.answer_questions()
            if q.kind == "text" and any(w in q.label for w in ("电话", "手机", "身份证"))
        ]
        return ids

    def columns(self) -> list[str]:
        return [c for q in self.questions for c in q.columns()]

    def number(self, question_id: str) -> int:
        """1-based number of a question as printed (notes are not numbered)."""
        n = 0
        for q in self.questions:
            if q.kind != "note":
                n += 1
            if q.id == question_id:
                return n
        raise KeyError(question_id)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"id": self.id, "title": self.title, "version": self.version}
        if self.description:
            d["description"] = self.description
        if self.choice_lists:
            d["choice_lists"] = {k: [c.to_dict() for c in v] for k, v in self.choice_lists.items()}
        d["questions"] = [q.to_dict() for q in self.questions]
        return d

    @property
    def fingerprint(self) -> str:
        """Content hash of the definition: equal forms have equal fingerprints."""
        blob = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
