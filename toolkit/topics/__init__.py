"""Issue and theme discovery for free-text concerns.

>>> from toolkit.topics import TopicModel
>>> model = TopicModel(themes=7, random_state=0).fit(texts, ids=ids, times=times)   # doctest: +SKIP

Pipeline: normalise → mask personal data → jieba tokens → TF-IDF → LSA → fine k-means clusters
→ weighted k-means of their centres → **themes** (coarse), refined by a Complement Naive Bayes EM
→ k-means **issues** inside each theme (fine: one matter, often one place) → class-based TF-IDF
keywords, readable labels, quotes, places. Near-duplicates/campaigns are grouped and counted once.

Learned frames (all deterministic for a given input and ``random_state``):

``model.assignments_`` — one row per input text, input order
    ``id`` (as given, default 0..n-1), ``topic_id`` (issue; ``-1`` = 未归类), ``theme_id``
    (``-1`` only when the text has no usable words; 未归类 texts with words get their nearest theme),
    ``similarity`` (cosine to the issue centre), ``duplicate_of`` (id of the first text of its
    near-duplicate group — that text included — else None), ``reason`` (why a text is 未归类, else "").

``model.topics_`` — one row per issue, plus one row ``topic_id == -1`` (label 未归类) last
    ``topic_id``, ``theme_id``, ``label`` (terms most of its texts share, the dominant place first: e.g.
    "丽发新城：搅拌站噪音"; see :mod:`toolkit.topics.labels`), ``keywords``
    (space-separated, strongest first), ``size`` (distinct respondents; texts when no respondents were
    given), ``representative`` (3 quotes closest to the centre, separated by " | ", PII masked),
    ``places`` (separated by "、"), ``first_seen``, ``last_seen`` (NaT without times), ``n_texts``,
    ``n_distinct`` (near-duplicate groups counted once: use this for heat), ``cohesion`` (mean pairwise
    TF-IDF cosine of its texts), ``reason`` (for -1: counts per reason; for an issue: "内容分散…" when its
    cohesion is too low to read it as one matter, else "").

``model.themes_`` — one row per theme
    ``theme_id``, ``label`` (a governance domain, e.g. 物业管理, from ``domains.txt``), ``keywords``, ``size``, ``n_texts``, ``n_distinct``, ``n_topics``.

``model.transform(new_texts, ids=None)`` → DataFrame ``id, topic_id, theme_id, similarity, reason``:
new texts join existing issues (ids unchanged, nothing renumbered) or go to 未归类.

Also here: ``model.curate(action, **params)`` and :class:`~toolkit.topics.curation.CurationLog`
(merge / split / rename / move / move_topic / exclude, stored in the store and replayed),
:class:`~toolkit.topics.routing.Router` (supervised routing to standing categories),
:func:`~toolkit.topics.stream.fit_stream` (a million texts: fit on a sample, assign in chunks;
:func:`hashed_sample` picks that sample, :func:`assign_in_chunks` the rest, for callers that fit themselves),
:class:`~toolkit.topics.widget.CurationPanel` (browse and curate with buttons in JupyterLab).
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "CurationLog": "toolkit.topics.curation",
    "TopicsError": "toolkit.topics.errors",
    "TopicModel": "toolkit.topics.model",
    "parse_themes": "toolkit.topics.model",
    "Router": "toolkit.topics.routing",
    "assign_in_chunks": "toolkit.topics.stream",
    "hashed_sample": "toolkit.topics.stream",
    "UNASSIGNED": "toolkit.topics.summary",
    "UNASSIGNED_LABEL": "toolkit.topics.summary",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
