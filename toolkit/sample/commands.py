"""``weidiaoyan sample`` — generate synthetic responses (or bare concerns) into a store or a CSV file."""

from __future__ import annotations

import json


def _answer_cell(value):
    if isinstance(value, list):
        return " ".join(value)  # the shape ingest and validate_answers read back for multiple / ranking
    return value


def _responses_frame(form, records, truth: bool):
    """One row per generated response (the CSV writer masks free text unless --keep-pii)."""
    import pandas as pd

    rows = []
    for r in records:
        row = {"serial": r["serial"], "submitted_at": r["submitted_at"], "operator": r["operator"]}
        for q in form.answer_questions():
            value = r["answers"].get(q.id)
            if q.is_matrix:
                row.update({f"{q.id}/{k.id}": (value or {}).get(k.id) for k in q.rows})
                continue
            row[q.id] = _answer_cell(value)
            if q.other:
                row[f"{q.id}_other"] = r["answers"].get(f"{q.id}_other")
        if truth:
            row.update({f"truth_{k}": v for k, v in r["truth"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _sample(args) -> int:
    from toolkit.outputs import write_csv
    from toolkit.sample import SampleError, generate_concerns, generate_responses

    if args.form is None:
        if not args.csv:
            raise SampleError("sample.csv_missing")
        df = generate_concerns(args.n, seed=args.seed)
        write_csv(df, args.csv, mask=not args.keep_pii)  # the writer masks (toolkit.outputs)
        print(
            f"已生成 {len(df):,} 条意见文本（{df['theme'].nunique()} 个领域、{df['issue'].nunique()} 个具体问题）：{args.csv}"
        )
        return 0

    from toolkit.forms import load_form

    form = load_form(args.form)
    records = generate_responses(form, args.n, seed=args.seed)
    if args.db:
        from toolkit.store import open_store

        store = open_store(args.db)
        try:
            ids = store.add_responses(form, records, source="sample")
        finally:
            store.close()
        print(f"已向 {args.db} 写入 {len(ids):,} 份示例答卷（问卷 {form.id}，种子 {args.seed}）。")
    if args.csv:
        write_csv(_responses_frame(form, records, args.truth), args.csv, mask=not args.keep_pii)
        print(f"已写出 {len(records):,} 份示例答卷：{args.csv}")
    if not args.db and not args.csv:
        print(json.dumps(records[:3], ensure_ascii=False, indent=1, default=str))
        print(f"（共生成 {len(records):,} 份，以上为前 3 份；用 --db 或 --csv 保存。）")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("sample", help="生成示例数据：按问卷生成答卷，或只生成群众意见文本（含标准答案）")
    p.add_argument("--form", metavar="FILE", help="问卷 YAML（如 surveys/annual_topics.yaml）；不给则只生成意见文本")
    p.add_argument("-n", type=int, default=500, help="份数（默认 500）")
    p.add_argument("--seed", type=int, default=0, help="随机种子；相同种子生成相同数据（默认 0）")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--db", metavar="FILE", help="写入数据库（SQLite 文件或数据库地址）")
    out.add_argument("--csv", metavar="FILE", help="写出 CSV（UTF-8，Excel 可直接打开）")
    p.add_argument("--truth", action="store_true", help="CSV 中附上标准答案列（truth_theme、truth_issue …）")
    p.add_argument(
        "--keep-pii",
        action="store_true",
        help="CSV 中保留（虚构的）电话、身份证号、车牌，不打码；默认打码。"
        "要把 CSV 再导入（电话题有格式限制）或测试打码功能时使用",
    )
    p.set_defaults(func=_sample)
