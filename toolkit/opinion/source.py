"""What a draft stands on: one candidate of a ``weidiaoyan rank --out`` folder and the messages it cites.

A ranking run writes ``candidates.csv`` (every candidate: rank, ``topic_id``, label, counts, first and last
time, places, keywords), ``热点问题留言明细表.xlsx`` (every message of the top candidates, with all input
columns and 问题ID) and ``weights.json`` (the run's settings, among them which input columns were the id,
text, time, 界别 and 镇街). Issue ids are per run (the same input and seed give the same ids); the message
ids (留言编号, response_id) are the stable link, so both are kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.opinion.errors import OpinionError

CANDIDATES, MESSAGES, SETTINGS = "candidates.csv", "热点问题留言明细表.xlsx", "weights.json"
# the settings worth keeping with a draft: enough to find and redo the run
KEPT_SETTINGS = ("input", "columns", "random_state", "themes", "issues", "now", "top")


@dataclass
class Evidence:
    """One candidate and its messages (``message_id``, ``text``, ``time``, ``sector``, ``district``,
    ``respondent``, ``extra``: other free-text answers of the same response, such as a suggestion)."""

    folder: str
    rank: int
    issue_id: int
    label: str
    candidate: dict
    messages: pd.DataFrame
    settings: dict = field(default_factory=dict)
    others: pd.DataFrame | None = None  # messages of the other listed candidates: boilerplate is what they share

    def kept_settings(self) -> dict:
        return {k: self.settings[k] for k in KEPT_SETTINGS if k in self.settings}

    def evidence_rows(self) -> pd.DataFrame:
        """The rows kept in the store: one per message, text masked."""
        from toolkit.outputs import mask_text

        rows = self.messages.assign(issue_id=self.issue_id)
        rows["text"] = rows["text"].map(lambda t: mask_text(str(t)))
        return rows[["message_id", "issue_id", "text", "time", "sector", "district"]]


def read_rank(folder, rank: int, *, store=None) -> Evidence:
    """Candidate ``rank`` (1 = first) of a rank ``--out`` folder, with its messages; with ``store``, 界别 and
    镇街 codes of a survey stored there are shown by their labels."""
    from toolkit.tables import read_table

    path = Path(folder)
    missing = [name for name in (CANDIDATES, MESSAGES) if not (path / name).is_file()]
    if not path.is_dir() or missing:
        raise OpinionError("opinion.rank_dir_invalid", path=folder, missing="、".join(missing) or "整个文件夹")
    candidates = read_table(path / CANDIDATES, error=OpinionError)
    ranks = pd.to_numeric(candidates.get("rank"), errors="coerce")
    chosen = candidates[ranks == int(rank)]
    if chosen.empty:
        raise OpinionError("opinion.rank_unknown", path=folder, rank=rank, count=int(ranks.notna().sum()))
    row = {k: (None if pd.isna(v) else v) for k, v in chosen.iloc[0].to_dict().items()}
    issue = int(float(row["topic_id"]))
    settings = _settings(path / SETTINGS)
    detail = read_table(path / MESSAGES, error=OpinionError)
    columns = settings.get("columns") or {}
    frame = _messages(detail, columns, store)
    own = frame[frame["issue_id"] == issue].drop(columns="issue_id").reset_index(drop=True)
    if own.empty:
        raise OpinionError("opinion.rank_no_messages", path=folder, rank=rank, issue=issue)
    others = frame[frame["issue_id"] != issue].reset_index(drop=True)
    return Evidence(
        folder=str(folder),
        rank=int(rank),
        issue_id=issue,
        label=str(row.get("label") or ""),
        candidate=row,
        messages=own,
        settings=settings,
        others=others,
    )


def _settings(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # an older run without weights.json: the columns are guessed below


def _messages(detail: pd.DataFrame, columns: dict, store) -> pd.DataFrame:
    """The detail table in canonical columns: issue_id, message_id, text, time, sector, district, respondent,
    extra."""
    id_col = columns.get("id") or next((c for c in detail.columns if c not in ("问题ID",)), None)
    texts = columns.get("text") or []
    texts = [texts] if isinstance(texts, str) else [c for c in texts if c in detail]
    if not texts:  # no settings: the longest text column
        lengths = {c: detail[c].astype(str).str.len().mean() for c in detail.columns if c not in ("问题ID", id_col)}
        texts = [max(lengths, key=lengths.get)] if lengths else []
    labels = _choice_labels(detail, store)

    def column(name):
        key = columns.get(name)
        if not key or key not in detail:
            return pd.Series([None] * len(detail), index=detail.index, dtype=object)
        values = detail[key]
        mapping = labels.get(key)
        return values.map(lambda v: mapping.get(str(v), v) if mapping and isinstance(v, str) else v)

    text = detail[texts].apply(
        lambda r: "。".join(str(v).strip() for v in r if isinstance(v, str) and v.strip()), axis=1
    )
    extra_cols = [c for c in _concern_columns(detail, store) if c not in texts]
    extra = (
        detail[extra_cols].apply(
            lambda r: "。".join(str(v).strip() for v in r if isinstance(v, str) and v.strip()), axis=1
        )
        if extra_cols
        else pd.Series([""] * len(detail), index=detail.index)
    )
    return pd.DataFrame(
        {
            "issue_id": pd.to_numeric(detail["问题ID"], errors="coerce").astype("Int64"),
            "message_id": detail[id_col].astype(str) if id_col in detail else detail.index.astype(str),
            "text": text if len(detail) else pd.Series(dtype=object),
            "time": column("time"),
            "sector": column("sector"),
            "district": column("district"),
            "respondent": column("respondent"),
            "extra": extra,
        }
    )


def _forms(detail: pd.DataFrame, store) -> list:
    if store is None or "form_id" not in detail:
        return []
    from toolkit.store import StoreError

    out = []
    for form_id in sorted({str(v) for v in detail["form_id"].dropna()}):
        try:
            out.append(store.get_form(form_id))
        except StoreError:
            continue  # ranked from another store: codes stay as they are
    return out


def _choice_labels(detail: pd.DataFrame, store) -> dict[str, dict[str, str]]:
    """column -> {choice id: label} for the single-choice questions of the survey the messages came from."""
    out: dict[str, dict[str, str]] = {}
    for form in _forms(detail, store):
        for q in form.questions:
            if q.choices and q.id in detail:
                out.setdefault(q.id, {}).update({c.id: c.label for c in q.choices})
    return out


def _concern_columns(detail: pd.DataFrame, store) -> list[str]:
    return [q.id for form in _forms(detail, store) for q in form.concern_questions() if q.id in detail]
