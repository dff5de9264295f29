"""One guard for every input file a command reads: refuse what would crash, hang or eat all memory.

Staff pick files by hand and files come from anywhere, so before any reader (calamine, openpyxl,
pandas) sees the bytes this module checks, in bounded memory and time:

- the path is a regular file (a FIFO would block ``open`` forever, ``/dev/zero`` never ends, a folder
  is no table); the check is ``os.stat`` after symlinks are resolved, and the file is then opened
  non-blocking and checked again, so a file swapped in between is refused too;
- its size is at most ``MAX_BYTES`` (200 MB, generous for survey exports and message tables);
- an Excel workbook (a zip) is inspected from its directory before anything is unpacked: member count,
  total unpacked size and the packing ratio of big members (a "deflate bomb" unpacks 1 MB to 300 MB);
  then, before a reader loads a sheet, its XML is streamed once to find its used range — calamine
  allocates rows x columns cells for it, so one cell typed at XFD30000 once asked for 512 GB and
  aborted the process;
- a text table has no line of more than ``MAX_COLUMNS`` fields (pandas makes an object per column).

The same stream also notes cells Excel shows as errors (``#N/A``) or formulas saved without a value:
calamine reads both as empty, and the readers need to say so instead of losing the answer silently.
Every refusal is an :class:`UnsafeFile` carrying a catalogue code (:mod:`toolkit.errors`) and its facts;
callers raise it as their stage's error naming the file (``IngestError.from_error(bad, path=path)``).
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError

MAX_BYTES = 200 * 2**20  # any input file (100,000 answers x 30 questions: ~13 MB as xlsx, ~30 MB as CSV)
MAX_UNPACKED = 1 * 2**30  # all members of a workbook together, unpacked
MAX_MEMBERS = 10_000  # zip members of a workbook (a big real one has a few dozen)
MAX_RATIO = 100  # unpacked/packed of a big member; real sheets pack 5-20:1
RATIO_FLOOR = 20 * 2**20  # members smaller than this may pack as well as they like
MAX_COLUMNS = 16_384  # Excel's own limit (column XFD)
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 20_000_000  # rows x columns of a sheet's used range, e.g. 100,000 rows x 200 columns
MAX_NOTED = 100_000  # error cells remembered per sheet; beyond that the sheet is refused
_CHUNK = 1 << 20


class UnsafeFile(ToolkitError, ValueError):
    """A file refused before reading, as a catalogue code; callers raise it as their stage's error naming
    the file (``StageError.from_error(bad, path=path)``)."""

    defaults = {"path": "输入文件"}  # until the caller names the file


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"


def _not_regular(path: Path, mode: int) -> UnsafeFile:
    kind = (
        "文件夹"
        if stat.S_ISDIR(mode)
        else "命名管道（FIFO）"
        if stat.S_ISFIFO(mode)
        else "设备文件"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "套接字"
        if stat.S_ISSOCK(mode)
        else "特殊文件"
    )
    via = f"它是指向 {os.path.realpath(path)} 的链接" if path.is_symlink() else ""
    if stat.S_ISDIR(mode):
        return UnsafeFile("file.is_folder", path=str(path), via=via)
    return UnsafeFile("file.not_regular", path=str(path), kind=kind + (f"（{via}）" if via else ""))


def check_path(path) -> Path:
    """``path`` if it names a regular file (symlinks followed); :class:`UnsafeFile` otherwise.

    For readers that open the file themselves (streaming CSV): ``os.stat`` never blocks, ``open`` on a FIFO does.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UnsafeFile("file.not_found", path=str(path)) from None
    except OSError as err:
        raise UnsafeFile("file.no_access", path=str(path), reason=err.strerror) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    return path


