"""Open an export file as a table of strings, whatever it claims to be.

The type is decided by the first bytes, not the name: 问卷星's ``.xls`` renamed ``.csv`` still
opens. Text encodings tried: UTF-8 (with or without BOM), GB18030, then charset detection.
Every failure becomes an ``IngestError`` that says what is wrong with the file and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.ingest.errors import IngestError
from toolkit.ingest.normalize import squash

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RawTable:
    """Header texts and data cells (``str`` or ``None``) of one sheet; data columns are positions 0..n-1."""

    path: str
    kind: str                      # xlsx | xls | csv
    header: list[str]
    data: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    notes: list[str] = field(default_factory=list)   # Chinese remarks for the report (e.g. "扩展名与内容不符")
    row_numbers: list[int] = field(default_factory=list)   # 1 = first data row of the file, per data row

    @property
    def n_rows(self) -> int:
        return len(self.data)

    def column(self, header: str) -> pd.Series | None:
        """The first column with this header, or None."""
        for i, h in enumerate(self.header):
            if h == header:
                return self.data[i]
        return None


def _fail(path, what: str, fix: str) -> IngestError:
    return IngestError(f"文件 {path}：{what}。修改：{fix}。")


def read_table(path: str | Path, sheet: int | str | None = None) -> RawTable:
    """Read ``path`` (xlsx, xls or csv/txt in any of the usual encodings) into a ``RawTable``."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "文件不存在", "检查文件名和路径")
    if path.is_dir():
        raise _fail(path, "这是一个文件夹，不是导出文件", "指定文件夹里的导出文件")
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if not blob.strip():
        raise _fail(path, "文件是空的（0 行数据）", "从平台重新导出答卷数据")
    ext = path.suffix.lower()
    if blob.startswith(XLSX_MAGIC):
        table = _read_excel(path, blob, "xlsx", sheet)
    elif blob.startswith(XLS_MAGIC):
        table = _read_excel(path, blob, "xls", sheet)
    else:
        table = _read_text(path, blob)
    if ext in (".csv", ".txt") and table.kind != "csv" or ext in (".xlsx", ".xls") and table.kind != ext[1:]:
        table.notes.append(f"扩展名 {ext} 与文件内容（{table.kind}）不符，已按 {table.kind} 读取")
    table.sha256 = digest
    if not table.header or all(h.startswith("第") and h.endswith("列") for h in table.header):
        raise _fail(path, "没有表头行", "导出时保留第一行的题目标题")
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


def _read_excel(path: Path, blob: bytes, kind: str, sheet) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(blob))
        names = wb.sheet_names
        if sheet is None:
            rows = []
            for i in range(len(names)):   # the first sheet that has data
                rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=True)
                if rows:
                    break
        elif isinstance(sheet, int):
            rows = wb.get_sheet_by_index(sheet).to_python(skip_empty_area=True)
        else:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=True)
    except Exception as err:  # calamine raises several types for broken zips / BIFF streams
        what = "文件不完整或已损坏" if kind == "xlsx" else "旧版 Excel（.xls）文件已损坏"
        raise _fail(path, f"{what}，无法打开（{type(err).__name__}: {str(err)[:120]}）",
                    "重新从平台下载；若在 Excel 中能打开，另存为 .xlsx 后再导入") from None
    return _from_rows(path, kind, rows)


def _from_rows(path: Path, kind: str, rows: list[list]) -> RawTable:
    if not rows:
        raise _fail(path, "工作表是空的", "确认导出的是答卷数据而不是空模板")
    width = max(len(r) for r in rows)
    header = _header([_cell_text(v) for v in rows[0]] + [None] * (width - len(rows[0])))
    body = [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in rows[1:]]
    columns = {}
    for j, values in enumerate(zip(*body)) if body else ():
        # converting each distinct value once keeps 100k-row files fast
        lookup = {v: _cell_text(v) for v in set(values)}
        columns[j] = [lookup[v] for v in values]
    frame = pd.DataFrame(columns, columns=range(width), dtype=object)
    return _trim(RawTable(str(path), kind, header, frame))


def _header(cells: list) -> list[str]:
    return [squash(c) if c is not None and squash(c) else f"第{i + 1}列" for i, c in enumerate(cells)]


def _trim(table: RawTable) -> RawTable:
    """Drop trailing columns with neither a header nor data (腾讯问卷's trailing comma) and empty rows."""
    data = table.data
    while table.header and table.header[-1].startswith("第") and table.header[-1].endswith("列") \
            and data[len(table.header) - 1].isna().all():
        data = data.drop(columns=[len(table.header) - 1])
        table.header = table.header[:-1]
    if len(data):
        data = data[data.notna().any(axis=1)]
    table.row_numbers = [int(i) + 1 for i in data.index]     # data row numbers as in the file, blank rows skipped
    table.data = data.reset_index(drop=True)
    return table


# ---- text (csv) -------------------------------------------------------------

def _looks_garbled(text: str) -> bool:
    # GB18030 decodes almost any byte string; many rare CJK/private-use characters mean it was not GB text
    sample = text[:20000]
    odd = sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff" or "\u3400" <= ch <= "\u4dbf")
    return odd > max(3, len(sample) // 200)


def _read_text(path: Path, blob: bytes) -> RawTable:
    text, encoding = _decode(path, blob)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if first.lstrip().lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise _fail(path, "这是网页/XML 文件，不是 CSV 或 Excel", "在平台上选择“导出为 Excel”或“CSV”后重新下载")
    delimiter = _sniff(first)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            na_filter=False, engine="c", quoting=csv.QUOTE_MINIMAL, skip_blank_lines=True)
    except pd.errors.ParserError as err:
        raise _fail(path, f"CSV 格式错误：{err}", "检查该行是否多了或少了分隔符、引号是否成对；或用 Excel 另存为 .xlsx") from None
    except pd.errors.EmptyDataError:
        raise _fail(path, "文件是空的（0 行数据）", "从平台重新导出答卷数据") from None
    header = _header([v if v != "" else None for v in frame.iloc[0].tolist()])
    data = frame.iloc[1:].reset_index(drop=True)
    data.columns = range(data.shape[1])
    data = data.astype(object).where(data.apply(lambda s: s.str.strip() != ""), None)
    table = _trim(RawTable(str(path), "csv", header, data, encoding=encoding, delimiter=delimiter))
    return table


def _decode(path, blob):
    if b"\x00" in blob[:4096]:
        for bom, enc in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
            if blob.startswith(bom):
                return blob.decode(enc), enc
        raise _fail(path, "不是文本表格（含二进制内容），也不是 Excel 文件", "确认导出格式为 CSV 或 Excel")
    try:
        return blob.decode("utf-8-sig"), "utf-8-sig" if blob.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = blob.decode("gb18030")
        if not _looks_garbled(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(blob[:200000]).best()
    if best is None or best.encoding in ("utf_8", "gb18030"):
        raise _fail(path, "文字编码无法识别（不是 UTF-8 或 GBK/GB18030）",
                    "用 Excel 或记事本打开后另存为“CSV UTF-8”再导入")
    try:
        return blob.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        raise _fail(path, f"文字编码疑似 {best.encoding}，但无法完整解码", "另存为“CSV UTF-8”再导入") from None


def _sniff(first_line: str) -> str:
    """The delimiter of a header line: the most frequent of , ; tab outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","
