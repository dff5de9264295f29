"""Tokenise Chinese concerns with jieba, a governance domain dictionary and curated stopwords.

The dictionary (``domain_dict.txt``), stopwords (``stopwords.txt``), groups of people
(``groups.txt``) and place suffixes (``places.txt``) ship as data files beside this module.
Negations and complaint words (不, 没有, 无法) are kept on purpose: "没有电梯" is not "电梯".

>>> tokenize("小区加装电梯没有进展，物业不作为")
['小区', '加装电梯', '没有', '进展', '物业', '不作为']
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent
# Single characters are mostly noise, but these carry a complaint on their own.
_KEEP_SINGLE = set("不没无难乱堵脏臭吵贵差慢险漏吵水电气路桥车房树狗猫税钱菜药煤油粮")
_WORDLIKE_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Digits, codes like A3 / K8, units and percentages say nothing about the matter.
_CODE_RE = re.compile(r"^[A-Za-z]?[\d.%‰:：/\-]+[A-Za-z]?$")
_PLACEHOLDER_RE = re.compile(r"\[[^\]]{1,6}\]")
_PLACE_LEADERS = "在于到从住是的和与及近往去"


def _read_list(name: str) -> list[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The curated stopword set (negations and complaint words deliberately absent)."""
    return frozenset(_read_list("stopwords.txt"))


@lru_cache(maxsize=1)
def domain_words() -> frozenset[str]:
    """Words of the governance domain dictionary (concepts, never place names)."""
    return frozenset(line.split()[0] for line in _read_list("domain_dict.txt"))


@lru_cache(maxsize=1)
def groups() -> tuple[str, ...]:
    """Groups of people (人群) recognised in concerns, longest first."""
    return tuple(sorted(_read_list("groups.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def place_suffixes() -> tuple[str, ...]:
    """Suffixes ending a place name, longest first."""
    return tuple(sorted(_read_list("places.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def _jieba():
    """A private jieba tokenizer with the domain dictionary; built once per process (~1.5 s)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(_DATA / "domain_dict.txt"))
    for word in groups():
        tok.add_word(word, freq=1000)
    return tok


def warm_up() -> None:
    """Load jieba's dictionary now (call before forking workers so they share it)."""
    _jieba()


def cut(text: str, hmm: bool = True) -> list[str]:
    """Raw jieba segmentation (no filtering); placeholders like ``[手机号]`` stay whole.

    jieba segments each run of Han characters / letters / digits (its ``re_han_default`` blocks)
    on its own, so segmenting block by block through a cache gives exactly its output while
    repeated clauses ("希望有关部门尽快解决", a campaign's sentences) are segmented once.
    """
    if not text:
        return []
    out: list[str] = []
    pos = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        _cut_piece(text[pos : match.start()], hmm, out)
        out.append(match.group(0))
        pos = match.end()
    _cut_piece(text[pos:], hmm, out)
    return out


def _cut_piece(piece: str, hmm: bool, out: list[str]) -> None:
    import jieba

    for block in jieba.re_han_default.split(piece):
        if block:
            out.extend(_cut_block(block, hmm))


@lru_cache(maxsize=1 << 18)
def _cut_block(block: str, hmm: bool) -> tuple[str, ...]:
    return tuple(_jieba().lcut(block, HMM=hmm))


def keep_token(token: str) -> bool:
    """Whether a raw jieba token is a content word worth modelling."""
    if token in stopwords() or not _WORDLIKE_RE.search(token):
        return False
    if len(token) == 1:
        return token in _KEEP_SINGLE
    if token.startswith("[") or _CODE_RE.match(token):
        return False
    return True


def filter_tokens(raw: list[str]) -> list[str]:
    """Content words of a raw segmentation, Latin letters lower-cased."""
    return [t.lower() if t.isascii() else t for t in raw if keep_token(t.strip())]


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """Content words of one (already normalised) text."""
    return filter_tokens(cut(text, hmm=hmm))


def extract_places(raw: list[str]) -> list[str]:
    """Place names in a raw segmentation: a token ending in a place suffix, joined to its name part.

    >>> extract_places(cut("丽发新城小区旁搅拌站噪音扰民"))
    ['丽发新城小区']
    """
    places: list[str] = []
    for name, _ in _place_matches(raw):
        if name not in places:
            places.append(name)
    return places


def _place_matches(raw: list[str]):
    suffixes = place_suffixes()
    concepts = domain_words()
    stop = stopwords()
    for i, token in enumerate(raw):
        if not token.endswith(suffixes) or (token in concepts and token not in suffixes):
            continue
        if i + 1 < len(raw) and raw[i + 1] in suffixes:
            continue  # "新城" + "小区": the place ends at the later suffix
        # Walk back over earlier suffix words ("丽发|新城|小区"), then up to two short name words.
        j, name_chars = i, 0 if token in suffixes else len(token)
        while j > 0:
            prev = raw[j - 1]
            if prev in stop or not _WORDLIKE_RE.search(prev) or prev.startswith("[") or prev in concepts:
                break
            is_suffix = prev.endswith(suffixes) and len(prev) <= 3
            if is_suffix and name_chars == 0:
                j -= 1
                continue
            if is_suffix or (name_chars and len(prev) + name_chars > 4):
                break
            j, name_chars = j - 1, name_chars + len(prev)
        # HMM sometimes glues a preposition or verb onto the name ("在丽发").
        name = "".join(raw[j : i + 1]).lstrip(_PLACE_LEADERS)
        if name_chars and len(name) >= 2:
            yield name, raw[j : i + 1]


def extract_groups(text: str) -> list[str]:
    """Groups of people (人群) mentioned in ``text``, longest names first, no overlaps."""
    found: list[str] = []
    for g in groups():
        if g in text and not any(g in f for f in found):
            found.append(g)
    return found


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
