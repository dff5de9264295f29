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
from collections import Counter
from functools import lru_cache
from pathlib import Path

from toolkit.text.segment import BLOCK_RE, default_engine, segmenter

_DATA = Path(__file__).parent
# Single characters are mostly noise, but these carry a complaint on their own.
_KEEP_SINGLE = set("不没无难乱堵脏臭吵贵差慢险漏吵水电气路桥车房树狗猫税钱菜药煤油粮")
_WORDLIKE_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Digits, codes like A3 / K8, units and percentages say nothing about the matter.
_CODE_RE = re.compile(r"^[A-Za-z]?[\d.%‰:：/\-]+[A-Za-z]?$")
_PLACEHOLDER_RE = re.compile(r"\[[^\]]{1,6}\]")
_PLACE_LEADERS = "在于到从住是的和与及近往去此至仍将"
# Single-character administrative suffixes; alone or glued ("县市") they name nothing.
_ADMIN = set("省市县区镇乡")
# Estate suffixes (苑, 园 …) are common word endings (校园, 县城), so they need a real name.
# 府 is left out: on real messages it mostly finds 政府 ("配合政府"), rarely an estate.
_ESTATE = ("苑", "园", "湾", "城", "庭", "郡")
# Anonymised or coded names ("A", "A7", "K8") are complete names on their own.
_CODE_NAME_RE = re.compile(r"^[A-Za-z]{1,2}\d{0,3}$")
_CODE_AREA_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}\d{0,3})([市县区省])")
# Years, dates and counts ("2019年", "三月") glue onto a following name otherwise.
_TIME_RE = re.compile(r"\d|^[年月日号期届次]$")
# Verbs and function words that open the clause before a place in complaints; jieba's HMM
# segments them as ordinary words, so without this "投诉滨河苑" would be a name.
_NOT_NAME = frozenset(
    [
        "投诉",
        "举报",
        "反映",
        "反应",
        "督促",
        "要求",
        "不准",
        "禁止",
        "希望",
        "建议",
        "请求",
        "咨询",
        "关于",
        "位于",
        "地处",
        "家住",
        "住在",
        "居住",
        "来自",
        "前往",
        "搬到",
        "通知",
        "印发",
        "关注",
        "责令",
        "协调",
        "联系",
        "办理",
        "申请",
        "支持",
        "查处",
        "处理",
        "解决",
        "整治",
        "回复",
        "至",
        "我住",
        "我家",
        "家在",
        "我们",
        "本人",
    ]
)
# Where, relative to something: "距离|小区", "隔壁|小区", "紧临|商学院宿舍" name no place. (A village named so,
# "楼下村", is lost with them: far rarer in letters than "楼下" of one's building. Not 门口: "南|门口" is a name.)
_RELATIONAL = frozenset(["距离", "隔壁", "紧临", "紧邻", "对面", "旁边", "附近", "周边", "楼下", "楼上"])
_NOT_NAME = _NOT_NAME | _RELATIONAL
_FUNCTION_CHARS = frozenset("按属向在于到从是的和与及据任全各该某本此这那每我你他其")
# Prepositions and verbs HMM glues onto the word before a place ("村向|社区", "路离|学校"): that word ends a clause.
_CLAUSE_ENDERS = frozenset("向离在到从往给对把被")
_AREA_SUFFIXES = frozenset(["街道", "镇", "乡", "县", "区"])
# Position characters are stopwords alone but part of many names ("府前社区", "幸福里社区", "河西路").
_POSITION_IN_NAME = frozenset("前后里东西南北中新老")


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
def _suffix_last_chars() -> frozenset[str]:
    return frozenset(s[-1] for s in place_suffixes())


def warm_up(with_places: bool = True) -> None:
    """Load the segmenter's dictionary now (call before forking workers so they share it), and the
    dictionary's tags when places will be extracted (~0.4 s that tokenising alone does not need)."""
    segmenter()
    if with_places:
        _dictionary_tags()


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
    for block in BLOCK_RE.split(piece):
        if block:
            out.extend(_cut_block(block, hmm, default_engine()))


@lru_cache(maxsize=1 << 18)
def _cut_block(block: str, hmm: bool, engine: str) -> tuple[str, ...]:
    # A masked or coded area ("A市", "A7县", "K2区") ends where its suffix does: left to the HMM, the suffix
    # sticks to the name after it ("A|市梅|溪湖", "K2|区上|岭"), and both the area and that name are lost.
    out: list[str] = []
    pos = 0
    for match in _CODE_AREA_RE.finditer(block):
        if match.start() > pos:
            out.extend(segmenter(engine).cut(block[pos : match.start()], hmm))
        out.extend(match.groups())
        pos = match.end()
    if pos < len(block):
        out.extend(segmenter(engine).cut(block[pos:], hmm))
    return tuple(out)


@lru_cache(maxsize=1 << 18)  # tokens repeat endlessly: decide each once
def keep_token(token: str) -> bool:
    """Whether a raw jieba token is a content word worth modelling."""
    if token in stopwords() or not _WORDLIKE_RE.search(token):
        return False
    if len(token) == 1:
        return token in _KEEP_SINGLE
    return not (token.startswith("[") or _CODE_RE.match(token))


def filter_tokens(raw: list[str]) -> list[str]:
    """Content words of a raw segmentation, Latin letters lower-cased; a number naming a brand with the word after
    it ("58车贷", "360借条") is kept as that name too."""
    out = [t.lower() if t.isascii() else t for t in raw if keep_token(t.strip())]
    return out + [raw[i] + raw[i + 1] for i in range(len(raw) - 1) if _numbered_brand(raw[i], raw[i + 1])]


