"""Reading a user's table, and the checks shared by the commands that read one and write results.

``topics`` and ``rank`` take any Excel or CSV a staffer has: read it the same way (calamine, CSV in
UTF-8 or GBK, a title row above the header skipped with a note). Staff pick columns and folders by
hand, so the common slips — a time column that holds no dates, an output "folder" that is an existing
file — are caught before minutes of work, in Chinese.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
HEADER_SCAN = 10   # rows searched for a header below a title row
# Below this share of parseable dates a time column is the wrong column, not a few typos.
MIN_DATE_SHARE = 0.5


def read_table(path, *, error: type[Exception]) -> pd.DataFrame:
    """The first sheet of an Excel file, or a CSV, as objects; ``frame.attrs["note"]`` says what was
    adjusted (a title row skipped), ``error`` names the file, the problem and the fix."""
    path = Path(path)
    if not path.is_file():
        raise error(f"输入文件 {path}：文件不存在。请检查路径（相对路径以当前目录为准）。")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise error(f"输入文件 {path}：不支持的文件类型 {suffix or '（无扩展名）'}。请提供 .xlsx、.xls 或 .csv 文件"
                    "（问卷库请用 .db）。")
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            # calamine (a dependency, for ingest) reads long rows ~10x faster than openpyxl
            frame = pd.read_excel(path, sheet_name=0, engine="calamine", dtype=object)
        else:
            frame = _read_csv(path, "\t" if suffix == ".tsv" else ",", error)
    except (ValueError, OSError) as err:
        raise error(f"输入文件 {path}：无法读取（{type(err).__name__}: {err}）。"
                    "请确认它是完整的 Excel 或 CSV 文件，或用 Excel 另存为 .xlsx 后重试。") from err
    frame, note = skip_title_rows(frame)
    frame.attrs["note"] = note
    return frame


def _read_csv(path: Path, sep: str, error) -> pd.DataFrame:
    import io

    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # 问卷星 / Excel on Chinese Windows write GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            raise error(f"输入文件 {path}：无法识别文字编码。请用 UTF-8 另存后重试。")
        text = str(best)
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=object, keep_default_na=False, na_values=[""])


def parse_times(values: pd.Series, *, column: str, where: str, error: type[Exception]) -> pd.Series:
    """Datetimes of ``values`` (unparseable ones NaT); ``error`` when most filled cells are not dates."""
    with warnings.catch_warnings():  # pandas warns in English when it guesses a format per element
        warnings.simplefilter("ignore", UserWarning)
        times = pd.to_datetime(values, errors="coerce")
    filled = values.notna() & (values.astype(str).str.strip() != "")
    if filled.any():
        share = float(times[filled].notna().mean())
        if share < MIN_DATE_SHARE:
            example = values[filled & times.isna()].iloc[0]
            raise error(f"{where}：时间列“{column}”（--time-col）里只有 {share:.0%} 的值是日期时间，"
                        f"例如“{example}”不是。请换成留言/提交时间所在的列，或去掉 --time-col。")
    return times


def check_out_dir(out, *, error: type[Exception]) -> Path:
    """``out`` as a folder to write into: refused when it is an existing file."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise error(f"--out {out}：这是一个已存在的文件，不是文件夹。结果要写入一个文件夹，"
                    f"请换一个文件夹名（不存在会自动创建），例如 --out {out.with_suffix('')}_结果。")
    return out


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


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
        if len(cells) >= max(3, 0.6 * width) and len(set(cells)) == len(cells) \
                and sum(_is_number(c) for c in cells) <= 0.2 * len(cells):
            return k
        if len(cells) > max(1, int(width * 0.3)):
            return 0                 # a full row that does not look like a header: no title block here
    return 0


def skip_title_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A frame read with its first row as header, re-headed when that row was a title ("2019年群众留言汇总表")
    and the real header sits below; returns the frame and a note for the staffer ("" when nothing moved)."""
    first = [None if str(c).startswith("Unnamed:") else str(c) for c in frame.columns]
    rows = [first] + [[None if pd.isna(v) else str(v) for v in r] for r in frame.head(HEADER_SCAN - 1).itertuples(index=False)]
    k = find_header_row(rows)
    if not k:
        return frame, ""
    header = [str(v).strip() if not pd.isna(v) else f"列{j + 1}" for j, v in enumerate(frame.iloc[k - 1])]
    body = frame.iloc[k:].reset_index(drop=True)
    body.columns = header
    title = "；".join(c for r in rows[:k] for c in r if c)[:40]
    return body, f"表头不在第一行：第 1–{k} 行是标题（{title}），已从第 {k + 1} 行读取表头。"
