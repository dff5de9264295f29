"""Reading a user's table, and the checks shared by the commands that read one and write results.

``topics`` and ``rank`` take any Excel or CSV a staffer has: read it the same way (calamine, CSV in
UTF-8 or GBK, a title row above the header skipped with a note). Staff pick columns and folders by
hand, so the common slips — a time column that holds no dates, an output "folder" that is an existing
file — are caught before minutes of work, in Chinese.
"""

from __future__ import annotations

import codecs
import io
import warnings
from pathlib import Path

import pandas as pd

from toolkit.errors import ToolkitError

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
HEADER_SCAN = 10  # rows searched for a header below a title row
# Below this share of parseable dates a time column is the wrong column, not a few typos.
MIN_DATE_SHARE = 0.5


def read_table(path, *, error: type[ToolkitError]) -> pd.DataFrame:
    """The first sheet of an Excel file, or a CSV, as objects; ``frame.attrs["note"]`` says what was
    adjusted (a title row skipped), ``error`` names the file, the problem and the fix."""
    from python_calamine import CalamineError

    from toolkit.filesafety import UnsafeFile, check_text_table, check_workbook, read_input

    path = Path(path)
    if not path.exists():
        raise error("file.not_found", path=path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise error("file.type_unsupported", path=path, suffix=suffix)
    odd = ""
    try:
        blob = read_input(path)  # a regular file of bounded size (a FIFO or /dev/zero is refused)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            book = check_workbook(blob)
            first = book.scan(0, required=True)  # pandas reads the first sheet
            odd = odd_cells_note([first] if first else [])
            # calamine (a dependency, for ingest) reads long rows ~10x faster than openpyxl
            frame = pd.read_excel(io.BytesIO(blob), sheet_name=0, engine="calamine", dtype=object, header=None)
        else:
            sep = "\t" if suffix == ".tsv" else ","
            text = decode_csv(path, blob, error=error)[0]
            check_text_table(text, sep)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=object, keep_default_na=False, na_values=[""], header=None
            )
    except (UnsafeFile, ValueError, OSError, CalamineError) as err:
        raise unreadable(path, err, error=error) from (None if isinstance(err, UnsafeFile) else err)
    return set_header(frame, odd)


def unreadable(path, err: Exception, *, error: type[ToolkitError]) -> ToolkitError:
    """``error`` for a table the input guard refused (:class:`~toolkit.filesafety.UnsafeFile`) or pandas
    could not parse; the streaming reader words it the same way."""
    from toolkit.filesafety import UnsafeFile

    if isinstance(err, UnsafeFile):
        return error.from_error(err, path=path)
    return error("file.unreadable", path=path, reason=f"{type(err).__name__}: {str(err).strip()}")


def set_header(frame: pd.DataFrame, odd: str = "") -> pd.DataFrame:
    """A sheet read without a header, with its header row as column names (a title row above it skipped);
    ``attrs["note"]`` says what was adjusted, ``attrs["first_row"]`` is the row staff see in Excel for
    row 0 of the result. The streaming reader applies it to its first chunk, so both read alike."""
    frame, twice = _first_row_as_header(frame)
    body, note = skip_title_rows(frame)
    body.attrs["note"] = "；".join(n for n in (note, twice, odd) if n)
    body.attrs["first_row"] = 2 + len(frame) - len(body)
    return body


