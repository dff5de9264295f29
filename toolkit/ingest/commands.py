"""``weidiaoyan ingest FILE --form … --db …``, ``weidiaoyan form infer EXPORT -o surveys/x.yaml`` and
``weidiaoyan rejected export|resubmit`` (quarantined rows out to a fix workbook and back)."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.store import db_hint

SOURCES = ("auto", "wjx", "tencent", "kobo", "odk", "table")


def _ingest(args) -> int:
    from toolkit.ingest.errors import IngestError
    from toolkit.ingest.pipeline import ingest
    from toolkit.ingest.report import format_report, save_report, to_json
    from toolkit.outfolder import check_out_file, output_file

    out = Path(args.report) if args.report else Path("reports") / f"导入报告_{Path(args.file).stem}.xlsx"
    check_out_file(out, error=IngestError, flag="--report")  # a bad path is refused before anything is written
    report = ingest(
        args.file,
        args.form,
        args.db,
        source=args.source,
        operator=args.operator,
        sheet=args.sheet,
        header_row=args.header_row,
    )
    try:
        with output_file(out, error=IngestError, flag="--report") as tmp:
            save_report(report, tmp)
    except Exception as err:  # the rows are committed: say so, never that nothing was written
        why = err.what if isinstance(err, IngestError) else f"{type(err).__name__}: {err}"
        if report.get("batch_id") is None:
            raise IngestError("ingest.report_not_saved_no_rows", path=out, reason=why) from None
        raise IngestError(
            "ingest.report_not_saved",
            path=out,
            batch=report["batch_id"],
            accepted=report["accepted"],
            rejected=report["rejected"],
            reason=why,
        ) from None
    report["report_path"] = str(out)
    if args.json:
        print(to_json(_masked(report)))
    else:
        print(format_report(report))
        print(f"  报告已保存：{out}")
        if report["rejected"]:
            print(
                f"  改正隔离行：weidiaoyan rejected export --form {args.form} {db_hint(args)}，"
                "改好后用 weidiaoyan rejected resubmit 重新提交"
            )
    return 0


def _masked(report: dict) -> dict:
    """``report`` as printed: answer values, and the messages and examples quoting them, with personal data
    masked (the JSON goes to logs and scripts as readily as the console summary does)."""
    from toolkit.text import mask_pii

    def mask(value):
        return mask_pii(value) if isinstance(value, str) else value

    out = dict(report)
    if "problems" in out:
        out["problems"] = [
            {**p, "value": mask(p.get("value")), "message": mask(p.get("message"))} for p in out["problems"]
        ]
    if "top_reasons" in out:
        out["top_reasons"] = [{**r, "example": mask(r.get("example"))} for r in out["top_reasons"]]
    if "still_rejected" in out:
        out["still_rejected"] = [
            {**r, "reasons": [mask(m) for m in r.get("reasons", [])]} for r in out["still_rejected"]
        ]
    return out


def _infer(args) -> int:
    from toolkit.forms import dump_form
    from toolkit.ingest.errors import IngestError
    from toolkit.ingest.infer import infer_draft
    from toolkit.outfolder import check_out_file, output_file

    if args.output:
        check_out_file(args.output, error=IngestError, suffix=".yaml")
    form, notes = infer_draft(args.export, args.by_code, form_id=args.id, title=args.title, source=args.source)
    # with the YAML on stdout, the notes go to stderr so `> draft.yaml` stays a clean file
    out = sys.stdout if args.output else sys.stderr
    if args.output:
        with output_file(args.output, error=IngestError) as tmp:
            dump_form(form, tmp)
        kinds = {}
        for q in form.questions:
            kinds[q.kind] = kinds.get(q.kind, 0) + 1
        print(
            f"已从 {args.export} 推断出 {len(form.questions)} 道题（{'、'.join(f'{k} {v}' for k, v in kinds.items())}），"
            f"写入 {args.output}。请核对题型、选项顺序、必答与跳题逻辑，再用 weidiaoyan form check 检查。"
        )
    else:
        sys.stdout.write(dump_form(form))
    if notes:
        print("请核对：", file=out)
        for note in notes:
            print(note if note.startswith("  ") else f"- {note}", file=out)
    return 0


def _open_existing(db: str):
    """The store at ``db``; a path that does not exist is an error (opening would create an empty database)."""
    from toolkit.ingest.errors import IngestError
    from toolkit.store import open_store

    if "://" not in db and not Path(db).is_file():
        raise IngestError("db.not_found", db=db)
    return open_store(db)


def _rejected_export(args) -> int:
    from toolkit.forms import load_form
    from toolkit.ingest.errors import IngestError
    from toolkit.ingest.fixes import export_rejected
    from toolkit.outfolder import check_out_file, output_file

    form = load_form(args.form)
    out = Path(args.output) if args.output else Path("reports") / f"待修正_{form.id}.xlsx"
    check_out_file(out, error=IngestError)
    store = _open_existing(args.db)
    try:
        with output_file(out, error=IngestError) as tmp:  # a killed export leaves no half workbook
            summary = export_rejected(store, form, tmp, batch_id=args.batch, show_personal=args.show_personal)
    finally:
        store.close()
    if not summary["rows"]:
        print(
            f"问卷“{form.title}”（{form.id}）没有待处理的隔离行{'（批次 ' + str(args.batch) + '）' if args.batch else ''}。"
            f"已写出空的待修正表：{out}"
        )
        return 0
    print(
        f"已导出 {summary['rows']} 行隔离数据（{summary['entries']} 处问题，导入批次 "
        f"{'、'.join(map(str, summary['batches']))}）到 {out}。"
    )
    print(
        "  "
        + (
            "个人信息未遮盖：用后请删除该文件，不要外传。"
            if not summary["masked"]
            else "需要修正的单元格照原样显示，其余手机号、身份证号已遮盖（不改动则保留原值）。"
        )
    )
    print(
        f"  改正黄色单元格后运行：weidiaoyan rejected resubmit {out} --form {args.form} {db_hint(args)} --operator 姓名"
    )
    return 0


def _rejected_resubmit(args) -> int:
    from toolkit.forms import load_form
    from toolkit.ingest.fixes import resubmit_workbook
    from toolkit.ingest.report import to_json

    form = load_form(args.form)
    store = _open_existing(args.db)
    try:
        summary = resubmit_workbook(store, form, args.file, operator=args.operator, reason=args.reason)
    finally:
        store.close()
    if args.json:
        print(to_json(_masked(summary)))
        return 0
    print(f"重新提交：{args.file}（操作人 {args.operator}）")
    print(
        f"  已重新提交 {len(summary['resubmitted'])} 行，仍不符合（继续隔离，原因已更新）{len(summary['still_rejected'])} 行，"
        f"放弃 {len(summary['dismissed'])} 行，未修改 {summary['unchanged']} 行，此前已处理 {summary['already_done']} 行。"
    )
    for r in summary["still_rejected"][:20]:
        from toolkit.text import mask_pii

        print(f"  - 批次 {r['batch_id']} 表格第{r['sheet_row']}行：" + "；".join(mask_pii(m) for m in r["reasons"]))
    return 0


def register(subparsers) -> None:
    from toolkit.cli import group
    from toolkit.store import add_db_env

    p = subparsers.add_parser("ingest", help="导入问卷星、腾讯问卷、Kobo/ODK 或任意表格的答卷：校验、隔离、去重")
    p.add_argument("file", metavar="FILE", help="导出文件（.xlsx / .xls / .csv）")
    p.add_argument("--form", required=True, help="问卷定义 YAML（如 surveys/annual_topics.yaml）")
    p.add_argument("--db", default="data/toolkit.db", help="数据库文件或地址（默认 data/toolkit.db）")
    add_db_env(p)
    p.add_argument("--source", default="auto", choices=SOURCES, help="数据来源；auto 自动识别（默认）")
    p.add_argument("--sheet", default=None, help="Excel 工作表名（默认第一个有数据的表）")
    p.add_argument(
        "--header-row",
        type=int,
        default=None,
        metavar="N",
        help="表头所在的行号（默认第 1 行；上方有标题行时自动识别）",
    )
    p.add_argument("--operator", default=None, help="操作人（记入导入批次）")
    p.add_argument("--report", default=None, help="报告 .xlsx 的保存路径（默认 reports/导入报告_文件名.xlsx）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出报告（供脚本使用）")
    p.set_defaults(func=_ingest)

    form = group(subparsers, "form", help="问卷：检查、导出、导入")
    q = form.add_parser("infer", help="从导出文件推断问卷草稿（题型、选项、矩阵行、排序项），供人工核对")
    q.add_argument("export", metavar="EXPORT", help="导出文件（问卷星按选项文本、腾讯问卷 CSV 等）")
    q.add_argument(
        "--by-code", default=None, metavar="EXPORT2", help="同一问卷的问卷星“按选项序号”导出，用来确定选项顺序"
    )
    q.add_argument("-o", "--output", default=None, help="写入的 YAML 路径（不给则打印）")
    q.add_argument("--id", default=None, help="问卷编号（默认由文件名生成）")
    q.add_argument("--title", default=None, help="问卷标题")
    q.add_argument("--source", default="auto", choices=SOURCES, help="数据来源；auto 自动识别")
    q.set_defaults(func=_infer)

    rejected = group(subparsers, "rejected", help="隔离行：导出待修正表，改正后重新提交")
    e = rejected.add_parser("export", help="把待处理的隔离行导出为待修正表（.xlsx）：原始值、问题、可编辑的答案区")
    e.add_argument("--form", required=True, help="问卷定义 YAML（导入时用的那份）")
    e.add_argument("--db", default="data/toolkit.db", help="数据库文件或地址（默认 data/toolkit.db）")
    add_db_env(e)
    e.add_argument("--batch", type=int, default=None, help="只导出这个导入批次（默认全部批次）")
    e.add_argument("-o", "--output", default=None, help="待修正表路径（默认 reports/待修正_问卷编号.xlsx）")
    e.add_argument(
        "--show-personal",
        action="store_true",
        help="不遮盖手机号、身份证号等个人信息（默认只有需要修正的单元格照原样显示，其余遮盖）",
    )
    e.set_defaults(func=_rejected_export)
    r = rejected.add_parser("resubmit", help="读回改好的待修正表：逐行校验，合格的写入答卷，仍有问题的继续隔离")
    r.add_argument("file", metavar="FILE", help="weidiaoyan rejected export 生成并改好的 .xlsx")
    r.add_argument("--form", required=True, help="问卷定义 YAML（与导出时相同）")
    r.add_argument("--db", default="data/toolkit.db", help="数据库文件或地址（默认 data/toolkit.db）")
    add_db_env(r)
    r.add_argument("--operator", required=True, help="操作人姓名（记入审计日志）")
    r.add_argument("--reason", default=None, help="修改说明（记入审计日志）")
    r.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果（供脚本使用）")
    r.set_defaults(func=_rejected_resubmit)
