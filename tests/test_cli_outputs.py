"""Outputs and failures as staff meet them at the command line (issue 11, items 5–7).

An --out / -o / --report that cannot be written is refused in Chinese before any work or database write;
outputs appear whole or not at all, also when the process is killed; ingest says exactly what it wrote —
a locked database, the loser of two imports of one file and a failure after the commit included.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # whole CLI runs in subprocesses, one killed midway

FORM = """
id: poll
title: 社区小调查
version: "1"
questions:
  - id: district
    kind: single
    role: district
    required: true
    label: 您居住的镇（街道）是？
    choices:
      - {id: a, label: 东湖街道}
      - {id: b, label: 西山街道}
  - id: concern
    kind: concern
    label: 您身边最急的一件事是什么？
"""
TEXTS = [
    "小区停车位太少，晚上车停不下",
    "菜市场门口道路拥堵",
    "老旧小区加装电梯进展慢",
    "学校门口接送孩子交通乱",
    "公园路灯坏了很久没人修",
]
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0  # root ignores file permissions
RANK_FILES = {"candidates.csv", "热点问题表.xlsx", "热点问题留言明细表.xlsx", "选题候选清单.docx", "weights.json"}


def cli(*args, cwd, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def write_survey(folder: Path) -> tuple[Path, Path]:
    """A two-question form and a plain-table export of 20 answers and one bad row (district 北城街道)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    form = folder / "poll.yaml"
    form.write_text(FORM, encoding="utf-8")
    rows = [["您居住的镇（街道）是？", "您身边最急的一件事是什么？"]]
    rows += [["东湖街道" if i % 2 else "西山街道", f"{TEXTS[i % 5]}（第{i}位居民）"] for i in range(20)]
    rows.append(["北城街道", "路灯不亮"])
    answers = folder / "answers.csv"
    with open(answers, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return form, answers


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("select count(*) from responses").fetchone()[0],
            conn.execute("select count(*) from batches").fetchone()[0],
        )


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Inputs every command here reads: concerns CSV, a survey, a store holding it (20 answers, 1 quarantined)."""
    from toolkit.ingest.pipeline import ingest
    from toolkit.sample import generate_concerns

    base = tmp_path_factory.mktemp("work")
    form, answers = write_survey(base / "survey")
    ingest(answers, form, base / "survey.db")
    generate_concerns(2000, seed=3)[["id", "text", "submitted_at", "likes"]].to_csv(base / "concerns.csv", index=False)
    return base


# One command per kind of output: (flag, folder or file, arguments with OUT in place of the output path)
COMMANDS = {
    "topics": (
        "--out",
        "folder",
        ["topics", "{base}/concerns.csv", "--text-col", "text", "--id-col", "id", "--quiet", "--out", "OUT"],
    ),
    "rank": (
        "--out",
        "folder",
        [
            "rank",
            "{base}/concerns.csv",
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--time-col",
            "submitted_at",
            "--quiet",
            "--out",
            "OUT",
        ],
    ),
    "brief": (
        "--out",
        "folder",
        ["brief", "--db", "{base}/survey.db", "--form", "{base}/survey/poll.yaml", "--out", "OUT"],
    ),
    "rejected export": (
        "-o",
        "file",
        ["rejected", "export", "--form", "{base}/survey/poll.yaml", "--db", "{base}/survey.db", "-o", "OUT"],
    ),
    "form export": ("-o", "file", ["form", "export", "{base}/survey/poll.yaml", "--to", "docx", "-o", "OUT"]),
    "ingest report": (
        "--report",
        "file",
        [
            "ingest",
            "{base}/survey/answers.csv",
            "--form",
            "{base}/survey/poll.yaml",
            "--db",
            "{place}/new.db",
            "--report",
            "OUT",
        ],
    ),
}


def _args(name: str, base: Path, place: Path, out: Path) -> list[str]:
    return [str(out) if a == "OUT" else a.format(base=base, place=place) for a in COMMANDS[name][2]]


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"/" for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("case", ["wrong kind", "below a file", "read-only"])
def test_an_output_path_that_cannot_be_written_is_refused_before_any_work(work, tmp_path, name, case):
    flag, kind, _ = COMMANDS[name]
    (tmp_path / "notes.txt").write_text("staff notes", encoding="utf-8")
    if case == "wrong kind":  # a file where a folder is meant, a folder where a file is meant
        out = tmp_path / "notes.txt" if kind == "folder" else tmp_path
    elif case == "below a file":
        out = tmp_path / "notes.txt" / "结果" / ("out" if kind == "folder" else "out.xlsx")
    else:
        if ROOT_USER:
            pytest.skip("root ignores file permissions; 'below a file' covers the refusal path")
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o555)
        out = tmp_path / "ro" / ("out" if kind == "folder" else "out.xlsx")
    before = _listing(tmp_path)
    try:
        run = cli(*_args(name, work, tmp_path, out), cwd=tmp_path)
    finally:
        if (tmp_path / "ro").exists():
            (tmp_path / "ro").chmod(0o755)
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr and run.stderr.startswith("错误：")
    assert f"{flag} {out}" in run.stderr, run.stderr  # names the path …
    assert "修改" in run.stderr  # … and the fix
    assert _listing(tmp_path) == before  # nothing written: no output, no temporary folder, no new database


def _kill_while_writing(args, cwd: Path, out: Path) -> bool:
    """Start a run, SIGKILL it once its temporary folder holds a file; True if it was killed mid-write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit.cli", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # hang protection only
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            stages = list(out.parent.glob(f".{out.name}.partial-*"))
            if any(any(s.iterdir()) for s in stages if s.is_dir()):
                proc.kill()
                proc.wait()
                return True
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return False


