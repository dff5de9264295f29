"""``weidiaoyan user add | list | disable | passwd`` — operators' accounts (``toolkit.store.accounts``), kept
by an administrator.

A password is typed twice (not shown) or read from an environment variable (``--password-env VAR``,
for scripts), never from the command line, where others could read it in the process list.
"""

from __future__ import annotations

import os

from toolkit.store import add_db_arguments


def _password(args) -> str:
    from toolkit.store import StoreError

    if args.password_env:
        value = os.environ.get(args.password_env, "")
        if not value:
            raise StoreError("store.password_env_missing", var=args.password_env)
        return value
    import getpass

    try:
        first = getpass.getpass(f"{args.name} 的密码：")
        again = getpass.getpass("再输入一次：")
    except EOFError:
        raise StoreError("store.password_no_input") from None
    if again != first:
        raise StoreError("store.password_mismatch")
    return first


def _add(args) -> int:
    from toolkit.store import add_operator, check_new_password, clean_name, open_store

    clean_name(args.name)  # refuse a bad name before asking for a password
    store = open_store(args.db)
    password = _password(args)
    check_new_password(password)
    name = add_operator(store, args.name, password)
    print(f"已建录入员账号 {name}（数据库 {store.shown}）。录入页面现在要求登录。")
    return 0


def _list(args) -> int:
    import datetime as dt

    from toolkit.store import list_operators, open_store

    store = open_store(args.db)
    rows = list_operators(store)
    if not rows:
        print(f"数据库 {store.shown} 还没有录入员账号（录入页面不要求登录）。新建：weidiaoyan user add 姓名")
    for row in rows:
        state = "可登录" if row["status"] == "active" else "已停用"
        if row["status"] == "active" and row["locked_until"]:
            until = dt.datetime.fromisoformat(row["locked_until"]).astimezone()  # stored UTC -> local time
            state = f"已锁定至 {until:%Y-%m-%d %H:%M}（密码输错太多次；user passwd 解除）"
        print(f"{row['name']}\t{state}\t建于 {row['created_at']}\t最近修改 {row['updated_at']}")
    return 0


def _disable(args) -> int:
    from toolkit.store import disable_operator, open_store

    store = open_store(args.db)
    disable_operator(store, args.name)
    print(f"已停用录入员账号 {args.name.strip()}：不能再登录；已录的答卷仍记着这个名字。重新启用：user passwd。")
    return 0


def _passwd(args) -> int:
    from toolkit.store import clean_name, open_store, set_password

    clean_name(args.name)
    store = open_store(args.db)
    set_password(store, args.name, _password(args))
    print(f"已为录入员 {args.name.strip()} 设置新密码（账号可登录，锁定已解除）。")
    return 0


def register(user) -> None:
    """The sub-commands of the ``user`` group (``user``: its subparsers, made by ``entry.commands``)."""
    for name, func, text in (
        ("add", _add, "新建录入员账号（提示输入两遍密码）"),
        ("passwd", _passwd, "设置新密码（忘记密码时由管理员运行；也重新启用停用的账号、解除锁定）"),
    ):
        p = user.add_parser(name, help=text)
        p.add_argument("name", metavar="姓名", help="录入员姓名（记入每份答卷和审计日志）")
        add_db_arguments(p)
        p.add_argument("--password-env", metavar="VAR", help="从环境变量 VAR 读密码（脚本用；默认提示输入）")
        p.set_defaults(func=func)
    p = user.add_parser("list", help="列出录入员账号及其状态")
    add_db_arguments(p)
    p.set_defaults(func=_list)
    p = user.add_parser("disable", help="停用账号（不能再登录，已录的答卷不变）")
    p.add_argument("name", metavar="姓名")
    add_db_arguments(p)
    p.set_defaults(func=_disable)