# A number of two to five digits before a noun names a platform or a service ("58车贷", "58同城", "360借条",
# "12345热线"); before a count, a unit or a time ("20万元", "3号楼", "10多年", "12小时", "3000块钱", "20公分") it
# says how many, and a year says when ("2020疫情").
_BRAND_NUMBER = re.compile(r"^(?!(?:19|20)\d\d$)\d{2,5}$")  # not a year ("2020疫情")
_BRAND_WORD_TAGS = frozenset([None, "n", "nz", "nt", "j"])
_COUNTED = frozenset("号个多余年月日时元块万千百亿栋层楼期路次天岁平米公厘毫户人名位家条件分秒点周届辆台套间批班倍")
_TIME_WORDS = frozenset(["小时", "分钟", "公里", "公斤", "平方", "世纪", "年代"])


def _numbered_brand(number: str, word: str) -> bool:
    return (
        bool(_BRAND_NUMBER.match(number))
        and len(word) >= 2
        and not word.isascii()
        and word[0] not in _COUNTED
        and word not in _TIME_WORDS
        and _dictionary_tags().get(word) in _BRAND_WORD_TAGS
    )


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """Content words of one (already normalised) text."""
    return filter_tokens(cut(text, hmm=hmm))


def extract_places(raw: list[str], names: dict[str, str] | None = None) -> list[str]:
    """Place names in a raw segmentation: a token ending in a place suffix, joined to its name part.

    ``names`` (see :func:`learn_place_names`) adds areas the collection names elsewhere, written bare here.

    >>> extract_places(cut("丽发新城小区旁搅拌站噪音扰民"))
    ['丽发新城小区']
    """
    places: list[str] = []
    for name, _ in _place_matches(*_unglue(raw)):
        if name not in places:
            places.append(name)
    # "伊景园" inside "伊景园滨河苑" is the same place, named less fully; an area ("A市" of "A市大道") is not.
    places = [p for p in places if p[-1] in _ADMIN or not any(q != p and q.startswith(p) for q in places)]
    return places + learnt_places(raw, names, places, "".join(raw)) if names else places


# Area suffixes a collection teaches names by: once it writes "星沙街道" or "榔梨镇", a bare "星沙" is that area.
_LEARN_FROM = ("街道", "镇", "乡")
# Provinces and cities the collection writes with their suffix ("湖北省", "深圳市") and jieba tags as place names
# (ns): bare, "湖北人", "深圳社保" are that province or city. Not 街道/镇: jieba tags "南门" ns too.
_LEARN_PROPER_FROM = ("省", "市")
_CODE_PREFIX_RE = re.compile(r"^(?:[A-Z]{1,2}\d{0,3}[市县区省])+")


def learn_place_names(places) -> dict[str, str]:
    """Names a collection writes with an area suffix, by the bare name: ``{"星沙": "星沙街道"}``.

    ``places`` holds each text's extracted places. For 街道, 镇, 乡 only names jieba's dictionary lacks are
    learnt (names its HMM found, "星沙", "榔梨"): a dictionary word before the suffix ("南门街道", "城关镇")
    means something else when bare (a school's 南门); for 省, 市 only names it tags as places ("湖北", "深圳").
    A name must be written so in two texts. The most frequent full name wins, ties in order of appearance.

    >>> learn_place_names([["A7县", "星沙街道"], ["A7县星沙街道", "榔梨镇"], ["南门街道", "榔梨镇"]])
    {'星沙': '星沙街道', '榔梨': '榔梨镇'}
    """
    full: dict[str, Counter] = {}
    for found in places:
        for place in found or ():
            suffix = next((s for s in _LEARN_FROM + _LEARN_PROPER_FROM if place.endswith(s)), "")
            name = _CODE_PREFIX_RE.sub("", place)
            stem = name[: -len(suffix)] if suffix else ""
            if 2 <= len(stem) <= 4 and _learnable(stem, suffix):
                full.setdefault(stem, Counter())[name] += 1
    # a name written so in one text only may be a clause the HMM glued ("委托黄兴镇"); twice, it is a name
    return {stem: names.most_common(1)[0][0] for stem, names in full.items() if sum(names.values()) >= 2}


@lru_cache(maxsize=1 << 14)  # the same few names recur across a collection
def _learnable(stem: str, suffix: str) -> bool:
    """Whether ``stem`` (before ``suffix``) is a name of its own: one jieba lacks, with no function character,
    numeral or dictionary verb in it ("三是乡", "由星沙", "救助申报镇"), and no word ending in the suffix
    ("工业强镇", "香槟小镇", "家乡")."""
    known, tags = segmenter().known, _dictionary_tags()
    if suffix in _LEARN_PROPER_FROM:
        # "湖北省", "深圳市": a province or city jieba knows by name, unless the whole is a common word
        return tags.get(stem) == "ns" and tags.get(stem + suffix) in (None, "ns")
    return not (
        known(stem)
        or stem[0] in _PLACE_LEADERS
        or stem[0] in _FUNCTION_CHARS
        or _GRAMMAR_CHARS.search(stem)
        or any(c in _NUMERALS for c in stem)
        or known(stem[-1] + suffix[0])
        # a verb, or an organisation's short name ("政协西山街道": the CPPCC of 西山街道)
        or any(len(p) >= 2 and tags.get(p) in _NOT_NAME_TAGS | {"j", "nt"} for p in segmenter().cut(stem, False))
    )


def learnt_places(tokens: list[str], names: dict[str, str], found=(), text: str = "") -> list[str]:
    """Areas of ``names`` (see :func:`learn_place_names`) written bare in ``tokens``, by their full name.

    A token is the bare name, or a word jieba's HMM made of it and a character or two glued on ("说星沙",
    "星沙段", "星沙恒大"); names already inside a place of the text (``found``: "星沙大道") are that place,
    not the area. With ``text`` (the text ``tokens`` come from), names the HMM split are found too (see
    :func:`_split_names`).

    >>> learnt_places(cut("投诉星沙301公交车，到星沙大道"), {"星沙": "星沙街道"}, ["星沙大道"])
    []
    >>> learnt_places(cut("投诉星沙301公交车"), {"星沙": "星沙街道"})
    ['星沙街道']
    """
    out: list[str] = []
    known = segmenter().known
    stems = [
        token if token in names else "" if len(token) < 3 or known(token) else _glued_name(token, names)
        for token in tokens
    ]
    for stem in stems + (_split_names(text, names) if text else []):
        if not stem or names[stem] in out or any(stem in place for place in found):
            continue
        out.append(names[stem])
    return out


