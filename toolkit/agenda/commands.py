"""``weidiaoyan rank`` — rank the issues in a table of messages as 选题 candidates."""

from __future__ import annotations


def _weights(text: str | None) -> dict | None:
    """ "volume=0.4,intensity=0.3" -> dict (validated by the ranker)."""
    if not text:
        return None
    from toolkit.agenda.errors import AgendaError

    out = {}
    for part in text.replace("，", ",").split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise AgendaError("agenda.weights_syntax", part=part)
        out[name.strip()] = value.strip()
    return out


def _rank(args) -> int:
    import time

    from toolkit.agenda import AgendaError
    from toolkit.outfolder import check_out_dir
    from toolkit.workflows import rank_file

    check_out_dir(args.out, error=AgendaError)
    start = time.perf_counter()
    run = rank_file(
        args.input,
        text_col=args.text_col,
        id_col=args.id_col,
        time_col=args.time_col,
        likes_col=args.likes_col,
        dislikes_col=args.dislikes_col,
        respondent_col=args.respondent_col,
        sector_col=args.sector_col,
        district_col=args.district_col,
        themes=args.themes,
        issues=args.issues,
        top=args.top,
        keywords=args.keywords,
        weights=_weights(args.weights),
        out=args.out,
        random_state=args.seed,
        progress=not args.quiet,
        form_id=args.form,
        filter=args.filter,
    )
    total = time.perf_counter() - start
    if run.note:
        print(f"提示：{run.note}")
    print(f"热点问题（前 {len(run.hot)} 名）：")
    for row in run.hot.itertuples(index=False):
        print(
            f"  {row.热度排名:>2}. [问题ID {row.问题ID}] 热度 {row.热度指数:5.1f}  {row.议题标签}｜{row.时间范围}｜{row.问题描述}"
        )
    print(
        "权重："
        + "、".join(f"{k}={v:.2f}" for k, v in run.settings["weights_used"].items())
        + (
            f"（无数据未计入：{'、'.join(run.settings['factors_without_data'])}）"
            if run.settings["factors_without_data"]
            else ""
        )
    )
    for path in run.paths.values():
        print(f"已写入 {path}")
    steps = "，".join(f"{k} {v:.1f} 秒" for k, v in run.seconds.items())
    print(f"用时 {total:.1f} 秒（{steps}）。")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rank",
        help="把留言归并为议题并按热度排序，输出选题候选与热点问题表",
        description="读取留言表（xlsx/csv）或问卷库，归并议题，按规模、广度、时效、增势、强度、契合、具体七个因素打分排序；"
        "写出 candidates.csv、热点问题表.xlsx、热点问题留言明细表.xlsx、选题候选清单.docx 和 weights.json。",
    )
    p.add_argument(
        "input",
        help="留言表文件（.xlsx / .xls / .csv），或问卷库（.db 文件或数据库地址；此时 --text-col 为题目编号，"
        "--id-col response_id，--time-col submitted_at）",
    )
    p.add_argument("--form", default=None, help="问卷库中的问卷编号（库中只有一份问卷时可省略）")
    p.add_argument(
        "--filter",
        default=None,
        help="输入是问卷库时，只排序符合条件的答卷，如 \"${district} == 'donghu'\"（问卷的表达式，题目编号与选项编号）",
    )
    p.add_argument("--text-col", required=True, help="文本列名；多列用逗号连接，如 留言主题,留言详情")
    p.add_argument("--id-col", required=True, help="留言编号列（唯一）")
    p.add_argument("--time-col", required=True, help="留言时间列")
    p.add_argument("--likes-col", help="点赞数列（可选）")
    p.add_argument("--dislikes-col", help="反对数列（可选）")
    p.add_argument("--respondent-col", help="留言人列（可选；缺省时自动识别 留言用户/用户 等列）")
    p.add_argument("--sector-col", help="界别列（可选，用于广度）")
    p.add_argument("--district-col", help="镇街列（可选，用于广度）")
    p.add_argument("--themes", default="auto", help="主题数：正整数或 auto（默认）")
    p.add_argument(
        "--issues",
        default="auto",
        type=lambda v: v if v == "auto" else int(v),
        help="议题数：正整数或 auto（默认：由留言内容决定，同一件事、同一地点归为一个议题）",
    )
    p.add_argument("--top", type=int, default=10, help="热点问题表列出的前 N 名（默认 10）")
    p.add_argument("--keywords", help="党政中心工作关键词：逗号分隔，或每行一个词的文本文件")
    p.add_argument("--weights", help="因素权重，如 volume=0.4,intensity=0.3（未给出的用默认值）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0；相同输入与种子得到相同结果）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--out", required=True, help="输出目录")
    p.set_defaults(func=_rank)
