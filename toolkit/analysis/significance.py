"""Is the difference between groups more than chance? One test per table, chosen by its size and counts.

* 2 × 2 with an expected count below 5: Fisher's exact test;
* larger tables with small expected counts (any below 1, or more than a fifth below 5, Cochran's rule):
  the chi-square statistic with a Monte Carlo p-value (tables with the same margins drawn at random,
  9,999 times, fixed seed: the same data give the same p);
* otherwise Pearson's chi-square test (2 × 2 with Yates' continuity correction, as ``scipy`` does).

The reading is plain Chinese: “差异显著（p=0.003）” below 0.05, “差异不显著（p=0.41）” otherwise.

>>> result = independence_test([[30, 10], [12, 28]])
>>> result.method, result.reading
('卡方检验（连续性校正）', '差异显著（p<0.001）')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALPHA = 0.05
MIN_EXPECTED = 5
MONTE_CARLO_RESAMPLES = 9_999
SEED = 0


@dataclass
class Significance:
    """The outcome of one test of independence."""

    method: str  # as a reader sees it: "卡方检验", "Fisher 精确检验" …; "" when no test could be made
    p_value: float | None
    reading: str  # "差异显著（p=0.003）" / "差异不显著（p=0.41）" / why there is no test
    statistic: float | None = None
    dof: int | None = None
    option: str | None = None  # a multiple-choice question's option tested (chosen or not × the other question)

    def to_dict(self) -> dict:
        out = {
            "method": self.method,
            "statistic": self.statistic,
            "dof": self.dof,
            "p_value": self.p_value,
            "reading": self.reading,
        }
        return out if self.option is None else {"option": self.option, **out}


def p_text(p: float) -> str:
    """``p=0.003``; ``p<0.001`` below a thousandth."""
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def reading(p: float) -> str:
    return f"差异{'显著' if p < ALPHA else '不显著'}（{p_text(p)}）"


def independence_test(table, *, seed: int = SEED) -> Significance:
    """Test rows × columns of counts for independence (rows and columns without anyone are left out)."""
    from scipy import stats

    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0] if counts.size else counts
    if counts.ndim != 2 or min(counts.shape) < 2:
        return Significance("", None, "只有一个类别有人回答，无法检验差异")
    expected = stats.contingency.expected_freq(counts)
    if counts.shape == (2, 2) and expected.min() < MIN_EXPECTED:
        statistic, p = stats.fisher_exact(counts)
        return Significance("Fisher 精确检验", float(p), reading(float(p)), float(statistic), None)
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    if expected.min() < 1 or (expected < MIN_EXPECTED).mean() > 0.2:
        method = stats.MonteCarloMethod(n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(seed))
        res = stats.chi2_contingency(counts, correction=False, method=method)
        name = f"卡方检验（期望频数偏小，蒙特卡洛模拟 p 值，{MONTE_CARLO_RESAMPLES:,} 次）"
        return Significance(name, float(res.pvalue), reading(float(res.pvalue)), float(res.statistic), dof)
    res = stats.chi2_contingency(counts)
    name = "卡方检验（连续性校正）" if dof == 1 else "卡方检验"
    return Significance(name, float(res.pvalue), reading(float(res.pvalue)), float(res.statistic), int(res.dof))