def test_a_killed_rank_leaves_the_previous_complete_output_or_none(work, tmp_path):
    out = tmp_path / "rank"
    args = _args("rank", work, tmp_path, out)
    killed = _kill_while_writing(args, tmp_path, out)
    assert not out.exists() if killed else set(os.listdir(out)) == RANK_FILES
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert visible == (["rank"] if out.exists() else [])  # at most a hidden .rank.partial-… beside it

    assert cli(*args, cwd=tmp_path).returncode == 0
    complete = _listing(out)
    assert set(complete) == RANK_FILES
    assert not list(tmp_path.glob(".rank.*"))  # the killed run's temporary folder was cleaned up

    killed_again = _kill_while_writing(args, tmp_path, out)
    assert _listing(out) == complete  # the old output, whole and untouched
    assert killed or killed_again, "the kill never landed while files were being written"


def test_a_shared_folder_keeps_other_files_and_loses_only_stale_outputs(tmp_path):
    from toolkit.outfolder import output_folder
    from toolkit.topics.errors import TopicsError

    out = tmp_path / "reports"
    out.mkdir()
    (out / "说明.txt").write_text("staff notes", encoding="utf-8")  # not ours: kept
    (out / "themes.csv").write_text("old", encoding="utf-8")  # ours, not made this time: removed
    with output_folder(out, error=TopicsError, names=("topics.csv", "themes.csv")) as stage:
        (stage / "topics.csv").write_text("new", encoding="utf-8")
    assert _listing(out) == {"topics.csv": b"new", "说明.txt": b"staff notes"}

    with pytest.raises(RuntimeError), output_folder(out, error=TopicsError, names=("topics.csv",)) as stage:
        (stage / "topics.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("killed midway")
    assert _listing(out) == {"topics.csv": b"new", "说明.txt": b"staff notes"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no temporary folder left


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_killed_between_moving_the_old_output_aside_and_putting_the_new_one_in_loses_nothing(tmp_path):
    from toolkit.outfolder import output_folder
    from toolkit.topics.errors import TopicsError

    out = tmp_path / "reports"
    out.mkdir()
    (out / "说明.txt").write_text("staff notes", encoding="utf-8")
    (out / "topics.csv").write_text("old", encoding="utf-8")
    previous = _listing(out)
    # the killed run's state: the previous output renamed aside, its complete stage not yet renamed in
    dead = _dead_pid()
    out.rename(tmp_path / f".reports.old-{dead}-0123abcd")
    (tmp_path / f".reports.partial-{dead}-89abcdef").mkdir()
    (tmp_path / f".reports.partial-{dead}-89abcdef" / "topics.csv").write_text("killed", encoding="utf-8")

    with pytest.raises(RuntimeError), output_folder(out, error=TopicsError, names=("topics.csv",)) as stage:
        raise RuntimeError("the next run fails too")
    assert _listing(out) == previous  # put back, not deleted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]

    with output_folder(out, error=TopicsError, names=("topics.csv",)) as stage:
        (stage / "topics.csv").write_text("new", encoding="utf-8")
    assert _listing(out) == {**previous, "topics.csv": b"new"}


def test_an_empty_folder_made_inside_the_output_folder_is_kept(tmp_path):
    from toolkit.outfolder import output_folder
    from toolkit.topics.errors import TopicsError

    out = tmp_path / "topics"
    with output_folder(out, error=TopicsError, names=("topics.csv",)) as stage:
        (stage / "topics.csv").write_text("old", encoding="utf-8")
    (out / "我的笔记").mkdir()  # made by staff, empty for now
    with output_folder(out, error=TopicsError, names=("topics.csv",)) as stage:
        (stage / "topics.csv").write_text("new", encoding="utf-8")
    assert _listing(out) == {"topics.csv": b"new", "我的笔记": b"/"}


def test_a_file_output_named_with_brackets_leaves_no_temporary_file(tmp_path):
    from toolkit.ingest.errors import IngestError
    from toolkit.outfolder import output_file

    target = tmp_path / "待修正[第1批].xlsx"  # [ ] would be a character class to glob
    with pytest.raises(RuntimeError), output_file(target, error=IngestError) as tmp:
        tmp.write_bytes(b"half")
        tmp.with_name(tmp.name + ".tmp").write_bytes(b"helper")  # toolkit.office writes beside it
        raise RuntimeError("killed midway")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["mapping path unwritable", "read-only form folder"])
def test_ingest_after_the_commit_says_what_it_wrote(tmp_path, how):
    form, answers = write_survey(tmp_path / "survey")
    if how == "read-only form folder":
        if ROOT_USER:
            pytest.skip("root ignores file permissions; the unwritable mapping path covers this")
        (tmp_path / "survey").chmod(0o555)
    else:  # root can write anywhere: a dangling link makes writing the mapping fail all the same
        (tmp_path / "survey" / "poll.mapping.yaml").symlink_to(tmp_path / "missing" / "poll.mapping.yaml")
    try:
        run = cli(
            "ingest", answers, "--form", form, "--db", tmp_path / "x.db", "--report", tmp_path / "r.xlsx", cwd=tmp_path
        )
    finally:
        (tmp_path / "survey").chmod(0o755)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "导入已完成（批次 1：接收 20 行、隔离 1 行），但表头与题目的对应关系未能保存" in run.stdout
    assert "未作任何改动" not in run.stdout + run.stderr
    assert counts(tmp_path / "x.db") == (20, 1) and (tmp_path / "r.xlsx").is_file()


def test_a_locked_database_is_a_chinese_message_and_nothing_is_written(tmp_path):
    from toolkit.store import open_store

    form, answers = write_survey(tmp_path / "survey")
    db = tmp_path / "x.db"
    open_store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than we wait
    try:
        run = cli("ingest", answers, "--form", form, "--db", db, cwd=tmp_path, env={"WEIDIAOYAN_BUSY_TIMEOUT": "0.5"})
    finally:
        holder.rollback()
        holder.close()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "正被另一个程序写入" in run.stderr and "本次没有写入任何数据" in run.stderr, run.stderr
    assert "database is locked" not in run.stderr
    assert counts(db) == (0, 0)


def test_two_imports_of_one_file_at_once_write_it_once(tmp_path):
    """Imports of one form run one at a time (the store's form lock): the second, started while the first is still
    in its transaction, waits, then finds every row imported already and writes nothing — no error, no second copy."""
    from sqlalchemy import event

    from toolkit.forms import load_form
    from toolkit.ingest.pipeline import ingest
    from toolkit.store import open_store

    form, answers = write_survey(tmp_path / "survey")
    form = load_form(form)
    db = tmp_path / "x.db"
    store_a, store_b = open_store(db), open_store(db)
    outcome = {}

    def import_b():
        try:
            outcome["b"] = ingest(answers, form, store_b)
        except Exception as err:  # noqa: BLE001 — the error is what the test looks at
            outcome["b"] = err

    @event.listens_for(store_a.engine, "commit")
    def _a_about_to_commit(conn):
        if "thread" not in outcome:  # B starts while A holds its transaction open
            outcome["thread"] = threading.Thread(target=import_b)
            outcome["thread"].start()
            outcome["thread"].join(0.5)

    try:
        report_a = ingest(answers, form, store_a)
        outcome["thread"].join(120)
    finally:
        store_a.close()
        store_b.close()
    assert not outcome["thread"].is_alive()
    assert report_a["accepted"] == 20
    assert not isinstance(outcome["b"], Exception), outcome["b"]
    assert outcome["b"]["accepted"] == 0  # every row was there already
    assert counts(db)[0] == 20


def test_a_write_that_fails_midway_keeps_the_old_output_and_says_so(work, tmp_path):
    import resource
    import signal

    out = tmp_path / "topics"
    args = ["topics", work / "concerns.csv", "--text-col", "text", "--id-col", "id", "--quiet", "--out", out]
    assert cli(*args, cwd=tmp_path).returncode == 0
    before = _listing(out)

    def small_files():  # files may grow to 20 kB: the run's larger CSV fails as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    run = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        preexec_fn=small_files,
        timeout=300,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"--out {out}：写入时出错（文件超过系统允许的大小；原有的输出没有改动" in run.stderr, run.stderr
    assert _listing(out) == before and not list(tmp_path.glob(".topics.*"))


def test_a_database_write_that_hits_a_full_disk_is_a_chinese_message_and_rolled_back(tmp_path):
    import csv
    import resource
    import signal

    from toolkit.store import open_store

    form, _ = write_survey(tmp_path / "survey")
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(
            [["您居住的镇（街道）是？", "您身边最急的一件事是什么？"]]
            + [["东湖街道", "小区停车难" * 200 + str(i)] for i in range(300)]
        )
    db = tmp_path / "x.db"
    open_store(db).close()

    def small_files():  # the database may not grow past 400 kB: its write fails as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "ingest",
            str(big),
            "--form",
            str(form),
            "--db",
            str(db),
            "--report",
            str(tmp_path / "r.xlsx"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        preexec_fn=small_files,
        timeout=300,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"数据库 {db}：读写磁盘时出错。未完成的写入已撤销" in run.stderr, run.stderr
    assert counts(db) == (0, 0)


def test_two_imports_of_one_file_at_once_write_it_once_and_say_so(tmp_path):
    """The real race, two processes on a new database: whichever loses (creating the database or writing the
    rows) gets a Chinese message or finds the rows already there; the rows are stored once."""
    form, answers = write_survey(tmp_path / "survey")
    db = tmp_path / "x.db"
    cmd = [sys.executable, "-m", "toolkit.cli", "ingest", str(answers), "--form", str(form), "--db", str(db)]
    procs = [
        subprocess.Popen(
            [*cmd, "--report", str(tmp_path / f"r{i}.xlsx")],
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    results = [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=300)]]
    for code, _out, err in results:
        assert "Traceback" not in err and "UNIQUE" not in err and "already exists" not in err, err
        assert code == 0 or "同一文件正由另一个程序（或另一位同事）导入" in err, err
    assert sorted(code for code, _, _ in results)[0] == 0
    assert counts(db) == (20, 1)
