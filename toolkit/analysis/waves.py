"""问效 by re-survey: one question compared between a baseline wave and a follow-up wave, per group and overall.

The waves are two sets of responses picked by filter expressions (``toolkit.analysis.filter_responses``),
e.g. by submission time (``${submitted_at} < '2026-06-01'``) or by a wave question (``${wave} == '2'``);
they may not overlap. What is compared depends on the question:

=========================================  =================================  =================================
question                                   measure in each wave               test
=========================================  =================================  =================================
量表 (a Likert question or matrix row)      mean score (1 = the first choice)  Mann-Whitney U (ordinal)
数字                                        mean                               Mann-Whitney U
单选                                        share of each choice               chi-square, wave × choices
any choice question with ``option``        share choosing it (several ids:    two-proportion z test (Fisher's
                                           any of them, e.g. "4 5" 满意率)     exact test with an expected count
                                                                              below 5)
=========================================  =================================  =================================

Each group (``by``: a single-choice question such as 镇街) and the whole (合计) get N on each side, the
measure in each wave, the change, the test, its p-value and a plain reading. Bases below 30 are flagged.

>>> from toolkit.analysis import compare_waves
>>> cmp = compare_waves(frame, form, "services/transport", by="district",
...                     baseline="${submitted_at} < '2026-06-01'", followup="${submitted_at} >= '2026-06-01'")
...                                                                      # doctest: +SKIP
>>> cmp.reading                                                          # doctest: +SKIP
'平均分由 2.60 升至 3.40（+0.80），变化显著（p<0.001）'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.analysis.crosstabs import SMALL_BASE, TOTAL
from toolkit.analysis.errors import AnalysisError
from toolkit.analysis.filters import filter_in_words, filter_responses
from toolkit.analysis.significance import ALPHA, independence_test, p_text
from toolkit.analysis.variables import variable
from toolkit.forms import KIND_LABELS, Form

MANN_WHITNEY = "Mann-Whitney U 检验（双侧）"
Z_TEST = "两比例 z 检验（双侧）"
COLUMNS = [
    "group",
    "option",
    "n_baseline",
    "n_followup",
    "baseline",
    "followup",
    "change",
    "method",
    "p_value",
    "reading",
    "small_base",
]


@dataclass
class WaveComparison:
    """One question, baseline wave against follow-up wave: a row per group (and option, for shares)."""

    form_id: str
    question: str  # the answer column (``q`` or ``q/row``)
    label: str
    measure: str  # "mean" or "share"
    measure_label: str  # as a reader sees it: "平均分（1=很不满意 … 5=很满意）", "选“满意”的比例（%）"
    rows: pd.DataFrame  # COLUMNS; shares in per cent, the change in points; the total (合计) last
    baseline: str
    followup: str
    baseline_words: str = ""
    followup_words: str = ""
    by: str | None = None
    by_label: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> pd.DataFrame:
        return self.rows[self.rows["group"] == TOTAL]

    @property
    def reading(self) -> str:
        """The reading of the whole (合计); for a share of each choice, the test's reading once."""
        return str(self.total["reading"].iloc[0]) if len(self.total) else ""

    def to_dict(self) -> dict:
        rows = self.rows.astype(object).where(self.rows.notna(), None).to_dict("records")
        for row in rows:
            for key in ("baseline", "followup", "change", "p_value"):
                if isinstance(row[key], float):
                    row[key] = round(row[key], 6 if key == "p_value" else 3) + 0.0  # never -0.0
        return {
            "form": self.form_id,
            "question": self.question,
            "label": self.label,
            "measure": self.measure,
            "measure_label": self.measure_label,
            "baseline": {"filter": self.baseline, "in_words": self.baseline_words},
            "followup": {"filter": self.followup, "in_words": self.followup_words},
            "by": self.by,
            "by_label": self.by_label or None,
            "rows": rows,
            "reading": self.reading,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def compare_waves(
    frame: pd.DataFrame,
    form: Form,
    question: str,
    *,
    baseline: str,
    followup: str,
    by: str | None = None,
    option: str | None = None,
) -> WaveComparison:
    """Compare answer column ``question`` of ``frame`` (``Store.responses``) between the responses
    ``baseline`` picks and those ``followup`` picks (filter expressions in the form's language), per group
    of ``by`` and overall. ``option``: choice id(s), space- or comma-separated, to compare the share
    choosing any of them (e.g. "4 5": satisfied) instead of the mean or every choice's share."""
    if frame.empty:
        raise AnalysisError("analysis.no_responses", form=form.id)
    sides = []
    for flag, expression in (("--baseline", baseline), ("--followup", followup)):
        if not str(expression or "").strip():
            raise AnalysisError("analysis.wave_filter_missing", flag=flag)
        chosen = filter_responses(frame, form, expression)
        if chosen.empty:
            raise AnalysisError("analysis.wave_empty", flag=flag, filter=expression or "", count=len(frame))
        sides.append(chosen.index)
    both = sides[0].intersection(sides[1])
    if len(both):
        raise AnalysisError("analysis.waves_overlap", count=len(both))
    frame = frame.loc[sides[0].append(sides[1])]
    wave = np.array([0] * len(sides[0]) + [1] * len(sides[1]))
    measure, label, values, answered, levels = _values(frame, form, question, option)
    groups = _groups(frame, form, by, question)
    rows = []
    for name, member in [*groups, (TOTAL, np.ones(len(frame), dtype=bool))]:
        keep = member & answered
        rows += _compare(measure, values[keep], wave[keep], levels, name, label)
    table = pd.DataFrame(rows, columns=COLUMNS)
    result = WaveComparison(
        form.id,
        question,
        variable(frame, form, question).label,
        measure,
        label,
        table,
        baseline.strip(),
        followup.strip(),
        filter_in_words(form, baseline),
        filter_in_words(form, followup),
        by,
        variable(frame, form, by).label if by else "",
    )
    small = table.loc[table["small_base"], "group"].drop_duplicates().tolist()
    if small:
        result.warnings.append(f"基数少于 {SMALL_BASE} 人，变化仅供参考：{'、'.join(map(str, small))}")
    result.notes = _notes(result, int((wave == 0).sum()), int((wave == 1).sum()))
    return result


def _values(frame, form: Form, question: str, option: str | None):
    """(measure, its label, one value per response, answered mask, levels of a share of each choice)."""
    qid = question.partition("/")[0]
    q = form.question(qid)  # FormError form.question_unknown names the form's questions
    if q.kind == "number" and "/" not in question:
        if option:
            raise AnalysisError("analysis.waves_option_number", option=option)
        given = frame[question] if question in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        numbers = pd.to_numeric(given, errors="coerce").to_numpy(dtype=float)
        return "mean", "平均数", numbers, ~np.isnan(numbers), []
    if q.kind not in ("single", "likert", "multiple", "ranking") or (q.kind != "likert" and "/" in question):
        kind = KIND_LABELS.get(q.kind, q.kind)
        raise AnalysisError("analysis.waves_not_comparable", question=question, label=q.label, kind=kind)
    v = variable(frame, form, question)
    ids = list(q.choice_ids()) + v.levels[len(q.choice_ids()) :]
    if option:
        wanted = [o for o in str(option).replace(",", " ").replace("，", " ").split() if o]
        unknown = [o for o in wanted if o not in ids]
        if unknown or not wanted:
            known = "、".join(f"{c}（{q.choice_label(c)}）" for c in q.choice_ids())
            raise AnalysisError("analysis.waves_option_unknown", question=question, option=option, known=known)
        columns = [ids.index(o) for o in wanted]
        chosen = v.matrix[:, columns].any(axis=1).astype(float)
        names = "”或“".join(q.choice_label(o) for o in wanted)
        return "share", f"选“{names}”的比例（%）", chosen, v.answered, []
    if v.multiple:
        kind = KIND_LABELS.get(q.kind, q.kind)
        raise AnalysisError("analysis.waves_not_comparable", question=question, label=q.label, kind=kind)
    if q.kind == "likert":
        scores = (v.matrix * np.arange(1, len(v.levels) + 1)).sum(axis=1).astype(float)
        scale = f"1={v.levels[0]} … {len(v.levels)}={v.levels[-1]}" if v.levels else ""
        return "mean", f"平均分（{scale}）", scores, v.answered, []
    codes = np.where(v.answered, v.matrix.argmax(axis=1), -1)
    return "share", "各选项的比例（%）", codes.astype(float), v.answered, v.levels


def _groups(frame, form: Form, by: str | None, question: str) -> list[tuple[str, np.ndarray]]:
    if not by:
        return []
    if by == question:
        raise AnalysisError("analysis.waves_by_invalid", by=by, reason="与要比较的题目相同")
    v = variable(frame, form, by)
    if v.multiple:
        raise AnalysisError("analysis.waves_by_invalid", by=by, reason="是多选题，一人可在几个组")
    return [(level, v.matrix[:, i].astype(bool)) for i, level in enumerate(v.levels) if v.matrix[:, i].any()]


def _compare(measure: str, values, wave, levels: list[str], group: str, label: str) -> list[dict]:
    a, b = values[wave == 0], values[wave == 1]
    n = {"n_baseline": len(a), "n_followup": len(b)}
    small = bool(min(len(a), len(b)) < SMALL_BASE)
    if levels:  # a share of each choice: one row per choice, one test of the whole distribution
        counts = np.array([[np.sum(side == i) for i in range(len(levels))] for side in (a, b)])
        test = independence_test(counts) if min(len(a), len(b)) else None
        method = test.method if test else ""
        p = test.p_value if test else None
        why = test.reading if test else ""
        reading = f"各选项的分布{_verdict(p)}" if p is not None else _no_test(a, b, why)
        out = []
        for i, level in enumerate(levels):
            before = 100 * counts[0, i] / len(a) if len(a) else math.nan
            after = 100 * counts[1, i] / len(b) if len(b) else math.nan
            if not (counts[0, i] or counts[1, i]):
                continue
            out.append(
                {
                    "group": group,
                    "option": level,
                    **n,
                    "baseline": before,
                    "followup": after,
                    "change": after - before,
                    "method": method,
                    "p_value": p,
                    "reading": reading,
                    "small_base": small,
                }
            )
        return out
    if not len(a) or not len(b):
        before = float(np.mean(a)) if len(a) else math.nan
        after = float(np.mean(b)) if len(b) else math.nan
        row = {"baseline": before, "followup": after, "change": math.nan, "method": "", "p_value": None}
        return [{"group": group, "option": "", **n, **row, "reading": _no_test(a, b, ""), "small_base": small}]
    share = measure == "share"
    before, after = float(np.mean(a)), float(np.mean(b))
    if share:
        before, after = 100 * before, 100 * after
        method, p = _two_proportions(int(a.sum()), len(a), int(b.sum()), len(b))
    else:
        method, p = _mann_whitney(a, b)
    change = after - before
    unit = "个百分点" if share else ""
    shown = (lambda x: f"{x:.1f}%") if share else (lambda x: f"{x:.2f}")
    noun = "比例" if share else label[:3]  # 平均分 (a scale) or 平均数
    if abs(change) < 1e-12:
        moved = f"{noun}前后都是 {shown(before)}"
    elif shown(before) == shown(after):
        moved = f"{noun}前后都约为 {shown(before)}"  # a change too small to show
    else:
        verb = "升至" if change > 0 else "降至"
        moved = f"{noun}由 {shown(before)} {verb} {shown(after)}（{_signed(change, 1 if share else 2)}{unit}）"
    reading = f"{moved}，{_verdict(p)}" if p is not None else f"{moved}，无法检验（两轮答案完全相同）"
    return [
        {
            "group": group,
            "option": "",
            **n,
            "baseline": before,
            "followup": after,
            "change": change,
            "method": method if p is not None else "",
            "p_value": p,
            "reading": reading,
            "small_base": small,
        }
    ]


def _signed(change: float, digits: int) -> str:
    """+0.62, -1.5; a change that rounds to nothing as 0.00 (not -0.00)."""
    rounded = round(change, digits) + 0.0
    return f"{rounded:+.{digits}f}" if rounded else f"{0:.{digits}f}"


def _verdict(p: float) -> str:
    return f"变化{'显著' if p < ALPHA else '不显著'}（{p_text(p)}）"


def _no_test(a, b, why: str) -> str:
    if not len(a) or not len(b):
        return ("基线" if not len(a) else "跟踪") + "一轮没有人回答这道题，无法比较"
    return why or "无法检验"


def _two_proportions(x1: int, n1: int, x2: int, n2: int) -> tuple[str, float | None]:
    """Two-sided two-proportion z test (pooled); Fisher's exact test when an expected count is below 5."""
    from scipy import stats

    pooled = (x1 + x2) / (n1 + n2)
    expected = min(n1, n2) * min(pooled, 1 - pooled)
    if pooled in (0.0, 1.0):
        return Z_TEST, None  # everyone (or no one) chose it in both waves: nothing to test
    if expected < 5:
        _, p = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])
        return "Fisher 精确检验（期望频数小于 5）", float(p)
    z = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return Z_TEST, float(2 * stats.norm.sf(abs(z)))


