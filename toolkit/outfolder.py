"""Output folders and files that are whole or absent: nobody mistakes half a run for a result.

A run writes into a hidden sibling (``.名称.partial-<pid>-<random>``: the same parent, so moving it
is a rename) and puts it in place only once everything is written. A run killed midway leaves the
previous complete output (or nothing) and at most that hidden folder, which the next run removes (a
previous output the killed run had just moved aside is put back).
Staff type paths by hand, so the target is checked before any work or database write: an existing
file, a path below a file, or a folder without write permission is refused in Chinese, naming the
path and the fix.

>>> with output_folder("reports/rank", error=AgendaError, names=("candidates.csv",)) as stage:  # doctest: +SKIP
...     candidates.to_csv(stage / "candidates.csv")
>>> with output_file("reports/待修正.xlsx", error=IngestError) as tmp:                         # doctest: +SKIP
...     workbook.save(tmp)
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ToolkitError

# ".名称.partial-1234-9f3a0c1e" (being written) / ".名称.old-1234-…" (a previous output on its way out)
_TEMP = re.compile(r"^\.(?P<base>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)-[0-9a-f]{8}")


def check_out_dir(out, *, error: type[ToolkitError], flag: str = "--out") -> Path:
    """``out`` as a folder a run can write into (created at the end); ``error`` says why not, and the fix."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise error("out.is_file", flag=flag, path=out, example=f"{out.with_suffix('')}_结果")
    _check_writable(out, error=error, flag=flag, what="结果文件夹")
    return out


def check_out_file(path, *, error: type[ToolkitError], flag: str = "-o", suffix: str = ".xlsx") -> Path:
    """``path`` as a file a run can write (replaced at the end); ``error`` says why not, and the fix."""
    path = Path(path)
    if path.is_dir():
        raise error("out.is_folder", flag=flag, path=path, example=path / ("结果" + suffix))
    if path.is_file() and not os.access(path, os.W_OK):  # the user made it read-only: respect that
        raise error("out.read_only_file", flag=flag, path=path)
    _check_writable(path, error=error, flag=flag, what="文件")
    return path


def _check_writable(target: Path, *, error, flag: str, what: str) -> None:
    # Creating the temporary sibling needs the parent (or the nearest folder that exists) writable;
    # replacing an existing folder renames it, which needs that folder writable too (its ".." changes).
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise error(
            "out.parent_is_file", flag=flag, path=target, what=what, parent=folder, example=folder.parent / target.name
        )
    for place in (folder, target) if target.is_dir() else (folder,):
        if not os.access(place, os.W_OK | os.X_OK):
            raise error("out.not_writable", flag=flag, path=target, folder=place)


