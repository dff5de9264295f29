"""``weidiaoyan opinion …`` — draft 社情民意信息, track them and the 协商意见, list what is overdue, show the
residents' letters behind each."""

from __future__ import annotations

import json
from pathlib import Path


def _store(args, create: bool = False):
    """The store of ``--db``; only a draft may create it (elsewhere a new file is a mistyped path)."""
    from toolkit.store import open_store

    return open_store(args.db, create=create)


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


def _draft(args) -> int:
    import sys

    from toolkit.opinion import draft_report
    from toolkit.opinion.activities import not_in_register

    store = _store(args, create=True)
    result = draft_report(
        store,
        args.rank_dir,
        args.rank,
        out=args.out,
        member=args.member,
        unit=args.unit,
        title=args.title,
        blank_draft=args.blank,
        date=args.date,
        operator=args.operator,
    )
    if result.over:
        print(f"提示：正文 {result.chars:,} 字，超过 {result.limit:,} 字（一事一报），请委员压缩后再报送。")
    unknown = not_in_register(store, args.member) if args.member else []
    for name in unknown:
        print(
            f"注意：反映人“{name}”不在委员名单中（weidiaoyan member list 查看名单）；已照常起草，"
            "履职档案会把它列为未匹配，核对姓名或用 weidiaoyan member alias 设别称",
            file=sys.stderr,
        )
    if args.json:
        _print_json({**result.to_dict(), "not_in_register": unknown})
        return 0
    print(f"已起草 社情民意信息 #{result.id}：{result.text.title}")
    seeded = "" if args.blank else "；“存在问题”“意见建议”取自群众原话，标有【待委员改写】"
    print(f"  正文 {result.chars:,} 字{seeded}。")
    print(f"已写入 {result.docx}")
    print(f"下一步：weidiaoyan opinion track {result.id} --to 报送 --date 日期 {_db(args)}")
    return 0


def _db(args) -> str:
    from toolkit.store import db_hint

    return db_hint(args)


def _track(args) -> int:
    from toolkit.opinion import track
    from toolkit.opinion.records import item_name

    store = _store(args)
    step = track(
        store,
        args.id,
        args.to,
        args.date,
        by=args.by,
        note=args.note,
        deadline=args.deadline,
        answer=args.answer,
        operator=args.operator,
    )
    if args.json:
        _print_json(step)
        return 0
    from toolkit.opinion import item

    row = item(store, args.id)
    extra = "".join(
        f"，{label}{step[key]}"
        for key, label in (("actor", ""), ("deadline", "期限 "), ("answer", "答复类别 "))
        if step[key]
    )
    print(f"已登记 {item_name(row['kind'], row['id'])} 第 {step['seq']} 步：{step['state']} {step['date']}{extra}")
    return 0


