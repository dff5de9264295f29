"""Checks shared by the commands that read a user's table and write a folder of results.

Staff pick columns and folders by hand, so the two common slips — a time column that holds no
dates, an output "folder" that is an existing file — are caught before minutes of work, in Chinese.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

# Below this share of parseable dates a time column is the wrong column, not a few typos.
MIN_DATE_SHARE = 0.5


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
