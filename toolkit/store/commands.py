"""``weidiaoyan db info | init | upgrade | backup | restore`` — what a store holds, and its administration.

A store is ``--db`` (a SQLite file, or a URL such as ``postgresql+psycopg://录入@db.office/调研``) or
``--db-env VAR`` (an environment variable holding that URL), so no password need sit on a command line.
"""

from __future__ import annotations

from toolkit.store.location import add_db_arguments


def _info(args) -> int:
    from toolkit.store import open_store

    store = open_store(args.db)
    versions = store.form_versions()
    print(f"数据库：{store.shown}")
    if versions.empty:
        print("（尚无问卷）")
    for form_id, group in versions.groupby("form_id", sort=True):
        c = store.counts(form_id)
        print(
            f"问卷 {form_id}《{group['title'].iloc[-1]}》：{len(group)} 个版本，有效答卷 {c['responses']} 份，"
            f"作废 {c['void']} 份，导入批次 {c['batches']} 个，待处理隔离行 {c['rejected']} 行"
        )
    return 0


def _init(args) -> int:
    from toolkit.store import open_store
    from toolkit.store.migrations import MIGRATIONS

    store = open_store(args.db, upgrade=False)
    pending = store.pending_migrations()
    if len(pending) < len(MIGRATIONS):
        print(
            f"数据库 {store.shown} 已经建好，无需再建。"
            + ("" if not pending else "有未完成的升级：请运行 weidiaoyan db upgrade。")
        )
        return 0
    applied = store.upgrade()
    print(f"已建好数据库 {store.shown}（{len(applied)} 步：{'、'.join(applied)}）。各办公室现在可以导入和录入了。")
    return 0


def _upgrade(args) -> int:
    from toolkit.store import open_store
    from toolkit.store.migrations import MIGRATIONS

    store = open_store(args.db, upgrade=False)
    described = dict((m[0], m[1]) for m in MIGRATIONS)
    applied = store.upgrade()
    if not applied:
        print(f"数据库 {store.shown} 已是最新，无需升级。")
        return 0
    print(f"已升级数据库 {store.shown}：")
    for mig in applied:
        print(f"  {mig}：{described[mig]}")
    return 0


def _backup(args) -> int:
    from toolkit.store import open_store
    from toolkit.store.backup import backup

    store = open_store(args.db, upgrade=False)
    out = backup(store, args.out)
    print(
        f"已把数据库 {store.shown} 备份到 {out}（{out.stat().st_size:,} 字节）。恢复：weidiaoyan db restore {out} --db 新数据库"
    )
    return 0


def _restore(args) -> int:
    from toolkit.store import open_store
    from toolkit.store.backup import restore

    store = open_store(args.db, upgrade=False)
    restore(store, args.backup, replace=args.replace)
    store = open_store(args.db)  # a backup of an older version is upgraded now
    n = store.counts()
    print(f"已从 {args.backup} 恢复数据库 {store.shown}：有效答卷 {n['responses']} 份，导入批次 {n['batches']} 个。")
    return 0


def register(subparsers) -> None:
    from toolkit.cli import group

    db = group(subparsers, "db", help="数据库：查看内容、建库、升级、备份与恢复")
    p = db.add_parser("info", help="列出数据库中的问卷、答卷数、导入批次和隔离行")
    add_db_arguments(p)
    p.set_defaults(func=_info)
    p = db.add_parser("init", help="建一个新数据库的全部表（共用的 PostgreSQL 由管理员运行一次）")
    add_db_arguments(p)
    p.set_defaults(func=_init)
    p = db.add_parser("upgrade", help="把数据库升级到本版本（新版本工具箱安装后由管理员运行一次）")
    add_db_arguments(p)
    p.set_defaults(func=_upgrade)
    p = db.add_parser("backup", help="把数据库完整备份到一个文件（SQLite：数据库文件；PostgreSQL：pg_dump 格式）")
    p.add_argument("out", metavar="OUT", help="备份文件（如 backups/调研-2026-05-01.dump）")
    add_db_arguments(p)
    p.set_defaults(func=_backup)
    p = db.add_parser("restore", help="从 db backup 的备份文件恢复到一个空数据库")
    p.add_argument("backup", metavar="BACKUP", help="db backup 写出的备份文件")
    add_db_arguments(p)
    p.add_argument("--replace", action="store_true", help="目标数据库已有数据时整个替换（默认拒绝，以免覆盖）")
    p.set_defaults(func=_restore)
