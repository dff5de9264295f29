"""``weidiaoyan entry`` — serve the entry page (Voilà) for data-entry staff."""

from __future__ import annotations


def _entry(args) -> int:
    import subprocess

    from toolkit.entry.page import serve_command
    from toolkit.forms import load_form
    from toolkit.store import display, open_store

    form = load_form(args.form)  # fail here, in the terminal, not in the browser
    _require_page_server()  # before the database is touched
    open_store(args.db).save_form(form)
    cmd, env = serve_command(args.form, args.db, port=args.port, operator=args.operator)
    print(
        f"录入页面：http://127.0.0.1:{args.port}/ （问卷《{form.title}》，数据库 {display(args.db)}）。按 Ctrl+C 停止。"
    )
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def _require_page_server() -> None:
    """Voilà and ipykernel come with the ``notebooks`` extra, not with a plain ``pip install weidiaoyan``."""
    from toolkit.entry.errors import EntryError

    try:
        import ipykernel  # noqa: F401
        import voila  # noqa: F401
    except ImportError:
        raise EntryError("entry.page_server_missing") from None


def register(subparsers) -> None:
    from toolkit.store import add_db_arguments

    p = subparsers.add_parser("entry", help="启动录入页面（浏览器中录入纸质问卷，仅本机 127.0.0.1 可访问）")
    p.add_argument("--form", required=True, help="问卷 YAML 文件")
    add_db_arguments(p)
    p.add_argument("--port", type=int, default=8866, help="端口（默认 8866）")
    p.add_argument("--operator", help="录入员姓名（不填则在页面上填写）")
    p.set_defaults(func=_entry)
