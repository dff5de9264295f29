"""``weidiaoyan member …`` — the register of members, their duties, and the year's 履职档案."""

from __future__ import annotations


def _open(args, create: bool = False):
    """The store of ``--db``; only importing the list may create it (elsewhere a new file is a mistyped path)."""
    from toolkit.store import open_store

    return open_store(args.db, create=create)


def _names(text: str | None) -> list[str]:
    from toolkit.member.names import split_names

    return split_names(text)


def _year(value: str) -> int:
    from toolkit.member import MemberError

    try:
        return int(value)
    except ValueError:
        raise MemberError("member.year_invalid", flag="--year", value=value) from None


def _import(args) -> int:
    from toolkit.member import import_members, read_sectors

    sectors = read_sectors(args.sectors) if args.sectors else None
    store = _open(args, create=True)
    result = import_members(store, args.list, sectors=sectors, operator=args.operator)
    print(
        f"已导入委员名单 {args.list}：新增 {result.added} 人，更新 {result.updated} 人，"
        f"未变 {result.unchanged} 人" + ("（修改已记入审计日志）。" if result.added or result.updated else "。")
    )
    if result.note:
        print(f"提示：{result.note}。")
    return 0


def _list(args) -> int:
    from toolkit.member import aliases, members

    store = _open(args)
    register = members(store)
    if register.empty:
        print(f"数据库 {store.shown} 还没有委员名单（weidiaoyan member import 名单.xlsx …）。")
        return 0
    known = aliases(store).groupby("member_id")["alias"].agg("、".join)
    print(f"委员名单（{len(register)} 人）：")
    for m in register.itertuples(index=False):
        code = f"［{m.code}］" if m.code else ""
        also = f"；别称：{known[m.member_id]}" if m.member_id in known.index else ""
        print(f"  {m.member_id:>3}. {m.name}{code}　{m.sector}｜{m.studio or '（未填工作室）'}｜{m.title or '—'}{also}")
    return 0


def _alias(args) -> int:
    from toolkit.member import remove_alias, set_alias

    store = _open(args)
    if args.remove:
        done = remove_alias(store, args.alias, operator=args.operator)
        print(f"已删除别称“{args.alias}”。" if done else f"没有别称“{args.alias}”，未作改动。")
        return 0
    from toolkit.member import MemberError

    if not args.member:
        raise MemberError("member.no_members", flag="--member")
    set_alias(store, args.alias, args.member, operator=args.operator)
    print(f"记录中的“{args.alias}”今后算作委员“{args.member}”（已记入审计日志）；重新生成档案即可计入。")
    return 0


def _record(args) -> int:
    from toolkit.member import parse_date, record_activity

    store = _open(args)
    names = _names(args.member)
    activity = record_activity(
        store, kind=args.kind, date=args.date, members=names, note=args.note, operator=args.operator
    )
    day = parse_date(args.date).isoformat()  # as stored: 2026年6月15日 is 2026-06-15
    print(f"已记录履职活动 A{activity}：{args.kind}，{day}，委员 {'、'.join(names)}（已记入审计日志）。")
    return 0


def _void(args) -> int:
    from toolkit.member import MemberError, void_activity

    text = args.activity.strip().upper().removeprefix("A")
    if not text.isdigit():
        raise MemberError("member.activity_unknown", activity=args.activity)
    void_activity(_open(args), int(text), operator=args.operator, reason=args.reason)
    print(f"已作废履职活动 A{text}（记录保留，不再计分；已记入审计日志）。")
    return 0


def _activities(args) -> int:
    from toolkit.member import Register, activities

    store = _open(args)
    found = activities(store, _year(args.year))
    register = Register.load(store)
    names = register.frame.set_index("member_id")["name"]
    frame = found.frame
    if args.member:
        (member_id,) = register.resolve([args.member])
        frame = frame[frame["member_id"] == member_id]
    print(f"{args.year}年的履职活动（{frame['activity_id'].nunique()} 次）：")
    for activity_id, rows in frame.groupby("activity_id", sort=False):
        first = rows.iloc[0]
        who = "、".join(names[m] for m in rows["member_id"])
        by = f"｜记录人 {first['recorder']}" if first["recorder"] else ""
        print(f"  {first['date']}  {activity_id:<10} {first['kind']:<6} {who}｜{first['source']}{by}")
    for note in found.notes:
        print(f"提示：{note}")
    if len(found.unmatched):
        print(f"另有 {len(found.unmatched)} 条记录的姓名未能对应名单中的委员，未计入：见 weidiaoyan member unmatched。")
    return 0