def read_input(path, *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; :class:`UnsafeFile` otherwise."""
    path = check_path(path)
    _check_size(os.stat(path).st_size, limit)
    with _open_regular(path) as handle:
        blob = handle.read(limit + 1)
        if len(blob) > limit:  # grew after the check
            _check_size(max(len(blob), os.fstat(handle.fileno()).st_size), limit)
    return blob


def _open_regular(path: Path):
    """``path`` opened for reading without blocking, checked again as a regular file (it may have been
    replaced since :func:`check_path`)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise UnsafeFile("file.no_access", path=str(path), reason=err.strerror) from None
    handle = os.fdopen(fd, "rb")
    mode = os.fstat(handle.fileno()).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise _not_regular(path, mode)
    return handle


class TooBig(UnsafeFile):
    """A file over the reader's size limit (``bytes``: its size): callers with their own limit (a form
    definition) word it."""

    bytes = 0


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        big = TooBig("file.too_big", size=_mb(size), limit=_mb(limit))
        big.bytes = size
        raise big


# ---- workbooks --------------------------------------------------------------------------------------


@dataclass
class SheetScan:
    """What one worksheet's XML holds, found without building any cell."""

    name: str
    rows: int = 0  # last used row (1-based), 0 when empty
    columns: int = 0  # last used column (1-based)
    first: tuple[int, int] = (0, 0)  # first used (row, column), 1-based; (0, 0) when empty
    dimension: str = ""  # the <dimension ref> the writer claimed
    # (row, column) 1-based -> Excel's error text ("#N/A") or "" for a formula saved without a value
    odd_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    n_odd: int = 0  # how many such cells


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{1,4})?(\d+)?"')
_ERROR_T = re.compile(rb'\bt="e"')
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]*)<")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_A1 = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d+)$")


