"""The text of a 社情民意信息 drafted from evidence: a title, 基本情况 with the figures and a few quotes,
存在问题 and 意见建议 seeded from what residents themselves wrote, each marked for the member to rewrite.

Residents' sentences are cut from their letters, in simplified characters (繁體 converted first), openers
like "我是…的居民" and a resident's own numbering ("二是") dropped, courtesies ("谢谢", "辛苦了", "望回复")
cut from the sentence and a sentence of courtesies alone left out; a
sentence several other candidates' letters share too ("希望能给我们一个答复") says nothing about this
matter and is left out. Sentences that say the same thing are counted together, and the ones most
residents said come first. Quotes are masked (``toolkit.outputs.mask_text``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from toolkit.opinion.source import Evidence
from toolkit.text import to_simplified

MAX_CHARS = 1500  # 一事一报: a 社情民意信息's body, in characters
REWRITE = "【待委员改写】"
HEADINGS = ("一、基本情况", "二、存在问题", "三、意见建议")
ORDINALS = "一二三四五六七八九十"

_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")
_CUE = re.compile(r"建议|希望|应当|应该|要求|呼吁|恳请|请求|期盼|盼望|能否|能不能|最好|尽快")
_LEAD_CUE = re.compile(
    r"^(强烈|迫切|真诚|诚恳)?(建议|希望|要求|呼吁|恳请|请求|期盼|盼望)(政府|有关部门|相关部门)?(能够|能|可以|尽快)?"
)
_OPENERS = [
    re.compile(
        r"^(尊敬的)?[^，,：:！!。]{0,8}?(委员|领导|同志|书记|主任|市长|区长|县长)们?[，,：:！!]*(您好|你好)?[，,：:！!]*"
    ),
    re.compile(r"^(您好|你好|大家好)[，,：:！!]*"),
    re.compile(r"^(我家|我|本人)(是|家住|住在|住)[^，,：:。！!]{0,20}[，,：:]"),
    re.compile(r"^[^，,：:。！!]{0,15}?(居民|群众|村民)反映[：:，,]*"),
    re.compile(r"^我(想|要)?反映(一个|一下)?(问题|情况)?[：:，,]*"),
    re.compile(r"^(第?[一二三四五六七八九十\d]{1,2}(是|、|[.．)）])|[（(][一二三四五六七八九十\d]{1,2}[)）])"),
]
# a clause holding one of these is a courtesy or a closing, not the matter: cut from the sentence
_COURTESY = re.compile(
    r"谢谢|多谢|感谢|此致|敬礼|望采纳|麻烦.{0,6}反映|帮忙反映|辛苦(了|啦|您|你|大家)"
    r"|(盼|望|期待|希望|请)(您|你们)?(能)?(尽快|早日|及时)?(回复|答复|回音|复)"
)
_PUNCT = re.compile(r"[\s\W_]+")


@dataclass
class DraftText:
    """The parts of a draft; ``body()`` is what is counted against ``MAX_CHARS``."""

    title: str
    situation: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def sections(self) -> list[tuple[str, list[str], bool]]:
        """(heading, paragraphs, marked for rewriting) in order."""
        return [
            (HEADINGS[0], self.situation, False),
            (HEADINGS[1], self.problems, True),
            (HEADINGS[2], self.suggestions, True),
        ]

    def body(self) -> dict:
        return {"situation": self.situation, "problems": self.problems, "suggestions": self.suggestions}

    def chars(self) -> int:
        """字数 of the body as printed (headings and paragraphs; spaces and the rewrite marks not counted)."""
        return count_chars([h for h, _, _ in self.sections()] + self.situation + self.problems + self.suggestions)


def count_chars(parts) -> int:
    return sum(len(re.sub(r"\s+", "", str(p).replace(REWRITE, ""))) for p in parts)


def subject_of(label: str) -> str:
    """What a title or a 选题 is about: 石桥村：心理关心 -> 石桥村心理关心问题."""
    subject = re.sub(r"[：:、，,\s]+", "", str(label or "")).strip() or "群众反映集中"
    return subject if subject.endswith(("问题", "难", "不足", "隐患")) else subject + "问题"


def title_of(label: str) -> str:
    """The title of a draft: 石桥村：心理关心 -> 关于石桥村心理关心问题的建议."""
    return f"关于{subject_of(label)}的建议"


def blank(title: str) -> DraftText:
    note = "（在此填写{}）"
    return DraftText(
        title=title,
        situation=[note.format("时间、地点、涉及人数等基本情况")],
        problems=[note.format("存在的主要问题")],
        suggestions=[note.format("具体的意见建议，一条一段")],
    )


def compose(evidence: Evidence, *, quotes: int = 3, problems: int = 3, suggestions: int = 4) -> DraftText:
    """A draft of ``evidence``'s candidate: figures and quotes, then residents' problems and suggestions."""
    from toolkit.outputs import mask_text, unneutralise

    msgs = evidence.messages.copy()
    msgs["text"] = msgs["text"].map(lambda t: to_simplified(unneutralise(str(t or ""))))
    msgs["extra"] = msgs["extra"].map(lambda t: to_simplified(unneutralise(str(t or ""))))
    shared = _shared_sentences(evidence.others)
    keys = _keywords(evidence)
    said = _sentences(msgs, shared)
    problem_groups = _groups([s for s in said if not s["cue"]], keys, need_key=not shared)
    suggestion_groups = _groups([s for s in said if s["cue"]], keys, need_key=False)

    situation = [_figures(evidence, msgs)]
    picked = _quotes(problem_groups, quotes)
    if picked:
        situation.append("群众反映：" + "".join(f"“{mask_text(q)}”" for q in picked) + "。")
    problem_lines = [
        f"{ORDINALS[i]}是{_clause(g['text'])}{_voices(g)}。" for i, g in enumerate(problem_groups[:problems])
    ] or ["（留言中没有找到可直接引用的问题描述，请委员根据留言补充）"]
    suggestion_lines = [
        f"{ORDINALS[i]}是{_clause(_LEAD_CUE.sub('', g['text']))}{_voices(g, '提出')}。"
        for i, g in enumerate(suggestion_groups[:suggestions])
    ] or ["（群众留言中没有具体建议，请委员补充）"]
    return DraftText(
        title=title_of(evidence.label),
        situation=situation,
        problems=[mask_text(p) for p in problem_lines],
        suggestions=[mask_text(s) for s in suggestion_lines],
    )


# ---- pieces ----------------------------------------------------------------------------------------------
def _key(sentence: str) -> str:
    return _PUNCT.sub("", sentence)


def _clean(sentence: str) -> str:
    s = sentence.strip().strip("'")
    changed = True
    while changed:
        changed = False
        for pattern in _OPENERS:
            new = pattern.sub("", s, count=1).lstrip("，,：:！! ")
            if new != s:
                s, changed = new, True
    return s.strip()


def _split(text: str) -> list[str]:
    out = []
    for part in _SPLIT.split(str(text or "")):
        s = _clean(part)
        if len(_key(s)) >= 4:
            out.append(s)
    return out


def _clauses(sentence: str) -> list[str]:
    return [c for c in re.split(r"[，,]", sentence) if _key(c)]


def _shared_sentences(others: pd.DataFrame | None) -> set[str]:
    """Clauses found in the letters of at least two other candidates: boilerplate, not this matter."""
    if others is None or others.empty:
        return set()
    seen: dict[str, set] = {}
    for issue, text, extra in zip(others.get("issue_id", []), others["text"], others["extra"]):
        for s in _split(to_simplified(f"{text}。{extra}")):
            for clause in _clauses(s):
                seen.setdefault(_key(clause), set()).add(issue)
    return {k for k, issues in seen.items() if len(issues) >= 2}


def _sentences(msgs: pd.DataFrame, shared: set[str]) -> list[dict]:
    """Each letter's sentences, without its boilerplate clauses and courtesies, once per letter."""
    out = []
    for i, row in enumerate(msgs.itertuples(index=False)):
        seen = set()
        for s in _split(f"{row.text}。{row.extra}"):
            s = "，".join(c.strip() for c in _clauses(s) if _key(c) not in shared and not _COURTESY.search(c))
            k = _key(s)
            if len(k) < 4 or k in seen:
                continue
            seen.add(k)
            out.append({"text": s, "key": k, "who": row.respondent or row.message_id or i, "cue": bool(_CUE.search(s))})
    return out


