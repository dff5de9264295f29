"""Errors of the entry stage."""

from toolkit.errors import ToolkitError


class EntryError(ToolkitError):
    """A form cannot be saved, corrected, compared or resolved as asked."""
