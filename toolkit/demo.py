"""``weidiaoyan demo``: the whole flow on generated sample data, end to end.

form → generated responses → store → issues and themes of the free-text concerns →
charts, deck and report under ``reports/demo/``. The run itself is ``toolkit.workflows.run_demo``
(also ``toolkit.run_demo``; the name here is kept for code written before it moved); this module
is its command.
"""

from __future__ import annotations

from toolkit.lazy import lazy_exports

# loaded on use: `weidiaoyan --help` registers this command without importing pandas
__getattr__, __dir__ = lazy_exports(
    __name__, {"run_demo": "toolkit.workflows", "bundled_form_path": "toolkit.workflows"}
)


def _command(args) -> int:
    from toolkit.workflows import run_demo

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
