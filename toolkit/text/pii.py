"""Mask personal data in citizen free text before anything is shown or exported.

Masks 18-digit ID numbers (only when the check digit is valid, so order numbers survive),
mobile and landline numbers, e-mail addresses and licence plates, and counts what it masked.

>>> from collections import Counter
>>> seen = Counter()
>>> mask_pii("电话13812345678，车牌湘A12345，邮箱a.b@x.cn", counts=seen)
'电话[手机号]，车牌[车牌]，邮箱[邮箱]'
>>> dict(seen)
{'email': 1, 'mobile': 1, 'plate': 1}
"""

from __future__ import annotations

import re
from collections import Counter

MASKS = {
    "id_number": "[身份证号]",
    "email": "[邮箱]",
    "mobile": "[手机号]",
    "landline": "[电话]",
    "plate": "[车牌]",
}

_ID_RE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
# Area code 0xx / 0xxx, optional brackets or dash, then a 7–8 digit number; optional extension.
_LANDLINE_RE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}[- ]?)[2-9]\d{6,7}(?:[-转]\d{1,5})?(?!\d)")
_PLATE_RE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Z][·•]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳](?![A-Za-z0-9])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(number: str) -> bool:
    """True when an 18-character resident ID number has a correct GB 11643 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def mask_pii(text: str, counts: Counter | None = None) -> str:
    """Return ``text`` with personal data replaced by placeholders like ``[手机号]``.

    ``counts`` (a ``Counter``), when given, is incremented per kind masked
    (``id_number``, ``email``, ``mobile``, ``landline``, ``plate``).
    """
    if not text:
        return text

    def replace(kind, check=None):
        def _sub(match):
            if check is not None and not check(match.group(0)):
                return match.group(0)
            if counts is not None:
                counts[kind] += 1
            return MASKS[kind]

        return _sub

    # ID numbers first: their digits would otherwise be read as phone numbers.
    text = _ID_RE.sub(replace("id_number", valid_id_number), text)
    text = _EMAIL_RE.sub(replace("email"), text)
    text = _MOBILE_RE.sub(replace("mobile"), text)
    text = _LANDLINE_RE.sub(replace("landline"), text)
    text = _PLATE_RE.sub(replace("plate"), text)
    return text


def mask_pii_many(texts) -> tuple[list[str], Counter]:
    """Mask a sequence of texts; return the masked texts and the total counts per kind."""
    counts: Counter = Counter()
    return [mask_pii(t, counts) for t in texts], counts