# Dictionary tags of a word the segmenter glues before a place ("进|武广新城", "剩|望岳路", "紧临|商学院宿舍"): a verb,
# preposition, adverb, pronoun or conjunction opens a clause, it names nothing.
_CLAUSE_HEAD_TAGS = frozenset(["v", "vd", "vg", "p", "d", "ad", "r", "c", "u"])


def glued_heads(places) -> dict[str, str]:
    """Places written with a clause word stuck before them, by the place itself: ``{"进武广新城": "武广新城"}``.

    ``places`` holds each text's extracted places. A place P is the place Q when P is a word of one or two
    characters that jieba's dictionary tags as a verb, preposition, adverb, pronoun or conjunction followed by Q,
    and the collection names Q (three characters or more, a name before its kind) on its own in more texts than
    P, two at least. Real names that begin with such a word ("开慧镇", "望岳路", "观沙岭街道") stay: their rest is no
    place named alone; nor does "涉外经济学院" lose its name to the kind "经济学院".

    >>> glued_heads([["进武广新城"], ["武广新城"], ["武广新城小区", "武广新城"], ["开慧镇"]])
    {'进武广新城': '武广新城'}
    """
    count = Counter(p for found in places for p in set(found or ()))
    tags = _dictionary_tags()
    out = {}
    for place, n in count.items():
        for cut_at in (1, 2):
            rest = place[cut_at:]
            if (
                len(rest) >= 3
                and count.get(rest, 0) >= max(2, n + 1)
                and tags.get(place[:cut_at]) in _CLAUSE_HEAD_TAGS
                and not is_common_phrase(name_part(rest))  # "涉外|经济学院": the rest is a kind of place, no name
            ):
                out[place] = rest
                break
    return out