def _first_row_as_header(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Row 0 as column names, a repeated name numbered ``意见.1`` like pandas does, but said in a note:
    a column left nameless by a duplicate would otherwise be missed without a word."""
    if frame.empty:
        return frame, ""
    names, taken, repeated = [], set(), {}
    for j, value in enumerate(frame.iloc[0]):
        text = (
            ""
            if value is None or pd.isna(value)
            else str(int(value))
            if isinstance(value, float) and value.is_integer()
            else str(value)
        )
        name = text if text.strip() else f"Unnamed: {j}"
        if name in taken and text.strip():
            repeated.setdefault(text, [text])
            k = 1
            while f"{text}.{k}" in taken:
                k += 1
            name = f"{text}.{k}"
            repeated[text].append(name)
        names.append(name)
        taken.add(name)
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = names
    note = "；".join(
        f"表头“{h}”出现了 {len(ns)} 次，依次读作" + "、".join(f"“{n}”" for n in ns) + "，指定列名时请用这些名字"
        for h, ns in repeated.items()
    )
    return body, note


def odd_cells_note(scans) -> str:
    """A note naming cells read as blank because Excel shows an error there or saved a formula without a value."""
    from toolkit.filesafety import column_letters

    parts = []
    for scan in scans:
        if not scan.n_odd:
            continue
        shown = "、".join(
            f"{column_letters(c)}{r}（{text or '公式无计算结果'}）" for (r, c), text in list(scan.odd_cells.items())[:5]
        )
        more = f" 等 {scan.n_odd} 个" if scan.n_odd > 5 else ""
        parts.append(
            f"工作表“{scan.name}”的 {shown}{more}单元格是 Excel 错误值或没有计算结果的公式，已按空白读取；"
            "如需要，请在 Excel 中改正公式（或复制后“粘贴为数值”）再重新运行"
        )
    return "；".join(parts)


class UnreadableText(ToolkitError, ValueError):
    """Bytes that are no table text; callers raise it as their stage's error naming the file."""

    defaults = {"path": "输入文件"}  # until the caller names the file


def decode_text(blob: bytes, *, final: bool = True) -> tuple[str, str]:
    """``(text, encoding)`` of a CSV export: UTF-8 (with or without BOM), GBK/GB18030 (问卷星, Excel on
    Chinese Windows), UTF-16 with BOM, else charset-normalizer's best guess; :class:`UnreadableText` if none.

    ``final=False`` when ``blob`` is only the head of a larger file (the streaming reader picks the
    encoding from it): a character cut in two at its end is then no error."""

    def decode(enc: str) -> str:
        return codecs.getincrementaldecoder(enc)().decode(blob, final=final)

    if b"\x00" in blob[:4096]:
        for bom, enc in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
            if blob.startswith(bom):
                try:
                    return decode(enc), enc
                except UnicodeDecodeError:
                    raise UnreadableText("file.encoding_utf16") from None
        raise UnreadableText("file.binary")
    try:
        return decode("utf-8-sig"), "utf-8-sig" if blob.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as err:
        furthest = (err.start, "utf-8")  # the encoding that read furthest before a bad byte
    try:
        text = decode("gb18030")
        if not _looks_garbled(text):
            return text, "gb18030"
    except UnicodeDecodeError as err:
        furthest = max(furthest, (err.start, "gb18030"))
    start, encoding = furthest
    read = blob[:start].decode(encoding)
    if not read.isascii() and not _looks_garbled(read):
        # Chinese text read well up to one bad byte (a GBK export with a cut character): say where it is
        # rather than let a guess read it all as another alphabet
        raise UnreadableText("file.encoding_partial", encoding=shown_encoding(encoding), line=read.count("\n") + 1)
    from charset_normalizer import from_bytes

    best = from_bytes(blob[:200000]).best()
    if best is not None and best.encoding not in ("utf_8", "gb18030"):
        try:
            return decode(best.encoding), best.encoding
        except UnicodeDecodeError as err:
            furthest = (err.start, best.encoding)
        except LookupError:
            pass
    if furthest[0] == 0 or furthest[1] in ("utf-8", "gb18030"):
        raise UnreadableText("file.encoding_unknown")
    start, encoding = furthest
    raise UnreadableText(
        "file.encoding_partial", encoding=shown_encoding(encoding), line=blob.count(b"\n", 0, start) + 1
    )


def shown_encoding(encoding: str) -> str:
    """An encoding as staff know it (Excel's "CSV UTF-8", 记事本's ANSI = GBK on Chinese Windows)."""
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}.get(encoding, encoding)


