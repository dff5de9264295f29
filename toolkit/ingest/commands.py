"""``weidiaoyan ingest FILE --form … --db …`` and ``weidiaoyan form infer EXPORT -o surveys/x.yaml``."""

from __future__ import annotations

import sys
from pathlib import Path

SOURCES = ("auto", "wjx", "tencent", "kobo", "odk", "table")


def _ingest(args) -> int:
    from toolkit.ingest.pipeline import ingest
    from toolkit.ingest.report import format_report, save_report, to_json

    report = ingest(args.file, args.form, args.db, source=args.source, operator=args.operator, sheet=args.sheet)
    out = Path(args.report) if args.report else Path("reports") / f"导入报告_{Path(args.file).stem}.xlsx"
    save_report(report, out)
    report["report_path"] = str(out)
    if args.json:
        print(to_json(report))
    else:
        print(format_report(report))
        print(f"  报告已保存：{out}")
    return 0


def _infer(args) -> int:
    from toolkit.forms import dump_form
    from toolkit.ingest.infer import infer_form

    form = infer_form(args.export, args.by_code, form_id=args.id, title=args.title, source=args.source)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        dump_form(form, args.output)
        kinds = {}
        for q in form.questions:
            kinds[q.kind] = kinds.get(q.kind, 0) + 1
        print(f"已从 {args.export} 推断出 {len(form.questions)} 道题（{'、'.join(f'{k} {v}' for k, v in kinds.items())}），"
              f"写入 {args.output}。请核对题型、选项顺序、必答与跳题逻辑，再用 weidiaoyan form check 检查。")
    else:
        sys.stdout.write(dump_form(form))
    return 0


def register(subparsers) -> None:
    from toolkit.cli import group

    p = subparsers.add_parser("ingest", help="导入问卷星、腾讯问卷、Kobo/ODK 或任意表格的答卷：校验、隔离、去重")
    p.add_argument("file", metavar="FILE", help="导出文件（.xlsx / .xls / .csv）")
    p.add_argument("--form", required=True, help="问卷定义 YAML（如 surveys/annual_topics.yaml）")
    p.add_argument("--db", default="data/toolkit.db", help="数据库文件或地址（默认 data/toolkit.db）")
    p.add_argument("--source", default="auto", choices=SOURCES, help="数据来源；auto 自动识别（默认）")
    p.add_argument("--sheet", default=None, help="Excel 工作表名（默认第一个有数据的表）")
    p.add_argument("--operator", default=None, help="操作人（记入导入批次）")
    p.add_argument("--report", default=None, help="报告 .xlsx 的保存路径（默认 reports/导入报告_文件名.xlsx）")
    p.add_argument("--json", action="store_true", help="以一个 JSON 对象输出报告（供脚本使用）")
    p.set_defaults(func=_ingest)

    form = group(subparsers, "form", help="问卷：检查、导出、导入")
    q = form.add_parser("infer", help="从导出文件推断问卷草稿（题型、选项、矩阵行、排序项），供人工核对")
    q.add_argument("export", metavar="EXPORT", help="导出文件（问卷星按选项文本、腾讯问卷 CSV 等）")
    q.add_argument("--by-code", default=None, metavar="EXPORT2", help="同一问卷的问卷星“按选项序号”导出，用来确定选项顺序")
    q.add_argument("-o", "--output", default=None, help="写入的 YAML 路径（不给则打印）")
    q.add_argument("--id", default=None, help="问卷编号（默认由文件名生成）")
    q.add_argument("--title", default=None, help="问卷标题")
    q.add_argument("--source", default="auto", choices=SOURCES, help="数据来源；auto 自动识别")
    q.set_defaults(func=_infer)
