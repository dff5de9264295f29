"""交叉分析: two questions against each other — counts, row and column percentages, a test, a plain reading.

>>> from toolkit.analysis import crosstab
>>> table = crosstab(store.responses("annual_topics"), form, "services/medical", "district",
...                  filter="${age_band} != 'under18'")                    # doctest: +SKIP
>>> table.reading                                                         # doctest: +SKIP
'差异显著（p=0.003）'

Bases are respondents: who answered both questions (after the filter). For a multiple-choice question the
base of a column is the respondents in it who answered the question, not the ticks, so its options' shares
may add up to more than 100 %; each option is tested on its own (chosen or not × the other question).
Percentages below 30 respondents are flagged. With weights (``toolkit.analysis.rake``) the weighted
percentages come beside the unweighted ones, with margins of error from the Kish effective sample size;
the tests use the unweighted counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.analysis.errors import AnalysisError
from toolkit.analysis.filters import filter_in_words, filter_responses
from toolkit.analysis.significance import SEED, Significance, independence_test
from toolkit.analysis.variables import Variable, variable
from toolkit.analysis.weighting import Weights, effective_n, margin_of_error
from toolkit.forms import Form

SMALL_BASE = 30  # percentages of fewer respondents than this are flagged
TOTAL = "合计"
NO_TEST = "两题都是多选题，不做显著性检验"


@dataclass
class WeightedTable:
    """The weighted side of a cross-tab: weighted counts and percentages, their margins of error (points)."""

    counts: pd.DataFrame
    row_percent: pd.DataFrame
    col_percent: pd.DataFrame
    row_moe: pd.DataFrame
    col_moe: pd.DataFrame
    row_base: pd.Series
    col_base: pd.Series
    row_n_eff: pd.Series
    col_n_eff: pd.Series
    n: float
    n_eff: float
    respondents: int  # unweighted respondents with a weight
    converged: bool
    iterations: int


@dataclass
class CrossTab:
    """Two questions against each other (rows × columns), everything a table, chart or JSON needs."""

    form_id: str
    rows: Variable
    cols: Variable
    counts: pd.DataFrame
    row_base: pd.Series  # respondents per row category (who answered both questions)
    col_base: pd.Series
    n: int  # respondents who answered both
    tests: list[Significance]
    filter: str | None = None
    filter_words: str = ""
    responses: int = 0  # responses before the filter
    filtered: int = 0  # responses the filter kept
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    weighted: WeightedTable | None = None

    @property
    def row_percent(self) -> pd.DataFrame:
        return _percent(self.counts, self.row_base, axis=0)

    @property
    def col_percent(self) -> pd.DataFrame:
        return _percent(self.counts, self.col_base, axis=1)

    @property
    def test(self) -> Significance | None:
        """The one test of the table (None when a question is multiple choice: see ``tests``, one per option)."""
        return self.tests[0] if len(self.tests) == 1 and self.tests[0].option is None else None

    @property
    def p_value(self) -> float | None:
        return self.test.p_value if self.test else None

    @property
    def reading(self) -> str:
        """The plain-Chinese reading: the test's, or each option's joined with "；"."""
        if self.test is not None:
            return self.test.reading
        return "；".join(f"“{t.option}”{t.reading}" for t in self.tests) or NO_TEST

    def to_dict(self) -> dict:
        """Everything as plain JSON-able values (NaN as None), percentages rounded to 0.01."""
        out = {
            "form": self.form_id,
            "rows": _side(self.rows),
            "cols": _side(self.cols),
            "filter": self.filter,
            "filter_in_words": self.filter_words or None,
            "responses": self.responses,
            "filtered": self.filtered,
            "n": self.n,
            "counts": _nested(self.counts, 0),
            "row_percent": _nested(self.row_percent, 2),
            "col_percent": _nested(self.col_percent, 2),
            "bases": {"rows": _flat(self.row_base, 0), "cols": _flat(self.col_base, 0), "total": self.n},
            "test": self.test.to_dict() if self.test else None,
            "p_value": self.p_value,
            "tests": [t.to_dict() for t in self.tests],
            "reading": self.reading,
            "warnings": self.warnings,
            "notes": self.notes,
            "weighted": None,
        }
        w = self.weighted
        if w is not None:
            out["weighted"] = {
                "counts": _nested(w.counts, 2),
                "row_percent": _nested(w.row_percent, 2),
                "col_percent": _nested(w.col_percent, 2),
                "row_margin_of_error": _nested(w.row_moe, 2),
                "col_margin_of_error": _nested(w.col_moe, 2),
                "bases": {"rows": _flat(w.row_base, 2), "cols": _flat(w.col_base, 2), "total": round(w.n, 2)},
                "effective_n": {
                    "rows": _flat(w.row_n_eff, 1),
                    "cols": _flat(w.col_n_eff, 1),
                    "total": round(w.n_eff, 1),
                },
                "respondents": w.respondents,
                "converged": w.converged,
                "iterations": w.iterations,
            }
        return out


def crosstab(
    frame: pd.DataFrame,
    form: Form,
    rows: str,
    cols: str,
    *,
    filter: str | None = None,
    weights: Weights | pd.Series | None = None,
    seed: int = SEED,
) -> CrossTab:
    """Cross-tabulate answer columns ``rows`` × ``cols`` of ``frame`` (a response frame, ``Store.responses``).

    ``filter``: an expression in the form's language (:func:`toolkit.analysis.filter_responses`).
    ``weights``: from :func:`toolkit.analysis.rake` (or a Series aligned with ``frame``; NaN = not weighted).
    ``seed``: of the Monte Carlo p-value, used only for tables with small expected counts.
    """
    if rows == cols:
        raise AnalysisError("analysis.same_question", question=rows)
    if frame.empty:
        raise AnalysisError("analysis.no_responses", form=form.id)
    chosen = filter_responses(frame, form, filter)
    if chosen.empty:
        raise AnalysisError("analysis.filter_matches_none", filter=filter, count=len(frame))
    rv, cv = variable(chosen, form, rows), variable(chosen, form, cols)
    both = rv.answered & cv.answered
    if not both.any():
        raise AnalysisError("analysis.no_common_answers", rows=rows, cols=cols, count=len(chosen))
    r, c = rv.matrix[both].astype(float), cv.matrix[both].astype(float)
    counts = pd.DataFrame(r.T @ c, index=rv.levels, columns=cv.levels).astype(int)
    row_base = pd.Series(r.sum(axis=0), index=rv.levels).astype(int)
    col_base = pd.Series(c.sum(axis=0), index=cv.levels).astype(int)
    n = int(both.sum())
    table = CrossTab(
        form.id,
        rv,
        cv,
        counts,
        row_base,
        col_base,
        n,
        _tests(counts, row_base, col_base, rv, cv, seed),
        filter=filter.strip() if filter and filter.strip() else None,
        filter_words=filter_in_words(form, filter),
        responses=len(frame),
        filtered=len(chosen),
    )
    table.notes = _notes(table)
    table.warnings = _small_bases(table)
    if weights is not None:
        w = weights.weights if isinstance(weights, Weights) else weights
        if isinstance(weights, Weights):
            table.warnings += weights.warnings
        table.weighted = _weighted(r, c, w.reindex(chosen.index).to_numpy(dtype=float)[both], rv, cv, weights)
        table.notes.append("加权百分比旁的 ± 为 95% 误差范围（按 Kish 有效样本量计算）；显著性检验使用未加权人数")
        if table.filter:
            table.notes.append("权重按给定的全部答卷计算，筛选后沿用各自的权重")
    return table


def _tests(counts, row_base, col_base, rv: Variable, cv: Variable, seed: int) -> list[Significance]:
    if rv.multiple and cv.multiple:
        return []
    if not rv.multiple and not cv.multiple:
        return [independence_test(counts.to_numpy(), seed=seed)]
    out = []
    if rv.multiple:  # each option: chosen or not × the columns
        for option in counts.index:
            chosen = counts.loc[option].to_numpy()
            result = independence_test(np.vstack([chosen, col_base.to_numpy() - chosen]), seed=seed)
            result.option = option
            out.append(result)
    else:
        for option in counts.columns:
            chosen = counts[option].to_numpy()
            result = independence_test(np.vstack([chosen, row_base.to_numpy() - chosen]).T, seed=seed)
            result.option = option
            out.append(result)
    return out


def _notes(t: CrossTab) -> list[str]:
    notes = []
    if t.filter:
        notes.append(f"筛选条件：{t.filter_words}（{t.filtered:,} / {t.responses:,} 份答卷符合）")
    notes.append(f"两题都回答的 {t.n:,} 人计入（共 {t.filtered:,} 份答卷）")
    for v in (t.rows, t.cols):
        if v.multiple:
            notes.append(f"“{v.label}”可选多项：基数是回答了该题的人数（不是选项次数），各项百分比之和可超过 100%")
        if v.note:
            notes.append(f"“{v.label}”：{v.note}")
    if t.rows.multiple and t.cols.multiple:
        notes.append(f"{NO_TEST}（同一人可在多个类别）")
    elif t.rows.multiple or t.cols.multiple:
        notes.append("多选题的每个选项单独检验（选或未选 × 另一题），选项多时个别“显著”可能出于偶然")
    return notes


def _small_bases(t: CrossTab) -> list[str]:
    parts = []
    for side, base in (("行", t.row_base), ("列", t.col_base)):
        small = [f"“{label}”（{n} 人）" for label, n in base.items() if 0 < n < SMALL_BASE]
        if small:
            parts.append(f"{side} {'、'.join(small)}")
    if not parts:
        return []
    return [f"基数少于 {SMALL_BASE} 人，这些百分比仅供参考：{'；'.join(parts)}"]


def _weighted(r, c, w, rv: Variable, cv: Variable, weights) -> WeightedTable:
    has = ~np.isnan(w)
    r, c, w = r[has], c[has], w[has]
    counts = pd.DataFrame((r * w[:, None]).T @ c, index=rv.levels, columns=cv.levels)
    row_base = pd.Series(w @ r, index=rv.levels)
    col_base = pd.Series(w @ c, index=cv.levels)
    row_n_eff = pd.Series([effective_n(w[r[:, i] > 0]) for i in range(r.shape[1])], index=rv.levels)
    col_n_eff = pd.Series([effective_n(w[c[:, j] > 0]) for j in range(c.shape[1])], index=cv.levels)
    row_percent = _percent(counts, row_base, axis=0)
    col_percent = _percent(counts, col_base, axis=1)
    row_moe = pd.DataFrame(
        margin_of_error(row_percent.to_numpy(), row_n_eff.to_numpy()[:, None]), index=rv.levels, columns=cv.levels
    )
    col_moe = pd.DataFrame(
        margin_of_error(col_percent.to_numpy(), col_n_eff.to_numpy()[None, :]), index=rv.levels, columns=cv.levels
    )
    converged = getattr(weights, "converged", True)
    iterations = getattr(weights, "iterations", 0)
    return WeightedTable(
        counts,
        row_percent,
        col_percent,
        row_moe,
        col_moe,
        row_base,
        col_base,
        row_n_eff,
        col_n_eff,
        float(w.sum()),
        effective_n(w),
        int(has.sum()),
        converged,
        iterations,
    )


def _percent(counts: pd.DataFrame, base: pd.Series, *, axis: int) -> pd.DataFrame:
    """``counts`` as percentages of ``base``: per row (axis 0, base by row) or per column (axis 1)."""
    values = counts.to_numpy(dtype=float)
    b = base.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = values / (b[:, None] if axis == 0 else b[None, :]) * 100
    return pd.DataFrame(np.where(np.isfinite(shares), shares, np.nan), index=counts.index, columns=counts.columns)


def _side(v: Variable) -> dict:
    return {"question": v.column, "label": v.label, "multiple": v.multiple, "levels": v.levels}


def _number(value, digits: int):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if digits == 0 else round(float(value), digits)


def _nested(frame: pd.DataFrame, digits: int) -> dict:
    return {str(i): {str(c): _number(frame.loc[i, c], digits) for c in frame.columns} for i in frame.index}


def _flat(series: pd.Series, digits: int) -> dict:
    return {str(k): _number(v, digits) for k, v in series.items()}


def percent_text(value) -> str:
    """A percentage as the tables print it ("62.6%"), a dash where there is none."""
    return "—" if pd.isna(value) else f"{float(value):.1f}%"


def number_text(value) -> str:
    """A number (a margin of error in points) as the tables print it ("3.1"), a dash where there is none."""
    return "—" if pd.isna(value) else f"{float(value):.1f}"
