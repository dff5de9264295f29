"""``weidiaoyan db info`` — what a store holds."""

from __future__ import annotations


def _info(args) -> int:
    from toolkit.store import open_store

    store = open_store(args.db)
    versions = store.form_versions()
    print(f"数据库：{args.db}")
    if versions.empty:
        print("（尚无问卷）")
    for form_id, group in versions.groupby("form_id", sort=True):
        c = store.counts(form_id)
        print(
            f"问卷 {form_id}《{group['title'].iloc[-1]}》：{len(group)} 个版本，有效答卷 {c['responses']} 份，"
            f"作废 {c['void']} 份，导入批次 {c['batches']} 个，待处理隔离行 {c['rejected']} 行"
        )
    return 0


def register(subparsers) -> None:
    from toolkit.cli import group

    db = group(subparsers, "db", help="数据库：查看内容")
    p = db.add_parser("info", help="列出数据库中的问卷、答卷数、导入批次和隔离行")
    p.add_argument("--db", required=True, help="数据库文件（.db）或 SQLAlchemy 地址")
    p.set_defaults(func=_info)
