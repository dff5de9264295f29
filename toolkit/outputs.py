"""What a cell of any file the toolkit writes may hold: personal data masked, nothing a spreadsheet would run.

Every xlsx/csv writer passes its cells through :func:`safe_cell` (or a frame through :func:`safe_frame`,
a CSV through :func:`write_csv`); docx/pptx builders mask their text nodes with :func:`mask_xml_text`.

Formula injection (OWASP "CSV injection"): a text that Excel, LibreOffice or Sheets would read as a formula
-- it starts with ``= + - @``, a tab or a carriage return, also after leading spaces, or with the full-width
``＝＋－＠`` an input method turns into them -- gets a leading ``'`` and otherwise stays as written. A
number (``-5``, ``+3.2``, ``1,200``) is no formula and stays as it is. :func:`unneutralise` is the exact
inverse, for workbooks that come back (the 待修正表).

>>> safe_cell("=HYPERLINK(\\"http://x\\",\\"y\\") 电话13812345678")
'\\'=HYPERLINK("http://x","y") 电话[手机号]'
>>> safe_cell("-5"), safe_cell(-2), safe_cell("2020-01-01")
('-5', -2, '2020-01-01')
>>> unneutralise(safe_cell("＝1+1"))
'＝1+1'
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXCEL_MAX_CELL = 32767  # Excel's limit of characters in one cell
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters xlsx cannot store
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# Text nodes of WordprocessingML (docx) and DrawingML (pptx).
XML_TEXT_TAGS = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t",
    "{http://schemas.openxmlformats.org/drawingml/2006/main}t",
)


# The toolkit's own key columns: record ids (留言编号 can be any run of digits, and an 8- or 11-digit one
# reads like a phone number), links between rows. They are neutralised but never masked: masking them
# would break every join a reader makes between the files.
KEY_COLUMNS = frozenset(
    {"id", "duplicate_of", "topic_id", "theme_id", "issue_id", "问题ID", "merged_ids", "response_id", "batch_id"}
)

_mask_pii: Callable[[str], str] | None = None


def mask_text(text: str) -> str:
    """``toolkit.text.mask_pii`` of ``text`` (it reads raw text: full-width digits, ``＠``, split groups)."""
    global _mask_pii
    if _mask_pii is None:  # imported on first use: importing toolkit.text loads pandas
        from toolkit.text import mask_pii as _mask_pii
    return _mask_pii(text)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula (numbers like ``-5`` are not)."""
    if text.startswith(("\t", "\r")):
        return True
    stripped = text.lstrip()
    return stripped.startswith(FORMULA_START) and not _NUMBER.fullmatch(stripped)


def _needs_quote(text: str) -> bool:
    # a text that already starts with ' before something formula-like gets one more, so unneutralise is exact
    return is_formula_like(text) or (text.startswith("'") and _needs_quote(text[1:]))


def neutralise(text: str) -> str:
    """``'`` + ``text`` when a spreadsheet would run it, else ``text``."""
    return "'" + text if _needs_quote(text) else text


def unneutralise(text: str | None) -> str | None:
    """The text :func:`neutralise` was given: the leading ``'`` it added removed."""
    if text and text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


def safe_cell(value, *, mask: bool = True, excel: bool = False):
    """A value fit for a spreadsheet or CSV cell: text masked (``mask``) and neutralised; numbers kept.

    A carriage return becomes a line feed: Python's csv module leaves a field holding a bare CR unquoted
    when lines end in LF, and Excel starts a new row at it -- where ``=…`` would run. An integer whose
    digits are personal data (a phone number typed into a number cell) becomes the masked text.
    ``excel``: also drop control characters xlsx cannot store and cut at Excel's cell limit.
    """
    if isinstance(value, str):
        if mask:
            value = mask_text(value)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if excel:
            value = ILLEGAL.sub("", value)
        return neutralise(value)[:EXCEL_MAX_CELL] if excel else neutralise(value)
    if mask and not isinstance(value, bool) and _is_whole(value) and abs(value) >= 1e9:
        digits = str(int(value))
        masked = mask_text(digits)
        if masked != digits:
            return masked
    return value


def _is_whole(value) -> bool:
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, float) and value.is_integer()


def safe_frame(frame, *, mask: bool = True, excel: bool = False, keep=()):
    """A copy of ``frame`` with every cell and column name passed through :func:`safe_cell`.

    Columns in :data:`KEY_COLUMNS` or ``keep`` (the input's id column) are neutralised, not masked.
    """
    import pandas as pd

    unmasked = KEY_COLUMNS | set(keep)
    out = frame.copy()
    names = list(out.columns)
    out.columns = [safe_cell(c, mask=mask, excel=excel) for c in out.columns]
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        mask_col = mask and names[j] not in unmasked
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
            continue
        # only long numbers can be phone or ID numbers
        if pd.api.types.is_numeric_dtype(col) and (not mask_col or not (col.abs() >= 1e9).any()):
            continue
        values = pd.unique(col.to_numpy(dtype=object))
        lookup = {v: safe_cell(v, mask=mask_col, excel=excel) for v in values if not _missing(v)}
        if any(new is not old for old, new in lookup.items()):
            out.isetitem(j, col.map(lookup))  # a missing value maps to missing
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def write_csv(frame, path, *, mask: bool = True, keep=(), **options):
    """Write ``frame`` through :func:`safe_frame` as CSV: UTF-8 with BOM (Excel reads it), ``\\n``, no index.

    ``path`` may be an open file (chunks appended); ``keep`` as in :func:`safe_frame`; ``options`` go to
    ``DataFrame.to_csv``.
    """
    options = {"index": False, "lineterminator": "\n", **options}
    if isinstance(path, (str, Path)):
        options.setdefault("encoding", "utf-8-sig")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(frame, mask=mask, keep=keep).to_csv(path, **options)
    return path


def text_cells(sheet) -> None:
    """Mark every text cell of an openpyxl ``sheet`` as text: openpyxl reads ``=…`` as a formula and
    ``#N/A`` as an error value; written cells hold what was given, nothing else."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def mask_xml_text(element) -> None:
    """Mask personal data in every text node of a docx/pptx XML ``element`` (a body, a slide)."""
    for tag in XML_TEXT_TAGS:
        for node in element.iter(tag):
            if node.text:
                node.text = mask_text(node.text)
