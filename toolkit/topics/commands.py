"""``weidiaoyan topics`` — find issues and themes in a column of free-text concerns."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "topics",
        help="议题发现：把自由文本关切聚成具体议题和主题",
        description="把自由文本关切聚成具体议题（issue）和主题（theme），写出 assignments.csv、topics.csv、themes.csv。",
    )
    p.add_argument("input", metavar="INPUT", help="输入：.csv / .xlsx / .xls 文件，或问卷库（.db）")
    p.add_argument(
        "--text-col", required=True, help="文本列名；多列用逗号连接，如 留言主题,留言详情（问卷库时为题目编号）"
    )
    p.add_argument("--id-col", required=True, help="编号列名（问卷库时通常为 response_id）")
    p.add_argument("--time-col", default=None, help="时间列名（可选，用于首次/最近出现时间）")
    p.add_argument("--respondent-col", default=None, help="反映人列名（可选：同一人多次反映只算一人）")
    p.add_argument("--themes", default="auto", help="主题数：正整数或 auto（默认）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0；同输入同种子结果完全一致）")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--form", default=None, help="问卷库中的问卷编号（库中只有一份问卷时可省略）")
    p.add_argument("--jobs", type=int, default=None, help="分词进程数（默认：全部 CPU 核）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument(
        "--stream", action="store_true", help="大数据（几十万条以上）：在抽样上训练，再分块分配全部文本，内存占用低"
    )
    p.add_argument("--sample-size", type=int, default=100_000, help="--stream 时训练抽样的条数（默认 100000）")
    p.add_argument(
        "--filter",
        default=None,
        help="只归纳符合条件的答卷（输入为问卷库时），写法同 crosstab，如 \"${district} == 'donghu'\"",
    )
    p.set_defaults(func=_run)


def _run(args) -> int:
    from pathlib import Path

    from toolkit.outfolder import check_out_dir
    from toolkit.topics import TopicModel, parse_themes
    from toolkit.topics.errors import TopicsError
    from toolkit.topics.io import read_concerns, write_outputs

    check_out_dir(args.out, error=TopicsError)
    themes = parse_themes(args.themes)
    if args.stream and args.filter:
        raise TopicsError("topics.filter_stream")
    if args.stream:
        return _run_stream(args, themes)
    if args.filter:
        from toolkit.messages import Columns
        from toolkit.workflows import filtered_concerns

        columns = Columns(text=args.text_col, id=args.id_col, time=args.time_col, respondent=args.respondent_col)
        data, words = filtered_concerns(args.input, columns, form_id=args.form, filter=args.filter, error=TopicsError)
        print(f"筛选：{words}（{len(data):,} 条）")
    else:
        data = read_concerns(
            args.input, args.text_col, args.id_col, args.time_col, form_id=args.form, respondent_col=args.respondent_col
        )
    if data.attrs.get("note"):
        print(f"提示：{data.attrs['note']}")
    model = TopicModel(themes=themes, random_state=args.seed, n_jobs=args.jobs, progress=not args.quiet)
    model.fit(
        data["text"],
        ids=data["id"],
        times=data["time"] if args.time_col else None,
        respondents=data["respondent"] if args.respondent_col else None,
    )
    replayed = _replay_store_curation(args, model)
    paths = write_outputs(model, args.out)
    n_topics = int((model.topics_["topic_id"] >= 0).sum())
    unassigned = int((model.assignments_["topic_id"] < 0).sum())
    print(f"{len(data)} 条文本 → {n_topics} 个议题、{len(model.themes_)} 个主题；未归类 {unassigned} 条。")
    if replayed:
        print(f"已重放 {replayed} 步人工整理。")
    masked = sum(model.pii_counts_.values())
    if masked:
        print(f"已遮盖个人信息 {masked} 处。")
    print("输出：" + "、".join(str(Path(p)) for p in paths.values()))
    return 0


def _run_stream(args, themes) -> int:
    from toolkit.topics.stream import fit_stream

    model = fit_stream(
        args.input,
        args.text_col,
        args.id_col,
        args.time_col,
        out=args.out,
        sample_size=args.sample_size,
        themes=themes,
        random_state=args.seed,
        n_jobs=args.jobs,
        progress=not args.quiet,
    )
    total = int(model.topics_["n_texts"].sum())
    print(
        f"{total} 条文本（在 {len(model.assignments_)} 条抽样上训练）→ "
        f"{int((model.topics_['topic_id'] >= 0).sum())} 个议题、{len(model.themes_)} 个主题。输出目录：{args.out}"
    )
    return 0


def _replay_store_curation(args, model) -> int:
    """When INPUT is a store, replay the curation logged for this form and question."""
    from toolkit.messages import is_store

    if not is_store(args.input):
        return 0
    from toolkit.store import open_store
    from toolkit.topics.curation import CurationLog

    store = open_store(args.input, create=False)
    try:
        form = args.form or sorted(set(store.form_versions()["form_id"]))[0]
        return CurationLog(store, f"{form}/{args.text_col}").replay(model)
    finally:
        store.close()