def _keywords(evidence: Evidence) -> list[str]:
    row = evidence.candidate
    words = str(row.get("keywords") or "").split()
    words += [w for w in re.split(r"[：:、，,\s]+", evidence.label) if len(w) >= 2]
    if row.get("anchor"):
        words.append(str(row["anchor"]))
    return [w for w in dict.fromkeys(words) if len(w) >= 2]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _groups(sentences: list[dict], keys: list[str], *, need_key: bool) -> list[dict]:
    """Sentences that say the same thing (character-bigram overlap) as one group: its most common wording,
    how many people said it; the groups most people said first, then those naming the matter's key words."""
    groups: list[dict] = []
    for s in sentences:
        hits = sum(k in s["text"] for k in keys)
        if need_key and not hits:
            continue
        grams = _bigrams(s["key"])
        for g in groups:
            if len(grams & g["grams"]) / len(grams | g["grams"]) >= 0.5:
                g["who"].add(s["who"])
                g["wordings"][s["text"]] += 1
                break
        else:
            groups.append({"grams": grams, "who": {s["who"]}, "wordings": Counter({s["text"]: 1}), "hits": hits})
    for g in groups:
        # the most common wording; among equals the shortest (a quote, not a letter)
        g["text"] = min(g["wordings"], key=lambda w: (-g["wordings"][w], len(w), w))
    return sorted(groups, key=lambda g: (-len(g["who"]), -g["hits"], len(g["text"]), g["text"]))