@contextmanager
def output_folder(out, *, error: type[ToolkitError], names=(), flag: str = "--out") -> Iterator[Path]:
    """Yield an empty staging folder; when the block ends without error it becomes ``out``.

    ``names``: what a run of this command may write, as paths inside ``out`` or glob patterns
    (``"charts/[0-9][0-9]_*.png"``). A target holding only such entries (an earlier output) is replaced
    whole; one holding other files too (a shared ``reports`` folder, staff notes) keeps them, gets this
    run's entries and loses the earlier run's entries this run did not make.
    """
    shown = check_out_dir(out, error=error, flag=flag)
    out = Path(os.path.realpath(shown))  # "--out ." has no name; a linked folder is replaced where it is
    _make_parent(out, error=error, flag=flag)
    _clean_stale(out.parent, out.name)
    _clean_stale(out)  # a killed merge's ".charts.old-…" inside the folder
    stage = out.with_name(f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        stage.mkdir()
        yield stage
        _publish(stage, out, tuple(names))
    except OSError as err:
        if not _ours(err, out.parent):
            raise
        raise error("out.write_failed", flag=flag, path=shown, reason=_write_failed(err, stage, shown)) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def output_file(path, *, error: type[ToolkitError], flag: str = "-o") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); when the block ends without error it becomes ``path``."""
    shown = check_out_file(path, error=error, flag=flag)
    path = Path(os.path.realpath(shown))
    _make_parent(path, error=error, flag=flag)
    _clean_stale(path.parent, path.stem, path.name)
    tmp = path.with_name(f".{path.stem}.partial-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as err:
        if not _ours(err, path.parent):
            raise
        raise error("out.write_failed", flag=flag, path=shown, reason=_write_failed(err, tmp, shown)) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".tmp")):  # the file and toolkit.office's ".tmp" beside it
            leftover.unlink(missing_ok=True)


def _ours(err: OSError, folder: Path) -> bool:
    # an error writing the output (a named file there, or none named: a full disk); others are not ours to word
    return err.filename is None or os.path.abspath(str(err.filename)).startswith(str(folder))


def relocate(paths: dict, stage: Path, out) -> dict:
    """``paths`` written under ``stage`` as they are named once the stage became ``out``."""
    return {k: Path(out) / Path(p).relative_to(stage) for k, p in paths.items()}


def _make_parent(target: Path, *, error, flag: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise error(
            "out.cannot_create", flag=flag, path=target, folder=target.parent, reason=err.strerror or err
        ) from None


def _publish(stage: Path, out: Path, names) -> None:
    if not out.exists() or _all_owned(out, names):
        _put(stage, out)  # nothing of anyone else's in the way: one rename
    else:
        _merge(stage, out, names)


def _owned(rel: str, names) -> bool:
    return any(fnmatch.fnmatchcase(rel, pattern) for pattern in names)


def _all_owned(folder: Path, names, prefix: str = "") -> bool:
    """Whether everything in ``folder`` is an earlier run's output (``names`` match it). A subfolder no name
    matches is ours only if it holds our entries: an empty one was made by someone else."""
    for entry in folder.iterdir():
        rel = prefix + entry.name
        if not _owned(rel, names) and not (
            entry.is_dir() and not entry.is_symlink() and any(entry.iterdir()) and _all_owned(entry, names, rel + "/")
        ):
            return False
    return True


def _merge(stage: Path, out: Path, names, prefix: str = "") -> None:
    """Put this run's entries into ``out`` one by one, keeping what is not ours; an earlier run's entry this
    run did not make (a chart of a question since dropped) must not linger beside the new ones."""
    made = set()
    for entry in sorted(stage.iterdir()):
        made.add(entry.name)
        dest, rel = out / entry.name, prefix + entry.name
        if entry.is_dir() and dest.is_dir() and not _all_owned(dest, names, rel + "/"):
            _merge(entry, dest, names, rel + "/")
        else:
            _put(entry, dest)
    for old in list(out.iterdir()):
        if old.name not in made and _owned(prefix + old.name, names):
            _remove(old)


def _put(src: Path, dest: Path) -> None:
    """Move ``src`` to ``dest``, replacing it; the old ``dest`` is renamed aside first, so it is never lost
    before the new one is in place."""
    if not (dest.exists() or dest.is_symlink()):
        os.rename(src, dest)
    elif src.is_file() and dest.is_file():
        os.replace(src, dest)
    else:
        aside = dest.with_name(f".{dest.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(dest, aside)
        try:
            os.rename(src, dest)
        except OSError:
            os.rename(aside, dest)
            raise
        _remove(aside)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def _clean_stale(folder: Path, *bases: str) -> None:
    """Tidy the temporary leftovers (of ``bases``, or of any name) of runs that were killed: their process is gone.

    A run killed inside :func:`_put` after moving the previous output aside and before putting the new one in
    leaves ``.名称.old-…`` and no ``名称``: that is the previous output, so it is put back, not removed.
    """
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        m = _TEMP.match(entry.name)
        if not m or bases and m["base"] not in bases or _alive(int(m["pid"]), entry):
            continue
        target = folder / m["base"]
        if m["kind"] == "old" and not (target.exists() or target.is_symlink()):
            with contextlib.suppress(OSError):  # if it cannot be put back it stays: never deleted here
                os.rename(entry, target)
        else:
            _remove(entry)


def _alive(pid: int, entry: Path) -> bool:
    if pid == os.getpid():  # another output of this process (a notebook's thread) is still being written
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C there; no run takes a day
        return time.time() - entry.stat().st_mtime < 86400
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


_WHY = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超过系统允许的大小",
    errno.EACCES: "没有写权限，或文件正被其他程序（如 Excel）打开",
    errno.EPERM: "没有写权限",
    errno.EROFS: "磁盘或文件夹是只读的",
}


def _write_failed(err: OSError, temp: Path, target: Path) -> str:
    """Why writing failed, and where: the file named as the user will see it."""
    where = str(err.filename or "")
    if where.startswith(str(temp)):
        where = str(target) + where[len(str(temp)) :]
    why = _WHY.get(err.errno or 0, err.strerror or str(err))
    return f"{why}{'：' + where if where else ''}"
