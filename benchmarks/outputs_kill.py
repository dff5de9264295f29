"""Kill survey for issue 11 item 7: SIGKILL ``weidiaoyan rank`` at evenly spaced moments and classify what a
reader then finds in ``--out``.

    .venv/bin/python benchmarks/outputs_kill.py [--code DIR] [--kills 10] [--n 2000]

A full run is timed first, with its own report of the seconds spent writing; kill i of k lands i/(k+1) of that
writing time after the run's first output file appears (anywhere in its folder, hidden or not), once with no
earlier output and once over the complete output of an earlier run (``--top 5``, so its files differ). The
folder is then:

  absent     no output folder: a reader sees nothing
  previous   the earlier complete output, byte for byte
  complete   this run's complete output (the kill came after the end)
  partial    anything else — missing or truncated files: what item 7 forbids

``visible`` counts entries a reader would see beside the output that are not inputs (hidden ``.名称.partial-…``
folders are not counted). ``--code DIR`` runs another checkout (e.g. ``git archive HEAD toolkit | tar -x -C DIR``)
with this venv, for the numbers before a change. The input is synthetic (toolkit.sample); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"


def command(code: Path | None, data: Path, out: Path, *extra) -> tuple[list[str], dict]:
    env = dict(os.environ, PYTHONPATH=str(code) if code else "")
    return (
        [
            str(PY),
            "-m",
            "toolkit.cli",
            "rank",
            str(data),
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--likes-col",
            "likes",
            "--quiet",
            "--out",
            str(out),
            *extra,
        ],
        env,
    )


def snapshot(folder: Path) -> dict[str, str] | None:
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def files(folder: Path) -> set:
    """Every file under ``folder`` (hidden ones too) with its size and time: a change means writing began."""
    found = set()
    for p in folder.rglob("*"):
        try:
            if p.is_file():
                st = p.stat()
                found.add((str(p), st.st_size, st.st_mtime_ns))
        except OSError:  # renamed or removed while we looked
            pass
    return found


def complete_run(code, data: Path, out: Path, *extra) -> tuple[dict[str, str], float, float]:
    """The output's files, the wall time and the writing seconds the command reports ("write 0.5 秒")."""
    cmd, env = command(code, data, out, *extra)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=out.parent, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    write = float(re.search(r"write ([\d.]+) 秒", done.stdout).group(1))
    return snapshot(out), wall, write


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=None, help="another checkout of the package to run")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--n", type=int, default=2000, help="messages in the synthetic input")
    args = parser.parse_args()

    from toolkit.sample import generate_concerns

    with tempfile.TemporaryDirectory(prefix="kill_") as tmp:
        tmp = Path(tmp)
        data = tmp / "letters.csv"
        generate_concerns(args.n, seed=3)[["id", "text", "submitted_at", "likes"]].to_csv(data, index=False)
        ref = tmp / "ref"
        ref.mkdir()
        new, seconds, write = complete_run(args.code, data, ref / "new")
        previous, _, _ = complete_run(args.code, data, ref / "previous", "--top", "5")
        moments = [write * i / (args.kills + 1) for i in range(1, args.kills + 1)]
        print(
            f"code: {args.code or ROOT}; a full run takes {seconds:.1f} s, {write:.2f} s of it writing "
            f"{len(new)} files; {args.kills} kills per scenario"
        )
        totals: dict[str, Counter] = {}
        for scenario in ("first run", "over an earlier output"):
            counts = totals.setdefault(scenario, Counter())
            for i, moment in enumerate(moments, start=1):
                work = tmp / f"{scenario[:5]}{i}"
                work.mkdir()
                out = work / "out"
                if scenario != "first run":
                    shutil.copytree(ref / "previous", out)
                cmd, env = command(args.code, data, out)
                before = files(work)
                proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                while proc.poll() is None and files(work) == before:  # until the first output file appears
                    time.sleep(0.002)
                time.sleep(moment)
                proc.kill()
                proc.wait()
                found = snapshot(out)
                kind = (
                    "absent"
                    if found is None
                    else "previous"
                    if found == previous
                    else "complete"
                    if found == new
                    else "partial"
                )
                counts[kind] += 1
                counts["visible"] += sum(1 for p in work.iterdir() if not p.name.startswith(".") and p.name != "out")
                shown = (
                    ""
                    if kind != "partial"
                    else f"  ({len(found)}/{len(new)} files, "
                    f"{sum(1 for k, v in found.items() if new.get(k) != v and previous.get(k) != v)} differ from both)"
                )
                print(f"  {scenario:<24} kill {moment:4.2f} s into writing: {kind}{shown}")
        for scenario, counts in totals.items():
            print(
                f"{scenario}: "
                + "  ".join(f"{k} {counts[k]}" for k in ("absent", "previous", "complete", "partial", "visible"))
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
