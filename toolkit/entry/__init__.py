"""Entry: paper forms typed in by entry staff — widgets in JupyterLab, a plain page served by Voilà,
double entry with field-by-field checks.

>>> from toolkit.entry import EntryForm
>>> EntryForm(form, store, operator="张三")          # doctest: +SKIP
"""

from toolkit.entry.double import DoubleEntry, Mismatch, SecondEntryResult, compare
from toolkit.entry.errors import EntryError
from toolkit.entry.session import EntrySession

__all__ = [
    "DoubleEntry",
    "EntryError",
    "EntryForm",
    "EntrySession",
    "Mismatch",
    "ReviewPanel",
    "SecondEntryResult",
    "compare",
]


def __getattr__(name: str):
    # ipywidgets loads only when the widgets are used (not for the CLI or the store)
    if name in ("EntryForm", "ReviewPanel"):
        from toolkit.entry import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'toolkit.entry' has no attribute {name!r}")
