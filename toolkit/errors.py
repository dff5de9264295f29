"""The root of every error the toolkit raises on purpose.

Each stage defines one subclass (``FormError``, ``StoreError``, ``IngestError`` …).
Messages are for people and in Chinese: where (file, row, column or question),
which rule failed, the value, and how to fix it — in that order.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class of all toolkit errors; the CLI prints ``str(err)`` and exits non-zero."""

    exit_code = 1

    def __init__(self, message: str, *, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])
