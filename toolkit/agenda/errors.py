"""The agenda stage's one exception type."""

from __future__ import annotations

from toolkit.errors import ToolkitError


class AgendaError(ToolkitError):
    """Candidates could not be scored; the message says where, why and how to fix it."""
