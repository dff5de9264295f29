"""Errors of the store stage."""

from toolkit.errors import ToolkitError


class StoreError(ToolkitError):
    """The database cannot be opened, migrated or written as asked."""


class StoreBusy(StoreError):
    """Another program held the database's write lock longer than the busy timeout; nothing was written."""


class StoreConflict(StoreError):
    """A row that must be unique was already there (written by another program at the same moment, or a
    repeated write); the transaction was rolled back."""