def column_number(letters: str) -> int:
    """1 for A, 27 for AA, 16384 for XFD."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _area(ref: str) -> tuple[int, int]:
    """(rows, columns) spanned by an A1 range such as ``A1:XFD1048576`` (0, 0 when unreadable)."""
    ends = [_A1.match(p.strip()) for p in ref.split(":")]
    if not ends or not all(ends):
        return 0, 0
    rows = [int(m.group(2)) for m in ends]
    cols = [column_number(m.group(1)) for m in ends]
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1


_BOOK, _BOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, list[str]] | None:
    """Tab name -> the zip members its relationship may point to, in tab order; None when the workbook
    part or its relationships cannot be read (then no sheet can be vouched for).

    Readers resolve a target differently (relative to ``xl/`` per the standard, or ``xl/...`` taken as
    from the root), so every member a reader might load is listed and scanned, whatever folder it is in.
    """
    from xml.etree.ElementTree import ParseError, fromstring  # expat: no external entities, entity-bomb limits

    try:
        book, rels = fromstring(_small(zf, _BOOK)), fromstring(_small(zf, _BOOK_RELS))
    except (KeyError, ParseError, zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter() if _local(r.tag) == "Relationship"}
    out = {}
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and _local(k) == "id"), None)
        target = targets.get(rid, "").replace("\\", "/")
        ways = {target[1:]} if target.startswith("/") else {"xl/" + target, target if target.startswith("xl/") else ""}
        out[sheet.get("name", "")] = sorted({posixpath.normpath(w) for w in ways if w})
    return out


def _small(zf: zipfile.ZipFile, name: str, limit: int = 16 * 2**20) -> bytes:
    with zf.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile("workbook.part_too_big", part=name)
    return data


class CheckedWorkbook:
    """A workbook whose zip directory passed; :meth:`scan` checks a sheet just before a reader loads it
    (a stray cell on a sheet nobody reads refuses nothing).

    Fail closed: a sheet the workbook names is refused unless every part it may point to was scanned;
    only a name the workbook does not have at all passes (the reader then says the sheet is missing).
    """

    def __init__(self, zf: zipfile.ZipFile | None = None, *, zipped: bool = False):
        # zipped: the bytes claim to be a zip (an xlsx) that could not be opened; a legacy .xls has no sheet XML
        self.zf, self.zipped, self._scans = zf, zf is not None or zipped, {}
        self.parts = _sheet_parts(zf) if zf is not None else {}
        self._members = set(zf.namelist()) if zf is not None else set()

    @property
    def names(self) -> list[str]:
        """The worksheets in tab order, as readers number them."""
        return list(self.parts or {})

    def scan(self, name: str | int, *, required: bool = False) -> SheetScan | None:
        """The scan of the sheet named ``name`` (or at tab position ``name``), refusing a sheet whose used
        range would exhaust memory or that cannot be scanned; None when the workbook has no such sheet
        or is no zip at all (the reader reports either in its own words). ``required`` when the reader
        has the sheet already (it read the name itself): then None is a refusal too."""
        found = self._lookup(name)
        if found is None and required and self.zipped:
            if self.zf is None:
                raise UnsafeFile("workbook.no_directory")
            if isinstance(name, int):
                raise UnsafeFile("workbook.sheet_unlisted_at", position=name + 1)
            raise UnsafeFile("workbook.sheet_unlisted", sheet=name)
        return found

    def _lookup(self, name: str | int) -> SheetScan | None:
        if self.zf is None:
            return None
        if self.parts is None:
            raise UnsafeFile("workbook.no_sheet_list")
        if isinstance(name, int):
            if not 0 <= name < len(self.parts):
                return None
            name = self.names[name]
        if name not in self.parts:
            return None
        if name not in self._scans:
            self._scans[name] = self._scan(name)
        return self._scans[name]

    def _scan(self, name: str) -> SheetScan:
        members = [m for m in self.parts[name] if m in self._members]
        if not members:
            raise UnsafeFile("workbook.sheet_data_missing", sheet=name)
        try:
            scans = [_scan_sheet(self.zf, self.zf.getinfo(m), name) for m in members]
        except (zipfile.BadZipFile, zlib.error, EOFError):
            # a checksum that fails may hide a part that unpacks to far more than its directory says
            raise UnsafeFile("workbook.crc_failed", sheet=name) from None
        except (OSError, RuntimeError, NotImplementedError):  # encrypted, or a compression zipfile lacks
            raise UnsafeFile("workbook.encrypted", sheet=name) from None
        return scans[0]


def check_workbook(blob: bytes) -> CheckedWorkbook:
    """Refuse a workbook (xlsx/xlsm zip) whose parts would exhaust memory when unpacked; sheets are checked
    by :meth:`CheckedWorkbook.scan`. A zip that cannot be opened passes here (the reader reports it as
    damaged); a sheet a reader loads from it anyway is refused by ``scan(..., required=True)``."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
        members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return CheckedWorkbook(zipped=blob.startswith(b"PK\x03\x04"))
    if len(members) > MAX_MEMBERS:
        raise UnsafeFile("workbook.too_many_parts", count=len(members), limit=MAX_MEMBERS)
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        raise UnsafeFile("workbook.too_big_unpacked", size=_mb(total), packed=_mb(len(blob)), limit=_mb(MAX_UNPACKED))
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise UnsafeFile(
                "workbook.zip_bomb",
                part=m.filename,
                packed=_mb(m.compress_size),
                size=_mb(m.file_size),
                ratio=m.file_size // max(m.compress_size, 1),
                limit=MAX_RATIO,
            )
        if m.filename.endswith((".xml", ".rels")) and _declares_doctype(zf, m):
            # OOXML parts never declare a DTD; one that does carries entities (billion laughs, XXE)
            raise UnsafeFile("workbook.doctype", part=m.filename)
    return CheckedWorkbook(zf)