def _list(args) -> int:
    from toolkit.opinion import items
    from toolkit.opinion.states import check_state, parse_date

    today = parse_date(args.today, "--today") if args.today else None
    frame = items(_store(args), today_is=today)
    if args.state:
        frame = frame[frame["state"] == check_state(args.state, "--state")]
    if args.overdue:
        frame = frame[frame["overdue"]]
    if args.year:
        frame = frame[frame["drafted"].fillna("").str.startswith(f"{args.year}-")]
    if args.json:
        _print_json(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        return 0
    if frame.empty:
        print("没有符合条件的社情民意信息或协商意见。")
        return 0
    for row in frame.to_dict("records"):
        parts = [f"{row['name']:<12}", f"{row['state'] or '':<4}", row["state_date"] or ""]
        for key, label in (("member", "反映人"), ("deadline", "期限"), ("answer", "答复"), ("follow_up", "问效")):
            if row[key] and row[key] == row[key]:
                parts.append(f"{label} {row[key]}")
        print("  ".join(parts) + f"  {row['title']}")
        if row["overdue"]:
            print(f"    ⚠ 逾期：{row['overdue_reason']}")
    n_over = int(frame["overdue"].sum())
    print(f"共 {len(frame)} 条" + (f"，其中逾期 {n_over} 条" if n_over else "") + "。")
    return 0


def _show(args) -> int:
    from toolkit.opinion import item
    from toolkit.opinion.records import standing as standing_of
    from toolkit.opinion.records import today
    from toolkit.opinion.states import ANSWERS

    row = item(_store(args), args.id)
    standing = standing_of(row["steps"], today())
    if args.json:
        _print_json({**row, "standing": standing})
        return 0
    print(f"{row['name']}：{row['title']}")
    for label, value in (
        ("反映人", row.get("member")),
        ("报送单位", row.get("unit")),
        ("承办单位", row.get("department")),
        ("协商选题", f"#{row['topic_id']}" if row.get("topic_id") else None),
        ("议题", row.get("issue_label")),
        ("依据", f"{len(row.get('message_ids') or [])} 条群众留言（weidiaoyan opinion evidence {row['id']}）"),
        ("文件", row.get("document")),
        ("当前状态", row["state"]),
    ):
        if value:
            print(f"  {label}：{value}")
    if standing.get("overdue"):
        print(f"  ⚠ 逾期：{standing['overdue_reason']}")
    print("  跟踪记录：")
    for step in row["steps"]:
        bits = [f"    {step['seq']}. {step['date']} {step['state']}"]
        if step["actor"]:
            bits.append(step["actor"])
        if step["answer"]:
            bits.append(f"答复类别 {step['answer']}（{ANSWERS[step['answer']]}）")
        if step["deadline"]:
            bits.append(f"期限 {step['deadline']}")
        if step["note"]:
            bits.append(f"备注：{step['note']}")
        bits.append(f"（{step['operator'] or '未署名'} 登记于 {step['recorded_at']}）")
        print("  ".join(bits))
    return 0


def _evidence(args) -> int:
    from toolkit.opinion import evidence_table, item, write_evidence

    store = _store(args)
    row = item(store, args.id)
    if args.output:
        from toolkit.opinion import OpinionError
        from toolkit.outfolder import check_out_file

        check_out_file(args.output, error=OpinionError)
        path = write_evidence(store, args.id, args.output)
        print(f"{row['name']} 依据的群众留言已写入 {path}（个人信息已打码）")
        return 0
    table = evidence_table(store, args.id)
    if args.json:
        _print_json(table.astype(object).where(table.notna(), None).to_dict("records"))
        return 0
    print(f"{row['name']}：{row['title']}——依据 {len(table)} 条群众留言（个人信息已打码）")
    for rec in table.to_dict("records"):
        where = "，".join(str(rec[k]) for k in ("镇街", "界别") if rec[k] and rec[k] == rec[k])
        print(f"  [{rec['留言编号']}] {rec['时间'] or ''} {where}")
        print(f"      {rec['留言内容']}")
    return 0


def _report(args) -> int:
    from toolkit.opinion import OpinionError, write_year_report, year_report
    from toolkit.outfolder import check_out_dir

    check_out_dir(args.out, error=OpinionError)  # before anything is read
    report = year_report(_store(args), args.year, today_is=args.today)
    written = write_year_report(report, args.out)
    if args.json:
        _print_json({**report.to_dict(), "written": {k: str(v) for k, v in written.items()}})
        return 0
    rate = "—" if report.adoption_rate is None else f"{report.adoption_rate:.1f}%"
    print(f"{report.year} 年社情民意信息与协商意见：登记 {len(report.register)} 条，报送 {report.submitted} 条，")
    print(
        f"  采用 {report.adopted} 条（采用率 {rate}），获批示 {report.instructed} 条（批示 {report.instructions} 次），"
    )
    print(f"  办结 {report.closed} 条；逾期 {len(report.overdue)} 条。")
    if report.days:
        print(
            f"  报送至答复：中位数 {report.median_days:g} 天，最长 {report.max_days} 天（{len(report.days)} 条已答复）。"
        )
    for row in report.overdue.to_dict("records"):
        print(f"  ⚠ 逾期 {row['编号']}：{row['逾期原因']}（{row['承办单位'] or '承办单位未登记'}）")
    print(f"已写入 {written['workbook']} 和 {Path(args.out) / 'charts'}（办理环节、按议题两张图）")
    return 0


# ---- 协商选题 -------------------------------------------------------------------------------------------
def _topic_add(args) -> int:
    from toolkit.opinion import choose_topic, topics

    store = _store(args)
    topic_id = choose_topic(store, args.rank_dir, args.rank, year=args.year, title=args.title, operator=args.operator)
    row = topics(store).set_index("id").loc[topic_id]
    if args.json:
        _print_json({"id": topic_id, "title": row["title"], "year": int(row["year"])})
        return 0
    print(f"已登记 {row['year']} 年度协商选题 #{topic_id}：{row['title']}（依据 {row['n_messages']} 条群众留言）")
    print(f"下一步：weidiaoyan opinion topic meeting {topic_id} --date 协商会日期 {_db(args)}")
    return 0


def _topic_meeting(args) -> int:
    from toolkit.opinion import set_meeting

    values = set_meeting(_store(args), args.topic, args.date, note=args.note, operator=args.operator)
    print(f"已登记协商选题 #{args.topic} 的协商会：{values['meeting_date']}" + (f"，{args.note}" if args.note else ""))
    return 0


def _topic_proposal(args) -> int:
    from toolkit.opinion import add_proposal

    item_id = add_proposal(
        _store(args),
        args.topic,
        args.title,
        text=args.text,
        department=args.department,
        date=args.date,
        operator=args.operator,
    )
    if args.json:
        _print_json({"id": item_id})
        return 0
    print(f"已登记 协商意见 #{item_id}：{args.title}")
    print(f"下一步：weidiaoyan opinion track {item_id} --to 报送 --date 日期 {_db(args)}")
    return 0


def _topic_list(args) -> int:
    from toolkit.opinion import items, topics

    store = _store(args)
    frame = topics(store)
    if args.year:
        frame = frame[frame["year"] == int(args.year)]
    listed = items(store)
    if args.json:
        out = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for rec in out:
            own = listed[listed["topic_id"] == rec["id"]]
            rec["proposals"] = own[["id", "title", "state", "department", "deadline", "answer"]].to_dict("records")
        _print_json(out)
        return 0
    if frame.empty:
        print("还没有登记协商选题。")
        return 0
    for rec in frame.to_dict("records"):
        meeting = f"协商会 {rec['meeting_date']}" if rec["meeting_date"] else "协商会未登记"
        print(f"#{rec['id']} {rec['year']} 年度：{rec['title']}（{meeting}，依据 {rec['n_messages']} 条留言）")
        for p in listed[listed["topic_id"] == rec["id"]].to_dict("records"):
            dept = f"，{p['department']}" if p["department"] else ""
            print(f"    协商意见 #{p['id']} {p['state']}{dept}：{p['title']}")
    return 0


def register(subparsers) -> None:
    from toolkit.cli import add_store_command, group

    opinion = group(subparsers, "opinion", "社情民意信息与协商成果：起草、跟踪（报送到办结）、逾期提醒、依据留言")

    def add(name, func, help, description=None, *, parent=opinion):
        return add_store_command(parent, name, func, help, description)

    def last(p, json: str | None = "以 JSON 打印", operator: bool = True):
        """The options every command ends with: ``--json`` (printing ``json``), ``--operator`` (who records)."""
        if json:
            p.add_argument("--json", action="store_true", help=json)
        if operator:
            p.add_argument("--operator", help="登记人（数据库建了录入员账号时须是账号姓名，记入审计日志）")

    p = add(
        "draft",
        _draft,
        "从选题候选起草一篇社情民意信息（DOCX），登记入库",
        "取 weidiaoyan rank --out 结果文件夹中第 N 名候选及其留言，写出社情民意信息 DOCX（标题、基本情况、"
        "存在问题、意见建议、反映人），登记入库并记下所依据的留言；--blank 起草空白稿。",
    )
    p.add_argument("rank_dir", nargs="?", help="weidiaoyan rank 的 --out 结果文件夹")
    p.add_argument("--rank", type=int, help="候选名次（1 = 第一名）")
    p.add_argument("--out", required=True, help="DOCX 写入的文件夹（文件名 社情民意信息_编号.docx）")
    p.add_argument("--member", help="反映人（委员姓名；几位用、分隔）")
    p.add_argument("--unit", help="报送单位")
    p.add_argument("--title", help="标题（默认由议题生成：关于……的建议）")
    p.add_argument("--blank", action="store_true", help="起草空白稿（须给 --title）")
    p.add_argument("--date", help="起草日期（默认今天）")
    last(p, '打印 {"id", "docx", "chars"}')

    p = add(
        "track",
        _track,
        "登记一步跟踪：报送、采用、批示、交办、答复、反馈、办结或问效",
        "按 起草 → 报送 → 采用 → 批示 → 交办 → 答复 → 反馈 → 办结 的顺序登记（采用、批示可跳过，批示可有多次；"
        "答复须给 --answer A/B/C）；答复以后可随时登记“问效”（跟踪问效）。顺序、日期不对时拒绝，不写入任何内容。",
    )
    p.add_argument("id", help="社情民意信息或协商意见的编号")
    p.add_argument("--to", required=True, help="登记到的状态：报送、采用、批示、交办、答复、反馈、办结、问效")
    p.add_argument("--date", required=True, help="这一步发生的日期，如 2026-05-08")
    p.add_argument("--by", help="单位或领导（报送给谁、谁批示、交办给哪个部门、谁答复）")
    p.add_argument("--note", help="备注")
    p.add_argument("--deadline", help="交办：办理期限；答复及以后：下次跟踪问效的日期")
    p.add_argument("--answer", help="答复类别：A 已解决、B 列入计划、C 留作参考")
    last(p, "打印登记的这一步")

    p = add("list", _list, "列出社情民意信息和协商意见及其状态、期限、逾期情况")
    p.add_argument("--state", help="只列出这个状态的")
    p.add_argument("--overdue", action="store_true", help="只列出逾期的：交办超过期限仍未答复，或跟踪问效到期")
    p.add_argument("--year", type=int, help="只列出这一年起草的")
    p.add_argument("--today", help="按这一天判断逾期（默认今天）")
    last(p, operator=False)

    p = add("show", _show, "查看一条社情民意信息或协商意见及其全部跟踪记录")
    p.add_argument("id", help="编号")
    last(p, operator=False)

    p = add("evidence", _evidence, "列出一条社情民意信息或协商意见所依据的群众留言（已打码）")
    p.add_argument("id", help="编号")
    p.add_argument("-o", "--output", help="写成 Excel 文件（.xlsx）")
    last(p, operator=False)

    p = add(
        "report",
        _report,
        "年度报告：报送登记表（Excel）、按状态/委员/界别/议题统计、采用率、批示数、办理天数、逾期清单和两张图",
        "一年的社情民意信息与协商意见（按报送日期计入年度，未报送的按起草日期）：写出 社情民意年度报告_年度.xlsx"
        "（报送登记表、汇总、按状态、办理环节、按委员、按界别、按议题、逾期清单、办理天数）和 charts/ 下的两张图"
        "（报送 → 采用 → 批示 → 办结、按议题）。界别取自委员名单（weidiaoyan member import）。",
    )
    p.add_argument("--year", required=True, help="年度，如 2026")
    p.add_argument("--out", required=True, help="结果文件夹")
    p.add_argument("--today", help="按这一天判断逾期（默认今天）")
    last(p, "以 JSON 打印各项统计和写出的文件", operator=False)

    topic = opinion.add_parser("topic", help="年度协商选题：登记选题、协商会和协商意见")
    topic.set_defaults(func=lambda args, p=topic: p.print_help() or 2)
    sub = topic.add_subparsers(title="子命令", metavar="<子命令>")

    p = add("add", _topic_add, "把 rank 结果中的一个候选登记为年度协商选题", parent=sub)
    p.add_argument("rank_dir", help="weidiaoyan rank 的 --out 结果文件夹")
    p.add_argument("--rank", type=int, required=True, help="候选名次（1 = 第一名）")
    p.add_argument("--year", required=True, help="年度，如 2026")
    p.add_argument("--title", help="选题名称（默认由议题生成）")
    last(p)

    p = add("meeting", _topic_meeting, "登记协商选题的协商会（日期、地点与参加人等）", parent=sub)
    p.add_argument("topic", help="协商选题编号")
    p.add_argument("--date", required=True, help="协商会日期")
    p.add_argument("--note", help="地点、参加单位等")
    last(p, json=None)

    p = add("proposal", _topic_proposal, "登记协商会形成的一条协商意见（之后用 opinion track 跟踪）", parent=sub)
    p.add_argument("topic", help="协商选题编号")
    p.add_argument("--title", required=True, help="协商意见（一句话）")
    p.add_argument("--text", help="协商意见全文")
    p.add_argument("--department", help="承办单位")
    p.add_argument("--date", help="日期（默认协商会日期）")
    last(p)

    p = add("list", _topic_list, "列出协商选题及其协商意见的办理状态", parent=sub)
    p.add_argument("--year", type=int, help="只列出这一年的")
    last(p, operator=False)
