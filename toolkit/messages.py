"""The message frame — one row per message: ``id``, ``text``, ``time`` and, when given, ``respondent``,
``likes``, ``dislikes``, ``sector``, ``district`` — built one way from any input.

``topics`` (whole or ``--stream``), ``rank`` and ``brief`` all come here, so a missing column, an empty
or repeated id, texts joined from several columns ("留言主题,留言详情") and a GBK export read the same way
and are reported in the same words whichever command read them:

* :func:`from_frame` — a table already in memory (the base of the others);
* :func:`from_file` — a .csv / .xlsx / .xls file (via :func:`toolkit.tables.read_table`);
* :func:`from_store` — the responses to one form in a store, a question id as the text column;
* :func:`read` — a file or a store, whichever ``path`` names;
* :func:`in_chunks` — frames of ``chunksize`` rows from a CSV too large to hold (other inputs are read whole
  and sliced); concatenated they equal what :func:`read` returns.

It is a module of its own rather than part of :mod:`toolkit.tables`: tables turns bytes into a sheet of
cells, this turns a sheet into messages (which columns mean what, and what a message must have).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.tables import parse_times

STORE_SUFFIXES = {".db", ".sqlite", ".sqlite3"}
# Columns that name who wrote a message, tried in order when the respondent column is "auto".
RESPONDENT_COLUMNS = (
    "respondent",
    "留言用户",
    "用户",
    "用户ID",
    "用户id",
    "提交人",
    "反映人",
    "填写人",
    "微信昵称",
    "openid",
    "user",
    "user_id",
)
AUTO = "auto"
TEXT_JOINER = "。"  # "留言主题,留言详情" -> "主题。详情"
# A letter, however long, is read up to here: the longest real ones are a few thousand characters.
MAX_TEXT = 20_000
HEAD_BYTES = 4 * 2**20  # the streaming reader picks the encoding from this much of the file
SHOWN_COLUMNS = 30  # a message lists at most this many of the columns present


@dataclass(frozen=True)
class Columns:
    """Which input column holds each part of a message (``None``: the input has none).

    ``text`` may name several columns joined by commas ("留言主题,留言详情"); their texts are joined with
    "。". ``respondent="auto"`` takes the first of :data:`RESPONDENT_COLUMNS` the input has. Each part is
    named in messages by its command-line option (``--text-col``, ``--id-col`` …).
    """

    text: str
    id: str
    time: str | None = None
    respondent: str | None = None
    likes: str | None = None
    dislikes: str | None = None
    sector: str | None = None
    district: str | None = None

    @property
    def texts(self) -> list[str]:
        return [c.strip() for c in str(self.text).split(",") if c.strip()]

    def named(self) -> list[tuple[str, str]]:
        """``(column, option)`` for every column asked for, the text columns one by one."""
        out = [(c, "--text-col") for c in self.texts]
        return out + [
            (getattr(self, f.name), f"--{f.name}-col")
            for f in fields(self)
            if f.name != "text" and getattr(self, f.name) not in (None, AUTO)
        ]


OPTIONAL = ("respondent", "likes", "dislikes", "sector", "district")


# -- one set of checks, one wording (the catalogue's column.missing, id.empty, id.repeated) -------------
def shown_columns(present) -> str:
    """The columns a table has, as a message lists them (at most :data:`SHOWN_COLUMNS`)."""
    shown = "、".join(map(str, list(present)[:SHOWN_COLUMNS]))
    return shown + (f" 等 {len(present)} 列" if len(present) > SHOWN_COLUMNS else "")


def check_columns(frame: pd.DataFrame, columns: Columns, *, where: str, error: type[ToolkitError]) -> None:
    """``error`` naming the first column asked for that ``frame`` lacks, and listing those it has."""
    for column, option in columns.named():
        if column not in frame.columns:
            raise error(
                "column.missing", where=where, column=str(column), option=option, present=shown_columns(frame.columns)
            )


class IdCheck:
    """Ids must be filled and unique. Fed chunk by chunk, it remembers a 64-bit hash and the row of every
    id seen (16 bytes an id), so a repeat across chunks is found as in one frame; within one chunk the
    test is exact, across chunks a hash collision (about 1 in 10^7 for a million ids) could be reported."""

    def __init__(self, column: str, *, where: str, error: type[ToolkitError]):
        self.column, self.where, self.error = column, where, error
        self.hashes = np.empty(0, dtype=np.uint64)
        self.rows = np.empty(0, dtype=np.int64)

    def __call__(self, ids: pd.Series, first_row: int, remember: bool = True) -> None:
        """Check ``ids`` whose first sits at row ``first_row`` of the input; ``error`` names the first bad row."""
        ids = ids.reset_index(drop=True)
        rows = first_row + np.arange(len(ids), dtype=np.int64)
        empty = (ids.isna() | ids.astype(str).str.strip().eq("")).to_numpy()
        hashes = pd.util.hash_pandas_object(ids, index=False).to_numpy()
        at = np.minimum(np.searchsorted(self.hashes, hashes), max(len(self.hashes) - 1, 0))
        before = (self.hashes[at] == hashes) & ~empty if len(self.hashes) else np.zeros(len(ids), bool)
        bad = empty | before | (ids.duplicated().to_numpy() & ~empty)
        if bad.any():
            i = int(bad.argmax())
            if empty[i]:
                raise self.error("id.empty", where=self.where, row=int(rows[i]), column=str(self.column))
            first = self.rows[at[i]] if before[i] else rows[int((ids == ids.iloc[i]).to_numpy().argmax())]
            raise self.error(
                "id.repeated",
                where=self.where,
                row=int(rows[i]),
                column=str(self.column),
                value=ids.iloc[i],
                first=int(first),
            )
        if remember:
            order = np.argsort(np.concatenate([self.hashes, hashes]), kind="stable")
            self.hashes = np.concatenate([self.hashes, hashes])[order]
            self.rows = np.concatenate([self.rows, rows])[order]


# -- the one constructor --------------------------------------------------------------------------------
def from_frame(
    frame: pd.DataFrame,
    columns: Columns,
    *,
    where: str,
    error: type[ToolkitError],
    clean: bool = False,
    pii_counts: Counter | None = None,
    first_row: int | None = None,
    ids: IdCheck | None = None,
) -> pd.DataFrame:
    """The message frame of ``frame``: columns checked, ids filled and unique, texts joined, times parsed.

    ``where`` opens every message ("附件3.xlsx"); ``error`` is the calling stage's error class.
    ``clean`` normalises the text and masks personal data here (counted into ``pii_counts``), for callers
    that show texts without a :class:`~toolkit.topics.TopicModel` in between. ``first_row`` is the row
    staff see for ``frame``'s first (default ``frame.attrs["first_row"]``, else 2: below a header);
    ``ids`` carries the id check across the chunks of one input.
    """
    check_columns(frame, columns, where=where, error=error)
    first_row = frame.attrs.get("first_row", 2) if first_row is None else first_row
    (ids or IdCheck(columns.id, where=where, error=error))(frame[columns.id], first_row, remember=ids is not None)
    parts = [frame[c].fillna("").astype(str).to_numpy(dtype=object) for c in columns.texts]
    text = parts[0]
    for part in parts[1:]:
        text = text + TEXT_JOINER + part
    long = [i for i, t in enumerate(text) if len(t) > MAX_TEXT]
    if long:  # a 190 MB "letter" would hold the segmenter for minutes and exhaust memory
        text = [t[:MAX_TEXT] if len(t) > MAX_TEXT else t for t in text]
    if clean:
        text = _cleaned(text, pii_counts)
    out = pd.DataFrame({"id": frame[columns.id].to_numpy(), "text": list(text)})
    out["time"] = (
        parse_times(frame[columns.time], column=columns.time, where=where, error=error).to_numpy()
        if columns.time
        else pd.NaT
    )
    mapped = {name: getattr(columns, name) for name in OPTIONAL}
    if mapped["respondent"] == AUTO:
        mapped["respondent"] = next((c for c in RESPONDENT_COLUMNS if c in frame.columns), None)
    for name, column in mapped.items():
        if column is not None:
            out[name] = frame[column].to_numpy()
    out.attrs["note"] = frame.attrs.get("note", "")
    if long:
        rows = "、".join(str(first_row + i) for i in long[:5]) + ("等" if len(long) > 5 else "")
        out.attrs["note"] = "；".join(
            x
            for x in (
                out.attrs["note"],
                f"{len(long)} 条文本超过 {MAX_TEXT:,} 字（第 {rows} 行），只用前 {MAX_TEXT:,} 字归类",
            )
            if x
        )
    out.attrs["columns"] = {
        k: v
        for k, v in (
            ("id", columns.id),
            ("time", columns.time),
            ("likes", mapped["likes"]),
            ("dislikes", mapped["dislikes"]),
            ("respondent", mapped["respondent"]),
            ("sector", mapped["sector"]),
            ("district", mapped["district"]),
        )
        if v is not None
    } | {"text": columns.texts}
    return out


def _cleaned(texts, pii_counts: Counter | None) -> list[str]:
    """``texts`` normalised and masked; each distinct text is cleaned once (a campaign repeats one letter a
    thousand times), and its personal data counted once per copy, as when every copy is cleaned."""
    from toolkit.text import mask_pii, normalize

    done: dict[str, str] = {}
    found_in: dict[str, Counter] = {}  # only the texts with personal data
    out = []
    for t in texts:
        clean = done.get(t)
        if clean is None:
            found: Counter = Counter()
            clean = done[t] = mask_pii(normalize(t), found)
            if found:
                found_in[t] = found
        if pii_counts is not None and t in found_in:
            pii_counts.update(found_in[t])
        out.append(clean)
    return out


def file_where(path) -> str:
    """An input file as messages name it: its path, as every catalogue message about a file does."""
    return str(path)


def from_file(path, columns: Columns, *, error: type[ToolkitError], clean: bool = False) -> pd.DataFrame:
    """Messages of a .csv / .xlsx / .xls file (the first sheet)."""
    from toolkit.tables import read_table

    return from_frame(read_table(path, error=error), columns, where=file_where(path), error=error, clean=clean)


def is_store(path) -> bool:
    return "://" in str(path) or Path(str(path)).suffix.lower() in STORE_SUFFIXES


def from_store(
    location, columns: Columns, *, form_id: str | None = None, error: type[ToolkitError], clean: bool = False
) -> pd.DataFrame:
    """Messages of the responses to ``form_id`` in a store (a .db file or a database URL); the text column
    is a question id. ``form_id`` may be left out when the store holds one form."""
    frame, where = store_frame(location, form_id=form_id, error=error)
    return from_frame(frame, columns, where=where, error=error, clean=clean)


def store_frame(
    location, *, form_id: str | None = None, error: type[ToolkitError], select=None
) -> tuple[pd.DataFrame, str]:
    """``(responses, where)``: the responses to ``form_id`` in a store as one table (meta columns, then one column
    per answer), and how messages name it. ``select(responses, form)``: the responses to keep (a filter)."""
    frames, where = store_frames(location, form_id=form_id, error=error, chunksize=None, select=select)
    try:
        return next(frames), where
    finally:
        frames.close()  # closes the store


def store_frames(
    location,
    *,
    form_id: str | None = None,
    error: type[ToolkitError],
    chunksize: int | None = 50_000,
    select=None,
) -> tuple[Generator[pd.DataFrame, None, None], str]:
    """``(frames, where)``: the responses to ``form_id`` in a store, ``chunksize`` at a time (all at once when
    None), and how messages name them. ``form_id`` may be left out when the store holds one form.
    ``select(responses, form)``: the responses to keep, given the stored form (a filter), before they are
    made a table."""
    from toolkit.store import display, open_store

    store = open_store(str(location), create=False)
    shown = display(location)  # a URL's password never reaches a message
    try:
        if form_id is None:
            forms = sorted(set(store.form_versions()["form_id"]))
            if len(forms) != 1:
                raise error("form.ambiguous", location=shown, count=len(forms), forms=forms)
            form_id = forms[0]
    except BaseException:
        store.close()
        raise

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        return frame if select is None else select(frame, store.get_form(form_id))

    def frames() -> Generator[pd.DataFrame, None, None]:
        try:
            if chunksize is None:
                yield _as_table(kept(store.responses(form_id)))
                return
            empty = True
            for frame in store.iter_responses(form_id, chunksize=chunksize):
                empty = False
                yield _as_table(kept(frame))
            if empty:
                yield _as_table(store.responses(form_id))  # no rows: the columns still tell what a form asks
        finally:
            store.close()

    return frames(), f"问卷库 {shown} 中问卷 {form_id} 的答卷"


def _as_table(responses: pd.DataFrame) -> pd.DataFrame:
    """A store's responses as a table shows them."""
    # a question may share its id with a meta column (e.g. "serial"): keep the first, they hold the same value
    responses = responses.loc[:, ~responses.columns.duplicated()]
    # multiple choices and flags are lists: one cell of text
    listed = [c for c in responses.columns if responses[c].map(lambda v: isinstance(v, list)).any()]
    for col in listed:
        responses[col] = responses[col].map(lambda v: "、".join(map(str, v)) if isinstance(v, list) else v)
    return responses


