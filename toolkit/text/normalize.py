"""Normalise citizen free text before masking and tokenising.

Full-width → half-width, 繁體 → 简体, emoji and control characters out, whitespace
collapsed, greeting/thanks boilerplate (您好, 请问, 尊敬的领导, 谢谢) removed.

>>> normalize("尊敬的領導您好！ＡＢＣ小區噪音擾民😡，謝謝")
'ABC小区噪音扰民'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Boilerplate that says nothing about the concern; matched at any position, longest first.
_BOILERPLATE = [
    "尊敬的各位领导",
    "尊敬的领导",
    "尊敬的市长",
    "尊敬的书记",
    "尊敬的县长",
    "尊敬的区长",
    "尊敬的局长",
    "各位领导",
    "领导您好",
    "领导好",
    "委员您好",
    "您好",
    "你好",
    "请问一下",
    "请问",
    "非常感谢",
    "万分感谢",
    "谢谢领导",
    "谢谢您",
    "谢谢",
    "感谢",
    "此致敬礼",
    "此致",
    "敬礼",
    "辛苦了",
    "望采纳",
    "盼回复",
]
_BOILERPLATE_RE = re.compile("|".join(re.escape(b) for b in sorted(_BOILERPLATE, key=len, reverse=True)))
# Emoji, pictographs, dingbats, variation selectors, zero-width characters.
_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0000fe00-\U0000fe0f\U0000200b-\U0000200f\U00002060-\U0000206f"
    "\U0001f900-\U0001f9ff\U0000e000-\U0000f8ff]"
)
_EDGE_PUNCT = " ,.!?;:、，。！？；：~～…"
_SPACE_RE = re.compile(r"\s+")
# Control and format characters (a per-character isprintable() loop costs ~1 µs/char).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u2028-\u202e\ufeff\ufff0-\uffff]")
_REPEAT_PUNCT_RE = re.compile(r"([!?,.。！？，、~～…])\1+")
# A space between two CJK characters is noise from copy-paste; a space between Latin words is not.
_CJK_SPACE_RE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


@lru_cache(maxsize=1)
def _t2s():
    """The OpenCC converter and the set of characters that only occur in traditional text."""
    import opencc

    converter = opencc.OpenCC("t2s")
    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    trad, simp = set(), set()
    for line in table.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        targets = values.split()
        simp.update(targets)
        if key and key not in targets:
            trad.add(key)
    # Characters that are also valid simplified output (e.g. 著, 干) would trigger needless conversions.
    return converter, frozenset(trad - simp)


def to_simplified(text: str) -> str:
    """繁體 → 简体; pure-Python OpenCC is slow, so only texts holding a traditional-only character are converted."""
    converter, trad_only = _t2s()
    if not trad_only.isdisjoint(text):  # set test: ~50× faster than a regex with a 2,000-char class
        return converter.convert(text)
    return text


def normalize(text) -> str:
    """Return ``text`` cleaned for analysis; ``None``/NaN become ``""``."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    text = unicodedata.normalize("NFKC", str(text))  # full-width letters, digits, punctuation, ideographic space
    text = _EMOJI_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    text = _SPACE_RE.sub(" ", text).strip()
    text = _CJK_SPACE_RE.sub("", text)
    text = to_simplified(text)
    text = _BOILERPLATE_RE.sub("", text)
    text = _REPEAT_PUNCT_RE.sub(r"\1", text)
    # Removing boilerplate leaves dangling punctuation ("您好，请问，…" → ",,…").
    return text.strip(_EDGE_PUNCT)
