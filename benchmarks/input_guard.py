"""Benchmark: what the input guard (toolkit.filesafety) costs on real-sized files, and what refusing costs.

1. A generated workbook (``--rows`` x 30 columns, openpyxl write-only, cached) and the same data as CSV:
   time of the guard (regular-file check, zip directory, one streaming pass over the sheet XML; the
   CSV width check) beside the time of the read it protects (calamine ``to_python``; ``pandas.read_csv``).
2. Hostile files (one cell at XFD30000, a 300 MB deflate bomb, a 1,000,000-column CSV, /dev/zero, a FIFO):
   ``weidiaoyan ingest`` and ``weidiaoyan topics`` in a subprocess, wall time, exit code and peak RSS.

    .venv/bin/python benchmarks/input_guard.py                # 100,000 rows
    .venv/bin/python benchmarks/input_guard.py --rows 20000
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/ holds a tokenize.py that would shadow the standard library's for pandas; keep this folder off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import io
import os
import random
import subprocess
import tempfile
import time
import zipfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(tempfile.gettempdir()) / "weidiaoyan-bench"
CLI = ROOT / ".venv" / "bin" / "weidiaoyan"

_WRAPPER = """
import resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
said = (run.stderr.strip().splitlines() or ["-"])[-1].replace(" ", "")[:60]
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, run.returncode, said)
"""


def workbook(rows: int) -> Path:
    from openpyxl import Workbook

    path = CACHE / f"guard_{rows}.xlsx"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("答卷")
    ws.append([f"{j + 1}、第{j + 1}题" for j in range(30)])
    words = ["非常满意", "满意", "一般", "不满意", "路灯坏了三个月没人修", "停车难", "学校门口拥堵"]
    for i in range(rows):
        ws.append(
            [
                i + 1,
                f"2025/01/{i % 28 + 1:02d} 10:00:00",
                *(rng.choice(words) for _ in range(20)),
                *(rng.randint(1, 100) for _ in range(8)),
            ]
        )
    wb.save(path)
    return path


def csv_of(xlsx: Path) -> Path:
    import pandas as pd

    path = xlsx.with_suffix(".csv")
    if not path.exists():
        pd.read_excel(xlsx, engine="calamine", dtype=object).to_csv(path, index=False)
    return path


def best_of(func, n: int = 3) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def guard_cost(rows: int) -> None:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    from toolkit.filesafety import check_text_table, check_workbook, read_input

    xlsx = workbook(rows)
    blob = read_input(xlsx)
    packed = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(blob)).infolist())

    def guard_all():
        book = check_workbook(read_input(xlsx))
        return [book.scan(name) for name in book.names]

    guard = best_of(guard_all)
    read = best_of(lambda: CalamineWorkbook.from_filelike(io.BytesIO(blob)).get_sheet_by_index(0).to_python(), 2)
    print(f"xlsx {rows:,} rows x 30 columns ({len(blob) / 2**20:.1f} MB, sheet XML {packed / 2**20:.0f} MB):")
    print(f"  guard {guard:6.2f} s   calamine read {read:6.2f} s   guard/read {guard / read:5.2f}")
    csv = csv_of(xlsx)
    text = csv.read_text(encoding="utf-8")
    guard = best_of(lambda: check_text_table(text, ","))
    read = best_of(lambda: pd.read_csv(io.StringIO(text), dtype=object), 2)
    print(f"csv  ({csv.stat().st_size / 2**20:.1f} MB):")
    print(f"  guard {guard:6.2f} s   pandas read   {read:6.2f} s   guard/read {guard / read:5.2f}")


def hostile(tmp: Path) -> dict[str, Path]:
    from openpyxl import Workbook

    files = {
        "XFD30000 cell": tmp / "far.xlsx",
        "300 MB bomb": tmp / "bomb.xlsx",
        "1M columns": tmp / "wide.csv",
        "/dev/zero": tmp / "zero.csv",
        "FIFO": tmp / "fifo.csv",
    }
    wb = Workbook()
    wb.active.append(["id", "text"])
    wb.active["XFD30000"] = "x"
    wb.save(files["XFD30000 cell"])
    with (
        zipfile.ZipFile(files["300 MB bomb"], "w", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(300):
            member.write(bytes(2**20))
    files["1M columns"].write_text("id,text" + ",x" * 1_000_000 + "\n", encoding="utf-8")
    files["/dev/zero"].symlink_to("/dev/zero")
    os.mkfifo(files["FIFO"])
    return files


def refusal_cost() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        form = ROOT / "surveys" / "annual_topics.yaml"
        print("refusals (wall time includes the CLI's start-up):")
        for name, path in hostile(tmp).items():
            for command in (
                ["ingest", path, "--form", form, "--db", tmp / "x.db"],
                ["topics", path, "--text-col", "text", "--id-col", "id", "--out", tmp / "o", "--quiet"],
            ):
                start = time.perf_counter()
                out = subprocess.run(
                    [sys.executable, "-c", _WRAPPER, str(CLI), *map(str, command)],
                    capture_output=True,
                    text=True,
                    timeout=120,
                ).stdout.split()
                took = time.perf_counter() - start
                print(
                    f"  {name:14s} {command[0]:7s} rc={out[1]:>3}  {took:5.1f} s  peak RSS {int(out[0]) / 1024:6.0f} MB"
                    f"  {out[2]}"
                )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    guard_cost(args.rows)
    refusal_cost()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