def _unmatched(args) -> int:
    from toolkit.member import activities
    from toolkit.outputs import mask_text

    store = _open(args)
    lost = activities(store, _year(args.year)).unmatched
    if lost.empty:
        print(f"{args.year}年的记录中，所有委员姓名都对应名单中的委员。")
        return 0
    print(f"{args.year}年未能对应名单的姓名（{lost['name'].nunique()} 个，{len(lost)} 条记录，均未计入）：")
    for (name, reason), rows in lost.groupby(["name", "reason"], sort=True):
        where = "、".join(f"{r.activity_id}（{r.date}）" for r in rows.itertuples())
        print(f"  “{mask_text(name)}”：{reason}，{len(rows)} 条：{where}")  # as typed: it may hold a phone number
    print(
        "修改：姓名写法不同（如“陈委员”）时运行 weidiaoyan member alias 陈委员 --member 陈明 …；"
        "名单漏了这位委员时补进名单后重新 member import；记录写错时在录入页面改正答卷。"
    )
    return 0


def _archive(args) -> int:
    from toolkit.member import MemberError, build_archive, write_archive
    from toolkit.outfolder import check_out_dir

    check_out_dir(args.out, error=MemberError)
    year = _year(args.year)
    archive = build_archive(_open(args), year, rules=args.rules, idle_months=args.idle_months, as_of=args.as_of)
    paths = write_archive(archive, args.out)
    dossiers = [p for k, p in paths.items() if k.startswith("dossier:")]
    idle = int((archive.summary[archive.idle_column] == "是").sum())
    print(
        f"{year}年委员履职档案：委员 {len(archive.summary)} 人，履职活动 "
        f"{archive.activities.frame['activity_id'].nunique()} 次，积分合计 {archive.points['points'].sum():g}；"
        f"近 {archive.idle_months} 个月无履职记录 {idle} 人（截至 {archive.as_of.isoformat()}）。"
    )
    print(f"计分规则：{archive.rules.name}（{archive.rules.path}，SHA-256 {archive.rules.sha256[:12]}…）")
    for note in archive.notes:
        print(f"提示：{note}")
    print(f"已写入 {paths['workbook']}")
    print(f"已写入 {len(dossiers)} 份履职档案：{dossiers[0].parent if dossiers else args.out}")
    print(f"已写入图表：{paths['chart:sector:png'].parent}")
    return 0


def register(subparsers) -> None:
    from toolkit.cli import add_store_command, group

    sub = group(subparsers, "member", "委员履职档案：委员名单、履职活动、计分与年度档案")

    def command(name: str, help: str, func):
        return add_store_command(sub, name, func, help)

    operator_help = "操作人姓名（数据库建了录入员账号时须是账号姓名），记入审计日志"
    p = command("import", "导入委员名单（xlsx/csv：姓名、界别、所在镇街/委员工作室、职务，可选委员编号）", _import)
    p.add_argument("list", help="委员名单文件")
    p.add_argument("--sectors", help="本会的界别名单（每行一个界别的文本文件，或含界别题的问卷 YAML）；默认用自带名单")
    p.add_argument("--operator", help=operator_help)

    command("list", "列出委员名单", _list)

    p = command("alias", "把记录里的另一种写法（如“陈委员”）对应到名单中的委员", _alias)
    p.add_argument("alias", help="记录里出现的写法")
    p.add_argument("--member", help="名单中的姓名或委员编号")
    p.add_argument("--remove", action="store_true", help="删除这个别称")
    p.add_argument("--operator", help=operator_help)

    from toolkit.member.activity import STAFF_KINDS

    p = command("record", "录入一次履职活动（接待日、协商会、视察等）", _record)
    p.add_argument("--kind", required=True, help="类型：" + "、".join(STAFF_KINDS))
    p.add_argument("--date", required=True, help="日期，如 2026-04-12")
    p.add_argument("--member", required=True, help="参加的委员：姓名或委员编号，几位用逗号分隔")
    p.add_argument("--note", help="说明（可选）")
    p.add_argument("--operator", help=operator_help)

    p = command("void", "作废一条录入的履职活动（保留记录，不再计分）", _void)
    p.add_argument("activity", help="记录编号，如 A12")
    p.add_argument("--reason", help="原因")
    p.add_argument("--operator", help=operator_help)

    p = command("activities", "列出一年的履职活动（录入的、走访记录与收集的答卷、社情民意信息）", _activities)
    p.add_argument("--year", required=True, help="年份，如 2026")
    p.add_argument("--member", help="只看这位委员（姓名或委员编号）")

    p = command("unmatched", "列出记录中未能对应名单的委员姓名（这些记录未计入）", _unmatched)
    p.add_argument("--year", required=True, help="年份，如 2026")

    p = command("archive", "生成年度履职档案：每位委员一份 DOCX、委员履职汇总表、图表", _archive)
    p.add_argument("--year", required=True, help="年份，如 2026")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--rules", help="计分规则 YAML（默认：toolkit/member/rules_example.yaml）")
    p.add_argument("--idle-months", type=int, default=6, help="多少个月没有履职记录就标出（默认 6）")
    p.add_argument("--as-of", help="标出长期未履职时的截止日期（默认：年底，或年内的今天）")
