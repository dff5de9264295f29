"""社情民意信息 (opinion reports) and 协商成果: draft from a ranked candidate's evidence, track from 报送 to
办结 and 问效, always traceable to the residents' letters behind them.

Public names
------------
draft_report(store, rank_dir, rank, *, out, member=None, unit=None, title=None, blank_draft=False, …)
    -> DraftResult (``id``, ``docx``, ``chars``, ``over``): a DOCX 社情民意信息 registered with its evidence.
track(store, item_id, state, date, *, by=None, note=None, deadline=None, answer=None, operator=None) -> dict
    record one step (起草 → 报送 → 采用 → 批示 → 交办 → 答复 → 反馈 → 办结, or a 问效 check); wrong order,
    an earlier date, an unknown id: ``OpinionError`` and nothing written.
items(store, today_is=None) -> DataFrame        every item and where it stands (state, deadline, overdue …)
item(store, item_id) -> dict                    one item with its steps
evidence_table(store, item_id), write_evidence(store, item_id, path)   the letters behind it, masked
choose_topic(store, rank_dir, rank, *, year), set_meeting(store, topic_id, date), add_proposal(store, topic_id,
    title, …)                                   a year's 协商选题, its 协商会 and each 协商意见 (tracked like a report)
member_activities(store, year=None) -> DataFrame   member, kind (撰写社情民意 / 被采用 / 获批示), date, source,
    report_id: for the 履职档案
year_report(store, year, today_is=None) -> YearReport   the 报送登记表 and its counts: by state, 采用率,
    批示, by member, 界别 and theme, days from 报送 to 答复, the overdue list (frames, for the deck and report);
    write_year_report(report, out) -> {name: Path}   the workbook and two charts (funnel, by theme)
TrackingPanel(store, rank_dir, out), tracking_widget(...)   the notebook panel: draft, record steps, overdue
STATES, ANSWERS, MAX_CHARS, OpinionError

>>> from toolkit.opinion import draft_report, track
>>> r = draft_report(store, "reports/rank", 1, out="reports/社情民意", member="张三")   # doctest: +SKIP
>>> track(store, r.id, "报送", "2026-05-08", by="区政协")                              # doctest: +SKIP
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "OpinionError": "toolkit.opinion.errors",
    "ANSWERS": "toolkit.opinion.states",
    "STATES": "toolkit.opinion.states",
    "MAX_CHARS": "toolkit.opinion.draft",
    "DraftResult": "toolkit.opinion.register",
    "draft_report": "toolkit.opinion.register",
    "choose_topic": "toolkit.opinion.register",
    "add_proposal": "toolkit.opinion.register",
    "track": "toolkit.opinion.records",
    "items": "toolkit.opinion.records",
    "item": "toolkit.opinion.records",
    "steps": "toolkit.opinion.records",
    "topics": "toolkit.opinion.records",
    "set_meeting": "toolkit.opinion.records",
    "evidence_table": "toolkit.opinion.export",
    "write_evidence": "toolkit.opinion.export",
    "member_activities": "toolkit.opinion.activities",
    "YearReport": "toolkit.opinion.yearly",
    "year_report": "toolkit.opinion.yearly",
    "write_year_report": "toolkit.opinion.yearly",
    "TrackingPanel": "toolkit.opinion.widget",
    "tracking_widget": "toolkit.opinion.widget",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
