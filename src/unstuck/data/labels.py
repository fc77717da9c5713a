"""cleanlab's verdict on a set of labels, given out-of-sample probabilities.

A pure measurement, shared by the label check (:mod:`unstuck.checks.labels`) and by
``unstuck try`` (which leaves the flagged rows out): cleanlab
(``cleanlab.filter.find_label_issues``, ``cleanlab.count.estimate_joint``,
``cleanlab.rank.get_label_quality_scores``) does the work; nothing of it is
re-implemented here.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["label_issues"]


def label_issues(labels: NDArray[np.int64], proba: NDArray[np.float64]) -> dict[str, Any]:
    """cleanlab's verdict on integer ``labels`` (n,) given out-of-sample ``proba`` (n, K).

    Returns ``flagged`` (indices ranked by label quality, lowest first), ``quality``
    (self-confidence per row, shape (n,)), ``joint`` (K × K estimate of
    P(given = i, true = j)) and ``noise_rate`` (1 − its trace).
    """
    from cleanlab.count import estimate_joint
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    proba = np.clip(proba, 1e-12, None)
    proba = proba / proba.sum(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flagged = find_label_issues(labels, proba, return_indices_ranked_by="self_confidence", n_jobs=1)
        quality = get_label_quality_scores(labels, proba)
        joint = estimate_joint(labels, proba)
    return {
        "flagged": np.asarray(flagged, dtype=np.int64),
        "quality": np.asarray(quality, dtype=np.float64),
        "joint": np.asarray(joint, dtype=np.float64),
        "noise_rate": float(1.0 - np.trace(joint)),
    }
