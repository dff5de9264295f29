"""``weidiaoyan crosstab`` (交叉分析) and ``weidiaoyan quality`` (data-quality flags) on a store of responses."""

from __future__ import annotations

import json
from pathlib import Path


def _open(args):
    """(store, form): ``--form`` is a form file (.yaml) or the id of a form kept in the store. A ``-o`` file
    that cannot be written is refused first, before anything is read or computed."""
    from toolkit.analysis import AnalysisError
    from toolkit.forms import load_form
    from toolkit.outfolder import check_out_file
    from toolkit.store import open_store

    if args.output:
        check_out_file(args.output, error=AnalysisError)
    given = str(args.form)
    by_file = given.lower().endswith((".yaml", ".yml")) or Path(given).is_file()
    form = load_form(given) if by_file else None
    store = open_store(args.db, create=False)
    return store, form if form is not None else store.get_form(given)


def _responses(args):
    """(form, its responses in the store), the store closed again."""
    store, form = _open(args)
    try:
        return form, store.responses(form.id)
    finally:
        store.close()


def _crosstab(args) -> int:
    from toolkit.analysis import crosstab, crosstab_sheets, load_targets, rake, write_workbook

    form, frame = _responses(args)
    weights = None
    if args.weights:
        targets = load_targets(args.weights, form)
        weights = rake(frame, form, targets)
    table = crosstab(frame, form, args.rows, args.cols, filter=args.filter, weights=weights, seed=args.seed)
    written = write_workbook(crosstab_sheets(table), args.output) if args.output else None
    if args.json:
        print(
            json.dumps({**table.to_dict(), "written": str(written) if written else None}, ensure_ascii=False, indent=1)
        )
        return 0
    print(_as_text(table))
    if written:
        print(f"已写入 {written}")
    return 0


def _as_text(t) -> str:
    import pandas as pd

    from toolkit.analysis.crosstabs import number_text, percent_text

    lines = [f"交叉分析：{t.rows.label}（行）× {t.cols.label}（列）", *t.notes, ""]
    shown = pd.DataFrame(index=t.counts.index, columns=t.counts.columns, dtype=object)
    for row in t.counts.index:
        for col in t.counts.columns:
            shown.loc[row, col] = f"{t.counts.loc[row, col]:,}（{percent_text(t.col_percent.loc[row, col])}）"
    shown["合计"] = [f"{n:,}（{percent_text(100 * n / t.n)}）" for n in t.row_base]
    shown.loc["基数（人）"] = [*(f"{n:,}" for n in t.col_base), f"{t.n:,}"]
    lines += ["人数（列百分比）：", shown.to_string(), ""]
    if t.weighted is not None:
        w = t.weighted
        beside = pd.DataFrame(index=t.counts.index, columns=t.counts.columns, dtype=object)
        for row in t.counts.index:
            for col in t.counts.columns:
                beside.loc[row, col] = (
                    f"{percent_text(t.col_percent.loc[row, col])} → {percent_text(w.col_percent.loc[row, col])}"
                    f" ±{number_text(w.col_moe.loc[row, col])}"
                )
        lines += [
            f"加权列百分比（未加权 → 加权 ±误差范围；{w.respondents:,} 人加权，有效样本量 {w.n_eff:,.1f}）：",
            beside.to_string(),
            "",
        ]
    if t.test is not None:
        lines.append(f"检验：{t.test.method or '未检验'}——{t.test.reading}")
    for test in t.tests if t.test is None else []:
        lines.append(f"检验 “{test.option}”：{test.method or '未检验'}——{test.reading}")
    lines += [f"注意：{w}" for w in t.warnings]
    return "\n".join(lines)


