"""Errors of the store stage."""

from toolkit.errors import ToolkitError


class StoreError(ToolkitError):
    """The database cannot be opened, migrated or written as asked."""