def read(
    path, columns: Columns, *, form_id: str | None = None, error: type[ToolkitError], clean: bool = False
) -> pd.DataFrame:
    """Messages of a table file or a store, whichever ``path`` names."""
    if is_store(path):
        return from_store(path, columns, form_id=form_id, error=error, clean=clean)
    return from_file(path, columns, error=error, clean=clean)


def in_chunks(
    path, columns: Columns, *, error: type[ToolkitError], chunksize: int = 50_000, form_id: str | None = None
) -> Iterator[pd.DataFrame]:
    """Message frames of ``chunksize`` rows. A CSV is read piece by piece (any size: it is never held
    whole), decoded as :func:`toolkit.tables.decode_text` decides from its first 4 MB, its header found as
    :func:`toolkit.tables.read_table` finds it; a store is paged by response id; other inputs are read whole and
    sliced. The checks are
    those of :func:`from_frame`, ids unique across chunks; the frames concatenated equal :func:`read`'s."""
    if is_store(path):  # a store is paged by response id: never held whole
        frames, where = store_frames(path, form_id=form_id, error=error, chunksize=chunksize)
        ids = IdCheck(columns.id, where=where, error=error)
        for frame in frames:
            yield from_frame(frame, columns, where=where, error=error, ids=ids)
        return
    if not str(path).lower().endswith(".csv"):
        frame = read(path, columns, form_id=form_id, error=error)
        for start in range(0, len(frame), chunksize):
            yield frame.iloc[start : start + chunksize].reset_index(drop=True)
        return
    yield from _csv_chunks(path, columns, error=error, chunksize=chunksize)


