"""Benchmark: several people on one store at once (issue 13) — how often it goes wrong.

Counts, on the store given by --db (a SQLite file path or a PostgreSQL URL; the database is emptied of
the toolkit's tables first, so give a throwaway one):

* saves: 4 operators × 50 saves at once — how many "已保存答卷 #id" name someone else's response;
* serial: two operators save one 问卷编号 at the same moment, --trials times — how many trials stored it twice;
* stale: two operators correct one response, the later save from an older copy — overwritten silently?;
* imports: 4 offices import 3,000 rows each into an empty database at once — rows landed, tracebacks;
* quarantine: one file with invalid rows imported twice at once — quarantined rows (should be one copy).

    .venv/bin/python benchmarks/store_concurrency.py                  # a SQLite file in the temp folder
    .venv/bin/python benchmarks/store_concurrency.py --db 'postgresql+psycopg://postgres@/bench?host=/tmp/pg&port=54329'

Run it from a tree whose ``toolkit`` you want measured (the workers import it from the current directory).
"""

from __future__ import annotations

import sys
from pathlib import Path

# keep benchmarks/ off the path: its scripts' names must not shadow modules
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path.cwd()))


VISIT = {
    "member": "陈委员",
    "member_sector": "3",
    "visit_date": "20260412",
    "district": "7",
    "place": "青石镇下塘村",
    "visit_type": "1",
    "people_met": "1 5 8",
    "people_met_other": "村医",
    "people_count": "12",
    "concern": "村里老人看病要坐一小时公交到镇卫生院",
    "category": "5",
    "urgency": "2",
    "follow_up": "1",
    "follow_up_dept": "区卫健局",
}
TABLES = [
    "entry_discrepancies",
    "second_entries",
    "entry_drafts",
    "curation_log",
    "audit_log",
    "rejected_rows",
    "responses",
    "batches",
    "forms",
    "schema_migrations",
]


def _run(workers, timeout=300):
    import multiprocessing
    import traceback

    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(len(workers)), ctx.Queue()

    def main(k, func, args):
        try:
            barrier.wait(60)
            queue.put((k, "ok", func(*args)))
        except BaseException as err:
            queue.put((k, "error", f"{type(err).__name__}: {str(err)[:120]} | {traceback.format_exc()[-300:]}"))

    procs = [ctx.Process(target=main, args=(k, f, a)) for k, (f, a) in enumerate(workers)]
    for p in procs:
        p.start()
    out = dict((k, (s, v)) for k, s, v in (queue.get(timeout=timeout) for _ in procs))
    for p in procs:
        p.join(timeout)
    return [out[k] for k in range(len(workers))]


def _empty(db: str) -> None:
    """Drop the toolkit's tables (a PostgreSQL database) or the file (SQLite)."""
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine

    engine = create_engine(db)
    with engine.begin() as c:
        for t in TABLES:
            c.exec_driver_sql(f"DROP TABLE IF EXISTS {t} CASCADE")
    engine.dispose()


def _form(name):
    from toolkit.forms import load_form

    return load_form(Path("surveys") / name)


def _save_many(db, operator, n):
    from toolkit.entry import EntrySession
    from toolkit.store import open_store

    session = EntrySession(_form("visit_record.yaml"), open_store(db), operator)
    out = []
    for i in range(n):
        try:
            out.append((session.submit({**VISIT, "serial": f"{operator}-{i:03d}"}), f"{operator}-{i:03d}"))
        except Exception as err:
            out.append((None, f"{type(err).__name__}: {str(err)[:80]}"))
    return out


def saves(db):
    from toolkit.store import open_store

    _empty(db)
    open_store(db).save_form(_form("visit_record.yaml"))
    ops = ["张三", "李四", "王五", "赵六"]
    results = _run([(_save_many, (db, op, 50)) for op in ops])
    store = open_store(db)
    wrong = failed = 0
    for op, (status, saved) in zip(ops, results):
        if status != "ok":
            failed += 50
            continue
        for rid, serial in saved:
            if rid is None:
                failed += 1
                continue
            r = store.response(rid)
            wrong += r["operator"] != op or r["serial"] != serial
    return f"{wrong} of 200 returned ids name another save; {failed} saves failed"


def _save_serial(db, operator, serial):
    from toolkit.entry import EntrySession
    from toolkit.store import open_store

    session = EntrySession(_form("visit_record.yaml"), open_store(db), operator)
    try:
        return ("saved", session.submit({**VISIT, "serial": serial}))
    except Exception as err:
        return ("refused", f"{type(err).__name__}")


