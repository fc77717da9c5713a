"""Columns a person can read that describe images, for the slice search: property bands and clusters.

An image reaches the baselines as 256 grey levels (``px_000`` … ``px_255``), and a rule such as
``px_084 ≥ 0.41`` names no kind of image a person could look for. The slice search reads each
image instead by

* **its properties** — ``width``, ``height``, ``aspect``, ``channels``, ``brightness`` and
  ``blur`` (:mod:`unstuck.images.read`), columns the problem already has: the search cuts a
  number at its quantiles into bands (``blur < 310``, ``brightness ≥ 142``), and keeps a
  property with few values as categories (``channels = 1``);
* **its cluster** — ``image cluster``: k-means on the rows' embedding vectors
  (:func:`unstuck.embedding_space.clusters`: EfficientNet-Lite0's with the ``images`` extra,
  else the pixels), fitted on train. Clusters are numbered from the largest in train (``1``),
  and a cluster that stands out from train on a property says so in words: ``image cluster = 3
  (brighter)`` when three quarters of its images are brighter than three quarters of the training
  images (:data:`WORDS`). A number says little in a text report; the HTML report shows
  a few of a weak cluster's dev images beside it (``unstuck.checks.slices``).

The pixel columns are left out of the search (``Context.slice_rows``). The clusters read no
label and no error, so a weak cluster of dev passes the same binomial test and false discovery
control as any other column's level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import problem_splits, user_splits
from unstuck.embedding_space import cluster_count, clusters

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from unstuck.problem import Problem

__all__ = ["CLUSTER", "WORDS", "describe_images"]

#: The column holding each row's cluster of images.
CLUSTER = "image cluster"
#: (property, word for a cluster low on it, word for one high on it): the middle half of a cluster's
#: training images lying above the middle half of all training images (its first quartile above their
#: third) earns the high word, below it the low word. ``size`` is width × height.
WORDS: tuple[tuple[str, str, str], ...] = (
    ("brightness", "darker", "brighter"),
    ("blur", "blurrier", "sharper"),  # the variance of the Laplacian: high for sharp images
    ("size", "smaller", "larger"),
    ("aspect", "taller", "wider"),
)


def _properties(frame: pd.DataFrame) -> dict[str, NDArray[np.float64]]:
    """The properties :data:`WORDS` names, those the table has (a ``--drop``'d one is not)."""
    out = {p: frame[p].to_numpy(dtype=np.float64) for p, _, _ in WORDS if p in frame.columns}
    if {"width", "height"} <= set(frame.columns):
        out["size"] = frame["width"].to_numpy(dtype=np.float64) * frame["height"].to_numpy(dtype=np.float64)
    return out


def _cluster_names(train: pd.DataFrame, labels: NDArray[np.int64], k: int) -> list[str]:
    """Each cluster's name: its number (1 for the largest in train), then the words of the properties on
    which it stands out from train (:data:`WORDS`)."""
    sizes = np.bincount(labels, minlength=k)
    rank = np.empty(k, dtype=np.int64)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(k)
    properties = _properties(train)
    names = []
    for c in range(k):
        members = labels == c
        words = []
        for prop, low, high in WORDS:
            values = properties.get(prop)
            if values is None or not members.any():
                continue
            low_quartile, high_quartile = np.quantile(values[members], [0.25, 0.75])
            q1, q3 = np.quantile(values, [0.25, 0.75])
            if low_quartile > q3:
                words.append(high)
            elif high_quartile < q1:
                words.append(low)
        names.append(f"{rank[c] + 1}" + (f" ({', '.join(words)})" if words else ""))
    return names


def describe_images(problem: Problem, vectors: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Per split of ``problem.frames`` (rows in its order), a table of the rows' :data:`CLUSTER`.

    ``vectors``: split of :func:`unstuck.data.frames.user_splits` → the rows' embedding vectors, shape
    (n_rows, d). The tables have no column when train is too small for two clusters: the properties,
    which the problem's tables hold already, are then the images' only description.
    """
    import pandas as pd

    frames = user_splits(problem)
    out = {split: pd.DataFrame(index=pd.RangeIndex(len(frame))) for split, frame in frames.items()}
    k = cluster_count(vectors["train"].shape[0])
    if k >= 2:
        labels = clusters({s: np.asarray(v, dtype=np.float32) for s, v in vectors.items()}, k, problem.seed)
        names = np.empty(k, dtype=object)
        names[:] = _cluster_names(frames["train"], labels["train"], k)
        for split, frame in out.items():
            frame[CLUSTER] = names[labels[split]]
    return problem_splits(problem, out)