def _quality(args) -> int:
    from toolkit.analysis import quality_flags, quality_sheets, quality_summary, write_workbook

    store, form = _open(args)
    try:
        responses = store.counts(form.id).get("responses", 0)
        flags = quality_flags(store, form.id, form=form)
    finally:
        store.close()
    summary = quality_summary(flags, responses)
    written = write_workbook(quality_sheets(flags, responses), args.output) if args.output else None
    if args.json:
        out = {
            "form": form.id,
            "responses": responses,
            "summary": {
                r.flag: {"label": r.label, "computed": r.computed, "responses": r.responses, "percent": r.percent}
                | ({} if r.computed else {"why": r.why})
                for r in summary.itertuples()
            },
            "flags": flags.to_dict("records"),
            "written": str(written) if written else None,
        }
        print(json.dumps(out, ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"问卷 {form.id}（{form.title}）：{responses:,} 份答卷；标记只供复核，不删除任何答卷。")
    for r in summary.itertuples():
        print(
            f"  {r.label}：{r.responses:,} 份（{r.percent:.1f}%）" if r.computed else f"  {r.label}：未计算（{r.why}）"
        )
    for r in flags.head(args.show).itertuples():
        print(f"  答卷 {r.response_id}｜{r.label}｜{r.reason}")
    if len(flags) > args.show:
        print(f"  ……共 {len(flags):,} 条标记，其余见 -o 导出的工作簿")
    if written:
        print(f"已写入 {written}")
    return 0


def _compare_waves(args) -> int:
    from toolkit.analysis import compare_waves, waves_sheets, write_workbook
    from toolkit.analysis.waves import people_table

    form, frame = _responses(args)
    result = compare_waves(
        frame, form, args.question, baseline=args.baseline, followup=args.followup, by=args.by, option=args.option
    )
    written = write_workbook(waves_sheets(result), args.output) if args.output else None
    if args.json:
        out = {**result.to_dict(), "written": str(written) if written else None}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    import pandas as pd

    print(f"前后对比：{result.label}——{result.measure_label}")
    print(*result.notes[:2], sep="\n")
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(people_table(result).drop(columns=["检验方法", "结论"]).to_string(index=False))
    print(f"合计：{result.reading}")
    for row in result.rows.drop_duplicates("group").itertuples():
        if row.group != "合计" and row.p_value is not None and row.p_value < 0.05:
            print(f"  {row.group}：{row.reading}")
    print(f"检验：{'、'.join(sorted({m for m in result.rows['method'] if m})) or '未检验'}")
    for w in result.warnings:
        print(f"注意：{w}")
    if written:
        print(f"已写入 {written}")
    return 0


def register(subparsers) -> None:
    from toolkit.cli import add_store_command

    def add(name, func, help, description):
        p = add_store_command(subparsers, name, func, help, description)
        p.add_argument("--form", required=True, help="问卷定义文件（.yaml），或数据库中的问卷编号")
        return p

    def outputs(p, workbook: str, json: str):
        p.add_argument("-o", "--output", help=f"导出 Excel 工作簿（{workbook}）")
        p.add_argument("--json", action="store_true", help=f"以 JSON 输出{json}")

    p = add(
        "crosstab",
        _crosstab,
        "交叉分析：两道题的人数、行/列百分比、显著性检验（卡方或精确检验）和小基数提示",
        "任意两道题交叉分析（单选、多选、矩阵量表的一行、数字分组、日期按月、镇街/界别等角色题）。"
        "多选题以回答该题的人数为基数，各项百分比之和可超过 100%，并逐项检验。可用 --filter 只分析部分答卷，"
        "用 --weights 按总体占比加权（加权结果与未加权结果并列）。",
    )
    p.add_argument("--rows", required=True, help="行：题目编号；矩阵量表写“题目编号/行编号”，如 services/medical")
    p.add_argument("--cols", required=True, help="列：题目编号，如 district")
    p.add_argument(
        "--filter", help="筛选条件，问卷的表达式写法，如 \"${district} == 'donghu' and ${age_band} != 'under18'\""
    )
    p.add_argument(
        "--weights", help="加权目标文件（.yaml，各变量的总体占比），示例见 toolkit/analysis/weights_example.yaml"
    )
    outputs(p, "人数、列百分比、行百分比、说明", "人数、百分比、检验方法、p_value、基数和提示")
    p.add_argument("--seed", type=int, default=0, help="蒙特卡洛检验的随机种子（默认 0；只在期望频数偏小时使用）")

    q = add(
        "quality",
        _quality,
        "数据质量标记：答题过快、1 秒内提交、矩阵题全选同一项、同一 IP/设备重复作答、双录差异未裁定",
        "逐份答卷计算数据质量标记并说明原因；只做标记，不删除任何答卷。用时、IP 和设备取自平台导出的原始列"
        "（问卷星“所用时间”“来自IP”，腾讯问卷“答题时长”“IP”）。",
    )
    outputs(q, "汇总、标记明细", "汇总和每条标记")
    q.add_argument("--show", type=int, default=20, help="屏幕上列出前 N 条标记（默认 20）")

    w = add(
        "compare-waves",
        _compare_waves,
        "跟踪问效：同一道题在基线和跟踪两轮调查之间的变化（分镇街和合计，含 N、变化、显著性检验）",
        "用两个筛选条件分出基线和跟踪两轮答卷（按提交时间或轮次题），比较一道题：量表题比平均分"
        "（Mann-Whitney 检验），数字题比平均数（Mann-Whitney），单选题比各选项比例（卡方检验），"
        "--option 比选某（几）项的比例（两比例 z 检验）。--by 按镇街等分组，每组和合计都给出两轮人数、变化、p 值和结论，"
        "人数少于 30 时提示。",
    )
    w.add_argument(
        "--question", required=True, help="要比较的题目编号；矩阵量表写“题目编号/行编号”，如 services/transport"
    )
    w.add_argument("--baseline", required=True, help="基线一轮的条件，如 \"${submitted_at} < '2026-06-01'\"")
    w.add_argument("--followup", required=True, help="跟踪一轮的条件，如 \"${submitted_at} >= '2026-06-01'\"")
    w.add_argument("--by", help="分组题（单选题），如 district（镇街）")
    w.add_argument("--option", help='只比较选这些选项的比例（选项编号，几个用空格或逗号分隔），如 "4 5" 即满意率')
    outputs(w, "前后对比、说明", "每组的人数、两轮数值、变化、检验方法、p_value 和结论")