def _csv_chunks(path, columns: Columns, *, error, chunksize: int) -> Iterator[pd.DataFrame]:
    from toolkit.filesafety import UnsafeFile, check_csv_head
    from toolkit.tables import HEADER_SCAN, bad_byte_line, decode_csv, set_header, shown_encoding, unreadable

    where = file_where(path)
    try:
        check_csv_head(path)  # a FIFO would block pandas' open; a 1M-column header would eat memory
    except UnsafeFile as bad:
        raise unreadable(path, bad, error=error) from None
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    encoding = decode_csv(path, head, error=error, final=len(head) < HEAD_BYTES)[1]  # short read: the whole file
    ids = IdCheck(columns.id, where=where, error=error)
    names, first_row = None, 2
    try:
        # the header is found in the first chunk, which must hold the rows read_table looks at
        for raw in pd.read_csv(
            path,
            encoding=encoding,
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            header=None,
            chunksize=max(chunksize, HEADER_SCAN),
        ):
            if names is None:
                raw = set_header(raw)
                names, first_row = list(raw.columns), raw.attrs["first_row"]
            else:
                raw.columns = names
            chunk = from_frame(
                raw.reset_index(drop=True), columns, where=where, error=error, first_row=first_row, ids=ids
            )
            first_row += len(raw)
            yield chunk
    except UnicodeDecodeError:
        line = bad_byte_line(path, encoding) or first_row
        raise error("file.encoding_partial", path=path, encoding=shown_encoding(encoding), line=line) from None
    except (ValueError, OSError) as err:  # pandas' ParserError is a ValueError
        if isinstance(err, error):
            raise
        raise unreadable(path, err, error=error) from err
