"""Ordered answer scales (年龄段, 收入, 学历, 年级 …): their bars keep the scale's order, not the count order.

The rule (no form flag exists for it):

* a single-choice question is *ordinal* when its role is ``age``, when its label names an ordered quantity
  (年龄, 收入, 学历, 文化程度, 年级, 年限, 工龄, 频率, 次数, 多久, 多长), or when at least two thirds of its
  choices carry a number (ranges such as "18—35岁", "3000元以下", "1部");
* the bars of an ordinal question follow the numbers in the labels when they carry numbers (so a draft
  form inferred from an export, whose choices came in order of appearance, still reads 16~19岁, 20~24岁 …),
  "…以下/不足" before and "…以上" after the same number; otherwise the form's order. Choices without a number
  keep the form's order after the numbered ones. Unchosen levels are shown as 0: a gap in a scale is a finding.

>>> from toolkit.brief.ordinal import ordered_levels
>>> ordered_levels(["60岁以上", "20~24岁", "16~19岁", "25~29岁"])
['16~19岁', '20~24岁', '25~29岁', '60岁以上']
"""

from __future__ import annotations

import re

ORDINAL_ROLES = {"age"}
ORDINAL_WORDS = ("年龄", "收入", "学历", "文化程度", "年级", "年限", "工龄", "频率", "次数", "多久", "多长")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BELOW = ("以下", "以内", "不足", "未满", "及以下", "低于", "少于")
_ABOVE = ("以上", "及以上", "超过", "高于", "多于")


def _number(label: str):
    found = _NUMBER.search(str(label).replace(",", ""))
    return float(found.group()) if found else None


def is_ordinal(question) -> bool:
    """Whether ``question``'s choices form an ordered scale (see the module docstring for the rule)."""
    if question.kind != "single" or len(question.choices) < 2:
        return False
    if question.role in ORDINAL_ROLES or any(w in str(question.label) for w in ORDINAL_WORDS):
        return True
    numbered = sum(_number(c.label) is not None for c in question.choices)
    return numbered * 3 >= 2 * len(question.choices)


def ordered_levels(labels: list[str]) -> list[str]:
    """``labels`` (in the form's order) in scale order: by their numbers when they carry any, else as given."""

    def key(item):
        i, label = item
        n = _number(label)
        if n is None:
            return (1, 0.0, 0, i)
        side = -1 if any(w in label for w in _BELOW) else 1 if any(w in label for w in _ABOVE) else 0
        return (0, n, side, i)

    return [label for _, label in sorted(enumerate(labels), key=key)]
