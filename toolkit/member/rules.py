"""Scoring rules (计分规则): a YAML file saying how many points each kind of duty earns.

    name: 委员履职计分办法
    cap_period: year               # caps count per year, quarter or month
    kinds:
      走访: {points: 2, cap: 24}    # 2 points each, at most 24 a year
      协商会: 3                      # 3 points each, no cap
      被采用: {points: 3, multiplier: 2}   # a 社情民意信息 adopted counts double

The bundled example is ``toolkit/member/rules_example.yaml``. A file is checked whole: every problem is
reported at once, with its place, in Chinese. The file's text and SHA-256 travel with the results, so a
result can be reproduced with the file it was computed under.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from toolkit.member.errors import MemberError

EXAMPLE = Path(__file__).with_name("rules_example.yaml")
PERIODS = {"year": "年", "quarter": "季度", "month": "月"}
TOP_KEYS = ("name", "cap_period", "kinds")
KIND_KEYS = ("points", "cap", "multiplier")
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class KindRule:
    points: float
    cap: float | None = None  # most points per member and period
    multiplier: float = 1.0


@dataclass(frozen=True)
class Rules:
    """The rules of one file: its name, the cap period, each kind's rule; the file's text and SHA-256."""

    name: str
    cap_period: str
    kinds: dict[str, KindRule]
    text: str
    sha256: str
    path: str


def _number(value) -> float | None:
    """A finite number of the file (YAML's .inf and .nan are none: no cap nor score can be computed with them)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def load_rules(path=None) -> Rules:
    """The rules in the YAML file at ``path`` (default: the bundled example), checked."""
    import yaml

    from toolkit.filesafety import read_input
    from toolkit.tables import decode_text

    path = Path(path) if path is not None else EXAMPLE
    if not path.is_file():
        raise MemberError("file.not_found", path=path)
    text = decode_text(read_input(path, limit=MAX_BYTES))[0]
    try:
        # an alias (*名字) can make a small file stand for a huge structure: rules never need one
        alias = next((e for e in yaml.parse(text) if isinstance(e, yaml.AliasEvent)), None)
        if alias is not None:
            reason = f"第 {alias.start_mark.line + 1} 行：计分规则不能使用锚点和别名（&名字、*名字），请直接写出内容"
            raise MemberError("member.rules_unreadable", path=path, reason=reason)
        twice = _repeated_key(yaml.compose(text))
        if twice is not None:  # YAML would keep the last silently: one kind scored by the rule staff did not see
            key, line, first = twice
            reason = f"第 {line} 行：{key!r} 与第 {first} 行重复，只能写一次"
            raise MemberError("member.rules_unreadable", path=path, reason=reason)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        reason = f"第 {mark.line + 1} 行：{getattr(err, 'problem', '')}" if mark else str(err).splitlines()[0]
        raise MemberError("member.rules_unreadable", path=path, reason=reason) from None
    problems: list[MemberError] = []

    def problem(code: str, place: str, **facts) -> None:
        problems.append(MemberError(code, place=f"{path} {place}".strip(), **facts))

    kinds: dict[str, KindRule] = {}
    period, name = "year", path.stem
    if not isinstance(data, dict):
        problem("member.rules_shape", "", shape=type(data).__name__)
    else:
        for key in data:
            if key not in TOP_KEYS:
                problem("member.rules_key_unknown", "", key=key, known="、".join(TOP_KEYS))
        name = str(data.get("name") or name)
        period = data.get("cap_period", "year")
        if not isinstance(period, str) or period not in PERIODS:
            problem("member.rules_period", "cap_period", value=period)
        entries = data.get("kinds")
        if entries is not None and not isinstance(entries, dict):
            problem("member.rules_shape", "kinds", shape=type(entries).__name__)
        elif not entries:
            problem("member.rules_no_kinds", "kinds")
        else:
            for kind, entry in entries.items():
                rule = _kind_rule(entry, f"kinds › {kind}", problem)
                if rule is not None:
                    kinds[str(kind)] = rule
    if problems:
        details = "".join(f"\n{p.message}" for p in problems)
        raise MemberError("member.rules_has_errors", path=path, count=len(problems), details=details, problems=problems)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Rules(name=name, cap_period=period, kinds=kinds, text=text, sha256=sha, path=str(path))


def _repeated_key(node) -> tuple[str, int, int] | None:
    """The first key a mapping of ``node`` (a composed YAML node) gives twice: (key, line, first line)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                return key.value, line, seen[key.value]
            seen.setdefault(str(getattr(key, "value", "")), line)
            found = _repeated_key(value)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _repeated_key(item)
            if found is not None:
                return found
    return None


def _kind_rule(entry, place: str, problem) -> KindRule | None:
    if not isinstance(entry, dict):
        entry = {"points": entry}
    ok = True
    for key in entry:
        if key not in KIND_KEYS:
            problem("member.rules_key_unknown", place, key=key, known="、".join(KIND_KEYS))
            ok = False
    points = _number(entry.get("points"))
    if points is None or points < 0:
        problem("member.rules_points", f"{place} › points", value=entry.get("points"))
        ok = False
    cap = entry.get("cap")
    if cap is not None and ((_number(cap) or 0) <= 0):
        problem("member.rules_cap", f"{place} › cap", value=cap)
        ok = False
    multiplier = entry.get("multiplier", 1)
    if (_number(multiplier) or 0) <= 0:
        problem("member.rules_multiplier", f"{place} › multiplier", value=multiplier)
        ok = False
    if not ok:
        return None
    return KindRule(points=points, cap=_number(cap), multiplier=float(multiplier))
