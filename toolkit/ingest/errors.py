"""Errors of the ingest stage."""

from toolkit.errors import ToolkitError


class IngestError(ToolkitError):
    """A file that cannot be read or mapped to its form; the message names the file and the fix."""