def _declares_doctype(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether the XML part opens with a ``<!DOCTYPE`` (read from its first 4 KB only)."""
    try:
        with zf.open(member) as fh:
            head = fh.read(4096)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False  # an unreadable part is refused when a reader loads it (scan)
    return b"<!DOCTYPE" in head.upper()


_P = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an element, with or without a namespace prefix
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:sheetData\b")
_DIMENSION = re.compile(_P + rb'dimension\b[^>]*?\bref="([^"]*)"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_COLUMN = re.compile(rb' r="([A-Z]{1,4})\d')  # a cell's reference; a row's r="7" has no letters
_ODD_MARK = re.compile(rb'\bt="e"|' + _P + rb"f[\s/>]")
_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:row|c)>")


def _scan_sheet(zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> SheetScan:
    """Stream a worksheet's XML once in 1 MB pieces: used range, claimed dimension, error/formula cells.

    A piece is first measured with a few byte searches (every writer we know gives each cell an
    ``r="B7"``); a piece that does not add up — cells without ``r``, namespace prefixes — or whose rough
    range would be refused is walked tag by tag, which also leaves out formatted empty cells.
    """
    scan, state = SheetScan(name), [0, 0, 0, 0]  # state: current row, column; first row, column
    tail, plain = b"", None
    with zf.open(member) as f:
        while True:
            chunk = f.read(_CHUNK)
            buf = tail + chunk
            if plain is None:  # the first piece: how elements are written, what range is claimed
                head = buf[: buf.find(b"sheetData") % (len(buf) + 1)]
                plain = not _PREFIXED.search(head + b"sheetData")
                d = _DIMENSION.search(head)
                scan.dimension = d.group(1).decode("ascii", "replace") if d else ""
            work, tail = (buf, b"") if not chunk else _split(buf, plain)
            if not (plain and _measure(scan, state, work)):
                _walk(scan, state, work)
            for start in _odd_starts(work, plain):
                _note_odd(scan, work, start)
            if not chunk:
                break
    scan.first = (state[2], state[3])
    _check_extent(scan)
    return scan


def _measure(scan: SheetScan, state: list, work: bytes) -> bool:
    """Widen the used range by a piece's cells from byte searches; False when the piece needs a walk."""
    cells = work.count(b"<c ") + work.count(b"<c>")
    letters = _COLUMN.findall(work)
    rows = [int(r) for r in _ROW_NUMBER.findall(work)]
    if len(letters) != cells or cells and not rows:
        return False
    if not cells:
        return True
    cols = [column_number(c.decode()) for c in set(letters)]
    top, bottom = min(rows) if not state[2] else min(state[2], min(rows)), max(scan.rows, max(rows))
    left, right = min(cols) if not state[3] else min(state[3], min(cols)), max(scan.columns, max(cols))
    if bottom > MAX_ROWS or right > MAX_COLUMNS or (bottom - top + 1) * (right - left + 1) > MAX_CELLS:
        return False  # rows and formatted empty cells counted too: let the walk decide
    scan.rows, scan.columns, state[2], state[3] = bottom, right, top, left
    state[0] = rows[-1]
    return True


def _odd_starts(work: bytes, plain: bool) -> list[int]:
    """Where the tags of cells showing an error (t="e") or holding a formula start, once each."""
    if plain and b't="e"' not in work and b"<f" not in work:
        return []
    return sorted(
        {
            work.rfind(b"<", 0, m.start()) if m.group(0).startswith(b"t") else work.rfind(b"<c", 0, m.start())
            for m in _ODD_MARK.finditer(work)
        }
    )


def _extent(scan: SheetScan, state: list, row: int, col: int) -> None:
    scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, col)
    state[2] = row if not state[2] else min(state[2], row)
    state[3] = col if not state[3] else min(state[3], col)


def _walk(scan: SheetScan, state: list, work: bytes) -> None:
    """The used range from tags one by one: a cell without ``r`` is the one after the previous cell."""
    for m in _TAG.finditer(work):
        tag, attrs = m.group(1), m.group(2)
        if tag == b"dimension":
            continue
        ref = _REF.search(attrs)
        if tag == b"row":
            state[0], state[1] = (int(ref.group(2)) if ref and ref.group(2) else state[0] + 1), 0
            continue
        state[1] = column_number(ref.group(1).decode()) if ref and ref.group(1) else state[1] + 1
        if ref and ref.group(2):
            state[0] = int(ref.group(2))
        if not attrs.endswith(b"/"):  # <c r="A1" s="3"/>: a formatted empty cell, not used
            _extent(scan, state, state[0], state[1])


