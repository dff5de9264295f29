"""``weidiaoyan brief`` — charts, deck, report and candidate list from a store of responses."""

from __future__ import annotations


def _brief(args) -> int:
    import time

    from toolkit.agenda import load_keywords
    from toolkit.brief import BriefError, font_report
    from toolkit.forms import load_form
    from toolkit.outfolder import check_out_dir
    from toolkit.store import open_store
    from toolkit.workflows import build_brief

    check_out_dir(args.out, error=BriefError)  # before the store is opened and anything is computed
    start = time.perf_counter()
    form = load_form(args.form)
    if args.filter:  # a refused filter is said before the store is opened
        from toolkit.analysis import filter_in_words

        print(f"筛选：{filter_in_words(form, args.filter)}")
    store = open_store(args.db, create=False)
    keywords = load_keywords(args.keywords) if args.keywords else None
    outputs = build_brief(
        store, form, args.out, keywords=keywords, top=args.top, random_state=args.seed, filter=args.filter
    )
    print(font_report())
    for path in outputs.values():
        print(f"已写入 {path}")
    print(f"用时 {time.perf_counter() - start:.1f} 秒。")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "brief",
        help="生成简报：图表（PNG/SVG/PDF+CSV）、16:9 演示文稿、调研报告和选题候选清单",
        description="从数据库读取问卷答卷，归并意见为议题并排序选题，生成 charts/、简报.pptx、调研报告.docx、"
        "candidates.csv、选题候选清单.docx 和 分类统计.xlsx（每题一张表）。个人信息在导出前已遮蔽。问卷没有意见建议题时只生成图表、演示文稿和报告，"
        "并注明未做议题归纳。",
    )
    p.add_argument("--db", required=True, help="数据库（SQLite 文件路径或数据库 URL）")
    p.add_argument("--form", required=True, help="问卷定义文件（.yaml）")
    p.add_argument("--out", required=True, help="输出目录，如 reports/2026年度选题/")
    p.add_argument("--keywords", help="党政中心工作关键词：逗号分隔，或每行一个词的文本文件（缺省用示例词表）")
    p.add_argument("--top", type=int, default=10, help="选题候选列出前 N 名（默认 10）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    p.add_argument(
        "--filter",
        help="只分析符合条件的答卷，条件用问卷的表达式写，如 \"${district} == 'donghu'\"；"
        "每张图的副标题和报告都会写明筛选条件",
    )
    p.set_defaults(func=_brief)
