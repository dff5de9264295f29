"""Text keys that make headers and option texts comparable across platforms.

问卷星, 腾讯问卷 and hand-made sheets write the same label with 全角/半角 punctuation, stray spaces
and line breaks; ``key()`` folds those differences so ``（多选题）`` matches ``(多选题)``.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

_SPACE = re.compile(r"\s+")
# NFKC keeps these Chinese punctuation marks; fold them by hand to their ASCII look-alikes
_EXTRA = str.maketrans(
    {
        "，": ",",
        "。": ".",
        "；": ";",
        "：": ":",
        "？": "?",
        "！": "!",
        "、": ",",
        "—": "-",
        "－": "-",
        "～": "~",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "【": "[",
        "】": "]",
        "〖": "[",
        "〗": "]",
    }
)


@lru_cache(maxsize=65536)
def key(text) -> str:
    """Comparable form of a label: NFKC (全角→半角), Chinese punctuation folded, no whitespace, lower case."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).translate(_EXTRA)
    return _SPACE.sub("", folded).lower()


def clean(text) -> str:
    """Display form of a header: NFKC-normalised, whitespace collapsed and trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


def squash(text) -> str:
    """A header as written, with runs of whitespace (line breaks in Excel headers) made one space."""
    return _SPACE.sub(" ", str(text)).strip()


def similarity(a: str, b: str) -> float:
    """0..1 likeness of two labels after ``key``; containment counts as a strong match."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    if len(ka) >= 2 and len(kb) >= 2 and (ka in kb or kb in ka):
        return 0.9 * min(len(ka), len(kb)) / max(len(ka), len(kb)) + 0.1
    return SequenceMatcher(None, ka, kb).ratio()


def best_match(label: str, candidates: dict[str, str], threshold: float = 0.6) -> tuple[str | None, float]:
    """The candidate id whose text is most like ``label`` (``candidates``: id -> text), if good enough."""
    best, score = None, 0.0
    for cid, text in candidates.items():
        s = similarity(label, text)
        if s > score:
            best, score = cid, s
    return (best, score) if score >= threshold else (None, score)
