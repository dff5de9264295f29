"""Errors of the store stage."""

from __future__ import annotations

from toolkit.errors import ToolkitError, quoted


class StoreError(ToolkitError):
    """The database cannot be opened, migrated or written as asked."""


class StoreBusy(StoreError):
    """Another program held the database's write lock longer than the busy timeout; nothing was written."""


class StoreConflict(StoreError):
    """A row that must be unique was already there (written by another program at the same moment, or a
    repeated write); the transaction was rolled back."""


class StaleEdit(StoreConflict):
    """A correction of a response that someone else saved after the editor loaded it; nothing was written."""

    @classmethod
    def of(cls, response_id: int, revision: int, current: dict, answers: dict) -> StaleEdit:
        """The refusal for saving ``answers`` over ``current`` (the stored row) when ``revision`` was loaded."""
        theirs = current["answers"]
        keys = sorted(set(theirs) | set(answers), key=str)
        differences = "；".join(
            f"{k}：已保存 {quoted(theirs.get(k))}，您的 {quoted(answers.get(k))}"
            for k in keys
            if theirs.get(k) != answers.get(k)
        )
        return cls(
            "store.stale_edit",
            response_id=response_id,
            mine=revision,
            theirs=current["revision"],
            when=_local(current["updated_at"]),
            differences=differences or "（无：答案相同，只是版本变了）",
        )


class SerialTaken(StoreConflict):
    """A new response whose 问卷编号 already has an active entered response (maybe saved a moment ago)."""


def _local(stamp) -> str:
    """A stored UTC stamp on this computer's clock, as staff read times ("2026-05-01 08:30")."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(str(stamp)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(stamp)