@lru_cache(maxsize=8)  # one collection's names, compiled once
def _names_re(names: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


def _split_names(text: str, names: dict[str, str]) -> list[str]:
    """Learnt names the HMM cut apart in ``text`` ("榔|梨", "因星|沙段"): every word the name shares only in
    part is one jieba lacks, glued by its HMM. Part of a dictionary word ("提高|桥梁" for "高桥") is no name."""
    out: list[str] = []
    blocks: list[re.Match] = []
    for match in _names_re(tuple(names)).finditer(text):
        if match.group() in out:
            continue
        blocks = blocks or list(BLOCK_RE.finditer(text))  # the runs cut() segments one by one, found once
        block = next((b for b in blocks if b.start() <= match.start() and match.end() <= b.end()), None)
        if block is None:
            continue
        pos, start, end, parts = block.start(), match.start(), match.end(), []
        for token in _cut_block(block.group(), True, default_engine()):
            if pos < end and pos + len(token) > start:
                parts.append((token, pos >= start and pos + len(token) <= end))
            pos += len(token)
        known = segmenter().known
        if len(parts) > 1 and all(inside or not known(token) for token, inside in parts):
            out.append(match.group())
    return out


def _glued_name(token: str, names) -> str:
    """The learnt name inside an out-of-dictionary ``token``, with one character glued before or up to two after."""
    if token[1:] in names:
        return token[1:]
    return next((token[:k] for k in (len(token) - 1, len(token) - 2) if k >= 2 and token[:k] in names), "")


# Common words that end road and town names: a name's last character with the suffix ("X坡|路" cut "X|坡路"),
# or a highway or market town ("X公路", "X集镇"); not 马路, 小路, 线路, which say what kind of road.
_NAMED_ROADS_TOWNS = frozenset(["公路", "坡路", "市镇", "集镇", "口镇", "村镇"])
# Single-character suffixes jieba's HMM glues onto the word after them: "甘棠|镇西|坪村", "西地|省常凝市", "四达亭|村盛".
_GLUE_SUFFIXES = frozenset("省市县区镇村路街湖河桥组")  # not 乡: "乡亲|乡爱" are words of home
# Dictionary words made of a suffix and what stands at or near it ("银杉|路旁", "五星|村民们"): after a name, the
# suffix is the name's ("银杉路", "五星村"). Offices name their area the same way ("春华|镇政府").
_SUFFIX_THEN_LOCALITY = re.compile(
    r"^(?:[路街湖河桥][口上旁边段头畔下]|村(?:口|民们?|委会?)|[省市县区镇乡]政府|街道办)$"
)
_ROAD_POINT_RE = re.compile("^路[口上旁边]$")  # not 路段: "驾考|路段" is a stretch used for a purpose
_NATIVE_RE = re.compile("^[省市县区镇乡]人$")
_OFFICE_RE = re.compile(r"^(?:村委会?|[省市县区镇乡]政府|街道办)$")
_GLUE_FIRST = _GLUE_SUFFIXES | frozenset("乡")
# Lakes, rivers and bridges: their character ends many common words (湖水, 过河, 天桥), so only alone after a
# proper name (one jieba lacks or tags as a name) is it a place.
_WATERS = frozenset("湖河桥")
# Landforms that end village and town names in the south ("毛塘铺", "吴寺冲", "黄达嘴", "三角坪"); alone they are
# verbs or common nouns (铺, 冲, 坡), so they take the same proper name before them as a lake does.
_LANDFORMS = frozenset("冲铺塘岭坡港嘴咀坪洲滩垸堤渡")
_INSTITUTIONS = ("学院", "学校", "大学", "中学", "小学", "医院", "幼儿园")
# Characters the HMM glues before a name ("在丽发", "对西地省", "由西地省", "A7|县星沙", "这凉塘路", "因鑫利|家园"):
# prepositions, copulas, verbs of asking, "这", "因" and a code's admin suffix (not "那": 那洪村, 那坡县 are names).
_HEAD_GLUE = frozenset(_PLACE_LEADERS + "省市县区镇乡" + "对由为请向被把给让过系就这因")
# 下穿/上跨: one road crossing another ("东六路下|穿|长永高速"); elsewhere 穿 may begin a name (穿紫河)
_CROSSINGS = {"下": "穿", "上": "跨"}
_CODED_STREETS = frozenset(["路", "大道", "街", "大街", "苑"])
_NUMERALS = "一二三四五六七八九十百零〇两0123456789"
# "一中", "四中", "二幼": the number of a public middle school or kindergarten, its usual name
_NUMBERED_SCHOOL = re.compile("^[一二三四五六七八九十]{1,3}[中幼]$")
# Highways and (army) hospitals go by a number of two or three digits; four are a year ("2019|医院").
_NUMBERED_FACILITIES = frozenset(["国道", "省道", "县道", "医院"])
_NUMBERED_UNIT = re.compile(f"^[{_NUMERALS}]+[组村队号栋期]$")
_OWNER_TAGS = frozenset([None, "ns", "nz", "nt", "nr", "nrt", "nrfg"])  # not in the dictionary, or a proper noun
_NAME_TAGS = frozenset([None, "ns", "nr", "nrt", "nrfg"])  # not in the dictionary, or a place's or person's name


def _clause_like(name: str, numerals: bool = True) -> bool:
    """A function character, grammar character or numeral in a would-be name: a clause, not a name."""
    return bool(
        _GRAMMAR_CHARS.search(name)
        or set(name) & _FUNCTION_CHARS
        # "一是", "小二型": a count or an ordinal; a longer name may hold a numeral ("四达亭", "三一重工")
        or (numerals and set(name) & set(_NUMERALS) and (len(name) <= 2 or name[0] not in _NUMERALS))
    )


def _owns_landform(prev: str, stop, concepts) -> bool:
    """Whether ``prev`` is a proper name that a lake, river or landform character after it belongs to."""
    return (
        len(prev) >= 2
        and _dictionary_tags().get(prev) in _OWNER_TAGS
        and _is_name_word(prev, stop, concepts)
        and not _clause_like(prev)  # "这座|桥"
        # a word the HMM ended with a locality says where, not which ("层内|铺面")
        and not (prev[-1] in _LOCALITY_ENDS and not segmenter().known(prev))
    )


_LOCALITY_ENDS = frozenset("内外上下旁边中里前后")


def _unglue(raw: list[str]) -> tuple[list[str], frozenset[int]]:
    """Move a suffix off the word the HMM glued it to onto the name before it (see ``_GLUE_SUFFIXES``):
    "西地|省常凝市" becomes "西地省|常凝市", one name as the letter meant it. Returns the tokens and the
    positions of the names so completed (nothing before them is part of the name)."""
    out: list[str] | None = None
    whole: set[int] = set()
    for i, token in enumerate(raw):
        # cheap test first: most tokens glue nothing
        cut_at = _glued_suffix(raw, i) if i and len(token) > 1 and token[0] in _GLUE_FIRST else 0
        if cut_at and out is None:
            out = list(raw[:i])
        if out is not None and cut_at:
            out[-1] += token[:cut_at]
            whole.add(len(out) - 1)
            out.append(token[cut_at:])
        elif out is not None:
            out.append(token)
    return (raw, frozenset()) if out is None else (out, frozenset(whole))


def _glued_suffix(raw: list[str], i: int) -> int:
    """Length of the suffix glued at the start of ``raw[i]`` that belongs to the name before it, else 0."""
    token = raw[i]
    if i == 0 or len(token) < 2 or token[0] not in _GLUE_FIRST:  # cheap test first: most tokens glue nothing
        return 0
    if token[0] not in _GLUE_SUFFIXES and not _SUFFIX_THEN_LOCALITY.match(token):
        return 0
    prev = raw[i - 1]
    if _NUMBERED_UNIT.match(prev) or prev.endswith(place_suffixes()):
        # "余家村|八组|村民", "烂泥皂组|村民": a place of its own, or a numbered unit of the one before, ends there
        return 0
    if _CODE_NAME_RE.match(prev):
        return 1 if _SUFFIX_THEN_LOCALITY.match(token) else 0
    if not _SUFFIX_THEN_LOCALITY.match(token) and (
        len(token) > 5 or token[1:] == "道" or segmenter().known(token)  # "拓宽|村道": a kind of road
    ):
        return 0
    # Only a name owns the suffix: a word jieba lacks, or one it tags as a place or person's name ("甘棠|镇西",
    # "雷锋|镇至"); a locality word only a province or city ("西地|省常凝市"). Its own tag "nz" is too loose
    # ("普通|村民", "全体|村组"), and a made-up word with a function character or numeral is a clause ("多为|村").
    tag = _dictionary_tags().get(prev)
    owner = (
        len(prev) >= 2
        and (
            tag in _NAME_TAGS
            or (tag == "s" and token[0] in "省市")
            or (tag == "nz" and _OFFICE_RE.match(token))  # "春华|镇政府"
            # "铜梁|区人", "路口|镇人": where someone is from; a common noun names towns ("路口镇") too
            or (tag in ("n", "s", "nz") and _NATIVE_RE.match(token))
        )
        # an ordinary word after it ("村民", "路口") takes a name jieba knows ("五星|村民"), not a made-up word
        # ("多为|村民", "原住|村民"); an office names its area after any name ("王坊|乡政府"), and so does a road's
        # point ("迎丰|路上"): no word ends in 路 as 村 ends 原住村 (an old home)
        and not (
            tag is None
            and _SUFFIX_THEN_LOCALITY.match(token)
            and not _OFFICE_RE.match(token)
            and not _ROAD_POINT_RE.match(token)
        )
        and _is_name_word(prev, stopwords(), domain_words())
        and not (tag is None and _clause_like(prev))
    )
    return (2 if token.startswith("街道") else 1) if owner else 0


def _place_matches(raw: list[str], whole: frozenset[int] = frozenset()):
    suffixes = place_suffixes()
    concepts = domain_words()
    stop = stopwords()
    known = segmenter().known
    last_chars = _suffix_last_chars()
    tags = _dictionary_tags()
    for i, token in enumerate(raw):
        if token in _NUMBERED_FACILITIES and i and raw[i - 1].isdigit() and 2 <= len(raw[i - 1]) <= 3:
            yield raw[i - 1] + token, [raw[i - 1], token]  # "107|国道", "415|医院": named by their number
            continue
        if token[-1:] in "中幼" and _NUMBERED_SCHOOL.match(token):
            if not (i + 1 < len(raw) and raw[i + 1].startswith("年")):  # "一|中年男性"
                yield token, [token]  # "三中", "五幼": public schools go by their number
            continue
        if token in _WATERS or token in _LANDFORMS:
            if i and _owns_landform(raw[i - 1], stop, concepts):
                yield raw[i - 1] + token, [raw[i - 1], token]  # "白鹭|湖", "毛塘|铺": a lake, a village of a name
            continue
        if not token or token[-1] not in last_chars:  # cheap test first: most tokens end no place
            continue
        if not token.endswith(suffixes) or (token in concepts and token not in suffixes):
            continue
        if (
            i + 1 < len(raw)
            and raw[i + 1] in suffixes
            # a coded area is whole before a name's suffix or its own repeated ("L10|县|县有关领导", "M9|县|园|街道");
            # "D5|县|市" is two suffixes glued, no area
            and not (
                token in _ADMIN
                and i > 0
                and _CODE_NAME_RE.match(raw[i - 1])
                and (raw[i + 1] not in _ADMIN or raw[i + 1] == token)
            )
        ):
            continue  # "新城" + "小区": the place ends at the later suffix
        if i + 1 < len(raw) and raw[i + 1] in _ORGANISATION_ENDS and token not in _ADMIN:
            continue  # "铁建大桥|局", "某某广场|集团": the name of an organisation, not a place
        # "东|六路", "新|五路", "远大|二路": a numbered road after a position or a name; not "走了|一路" (all the way)
        numbered = (
            tags.get(token) == "m"
            and i > 0
            and (
                raw[i - 1] in _POSITION_IN_NAME
                or (
                    len(raw[i - 1]) >= 2
                    and token[0] != "一"
                    and tags.get(raw[i - 1]) in (None, "ns", "nz", "b")
                    and raw[i - 1] not in stop
                    and not _clause_like(raw[i - 1])
                )
            )
        )
        # "石星|农贸市场", "莲化|步行街": a kind of place (a common word of three characters or more) after a
        # proper name is that name's place, as a suffix is
        kind = (
            (
                len(token) >= 3
                and i > 0
                and token not in _GENERIC_TYPES
                and len(raw[i - 1]) >= 2
                and not token.endswith("组")  # "巡视组", "工作组": a team, whoever sent it
                and token[: -_suffix_len(token)] not in _GENERIC_MODIFIERS  # "水泥路": a surface, no place's type
                and tags.get(raw[i - 1]) in _OWNER_TAGS
                and not (i > 1 and raw[i - 2].isdigit())  # "1|号栋|商业街": a number's unit is no name
                and _is_name_word(raw[i - 1], stop, concepts)
            )
            or (
                # "白竹|坡路", "石期|市镇", "醴官|公路": after a name jieba lacks or knows as a place, these words are
                # its road or town (the HMM took the name's last character, or the road is a highway)
                token in _NAMED_ROADS_TOWNS
                and i > 0
                and 2 <= len(raw[i - 1]) <= 3
                and tags.get(raw[i - 1]) in (None, "ns")
                and raw[i - 1][0] not in _CLAUSE_ENDERS  # "离主|公路": a preposition opens a clause
                and _is_name_word(raw[i - 1], stop, concepts)
                and not _clause_like(raw[i - 1])
            )
        )
        if token not in suffixes and known(token) and tags.get(token) not in _PROPER_TAGS and not numbered and not kind:
            # 校园, 县城, 居民区, 水泥路, 线路, 全省 are ordinary words, whatever stands before them ("硬化道路",
            # "名列全省"): only a proper noun of its own ("东六路") or a suffix after a name is a place.
            continue
        if (
            token not in suffixes
            and known(token)
            and (i == 0 or not _is_name_word(raw[i - 1], stop, concepts))
            and (token.endswith(_ESTATE) or token in _GENERIC_TYPES)
            # "对面|李家湾": after a word of where, a proper name of its own ("对面|托育园" is a kind)
            and not (i > 0 and raw[i - 1] in _RELATIONAL and len(token) >= 3 and tags.get(token) in _PROPER_TAGS)
        ):
            continue  # an estate suffix always needs the name
        if len(token) > 1 and set(token) <= _ADMIN and not kind:
            continue  # "县市": glued suffixes with no name (after a name, "石岭|市镇" is its town)
        if token in _CODED_STREETS and i > 1 and raw[i - 1] in _ADMIN and _CODE_NAME_RE.match(raw[i - 2]):
            # "A1|区|大道": where the publisher masked a name that is also an area's ("芙蓉区"), its road stays
            yield "".join(raw[i - 2 : i + 1]), raw[i - 2 : i + 1]
            continue
        if (
            token in _ADMIN
            and token != "镇"  # towns take ordinary words as names ("文星镇", "新厂镇", "路口镇"); 乡 ends 家乡, 回乡
            and i > 0
            and not _CODE_NAME_RE.match(raw[i - 1])
            and tags.get(raw[i - 1]) not in _PROPER_TAGS
            and known(raw[i - 1])
        ):
            continue  # "时任县", "个别县", "病患省": a bare 县/省 after an ordinary word names no area
        if len(token) == 2 and token[-1] in _ADMIN and token[0] in _FUNCTION_CHARS and not known(token):
            continue  # "按省", "向市", "属市": HMM glued a preposition or verb to the suffix
        # Walk back over earlier suffix words ("丽发|新城|小区"), then a few short name words.
        # a name completed by _unglue is whole ("铜梁区"): its own characters are the name, whatever the word before
        j, name_chars = i, 0 if (token in suffixes or kind) and i not in whole else len(token)
        limit = 4  # name characters; compound estates ("伊景园滨河苑") may have six
        while j > 0 and i not in whole:  # a name completed by _unglue is whole ("申请人|西地省")
            prev = raw[j - 1]
            if _CODE_NAME_RE.match(prev):
                # A code ("A7") is a whole name: "A7" + "县" is a place, never "投诉A7县". Masks are capitals;
                # "c区", "b栋" are parts of an estate.
                if j == i and token in _ADMIN and prev[0].isupper():
                    j, name_chars = j - 1, len(prev)
                break
            if prev == "之" and (j < i or token in _ESTATE):  # "魅力之城小区", "万科魅力之城"
                j -= 1
                continue
            if tags.get(prev) == "vn" and j < i:
                break  # "建设|口袋公园", "启动|同鑫家园": an act before the name ("建设大道", "培训学校" are names, kinds)
            # not a name word ends the name, except a position character right before the suffix that belongs
            # to a preceding name ("府|前|社区"), or a landform after a name ("夏铎|铺|镇")
            landform = prev in _LANDFORMS and j > 1 and _owns_landform(raw[j - 2], stop, concepts)
            if (
                not landform
                and not _is_name_word(prev, stop, concepts)
                and not (
                    j == i
                    and prev in _POSITION_IN_NAME
                    and j > 1
                    and _is_name_word(raw[j - 2], stop, concepts)
                    and not _CODE_NAME_RE.match(raw[j - 2])
                    and bool(known(raw[j - 2]))  # "撤场|后|小区": a word the HMM made up is a clause, not a name
                )
            ):
                break
            # Out-of-dictionary words ending in an estate suffix are HMM-glued names ("景园", "区谷园").
            is_suffix = prev.endswith(suffixes) and len(prev) <= 3 and (bool(known(prev)) or not prev.endswith(_ESTATE))
            # "北苑|街道": right before an area suffix, a word ending in a suffix is the area's name
            if is_suffix and name_chars == 0 and not (j == i and token in _AREA_SUFFIXES):
                j -= 1
                continue
            # A sub-estate word ("景园" in "伊景园滨河苑") is part of the name, other suffixes end it.
            limit = 6 if prev.endswith(_ESTATE) else limit
            if (is_suffix and not prev.endswith(_ESTATE)) or (name_chars and len(prev) + name_chars > limit):
                break
            j, name_chars = j - 1, name_chars + len(prev)
            if len(prev) >= 2 and prev[0] in _PLACE_LEADERS and not known(prev):
                break  # "路口|至金|港湾|酒店": a preposition the HMM glued on opens the name
        if not name_chars and j < i and token in suffixes and i not in whole:
            # "白关镇|石湾|村", "A6|区|玫瑰园|社区": no name before the words ending like a suffix, so the last of
            # them is the name, if a name jieba knows or lacks, or an estate's longer than a suffix ("花园|小区")
            prev = raw[i - 1]
            if (
                prev not in suffixes
                and len(prev) >= 2
                and (tags.get(prev) in _NAME_TAGS or (len(prev) >= 3 and prev.endswith(_ESTATE)))
                and _is_name_word(prev, stop, concepts)
            ):
                j, name_chars = i - 1, len(prev)
        # "科技|职业|技术|学院": ordinary words before the suffix name a kind of place; the name is the word before
        if j > 0 and name_chars and _is_kind("".join(raw[j : i + 1]), suffixes):
            prev = raw[j - 1]
            if (
                prev not in _ADMIN
                and not _CODE_NAME_RE.match(prev)
                and len(prev) <= 4
                and tags.get(prev) != "vn"  # "建设|石碑中学": an act, not the name
                and _is_name_word(prev, stop, concepts)
            ):
                # an institution takes an ordinary word as its name ("航空|职业技术学院"); other kinds only a
                # name ("申请人|西地省", "且|地下|停车场", "石材|加工区"), else they are a kind, not a place
                if not (token.endswith(_INSTITUTIONS) or (tags.get(prev) in _OWNER_TAGS and not _clause_like(prev))):
                    continue
                j, name_chars = j - 1, name_chars + len(prev)
        if token in _GENERIC_TYPES:
            continue  # "全国|文明城市", "9月份|开园": a kind of place, or an act, whatever stands before it
        if numbered and j == i:
            j -= 1  # the position or name the number belongs to ("新" is a stopword alone)
        parts = raw[j : i + 1]
        while parts and parts[0] == "之":
            parts = parts[1:]
        crossing = _CROSSINGS.get(raw[j - 1], "") if j > 1 and raw[j - 2][-1:] in "路道街线桥" else ""
        if len(parts) > 1 and crossing and (parts[0] == crossing or (parts[0][0] == crossing and not known(parts[0]))):
            parts = [parts[0][1:], *parts[1:]] if len(parts[0]) > 1 else parts[1:]  # "下|穿" or "上|跨京|港澳"
        head = parts[0] if parts else ""
        # HMM glues a preposition ("在丽发") or a code's admin suffix ("A7|县星沙") onto the
        # name; dictionary words ("和平", "市场") are never cut.
        coded = j > 0 and _CODE_NAME_RE.match(raw[j - 1])
        # an admin suffix at the head is a code's ("A7|县星沙") or one of an idiom ("镇容镇|貌"); else it begins
        # the name ("在|镇泰|幼儿园")
        if (
            len(head) >= 2
            and not known(head)
            and head[0] in _HEAD_GLUE
            and (head[0] not in _ADMIN or coded or head[-1] in _ADMIN)
        ):
            if head[0] in _ADMIN and coded:
                yield raw[j - 1] + head[0], [raw[j - 1], head[0]]
            head = head[1:]
            # "仍为|民办幼儿园": what is left of the head may be a function character too
            parts = (
                [head] if head not in _FUNCTION_CHARS | {"为"} and not _GRAMMAR_CHARS.fullmatch(head) else []
            ) + parts[1:]
        if not numbered and (
            (len(parts) > 1 and all(part in _GENERIC_MODIFIERS or part in suffixes for part in parts[:-1]))
            or (len(parts) == 1 and parts[0][: -_suffix_len(parts[0]) or None] in _KINDS_IN_ONE_WORD)
        ):
            continue  # "民办幼儿园", "配套幼儿园", "生态公园", "公立医院": a kind of place, not a named one
        if len(parts) > 2 and parts[-2] in _OWNERSHIP_KINDS:
            continue  # "某楼盘|配套|幼儿园", "区教育局|公办|幼儿园": a kind of place that something has
        name = "".join(parts)
        suffix_len = _suffix_len(name)
        if name.endswith("环") and name[-2:-1] not in _NUMERALS:
            continue  # ring roads are numbered ("西二环", "东一环"); "街道|环卫" is no road
        if (
            len(name) > suffix_len
            and name[-suffix_len:] in _PROPER_NAME_SUFFIXES
            and (
                is_common_phrase(name[:-suffix_len])
                or name[0] in _GLUE_SUFFIXES
                or _clause_like(name[:-suffix_len], numerals=not name.endswith("国道"))
            )
        ):
            # "距离高速", "专项组": ordinary words before these suffixes say where or what, not which;
            # "村通组" (公路), "庙七组", "小二型水库", "各大景区", "落实我组": a kind, a number, a clause
            continue
        # A place needs two name characters before its suffix, or a code ("A市").
        if (name_chars and len(name) - suffix_len >= 2) or _CODE_NAME_RE.match(name[:-suffix_len] or "-"):
            yield name, parts


_ORGANISATION_ENDS = frozenset(["局", "集团", "公司", "有限公司"])
# Suffixes that follow ordinary words as often as names ("距离高速", "工作组", "研究洞庭湖"): only a name that is no
# phrase of ordinary words makes them a place ("醴娄高速", "吴寺冲组").
_PROPER_NAME_SUFFIXES = frozenset(
    ["高速", "大桥", "国道", "水库", "组", "景区", "风景区", "停车场"]
    # facilities go by a proper name too ("明诚驾校", "天晟大酒店", "某某故居"), kinds by ordinary words ("五星级酒店")
    + ["驾校", "酒店", "别墅", "故居", "隧道", "渔场", "林场", "商场", "超市"]
)
# jieba's dictionary tags of words that are never part of a place name: verbs, adverbs, prepositions,
# numerals, pronouns, conjunctions, time words, quantifiers, particles, localities, distinguishing words
# ("看着马路", "恢复保利广场", "三个小区", "附近小学", "整个小区"). Verbal nouns (vn: 建设路) and
# adjectives (幸福里) stay names.
_NOT_NAME_TAGS = frozenset(
    [
        "v",
        "vd",
        "vi",
        "vq",
        "d",
        "p",
        "m",
        "mq",
        "r",
        "rr",
        "rz",
        "c",
        "t",
        "tg",
        "q",
        "u",
        "ud",
        "ug",
        "uj",
        "ul",
        "uv",
        "uz",
        "f",
        "y",
        "e",
        "o",
        "b",
    ]
)
# A dictionary word ending in a place suffix with no name before it is a place only if it is a proper
# noun ("东六路", "五一广场"); common nouns are not ("居民区", "高速公路", "快速路").
_PROPER_TAGS = frozenset(["ns", "nz", "nt", "nr", "nrt", "nrfg"])
_PERSON_TAGS = frozenset(["nr", "nrt", "nrfg"])
# Dictionary words tagged as proper nouns that still name a kind of place, not one place.
_GENERIC_TYPES = frozenset(
    [
        "城市",
        "文明城市",
        "老城区",
        "周边地区",
        "城中村",
        "各乡镇",
        "乡镇",
        "大型超市",
        "美丽乡村",
        "新农村",
        "开园",
        "上路",
        "新建",
        "高楼大厦",
        "大马路",
    ]
)
# Kinds by who runs or owns a place: what stands before them is its owner, not its name.
_OWNERSHIP_KINDS = frozenset(
    [
        "民办",
        "公办",
        "配套",
        "普惠",
        "普惠性",
        "普惠制",
        "私立",
        "公立",
        "楼盘",
        "省属",
        "市属",
        "县属",
        "区属",
        "镇属",
        "部属",
    ]
)
# Kinds of service: "综合医院", "专科医院", "养老公寓".
_SERVICE_KINDS = frozenset(["综合", "专科", "养老"])
# Kinds jieba writes as one word with their suffix ("公立医院", "专科医院"); not "中心医院", a hospital's usual name.
_KINDS_IN_ONE_WORD = _OWNERSHIP_KINDS | _SERVICE_KINDS
# Words that say what kind a place is, never which one: "民办幼儿园", "配套幼儿园", "生态公园", "水泥路".
# (every kind by owner among them: "市属中学" is a school the city runs, not one named school)
_GENERIC_MODIFIERS = _KINDS_IN_ONE_WORD | frozenset(
    [
        "城镇",  # "城镇小区配套幼儿园", "农村公路": which kind of area, not which place
        "农村",
        "城市",
        "城区",
        "老旧",
        "品牌",
        "标准",
        "生态",
        "口袋",  # "口袋公园": a pocket park, a kind
        "基层",
        "中心",
        "周边",
        "附近",
        "对面",
        "旁边",
        "门口",
        "大门口",
        "全",
        "各",
        "该",
        "某",
        "本",
        "此",
        "这",
        "那",
        "条",
        "老",
        "新",
        "原",
        "大型",
        "小型",
        "现代化",
        "新建",
        "在建",
        "简易",
        "正规",
        "最美",
        "最低",
        "美丽",
        "文明",
        "历史",
        "旅游",
        "服务",
        "影响",
        "管理",
        "调整",
        "考试",
        "区域",
        "电线",
        "水电",
        "建筑",
        "房地产",
        "人才",
        "公司",
        "大楼",
        "对外",
        "宣传",
        "硬化",
        "水泥",
        "柏油",
        "泥巴",
        "黄土",
        "烂尾",
        "绿化",
        "适用房",
        "安置",
        "商品房",
        "高档",
        "附属",
    ]
)


@lru_cache(maxsize=1)
def _dictionary_tags() -> dict[str, str]:
    """Part-of-speech tag of every word in jieba's dictionary (rjieba embeds the same words, not the tags)."""
    import jieba

    tags = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


# Tags of words that name nothing on their own: adverbs, pronouns, conjunctions, prepositions, particles,
# numerals, measure words, time and locality words, modal particles, interjections.
_FUNCTION_TAGS = frozenset(["d", "r", "rr", "rz", "c", "p", "u", "ud", "ug", "uj", "ul", "uv", "uz", "m", "mq", "q"])
_FUNCTION_TAGS |= frozenset(["t", "tg", "f", "y", "e", "o", "zg"])
# Characters that never stand inside a word the HMM found and that names a thing: adverbs, negations, particles,
# prepositions, question words ("从来不", "听说哪个", "人太多", "西往东").
_GRAMMAR_CHARS = re.compile("[太很最更都也又就还才被把的了着过得往向从在没不哪吗呢吧啊个]")


def is_content_word(word: str) -> bool:
    """Whether ``word`` names something (a thing, an act, a quality), as a label or a name needs: not a function
    word of jieba's dictionary ("整天", "之间", "从来"), nor a clause fragment its HMM glued ("从来不")."""
    tag = dictionary_tag(word)
    if tag is None or tag in _PROPER_TAGS:  # jieba tags fragments as names too ("西往东" nr)
        return not _GRAMMAR_CHARS.search(word)
    return tag not in _FUNCTION_TAGS


def dictionary_tag(word: str) -> str | None:
    """jieba's part-of-speech tag of ``word`` in its dictionary (None when it lacks the word)."""
    return _dictionary_tags().get(word)


def is_proper_noun(word: str) -> bool:
    """Whether ``word`` is a name to jieba: missing from its dictionary (found by its HMM, "余易贷") or
    tagged there as a proper noun ("温斯顿", "东六路"); idioms and common compounds are not."""
    if word in domain_words():  # "虚假宣传", "渣土车": the governance concepts we added are common words
        return False
    tag = _dictionary_tags().get(word)
    return tag is None or tag in _PROPER_TAGS


@lru_cache(maxsize=1 << 16)
def _suffix_len(name: str) -> int:
    """Length of the longest place suffix ``name`` ends with (0 when none)."""
    return next((len(s) for s in place_suffixes() if name.endswith(s)), 0)


@lru_cache(maxsize=1 << 16)  # names recur: decide each once
def _is_kind(token: str, suffixes) -> bool:
    """ "职业技术学院", "实验中学": ordinary words before a place suffix name a kind of place, not one place."""
    name = name_part(token, suffixes)
    return name != token and is_common_phrase(name)


def name_part(name: str, suffixes=None) -> str:
    """What a place name says before its kind: "实验" of "实验中学", "丽发" of "丽发新城"."""
    suffixes = place_suffixes() if suffixes is None else suffixes
    cut = max((len(s) for s in suffixes if name.endswith(s) and len(s) < len(name)), default=0)
    return name[: len(name) - cut]


@lru_cache(maxsize=1 << 16)
def is_common_phrase(text: str) -> bool:
    """Whether ``text`` is made of ordinary dictionary words only ("实验", "职业技术"), as opposed to a name
    ("丽发", "伊景园滨河": single characters or words the dictionary lacks or tags as proper nouns)."""
    known = segmenter().known
    pieces = segmenter().cut(text, False)
    return bool(pieces) and all(len(p) >= 2 and known(p) and not is_proper_noun(p) for p in pieces)


@lru_cache(maxsize=1 << 16)
def is_mistagged_phrase(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a person's name although it is two ordinary words ("大力|支持",
    "安全|措施", "家里|人" are tagged so there): real names do not split so ("温斯顿", "马建军")."""
    if _dictionary_tags().get(word) not in _PERSON_TAGS:
        return False
    known = segmenter().known

    def ordinary(part: str) -> bool:
        return known(part) and not is_proper_noun(part) and _dictionary_tags().get(part) is not None

    # the first part a word of two characters or more: "马|建军", "林|豆豆" are a surname and a given name
    return any(ordinary(word[:k]) and ordinary(word[k:]) for k in range(2, len(word)))


def _is_name_word(token: str, stop, concepts) -> bool:
    """Whether ``token`` can be part of a place name (not a verb, number or function word)."""
    tag = _dictionary_tags().get(token)
    return not (
        token in stop
        or token in concepts
        or token in _NOT_NAME
        or token.startswith(("[", "不", "没"))
        or tag in _NOT_NAME_TAGS
        or (len(token) == 2 and token[-1] in _CLAUSE_ENDERS and (tag is None or token[-1] in "把被"))
        or not _WORDLIKE_RE.search(token)
        or _TIME_RE.search(token)
    )


def extract_groups(text: str) -> list[str]:
    """Groups of people (人群) mentioned in ``text``, longest names first, no overlaps."""
    found: list[str] = []
    for g in groups():
        if g in text and not any(g in f for f in found):
            found.append(g)
    return found


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
