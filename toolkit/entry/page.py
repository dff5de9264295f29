"""The entry page for staff who never see code: ``entry_page.ipynb`` served by Voilà on 127.0.0.1.

``weidiaoyan entry --form surveys/annual_topics.yaml --db data/调研.db`` starts it; the page asks
for the operator's name and shows the entry form. The form and database reach the notebook's
kernel through environment variables, since Voilà passes no arguments to a notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).with_name("entry_page.ipynb")
ENV_FORM, ENV_DB, ENV_OPERATOR = "WEIDIAOYAN_FORM", "WEIDIAOYAN_DB", "WEIDIAOYAN_OPERATOR"


def serve_command(
    form: str | Path,
    db: str | Path,
    port: int = 8866,
    operator: str | None = None,
) -> tuple[list[str], dict[str, str]]:
    """(command, environment) that serve the entry page; bound to 127.0.0.1 only (no one else on the network)."""
    env = dict(os.environ)
    env[ENV_FORM] = str(Path(form).resolve())
    env[ENV_DB] = str(db) if "://" in str(db) else str(Path(db).resolve())
    if operator:
        env[ENV_OPERATOR] = operator
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False",
        "--theme=light",
    ]
    return cmd, env


def page_from_environment():
    """What the notebook shows: the entry form for the form and database named in the environment."""
    from toolkit.entry.widgets import EntryForm
    from toolkit.forms import load_form
    from toolkit.store import open_store

    form_path, db = os.environ.get(ENV_FORM), os.environ.get(ENV_DB)
    if not form_path or not db:
        import ipywidgets as w

        return w.HTML(
            "<p style='color:#c62828'>未指定问卷或数据库。请用 <code>weidiaoyan entry --form 问卷.yaml "
            "--db 数据库.db</code> 启动录入页面。</p>"
        )
    return EntryForm(load_form(form_path), open_store(db), operator=os.environ.get(ENV_OPERATOR) or None)