def serial(db, trials):
    from toolkit.store import open_store

    _empty(db)
    open_store(db).save_form(_form("visit_record.yaml"))
    twice = odd = 0
    for t in range(trials):
        results = _run([(_save_serial, (db, op, f"DH-{t}")) for op in ("张三", "李四")])
        saved = sum(1 for s, v in results if s == "ok" and v[0] == "saved")
        twice += saved == 2
        odd += any(s != "ok" or v[0] == "refused" and v[1] not in ("EntryError",) for s, v in results)
    return f"{twice} of {trials} trials saved the number twice; {odd} trials with an error other than a Chinese refusal"


def stale(db):
    from toolkit.entry import EntrySession
    from toolkit.store import open_store

    _empty(db)
    form, store = _form("visit_record.yaml"), open_store(db)
    rid = EntrySession(form, store, "张三").submit({**VISIT, "serial": "S-1"})
    a, b = EntrySession(form, store, "张三"), EntrySession(form, open_store(db), "李四")
    ta, tb = a.start_correction(rid), b.start_correction(rid)
    b.submit({**tb, "place": "上塘村"})
    try:
        a.submit({**ta, "place": "中塘村"})
    except Exception as err:
        return f"refused ({type(err).__name__}); stored place: {store.response(rid)['answers']['place']}"
    return f"saved silently over the other correction; stored place: {store.response(rid)['answers']['place']}"


def _import(db, path):
    from toolkit.ingest import ingest

    r = ingest(path, "surveys/annual_topics.yaml", db)
    return r["accepted"] + r["rejected"]


def _exports(rows, n):
    import tempfile

    from toolkit.sample import generate_responses, write_export

    folder = Path(tempfile.gettempdir()) / "weidiaoyan-bench"
    folder.mkdir(exist_ok=True)
    form, out = _form("annual_topics.yaml"), []
    for k in range(n):
        path = folder / f"office_{rows}_{k}.csv"
        if not path.exists():
            write_export(form, generate_responses(form, rows, seed=100 + k), path, "wjx", by="code")
        out.append(str(path))
    return out


def imports(db, rows=3000):
    from toolkit.store import open_store

    paths = _exports(rows, 4)
    _empty(db)
    results = _run([(_import, (db, p)) for p in paths])
    errors = [v.split(" | ")[0] for s, v in results if s != "ok"]
    c = open_store(db).counts("annual_topics")
    landed = c["responses"] + c["rejected"]
    return f"{landed:,} of {4 * rows:,} rows landed; {len(errors)} imports failed {sorted(set(errors))[:2]}"


def quarantine(db):
    import tempfile

    from toolkit.sample import generate_responses, write_export
    from toolkit.store import open_store

    form = _form("annual_topics.yaml")
    path = Path(tempfile.gettempdir()) / "weidiaoyan-bench" / "quarantine.csv"
    write_export(form, generate_responses(form, 40, seed=7), path, "wjx", by="code")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    age = lines[0].split(",").index("5、您的年龄段")
    bad = [",".join(c if i != age else "99" for i, c in enumerate(line.split(","))) for line in lines[1:6]]
    path.write_text("\n".join([lines[0], *bad, *lines[6:]]) + "\n", encoding="utf-8-sig")
    _empty(db)
    results = _run([(_import, (db, str(path))) for _ in range(2)])
    store = open_store(db)
    n = len(store.rejected())
    errors = sum(1 for s, _ in results if s != "ok")
    return f"{n} quarantine entries for 5 bad rows (one copy = 5); {errors} imports failed"


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db",
        default=None,
        help="a SQLite file or a PostgreSQL URL of a throwaway database (default: a SQLite file in the temp folder)",
    )
    ap.add_argument("--trials", type=int, default=30, help="same-number trials (default 30)")
    ap.add_argument("--rows", type=int, default=3000, help="rows per office's import (default 3000)")
    args = ap.parse_args()
    if args.db is None:
        import tempfile

        args.db = str(Path(tempfile.gettempdir()) / "weidiaoyan-bench" / "concurrency.db")
        Path(args.db).parent.mkdir(exist_ok=True)
    print(f"store: {'PostgreSQL' if '://' in args.db else 'SQLite'}")
    for name, run in [
        ("saves", lambda: saves(args.db)),
        ("serial", lambda: serial(args.db, args.trials)),
        ("stale", lambda: stale(args.db)),
        ("imports", lambda: imports(args.db, args.rows)),
        ("quarantine", lambda: quarantine(args.db)),
    ]:
        try:
            print(f"{name:11s} {run()}", flush=True)
        except Exception as err:
            print(f"{name:11s} failed: {type(err).__name__}: {str(err)[:200]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
