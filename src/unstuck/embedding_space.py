"""The rows of a text or image problem as vectors: the space where shift, outliers and clusters are measured.

* **text** — MiniLM sentence embeddings (:mod:`unstuck.text.embed`, 384 dimensions, rows
  L2-normalised) when the ``text`` extra is installed; without it, the TF-IDF of the texts
  (sub-linear tf, rows L2-normalised, as the ``linear`` rung reads them; a sparse matrix), so
  that a machine without torch gets the same checks in a space of words. The TF-IDF is
  fitted on the texts of every split together: it uses no label, and a word that only dev
  holds keeps its column instead of vanishing from a train-only vocabulary. (A truncated SVD
  of it was tried and dropped: a text that shares no frequent word with the corpus projects
  to almost nothing, and once normalised lands anywhere, so an outlier was not far from
  anything.) With several text columns each is embedded and the vectors are put side by
  side, divided by the square root of their number: rows stay of length one.
* **images** — EfficientNet-Lite0's ImageNet embeddings (:mod:`unstuck.images.efficientnet`,
  1,280 dimensions, rows L2-normalised) when the ``images`` extra is installed; without it the
  16 × 16 grey pixels (0–1) that the baselines and the ConvNet read, as they are.

Each split's vectors are in the row order of :func:`unstuck.data.frames.user_splits`, beside
what a person reads of each row: the text of the first text column, or the image's path.

:func:`clusters` groups the rows of this space by k-means, fitted on train, for the slice search's
descriptions of texts (:mod:`unstuck.text.slicing`) and of images (:mod:`unstuck.images.slicing`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import user_splits

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from unstuck.problem import Problem

__all__ = [
    "CLUSTERS",
    "EmbeddingSpace",
    "cluster_count",
    "clusters",
    "embedding_space",
    "excerpt",
    "stack",
    "texts_of",
]
#: Characters of a text shown as an example.
EXCERPT = 160
#: Clusters of the rows, at most: few enough to read at a glance.
CLUSTERS = 8
#: Fewest training rows per cluster on average (fewer clusters on a small train): a cluster is a
#: common kind of row, not a handful.
TRAIN_ROWS_PER_CLUSTER = 40


@dataclass(frozen=True)
class EmbeddingSpace:
    """Vectors per split (shape (n_rows, d): a float32 array, or a sparse CSR matrix for ``kind`` ``tfidf``)
    in the row order of ``user_splits``, what a person reads of each row (``examples``: a text or an
    image path), and the space in words."""

    kind: str
    description: str
    vectors: Mapping[str, Any]
    examples: Mapping[str, list[str]]


def texts_of(frame: pd.DataFrame, column: str) -> list[str]:
    """The texts of ``column``, missing values as empty strings."""
    return ["" if not isinstance(v, str) else v for v in frame[column].tolist()]


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def stack(parts: list[Any]) -> Any:
    """Rows of ``parts`` one after the other (arrays or sparse matrices, not mixed)."""
    import scipy.sparse

    if any(scipy.sparse.issparse(p) for p in parts):
        return scipy.sparse.vstack(parts, format="csr")
    return np.vstack(parts)


def _tfidf(texts: Mapping[str, list[str]]) -> dict[str, Any] | None:
    """TF-IDF (rows of length one) of every split's texts, fitted on all of them; None when they hold no
    word of two letters or more (no space to measure in)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from unstuck.text.features import MAX_TFIDF_FEATURES

    every = [t for split in texts.values() for t in split]
    vectorizer = TfidfVectorizer(sublinear_tf=True, max_features=MAX_TFIDF_FEATURES, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(every)
    except ValueError:  # an empty vocabulary
        return None
    out: dict[str, Any] = {}
    start = 0
    for split, split_texts in texts.items():
        out[split] = matrix[start : start + len(split_texts)].tocsr()
        start += len(split_texts)
    return out


def _side_by_side(parts: list[Any]) -> Any:
    """The columns of ``parts`` side by side, scaled so that rows of length one stay so."""
    if len(parts) == 1:
        return parts[0]
    import scipy.sparse

    scale = float(np.sqrt(len(parts)))
    if any(scipy.sparse.issparse(p) for p in parts):
        return (scipy.sparse.hstack(parts, format="csr") / scale).astype(np.float32)
    return np.asarray(np.hstack(parts) / scale, dtype=np.float32)


def embedding_space(problem: Problem) -> EmbeddingSpace | None:
    """The problem's rows as vectors, or None when it has neither a text column nor an image column (or,
    without MiniLM, its texts hold no word)."""
    frames = user_splits(problem)
    if problem.text_columns:
        from unstuck.text.embed import minilm_available

        minilm = minilm_available()
        per_column: list[dict[str, Any]] = []
        for column in problem.text_columns:
            texts = {split: texts_of(frame, column) for split, frame in frames.items()}
            if minilm:
                from unstuck.text.embed import embed_texts

                per_column.append({split: embed_texts(t) for split, t in texts.items()})
            else:
                words = _tfidf(texts)
                if words is None:
                    return None
                per_column.append(words)
        vectors = {split: _side_by_side([c[split] for c in per_column]) for split in frames}
        names = ", ".join(f"'{c}'" for c in problem.text_columns)
        description = f"MiniLM sentence embeddings of {names}" if minilm else f"TF-IDF of {names}"
        first = problem.text_columns[0]
        examples = {split: texts_of(frame, first) for split, frame in frames.items()}
        return EmbeddingSpace("minilm" if minilm else "tfidf", description, vectors, examples)
    if problem.image_column is not None:
        from unstuck.images.efficientnet import efficientnet_available, embed_images

        if efficientnet_available():
            paths = {split: [str(p) for p in frame[problem.image_column].tolist()] for split, frame in frames.items()}
            vectors = {split: embed_images(split_paths) for split, split_paths in paths.items()}
            return EmbeddingSpace(
                "efficientnet", "EfficientNet-Lite0 ImageNet embeddings of the images", vectors, paths
            )
        from unstuck.images.read import PIXELS

        columns = [f"px_{k:03d}" for k in range(PIXELS * PIXELS)]
        vectors = {split: frame[columns].to_numpy(dtype=np.float32) for split, frame in frames.items()}
        examples = {split: [str(p) for p in frame[problem.image_column].tolist()] for split, frame in frames.items()}
        return EmbeddingSpace("pixels", f"{PIXELS}x{PIXELS} grey pixels of the images", vectors, examples)
    return None


def cluster_count(n_train: int) -> int:
    """How many clusters ``n_train`` training rows are grouped in: at most :data:`CLUSTERS`, at least
    :data:`TRAIN_ROWS_PER_CLUSTER` rows each on average (below 2, no clustering)."""
    return min(CLUSTERS, n_train // TRAIN_ROWS_PER_CLUSTER)


def clusters(vectors: Mapping[str, Any], k: int, seed: int) -> dict[str, NDArray[np.int64]]:
    """Each split's rows' cluster (0 to ``k`` − 1): k-means (3 starts, seeded) fitted on ``vectors["train"]``
    (dense arrays, shape (n_rows, d)) and applied to every split.

    The clusters read no label and no error: a weak cluster the slice search finds passes the same test
    and false discovery control as any other column's level, since it was fixed before the search saw
    which rows fail.
    """
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # Many small BLAS calls: one thread is faster on a busy machine (see unstuck.text.features.OneThread).
    with threadpool_limits(1):
        model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(vectors["train"])
        return {s: model.predict(v) if v.shape[0] else np.zeros(0, dtype=np.int64) for s, v in vectors.items()}