def _mann_whitney(a, b) -> tuple[str, float | None]:
    from scipy import stats

    if np.all(a == a[0]) and np.all(b == a[0]):
        return MANN_WHITNEY, None
    return MANN_WHITNEY, float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def _notes(c: WaveComparison, n_base: int, n_follow: int) -> list[str]:
    notes = [
        f"基线：{c.baseline_words}（{n_base:,} 份答卷）",
        f"跟踪：{c.followup_words}（{n_follow:,} 份答卷）",
        f"比较：{c.measure_label}；每组 N 为这一轮回答了这道题的人数",
    ]
    methods = sorted({m for m in c.rows["method"] if m})
    if methods:
        notes.append("检验：" + "、".join(methods) + f"；p < {ALPHA} 为变化显著")
    if c.measure == "mean" and c.measure_label.startswith("平均分"):
        notes.append("量表按顺序计分，比较的是两轮的等级分布（Mann-Whitney），平均分便于阅读")
    if c.by:
        notes.append(f"分组：{c.by_label}；没有回答分组题的人只计入合计")
    return notes


# ---- for people -------------------------------------------------------------------------------------------
HEADERS = {
    "group": "分组",
    "option": "选项",
    "n_baseline": "基线 N",
    "n_followup": "跟踪 N",
    "baseline": "基线",
    "followup": "跟踪",
    "change": "变化",
    "method": "检验方法",
    "p_value": "p 值",
    "reading": "结论",
    "small_base": "基数小",
}


