"""Weights: rake a sample to known population shares (镇街, 性别, 年龄段 …) and say how much it costs.

Targets are a small YAML file, one single-choice question per entry, each choice (id or label) with its
share of the population; the shares of a question add up to 1::

    targets:
      district: {chengguan: 0.18, donghu: 0.12, ...}
      age_band: {18岁以下: 0.10, 18—35岁: 0.30, 36—59岁: 0.38, 60岁及以上: 0.22}

Raking (iterative proportional fitting) adjusts each respondent's weight question by question until
every weighted share matches its target (or says it did not get there). Weights average 1 over the
respondents weighted. What weighting costs in precision is the Kish effective sample size
``(Σw)² / Σw²``; margins of error of weighted percentages use it.

>>> import numpy as np
>>> round(effective_n(np.array([1.0, 1.0, 2.0, 4.0])), 2)
2.91
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.analysis.errors import AnalysisError
from toolkit.forms import Form

MAX_ITERATIONS = 100
TOLERANCE = 1e-6  # largest gap between a weighted share and its target at convergence
SUM_SLACK = 0.005  # shares written with two decimals may add to 0.995 … 1.005
EXAMPLE = "weights_example.yaml"  # bundled with the stage (for the annual_topics form)


@dataclass
class Targets:
    """Population shares: question id -> {choice id: share}, shares of each question adding up to 1."""

    margins: dict[str, dict[str, float]]
    source: str = "加权目标"  # the file they came from, for messages
    max_iterations: int = MAX_ITERATIONS
    tolerance: float = TOLERANCE


@dataclass
class Weights:
    """One weight per response (NaN: not weighted, an answer to a weighting question is missing)."""

    weights: pd.Series
    targets: Targets
    converged: bool
    iterations: int
    gap: float  # the largest |weighted share − target| at the end
    warnings: list[str] = field(default_factory=list)

    @property
    def effective_n(self) -> float:
        return effective_n(self.weights.dropna().to_numpy())


def effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²``: the equal-weight sample as precise as this weighted one."""
    w = np.asarray(weights, dtype=float)
    square = float((w**2).sum())
    return float(w.sum()) ** 2 / square if square > 0 else 0.0


def margin_of_error(percent, n_eff, z: float = 1.96):
    """Half the width of the 95 % interval of a percentage from ``n_eff`` effective respondents, in points."""
    p = np.asarray(percent, dtype=float) / 100
    n = np.asarray(n_eff, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, 100 * z * np.sqrt(p * (1 - p) / n), np.nan)


def example_targets_path() -> Path:
    """The bundled example targets (for the annual_topics form): a template to copy and edit."""
    return Path(str(resources.files("toolkit.analysis").joinpath(EXAMPLE)))


