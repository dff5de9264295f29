"""``weidiaoyan demo``: the whole flow on generated sample data, end to end.

form → generated responses → store → issues and themes of the free-text concerns →
charts, deck and report under ``reports/demo/``. Re-running is safe: sample responses carry
fingerprints, so a second run adds nothing and rewrites the same outputs.
"""

from __future__ import annotations

import time
from pathlib import Path

from toolkit.errors import ToolkitError

PROJECT = Path(__file__).resolve().parents[1]


def bundled_form_path(name: str = "annual_topics") -> Path:
    """A bundled survey: ``surveys/<name>.yaml`` of the project (or of the working directory)."""
    for base in (PROJECT, Path.cwd()):
        path = base / "surveys" / f"{name}.yaml"
        if path.exists():
            return path
    raise ToolkitError(f"找不到示例问卷 surveys/{name}.yaml。修改：在项目根目录下运行本命令。")


def run_demo(out: str | Path = "reports/demo", db: str | Path = "data/demo.db", n: int = 2000, seed: int = 0,
             echo=print) -> dict[str, Path]:
    """Run the demo; return the outputs by name. ``echo`` receives progress lines (Chinese)."""
    import pandas as pd

    from toolkit.brief import build_brief
    from toolkit.forms import load_form
    from toolkit.outputs import write_csv
    from toolkit.sample import generate_responses
    from toolkit.store import open_store
    from toolkit.topics import TopicModel

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    form = load_form(bundled_form_path("annual_topics"))
    store = open_store(db)

    # 1. sample responses → store (idempotent by fingerprint)
    records = generate_responses(form, n, seed=seed)
    have = store.fingerprints(form.id)
    new = []
    for i, rec in enumerate(records):
        fp = f"sample-{seed}-{i}"
        if fp not in have:
            new.append({**{k: v for k, v in rec.items() if k != "truth"}, "fingerprint": fp, "row_number": i + 1})
    with store.transaction() as conn:
        batch = store.create_batch(conn, form, source="sample", filename=f"generate_responses(n={n}, seed={seed})")
        store.add_responses(form, new, source="sample", batch_id=batch, conn=conn)
        store.finish_batch(conn, batch, n_rows=len(records), n_accepted=len(new), n_rejected=0,
                           n_duplicates=len(records) - len(new))
    echo(f"答卷：新写入 {len(new)} 份，已存在 {len(records) - len(new)} 份（数据库 {db}）")

    # 2. issues and themes of the concerns
    responses = store.responses(form.id)
    concern = form.concern_questions()[0].id
    frame = responses[responses[concern].notna()]
    model = TopicModel(themes="auto", random_state=seed)
    model.fit(frame[concern].tolist(), ids=frame["response_id"].tolist(), times=frame["submitted_at"].tolist())
    outputs = {"database": Path(db)}
    for name, table in (("assignments", model.assignments_), ("topics", model.topics_), ("themes", model.themes_)):
        outputs[name] = write_csv(table, out / f"{name}.csv")

    # 3. charts, deck and report
    outputs.update(build_brief(store, form, out, model=model))
    # the count the deck and report show: ranked issues (similar ones merged); 未归类 is not an issue
    n_issues = len(pd.read_csv(outputs["candidates"], encoding="utf-8-sig"))
    echo(f"议题：{n_issues} 个具体议题（未归类的意见不计），归入 {len(model.themes_)} 个领域主题")
    echo(f"用时 {time.perf_counter() - started:.1f} 秒")
    return outputs


def _command(args) -> int:
    outputs = run_demo(out=args.out, db=args.db, n=args.n, seed=args.seed)
    print("输出文件：")
    for name, path in outputs.items():
        print(f"  {name:<14} {path}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="用示例数据跑通全流程：问卷→答卷→数据库→议题→图表、幻灯片和报告")
    p.add_argument("--out", default="reports/demo", help="输出目录（默认 reports/demo）")
    p.add_argument("--db", default="data/demo.db", help="数据库文件（默认 data/demo.db）")
    p.add_argument("-n", type=int, default=2000, help="示例答卷份数（默认 2000）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    p.set_defaults(func=_command)
