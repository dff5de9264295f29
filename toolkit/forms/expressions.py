"""Safe expressions for ``relevant`` (skip logic) and ``constraint``.

The syntax is XLSForm's, so forms translate to ODK without rewriting::

    ${q3} == 'yes'                      # '=' works too
    selected(${q5}, 'parking') and not(selected(${q5}, 'none'))
    . >= 18 and . <= 120                # '.' is the answer being checked
    count-selected(.) <= 3
    string-length(.) >= 5 or regex(., '^1[3-9][0-9]{9}$')

A small recursive-descent parser builds a tree; evaluation walks it. Nothing is ever
passed to ``eval``. Missing answers are ``None`` and compare like the empty string.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.forms import regexes
from toolkit.forms.errors import ExpressionError
from toolkit.numbers import to_float

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w./-]*)\s*\})
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*"|‘[^’]*’|“[^”]*”)
  | (?P<op>==|!=|<=|>=|=|<|>|\+|-|\*|/|\(|\)|,)
  | (?P<dot>\.(?![\w]))
  | (?P<name>[A-Za-z_][\w-]*)
    """,
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "div", "mod"}

# Bounds that keep parsing and evaluation finite and recursion shallow (a form is written by people:
# real expressions are a line or two, nest a few levels and quote short texts).
MAX_LENGTH = 4000  # characters of one expression
MAX_LITERAL = 1000  # characters of one number or quoted text
MAX_NESTING = 50  # brackets, function calls and signs inside one another
MAX_DEPTH = 200  # levels of the parsed tree, e.g. a chain of 200 "and"
_BIG = 2**3000  # arithmetic beyond this (~900 digits) is infinite: exact giants only slow things down


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Any
    right: Any


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return str(value).split()  # XLSForm stores select_multiple as space-separated names


def _selected(value, choice) -> bool:
    return str(choice) in {str(v) for v in _as_list(value)}


def _string_length(value) -> int:
    return 0 if value is None else len(str(value))


def _regex(value, pattern) -> bool:
    regexes.compile_pattern(str(pattern))  # a bad pattern is an error even while the answer is still empty
    return value is not None and regexes.search(str(pattern), str(value))


def _number(value):
    num = _to_number(value)
    return float("nan") if num is None else num


def _int(num):
    """int() of a number: whole numbers as they are (a 300-digit one overflows a float), finite floats cut,
    nan and infinities kept."""
    if isinstance(num, int):
        return num
    return int(num) if math.isfinite(num) else num


FUNCTIONS: dict[str, tuple[int, Callable]] = {
    # name: (number of arguments, implementation)
    "selected": (2, _selected),
    "count-selected": (1, lambda v: len(_as_list(v))),
    "string-length": (1, _string_length),
    "regex": (2, _regex),
    "not": (1, lambda v: not _truthy(v)),
    "today": (0, lambda: _dt.date.today().isoformat()),
    "number": (1, _number),
    "int": (1, lambda v: _int(_number(v))),
    "true": (0, lambda: True),
    "false": (0, lambda: False),
}
# Python-friendly spellings of the XLSForm names
_ALIASES = {"count_selected": "count-selected", "string_length": "string-length", "len": "string-length"}


