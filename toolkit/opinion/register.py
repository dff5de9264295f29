"""The opinion stage's verbs: draft a 社情民意信息 (from a ranking run's candidate, or blank), choose a year's
协商选题 and record its 协商意见 — each registered in the store in one audited transaction.

>>> from toolkit.opinion import draft_report
>>> result = draft_report(store, "reports/rank", 1, out="reports/社情民意", member="张三")   # doctest: +SKIP
>>> result.id, result.docx, result.chars                                                     # doctest: +SKIP
(1, PosixPath('reports/社情民意/社情民意信息_1.docx'), 412)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.opinion import draft as drafting
from toolkit.opinion import records
from toolkit.opinion.document import write_docx
from toolkit.opinion.draft import DraftText, blank, compose, subject_of
from toolkit.opinion.errors import OpinionError
from toolkit.opinion.source import read_rank
from toolkit.opinion.states import parse_date
from toolkit.outfolder import check_out_dir, output_file


@dataclass
class DraftResult:
    """A registered draft: its id, the DOCX written, the body's 字数 and whether that is over ``MAX_CHARS``."""

    id: int
    docx: Path
    chars: int
    text: DraftText
    limit: int = drafting.MAX_CHARS

    @property
    def over(self) -> bool:
        return self.chars > self.limit

    def to_dict(self) -> dict:
        return {"id": self.id, "docx": str(self.docx), "chars": self.chars}


def draft_report(
    store,
    rank_dir=None,
    rank: int | None = None,
    *,
    out,
    member: str | None = None,
    unit: str | None = None,
    title: str | None = None,
    blank_draft: bool = False,
    date=None,
    operator: str | None = None,
) -> DraftResult:
    """Draft a 社情民意信息 from candidate ``rank`` of the ranking run in ``rank_dir`` (or, with
    ``blank_draft``, an empty one titled ``title``), register it with its evidence and 起草 step, and write
    ``out/社情民意信息_<id>.docx``. Nothing is registered when the file cannot be written."""
    check_out_dir(out, error=OpinionError)
    date = parse_date(date or records.today())
    evidence = None
    if blank_draft:
        if not (title or "").strip():
            raise OpinionError("opinion.title_missing", where="opinion draft --blank")
        text = blank(title.strip())
    elif rank_dir is None or rank is None:
        raise OpinionError("opinion.source_missing")
    else:
        evidence = read_rank(rank_dir, int(rank), store=store)
        text = compose(evidence)
        if (title or "").strip():
            text.title = title.strip()
    fields = _source_fields(evidence)
    target = None
    try:
        with store.transaction() as conn:
            item_id = records.create_item(
                store,
                kind="report",
                title=text.title,
                body=text.body(),
                chars=text.chars(),
                date=date,
                member=member,
                unit=unit,
                operator=operator,
                conn=conn,
                **fields,
            )
            path = Path(out) / f"社情民意信息_{item_id}.docx"
            if path.exists():  # another store's draft of that number, perhaps rewritten by its member: kept
                raise OpinionError("opinion.draft_exists", path=path, db=store.shown, id=item_id)
            target = path
            with output_file(target, error=OpinionError, flag="--out") as tmp:
                write_docx(
                    text,
                    tmp,
                    number=f"第{item_id}号",
                    date=date,
                    member=member,
                    unit=unit,
                    properties=_properties(item_id, evidence),
                )
            records.set_document(store, item_id, str(target), conn=conn)
    except BaseException:
        # the transaction did not commit: the file of an unregistered draft must not stand as if it were one
        if target is not None:
            target.unlink(missing_ok=True)
        raise
    return DraftResult(id=item_id, docx=target, chars=text.chars(), text=text, limit=drafting.MAX_CHARS)


def _source_fields(evidence) -> records.Source:
    if evidence is None:
        return {}
    return records.Source(
        issue_ids=[evidence.issue_id],
        issue_label=evidence.label,
        message_ids=evidence.messages["message_id"].tolist(),
        source=evidence.folder,
        source_rank=evidence.rank,
        source_settings=evidence.kept_settings(),
        evidence=evidence.evidence_rows(),
    )


def _properties(item_id: int, evidence) -> dict:
    """Where the document came from, in its properties (not on the page): the item and its evidence."""
    props = {"subject": f"社情民意信息 #{item_id}", "comments": f"weidiaoyan opinion evidence {item_id} --db 数据库"}
    if evidence is not None:
        props["keywords"] = (
            f"问题ID {evidence.issue_id}；留言 {len(evidence.messages)} 条；{evidence.folder} 第 {evidence.rank} 名"
        )
    return props


def choose_topic(
    store, rank_dir, rank: int, *, year: int, title: str | None = None, operator: str | None = None
) -> int:
    """Register candidate ``rank`` of a ranking run as ``year``'s 协商选题; return its id."""
    year = _year(year)
    evidence = read_rank(rank_dir, int(rank), store=store)
    fields = _source_fields(evidence)
    return records.create_topic(
        store, year=year, title=(title or "").strip() or subject_of(evidence.label), operator=operator, **fields
    )


def add_proposal(
    store,
    topic_id,
    title: str,
    *,
    text: str | None = None,
    department: str | None = None,
    date=None,
    operator: str | None = None,
) -> int:
    """Record one 协商意见 of a 协商选题 (from its 协商会) as an item tracked like a 社情民意信息; return its id.
    It is dated ``date``, else the 协商会's date, else today; its evidence is the topic's."""
    if not (title or "").strip():
        raise OpinionError("opinion.title_missing", where="opinion topic proposal")
    topic = records.get_topic(store, topic_id)
    date = parse_date(date or topic.get("meeting_date") or records.today())
    body = {"text": (text or "").strip()}
    return records.create_item(
        store,
        kind="proposal",
        topic_id=topic["id"],
        title=title.strip(),
        body=body,
        chars=len((text or "").replace(" ", "")),
        date=date,
        department=department,
        issue_ids=topic.get("issue_ids") or [],
        issue_label=topic.get("issue_label"),
        message_ids=topic.get("message_ids") or [],
        source=topic.get("source"),
        source_rank=topic.get("source_rank"),
        source_settings=topic.get("source_settings"),
        operator=operator,
    )


def _year(year) -> int:
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        raise OpinionError("opinion.year_invalid", year=year) from None
    if not 1949 <= value <= 2200:
        raise OpinionError("opinion.year_invalid", year=year)
    return value
