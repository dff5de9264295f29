"""The analysis stage's one exception type."""

from __future__ import annotations

from toolkit.errors import ToolkitError


class AnalysisError(ToolkitError):
    """A cross-tab, filter, weighting or quality check could not be made; the message says where, why and the fix."""