def _split(buf: bytes, plain: bool) -> tuple[bytes, bytes]:
    """(whole cells, the rest): cut after the last closed cell or row, so a cell's value stays with it."""
    if plain:
        end = max(buf.rfind(b"</c>") + 4, buf.rfind(b"</row>") + 6)
        end = end if end > 6 else -1
    else:
        last = deque(_CLOSE.finditer(buf, max(0, len(buf) - (1 << 16))), maxlen=1)
        end = last[0].end() if last else -1
    if end > 0:
        return buf[:end], buf[end:]
    if len(buf) > 8 * _CHUNK:  # no cell ends at all: not a sheet we must understand
        return buf, b""
    cut = buf.rfind(b"<")
    return (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")


def _note_odd(scan: SheetScan, work: bytes, start: int) -> None:
    """Remember the cell whose tag starts at ``start`` if it shows an error (its text) or is a formula
    saved without a value ("")."""
    m = _TAG.match(work, start) if start >= 0 else None
    ref = _REF.search(m.group(2)) if m and m.group(1) == b"c" else None
    if ref is None or not ref.group(1) or not ref.group(2) or m.group(2).endswith(b"/"):
        return
    where = (int(ref.group(2)), column_number(ref.group(1).decode()))
    end = _CELL_END.search(work, m.end())
    body = work[m.end() : end.start() if end else len(work)]
    value = _VALUE.search(body)
    if _ERROR_T.search(m.group(2)):
        text = value.group(1).decode("utf-8", "replace") if value else "#错误"
    elif _FORMULA.search(body) and not (value and value.group(1).strip()):
        text = ""
    else:
        return
    scan.n_odd += 1
    scan.odd_cells[where] = text
    if scan.n_odd > MAX_NOTED:
        raise UnsafeFile("sheet.too_many_odd_cells", sheet=scan.name, limit=MAX_NOTED)


def _check_extent(scan: SheetScan) -> None:
    if scan.rows > MAX_ROWS or scan.columns > MAX_COLUMNS:
        raise UnsafeFile(
            "sheet.beyond_excel",
            sheet=scan.name,
            rows=scan.rows,
            columns=scan.columns,
            max_rows=MAX_ROWS,
            max_columns=MAX_COLUMNS,
        )
    rows = scan.rows - scan.first[0] + 1 if scan.rows else 0
    cols = scan.columns - scan.first[1] + 1 if scan.columns else 0
    if rows * cols > MAX_CELLS:
        far = f"{column_letters(scan.columns)}{scan.rows}"
        raise UnsafeFile(
            "sheet.area_too_big",
            sheet=scan.name,
            near=f"{column_letters(scan.first[1])}{scan.first[0]}",
            far=far,
            rows=rows,
            columns=cols,
            cells=rows * cols,
            limit=MAX_CELLS,
        )
    d_rows, d_cols = _area(scan.dimension) if scan.dimension else (0, 0)
    if d_rows * d_cols > MAX_CELLS:  # openpyxl pads every row to the claimed width
        raise UnsafeFile("sheet.dimension_lies", sheet=scan.name, dimension=scan.dimension, rows=d_rows, columns=d_cols)


# ---- text tables ------------------------------------------------------------------------------------

# a line ends at \n, \r\n or a lone \r ("CSV (Macintosh)" from Excel), as csv and pandas read them
_LONG_LINE = re.compile(rf"[^\r\n]{{{MAX_COLUMNS},}}")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def check_text_table(text: str, sep: str) -> None:
    """Refuse a text table with a line of more than ``MAX_COLUMNS`` fields (only long lines are counted)."""
    for m in _LONG_LINE.finditer(text):
        line = m.group(0)
        if line.count(sep) < MAX_COLUMNS:
            continue
        number = len(_LINE_BREAK.findall(text, 0, m.start())) + 1
        csv.field_size_limit(max(csv.field_size_limit(), len(line) + 1))  # the line is in memory already
        try:
            width = len(next(csv.reader([line], delimiter=sep), []))
        except csv.Error:
            raise UnsafeFile(
                "table.line_unsplittable", line=number, chars=len(line), separators=line.count(sep)
            ) from None
        if width > MAX_COLUMNS:
            raise UnsafeFile("table.too_many_columns", line=number, columns=width, limit=MAX_COLUMNS)


def check_csv_head(path, head: int = 4 * 2**20) -> None:
    """For a CSV read in chunks by its reader (too big to hold): a regular file whose first ``head`` bytes
    have no line wider than ``MAX_COLUMNS`` (the header decides how many columns pandas builds)."""
    with _open_regular(check_path(path)) as handle:
        start = handle.read(head)
    check_text_table(start.decode("utf-8", "replace"), ",")
