"""Rank issues (or themes) as 选题 candidates with transparent, normalised, weighted factors.

score = Σ weight_f × factor_f / Σ weight_f over the factors the data supports (each factor in [0, 1]);
热度指数 (heat) = 100 × score. Order: candidates with at least ``min_voices`` voices that are one matter (not
marked 内容分散 by the topic model) first; among them concrete matters (concreteness ≥ 0.5: 小切口) before broad
ones; then by score; ties by more voices, then the later last message, then the smaller id.

>>> from toolkit.agenda import rank_candidates
>>> ranked = rank_candidates(messages, model, keywords=["老旧小区改造", "养老服务"])   # doctest: +SKIP
>>> ranked[["rank", "topic_id", "score", "label", "explanation"]].head()             # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.agenda import factors as F
from toolkit.agenda.errors import AgendaError

DEFAULT_WEIGHTS = {
    # 群众关心 carries the most: a concrete matter raised by 30 people must not sit under 7-letter ones
    "volume": 0.35,  # how many people (one person's repeats once)
    "concreteness": 0.25,  # 小切口: one place, one matter (a broad bucket is not a topic for consultation)
    "intensity": 0.15,  # 急难愁盼: urgent/safety words, likes, Likert priority
    "breadth": 0.10,  # across 界别 and 镇街
    "alignment": 0.05,  # 与党政工作合拍
    "recency": 0.05,
    "growth": 0.05,
}
UNASSIGNED_LABELS = {"未归类"}
MESSAGE_COLUMNS = (
    "id",
    "text",
    "time",
    "respondent",
    "dup_group",
    "likes",
    "dislikes",
    "sector",
    "district",
    "priority",
)


class CandidateRanker:
    """Score and rank candidates; scikit-learn manners (parameters in ``__init__``, results in ``*_``).

    Parameters
    ----------
    weights : dict factor -> weight (missing factors take ``DEFAULT_WEIGHTS``; 0 switches a factor off).
    keywords : 党政中心工作 keywords for the alignment factor (none -> the factor is left out).
    level : "issue" (rank ``topics_``) or "theme" (rank ``themes_``).
    window_days : recency half-life and the growth window, in days.
    now : the reference time; default the latest message (so old data ranks the same every run).
    urgent_words : words marking urgency/safety; default the shipped list.
    merge_similarity : None (the default): a candidate is an issue of the topic model, with the same id, since
        the topic model alone decides which texts are one matter. A number joins issues whose messages are this
        similar on average (character n-grams; ``toolkit.agenda.textsim.same_matter``), for models fitted elsewhere.
    min_voices : candidates raised by fewer distinct voices are listed after all others (``eligible`` False):
        a handful of letters is not 群众关心, however concrete.
    min_cohesion : used only when ``topics`` carries no ``reason``/``cohesion`` of the topic model: candidates whose
        messages are less alike than this (mean pairwise character similarity) are listed after the others, as a
        bag of different matters. With a topic model's issues, its ``reason`` (内容分散) decides, once, in topics.
    """

    def __init__(
        self,
        weights: dict | None = None,
        keywords=None,
        level: str = "issue",
        window_days: float = 90,
        now=None,
        urgent_words=None,
        merge_similarity: float | None = None,
        min_voices: int = 5,
        min_cohesion: float = 0.1,
    ):
        self.weights = weights
        self.keywords = keywords
        self.level = level
        self.window_days = window_days
        self.now = now
        self.urgent_words = urgent_words
        self.merge_similarity = merge_similarity
        self.min_voices = min_voices
        self.min_cohesion = min_cohesion

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, messages: pd.DataFrame, topics: pd.DataFrame, assignments: pd.DataFrame):
        """Score every candidate in ``topics`` from the ``messages`` assigned to it.

        ``messages``: canonical columns (see ``toolkit.agenda.factors``); ``assignments``: id, topic_id,
        theme_id (optionally duplicate_of, similarity), as ``TopicModel.assignments_``; ``topics``: ``topics_`` or
        ``themes_``.
        """
        key = self._key()
        weights = self._validated_weights()
        msgs = self._join(messages, assignments, key)
        now = pd.Timestamp(self.now) if self.now is not None else pd.to_datetime(msgs["time"], errors="coerce").max()
        table = self._factor_table(msgs, topics, key, now)
        used = {f: w for f, w in weights.items() if f in table and w > 0}
        if not used:
            raise AgendaError("agenda.weights_zero")
        total = sum(used.values())
        for f in F.FACTORS:
            table["contrib_" + f] = table[f] * used[f] / total if f in used else 0.0
        table["score"] = table[[f"contrib_{f}" for f in F.FACTORS]].sum(axis=1).round(4)
        table["heat"] = (100 * table["score"]).round(1)
        table = table.reset_index(names=key)
        last = pd.to_datetime(table["last_seen"], errors="coerce")
        table["_last"] = last.fillna(pd.Timestamp.min).astype("int64")
        table["eligible"] = (table["n_voices"] >= self.min_voices) & _one_matter(table, self.min_cohesion)
        # 小切口: concrete matters (one matter, mostly at one place) first, then the broad ones, each by score
        table["concrete"] = table["concreteness"].fillna(0) >= F.CONCRETE
        table = table.sort_values(
            ["eligible", "concrete", "score", "n_voices", "_last", key],
            ascending=[False, False, False, False, False, True],
            kind="mergesort",
        ).drop(columns="_last")
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        table["explanation"] = [self._explain(row, used) for row in table.itertuples(index=False)]
        self.candidates_ = table.reset_index(drop=True)
        self.members_ = self._members.rename(columns={"group": key})  # message id -> candidate id
        self.weights_ = {f: round(w / total, 4) for f, w in used.items()}
        self.missing_factors_ = [f for f in F.FACTORS if f not in table]
        self.now_ = now
        self.candidates_.attrs["weights"] = dict(self.weights_)
        return self

    def settings_(self) -> dict:
        """What to save with a run so its ranking can be reproduced and explained."""
        return {
            "level": self.level,
            "weights_requested": self._validated_weights(),
            "weights_used": self.weights_,
            "factors_without_data": self.missing_factors_,
            "keywords": list(self.keywords or []),
            "window_days": self.window_days,
            "merge_similarity": self.merge_similarity,
            "min_voices": self.min_voices,
            "min_cohesion": self.min_cohesion,
            "now": str(self.now_),
        }

    # -- helpers -------------------------------------------------------------------------------------------
    def _key(self) -> str:
        if self.level not in ("issue", "theme"):
            raise AgendaError("agenda.level_unknown", level=self.level)
        return "topic_id" if self.level == "issue" else "theme_id"

    def _validated_weights(self) -> dict:
        weights = dict(DEFAULT_WEIGHTS)
        for name, value in (self.weights or {}).items():
            if name not in DEFAULT_WEIGHTS:
                raise AgendaError("agenda.factor_unknown", name=name, known=", ".join(DEFAULT_WEIGHTS))
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = -1.0
            if not np.isfinite(value) or value < 0:
                raise AgendaError("agenda.weight_invalid", name=name, value=value)
            weights[name] = value
        return weights

    @staticmethod
    def _join(messages: pd.DataFrame, assignments: pd.DataFrame, key: str) -> pd.DataFrame:
        for col in ("id", "text", "time"):
            if col not in messages:
                raise AgendaError("agenda.messages_columns", column=col, present="、".join(map(str, messages.columns)))
        if key not in assignments or "id" not in assignments:
            raise AgendaError(
                "agenda.assignments_columns",
                column=key if "id" in assignments else "id",
                present="、".join(map(str, assignments.columns)),
            )
        cols = [c for c in MESSAGE_COLUMNS if c in messages]
        assigned = assignments.rename(columns={"duplicate_of": "dup_group"})
        extra = [c for c in ("dup_group", "similarity") if c in assigned and c not in cols]
        msgs = messages[cols].merge(assigned[["id", key, *extra]], on="id", how="inner", validate="one_to_one")
        if msgs.empty:
            raise AgendaError("agenda.no_common_ids")
        return msgs.rename(columns={key: "group"})

    def _factor_table(self, msgs, topics, key, now) -> pd.DataFrame:
        from toolkit.agenda.textsim import char_vectors, same_matter

        info = topics.set_index(key, drop=False)
        labels = info["label"] if "label" in info else pd.Series("", index=info.index)
        keep = info.index[~labels.isin(UNASSIGNED_LABELS)]
        msgs = msgs[msgs["group"].isin(keep)].reset_index(drop=True)
        if msgs.empty:
            raise AgendaError("agenda.no_issues")
        X, X_full = char_vectors(msgs["text"])
        merged = pd.Series(keep, index=keep)
        if self.level == "issue" and self.merge_similarity is not None:
            merged = same_matter(
                X, msgs["group"].to_numpy(), msgs["text"], self.merge_similarity, places=info.get("places")
            ).reindex(keep)
        msgs["group"] = msgs["group"].map(merged)
        msgs["letter"] = F.letters(msgs, X_full)
        msgs["voice"] = F.voices(msgs, letter=msgs["letter"])
        msgs["spots"] = F.spots(msgs["text"])
        if self.level == "issue" and self.merge_similarity is not None:
            by_place = F.same_place(F.place_focus(msgs))  # one 小区 named by most voices of both: one matter
            merged = merged.map(by_place)
            msgs["group"] = msgs["group"].map(by_place)
        keywords = info.get("keywords", pd.Series("", index=info.index))
        places = (
            info.get("places", pd.Series("", index=info.index))
            .reindex(merged.index)
            .groupby(merged)
            .agg(lambda v: "、".join(dict.fromkeys(p for x in v for p in F.as_list(x))))
        )
        terms = [p for v in places for p in F.as_list(v)] + [k for v in keywords for k in F.as_list(v)[:3]]
        foc = F.focus(msgs, places, keywords, F.specificity(msgs["text"], terms))
        self._members = msgs[["id", "group"]]
        merged = merged.reindex(info.index)
        urgent = tuple(self.urgent_words) if self.urgent_words is not None else F.urgent_words()
        parts = [
            F.volume(msgs),
            F.breadth(msgs),
            F.recency_growth(msgs, now, self.window_days),
            F.intensity(msgs, urgent),
            F.alignment(msgs, self.keywords),
            F.concreteness(msgs, X),
            foc,
        ]
        table = pd.concat([p for p in parts if p is not None], axis=1)
        times = pd.to_datetime(msgs["time"], errors="coerce").groupby(msgs["group"])
        table["first_seen"] = times.min()
        table["last_seen"] = times.max()
        for col in ("label", "keywords", "representative", "theme_id"):
            if col in info and col != key:
                table[col] = info[col].reindex(table.index).map(_flat)
        if self._topic_verdict(info):
            # the topic model measured each issue's cohesion and said which are mixed: one rule, in topics
            table["mixed"] = info["reason"].reindex(table.index).fillna("").astype(str) != ""
        if self._topic_verdict(info) and "anchor_share" in info:
            # ... and what each issue is about: concreteness is the share of voices naming that anchor, as far as
            # they share a matter there and not only the place
            table["anchor"] = info["anchor"].reindex(table.index).fillna("")
            table["anchor_share"] = info["anchor_share"].reindex(table.index)
            focus = None
            if "matter_lift" in info and "n_texts" in info:
                focus = F.matter_focus(info["matter_lift"], info["n_texts"]).reindex(table.index)
                table["matter_focus"] = focus
            table["concreteness"] = F.anchored(table["anchor_share"], table["anchor"], focus)
        table["places"] = places.reindex(table.index).fillna("")
        sizes = merged.value_counts()
        members = merged.dropna().groupby(merged.dropna()).agg(lambda v: "、".join(str(i) for i in sorted(v.index)))
        table["merged_ids"] = members.reindex(table.index).where(sizes.reindex(table.index) > 1, "").fillna("")
        return table

    def _topic_verdict(self, info: pd.DataFrame) -> bool:
        """Whether the topic model said which candidates are mixed (candidates are its issues)."""
        return self.level == "issue" and self.merge_similarity is None and {"cohesion", "reason"} <= set(info)

    def _explain(self, row, used: dict) -> str:
        """One line: who and how many, what stands out, and which factors carried the score."""
        r = row._asdict()
        bits = [f"{r.get('n_voices', 0)}人反映（{r.get('n_messages', 0)}条）"]
        if r.get("n_same_text", 0) >= 2:  # a 联名 or a shared template: many people, one wording
            bits.append(f"其中{int(r['n_same_text'])}人的留言与他人文字相同")
        if r.get("likes"):
            bits.append(f"点赞{int(r['likes']):,}")
        if r.get("n_districts"):
            bits.append(f"涉及{int(r['n_districts'])}个镇街")
        if r.get("n_sectors"):
            bits.append(f"{int(r['n_sectors'])}个界别")
        spot_here = "anchor" not in r and r.get("n_placed", 0) >= 4 and r.get("top_place_share", 0) >= 0.5
        if r.get("anchor") and r.get("anchor_share", 0) >= 0.5:  # as in 热点问题表
            bits.append(f"{r['anchor_share']:.0%}的人提到“{r['anchor']}”")
            if r.get("matter_focus", 1.0) < 0.5:  # they share the place, not the matter
                bits.append("但说的是那里的不同事情")
        elif r.get("top_place") and spot_here:  # a model without anchors: the spot found here
            bits.append(f"集中在“{r['top_place']}”（{r['top_place_share']:.0%}）")
        elif r.get("n_placed", 0) >= 4 and r.get("place_focus", 1) < 0.34:
            bits.append(f"地点分散（{r['n_placed']}人提到的地点各不相同）")
        elif r.get("focus_term") and r.get("focus_share", 0) >= 0.5:
            bits.append(f"{r['focus_share']:.0%}提到“{r['focus_term']}”")
        if r.get("urgent_share", 0) >= 0.2:
            bits.append(f"{r['urgent_share']:.0%}提到紧急/安全")
        if r.get("aligned_keywords"):
            bits.append(f"契合“{r['aligned_keywords']}”")
        if r.get("n_recent"):
            bits.append(f"最近{self.window_days:g}天{int(r['n_recent'])}条")
        top = sorted(used, key=lambda f: (-r.get("contrib_" + f, 0.0), f))[:3]
        # in 热度 points (0–100), the one measure of the brief: the contributions add up to the 热度
        carried = "、".join(
            f"{F.FACTOR_NAMES[f]}{100 * r['contrib_' + f]:.0f}" for f in top if r.get("contrib_" + f, 0) > 0
        )
        note = ""
        if r.get("n_voices", 0) < self.min_voices:
            note = f"（少于{self.min_voices}人反映，排在其后）"
        elif not _one_matter(pd.DataFrame([r]), self.min_cohesion).iloc[0]:
            note = "（内容分散、像多件事的合集，排在其后）"
        elif not r.get("concrete", True):
            note = "（面较宽、不够具体，排在其后）"
        return (
            f"第{r['rank']}名 {r.get('label', '')}：热度{r['heat']:.1f}{note}，"
            + "，".join(bits)
            + (f"；主要来自{carried}" if carried else "")
        )


def _one_matter(table: pd.DataFrame, min_cohesion: float) -> pd.Series:
    """Not marked mixed by the topic model; without its verdict, alike texts or texts worded differently that
    concentrate on one spot (long letters about one estate's mixing plant): only the rest is a bag of matters."""
    if "mixed" in table:
        return ~table["mixed"].fillna(False).astype(bool)
    cohesive = table["cohesion"].fillna(1.0) >= min_cohesion
    if "top_place_share" not in table:
        return cohesive
    return cohesive | F.is_one_spot(table)


def write_json(data: dict, path) -> Path:
    """Settings of a run as readable, stable JSON (sorted keys, Chinese kept as is; personal data masked:
    column names are the user's and may hold anything)."""
    from toolkit.outputs import mask_text

    def masked(value):
        if isinstance(value, str):
            return mask_text(value)
        if isinstance(value, dict):
            return {masked(k): masked(v) for k, v in value.items()}
        return [masked(v) for v in value] if isinstance(value, (list, tuple)) else value

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(masked(data), ensure_ascii=False, indent=2, sort_keys=True, default=str)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _flat(value):
    """Lists (keywords, places) as one readable cell."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "、".join(str(v) for v in value)
    return value


def rank_candidates(
    messages: pd.DataFrame,
    model,
    *,
    level: str = "issue",
    weights: dict | None = None,
    keywords=None,
    window_days: float = 90,
    now=None,
    merge_similarity: float | None = None,
) -> pd.DataFrame:
    """Rank a fitted ``TopicModel``'s issues (or themes) for 选题; returns the candidate table.

    ``messages``: canonical columns id, text, time [, respondent, likes, dislikes, sector, district, priority].
    The weights actually used are in ``result.attrs["weights"]``.
    """
    ranker = CandidateRanker(
        weights=weights,
        keywords=keywords,
        level=level,
        window_days=window_days,
        now=now,
        merge_similarity=merge_similarity,
    )
    topics = model.topics_ if level == "issue" else model.themes_
    return ranker.fit(messages, topics, model.assignments_).candidates_
