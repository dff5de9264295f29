"""Candidate scoring for the annual 一线协商选题: which issues are hot, concrete, broad and timely — and why.

Public names
------------
rank_candidates(messages, model, *, level="issue", weights=None, keywords=None, …) -> DataFrame
    rank a fitted ``TopicModel``'s issues (or themes); one row per candidate: ``rank``, ``topic_id``,
    ``score``, ``heat`` (热度指数 = 100 × score), one column per factor in [0, 1], ``contrib_<factor>``
    (its share of the score), raw numbers (``n_messages``, ``n_voices``, ``likes`` …) and ``explanation``
    (one line). The weights used are in ``result.attrs["weights"]``.
CandidateRanker      the same as an estimator: ``fit(messages, topics, assignments)`` ->
                     ``candidates_``, ``members_`` (message -> candidate), ``weights_``, ``settings_()``.
messages_from(frame, text_col=, id_col=, time_col=, …)   map a raw table to the canonical message columns.
read_table(path)     the first sheet of an xlsx/xls or a CSV, errors as ``AgendaError``.
hot_issue_table(candidates, messages, members, top=10), hot_issue_messages(hot, raw, id_col, members, …)
                     the 热点问题表 and its 留言明细表 of a ranking.
load_keywords(keywords)   keywords from a list, a comma-separated string or a one-per-line file.
weights_widget(messages, model, …)   ipywidgets sliders that re-rank live (notebooks).
DEFAULT_WEIGHTS, FACTORS, FACTOR_NAMES, AgendaError

Factors (each normalised to [0, 1]; see ``toolkit.agenda.factors``): volume (distinct voices: one person counts
once, each writer of a shared letter counts, a copy by an unknown writer does not; log-scaled), breadth (share of 界别 and 镇街), recency (half-life
of the median message age), growth (last window vs the one before), intensity (urgent/safety words, likes,
dislikes, Likert priority), alignment (党政中心工作 keywords), concreteness (one matter at one place: the share
of its voices naming the issue's anchor — half of them make it concrete, three in four for a road — times how far
its letters share a matter beyond that place, relative to the collection's typical issue; for models without
anchors, character similarity of its voices × share of them naming its most-named 小区/路段). A candidate is an
issue of the topic model; candidates raised by fewer than 5 voices or marked 内容分散 are listed last
(``eligible``).

>>> from toolkit.topics import TopicModel
>>> from toolkit.agenda import rank_candidates
>>> model = TopicModel(random_state=0).fit(msgs["text"], ids=msgs["id"], times=msgs["time"])  # doctest: +SKIP
>>> rank_candidates(msgs, model, keywords=["老旧小区改造"]).head()                          # doctest: +SKIP
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "AgendaError": "toolkit.agenda.errors",
    "candidates_csv": "toolkit.agenda.export",
    "hot_issue_messages": "toolkit.agenda.export",
    "hot_issue_table": "toolkit.agenda.export",
    "FACTOR_NAMES": "toolkit.agenda.factors",
    "FACTORS": "toolkit.agenda.factors",
    "example_central_work": "toolkit.agenda.factors",
    "load_keywords": "toolkit.agenda.factors",
    "DEFAULT_WEIGHTS": "toolkit.agenda.ranker",
    "CandidateRanker": "toolkit.agenda.ranker",
    "rank_candidates": "toolkit.agenda.ranker",
    "write_json": "toolkit.agenda.ranker",
    "messages_from": "toolkit.agenda.source",
    "read_table": "toolkit.agenda.source",
    "weights_widget": "toolkit.agenda.widget",
}
__all__ = sorted(_EXPORTS)
# the run that reads, fits, scores and writes moved above the stages (FutureWarning on use)
_MOVED = {"RankRun": "toolkit.workflows", "rank_file": "toolkit.workflows"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, moved=_MOVED)