def load_targets(path, form: Form) -> Targets:
    """Read and check a targets YAML file against ``form`` (see the module docstring for the format)."""
    import yaml

    from toolkit.filesafety import UnsafeFile, read_input

    try:
        blob = read_input(path, limit=1 << 20)
    except UnsafeFile as bad:
        raise AnalysisError.from_error(bad, path=str(path)) from None
    try:
        text = blob.decode("utf-8-sig")
        # an alias (*名字) lets a few lines stand for a billion items, which a message quoting the value would
        # spell out: targets never need one
        alias = next((e for e in yaml.parse(text) if isinstance(e, yaml.AliasEvent)), None)
        if alias is not None:
            reason = "加权目标不能使用锚点和别名（&名字、*名字），请直接写出每个占比"
            raise AnalysisError("analysis.weights_yaml", path=str(path), line=alias.start_mark.line + 1, reason=reason)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise AnalysisError("analysis.weights_encoding", path=str(path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise AnalysisError(
            "analysis.weights_yaml", path=str(path), line=line, reason=str(err).splitlines()[0]
        ) from None
    return check_targets(data, form, source=str(path))


def check_targets(data, form: Form, *, source: str = "加权目标") -> Targets:
    """Targets from a parsed mapping (``{"targets": {question: {choice: share}}}``), checked against ``form``:
    questions single-choice, choices known (ids or labels), shares numbers in [0, 1] adding up to 1."""
    example = str(example_targets_path())
    margins_in = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(margins_in, dict) or not margins_in:
        raise AnalysisError("analysis.weights_shape", path=source, example=example)
    singles = [q.id for q in form.answer_questions() if q.kind == "single"]
    margins: dict[str, dict[str, float]] = {}
    for qid, shares in margins_in.items():
        qid = str(qid)
        if qid not in form.question_ids():
            raise AnalysisError(
                "analysis.weights_question_unknown", path=source, question=qid, known="、".join(singles)
            )
        q = form.question(qid)
        if q.kind != "single":
            raise AnalysisError("analysis.weights_question_kind", path=source, question=qid, label=q.label)
        if not isinstance(shares, dict) or not shares:
            raise AnalysisError("analysis.weights_shape", path=source, example=example)
        by_label = {c.label: c.id for c in q.choices}
        margin: dict[str, float] = {}
        for name, share in shares.items():
            cid = str(name) if str(name) in q.choice_ids() else by_label.get(str(name))
            if cid is None:
                known = "、".join(f"{c}（{q.choice_label(c)}）" for c in q.choice_ids())
                raise AnalysisError(
                    "analysis.weights_category_unknown", path=source, question=qid, category=str(name), known=known
                )
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                raise AnalysisError(
                    "analysis.weights_share_invalid", path=source, question=qid, category=str(name), value=share
                )
            margin[cid] = float(share)
        total = sum(margin.values())
        if abs(total - 1) > SUM_SLACK:
            raise AnalysisError("analysis.weights_sum", path=source, question=qid, total=round(total, 4))
        margins[qid] = {c: s / total for c, s in margin.items()}
    return Targets(margins, source=source)


def rake(frame: pd.DataFrame, form: Form, targets: Targets) -> Weights:
    """Weights for the responses of ``frame`` that match ``targets`` (iterative proportional fitting).

    Refuses targets the sample cannot meet: a choice answered in the sample without a target share, a
    positive share for a choice nobody in the sample chose. Not converging is no error: the weights are
    returned with ``converged`` False and a warning saying how far off they are.
    """
    codes = {qid: _answers(frame, qid) for qid in targets.margins}
    complete = np.ones(len(frame), dtype=bool)
    for values in codes.values():
        complete &= values.notna().to_numpy()
    if not complete.any():
        raise AnalysisError("analysis.weights_no_respondents", path=targets.source, questions="、".join(codes))
    for qid, margin in targets.margins.items():
        q = form.question(qid)
        present = codes[qid][complete].value_counts()
        missing = [c for c in present.index if c not in margin]
        if missing:
            raise AnalysisError(
                "analysis.weights_category_missing",
                path=targets.source,
                question=qid,
                categories="、".join(f"{c}（{q.choice_label(c)}）" for c in missing),
                count=int(present[missing].sum()),
            )
        empty = [c for c, share in margin.items() if share > 0 and c not in present.index]
        if empty:
            raise AnalysisError(
                "analysis.weights_empty_cell",
                path=targets.source,
                question=qid,
                category=f"{empty[0]}（{q.choice_label(empty[0])}）",
                share=round(margin[empty[0]], 4),
            )
    groups = [
        [(share, (codes[qid][complete] == c).to_numpy()) for c, share in margin.items()]
        for qid, margin in targets.margins.items()
    ]
    w = np.ones(int(complete.sum()))
    total = float(len(w))
    converged, iterations, gap = False, 0, math.inf
    for iterations in range(1, targets.max_iterations + 1):  # noqa: B007 (the count is reported)
        for group in groups:
            for share, mask in group:
                current = w[mask].sum()
                if current > 0:
                    w[mask] *= share * total / current
        gap = max(abs(w[mask].sum() / total - share) for group in groups for share, mask in group)
        if gap < targets.tolerance:
            converged = True
            break
    weights = pd.Series(np.nan, index=frame.index)
    weights[complete] = w
    warnings = []
    if not converged:
        warnings.append(
            f"加权迭代 {iterations} 轮后仍未收敛（加权占比与目标最多相差 {gap * 100:.2f} 个百分点）："
            "各项目标可能相互矛盾或样本过偏，加权结果仅供参考"
        )
    left_out = int((~complete).sum())
    if left_out:
        warnings.append(f"{left_out} 份答卷缺少加权题目的答案，未计入加权结果（未加权结果包含它们）")
    return Weights(weights, targets, converged, iterations, float(gap), warnings)


def _answers(frame: pd.DataFrame, qid: str) -> pd.Series:
    values = frame[qid] if qid in frame.columns else pd.Series(None, index=frame.index, dtype=object)
    return values.map(lambda v: str(v).strip() if isinstance(v, str) and v.strip() else None)