def _clause(text: str) -> str:
    return re.sub(r"[。！？!?；;，,\s]+$", "", text.strip())


def _voices(group: dict, verb: str = "反映") -> str:
    n = len(group["who"])
    return f"（{n}人{verb}）" if n >= 2 else ""


def _quotes(groups: list[dict], n: int) -> list[str]:
    """Up to ``n`` short verbatim sentences (at most 40 characters), one per group, most said first."""
    out = []
    for g in groups:
        short = sorted((w for w in g["wordings"] if 6 <= len(w) <= 40), key=lambda w: (-g["wordings"][w], len(w)))
        if short:
            out.append(_clause(short[0]))
        if len(out) >= n:
            break
    return out


def _span(first, last) -> str:
    a, b = pd.to_datetime(first, errors="coerce"), pd.to_datetime(last, errors="coerce")
    if pd.isna(a) or pd.isna(b):
        return "近期"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.year}年{a.month}月"
    if a.year == b.year:
        return f"{a.year}年{a.month}月至{b.month}月"
    return f"{a.year}年{a.month}月至{b.year}年{b.month}月"


def _spread(values: pd.Series, unit: str, top: int = 3) -> str:
    """How residents spread over 镇街 or 界别, such as 3个镇街（青石镇36条，河口镇2条，龙泉镇1条）; empty when unknown."""
    names = values.dropna().map(lambda v: re.sub(r"（.*?）|\(.*?\)", "", str(v)).strip())
    counts = Counter(n for n in names if n and n.lower() != "nan")
    if not counts:
        return ""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = "，".join(f"{name}{n}条" for name, n in ranked[:top]) + ("等" if len(counts) > top else "")
    return f"{len(counts)}个{unit}（{shown}）"


def _figures(evidence: Evidence, msgs: pd.DataFrame) -> str:
    row = evidence.candidate
    voices = int(float(row.get("n_voices") or len(msgs)))
    messages = int(float(row.get("n_messages") or len(msgs)))
    span = _span(row.get("first_seen") or msgs["time"].min(), row.get("last_seen") or msgs["time"].max())
    subject = re.sub(r"[：:]", "", evidence.label) or "这一问题"
    text = f"{span}，共有{voices}位群众反映{subject}问题（留言{messages}条）"
    anchor, share = row.get("anchor"), float(row.get("anchor_share") or 0)
    if anchor and share >= 0.5:
        text += f"，{share:.0%}的反映人提到{anchor}"
    elif row.get("places"):
        places = [p for p in str(row["places"]).split("、") if p][:3]
        text += f"，涉及{'、'.join(places)}"
    spread = [s for s in (_spread(msgs["district"], "镇街"), _spread(msgs["sector"], "界别")) if s]
    if spread:
        text += "；反映人分布于" + "和".join(spread)
    return text + "。"
