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


# Characters a message must name: shown as themselves they are invisible or look like a plain space.
_NAMED = {
    "\u3000": "全角空格",
    "\xa0": "不换行空格",
    "\t": "制表符",
    "\n": "换行",
    "\r": "回车",
    "\u200b": "零宽空格",
    "\ufeff": "BOM",
    "\u2028": "换行",
    "\u2029": "换段",
}


def quoted(value) -> str:
    """A value as a message shows it: text in “”, invisible characters named (“〔全角空格〕”) instead of
    repr's ``'\\u3000'`` escapes; lists joined with 、; numbers as written."""
    if isinstance(value, (list, tuple, set)):
        return "、".join(quoted(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "；".join(f"{k}：{quoted(v)}" for k, v in value.items()) or "（空）"
    if value is None:
        return "（空）"
    if not isinstance(value, str):
        return str(value)
    out = "".join(
        f"〔{_NAMED[ch]}〕" if ch in _NAMED else ch if ch.isprintable() else f"〔U+{ord(ch):04X}〕" for ch in value
    )
    return f"“{out}”"
