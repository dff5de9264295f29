"""The survey as the brief sees it: responses with choice labels, the questions by role, data-quality counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.brief.errors import BriefError
from toolkit.brief.figure import pct, percent
from toolkit.forms import other_key

if TYPE_CHECKING:  # for the annotation only
    from toolkit.forms import Form


# the batch's ``source`` as staff call it (platform names as the ingest readers show them)
SOURCE_NAMES = {
    "sample": "示例数据",
    "wjx": "问卷星",
    "tencent": "腾讯问卷",
    "kobo": "KoboToolbox",
    "odk": "ODK Central",
    "table": "表格导入",
    "entry": "纸质问卷录入",
}


def short_label(label: str) -> str:
    """ "教育界（教师、教育工作者）" -> "教育界": chart axes need the name, not the explanation."""
    return str(label).split("（")[0].split("(")[0].strip() or str(label)


def question_text(label: str) -> str:
    """ "您对所在镇（街道）以下公共服务的满意程度" -> "您对所在镇以下公共服务的满意程度": a question without its
    bracketed hints (``short_label`` would cut it at the first bracket)."""
    return re.sub(r"[（(][^（）()]*[)）]", "", str(label)).strip() or str(label)


# meta columns the brief reads: counts, time span, sources (with their files), message ids
META_USED = ("response_id", "submitted_at", "source", "batch_id")


def brief_columns(form: Form) -> set[str]:
    """Columns of a form's response frame that the brief reads: the meta columns above, the charted choice,
    Likert, number and date questions, the texts of "其他（请注明）", the roles (界别, 镇街) and the concern
    text; other free text (names, phones, addresses) is never loaded."""
    out = set(META_USED)
    for q in form.questions:
        if q.kind in ("single", "multiple", "ranking", "likert", "number", "date", "concern") or q.role in (
            "district",
            "sector",
        ):
            out.add(q.id)
        if q.is_matrix:
            out.update(f"{q.id}/{row.id}" for row in q.rows)
        if q.other and q.kind in ("single", "multiple", "ranking", "likert"):
            out.add(other_key(q.id))
    return out


def _share(col: pd.Series, shared: dict) -> pd.Series:
    """``col`` with equal answers as one object (lists as tuples): choice ids repeat across a million rows,
    their copies need not."""

    def one(v):
        if isinstance(v, list):
            v = tuple(v)
        try:
            return shared.setdefault(v, v) if isinstance(v, (str, tuple)) else v
        except TypeError:  # a tuple holding something unhashable: kept as it is
            return v

    # the same dtype back ("str" holds its strings as objects too, so they stay shared)
    return pd.Series([one(v) for v in col], index=col.index, dtype=col.dtype, name=col.name)


@dataclass
class Survey:
    form: Form
    responses: pd.DataFrame
    counts: dict
    batches: pd.DataFrame
    pii_counts: Counter = field(default_factory=Counter)
    filter_words: str = ""  # the filter the responses were chosen by, in words ("" = all responses)
    n_total: int = 0  # valid responses before the filter

    def __post_init__(self) -> None:
        self.n_total = self.n_total or len(self.responses)

    @classmethod
    def load(
        cls,
        store,
        form,
        *,
        chunksize: int = 50_000,
        where: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        filter_words: str = "",
    ) -> Survey:
        """The responses of ``form`` in ``store``, read ``chunksize`` at a time (``Store.iter_responses``),
        keeping only the columns the brief uses (:func:`brief_columns`); repeated answers (choice ids, their
        lists) share one object, so a million responses take a few bytes per answer, not a decoded row each.

        ``where``: keeps the rows of a page to analyse (a filter, ``toolkit.analysis.filter_responses``, which
        the caller binds; it sees every column), ``filter_words`` that filter as readers see it, on every
        chart's subtitle and in the report. A filter nobody matches is refused (``brief.filter_matches_none``).
        """
        wanted = brief_columns(form)
        # free text and times are (nearly) all different: nothing to share
        unique = {"submitted_at", *(q.id for q in form.questions if q.kind == "concern")}
        shared: dict = {}
        pages = []
        total = 0
        for page in store.iter_responses(form.id, chunksize=chunksize):
            # a question may share its id with a meta column (e.g. "serial"): keep the first, same value
            page = page.loc[:, ~page.columns.duplicated()]
            total += len(page)
            if where is not None:
                page = where(page)
            page = page[[c for c in page.columns if c in wanted]].copy()
            for c in page.columns:
                if c not in unique and (page[c].dtype == object or pd.api.types.is_string_dtype(page[c])):
                    page[c] = _share(page[c], shared)
            pages.append(page)
        if not total:
            raise BriefError("brief.no_responses", form=form.id, title=form.title)
        if not sum(map(len, pages)):
            raise BriefError("brief.filter_matches_none", filter=filter_words, count=total)
        responses = pd.concat(pages, ignore_index=True) if len(pages) > 1 else pages[0].reset_index(drop=True)
        del pages
        responses["submitted_at"] = pd.to_datetime(responses["submitted_at"], errors="coerce")
        try:
            batches = store.batches(form.id)
        except Exception:  # an older store without batches: the appendix shows what it can
            batches = pd.DataFrame()
        return cls(
            form=form,
            responses=responses,
            counts=store.counts(form.id),
            batches=batches,
            filter_words=filter_words if where is not None else "",
            n_total=total,
        )

    # -- questions ----------------------------------------------------------------------------------------
    def by_role(self, role: str):
        return next((q for q in self.form.questions if q.role == role), None)

    def of_kind(self, *kinds):
        return [q for q in self.form.questions if q.kind in kinds]

    def concern_question(self):
        concerns = self.of_kind("concern")
        if not concerns:
            raise BriefError("brief.no_concern_question", form=self.form.id)
        return concerns[0]

    def no_issues_reason(self) -> str:
        """Why the issue and candidate parts of the brief are left out ("" when they are made)."""
        concerns = self.of_kind("concern")
        if not concerns:
            return "本问卷没有意见建议题，未做议题归纳和选题排序；本简报只汇总选择题、量表题和答卷分布。"
        col = self.responses.get(concerns[0].id)
        if col is None or not col.map(lambda v: isinstance(v, str) and v.strip() != "").any():
            return f"意见建议题（{concerns[0].id}）没有人填写，未做议题归纳和选题排序。"
        return ""

    def labels(self, question) -> pd.Series:
        """Answers of a single-choice question as (short) choice labels, NaN when unanswered."""
        col = self.responses.get(question.id)
        if col is None:
            return pd.Series(index=self.responses.index, dtype=object)
        return col.map(lambda v: short_label(question.choice_label(v)) if isinstance(v, str) and v else None)

    # -- context ------------------------------------------------------------------------------------------
    def sources(self) -> list[str]:
        """Where the answers came from, readable: "示例数据 2,000 份", "问卷星（2026年问卷.xlsx）800 份"."""
        frame = self.responses
        if "source" not in frame:
            return []
        files = {}
        if len(self.batches) and {"id", "filename"} <= set(self.batches.columns):
            files = dict(zip(self.batches["id"], self.batches["filename"]))
        out = []
        for source, group in frame.groupby(frame["source"].fillna(""), sort=False):
            name = SOURCE_NAMES.get(source, source or "来源不详")
            if source != "sample" and "batch_id" in group:
                names = [str(files[b]) for b in dict.fromkeys(group["batch_id"]) if files.get(b)]
                if names:
                    name += f"（{'、'.join(names)}）" if len(names) <= 3 else f"（{len(names)} 个文件）"
            out.append(f"{name} {len(group):,} 份")
        return out

    @property
    def n(self) -> int:
        return len(self.responses)

    def span(self) -> str:
        times = self.responses["submitted_at"].dropna()
        if times.empty:
            return "时间不详"
        first, last = (f"{t.year}年{t.month}月" for t in (times.min(), times.max()))
        return first if first == last else f"{first}—{last}"

    def subtitle(self, n: int | None = None, what: str = "份答卷", extra: str = "") -> str:
        """A chart's context line: N, the question, the filter, the time span and the source."""
        n = self.n if n is None else n
        parts = [f"N={n:,}{what}", self.span(), f"来源：{self.form.title}"]
        if self.filter_words:
            parts.insert(1, f"筛选：{self.filter_words}")
        if extra:
            parts.insert(1, extra)
        return "｜".join(parts)

    def filter_suffix(self) -> str:
        """ "（筛选：镇街为“东湖街道”）" after a count of responses; "" without a filter."""
        return f"（筛选：{self.filter_words}）" if self.filter_words else ""

    def filter_note(self) -> str:
        """The sentence that opens a filtered report: which responses, how many of all."""
        if not self.filter_words:
            return ""
        return f"本报告只统计符合筛选条件（{self.filter_words}）的答卷：{self.n:,} 份，占全部有效答卷 {self.n_total:,} 份的 {pct(percent(self.n, self.n_total))}。"

    def messages(self) -> pd.DataFrame:
        """Canonical messages for topics and ranking: one per answered concern, PII masked (see
        :mod:`toolkit.messages`); 界别 and 镇街 as their choice labels."""
        from toolkit.messages import Columns, from_frame

        q = self.concern_question()
        answered = self.responses[q.id].map(lambda v: isinstance(v, str) and v.strip() != "")
        frame = pd.DataFrame(
            {"id": self.responses["response_id"], "text": self.responses[q.id], "time": self.responses["submitted_at"]}
        )
        roles: dict[str, str] = {}
        for role in ("sector", "district"):
            question = self.by_role(role)
            if question is not None:
                frame[role], roles[role] = self.labels(question), role
        columns = Columns(text="text", id="id", time="time", respondent="id", **roles)
        return from_frame(
            frame[answered].reset_index(drop=True),
            columns,
            where=f"问卷 {self.form.id} 的答卷",
            error=BriefError,
            clean=True,
            pii_counts=self.pii_counts,
        )
