"""scikit-learn's estimator conventions for the topics stage, with messages in Chinese.

:class:`~toolkit.topics.model.TopicModel` and :class:`~toolkit.topics.routing.Router` declare
``_parameter_constraints`` in scikit-learn's own vocabulary (``Interval``, ``StrOptions``, ``"boolean"`` …),
so scikit-learn's tools read them; :func:`validate_params` checks them with scikit-learn's machinery at
``fit`` but words the failure for our users: which parameter, the value given, what it may be, the default.
"""

from __future__ import annotations

import reprlib
from inspect import signature
from numbers import Integral, Real

from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, Options, StrOptions, make_constraint

from toolkit.topics.errors import TopicsError

__all__ = ["Interval", "NotFittedTopicsError", "StrOptions", "check_fitted", "validate_params"]

_TYPES = {
    Integral: "整数",
    Real: "数",
    bool: "True 或 False",
    str: "字符串",
    dict: "字典",
    tuple: "元组",
    list: "列表",
}
_NAMED = {"boolean": "True 或 False", "random_state": "非负整数、numpy.random.RandomState 或 None"}
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40


class NotFittedTopicsError(TopicsError, NotFittedError):
    """A method that needs a fitted model was called before ``fit``: a TopicsError for the CLI and our
    callers, a NotFittedError for scikit-learn's tools (pipelines, ``check_is_fitted`` users)."""


def describe(constraint) -> str:
    """One constraint of ``_parameter_constraints`` in Chinese ("正整数", "0 ≤ 值 ≤ 1 的数", ``"auto"`` …)."""
    if constraint is None:
        return "None"
    if isinstance(constraint, str):
        return _NAMED.get(constraint, constraint)
    if isinstance(constraint, type):
        return _TYPES.get(constraint, constraint.__name__)
    if isinstance(constraint, (StrOptions, Options)):
        return _joined([_shown(o) for o in sorted(constraint.options, key=str)])
    if isinstance(constraint, Interval):
        return _describe_interval(constraint)
    return str(constraint)


def _describe_interval(c: Interval) -> str:
    kind = "整数" if c.type is Integral else "数"
    if c.type is Integral and c.right is None and c.closed in ("left", "both") and c.left in (0, 1):
        return "正整数" if c.left == 1 else "非负整数"
    low = None if c.left is None else f"{c.left} {'≤' if c.closed in ('left', 'both') else '<'} "
    high = None if c.right is None else f" {'≤' if c.closed in ('right', 'both') else '<'} {c.right}"
    if low and high:
        return f"{low}值{high} 的{kind}"
    if low:
        return f"{'≥' if c.closed in ('left', 'both') else '>'} {c.left} 的{kind}"
    return f"{high.strip()} 的{kind}" if high else kind


def _shown(value) -> str:
    """A value as Python code writes it, strings in double quotes as elsewhere in our messages, cut short."""
    return f'"{_short.repr(value)[1:-1]}"' if isinstance(value, str) else _short.repr(value)


def _joined(parts: list[str], word: str = "或") -> str:
    """``parts`` joined by ``word``, with a space where Chinese meets Latin (正整数或 "auto")."""
    pieces = [piece for i, part in enumerate(parts) for piece in ((word, part) if i else (part,)) if piece]
    out = pieces[0]
    for piece in pieces[1:]:
        gap = out[-1].isascii() != piece[0].isascii() and not (out[-1].isspace() or piece[0] in "，。：")
        out += (" " if gap else "") + piece
    return out


def _fail(estimator, name: str, value, allowed: str) -> TopicsError:
    default = signature(type(estimator)).parameters[name].default
    return TopicsError(
        "param.invalid",
        estimator=type(estimator).__name__,
        name=name,
        allowed=(" " if allowed[:1].isascii() else "") + allowed,  # "应为正整数", "应为 None"
        value=_shown(value),
        default=_shown(default),
    )


def validate_params(estimator, rules=()) -> None:
    """Check every parameter against ``estimator._parameter_constraints`` (scikit-learn's own check), then
    each of ``rules`` — ``(name, predicate, allowed)`` for what constraints cannot say (e.g. low ≤ high) —
    and raise a :class:`TopicsError` naming the first parameter that fails, its value and what it may be."""
    params = estimator.get_params(deep=False)
    for name, constraints in estimator._parameter_constraints.items():
        value = params[name]
        if not any(make_constraint(c).is_satisfied_by(value) for c in constraints):
            raise _fail(estimator, name, value, _joined([describe(c) for c in constraints]))
    for name, predicate, allowed in rules:
        if not predicate(params[name]):
            raise _fail(estimator, name, params[name], allowed)


def check_fitted(code: str, estimator, attribute: str) -> None:
    """Raise :class:`NotFittedTopicsError` with the catalogue ``code`` unless ``fit`` has set ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedTopicsError(code)
