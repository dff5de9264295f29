"""Tokenising throughput: our pipeline (1 and N processes) against single-process plain jieba.

    .venv/bin/python benchmarks/topics_tokenize.py [--repeat 3]

(Not named benchmarks/tokenize.py: a script run from benchmarks/ would shadow the standard library
module ``tokenize`` that pandas imports.)

Inputs: the real teddy2020c messages (if ../shared is present) and 20,000 synthetic concerns.
Reports dictionary load times, MB/s (UTF-8 bytes of normalised text) as the median of ``--repeat``
runs, and the speed-up over plain ``jieba.lcut`` (HMM on, no filtering) — for our pipeline on each
segmentation engine (``jieba``, the reference and the default, and ``rjieba``, opt-in; see toolkit/text/segment.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _time(fn, repeat):
    from toolkit.text.tokenize import _cut_block

    times = []
    for _ in range(repeat):
        _cut_block.cache_clear()  # every run starts cold: the clause cache must not carry over
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import jieba

    from toolkit.sample import generate_concerns
    from toolkit.text import normalize, tokenize_many
    from toolkit.text.segment import ENGINES, segmenter
    from toolkit.text.tokenize import default_jobs

    start = time.perf_counter()
    plain = jieba.Tokenizer()
    plain.initialize()
    print(f"jieba dictionary load (cached model): {time.perf_counter() - start:.2f} s")
    for engine in ENGINES:
        start = time.perf_counter()
        segmenter(engine)
        print(f"our segmenter ({engine} + domain dictionary) load: {time.perf_counter() - start:.2f} s")
    print()

    inputs = {"synthetic concerns (20,000)": generate_concerns(20_000, seed=0)["text"].tolist()}
    import topics_data

    if topics_data.available():
        inputs["teddy2020c messages (5,134)"] = topics_data.load_labelled()["text"].tolist()
    jobs = default_jobs()
    print(
        f"{'input':30s} {'MB':>6s} {'plain jieba':>12s} {'engine':>7s} {'ours 1 proc':>12s} "
        f"{f'ours {jobs} proc':>12s}  speed-up"
    )
    for name, texts in inputs.items():
        texts = [normalize(t) for t in texts]
        mb = sum(len(t.encode()) for t in texts) / 1e6
        t_plain = _time(lambda texts=texts: [plain.lcut(t) for t in texts], args.repeat)
        for engine in ENGINES:
            os.environ["WEIDIAOYAN_SEGMENTER"] = engine
            t_one = _time(lambda texts=texts: tokenize_many(texts, n_jobs=1, progress=False), args.repeat)
            t_par = _time(lambda texts=texts: tokenize_many(texts, n_jobs=jobs, progress=False), args.repeat)
            print(
                f"{name:30s} {mb:6.1f} {mb / t_plain:8.2f} MB/s {engine:>7s} {mb / t_one:8.2f} MB/s "
                f"{mb / t_par:8.2f} MB/s  ×{t_plain / t_par:.2f}",
                flush=True,
            )
        os.environ.pop("WEIDIAOYAN_SEGMENTER")
    print(
        "\nours = normalised text → segmenter (HMM on) + domain dictionary + stopword filter; duplicate texts and "
        "repeated clauses segmented once (cache cleared before every run)."
    )


if __name__ == "__main__":
    main()
