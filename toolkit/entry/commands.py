"""``weidiaoyan entry`` — serve the entry page (Voilà) for data-entry staff."""

from __future__ import annotations


def _entry(args) -> int:
    import secrets
    import subprocess

    from toolkit.entry.errors import EntryError
    from toolkit.entry.page import serve_command
    from toolkit.forms import load_form
    from toolkit.store import db_hint, display, has_operators, open_store

    form = load_form(args.form)  # fail here, in the terminal, not in the browser
    _require_page_server()  # before the database is touched
    store = open_store(args.db)
    store.save_form(form)
    ip = "0.0.0.0" if args.lan else (args.ip or "127.0.0.1")
    local = ip in ("127.0.0.1", "localhost", "::1")
    accounts = has_operators(store)
    if not local and not accounts:  # on the network without accounts anyone could enter under any name
        raise EntryError("entry.lan_needs_accounts", db=store.shown, hint=db_hint(args))
    token = None if local else secrets.token_urlsafe(16)
    cmd, env = serve_command(args.form, args.db, port=args.port, operator=args.operator, ip=ip, token=token)
    where = f"http://127.0.0.1:{args.port}/"
    if token:
        host = _lan_address() if ip == "0.0.0.0" else ip
        where = f"http://{host}:{args.port}/?token={token} （只把这个地址发给本办公室的录入员）"
    login = "录入员用自己的账号登录" if accounts else "页面上填写录入员姓名"
    print(f"录入页面：{where}\n问卷《{form.title}》，数据库 {display(args.db)}，{login}。按 Ctrl+C 停止。")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def _lan_address() -> str:
    """This computer's address on the office network (the route out; no packet is sent), else its name."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return socket.gethostname()


def _require_page_server() -> None:
    """Voilà and ipykernel come with the ``notebooks`` extra, not with a plain ``pip install weidiaoyan``."""
    from toolkit.entry.errors import EntryError

    try:
        import ipykernel  # noqa: F401
        import voila  # noqa: F401
    except ImportError:
        raise EntryError("entry.page_server_missing") from None


def register(subparsers) -> None:
    from toolkit.cli import group
    from toolkit.entry import users
    from toolkit.store import add_db_arguments

    users.register(group(subparsers, "user", help="录入员账号：新建、列出、停用、改密码（录入页面凭账号登录）"))

    p = subparsers.add_parser(
        "entry", help="启动录入页面（浏览器中录入纸质问卷；默认仅本机 127.0.0.1 可访问，--lan 向办公室局域网开放）"
    )
    p.add_argument("--form", required=True, help="问卷 YAML 文件")
    add_db_arguments(p)
    p.add_argument("--port", type=int, default=8866, help="端口（默认 8866）")
    p.add_argument("--operator", help="录入员姓名（不填则在页面上填写；数据库有账号时改为登录，此项不用）")
    lan = p.add_mutually_exclusive_group()
    lan.add_argument(
        "--lan", action="store_true", help="向办公室局域网开放（0.0.0.0；要求先用 weidiaoyan user add 建账号）"
    )
    lan.add_argument("--ip", help="只在这个地址上开放（如本机的局域网地址 192.168.1.20；默认 127.0.0.1）")
    p.set_defaults(func=_entry)
