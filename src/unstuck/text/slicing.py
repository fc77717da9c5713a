"""Columns a person can read that describe texts, for the slice search: length bands and clusters.

A text column is one category per row, which no slice rule can use. Each text is described
instead by

* **its length** — ``words in text``, a number the slice search cuts at its quantiles
  (``words in text < 28``);
* **its cluster** — ``text cluster``: k-means on the rows' embedding vectors
  (:func:`unstuck.embedding_space.clusters`), each cluster named by the words that set it apart: the
  largest differences between the cluster's mean TF-IDF and the mean of every training text
  (``text cluster = trade, japan, japanese``). Several text columns are clustered together
  (their vectors side by side): ``title + body cluster``.

The clusters are fitted on the training texts alone and read no label and no error, so a
weak cluster of dev found by the slice search passes the same binomial test and false
discovery control as any other column's level: the clusters are fixed before the search
sees which dev rows fail. Their number only sets how fine the descriptions are, not how
often a slice is found by chance; :data:`unstuck.embedding_space.CLUSTERS` keeps them few enough
to read at a glance and large enough (``TRAIN_ROWS_PER_CLUSTER``) to be common kinds of text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.embedding_space import cluster_count, clusters

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cluster_column", "describe_texts", "length_column"]

#: Dimensions of the latent semantic analysis that sparse TF-IDF vectors are clustered in.
LSA_DIMENSIONS = 100
#: Words naming a cluster.
NAMING_WORDS = 3


def length_column(column: str) -> str:
    """The name of the column holding each text's number of words."""
    return f"words in {column}"


def cluster_column(columns: Sequence[str]) -> str:
    """The name of the column holding each row's cluster of texts."""
    return " + ".join(columns) + " cluster"


def _words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _cluster_names(texts: list[str], labels: Any, k: int) -> list[str]:
    """For each cluster, the words whose mean TF-IDF in it most exceeds their mean over all ``texts``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Words of letters only: digits and codes name no topic a person recognises.
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b")
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no word at all (texts of digits or stop words only)
        return [f"cluster {c + 1}" for c in range(k)]
    terms = vectorizer.get_feature_names_out()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    names: list[str] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if members.size == 0:
            names.append(f"cluster {c + 1}")
            continue
        lift = np.asarray(matrix[members].mean(axis=0)).ravel() - overall
        top = np.argsort(-lift, kind="stable")[:NAMING_WORDS]
        name = ", ".join(str(terms[t]) for t in top if lift[t] > 0) or f"cluster {c + 1}"
        # Two clusters named alike stay two levels.
        names.append(name if name not in names else f"{name} ({c + 1})")
    return names


def _dense(vectors: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The vectors as k-means clusters them well: dense ones as they are; sparse TF-IDF reduced to
    :data:`LSA_DIMENSIONS` by a truncated SVD fitted on train (latent semantic analysis), rows of length one.

    On raw TF-IDF k-means puts most texts in one cluster (in tens of thousands of dimensions nearly every
    pair of texts is equally far apart); in the SVD's few dimensions of co-occurring words it finds topics.
    """
    import scipy.sparse

    if not any(scipy.sparse.issparse(v) for v in vectors.values()):
        return dict(vectors)
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    train = vectors["train"]
    dimensions = min(LSA_DIMENSIONS, train.shape[1] - 1, train.shape[0] - 1)
    if dimensions < 2:  # a vocabulary of one or two words: as few dimensions as the SVD would keep
        return {s: v.toarray() for s, v in vectors.items()}
    svd = TruncatedSVD(dimensions, random_state=seed).fit(train)
    return {s: normalize(svd.transform(v)) if v.shape[0] else np.zeros((0, dimensions)) for s, v in vectors.items()}


def describe_texts(
    columns: Sequence[str],
    texts: Mapping[str, Mapping[str, list[str]]],
    vectors: Mapping[str, Any],
    seed: int,
) -> dict[str, pd.DataFrame]:
    """Per split, a table (one row per text, in ``texts``' order) of each column's words and the rows' cluster.

    ``texts``: split → text column → its texts; ``vectors``: split → the rows' embedding vectors (an
    array or sparse matrix; the clusters are fitted on ``vectors["train"]``). The cluster column is left
    out when train is too small for two clusters.
    """
    import pandas as pd
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    out = {
        split: pd.DataFrame({length_column(c): _words(by_column[c]) for c in columns})
        for split, by_column in texts.items()
    }
    k = cluster_count(vectors["train"].shape[0])
    if k < 2:
        return out
    # Many small BLAS calls: one thread is faster on a busy machine (see unstuck.text.features.OneThread).
    with threadpool_limits(1):
        labels = clusters(_dense(vectors, seed), k, seed)
    joined = [" ".join(parts) for parts in zip(*(texts["train"][c] for c in columns), strict=True)]
    names = np.asarray(_cluster_names(joined, labels["train"], k), dtype=object)
    for split, frame in out.items():
        frame[cluster_column(columns)] = names[labels[split]]
    return out
