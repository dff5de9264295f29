"""The entry page for staff who never see code: ``entry_page.ipynb`` served by Voilà on 127.0.0.1.

``weidiaoyan entry --form surveys/annual_topics.yaml --db data/调研.db`` starts it; the page asks
for the operator's name (or, once the store has operators' accounts, a login: ``login.py``) and shows
the entry form; ``--lan`` serves it to the office network (accounts required). The form and database reach the notebook's
kernel through environment variables, since Voilà passes no arguments to a notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).with_name("entry_page.ipynb")
ENV_FORM, ENV_DB, ENV_OPERATOR = "WEIDIAOYAN_FORM", "WEIDIAOYAN_DB", "WEIDIAOYAN_OPERATOR"


# Kernels of closed pages are shut down after this many idle seconds (an open page is never culled).
CULL_IDLE, CULL_EVERY = 900, 60


def serve_command(
    form: str | Path,
    db: str | Path,
    port: int = 8866,
    operator: str | None = None,
    *,
    ip: str = "127.0.0.1",
    token: str | None = None,
    cull_idle: int = CULL_IDLE,
) -> tuple[list[str], dict[str, str]]:
    """(command, environment) that serve the entry page on ``ip`` (127.0.0.1: this computer only).

    Only the form is reachable: Voilà serving one notebook registers no Jupyter contents, terminal or
    tree API (every other path redirects to its file handler, which here serves no file at all), and
    its kernels accept widget messages only, never code. ``token`` (for the office network) must then be
    in the page's address; it travels in the environment, not on the command line others can list.
    """
    env = dict(os.environ)
    if token:
        env["JUPYTER_TOKEN"] = token
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
        f"--Voila.ip={ip}",
        f"--Voila.auto_token={bool(token)}",  # True: the token comes from JUPYTER_TOKEN
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.file_denylist=.*",  # no file of the folder is served, not even images
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={min(CULL_EVERY, cull_idle)}",
        "--MappingKernelManager.cull_connected=False",
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
    form, store = load_form(form_path), open_store(db)
    from toolkit.store import has_operators

    if has_operators(store):  # operators are accounts: a login, never a typed-in name
        from toolkit.entry.login import LoginPanel

        return LoginPanel(form, store)
    return EntryForm(form, store, operator=os.environ.get(ENV_OPERATOR) or None)
