"""Runs that span stages: fit the topic model and the ranker, then have each stage write its part.

The stages never import each other's runs: ``agenda`` scores, ``brief`` renders what it is given, and the
three runs that tie reading, fitting and writing together live here, above them:

rank_file(input, text_col=, id_col=, time_col=, out=, …) -> RankRun
    ``weidiaoyan rank``: a table of messages -> candidates.csv, 热点问题表.xlsx, 热点问题留言明细表.xlsx,
    选题候选清单.docx and weights.json in ``out``.
build_brief(store, form, out_dir, *, model=None, keywords=None, weights=None, top=10) -> {name: Path}
    ``weidiaoyan brief``: the responses in a store -> charts/, 简报.pptx, 调研报告.docx, candidates.csv,
    weights.json and 选题候选清单.docx (see ``toolkit.brief.write_brief``).
run_demo(out="reports/demo", db="data/demo.db", n=2000, seed=0) -> {name: Path}
    ``weidiaoyan demo``: generated responses -> store -> issues and themes -> the brief.

The old homes (``toolkit.agenda.rank_file``, ``toolkit.brief.build_brief``) still resolve, with a FutureWarning;
``toolkit.rank_file`` etc. are the short names.

>>> from toolkit.workflows import rank_file
>>> run = rank_file("附件3.xlsx", text_col="留言主题", id_col="留言编号", time_col="留言时间",
...                 likes_col="点赞数", dislikes_col="反对数", out="reports/rank")     # doctest: +SKIP
>>> run.candidates.head(10)                                                       # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import messages
from toolkit.errors import ToolkitError
from toolkit.outfolder import check_out_dir, output_folder, relocate

PROJECT = Path(__file__).resolve().parents[1]
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


def response_filter(input, filter: str | None, *, error):
    """``(select, words)`` for reading a store through ``filter`` (the form's expression language,
    ``toolkit.analysis.filter_responses``): ``select(responses, form)`` for ``messages.store_frame(s)``, and a list
    that holds the filter in words once it has been checked against the stored form. ``(None, [])`` without a
    filter; a filter on a table file is refused (it has no form to check the filter against)."""
    words: list[str] = []
    if filter is None or not filter.strip():
        return None, words
    if not messages.is_store(input):
        raise error("filter.needs_store", path=str(input), filter=filter)
    from toolkit.analysis import filter_in_words, filter_responses

    def select(frame, form):  # the words too: the filter is checked against the stored form first
        words.append(filter_in_words(form, filter))
        return filter_responses(frame, form, filter)

    return select, words


def filtered_concerns(input, columns, *, form_id: str | None, filter: str, error) -> tuple[pd.DataFrame, str]:
    """``(messages, filter in words)``: the concerns of one form in a store for which ``filter`` holds."""
    select, words = response_filter(input, filter, error=error)
    raw, where = messages.store_frame(input, form_id=form_id, error=error, select=select)
    return messages.from_frame(raw, columns, where=f"{where}（筛选：{words[0]}）", error=error), words[0]


def rank_file(
    input,
    *,
    text_col: str,
    id_col: str,
    time_col: str,
    out,
    likes_col=None,
    dislikes_col=None,
    respondent_col=None,
    sector_col=None,
    district_col=None,
    themes="auto",
    issues="auto",
    issue_similarity: float = 0.3,
    top: int = 10,
    keywords=None,
    weights=None,
    random_state: int = 0,
    progress: bool = True,
    form_id: str | None = None,
    filter: str | None = None,
) -> RankRun:
    """Rank the messages of one table, or of one form's responses in a store (a .db file or a database URL,
    ``form_id`` naming the form when it holds several), and write the run's files into ``out``. ``filter``:
    of a store, only the responses for which this expression in the form's language holds
    (``toolkit.analysis.filter_responses``); the settings and the candidate list say which."""
    from toolkit.agenda import (
        AgendaError,
        CandidateRanker,
        hot_issue_table,
        load_keywords,
        messages_from,
        read_table,
        write_json,
    )
    from toolkit.topics import TopicModel, parse_themes

    check_out_dir(out, error=AgendaError)  # a slip in --out is caught before minutes of work
    seconds = {}
    t0 = time.perf_counter()
    mapping = dict(
        text_col=text_col,
        id_col=id_col,
        time_col=time_col,
        likes_col=likes_col,
        dislikes_col=dislikes_col,
        respondent_col=respondent_col,
        sector_col=sector_col,
        district_col=district_col,
    )
    select, words = response_filter(input, filter, error=AgendaError)
    if messages.is_store(input):  # one form's responses, the text column a question id
        raw, where = messages.store_frame(input, form_id=form_id, error=AgendaError, select=select)
        if words:
            where += f"（筛选：{words[0]}）"
        msgs = messages_from(raw, **mapping, where=where)
    else:
        raw = read_table(input)
        msgs = messages_from(raw, **mapping, path=input)
    seconds["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = TopicModel(
        themes=parse_themes(themes),
        issues=issues,
        issue_similarity=issue_similarity,
        random_state=random_state,
        progress=progress,
    )
    model.fit(msgs["text"], ids=msgs["id"], times=msgs["time"], respondents=msgs.get("respondent"))
    seconds["topics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ranker = CandidateRanker(weights=weights, keywords=load_keywords(keywords))
    ranker.fit(msgs, model.topics_, model.assignments_)
    candidates = ranker.candidates_
    hot = hot_issue_table(candidates, msgs, ranker.members_, top=top)
    seconds["score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    settings = ranker.settings_() | {
        "input": _shown(input),
        "columns": msgs.attrs.get("columns", {}),
        "top": top,
        "themes": str(themes),
        "issues": str(issues),
        "issue_similarity": issue_similarity,
        "random_state": random_state,
        **({"filter": filter, "filter_words": words[0]} if words else {}),
    }
    # all files at once: a run killed while writing leaves the previous complete output, or none
    with output_folder(out, error=AgendaError, names=RUN_FILES) as stage:
        paths = write_run(
            stage,
            raw,
            msgs,
            ranker,
            hot,
            id_col=id_col,
            time_col=time_col,
            source=Path(input).name + (f"｜筛选：{words[0]}" if words else ""),
        )
        write_json(settings, paths["settings"])
    paths = relocate(paths, stage, out)
    seconds["write"] = time.perf_counter() - t0
    return RankRun(
        candidates=candidates,
        hot=hot,
        paths=paths,
        seconds=seconds,
        settings=settings,
        members=ranker.members_,
        note=raw.attrs.get("note", ""),
    )


def write_run(
    out: Path, raw, msgs, ranker, hot: pd.DataFrame, *, id_col: str, time_col: str, source: str
) -> dict[str, Path]:
    """The files of a ranking run: agenda's tables and brief's 选题候选清单 of a fitted ``CandidateRanker``."""
    from toolkit.agenda import candidates_csv, hot_issue_messages
    from toolkit.brief import write_candidate_list
    from toolkit.office import write_xlsx

    out.mkdir(parents=True, exist_ok=True)
    paths = {"candidates": candidates_csv(ranker.candidates_, out / "candidates.csv")}
    paths["hot"] = write_xlsx({"热点问题表": hot}, out / HOT_TABLE, widths={"问题描述": 50, "排名说明": 60})
    detail = hot_issue_messages(hot, raw, id_col, ranker.members_, time_col=time_col)
    paths["hot_messages"] = write_xlsx({"热点问题留言明细表": detail}, out / HOT_MESSAGES, keep=[id_col])
    times = pd.to_datetime(msgs["time"], errors="coerce")
    span = f"{times.min():%Y年%m月}—{times.max():%Y年%m月}" if times.notna().any() else "时间不详"
    context = f"{len(msgs):,} 条留言｜{span}｜来源：{source}"
    paths["candidate_list"] = write_candidate_list(
        ranker.candidates_, out / CANDIDATE_LIST, context=context, weights=ranker.weights_, top=len(hot)
    )
    paths["settings"] = out / "weights.json"
    return paths


# Concern texts above which ``brief`` fits the topic model and the ranker on a sample of this many (as
# ``topics --stream`` does): a million would need more than 4 GB; the rest are assigned a chunk at a time.
BRIEF_SAMPLE = 100_000


def build_brief(
    store,
    form,
    out_dir,
    *,
    model=None,
    keywords=None,
    weights=None,
    top: int = 10,
    random_state: int = 0,
    progress: bool = False,
    sample_size: int = BRIEF_SAMPLE,
    filter: str | None = None,
) -> dict[str, Path]:
    """Build the brief of ``form``'s responses in ``store`` into ``out_dir``; return outputs by name.

    ``filter``: only the responses for which this expression in the form's language holds
    (``${district} == 'donghu'``, ``toolkit.analysis.filter_responses``); every chart's subtitle and the
    report say which, in words.

    ``model``: a fitted ``TopicModel`` of the concern texts (ids = response_id), else one is fitted here.
    ``keywords``: this year's 党政中心工作 keywords; default the example list shipped with the toolkit.
    Without a concern question (or with nobody answering it) only ``charts``, ``deck`` and ``report`` are made;
    they say why the issue and candidate parts are missing.

    With more than ``sample_size`` concern texts (and no ``model`` given) the topic model and the ranker are
    fitted on ``sample_size`` of them, chosen by a seeded hash of the response id (the same store gives the
    same sample); every other text is then assigned to the issues a chunk at a time, for the counts of all
    texts. The brief says so (``toolkit.brief.Sampled``). Smaller stores are analysed whole, as before.

    >>> from toolkit import open_store, load_form, build_brief
    >>> build_brief(open_store("data/demo.db"), load_form("surveys/annual_topics.yaml"), "reports/demo")  # doctest: +SKIP

    All outputs appear at once when complete: a run killed midway leaves the previous brief, or none; an
    earlier run's outputs this run does not make (charts of a dropped question) do not linger.
    """
    from toolkit.brief import BriefError, Survey, write_brief

    check_out_dir(out_dir, error=BriefError)  # before minutes of fitting
    where, words = None, ""
    if filter is not None and filter.strip():
        from toolkit.analysis import filter_in_words, filter_responses

        words = filter_in_words(form, filter)  # a refused filter stops here, before anything is read
        where = lambda page: filter_responses(page, form, filter)  # noqa: E731
    survey = Survey.load(store, form, where=where, filter_words=words)
    if survey.no_issues_reason():  # a survey without free-text concerns still gets its charts, deck and report
        return write_brief(survey, out_dir)

    from toolkit.agenda import CandidateRanker, example_central_work
    from toolkit.topics import TopicModel

    msgs = survey.messages()
    sampled = None
    if model is None:
        whole = msgs
        if len(msgs) > sample_size:
            from toolkit.topics import hashed_sample

            msgs = msgs.iloc[hashed_sample(msgs["id"], sample_size, int(random_state or 0))].reset_index(drop=True)
        model = TopicModel(themes="auto", random_state=random_state, progress=progress)
        model.fit(
            msgs["text"].tolist(),
            ids=msgs["id"].tolist(),
            times=msgs["time"].tolist(),
            respondents=msgs["respondent"].tolist(),
        )
        if msgs is not whole:
            sampled = _assign_the_rest(model, whole, msgs)
        del whole
    keywords = list(example_central_work()) if keywords is None else list(keywords)
    ranker = CandidateRanker(weights=weights, keywords=keywords).fit(msgs, model.topics_, model.assignments_)
    return write_brief(
        survey, out_dir, msgs=msgs, model=model, ranker=ranker, keywords=keywords, top=top, sampled=sampled
    )


def _assign_the_rest(model, whole: pd.DataFrame, sample: pd.DataFrame):
    """What the brief says of a sample: the texts of ``whole`` outside ``sample`` are given their issues by
    the model fitted on the sample, a chunk at a time, and counted with the sample's per issue."""
    import numpy as np

    from toolkit.brief import Sampled
    from toolkit.topics import assign_in_chunks

    rest = ~whole["id"].isin(sample["id"]).to_numpy()
    topic_ids = np.concatenate(
        [
            model.assignments_["topic_id"].to_numpy(dtype=np.int32),
            assign_in_chunks(model, whole["text"][rest], whole["id"][rest]),
        ]
    )
    sizes = pd.Series(topic_ids[topic_ids >= 0]).value_counts().sort_index()
    return Sampled(n_messages=len(whole), n_sample=len(sample), n_unassigned=int((topic_ids < 0).sum()), sizes=sizes)


