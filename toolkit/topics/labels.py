"""Labels that their texts support: issues named by the terms most of their texts share, themes by domain.

**Issue labels.** A label is composed from the issue's own shared terms, never cut from one letter: a
term qualifies by how many of the issue's texts contain it (share ``p``) and how much more often than
in the whole collection (share ``q``), scored ``p × log(1 + p / q)``. The best two or three terms, in the
order the texts use them, make the label ("培训机构报名退费"); when one place is named by most texts it
comes first ("丽发新城：搅拌站噪音"). Boilerplate (您好, 特此投诉), mask characters, codes and areas
named everywhere never enter a label. The quotes stay beside the label in ``representative``.

**Theme labels.** A theme is a domain in staff's words, matched from its keywords against a small
governance taxonomy shipped as ``domains.txt`` (城乡建设, 物业管理, 交通出行 …); themes matching the same
domain are told apart by their strongest own keyword; a theme matching none is "其他（keyword、keyword）".
The data's own keywords stay beside the label in the ``keywords`` column.

>>> compose_label(["培训机构", "退费"], "", {"退费": 0.6, "培训机构": 0.1})   # terms in the texts' order
'培训机构退费'
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from toolkit.topics.keywords import NOT_KEYWORDS

# Terms that open, close or frame a letter, or say "problem" without naming one: never a label word.
BOILERPLATE = frozenset(
    [
        "您好",
        "你好",
        "尊敬",
        "领导",
        "各位",
        "特此",
        "投诉",
        "举报",
        "反映",
        "反应",
        "请问",
        "咨询",
        "希望",
        "建议",
        "恳请",
        "请求",
        "要求",
        "谢谢",
        "感谢",
        "麻烦",
        "盼复",
        "问题",
        "情况",
        "现象",
        "事情",
        "事件",
        "相关",
        "有关",
        "部门",
        "单位",
        "政府",
        "领导",
        "市民",
        "群众",
        "百姓",
        "老百姓",
        "居民",
        "我们",
        "大家",
        "本人",
        "网友",
        "解决",
        "处理",
        "落实",
        "重视",
        "关注",
        "回复",
        "答复",
        "严重",
        "存在",
        "出现",
        "发生",
        "造成",
        "导致",
        "影响",
        "一直",
        "至今",
        "目前",
        "现在",
        "今年",
        "去年",
        "时间",
        "时候",
        "已经",
        "没有",
        "不能",
        "无法",
        "可以",
        "能否",
        "是否",
        "为什么",
        "怎么",
        "如何",
        "什么",
        "这样",
        "那么",
        "还是",
        "所以",
        "因为",
        "但是",
        "而且",
        "以上",
        "如下",
        "具体",
        "一些",
        "很多",
        "许多",
        "所有",
        "每天",
        "每次",
        "多次",
        "一次",
        "多年",
        "今天",
        "明天",
        "昨天",
        "年来",
        "有人",
        "人员",
        "工作人员",
    ]
)
# A label is short enough for a chart axis.
MAX_LABEL_CHARS = 20
# A term enters a label when at least this share of the issue's texts contain it (the first term: any share).
MIN_TERM_SHARE = 0.2
# A third term must be shared this widely, and this share of the texts must hold two of the three words: it
# names the matter more fully but no label words are filler, and the label is still what most texts say.
THIRD_TERM_SHARE = 0.4
THIRD_TERM_SUPPORT = 0.5
# One place dominates an issue when at least this share of its texts name it.
PLACE_SHARE = 0.5
_HAN_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_DOMAINS = Path(__file__).with_name("domains.txt")


def shared_terms(X, labels: np.ndarray, k: int, weight: np.ndarray):
    """Per label 0..k-1: ``(p, q)`` — share of its texts containing each term, and the collection's share.

    ``X``: one row per text (any nonzero = the term occurs); ``weight`` counts near-duplicates once.
    Returns a sparse ``(k, terms)`` matrix of ``p`` and a dense ``q`` per term.
    """
    B = sp.csr_matrix(X, dtype=np.float64, copy=True)
    B.data[:] = 1
    labels = np.asarray(labels)
    ok = labels >= 0
    M = sp.csr_matrix((weight[ok], (labels[ok], np.flatnonzero(ok))), shape=(k, X.shape[0]))
    size = np.asarray(M.sum(axis=1)).ravel()
    P = sp.diags(1.0 / np.maximum(size, 1e-12)) @ (M @ B)
    q = np.asarray(weight @ B).ravel() / max(float(weight.sum()), 1e-12)
    return P.tocsr(), q


def _label_worthy(vocab: np.ndarray, hide: frozenset) -> np.ndarray:
    """Words a label may take: no idiom (jieba's tag ``i``: "此情此景", "苦不堪言", "乱七八糟" say how the writer
    feels, not what the matter is)."""
    from toolkit.text import dictionary_tag, is_area, is_content_word

    return np.array(
        [
            len(t) >= 2
            and bool(_HAN_RE.match(t))
            and t not in NOT_KEYWORDS
            and t not in BOILERPLATE
            and t not in hide
            and not is_area(t)
            and is_content_word(t)
            and dictionary_tag(t) != "i"
            for t in map(str, vocab)
        ],
        dtype=bool,
    )


def issue_labels(X, issue, members, weight, vocab, clean, places_of, hide=frozenset(), named=None) -> list[str]:
    """A label per issue 0..k-1 (see the module docstring).

    ``members``: the row indices of each issue's texts; ``places_of``: per issue, ``(place, share of its
    texts naming it)`` of its most telling place, or None; ``named``: per issue, the places a share of its texts
    name (when a place leads the label, another one is no matter: "魅力之城：劳动东路" is the estate's address).
    """
    from toolkit.text import is_proper_noun, is_road, name_part, place_suffixes

    k = len(members)
    P, q = shared_terms(X, issue, k, weight)
    worthy = _label_worthy(vocab, hide)
    kinds = place_suffixes()
    out = []
    for t in range(k):
        lo, hi = P.indptr[t], P.indptr[t + 1]
        cols, p = P.indices[lo:hi], P.data[lo:hi]
        keep = worthy[cols] & (p >= q[cols])
        cols, p = cols[keep], p[keep]
        # log(1 + lift): the share decides among words as common here as anywhere (an issue of all texts)
        score = p * np.log1p(p / np.maximum(q[cols], 1e-12))
        order = np.lexsort((cols, -score))
        where, share = places_of[t] if places_of[t] else ("", 0.0)
        place = where if share >= PLACE_SHARE else ""
        name = name_part(where, kinds)  # its kind ("小区") may be the matter, its name never
        # other places its texts name, with the name part of each ("劳动东" of 劳动东路)
        others = [(n, name_part(n, kinds)) for n in named[t] if n] if place and named is not None else []
        terms, shares, picked = [], {}, []
        for c in order:
            term = str(vocab[cols[c]])
            if terms and p[c] < (THIRD_TERM_SHARE if len(terms) == 2 else MIN_TERM_SHARE):
                continue
            if (place and overlaps(term, place)) or (name and overlaps(term, name)):
                continue  # "区丽发", "景园": a piece of the place, not the matter
            if any(overlaps(term, part) or (term in n and term not in kinds) for n, part in others):
                continue  # a piece of another place its texts name ("劳动|东路" of 劳动东路): where, not what
            if place and is_road(term) and is_proper_noun(term):
                continue  # a road's name ("星光大厦：解放西路") is where too, however few name it ("道路" may be what)
            if any(term in s or s in term for s in terms):
                continue
            if len(terms) == 2 and _support(X, members[t], weight, [*picked, cols[c]]) < THIRD_TERM_SUPPORT:
                continue
            terms.append(term)
            picked.append(cols[c])
            shares[term] = float(p[c])
            if len(terms) == (2 if place else 3):
                break
        texts = [clean[i] for i in members[t]]
        out.append(compose_label(_in_text_order(terms, texts), place, shares))
    return _distinct(out)


def _support(X, rows, weight, cols) -> float:
    """Weighted share of ``rows`` holding at least two of the words ``cols`` (columns of ``X``)."""
    held = (sp.csr_matrix(X[rows][:, cols]) != 0).sum(axis=1).A.ravel()
    w = weight[rows]
    return float(w[held >= 2].sum() / max(w.sum(), 1e-12))


def _distinct(labels: list[str]) -> list[str]:
    """Labels told apart where two issues share one: charts, decks and tables are keyed by label."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return out


def overlaps(term: str, place: str) -> bool:
    """Whether ``term`` shares two consecutive characters with ``place``."""
    return any(term[i : i + 2] in place for i in range(len(term) - 1))


def _in_text_order(terms: list[str], texts: list[str]) -> list[str]:
    """Terms in the order most texts use them (pairwise majority, then the label's order)."""

    def before(a, b):
        votes = 0
        for text in texts:
            i, j = text.find(a), text.find(b)
            if i >= 0 and j >= 0:
                votes += 1 if i < j else -1
        return votes

    ranked = list(terms)
    for i in range(1, len(ranked)):  # insertion sort: three terms at most
        j = i
        while j > 0 and before(ranked[j], ranked[j - 1]) > 0:
            ranked[j - 1], ranked[j] = ranked[j], ranked[j - 1]
            j -= 1
    return ranked


def compose_label(terms: list[str], place: str, shares: dict[str, float]) -> str:
    """ "地点：术语术语" within ``MAX_LABEL_CHARS``: the least shared terms are dropped first when too long."""
    from toolkit.text import spot_names

    terms = list(terms)
    name = min(spot_names([place]) or {place}, key=len) if place else ""
    while True:
        body = _joined(terms) or "（无共同用词）"
        label = f"{name}：{body}" if name else body
        if len(label) <= MAX_LABEL_CHARS or len(terms) <= 1:
            return label[:MAX_LABEL_CHARS]
        terms.remove(min(terms, key=lambda w: (shares.get(w, 0.0), -terms.index(w))))


def _joined(terms: list[str]) -> str:
    """Terms as one phrase, or with "、" between them where run together they read as one word ("出租车司机"
    is a word of its own, and a label must name what the messages share in words of its own)."""
    from toolkit.text import tokenize

    body = "".join(terms)
    fused = len(terms) > 1 and len([w for w in tokenize(body) if len(w) >= 2]) < len(terms)
    return "、".join(terms) if fused else body


@lru_cache(maxsize=1)
def domains() -> tuple[tuple[str, frozenset[str]], ...]:
    """The governance taxonomy: ``(domain, its words)`` in file order (``domains.txt``)."""
    out = []
    for line in _DOMAINS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "：" in line or ":" in line:
            name, words = re.split(r"[：:]", line, maxsplit=1)
            out.append((name.strip(), frozenset(words.split())))
    return tuple(out)


def theme_labels(
    weights: sp.csr_matrix, vocab: np.ndarray, theme_keywords: list[list[str]], top: int = 40
) -> list[str]:
    """A domain name per theme (rows of class-based TF-IDF ``weights``), see the module docstring."""
    taxonomy = domains()
    weights = sp.csr_matrix(weights)
    best = []
    for r in range(weights.shape[0]):
        lo, hi = weights.indptr[r], weights.indptr[r + 1]
        cols, vals = weights.indices[lo:hi], weights.data[lo:hi]
        order = np.lexsort((cols, -vals))[:top]
        scores = np.zeros(len(taxonomy))
        for rank, c in enumerate(order):
            term = str(vocab[cols[c]])
            for d, (_, words) in enumerate(taxonomy):
                if term in words or (len(term) >= 3 and any(w in term for w in words if len(w) >= 2)):
                    scores[d] += 1.0 / math.log2(rank + 2)  # the strongest keywords decide
        best.append(int(np.argmax(scores)) if scores.max() > 0 else -1)
    labels, used = [], set()
    for r, d in enumerate(best):
        name = taxonomy[d][0] if d >= 0 else "其他"
        if d >= 0 and best.count(d) == 1:
            labels.append(name)
            continue
        # themes sharing a domain (or matching none) are told apart by their strongest own keyword
        own = [w for w in theme_keywords[r] if w not in name and w not in used] or [f"{r + 1}"]
        used.add(own[0])
        labels.append(f"{name}（{own[0]}）")
    return labels
