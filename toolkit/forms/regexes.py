"""Regular expressions inside ``regex(., '…')``: checked when the form is checked, bounded when run.

A constraint runs on every imported row and on every keystroke of the entry page, so a pattern must
never hang or crash. Three guards:

- size: a pattern is parsed with Python's own ``re`` parser (the dialect we document) before anything
  compiles it; repetition counts that multiply out past ``MAX_EXPANDED`` (``((a{999}){999}){999}``
  exhausts memory in any engine) and group nesting past ``MAX_NESTING`` are refused;
- shape: an unbounded repetition of something that is itself only repetitions (``(a+)+``,
  ``(\\w+\\s?)*``) backtracks catastrophically in most engines (Kobo/ODK phones included), and a short
  probe with the ``regex`` engine refuses what still blows up there (``(a|aa)+``); both at check time;
- time: matching uses the ``regex`` package, whose ``timeout`` bounds every run, so a pattern that slips
  through (or comes from an answer, ``regex(., ${q2})``) ends in an :class:`ExpressionError`, not a hang.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

# the stdlib parser: a tree without compiling (not public, stable since 3.11; not in typeshed)
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

import regex

from toolkit.forms.errors import ExpressionError

MAX_PATTERN = 1000  # characters; real patterns (phone, ID, postcode) are a few dozen
MAX_EXPANDED = 10_000  # pattern items after multiplying out counted repetitions
MAX_NESTING = 20  # nested groups
MATCH_TIMEOUT = 1.0  # seconds for one match at run time (a real pattern needs microseconds)
PROBE_TIMEOUT = 0.5  # seconds for one check-time probe; a catastrophic pattern needs hours
PROBE_LENGTH = 60  # probe strings: one character repeated, then a character nothing expects

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_MESSAGES = {  # the re parser's commonest complaints, in the user's language
    "missing ), unterminated subpattern": "左括号 ( 没有配对的右括号 )",
    "unbalanced parenthesis": "右括号 ) 没有配对的左括号 (",
    "unterminated character set": "方括号 [ 没有闭合",
    "nothing to repeat": "* + ? 或 {n} 前面没有可重复的内容",
    "multiple repeat": "重复符号连用（如 a**）",
    "bad escape": "无法识别的反斜杠转义",
    "bad character range": "方括号中的范围写反了（如 [9-0]）",
    "min repeat greater than max repeat": "{m,n} 中 m 大于 n",
}


def _error(code: str, pattern: str, **context) -> ExpressionError:
    shown = pattern if len(pattern) <= 60 else pattern[:60] + "…"
    return ExpressionError(code, pattern=shown, **context)


def _children(item) -> list:
    """Sub-patterns directly inside one parsed item."""
    op, av = item
    if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
        return [av[2]]
    if op == C.SUBPATTERN:
        return [av[3]]
    if op == C.BRANCH:
        return list(av[1])
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op == C.ATOMIC_GROUP:
        return [av]
    if op == C.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    return []


def _size(seq) -> int:
    """Items after multiplying out counted repetitions, e.g. ``(a{10}){10}`` -> 100."""
    total = 0
    for item in seq:
        op, av = item
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            lo, hi, sub = av
            total += _size(sub) * max(1, hi if hi != C.MAXREPEAT else lo)
        else:
            total += 1 + sum(_size(s) for s in _children(item))
        if total > MAX_EXPANDED:
            return total  # over the limit already: no need to finish counting
    return total


def _depth(seq) -> int:
    """Nesting depth of groups, without recursion (a pattern may nest hundreds deep)."""
    deepest, todo = 0, [(seq, 0)]
    while todo:
        s, d = todo.pop()
        deepest = max(deepest, d)
        todo.extend((child, d + 1) for item in s for child in _children(item))
    return deepest


def _kind(item) -> str:
    """'many' for an unbounded repetition, 'empty' for what may match nothing, 'fixed' otherwise."""
    op, av = item
    if op in _REPEATS:
        if av[1] == C.MAXREPEAT:
            return "many"
        return "empty" if av[0] == 0 else "fixed"
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return "empty"
    if op == C.SUBPATTERN:
        kinds = {_kind(i) for i in av[3]}
        return "fixed" if "fixed" in kinds or not kinds else ("many" if "many" in kinds else "empty")
    return "fixed"


def _ambiguous(sub) -> bool:
    """True if a repeated body has an alternative made only of repetitions or optional parts: ``(a+)+``."""
    items = list(sub)
    while len(items) == 1 and items[0][0] == C.SUBPATTERN:
        items = list(items[0][1][3])
    alternatives = list(items[0][1][1]) if len(items) == 1 and items[0][0] == C.BRANCH else [items]
    return any(alt and all(_kind(i) != "fixed" for i in alt) for alt in alternatives)


def _nested_repeat(seq) -> bool:
    todo = [seq]
    while todo:
        s = todo.pop()
        for item in s:
            op, av = item
            if op in _REPEATS and av[1] == C.MAXREPEAT and _ambiguous(av[2]):
                return True
            todo.extend(_children(item))
    return False


def _parse(pattern: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning about possible set syntax like [[: not the user's concern
        return _parser.parse(pattern)


@lru_cache(maxsize=512)
def compile_pattern(pattern: str):
    """The compiled pattern; :class:`ExpressionError` for a pattern too big or not valid."""
    if len(pattern) > MAX_PATTERN:
        raise _error("regex.too_long", pattern, length=len(pattern), limit=MAX_PATTERN)
    try:
        tree = _parse(pattern)
    except re.error as err:
        at = f"第 {err.pos + 1} 个字符处：" if err.pos is not None else ""
        msg = next((zh for en, zh in _MESSAGES.items() if err.msg.startswith(en)), err.msg)
        raise _error("regex.syntax", pattern, detail=f"{at}{msg}") from None
    except (RecursionError, OverflowError, ValueError) as err:
        raise _error("regex.unparseable", pattern, reason=type(err).__name__) from None
    if _depth(tree) > MAX_NESTING:
        raise _error("regex.nesting", pattern, limit=MAX_NESTING)
    if _size(tree) > MAX_EXPANDED:
        raise _error("regex.too_big", pattern, limit=MAX_EXPANDED)
    try:
        return regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError, ValueError, MemoryError) as err:
        raise _error("regex.syntax", pattern, detail=str(err)) from None


def search(pattern: str, text: str) -> bool:
    """True if ``pattern`` matches somewhere in ``text``, within ``MATCH_TIMEOUT`` seconds."""
    compiled = compile_pattern(pattern)
    try:
        return compiled.search(text, timeout=MATCH_TIMEOUT) is not None
    except TimeoutError:
        raise _error("regex.timeout", pattern, seconds=MATCH_TIMEOUT, length=len(text)) from None


def _probes(pattern: str) -> list[str]:
    chars = sorted({c for c in pattern if c.isprintable()} | set("a0 _中"))
    return [c * PROBE_LENGTH + end for c in chars for end in ("\x00", "")]


@lru_cache(maxsize=512)
def check_pattern(pattern: str) -> ExpressionError | None:
    """The problem with ``pattern`` for a form check (invalid, too big, catastrophic backtracking), or None."""
    try:
        compiled = compile_pattern(pattern)
    except ExpressionError as err:
        return err
    if _nested_repeat(_parse(pattern)):
        return _error("regex.nested_repeat", pattern)
    for probe in _probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            shown = probe[0] * 3 + "…"
            return _error("regex.backtracking", pattern, example=shown)
    return None
