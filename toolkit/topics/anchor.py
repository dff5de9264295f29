"""Anchors: what a matter is about — a spot (小区, 路, 学校 …) or a rare name (a platform, a shop, a company).

A matter staff can act on is one problem *at* one spot or *of* one named thing: 丽发新城's mixing plant,
温斯顿英语's refunds, the 余易贷 platform. The spots come from place extraction (:mod:`toolkit.text.spots`);
rare names are words no place suffix finds. An issue's anchor is the one named by most of its voices, and
``anchor_share`` — the share of its voices naming it — is how concrete the issue is: near 1 for 50 letters
about one estate, 0 for a policy matter ("人才购房补贴") or a bag of letters about different schools.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp

from toolkit.text import (
    dictionary_tag,
    groups,
    is_area,
    is_common_phrase,
    is_content_word,
    is_mistagged_phrase,
    is_proper_noun,
    is_road,
    name_part,
    place_suffixes,
    same_spot,
    spot_names,
)

# A rare name is named by at least this many texts, and by at most this share of the collection (or this many
# texts, when more): a word in every tenth letter names no single matter.
MIN_NAME_TEXTS = 3
MIN_NAME_CHARS = 3
NAME_SHARE = 0.005
NAME_TEXTS = 20
# ... and the texts naming it are this many times more alike than two texts of the collection (see rare_names).
NAME_LIFT = 10.0
# Words ending in a kind of organisation or place name the kind, not the one: "公安局", "交汇处", "实验中学".
# (Full names ending in a place suffix — "涉外经济学院" — are found by place extraction, with their name part.)
_KIND_SUFFIXES = ("局", "处", "所", "队", "厅", "委", "办", "部", "科", "院", "站", "厂", "馆", "中心", "集团", "公司")


# The HMM glues clause fragments into words ("人太多", "西往东", "风一吹", "撤场后", "普惠性"): besides function
# characters (toolkit.text.is_content_word), the "一" of "V一V" never stands inside a name, and localities and the
# suffixes of qualities and systems (普惠性, 开放式, 普惠制, 合同制) never end one.
_LOCALITY = frozenset("后前里内外中上下多少性式化制型率度")
# jieba's "other proper noun" and "organisation" tags cover common words ("一卡通", "开放式", "新鲜空气",
# "交汇处"): only its person and place names, and words it lacks, may be names.
_LOOSE_TAGS = frozenset(["nz", "nt"])


def rare_names(X, vocab, weight=None) -> list[set[str]]:
    """Rare names each text uses: words of three or more characters that a handful of texts share, about one matter.

    A platform, a shop, a company or a project ("温斯顿英语", "余易贷", "中茂城") is what a matter is about as
    much as a place is, yet no place suffix finds it. Words jieba lacks are not all names, though ("申请人",
    "开放式", "西往东"): a name is kept only when the texts using it are far more alike than texts in general
    (``NAME_LIFT`` times, leaving the word itself out), as letters about one platform are. ``X``: the texts'
    TF-IDF rows (unit length), ``vocab``: its words, ``weight``: per text, so that copies count once.
    """
    X = sp.csr_matrix(X)
    B = X.copy()
    B.data[:] = 1
    weight = np.ones(X.shape[0]) if weight is None else np.asarray(weight, dtype=float)
    df = np.asarray(B.sum(axis=0)).ravel()
    distinct = np.asarray(B.T @ weight).ravel()
    most = max(NAME_TEXTS, NAME_SHARE * X.shape[0])
    name = np.fromiter((is_name(str(v)) for v in vocab), dtype=bool, count=len(vocab))
    ok = np.flatnonzero(name & (distinct >= MIN_NAME_TEXTS - 1e-9) & (df <= most))
    ok = ok[_lift(X, B, ok) >= NAME_LIFT]
    keep = np.zeros(len(vocab), dtype=bool)
    keep[ok] = True
    out = []
    for r in range(B.shape[0]):
        cols = B.indices[B.indptr[r] : B.indptr[r + 1]]
        out.append({str(vocab[c]) for c in cols[keep[cols]]})
    return out


def _lift(X, B, cols) -> np.ndarray:
    """Per word in ``cols``: mean pairwise cosine of the texts using it, that word left out, over the same mean
    for the whole collection (:func:`toolkit.topics.summary.issue_cohesion`'s formula, by sums of rows)."""
    if not len(cols):
        return np.zeros(0)
    n = np.asarray(B[:, cols].sum(axis=0)).ravel()
    S = (B[:, cols].T @ X).tocsr()  # sum of the rows using each word
    own = np.asarray(S[np.arange(len(cols)), cols]).ravel()
    own_sq = np.asarray(X[:, cols].multiply(X[:, cols]).sum(axis=0)).ravel()
    norms = np.asarray(S.multiply(S).sum(axis=1)).ravel() - own**2
    pairs = np.maximum(n * (n - 1), 1)
    alike = (norms - (n - own_sq)) / pairs
    total = np.asarray(X.sum(axis=0)).ravel()
    m = X.shape[0]
    base = (float(total @ total) - m) / max(m * (m - 1), 1)
    return alike / base if base > 0 else np.full(len(cols), np.inf)


def is_name(word: str) -> bool:
    """A word of three or more characters that jieba's dictionary lacks (found by its HMM: "余易贷", "美麓阳光")
    or tags as a proper noun ("温斯顿") unless two ordinary words ("大力支持"); not an idiom ("水泄不通"), a common
    compound, a concept of the governance dictionary ("虚假宣传"), a kind of place or organisation ("实验中学",
    "公安局"), nor a group of people ("失能老人": who a matter concerns, not what it is about)."""
    return (
        len(word) >= MIN_NAME_CHARS
        and not word.isascii()
        and is_proper_noun(word)
        and not is_mistagged_phrase(word)
        and not word.endswith(_KIND_SUFFIXES)
        and not word.endswith(place_suffixes())
        and not word.endswith(groups())
        and is_content_word(word)
        and "一" not in word
        and not word.startswith("之")  # "之日起", "之所以": a clause's particle (a name such as 之江 is lost with them)
        and word[-1] not in _LOCALITY
        and dictionary_tag(word) not in _LOOSE_TAGS
    )


def text_anchors(places, names, texts) -> list[list[str]]:
    """Per text: the spots it names (normalised, areas left out) and its rare names, less the generic ones,
    in the order the text names them (the first is usually what the letter is about)."""
    out = []
    for p, rare, text in zip(places, names, texts, strict=True):
        found = spot_names(p or ()) | rare
        out.append(sorted(found, key=lambda n: (_position(text, n), n)))
    generic = generic_names({n for names in out for n in names})
    return [[n for n in names if n not in generic] for names in out] if generic else out


def _position(text: str, name: str) -> int:
    at = text.find(name)
    return at if at >= 0 else len(text)


# A name that ends this many other names of the collection is a kind of place, not one place.
GENERIC_ENDINGS = 2


def generic_names(names) -> set[str]:
    """Kinds of place written like names: "实验中学" (ending "广益实验中学", "滨江实验中学"), "职业技术学院".

    A name is generic when it ends several longer names of the collection *and* says nothing but ordinary
    words before its suffix ("实验", "职业技术"); "丽发新城" ends "暮云丽发新城" too, but "丽发" is a name.
    Written bare ("A市实验中学" leaves "实验中学" once the area is dropped) a generic name would gather letters
    about different schools under one anchor.
    """
    endings: Counter = Counter()
    for name in names:
        for start in range(1, len(name) - MIN_NAME_CHARS + 1):
            endings[name[start:]] += 1
    suffixes = place_suffixes()
    return {name for name in names if endings[name] >= GENERIC_ENDINGS and is_common_phrase(name_part(name, suffixes))}


# A letter's subject is among the first spots it names: one listing six roads names the later ones in passing.
SUBJECT_SPOTS = 3
# A spot named by this share of the voices naming a road (or more) is the anchor rather than the road it is on.
ROAD_ADDRESS = 0.8


def main_anchor(anchors, voices) -> tuple[str, float]:
    """``(anchor, share)`` of one issue: the spot or name most of its distinct ``voices`` name, and their share.

    A voice names a spot when one name holds the other ("武广新城伊景园滨河苑" names "伊景园滨河苑"), among the first
    ``SUBJECT_SPOTS`` its letters name (``anchors`` in text order, :func:`text_anchors`). A road gives way
    to a spot on it named by nearly as many (``ROAD_ADDRESS``): letters give the estate's road as its address.
    """
    named: dict = {}  # voice -> {name: how early its letters name it}
    for names, voice in zip(anchors, voices, strict=True):
        seen = named.setdefault(voice, {})
        for at, n in enumerate([n for n in names if not is_area(n)][:SUBJECT_SPOTS]):
            seen[n] = min(seen.get(n, at), at)
    if not named:
        return "", 0.0
    counts: Counter = Counter()  # voices naming each
    early: Counter = Counter()  # sum over those voices of where their letters name it
    for names in named.values():
        counts.update(names.keys())
        early.update(names)
    if not counts:
        return "", 0.0
    shares = {}
    # on a tie, the name the letters give first: "诺亚山林小区门口设置医院" is about the estate
    for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], early[kv[0]] / kv[1], kv[0]))[:5]:
        shares[name] = sum(1 for names in named.values() if any(same_spot(name, n) for n in names)) / len(named)
    best = max(shares, key=shares.__getitem__)  # on a tie, the first: the most written
    # one spot named more or less fully by as many voices ("西路星光大厦", "星光大厦"): its shorter name, when
    # written as often ("滨河苑" of a few "伊景园·滨河苑" is not the estate's name)
    best = min((n for n in shares if n in best and shares[n] == shares[best] and counts[n] >= counts[best]), key=len)
    if is_road(best):  # "劳动东路魅力之城小区": the estate is the spot, the road its address
        on_it = [n for n in shares if not is_road(n) and shares[n] >= ROAD_ADDRESS * shares[best]]
        best = on_it[0] if on_it else best
    return best, round(shares[best], 3)