def bundled_form_path(name: str = "annual_topics") -> Path:
    """A bundled survey: ``surveys/<name>.yaml`` of the project (or of the working directory)."""
    for base in (PROJECT, Path.cwd()):
        path = base / "surveys" / f"{name}.yaml"
        if path.exists():
            return path
    raise ToolkitError("demo.form_missing", name=name)


def run_demo(
    out: str | Path = "reports/demo", db: str | Path = "data/demo.db", n: int = 2000, seed: int = 0, echo=print
) -> dict[str, Path]:
    """The whole flow on generated sample data; return the outputs by name. ``echo`` receives progress lines.

    form → generated responses → store → issues and themes of the free-text concerns → charts, deck and
    report in ``out``. Re-running is safe: sample responses carry fingerprints, so a second run adds nothing
    and rewrites the same outputs.
    """
    from toolkit.forms import load_form
    from toolkit.outputs import write_csv
    from toolkit.sample import generate_responses
    from toolkit.store import display, open_store
    from toolkit.topics import TopicModel

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    form = load_form(bundled_form_path("annual_topics"))
    store = open_store(db)

    # 1. sample responses → store (idempotent by fingerprint)
    records = generate_responses(form, n, seed=seed)
    have = store.fingerprints(form.id)
    new = []
    for i, rec in enumerate(records):
        fp = f"sample-{seed}-{i}"
        if fp not in have:
            new.append({**{k: v for k, v in rec.items() if k != "truth"}, "fingerprint": fp, "row_number": i + 1})
    with store.transaction() as conn:
        batch = store.create_batch(conn, form, source="sample", filename=f"generate_responses(n={n}, seed={seed})")
        store.add_responses(form, new, source="sample", batch_id=batch, conn=conn)
        store.finish_batch(
            conn, batch, n_rows=len(records), n_accepted=len(new), n_rejected=0, n_duplicates=len(records) - len(new)
        )
    echo(f"答卷：新写入 {len(new)} 份，已存在 {len(records) - len(new)} 份（数据库 {display(db)}）")

    # 2. issues and themes of the concerns
    responses = store.responses(form.id)
    concern = form.concern_questions()[0].id
    frame = responses[responses[concern].notna()]
    model = TopicModel(themes="auto", random_state=seed)
    model.fit(frame[concern].tolist(), ids=frame["response_id"].tolist(), times=frame["submitted_at"].tolist())
    outputs = {"database": Path(db)}
    for name, table in (("assignments", model.assignments_), ("topics", model.topics_), ("themes", model.themes_)):
        outputs[name] = write_csv(table, out / f"{name}.csv")

    # 3. charts, deck and report
    outputs.update(build_brief(store, form, out, model=model))
    # the count the deck and report show: ranked issues (similar ones merged); 未归类 is not an issue
    n_issues = len(pd.read_csv(outputs["candidates"], encoding="utf-8-sig"))
    echo(f"议题：{n_issues} 个具体议题（未归类的意见不计），归入 {len(model.themes_)} 个领域主题")
    echo(f"用时 {time.perf_counter() - started:.1f} 秒")
    return outputs


def _shown(location) -> str:
    """A file path as given; a database URL without its password."""
    if messages.is_store(location):
        from toolkit.store import display

        return display(location)
    return str(location)
