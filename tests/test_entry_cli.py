"""``weidiaoyan entry``: the page binds to 127.0.0.1, and a bad form fails in the terminal, in Chinese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from toolkit.cli import main
from toolkit.entry.page import ENV_DB, ENV_FORM, NOTEBOOK, serve_command

ROOT = Path(__file__).resolve().parents[1]


def test_serve_command_is_local_only(tmp_path):
    cmd, env = serve_command(ROOT / "surveys" / "visit_record.yaml", tmp_path / "x.db", port=9123)
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=9123" in cmd and str(NOTEBOOK) in cmd
    assert Path(env[ENV_FORM]).is_absolute() and env[ENV_DB] == str((tmp_path / "x.db").resolve())


def test_missing_form_is_reported_without_traceback(tmp_path, capsys):
    assert main(["entry", "--form", str(tmp_path / "none.yaml"), "--db", str(tmp_path / "x.db")]) == 1
    err = capsys.readouterr().err
    assert "none.yaml：问卷定义文件不存在" in err and "Traceback" not in err


def test_entry_without_voila_says_how_to_install(tmp_path):
    # voila and ipykernel are the notebooks extra; a plain install must say so, not crash in the subprocess
    db = tmp_path / "x.db"
    code = (
        "import sys; sys.modules['voila'] = None; from toolkit.cli import main; "
        f"sys.exit(main(['entry', '--form', {str(ROOT / 'surveys' / 'visit_record.yaml')!r}, '--db', {str(db)!r}]))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "weidiaoyan[notebooks]" in run.stderr and "Traceback" not in run.stderr
    assert not db.exists()  # the database is left as it was
