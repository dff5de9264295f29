"""Quality of themes on the 5,134 labelled teddy2020c messages (7 一级分类), ours vs baselines vs BERTopic.

    .venv/bin/python benchmarks/topics_quality.py [--seeds 0 1 2] [--no-bertopic]

Prints NMI / ARI between theme_id and the label, and wall time, for:
  ours            TopicModel(themes=7): end to end from raw text (normalise, mask, jieba, …)
  tfidf+kmeans    jieba tokens → TF-IDF → k-means(7)
  tfidf+lsa+km    jieba tokens → TF-IDF → LSA(150) → k-means(7)
  lda             jieba tokens → counts → scikit-learn LDA(7), argmax
  bertopic        BERTopic 0.17 with LSA vectors as embeddings (no model can be downloaded) and a jieba
                  CountVectorizer; at its own topic count (outliers are topic -1) and reduced to 7.
Baselines and BERTopic get the same tokens as ours (tokenising time reported separately and added to
their total). BERTopic is optional: ``pip install --no-deps bertopic==0.17.4 && pip install hdbscan
umap-learn plotly`` (its full install pulls torch with CUDA, so it is not a project dependency).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).parent))
import topics_data  # noqa: E402


def _tokens(texts):
    from toolkit.text import mask_pii, normalize, tokenize_many

    start = time.perf_counter()
    tokens = tokenize_many([mask_pii(normalize(t)) for t in texts], progress=False)
    return tokens, time.perf_counter() - start


def _lsa(tokens, seed):
    from toolkit.topics.features import LsaVectorizer

    X, Z = LsaVectorizer(n_components=150, random_state=seed).fit(tokens)
    return X, Z


def ours(texts, tokens, seed):
    from toolkit.topics import TopicModel

    model = TopicModel(themes=7, random_state=seed, progress=False).fit(texts)
    return model.assignments_["theme_id"].to_numpy(), {
        "issues": int((model.topics_["topic_id"] >= 0).sum()),
        "unassigned": float((model.assignments_["topic_id"] < 0).mean()),
    }


def tfidf_kmeans(texts, tokens, seed):
    from sklearn.cluster import KMeans

    X, _ = _lsa(tokens, seed)
    return KMeans(7, n_init=10, random_state=seed).fit_predict(X), {}


def lsa_kmeans(texts, tokens, seed):
    from sklearn.cluster import KMeans

    _, Z = _lsa(tokens, seed)
    return KMeans(7, n_init=10, random_state=seed).fit_predict(Z), {}


def lda(texts, tokens, seed):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    C = CountVectorizer(analyzer=lambda t: t, min_df=2, max_df=0.5).fit_transform(tokens)
    W = LatentDirichletAllocation(7, random_state=seed, learning_method="batch").fit_transform(C)
    return W.argmax(axis=1), {}


def bertopic(texts, tokens, seed, reduce_to=None):
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    _, Z = _lsa(tokens, seed)
    docs = [" ".join(t) for t in tokens]
    model = BERTopic(
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed),
        hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean", prediction_data=True),
        vectorizer_model=CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False),
        nr_topics=reduce_to,
        calculate_probabilities=False,
        language="multilingual",
    )  # "english" strips every non-ASCII character before c-TF-IDF
    topics, _ = model.fit_transform(docs, embeddings=Z)
    topics = np.asarray(topics)
    return topics, {"topics": int(len(set(topics) - {-1})), "outliers": float((topics == -1).mean())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--no-bertopic", action="store_true")
    args = parser.parse_args(argv)
    if not topics_data.available():
        print("teddy2020c data not found under ../shared: skipped")
        return 0
    from threadpoolctl import threadpool_limits

    df = topics_data.load_labelled()
    texts, labels = df["text"].tolist(), df["label"].to_numpy()
    tokens, tok_time = _tokens(texts)
    print(
        f"{len(texts)} labelled messages, {df['label'].nunique()} labels; tokenising {tok_time:.1f} s "
        f"(added to every baseline's time)\n"
    )
    methods = [
        ("ours TopicModel(themes=7)", ours, False),
        ("jieba+TF-IDF+k-means", tfidf_kmeans, True),
        ("jieba+TF-IDF+LSA+k-means", lsa_kmeans, True),
        ("scikit-learn LDA", lda, True),
    ]
    if importlib.util.find_spec("bertopic") is None:
        print("BERTopic not installed: skipped (see the docstring for the light install)\n")
    elif not args.no_bertopic:
        methods += [
            ("BERTopic (own topic count)", bertopic, True),
            ("BERTopic reduced to 7", lambda t, k, s: bertopic(t, k, s, reduce_to=7), True),
        ]
    print(f"{'method':30s} {'NMI':>6s} {'ARI':>6s} {'time s':>7s}  (median of seeds {args.seeds}; range)  notes")
    for name, fn, add_tok in methods:
        nmis, aris, times, notes = [], [], [], {}
        for seed in args.seeds:
            start = time.perf_counter()
            with threadpool_limits(1):
                pred, notes = fn(texts, tokens, seed)
            times.append(time.perf_counter() - start + (tok_time if add_tok else 0))
            nmis.append(normalized_mutual_info_score(labels, pred))
            aris.append(adjusted_rand_score(labels, pred))
        print(
            f"{name:30s} {statistics.median(nmis):6.3f} {statistics.median(aris):6.3f} "
            f"{statistics.median(times):7.1f}  NMI {min(nmis):.3f}–{max(nmis):.3f}, ARI {min(aris):.3f}–{max(aris):.3f}"
            f"  {notes}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
