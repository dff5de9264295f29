"""One ranking run from a file: read → topic model → score → candidates.csv, 热点问题表, 明细表, 选题候选清单.

>>> from toolkit.agenda import rank_file
>>> run = rank_file("附件3.xlsx", text_col="留言主题", id_col="留言编号", time_col="留言时间",
...                 likes_col="点赞数", dislikes_col="反对数", out="reports/rank")     # doctest: +SKIP
>>> run.candidates.head(10)                                                       # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.agenda.errors import AgendaError
from toolkit.agenda.export import candidates_csv, hot_issue_messages, hot_issue_table
from toolkit.agenda.factors import read_word_list
from toolkit.agenda.ranker import CandidateRanker, write_json
from toolkit.agenda.source import messages_from, read_table
from toolkit.outfolder import check_out_dir, output_folder, relocate
from toolkit.topics import parse_themes

HOT_TABLE = "热点问题表.xlsx"
HOT_MESSAGES = "热点问题留言明细表.xlsx"
CANDIDATE_LIST = "选题候选清单.docx"
RUN_FILES = ("candidates.csv", HOT_TABLE, HOT_MESSAGES, CANDIDATE_LIST, "weights.json")


@dataclass
class RankRun:
    """What a ranking run produced: the ranked table, the top-N table, files written and seconds per step."""

    candidates: pd.DataFrame
    hot: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    note: str = ""  # what reading the table adjusted (a title row skipped)
    members: pd.DataFrame | None = None  # message id -> candidate (topic_id)


def load_keywords(keywords) -> list[str]:
    """Keywords from a list, a comma-separated string, or a one-per-line file."""
    if keywords is None:
        return []
    if isinstance(keywords, (list, tuple)):
        return [str(k).strip() for k in keywords if str(k).strip()]
    text = str(keywords)
    if Path(text).is_file():
        return read_word_list(text)
    return [k.strip() for k in text.replace("，", ",").split(",") if k.strip()]


def rank_file(input, *, text_col: str, id_col: str, time_col: str, out, likes_col=None, dislikes_col=None,
              respondent_col=None, sector_col=None, district_col=None, themes="auto", issues="auto",
              issue_similarity: float = 0.3, top: int = 10, keywords=None, weights=None, random_state: int = 0,
              progress: bool = True) -> RankRun:
    """Rank the messages of one table and write the run's files into ``out``."""
    from toolkit.topics import TopicModel

    check_out_dir(out, error=AgendaError)   # a slip in --out is caught before minutes of work
    seconds = {}
    t0 = time.perf_counter()
    raw = read_table(input)
    msgs = messages_from(raw, text_col=text_col, id_col=id_col, time_col=time_col, likes_col=likes_col,
                         dislikes_col=dislikes_col, respondent_col=respondent_col, sector_col=sector_col,
                         district_col=district_col, path=input)
    seconds["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = TopicModel(themes=parse_themes(themes), issues=issues, issue_similarity=issue_similarity,
                       random_state=random_state, progress=progress)
    model.fit(msgs["text"], ids=msgs["id"], times=msgs["time"],
              respondents=msgs.get("respondent"))
    seconds["topics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ranker = CandidateRanker(weights=weights, keywords=load_keywords(keywords))
    ranker.fit(msgs, model.topics_, model.assignments_)
    candidates = ranker.candidates_
    hot = hot_issue_table(candidates, msgs, ranker.members_, top=top)
    seconds["score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    settings = ranker.settings_() | {"input": str(input), "columns": msgs.attrs.get("columns", {}), "top": top,
                                     "themes": str(themes), "issues": str(issues),
                                     "issue_similarity": issue_similarity, "random_state": random_state}
    # all files at once: a run killed while writing leaves the previous complete output, or none
    with output_folder(out, error=AgendaError, names=RUN_FILES) as stage:
        paths = write_run(stage, raw, msgs, ranker, hot, id_col=id_col, time_col=time_col, source=Path(input).name)
        write_json(settings, paths["settings"])
    paths = relocate(paths, stage, out)
    seconds["write"] = time.perf_counter() - t0
    return RankRun(candidates=candidates, hot=hot, paths=paths, seconds=seconds, settings=settings,
                   members=ranker.members_, note=raw.attrs.get("note", ""))


def write_run(out: Path, raw, msgs, ranker: CandidateRanker, hot: pd.DataFrame, *, id_col: str, time_col: str,
              source: str) -> dict[str, Path]:
    from toolkit.brief import write_candidate_list, write_xlsx

    out.mkdir(parents=True, exist_ok=True)
    paths = {"candidates": candidates_csv(ranker.candidates_, out / "candidates.csv")}
    paths["hot"] = write_xlsx({"热点问题表": hot}, out / HOT_TABLE, widths={"问题描述": 50, "排名说明": 60})
    detail = hot_issue_messages(hot, raw, id_col, ranker.members_, time_col=time_col)
    paths["hot_messages"] = write_xlsx({"热点问题留言明细表": detail}, out / HOT_MESSAGES, keep=[id_col])
    times = pd.to_datetime(msgs["time"], errors="coerce")
    span = f"{times.min():%Y年%m月}—{times.max():%Y年%m月}" if times.notna().any() else "时间不详"
    context = f"{len(msgs):,} 条留言｜{span}｜来源：{source}"
    paths["candidate_list"] = write_candidate_list(ranker.candidates_, out / CANDIDATE_LIST, context=context,
                                                   weights=ranker.weights_, top=len(hot))
    paths["settings"] = out / "weights.json"
    return paths
