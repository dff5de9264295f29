"""Small, deterministic changes to a concern text: near-duplicate rewordings and fake personal data.

The personal data is clearly fake, so that PII masking has something to find without anyone's real number:
mobiles are ``1xx 0000 xxxx``, ID numbers use the non-existent region code 99xxxx (with a valid check
digit, so maskers that check it still fire), landlines use area code 0999.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
_HALF_PUNCT = str.maketrans({"，": ",", "。": ".", "！": "!", "：": ":", "？": "?", "；": ";"})
_NO_PUNCT = str.maketrans({"，": " ", "。": " ", "！": " ", "：": " ", "、": " "})
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_PROVINCES = "湘鄂赣皖豫"


@lru_cache(maxsize=1)
def _traditional():
    """Simplified -> traditional map for every character our templates use (opencc, char by char)."""
    import opencc

    chars = set()
    for name in ("themes.yaml", "phrases.yaml", "places.yaml"):
        text = resources.files("toolkit.sample").joinpath(name).read_text(encoding="utf-8")
        chars.update(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    chars = sorted(chars)
    # One character per line so opencc converts characters, not phrases.
    converted = opencc.OpenCC("s2t").convert("\n".join(chars)).split("\n")
    return str.maketrans({s: t for s, t in zip(chars, converted) if len(t) == 1 and t != s})


def to_traditional(text: str) -> str:
    """繁體 version of a generated text (character mapping, good enough for variants)."""
    return text.translate(_traditional())


def fake_id_number(k: int) -> str:
    """An 18-digit ID-like number with a valid check digit and an invalid region code (99xxxx)."""
    year, month, day = 1945 + k % 60, 1 + k // 60 % 12, 1 + k // 720 % 28
    body = f"99{k // 20160 % 10000:04d}{year:04d}{month:02d}{day:02d}{k // 7 % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]
    return body + check


def fake_mobile(k: int) -> str:
    prefix = ("138", "139", "186", "150", "177")[k % 5]
    tail = f"{k // 5 % 10000:04d}"
    return (f"{prefix}0000{tail}", f"{prefix} 0000 {tail}", f"{prefix}-0000-{tail}")[k // 50000 % 3]


def fake_plate(k: int) -> str:
    letters = _PLATE_LETTERS
    return f"{_PROVINCES[k % 5]}{letters[k // 5 % 8]}·{letters[k // 40 % 24]}{k // 960 % 10000:04d}"


_PII = (
    lambda k: f"我的电话：{fake_mobile(k)}，欢迎联系。",
    lambda k: f"联系人：{'王李张刘陈'[k % 5]}先生，{fake_mobile(k)}。",
    lambda k: f"本人身份证号{fake_id_number(k)}，情况属实。",
    lambda k: f"车牌号{fake_plate(k)}的车长期乱停，多次劝说无效。",
    lambda k: f"有事可打座机0999-{6000000 + k % 1000000}。",
    lambda k: f"电话{fake_mobile(k)}（微信同号）",
)


def add_pii(text: str, k: int) -> str:
    """Append a sentence with fake personal data; sometimes in full-width digits."""
    extra = _PII[k % len(_PII)](k // len(_PII))
    if k % 7 == 0:
        extra = extra.translate(_FULLWIDTH)
    return text + extra


def perturb(text: str, u: float, k: int) -> str:
    """A reworded copy: traditional characters, other punctuation, full-width letters, typos. ``u`` in [0, 1)."""
    if u < 0.12:
        return to_traditional(text)
    if u < 0.35:
        return text.translate(_HALF_PUNCT)
    if u < 0.45:
        return " ".join(text.translate(_NO_PUNCT).split())
    if u < 0.55:  # typed with a full-width keyboard: digits like "３次"
        return (text + f"（已反映{2 + k % 5}次）").translate(_FULLWIDTH)
    if u < 0.65:
        return text.replace("了", "", 1).replace("的", "", 1)
    if u < 0.72:
        return text.rstrip("。！") + "！！！"
    return text
