"""The briefing stage's one exception type."""

from __future__ import annotations

from toolkit.errors import ToolkitError


class BriefError(ToolkitError):
    """A chart, deck or report could not be built; the message says where, why and how to fix it."""
