"""cleanlab's verdict on a set of labels, given out-of-sample probabilities.

A pure measurement, shared by the label check (:mod:`unstuck.checks.labels`) and by
``unstuck try`` (which leaves the flagged rows out): cleanlab
(``cleanlab.filter.find_label_issues``, ``cleanlab.count.estimate_joint``,
``cleanlab.rank.get_label_quality_scores``) does the work; nothing of it is
re-implemented here.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.data.frames import short

__all__ = [
    "LABEL_EVIDENCE_ALPHA",
    "RESIDUAL_Z",
    "compare_train_and_dev",
    "confused_pairs",
    "label_issues",
    "residual_outliers",
]

#: Regression: |robust z| of the out-of-fold residual above which a row is flagged.
RESIDUAL_Z = 6.0


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


#: One-sided level of a comparison that alone makes train's labels the verdict. It runs on every
#: problem with a labelled dev split, beside the label check's other tests of the same claim (dev
#: below train-dev, a refit without the flags), so it is held stricter than the usual 2.5 %: the
#: claim's false-alarm rate then stays near that of one test.
LABEL_EVIDENCE_ALPHA = 0.01


def compare_train_and_dev(
    train_labels: NDArray[np.int64],
    oof_proba: NDArray[np.float64],
    dev_labels: NDArray[np.int64],
    fold_dev_proba: Sequence[NDArray[np.float64]],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """Do the same fold models err more on train's own rows than on dev's, or the other way, beyond noise?

    ``oof_proba`` are the out-of-fold probabilities on train (each row scored by the fold model
    that never saw it); ``fold_dev_proba`` each fold model's probabilities on dev. Both errors
    are then those of the same models, fitted on the same rows, on rows none of them saw: rows
    of one distribution differ in error only by chance or by their labels. When train's errors
    are the higher ones beyond noise (``train_worse``), train's labels disagree with what the
    models learnt more often than dev's do: train's labels are worse than dev's. (Unlike
    train-dev against dev, this needs no carved train-dev and no allowance for models of
    different sizes, and it judges all of train's rows.) When dev's are (``dev_worse``), dev's
    labels are the worse ones, or dev differs from train (a data mismatch, which the label
    check rules out separately). A dev that differs from train and happens to be easier reads
    as ``train_worse``; the shift check's domain classifier, in the same report, says whether
    it differs.

    Returns the two error rates, the row counts and both verdicts (one-sided tests at
    :data:`LABEL_EVIDENCE_ALPHA`, Jeffreys draws of both rates; dev counts as its rows, not
    folds × rows, since every fold model is judged on the same dev rows).
    """
    from unstuck.metrics import rate_exceeds

    train_wrong = int(np.sum(np.argmax(oof_proba, axis=1) != train_labels))
    dev_error = float(np.mean([np.mean(np.argmax(p, axis=1) != dev_labels) for p in fold_dev_proba]))
    dev_wrong = round(dev_error * len(dev_labels))
    n_train, n_dev = len(train_labels), len(dev_labels)
    return {
        "out_of_fold_error": train_wrong / n_train,
        "fold_models_dev_error": dev_error,
        "train_rows": n_train,
        "dev_rows": n_dev,
        "folds": len(fold_dev_proba),
        "train_worse": rate_exceeds(train_wrong, n_train, dev_wrong, n_dev, seed=seed, alpha=LABEL_EVIDENCE_ALPHA),
        "dev_worse": rate_exceeds(dev_wrong, n_dev, train_wrong, n_train, seed=seed, alpha=LABEL_EVIDENCE_ALPHA),
    }


def confused_pairs(joint: NDArray[np.float64], classes: tuple[Any, ...], top: int = 5) -> list[dict[str, Any]]:
    """The largest off-diagonal cells of the joint: (given label, likely true label, share of rows)."""
    off = joint.copy()
    np.fill_diagonal(off, 0.0)
    order = np.argsort(off, axis=None)[::-1][:top]
    out = []
    for flat in order:
        i, j = np.unravel_index(flat, off.shape)
        if off[i, j] <= 0:
            break
        out.append({"given": short(classes[i]), "likely": short(classes[j]), "share": float(off[i, j])})
    return out


def residual_outliers(y_true: NDArray[np.float64], y_hat: NDArray[np.float64]) -> tuple[NDArray[np.int64], Any]:
    """Rows whose residual has |robust z| > ``RESIDUAL_Z`` (ranked, most extreme first), and all z-scores."""
    residual = np.asarray(y_true, dtype=np.float64) - np.asarray(y_hat, dtype=np.float64)
    centre = float(np.median(residual))
    scale = 1.4826 * float(np.median(np.abs(residual - centre)))
    if scale <= 0:
        scale = float(np.std(residual)) or 1.0
    z = (residual - centre) / scale
    flagged = np.flatnonzero(np.abs(z) > RESIDUAL_Z)
    return flagged[np.argsort(-np.abs(z[flagged]))], z
