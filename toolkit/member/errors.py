"""The member stage's one exception type."""

from __future__ import annotations

from toolkit.errors import ToolkitError


class MemberError(ToolkitError):
    """The register, a duty, the rules or the archive could not be handled; the message says where, why and how to fix it."""