def people_table(c: WaveComparison) -> pd.DataFrame:
    """``rows`` with Chinese headers, numbers rounded (shares and points to 0.1, means to 0.01)."""
    digits = 1 if c.measure == "share" else 2
    table = c.rows.copy()
    for key in ("baseline", "followup", "change"):
        # + 0.0: a change that rounds to nothing shows as 0.00, not -0.00
        table[key] = table[key].map(lambda x: None if pd.isna(x) else round(float(x), digits) + 0.0)
    table["p_value"] = table["p_value"].map(lambda p: None if p is None or pd.isna(p) else round(float(p), 4))
    table["small_base"] = table["small_base"].map(lambda s: "是" if s else "")
    if not (table["option"] != "").any():
        table = table.drop(columns="option")
    return table.rename(columns=HEADERS)


def waves_sheets(c: WaveComparison) -> dict[str, pd.DataFrame]:
    """前后对比 (one line per group [and choice]) and 说明 (question, waves, measure, tests, warnings)."""
    about = [
        ("问卷", c.form_id),
        ("题目", f"{c.label}（{c.question}）"),
        ("基线条件", _condition(c.baseline_words, c.baseline)),
        ("跟踪条件", _condition(c.followup_words, c.followup)),
        ("结论（合计）", c.reading),
    ]
    about += [("警告", w) for w in c.warnings]
    about += [("说明", n) for n in c.notes]
    return {"前后对比": people_table(c), "说明": pd.DataFrame(about, columns=["项目", "内容"])}


def _condition(words: str, expression: str) -> str:
    """A wave's condition as the crosstab's 说明 writes a filter: in words, the expression after it."""
    return expression if not words or words == expression.strip() else f"{words}（{expression}）"