def _to_number(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        num = to_float(value)  # strict: float("1_0") == 10, float("nan") is no answer
        if num is None or "." in value or not num.is_integer():
            return num
        return int(num)
    return None


def _truthy(value) -> bool:
    if isinstance(value, (list, tuple, set)):
        return len(value) > 0
    if value is None:
        return False
    if isinstance(value, float) and value != value:
        return False
    return bool(value)


def _compare(op: str, left, right) -> bool:
    ln, rn = _to_number(left), _to_number(right)
    if ln is not None and rn is not None:
        a, b = ln, rn
    else:
        if op not in ("==", "!=") and (left in (None, "") or right in (None, "")):
            return False  # an empty answer is neither larger nor smaller than anything
        a = "" if left is None else (" ".join(map(str, left)) if isinstance(left, list) else str(left))
        b = "" if right is None else (" ".join(map(str, right)) if isinstance(right, list) else str(right))
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def _float(x) -> float:
    if isinstance(x, int) and abs(x) >= 2**1023:
        return math.inf if x > 0 else -math.inf  # float(huge int) raises OverflowError
    return float(x)


def _arith(op: str, left, right):
    a, b = _to_number(left), _to_number(right)
    if a is None or b is None:
        return float("nan")
    if op in ("/", "div") or isinstance(a, float) or isinstance(b, float):
        a, b = _float(a), _float(b)
    if op in ("/", "div"):
        return float("nan") if b == 0 else a / b
    if op == "mod":
        return float("nan") if b == 0 or math.isinf(a) else a % b
    result = {"+": a + b, "-": a - b, "*": a * b}[op]
    if isinstance(result, int) and abs(result) > _BIG:
        return math.inf if result > 0 else -math.inf  # keeps a chain of products from growing without end
    return result


class Expression:
    """A parsed expression.

    >>> e = Expression("selected(${q5}, 'parking') and ${age} >= 60")
    >>> sorted(e.references)
    ['age', 'q5']
    >>> e.evaluate({"q5": ["parking"], "age": 70})
    True
    """

    def __init__(self, text: str):
        self.text = text = str(text)
        if len(text) > MAX_LENGTH:
            self._fail("expr.too_long", MAX_LENGTH, limit=MAX_LENGTH, length=len(text))
        self._tokens = self._tokenize(text)
        self._pos, self._nesting = 0, 0
        self.tree = self._parse_or()
        if self._peek() is not None:
            kind, value, pos = self._peek()
            self._fail("expr.extra", pos, token=value)
        del self._tokens
        if _depth(self.tree) > MAX_DEPTH:
            self._fail("expr.too_deep", 0, limit=MAX_DEPTH)

    # ---- parsing -------------------------------------------------------
    def _fail(self, code: str, pos: int, **context):
        shown = self.text if len(self.text) <= 80 else self.text[:80] + "…"
        raise ExpressionError(code, expression=shown, at=pos + 1, **context)

    def _tokenize(self, text: str) -> list:
        tokens, pos = [], 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                self._fail("expr.bad_char", pos, char=text[pos])
            kind = m.lastgroup if m.lastgroup != "refname" else "ref"
            if kind == "ref":
                tokens.append(("ref", m.group("refname"), pos))
            elif kind != "ws":
                tokens.append((kind, m.group(kind), pos))
            pos = m.end()
        return tokens

    def _peek(self):
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _take(self, value: str | None = None):
        tok = self._peek()
        if tok is None:
            self._fail("expr.incomplete", len(self.text))
        if value is not None and tok[1] != value:
            self._fail("expr.expected", tok[2], expected=value, found=tok[1])
        self._pos += 1
        return tok

    def _at(self, *values) -> bool:
        tok = self._peek()
        return tok is not None and tok[0] in ("op", "name") and tok[1] in values

    def _parse_or(self):
        node = self._parse_and()
        while self._at("or"):
            self._take()
            node = BinOp("or", node, self._parse_and())
        return node

    def _parse_and(self):
        node = self._parse_cmp()
        while self._at("and"):
            self._take()
            node = BinOp("and", node, self._parse_cmp())
        return node

    def _parse_cmp(self):
        node = self._parse_add()
        if self._at("==", "=", "!=", "<", "<=", ">", ">="):
            op = self._take()[1]
            node = BinOp("==" if op == "=" else op, node, self._parse_add())
        return node

    def _parse_add(self):
        node = self._parse_mul()
        while self._at("+", "-"):
            node = BinOp(self._take()[1], node, self._parse_mul())
        return node

    def _parse_mul(self):
        node = self._parse_unary()
        while self._at("*", "/", "div", "mod"):
            node = BinOp(self._take()[1], node, self._parse_unary())
        return node

    def _parse_unary(self):
        if self._at("-"):
            pos = self._take()[2]
            self._enter(pos)
            node = BinOp("-", Literal(0), self._parse_unary())
            self._nesting -= 1
            return node
        return self._parse_primary()

    def _enter(self, pos: int) -> None:
        """One level deeper (bracket, call, sign): bounded, so the parser's recursion stays shallow."""
        self._nesting += 1
        if self._nesting > MAX_NESTING:
            self._fail("expr.nesting", pos, limit=MAX_NESTING)

    def _parse_primary(self):
        kind, value, pos = self._take()
        if kind in ("number", "string") and len(value) > MAX_LITERAL + 2:
            what = "数字" if kind == "number" else "文字"
            self._fail("expr.literal_too_long", pos, what=what, limit=MAX_LITERAL, length=len(value))
        if kind == "number":
            return Literal(float(value) if "." in value else int(value))
        if kind == "string":
            return Literal(value[1:-1])
        if kind == "ref":
            return Ref(value)
        if kind == "dot":
            return Current()
        if kind == "op" and value == "(":
            self._enter(pos)
            node = self._parse_or()
            self._take(")")
            self._nesting -= 1
            return node
        if kind == "name" and value not in _KEYWORDS:
            name = _ALIASES.get(value, value)
            if name not in FUNCTIONS:
                known = "、".join(sorted(FUNCTIONS))
                self._fail("expr.unknown_function", pos, name=value, known=known)
            self._enter(pos)
            self._take("(")
            args = []
            if not self._at(")"):
                args.append(self._parse_or())
                while self._at(","):
                    self._take()
                    args.append(self._parse_or())
            self._take(")")
            self._nesting -= 1
            arity = FUNCTIONS[name][0]
            if len(args) != arity:
                self._fail("expr.arity", pos, name=name, arity=arity, count=len(args))
            return Call(name, tuple(args))
        self._fail("expr.unexpected", pos, token=value)

    # ---- inspection ----------------------------------------------------
    def _walk(self, node=None):
        node = self.tree if node is None else node
        yield node
        if isinstance(node, BinOp):
            yield from self._walk(node.left)
            yield from self._walk(node.right)
        elif isinstance(node, Call):
            for arg in node.args:
                yield from self._walk(arg)

    @property
    def references(self) -> set[str]:
        """Question ids referenced as ``${id}``."""
        return {n.name for n in self._walk() if isinstance(n, Ref)}

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, Current) for n in self._walk())

    def selected_choices(self) -> list[tuple[str, str]]:
        """(question id, choice id) pairs used in ``selected(${q}, 'c')`` calls, for checking choice ids."""
        pairs = []
        for n in self._walk():
            if isinstance(n, Call) and n.name == "selected":
                target, choice = n.args
                if isinstance(target, Ref) and isinstance(choice, Literal):
                    pairs.append((target.name, str(choice.value)))
        return pairs

    def regex_patterns(self) -> list[str]:
        """Patterns written as text in ``regex(…, 'pattern')`` calls, for checking them with the form."""
        return [
            str(n.args[1].value)
            for n in self._walk()
            if isinstance(n, Call) and n.name == "regex" and isinstance(n.args[1], Literal)
        ]

    def compared_values(self) -> list[tuple[str, str]]:
        """(question id, literal) pairs from ``${q} == 'x'`` comparisons, for checking choice ids."""
        pairs = []
        for n in self._walk():
            if isinstance(n, BinOp) and n.op in ("==", "!="):
                for a, b in ((n.left, n.right), (n.right, n.left)):
                    if isinstance(a, Ref) and isinstance(b, Literal):
                        pairs.append((a.name, str(b.value)))
        return pairs

    # ---- evaluation ----------------------------------------------------
    def evaluate(self, answers: Mapping[str, Any], current: Any = None) -> Any:
        """Evaluate against ``answers`` (question id -> value); ``current`` is the value of ``.``."""
        return self._eval(self.tree, answers, current)

    def test(self, answers: Mapping[str, Any], current: Any = None) -> bool:
        return _truthy(self.evaluate(answers, current))

    def _eval(self, node, answers, current):
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return answers.get(node.name)
        if isinstance(node, Current):
            return current
        if isinstance(node, Call):
            return FUNCTIONS[node.name][1](*(self._eval(a, answers, current) for a in node.args))
        if node.op == "and":
            return _truthy(self._eval(node.left, answers, current)) and _truthy(
                self._eval(node.right, answers, current)
            )
        if node.op == "or":
            return _truthy(self._eval(node.left, answers, current)) or _truthy(self._eval(node.right, answers, current))
        left, right = self._eval(node.left, answers, current), self._eval(node.right, answers, current)
        if node.op in ("==", "!=", "<", "<=", ">", ">="):
            return _compare(node.op, left, right)
        return _arith(node.op, left, right)

    # ---- translation ---------------------------------------------------
    def to_xpath(self) -> str:
        """Render in XLSForm/XPath syntax (``=`` for equality, ``div`` for division)."""
        return _xpath(self.tree, top=True)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _depth(tree) -> int:
    """Levels of a parsed tree, counted without recursion."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, d = todo.pop()
        deepest = max(deepest, d)
        if isinstance(node, BinOp):
            todo += [(node.left, d + 1), (node.right, d + 1)]
        elif isinstance(node, Call):
            todo += [(a, d + 1) for a in node.args]
    return deepest


def _xpath(node, top: bool = False) -> str:
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            # XPath literals have no escapes: a text holding ' is quoted with " (a literal never holds both)
            quote = '"' if "'" in node.value else "'"
            return quote + node.value + quote
        return str(node.value)
    if isinstance(node, Ref):
        return "${" + node.name + "}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(_xpath(a, top=True) for a in node.args) + ")"
    op = {"==": "=", "/": "div"}.get(node.op, node.op)
    if node.op == "-" and node.left == Literal(0):
        text = f"-{_xpath(node.right)}"
    else:
        text = f"{_xpath(node.left)} {op} {_xpath(node.right)}"
    return text if top else f"({text})"


def parse(text: str) -> Expression:
    """Parse ``text``; raises ``ExpressionError`` with position and fix."""
    return Expression(text)
