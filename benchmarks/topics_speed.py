"""End-to-end speed and peak memory of ``weidiaoyan topics`` (read → tokenise → issues → themes →
keywords → files), on synthetic concerns and on the real teddy2020c messages.

    .venv/bin/python benchmarks/topics_speed.py [--sizes 10000 100000] [--million] [--repeat 3] [--bertopic]

Each run is a fresh ``weidiaoyan topics`` process (so jieba's dictionary load is included);
time is wall clock (median of ``--repeat`` for inputs ≤ 20,000 texts), memory is the peak of the
PSS summed over the CLI process and its tokenising workers, sampled every 0.1 s. ``--million`` adds 1,000,000 synthetic concerns through the streaming path (``--stream``).
``--bertopic`` also times BERTopic (LSA vectors as embeddings; tokenising included, no files) on the
same synthetic texts. Agreement with the generator's true themes and issues is printed as NMI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil  # installed with ipykernel (a core dependency)

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[1]
CLI = (
    [str(ROOT / ".venv" / "bin" / "weidiaoyan")]
    if (ROOT / ".venv" / "bin" / "weidiaoyan").exists()
    else [sys.executable, "-m", "toolkit.cli"]
) + ["topics"]


def _memory(proc) -> int:
    # PSS splits pages shared with forked tokenising workers instead of counting them once per process.
    try:
        return proc.memory_full_info().pss
    except psutil.AccessDenied:
        return proc.memory_info().rss


def _run(args) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, PSS summed over the process and its workers) of one CLI run."""
    start = time.perf_counter()
    proc = psutil.Popen(CLI + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        try:
            procs = [proc] + proc.children(recursive=True)
            peak = max(peak, sum(_memory(p) for p in procs) / 1e6)
        except psutil.Error:
            pass
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr.read().decode()}")
    return elapsed, peak


def _case(name, csv, n, extra, repeat, time_col="submitted_at", truth=None):
    out = csv.parent / f"out_{n}"
    args = (
        [
            str(csv),
            "--text-col",
            "text",
            "--id-col",
            "id",
            "--themes",
            "auto",
            "--seed",
            "0",
            "--quiet",
            "--out",
            str(out),
        ]
        + (["--time-col", time_col] if time_col else [])
        + extra
    )
    runs = [_run(args) for _ in range(repeat if n <= 20_000 else 1)]
    secs = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(
        f"{name:42s} {n:>9,d} {secs:8.1f} s {peak:8.0f} MB  {n / secs:8.0f} texts/s  "
        f"{_agreement(out / 'assignments.csv', truth)}",
        flush=True,
    )
    return secs


def _agreement(assignments_csv, truth) -> str:
    """NMI of theme_id / topic_id against the generator's true theme / issue (texts with a truth)."""
    if truth is None:
        return ""
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score as nmi

    a = pd.read_csv(assignments_csv, usecols=["topic_id", "theme_id"])
    known = truth["theme"].notna().to_numpy()
    return (
        f"theme NMI {nmi(truth['theme'][known], a['theme_id'][known]):.3f}, "
        f"issue NMI {nmi(truth['issue'][known], a['topic_id'][known]):.3f}"
    )


def bertopic_run(texts, seed=0):
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from threadpoolctl import threadpool_limits
    from umap import UMAP

    from toolkit.text import mask_pii, normalize, tokenize_many
    from toolkit.topics.features import LsaVectorizer

    start = time.perf_counter()
    with threadpool_limits(1):
        tokens = tokenize_many([mask_pii(normalize(t)) for t in texts], progress=False)
        _, Z = LsaVectorizer(random_state=seed).fit(tokens)
        topics, _ = BERTopic(
            umap_model=UMAP(n_components=5, min_dist=0.0, metric="cosine", random_state=seed),
            hdbscan_model=HDBSCAN(min_cluster_size=10, prediction_data=True),
            vectorizer_model=CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False),
            language="multilingual",  # "english" strips every non-ASCII character before c-TF-IDF
        ).fit_transform([" ".join(t) for t in tokens], embeddings=Z)
    import numpy as np

    return time.perf_counter() - start, np.asarray(topics)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--no-real", action="store_true", help="skip the teddy2020c messages")
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bertopic", action="store_true")
    args = parser.parse_args(argv)

    import pandas as pd

    from toolkit.sample import generate_concerns

    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}\n")
    print(f"{'input':42s} {'texts':>9s} {'time':>10s} {'peak mem':>11s}  throughput")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        import topics_data

        if topics_data.available() and not args.no_real:
            real = pd.concat(
                [topics_data.load_labelled()[["text"]], topics_data.load_unlabelled()[["text"]]], ignore_index=True
            )
            real.insert(0, "id", range(len(real)))
            real.to_csv(tmp / "real.csv", index=False)
            _case("teddy2020c messages (labelled + 附件3)", tmp / "real.csv", len(real), [], args.repeat, time_col=None)
        for n in args.sizes:
            csv = tmp / f"concerns_{n}.csv"
            df = generate_concerns(n, seed=0)
            df.to_csv(csv, index=False)
            _case("synthetic concerns", csv, n, [], args.repeat, truth=df)
            if args.bertopic:
                from sklearn.metrics import normalized_mutual_info_score as nmi

                secs, topics = bertopic_run(df["text"].tolist())
                known = df["theme"].notna().to_numpy()
                print(
                    f"{'  BERTopic 0.17 (LSA embeddings), in-process':42s} {n:>9,d} {secs:8.1f} s"
                    f"{'':12s}{n / secs:8.0f} texts/s  theme NMI {nmi(df['theme'][known], topics[known]):.3f}, "
                    f"issue NMI {nmi(df['issue'][known], topics[known]):.3f}, "
                    f"{len(set(topics)) - 1} topics, outliers {(topics == -1).mean():.0%}",
                    flush=True,
                )
            del df
        if args.million:
            csv = tmp / "concerns_1000000.csv"
            df = generate_concerns(1_000_000, seed=0)
            df.to_csv(csv, index=False)
            truth = df[["theme", "issue"]]
            del df
            _case("synthetic concerns, --stream (100k sample)", csv, 1_000_000, ["--stream"], 1, truth=truth)


if __name__ == "__main__":
    main()
