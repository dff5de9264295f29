"""Numbers typed by people, read strictly.

Python's ``int()`` and ``float()`` accept more than a person means by a number: ``int("1_0") == 10``
(digit grouping for source code), ``float("nan")``, ``float("infinity")``, ``float("1e400")`` (inf).
An answer "1_0" is a typo, not ten. These helpers take a plain decimal number only — a sign, digits,
one decimal point, an exponent — after full-width digits and signs are folded (NFKC, so "１０" is 10),
and return ``None`` for anything else; callers say what is wrong in their own words.
"""

from __future__ import annotations

import math
import re
import unicodedata

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def to_float(value) -> float | None:
    """``value`` (a number or its text) as a finite float, or None if it is no plain decimal number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def to_int(value) -> int | None:
    """``value`` as an int when it is a whole plain decimal number ("3", "3.0", 3.0), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[+-]?\d+", text, re.ASCII):
            return int(text)  # exact, also beyond float precision
    number = to_float(value)
    return int(number) if number is not None and number.is_integer() else None
