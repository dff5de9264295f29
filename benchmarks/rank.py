"""Time `weidiaoyan rank` on TipDM 2020 附件3 (4,326 messages with likes) and print its top ten.

Baseline in the same run: reading the file and fitting the topic model alone (what any ranking needs);
the difference is the cost of scoring and writing the tables. Medians of ``REPEAT`` in-process runs, plus one
run of the real command line (with interpreter start-up and imports) as a reviewer would time it.

    .venv/bin/python benchmarks/rank.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on sys.path; benchmarks/tokenize.py would then shadow the
# standard library's tokenize module that pandas imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data/external/teddy2020c/Syucryingstar_NLP_tipdm_90f5471/全部数据/附件3.xlsx"
ARGS = dict(text_col="留言主题", id_col="留言编号", time_col="留言时间", likes_col="点赞数", dislikes_col="反对数")
REPEAT = 3


def baseline() -> float:
    from toolkit.agenda import messages_from
    from toolkit.agenda.source import read_table
    from toolkit.topics import TopicModel

    start = time.perf_counter()
    msgs = messages_from(read_table(DATA), text_col=ARGS["text_col"], id_col=ARGS["id_col"], time_col=ARGS["time_col"])
    TopicModel(random_state=0, progress=False).fit(msgs["text"], ids=msgs["id"], times=msgs["time"])
    return time.perf_counter() - start


def main() -> int:
    if not DATA.exists():
        print(f"跳过：找不到 {DATA}")
        return 0
    from toolkit.workflows import rank_file

    with tempfile.TemporaryDirectory() as tmp:
        base = [baseline() for _ in range(REPEAT)]
        runs = []
        for i in range(REPEAT):
            start = time.perf_counter()
            run = rank_file(DATA, out=Path(tmp) / f"r{i}", progress=False, **ARGS)
            runs.append((time.perf_counter() - start, run))
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "toolkit.cli", "rank", str(DATA), "--quiet", "--out", str(Path(tmp) / "cli")]
        for key, value in ARGS.items():
            cmd += [f"--{key.replace('_', '-')}", value]
        subprocess.run(cmd, check=True, capture_output=True)
        cli = time.perf_counter() - start

    total = statistics.median(t for t, _ in runs)
    steps = {k: statistics.median(r.seconds[k] for _, r in runs) for k in runs[0][1].seconds}
    print(f"附件3：{len(runs[0][1].candidates)} 个候选（{DATA.name}）")
    print(f"baseline 读取+议题模型（中位数，{REPEAT} 次）：{statistics.median(base):.1f} 秒")
    print(
        f"rank_file 全流程（中位数，{REPEAT} 次）：{total:.1f} 秒  "
        + "，".join(f"{k} {v:.1f}" for k, v in steps.items())
    )
    print(f"命令行 weidiaoyan rank（含启动与导入，1 次）：{cli:.1f} 秒（目标 < 30 秒）")
    print("前十名：")
    for row in runs[0][1].hot.itertuples(index=False):
        print(
            f"  {row.热度排名:>2}. [{row.问题ID}] {row.热度指数:5.1f} {row.议题标签}｜{row.反映人数}人｜{row.时间范围}｜{row.问题描述}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
