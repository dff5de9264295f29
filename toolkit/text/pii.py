"""Mask personal data in citizen free text before anything is shown or exported.

Works on raw text as people type it: full-width digits and letters (``１３８``, ``ａ``, ``＠``), digit
groups split by spaces, dashes, dots or ``—`` (``139 - 1234 - 5610``), ``+86`` / ``0086`` prefixes.
A full-width match is replaced as a whole and the text around it is left as it was.

Kinds (``MASKS``): 18-digit resident ID numbers (a birth date, and a valid check digit or province code) and
old 15-digit ones (province and birth date valid); bank cards (16–19 digits, Luhn valid); mobiles; landlines
with area code; 8-digit local numbers; 7-digit local numbers only right after a word like 电话/拨打; e-mail;
licence plates (incl. 6-character new-energy plates, lowercase or full-width letters).

What survives on purpose, so dates, amounts and reference numbers stay readable: numbers shorter than 7
digits (留言编号, years, counts); an 8-digit number that reads as a date (``20190512``) or a year range
(``2009-2015``), or written 4-4 with a year first (``2014-0036``) or as a round range (``5000-6000``); a
number followed by a unit (元, 万, %, 号 …) or a decimal part, or after ¥ or 第, or glued to Latin letters
(``E8024459``); 18 digits with no birth date in place, or with neither a valid check digit nor a province
code; 16–19 digits failing Luhn, and dotted ones unless a word like 卡号 comes before. A phone word just
before (电话, 座机, 拨打 …) overrides the date and range rules.
The cost: a local number that also reads as a date, written without a phone word (about 0.5% of them),
is kept. Not covered: digits written as Chinese numerals, one digit per group (``1 3 8 …``), QQ numbers.
``benchmarks/pii.py`` measures recall on planted variants and what gets masked on real letters.

Matching runs on a same-length folded copy (full-width → ASCII), so match positions are positions in
the original. Patterns have bounded repeats and digit runs are cut into groups once, so time is linear
in the length of the text.

>>> from collections import Counter
>>> seen = Counter()
>>> mask_pii("电话13812345678，车牌湘A12345，邮箱a.b@x.cn", counts=seen)
'电话[手机号]，车牌[车牌]，邮箱[邮箱]'
>>> dict(seen)
{'mobile': 1, 'plate': 1, 'email': 1}
>>> mask_pii("座机０７５５ ８７６５ ４３２４，订单2019-05-12，金额12345678元")
'座机[电话]，订单2019-05-12，金额12345678元'
"""

from __future__ import annotations

import re
from collections import Counter

MASKS = {
    "id_number": "[身份证号]",
    "bank_card": "[银行卡号]",
    "email": "[邮箱]",
    "mobile": "[手机号]",
    "landline": "[电话]",
    "plate": "[车牌]",
}

# Full-width ASCII (！..～) → ASCII, ideographic and no-break space → space: one char for one char.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xA0: 0x20}
_SEP = r"[ \t\-.·•・—–‐‑()]"  # between digit groups; full-width －．（） are ASCII once folded
_HIDDEN = "\ue000"  # stands in for an already claimed span in the folded copy; matches nothing

# Starts only where a local part starts, so a long run without "@" is scanned once, not once per letter.
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
    r"(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z])"
)
_PROVINCES = (
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
    "粵滬遼魯蘇贛陝閩雲寧瓊貴晉"
)  # traditional forms: text is not converted first
_PLATE_RE = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Za-hj-np-z][ ·•・.\-]{{0,2}}[A-HJ-NP-Za-hj-np-z0-9]{{4,5}}"
    r"[A-HJ-NP-Za-hj-np-z0-9挂学警港澳](?![A-Za-z0-9])"
)
# A run of digit groups joined by 1–3 separator characters; an ID's final X may trail it.
_RUN_RE = re.compile(rf"(?<![0-9])\+?[0-9]+(?:{_SEP}{{1,3}}[0-9]+)*(?:{_SEP}{{0,3}}[Xx](?![A-Za-z]))?")
_GROUP_RE = re.compile(r"[0-9]+|[Xx]")
_DIGITS_RE = re.compile(r"[0-9]+")
_SHORT_BEFORE = re.compile(rf"(?<![0-9])[0-9]{{1,2}}{_SEP}{{1,3}}$")  # a 1–2 digit group just before

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(?:10|2\d|[3-9]\d\d)[2-9]\d{6,7}")  # area code (010, 02x, 0xxx) + 7–8 digits
_EXTENSION = re.compile(r"(?:-|转|分机)[0-9]{1,5}(?![0-9])")
# A phone word just before a local number (needed for 7 digits; lets 8 that look like a date through);
# no digits or brackets in between: a placeholder "[电话]" must not count, so masking twice changes nothing.
_PHONE_WORD = re.compile(
    r"(?:(?<!\[)电话|座机|固话|致电|拨打|拨|打|热线|号码|[Tt][Ee][Ll])"
    r"[^0-9\[\]]{0,4}$"
)
_LIST_SEP = re.compile(r" ?[/、,，;；或和及] ?")
_CARD_WORD = re.compile(r"(?:卡|账号|帐号|账户|帐户)[^0-9\[\]]{0,4}$")  # a dotted card needs one
_UNIT_AFTER = re.compile(
    r" ?(?:[元万亿千百块角毛%‰个人户次米平吨斤亩件台辆年月日天号栋楼室层倍]"
    r"|\.[0-9])"
)
_ID_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)  # first two digits of an ID: the province
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LENGTHS = frozenset((7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19))  # digits (or an ID's X) we mask
_MAX_DIGITS = 19  # longest thing we mask: a bank card (an ID is 18, 0086 + a landline 16)


