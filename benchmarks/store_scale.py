"""Benchmark: a 3,000-row import into an empty store and into a large one (issue 13, item 3).

Duplicate checks look the new rows up through the ``response_keys`` index, so the import should cost
about the same however many responses the store already holds (target: ≤ 3× the empty-store import,
≤ 1 GB peak). Each import runs in a fresh process (wall time, peak RSS); medians over ``--repeat`` runs,
each repeat importing another office's file (removed again afterwards: the large store stays as built).

    .venv/bin/python benchmarks/store_scale.py                       # 300,000 stored responses (SQLite)
    .venv/bin/python benchmarks/store_scale.py --stored 1000000 --repeat 3
    .venv/bin/python benchmarks/store_scale.py --db 'postgresql+psycopg://postgres@/scale?host=/tmp/pg&port=54329'

The large store is built once per size and kept in the temp folder (SQLite) — delete it to rebuild.
Run from the tree whose ``toolkit`` is measured (the workers import it from the current directory).
"""

from __future__ import annotations

import sys
from pathlib import Path

# keep benchmarks/ off the path: its scripts' names must not shadow modules
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

_IMPORT = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, ".")
from toolkit.ingest import ingest
t = time.perf_counter()
r = ingest(sys.argv[1], "surveys/annual_topics.yaml", sys.argv[2])
print(json.dumps({"wall": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": r["accepted"] + r["rejected"], "flagged": r["duplicates"]}))
"""

_BUILD = r"""
import sys, time
sys.path.insert(0, ".")
from toolkit.forms import load_form
from toolkit.sample import generate_responses
from toolkit.store import open_store
n, db = int(sys.argv[1]), sys.argv[2]
form, store = load_form("surveys/annual_topics.yaml"), open_store(db)
base = generate_responses(form, 5000, seed=1)
phone = [q.id for q in form.questions if q.kind == "text" and "电话" in q.label]


def one(i):  # another respondent per row: its own 问卷编号 and phone, answers repeating every 5,000 rows
    r = base[i % len(base)]
    answers = {**r["answers"], "serial": f"BIG-{i:07d}", **{p: f"139{i:08d}" for p in phone if p in r["answers"]}}
    return {**r, "answers": answers, "fingerprint": f"scale-{i}", "raw": {"来自IP": f"10.{i % 250}.{i // 250 % 250}.1"}}


t = time.perf_counter()
for start in range(0, n, 20000):
    chunk = [one(i) for i in range(start, min(n, start + 20000))]
    store.add_responses(form, chunk, source="wjx")
print(f"built a store of {n:,} responses in {time.perf_counter() - t:.0f} s", file=sys.stderr)
"""


def _run(code: str, *args: str) -> str:
    import subprocess

    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=Path.cwd())
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    sys.stderr.write(out.stderr)
    return out.stdout


def _exports(n: int) -> list[str]:
    import tempfile

    sys.path.insert(0, str(Path.cwd()))
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses, write_export

    folder = Path(tempfile.gettempdir()) / "weidiaoyan-bench"
    folder.mkdir(exist_ok=True)
    form, paths = load_form("surveys/annual_topics.yaml"), []
    for k in range(n):
        path = folder / f"office_3000_{k}.csv"
        if not path.exists():
            write_export(form, generate_responses(form, 3000, seed=100 + k), path, "wjx", by="code")
        paths.append(str(path))
    return paths


def _fresh_pg(url: str, suffix: str) -> str:
    """A new, empty database beside the one ``url`` names (dropped first if left over)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{suffix}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _undo_imports(db: str) -> None:
    """Remove every import batch from the large store (its own rows have none), so each run imports into the
    store as built: the files' rows are new there every time."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.begin() as c:
        if "response_keys" in inspect(c).get_table_names():
            c.exec_driver_sql(
                "DELETE FROM response_keys WHERE response_id IN (SELECT id FROM responses WHERE batch_id IS NOT NULL)"
            )
        c.exec_driver_sql("DELETE FROM rejected_rows")
        c.exec_driver_sql("DELETE FROM responses WHERE batch_id IS NOT NULL")
        c.exec_driver_sql("DELETE FROM batches")
    engine.dispose()


def main() -> int:
    import argparse
    import json
    import statistics
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", type=int, default=300_000, help="responses in the large store (default 300,000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL to measure there (databases beside it are created)")
    args = ap.parse_args()
    files = _exports(args.repeat)
    tmp = Path(tempfile.gettempdir()) / "weidiaoyan-bench"
    if args.db:
        large = _fresh_pg(args.db, f"large_{args.stored}")
        _run(_BUILD, str(args.stored), large)
    else:
        large = str(tmp / f"store_{args.stored}_{Path.cwd().name}.db")  # one per measured tree
        if not Path(large).exists():
            _run(_BUILD, str(args.stored), large)
    results: dict[str, list[dict]] = {"empty": [], "large": []}
    for k, path in enumerate(files):
        empty = _fresh_pg(args.db, f"empty_{k}") if args.db else str(tmp / f"empty_{k}.db")
        if not args.db:
            for suffix in ("", "-wal", "-shm"):
                Path(empty + suffix).unlink(missing_ok=True)
        results["empty"].append(json.loads(_run(_IMPORT, path, empty)))
        _undo_imports(large)
        results["large"].append(json.loads(_run(_IMPORT, path, large)))
    _undo_imports(large)
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("wall", "rss_mb")} for k, v in results.items()}
    print(f"3,000-row import (median of {args.repeat}), store: {'PostgreSQL' if args.db else 'SQLite'}")
    print(
        f"  into an empty store:                 {med['empty']['wall']:7.2f} s  {med['empty']['rss_mb']:7.0f} MB peak"
    )
    print(
        f"  into a store of {args.stored:>9,} responses: {med['large']['wall']:7.2f} s  {med['large']['rss_mb']:7.0f} MB peak"
    )
    ratio = med["large"]["wall"] / med["empty"]["wall"]
    ok = ratio <= 3 and med["large"]["rss_mb"] <= 1024
    print(f"  ratio {ratio:.2f}× (target ≤ 3×, ≤ 1,024 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
