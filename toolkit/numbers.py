"""Numbers typed by people, read strictly.

Python's ``int()`` and ``float()`` accept more than a person means by a number: ``int("1_0") == 10``
(digit grouping for source code), ``float("nan")``, ``float("infinity")``, ``float("1e400")`` (inf).
An answer "1_0" is a typo, not ten. These helpers take a plain decimal number only — a sign, digits,
one decimal point, an exponent — after full-width digits and signs are folded (NFKC, so "１０" is 10),
and return ``None`` for anything else; callers say what is wrong in their own words. ``to_date`` reads a
date the same way (2026-05-08, 2026/5/8, 20260508, 2026年5月8日).
"""

from __future__ import annotations

import datetime as dt
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


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})", re.ASCII)


def to_date(value) -> dt.date | None:
    """A date as people write it (2026-05-08, 2026/5/8, 2026.5.8, 20260508, 2026年5月8日; full-width digits
    folded), or a ``date``/``datetime``, as a ``datetime.date``; None for anything else or a day that does
    not exist."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.fullmatch(unicodedata.normalize("NFKC", str(value or "")).strip())
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups() if g is not None)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