def valid_id_number(number: str) -> bool:
    """True when an 18-character resident ID number has a correct GB 11643 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def _month_day(mmdd: str) -> bool:
    return 1 <= int(mmdd[:2]) <= 12 and 1 <= int(mmdd[2:]) <= 31


def _year(yyyy: str) -> bool:
    return yyyy[:2] in ("19", "20")


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _local_number(d: str, folded: str, start: int, end: int, listed: bool) -> bool:
    """True when the 7–8 digits ``d`` at ``folded[start:end]``, without area code, read as a phone number.

    ``listed``: it follows a phone number in a list (``8127190/8127192``), which counts as a phone word.
    """
    raw, before, after = folded[start:end], folded[max(0, start - 10) : start], folded[end : end + 3]
    if d[0] in "01" or "." in raw:
        return False  # local numbers start with 2–9; a dot means a decimal
    sizes = tuple(len(g) for g in _DIGITS_RE.findall(raw))
    if sizes not in ((8,), (4, 4), (7,), (3, 4)):
        return False
    if (before[-1:].isascii() and before[-1:].isalpha()) or (after[:1].isascii() and after[:1].isalpha()):
        return False  # part of a code like E8024459 or qq30748522
    if before[-1:] in ("¥", "￥", "$", "第") or _UNIT_AFTER.match(after) or _SHORT_BEFORE.search(before):
        return False  # an amount, a quantity, an ordinal, or the tail of 978-7-80552-263
    if listed or _PHONE_WORD.search(before):
        return True  # 电话：2312528, 座机2035-1056
    if len(d) == 7:
        return False
    if _year(d) and (_month_day(d[4:]) or _year(d[4:])):
        return False  # a date (20190512) or a year range (2009-2015)
    # a file number (2014-0036, (2011)1778) or a range (5000-6000) is no phone number
    return not (len(sizes) == 2 and (_year(d) or d[2:4] == d[6:8] == "00"))


def _kind(d: str, folded: str, start: int, end: int, plus: bool, listed: bool) -> str | None:
    """The kind of personal number the digit string ``d``, written at ``folded[start:end]``, is, or None."""
    n = len(d)
    # A birth date plus either the check digit or a real province code: an ID with a mistyped check digit
    # is still someone's ID, and one with a made-up region (sample data uses 99) is masked too.
    if (
        n == 18
        and d[6:8] in ("18", "19", "20")
        and _month_day(d[10:14])
        and (valid_id_number(d) or d[:2] in _ID_PROVINCES)
    ):
        return "id_number"
    if d[-1] == "X":
        d, n = d[:-1], n - 1  # not an ID: read the digits (the stray X goes with them)
    if n == 15 and d[:2] in _ID_PROVINCES and _month_day(d[8:12]):
        return "id_number"
    if (
        16 <= n <= 19
        and d[0] in "34569"
        and _luhn(d)
        and ("." not in folded[start:end] or _CARD_WORD.search(folded[max(0, start - 10) : start]))
    ):
        return "bank_card"  # UnionPay 62, Visa 4, Mastercard 5, JCB/Amex 3, old domestic 9
    # Country code: +86 / 0086 before a mobile or a landline (area code written with or without its 0).
    rest = d[4:] if d.startswith("0086") else d[2:] if d.startswith("86") and (plus or n == 13) else None
    if rest:
        if _MOBILE.fullmatch(rest):
            return "mobile"
        if (plus or d.startswith("0086")) and _LANDLINE.fullmatch(rest if rest[0] == "0" else "0" + rest):
            return "landline"
    if n == 11 and _MOBILE.fullmatch(d):
        return "mobile"
    if 10 <= n <= 12 and _LANDLINE.fullmatch(d):
        return "landline"
    if n in (7, 8) and _local_number(d, folded, start, end, listed):
        return "landline"
    return None


def _number_spans(folded: str):
    """(start, end, kind) of personal numbers in ``folded`` (claimed spans already hidden)."""
    phone_end = -1  # end of the last phone number found, for lists like 8127190/8127192
    for run in _RUN_RE.finditer(folded):
        plus = run.group(0).startswith("+")
        groups = []
        for m in _GROUP_RE.finditer(run.group(0), 1 if plus else 0):
            g, start, end = m.group(0), m.start() + run.start(), m.end() + run.start()
            if g in "Xx":  # an ID's check digit belongs to the group before it: "002 X"
                start, _, digits = groups.pop()
                g = digits + "X"
            groups.append((start, end, g))
        texts = [g for _, _, g in groups]
        sizes = [len(g) for g in texts]
        i = 0
        while i < len(groups):
            start, _, first = groups[i]
            is_prefix = i == 0 and (first == "0086" or plus and first == "86")
            if len(first) < 3 and not is_prefix:
                i += 1
                continue
            # Windows of whole groups starting at i; a short group (< 3 characters) may only end one
            # that is long enough for an ID or a card, so "2019-05-12" or "82 79 82 72" never form a number.
            ends, total = [], 0
            for j in range(i, len(groups)):
                size = sizes[j]
                total += size
                if total > _MAX_DIGITS:
                    break
                short = size < 3 and not (is_prefix and j <= i + 1)  # +86 20 xxxx: area code 2 digits
                if short and total < 15:
                    break
                if total in _LENGTHS:
                    ends.append(j)
                if short:
                    break
            found = None
            for j in reversed(ends):  # the longest reading wins
                kind = _kind(
                    "".join(texts[i : j + 1]),
                    folded,
                    start,
                    groups[j][1],
                    plus and i == 0,
                    phone_end >= 0 and _LIST_SEP.fullmatch(folded, phone_end, start) is not None,
                )
                if kind:
                    found = (j, kind)
                    break
            if not found:
                i += 1
                continue
            j, kind = found
            end = groups[j][1]
            if plus and i == 0:
                start = run.start()
            if start and folded[start - 1] == "(" and ")" in folded[start:end]:
                start -= 1  # (0731)84561238, (+86)13812345678
            if kind == "landline":
                ext = _EXTENSION.match(folded, end)  # 0731-84567890-123, 84567890转123
                end = ext.end() if ext else end
            if kind in ("landline", "mobile"):
                phone_end = end
            yield start, end, kind
            while i < len(groups) and groups[i][0] < end:
                i += 1


def find_pii(text: str) -> list[tuple[int, int, str]]:
    """Sorted, non-overlapping ``(start, end, kind)`` spans of personal data in ``text``."""
    if not text:
        return []
    folded = text.translate(_FOLD)
    spans = []
    # E-mail and plates first, then hidden: their digits must not be read as phone numbers.
    for kind, pattern in (("email", _EMAIL_RE), ("plate", _PLATE_RE)):
        found = [
            (m.start(), m.end(), kind)
            for m in pattern.finditer(folded)
            if kind != "plate" or sum(c.isdigit() for c in m.group(0)) >= 2
        ]  # "蒙ENGLISH" is a word
        if found:
            spans += found
            parts, pos = [], 0
            for start, end, _ in found:
                parts += [folded[pos:start], _HIDDEN * (end - start)]
                pos = end
            folded = "".join(parts) + folded[pos:]
    spans.extend(_number_spans(folded))
    return sorted(spans)


def mask_pii(text: str, counts: Counter | None = None) -> str:
    """Return ``text`` with personal data replaced by placeholders like ``[手机号]``.

    ``counts`` (a ``Counter``), when given, is incremented per kind masked (the keys of ``MASKS``).
    """
    spans = find_pii(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end, kind in spans:
        out += [text[pos:start], MASKS[kind]]
        pos = end
        if counts is not None:
            counts[kind] += 1
    out.append(text[pos:])
    return "".join(out)


def mask_pii_many(texts) -> tuple[list[str], Counter]:
    """Mask a sequence of texts; return the masked texts and the total counts per kind."""
    counts: Counter = Counter()
    return [mask_pii(t, counts) for t in texts], counts
