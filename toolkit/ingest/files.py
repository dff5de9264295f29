"""Open an export file as a table of strings, whatever it claims to be.

The type is decided by the first bytes, not the name: 问卷星's ``.xls`` renamed ``.csv`` still
opens. Text encodings tried: UTF-8 (with or without BOM), GB18030, then charset detection.
Every failure becomes an ``IngestError`` that says what is wrong with the file and what to do.

A title row above the header ("2019年群众留言汇总表" merged across the sheet) is common in hand-made
tables: when the first rows are mostly empty and a later row looks like a header, the header is read
from that row and a note says so (``header_row`` overrides the guess).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.filesafety import CheckedWorkbook, UnsafeFile, check_text_table, check_workbook, column_letters, read_input
from toolkit.ingest.errors import IngestError
from toolkit.ingest.normalize import squash
from toolkit.tables import HEADER_SCAN, UnreadableText, decode_text, find_header_row

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".csv", ".txt", ".tsv", "")
# documents staff pick by mistake (the message says a document is no export), and form definitions
_DOCUMENTS = (".docx", ".doc", ".wps", ".pdf", ".pptx", ".ppt")
_FORM_SUFFIXES = (".yaml", ".yml")


@dataclass
class RawTable:
    """Header texts and data cells (``str`` or ``None``) of one sheet; data columns are positions 0..n-1."""

    path: str
    kind: str  # xlsx | xls | csv
    header: list[str]
    data: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    notes: list[str] = field(default_factory=list)  # Chinese remarks for the report (e.g. "扩展名与内容不符")
    row_numbers: list[int] = field(default_factory=list)  # 1 = first data row of the file, per data row
    header_line: int = 1  # spreadsheet row (1-based) of the header; data row n is sheet row n + header_line
    # (data row number, column) -> Excel's error text ("#N/A"), or "" for a formula saved without a value:
    # cells read as blank that must not pass as unanswered (see toolkit.filesafety)
    cell_errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def sheet_row(self, row_number: int) -> int:
        """The row number staff see in Excel for data row ``row_number``."""
        return row_number + self.header_line

    @property
    def n_rows(self) -> int:
        return len(self.data)

    def column(self, header: str) -> pd.Series | None:
        """The first column with this header, or None."""
        for i, h in enumerate(self.header):
            if h == header:
                return self.data[i]
        return None


def read_table(path: str | Path, sheet: int | str | None = None, header_row: int | None = None) -> RawTable:
    """Read ``path`` (xlsx, xls or csv/txt in any of the usual encodings) into a ``RawTable``.

    ``header_row`` is the 1-based row holding the column titles; by default row 1, or the row found
    below a title row (see the module docstring).
    """
    path = Path(path)
    if not path.exists():
        raise IngestError("file.not_found", path=path)
    if path.is_dir():
        raise IngestError("file.is_folder", path=path, via="")
    ext = path.suffix.lower()
    if ext in _FORM_SUFFIXES:
        raise IngestError("ingest.input_is_form", path=path, ext=ext)
    if ext in _DOCUMENTS:
        raise IngestError("ingest.document_not_table", path=path, suffix=ext)
    if ext not in TABLE_SUFFIXES:
        raise IngestError("ingest.type_unsupported", path=path, suffix=ext)
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise IngestError("ingest.header_row_invalid", path=path, value=header_row)
    try:
        blob = read_input(path)  # a regular file of bounded size (a FIFO or /dev/zero is refused)
        book = check_workbook(blob) if blob.startswith(XLSX_MAGIC) else None
    except UnsafeFile as bad:
        raise IngestError.from_error(bad, path=path) from None
    digest = hashlib.sha256(blob).hexdigest()
    if not blob.strip():
        raise IngestError("file.empty", path=path)
    if blob.startswith(XLSX_MAGIC):
        _check_workbook_zip(path, book)
        table = _read_excel(path, blob, "xlsx", sheet, header_row, book)
    elif blob.startswith(XLS_MAGIC):
        table = _read_excel(path, blob, "xls", sheet, header_row)
    else:
        table = _read_text(path, blob, header_row)
    if ext in (".csv", ".txt") and table.kind != "csv" or ext in (".xlsx", ".xls") and table.kind != ext[1:]:
        table.notes.append(f"扩展名 {ext} 与文件内容（{table.kind}）不符，已按 {table.kind} 读取")
    table.sha256 = digest
    if not table.header or all(h.startswith("第") and h.endswith("列") for h in table.header):
        raise IngestError("ingest.no_header", path=path)
    return table


# ---- spreadsheets ---------------------------------------------------------


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{int(value.total_seconds())}秒"
    return str(value)


def _check_workbook_zip(path: Path, book: CheckedWorkbook) -> None:
    """A zip that is a Word/PowerPoint document renamed .xlsx: say what it is instead of "damaged"."""
    if book.zf is None:
        return  # truncated: the Excel reader reports it as damaged
    names = book.zf.namelist()
    if any(n.startswith("xl/") for n in names):
        return
    code = (
        "file.word_not_table"
        if any(n.startswith("word/") for n in names)
        else "file.ppt_not_table"
        if any(n.startswith("ppt/") for n in names)
        else "file.not_table"
    )
    raise IngestError(code, path=path)


def _sheet_missing(path: Path, sheet, names: list[str]) -> IngestError:
    have = "、".join(f"“{n}”" for n in names) or "（无）"
    asked = f"第 {sheet + 1} 个工作表" if isinstance(sheet, int) else f"“{sheet}”"
    return IngestError("sheet.missing", path=path, sheet=asked, names=have)


def _read_excel(path: Path, blob: bytes, kind: str, sheet, header_row: int | None = None, book=None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(blob))
        names = wb.sheet_names
    except Exception as err:  # calamine raises several types for broken zips / BIFF streams
        raise _broken(path, kind, err) from None
    if isinstance(sheet, int) and not 0 <= sheet < len(names) or isinstance(sheet, str) and sheet not in names:
        raise _sheet_missing(path, sheet, names)
    scan = None

    def load(i: int):
        nonlocal scan
        try:  # before calamine allocates the sheet's whole range (toolkit.filesafety)
            scan = book.scan(names[i], required=True) if book is not None else None
        except UnsafeFile as bad:
            raise IngestError.from_error(bad, path=path) from None
        return wb.get_sheet_by_index(i)

    try:
        if sheet is None:
            rows, ws = [], None
            for i in range(len(names)):  # the first sheet that has data
                ws = load(i)
                rows = ws.to_python(skip_empty_area=True)
                if rows:
                    break
        else:
            ws = load(sheet if isinstance(sheet, int) else names.index(sheet))
            rows = ws.to_python(skip_empty_area=True)
        # rows start at the first used row; row numbers in messages count from the sheet's row 1
        first = (ws.start[0] if ws is not None and ws.start else 0) + 1
        left = (ws.start[1] if ws is not None and ws.start else 0) + 1  # and columns at the first used one
    except IngestError:
        raise
    except Exception as err:  # calamine raises several types for broken zips / BIFF streams
        raise _broken(path, kind, err) from None
    table = _from_rows(path, kind, rows, header_row, first)
    if scan is not None and scan.n_odd:
        _mark_odd_cells(table, scan, left)
    return table


def _mark_odd_cells(table: RawTable, scan, left: int) -> None:
    """Record the cells calamine read as blank though Excel shows an error (#N/A) or holds a formula
    without a saved value, so the import can reject those answers instead of losing them silently."""
    header = dict(enumerate(table.header))
    shown = []
    for (r, c), text in scan.odd_cells.items():
        row, col = r - table.header_line, c - left
        if row >= 1:
            table.cell_errors[(row, col)] = text
        if len(shown) < 5:
            shown.append(f"第{r}行“{header.get(col, column_letters(c) + '列')}”（{text or '公式没有计算结果'}）")
    more = f"等 {scan.n_odd} 个单元格" if scan.n_odd > len(shown) else ""
    table.notes.append(
        f"{'、'.join(shown)}{more}是 Excel 错误值或没有计算结果的公式，读作空白"
        "（导入时含这些单元格的答卷进入待修正表）。修改：在 Excel 中改正公式（或复制后“粘贴为数值”）再导出"
    )


def _broken(path: Path, kind: str, err: Exception) -> IngestError:
    code = "workbook.damaged" if kind == "xlsx" else "workbook.xls_damaged"
    return IngestError(code, path=path, reason=f"{type(err).__name__}: {str(err)[:120]}")


def _header_at(
    path: Path, texts: list[list[str | None]], header_row: int | None, first: int = 1
) -> tuple[int, list[str]]:
    """(index of the header in ``texts``, notes) from an explicit ``header_row`` or the title-row guess.

    ``texts`` are the first rows, ``texts[0]`` being sheet row ``first`` (1-based).
    """
    if header_row is not None:
        k = header_row - first
        if not 0 <= k < len(texts) or not any(c is not None for c in texts[k]):
            raise IngestError("ingest.header_row_empty", path=path, row=header_row)
        return k, ([f"按 --header-row 从第 {header_row} 行读取表头"] if header_row > 1 else [])
    k = find_header_row(texts)
    if not k:
        return 0, []
    title = "；".join(c for r in texts[:k] for c in r if c is not None and str(c).strip())[:60]
    rows = f"{first}" if k == 1 else f"{first}–{first + k - 1}"
    return k, [
        f"表头不在第一行：第 {rows} 行是标题（{title}），已从第 {first + k} 行读取表头。"
        f"若不对，用 --header-row 行号 指定表头所在行"
    ]


def _from_rows(path: Path, kind: str, rows: list[list], header_row: int | None = None, first: int = 1) -> RawTable:
    if not rows:
        raise IngestError("sheet.empty", path=path)
    scan = max(HEADER_SCAN, (header_row or 0) - first + 1)
    k, notes = _header_at(path, [[_cell_text(v) for v in r] for r in rows[:scan]], header_row, first)
    rows = rows[k:]
    width = max(len(r) for r in rows)
    header = _header([_cell_text(v) for v in rows[0]] + [None] * (width - len(rows[0])))
    body = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in rows[1:]]
    columns = {}
    for j, values in enumerate(zip(*body)) if body else ():
        # converting each distinct value once keeps 100k-row files fast
        lookup = {v: _cell_text(v) for v in set(values)}
        columns[j] = [lookup[v] for v in values]
    frame = pd.DataFrame(columns, columns=range(width), dtype=object)
    return _trim(RawTable(str(path), kind, header, frame, notes=notes, header_line=first + k))


def _header(cells: list) -> list[str]:
    return [squash(c) if c is not None and squash(c) else f"第{i + 1}列" for i, c in enumerate(cells)]


def _trim(table: RawTable) -> RawTable:
    """Drop trailing columns with neither a header nor data (腾讯问卷's trailing comma) and empty rows."""
    data = table.data
    while (
        table.header
        and table.header[-1].startswith("第")
        and table.header[-1].endswith("列")
        and data[len(table.header) - 1].isna().all()
    ):
        data = data.drop(columns=[len(table.header) - 1])
        table.header = table.header[:-1]
    if len(data):
        data = data[data.notna().any(axis=1)]
    table.row_numbers = [int(i) + 1 for i in data.index]  # data row numbers as in the file, blank rows skipped
    table.data = data.reset_index(drop=True)
    return table


# ---- text (csv) -------------------------------------------------------------


def _read_text(path: Path, blob: bytes, header_row: int | None = None) -> RawTable:
    text, encoding = _decode(path, blob)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.lstrip().lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise IngestError("file.web_page", path=path)
    # a title line above the header has no delimiter: sniff the first line that has one
    lines = text.lstrip("\ufeff").split("\n", HEADER_SCAN)[:HEADER_SCAN]
    delimiter = _sniff(next((line for line in lines if _sniff(line, None)), first))
    try:
        check_text_table(text, delimiter)  # before pandas makes an object per column
    except UnsafeFile as bad:
        raise IngestError.from_error(bad, path=path) from None
    options = dict(
        sep=delimiter,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        engine="c",
        quoting=csv.QUOTE_MINIMAL,
        skip_blank_lines=True,
    )
    try:
        try:
            frame = pd.read_csv(io.StringIO(text), **options)
        except pd.errors.ParserError:
            # rows wider than the first (a one-cell title line): read with the widest row's width
            width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=1)
            if width <= len(next(csv.reader(io.StringIO(text), delimiter=delimiter), [])):
                raise
            frame = pd.read_csv(io.StringIO(text), names=range(width), **options)
    except (pd.errors.ParserError, csv.Error) as err:
        raise IngestError("csv.malformed", path=path, reason=err) from None
    except pd.errors.EmptyDataError:
        raise IngestError("file.empty", path=path) from None
    texts = [
        [v if v.strip() != "" else None for v in r]
        for r in frame.iloc[: max(HEADER_SCAN, header_row or 0)].itertuples(index=False, name=None)
    ]
    k, notes = _header_at(path, texts, header_row)
    header = _header(texts[k])
    data = frame.iloc[k + 1 :].reset_index(drop=True)
    data.columns = range(data.shape[1])
    data = data.astype(object).where(data.apply(lambda s: s.str.strip() != ""), None)
    return _trim(
        RawTable(str(path), "csv", header, data, encoding=encoding, delimiter=delimiter, notes=notes, header_line=k + 1)
    )


def _decode(path, blob):
    try:
        return decode_text(blob)
    except UnreadableText as bad:
        raise IngestError.from_error(bad, path=path) from None


def _sniff(first_line: str, default: str | None = ",") -> str | None:
    """The delimiter of a header line: the most frequent of , ; tab outside quotes (``default`` if none)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else default
