"""The opinion stage's one exception type."""

from __future__ import annotations

from toolkit.errors import ToolkitError


class OpinionError(ToolkitError):
    """A draft, a tracking step or a look-up was refused; the message says where, why and how to fix it."""
