"""What the guards on ``regex()`` constraints cost: the check-time verdict per pattern, and matching at run time.

Prints, per pattern, the verdict of ``check_pattern`` (what ``form check`` reports) and how long it took
(a refused catastrophic pattern costs one probe timeout), then the time to match a phone-number
pattern on 100,000 distinct answers: stdlib ``re`` (what the evaluator used before), the ``regex``
engine without and with the timeout, and the whole evaluator (parse tree, compile cache, timeout).
Run: .venv/bin/python benchmarks/forms_regex.py
"""

from __future__ import annotations

import random
import re
import time

from toolkit.forms import parse
from toolkit.forms.regexes import check_pattern, compile_pattern

PATTERNS = {
    "mobile": r"^1[3-9][0-9]{9}$",
    "ID card": r"^\d{17}[\dXx]$",
    "email": r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$",
    "Chinese name": r"^[\u4e00-\u9fa5]{2,4}$",
    "nested (a+)+": r"^(a+)+$",
    "overlap (a|aa)+": r"^(a|aa)+$",
    "unclosed": r"(unclosed",
    "repeat bomb": r"((a{999}){999}){999}",
}
N = 100_000


def main() -> None:
    print(f"{'pattern':18s} {'check ms':>9s}  verdict")
    for name, pattern in PATTERNS.items():
        check_pattern.cache_clear()
        compile_pattern.cache_clear()
        start = time.perf_counter()
        bad = check_pattern(pattern)
        took = (time.perf_counter() - start) * 1000
        print(f"{name:18s} {took:9.1f}  {'refused: ' + bad.what[:60] if bad else 'ok'}")

    rng = random.Random(0)
    values = [f"1{rng.randrange(10**10):010d}" for _ in range(N)]
    plain, guarded = re.compile(PATTERNS["mobile"]), compile_pattern(PATTERNS["mobile"])
    expr = parse(f"regex(., '{PATTERNS['mobile']}')")
    print(f"\n{N:,} distinct answers, mobile pattern (seconds):")
    for name, run in [
        ("stdlib re, compiled", lambda v: plain.search(v) is not None),
        ("regex, no timeout", lambda v: guarded.search(v) is not None),
        ("regex, timeout=1 s", lambda v: guarded.search(v, timeout=1.0) is not None),
        ("evaluator regex(., …)", lambda v: expr.test({}, v)),
    ]:
        start = time.perf_counter()
        matched = sum(map(run, values))
        print(f"  {name:24s} {time.perf_counter() - start:6.2f}  ({matched:,} matched)")


if __name__ == "__main__":
    main()