def bad_byte_line(path, encoding: str, *, piece: int = 1 << 20) -> int:
    """The line (from 1) of the first byte of ``path`` that ``encoding`` cannot decode; 0 if none."""
    decoder, lines = codecs.getincrementaldecoder(encoding)(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(piece):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return lines + chunk.count(b"\n", 0, max(err.start, 0)) + 1
            lines += chunk.count(b"\n")
    return 0


def _looks_garbled(text: str) -> bool:
    # GB18030 decodes almost any byte string; many rare CJK/private-use characters mean it was not GB text
    sample = text[:20000]
    odd = sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff" or "\u3400" <= ch <= "\u4dbf")
    return odd > max(3, len(sample) // 200)


def decode_csv(path, blob: bytes, *, error: type[ToolkitError], final: bool = True) -> tuple[str, str]:
    """:func:`decode_text` of the bytes of ``path``, its failure as ``error`` naming the file and the fix."""
    try:
        return decode_text(blob, final=final)
    except UnreadableText as bad:
        raise error.from_error(bad, path=path) from None


def parse_times(values: pd.Series, *, column: str, where: str, error: type[ToolkitError]) -> pd.Series:
    """Datetimes of ``values`` (unparseable ones NaT); ``error`` when most filled cells are not dates."""
    with warnings.catch_warnings():  # pandas warns in English when it guesses a format per element
        warnings.simplefilter("ignore", UserWarning)
        times = pd.to_datetime(values, errors="coerce")
    filled = values.notna() & (values.astype(str).str.strip() != "")
    if filled.any():
        share = float(times[filled].notna().mean())
        if share < MIN_DATE_SHARE:
            example = values[filled & times.isna()].iloc[0]
            raise error("column.not_times", where=where, column=column, share=share, example=example)
    return times


def _is_number(text: str) -> bool:
    from toolkit.numbers import to_float

    return to_float(text.replace(",", "")) is not None


def find_header_row(rows: list[list[str | None]]) -> int:
    """0-based index of the header among the first rows (cell texts, ``None`` for empty); 0 unless clear.

    A title row is mostly empty (one merged title, perhaps a date) while the header below it fills most
    columns with distinct non-numeric texts; anything less clear keeps row 0, so ordinary exports never move.
    """
    head = rows[:HEADER_SCAN]
    filled = [[c for c in r if c is not None and str(c).strip()] for r in head]
    width = max((len(f) for f in filled), default=0)
    if width < 3 or len(filled[0]) > max(1, int(width * 0.3)):
        return 0
    for k in range(1, len(head)):
        cells = [str(c).strip() for c in filled[k]]
        if (
            len(cells) >= max(3, 0.6 * width)
            and len(set(cells)) == len(cells)
            and sum(_is_number(c) for c in cells) <= 0.2 * len(cells)
        ):
            return k
        if len(cells) > max(1, int(width * 0.3)):
            return 0  # a full row that does not look like a header: no title block here
    return 0


def skip_title_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A frame read with its first row as header, re-headed when that row was a title ("2019年群众留言汇总表")
    and the real header sits below; returns the frame and a note for the staffer ("" when nothing moved)."""
    first = [None if str(c).startswith("Unnamed:") else str(c) for c in frame.columns]
    rows = [first] + [
        [None if pd.isna(v) else str(v) for v in r] for r in frame.head(HEADER_SCAN - 1).itertuples(index=False)
    ]
    k = find_header_row(rows)
    if not k:
        return frame, ""
    header = [str(v).strip() if not pd.isna(v) else f"列{j + 1}" for j, v in enumerate(frame.iloc[k - 1])]
    body = frame.iloc[k:].reset_index(drop=True)
    body.columns = header
    title = "；".join(c for r in rows[:k] for c in r if c)[:40]
    return body, f"表头不在第一行：第 1–{k} 行是标题（{title}），已从第 {k + 1} 行读取表头。"
