"""What one pass of the streaming message reader (``toolkit.messages.in_chunks``) costs, beside bare pandas.

A generated letters CSV (``--rows`` rows, id, title, text, time, user, likes, district; UTF-8 and GBK) is
read in chunks of 50,000 three ways, each in a fresh subprocess for its peak memory:

* ``pandas``: the input guard's head check, then ``pd.read_csv(usecols=…, chunksize=…)`` on the UTF-8 file —
  the pre-issue-12 stream, which had no checks, skipped the decoder (GBK failed) and could not join "a,b";
* ``in_chunks utf-8`` / ``in_chunks gbk``: the one reader — decoding chosen from the head, header found as
  the whole-file reader finds it, columns checked, ids checked unique across chunks, "标题,详情" joined,
  times parsed.

Prints seconds (median of 3), rows per second and peak RSS. Synthetic data; nothing is downloaded.

    .venv/bin/python benchmarks/messages_stream.py                # 300,000 rows
    .venv/bin/python benchmarks/messages_stream.py --rows 1000000
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "weidiaoyan-bench"

_PASS = """
import resource, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
from toolkit.messages import Columns, in_chunks
from toolkit.topics.errors import TopicsError
how, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if how == "pandas":
    from toolkit.filesafety import check_csv_head
    check_csv_head(path)
    n = sum(len(c) for c in pd.read_csv(path, usecols=["编号", "详情", "时间"], dtype=object, chunksize=50_000,
                                        keep_default_na=False, na_values=[""]))
else:
    cols = Columns(text="标题,详情", id="编号", time="时间", respondent="留言用户")
    n = sum(len(c) for c in in_chunks(path, cols, error=TopicsError, chunksize=50_000))
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def letters(rows: int, encoding: str) -> Path:
    import numpy as np
    import pandas as pd

    from toolkit.sample import generate_concerns

    path = CACHE / f"letters_{rows}_{encoding}.csv"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    base = generate_concerns(min(rows, 20_000), seed=0)
    pick = np.random.default_rng(0).integers(0, len(base), rows)
    data = base.iloc[pick].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "编号": [f"L{i:07d}" for i in range(rows)],
            "标题": data["text"].str[:8],
            "详情": data["text"],
            "时间": data["submitted_at"].astype(str),
            "留言用户": data["respondent"],
            "点赞数": data["likes"],
            "镇街": data["district"],
        }
    )
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def one_pass(how: str, path: Path) -> tuple[int, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PASS.format(root=str(ROOT)), how, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    rows = parser.parse_args().rows
    files = {"utf-8": letters(rows, "utf-8"), "gbk": letters(rows, "gbk")}
    print(f"{rows:,} rows; UTF-8 file {files['utf-8'].stat().st_size / 2**20:.0f} MB")
    print(f"{'reader':<18}{'seconds':>9}{'rows/s':>12}{'peak RSS':>11}")
    for label, how, path in (
        ("pandas (before)", "pandas", files["utf-8"]),
        ("in_chunks utf-8", "messages", files["utf-8"]),
        ("in_chunks gbk", "messages", files["gbk"]),
    ):
        runs = [one_pass(how, path) for _ in range(3)]
        assert all(n == rows for n, _, _ in runs)
        seconds = statistics.median(s for _, s, _ in runs)
        rss = max(r for _, _, r in runs)
        print(f"{label:<18}{seconds:>9.2f}{rows / seconds:>12,.0f}{rss / 2**20:>8.0f} MB")


if __name__ == "__main__":
    main()
