"""Regions of dev that train barely covers, and what adding some of their rows to train does.

A slice rare in train but common in dev is the case the method calls under-represented data:
the model has seen few examples like it, so it may do worse there than it would with more. That
it does worse *now* is not the test: a model that extrapolates well enough may do as well on the
region as elsewhere and still do much better with more of it, and a model that does worse there
may be facing rows that are hard in themselves. What decides whether collecting such rows is a
lever is what adding some does, and dev holds rows of the region that train lacks. So:

1. **Regions** (:func:`undercovered_regions`): every one-condition rule of the slice search's
   encoding of dev (a category, a quantile bin of a number, missing values) that leaves at least as
   many dev rows outside it as it needs inside (a part of dev, not all of it), whose share of dev
   exceeds its share of train beyond chance (a one-sided exact test conditional on the rule's
   rows in both splits, Benjamini–Hochberg over all the rules) and by a margin that matters
   (train share below :data:`RARER_IN_TRAIN` of the dev share, as the slice check's rule).
   On a random split no rule passes but by the false discovery rate.
2. **The experiment** (:func:`targeted_refit`): dev's rows are split into :data:`FOLDS` folds;
   for each fold the best baseline is refitted on train plus the region's dev rows of the other
   folds and predicts that fold's rows, so that every dev row is scored by a model that did not
   see it. Beside them is the baseline fitted on train alone, the same recipe: the two differ only by
   the region's rows added. The paired per-row loss differences give the gain and its bootstrap
   interval on the whole dev set, and the change inside the region.

The experiment is the ``targeted_data`` lever's next experiment run once on data already in hand:
its gain is measured, not assumed from the region's size or error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.slices import Condition, encode

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.metrics import Metric
    from unstuck.problem import Problem

__all__ = [
    "FOLDS",
    "RARER_IN_TRAIN",
    "Region",
    "TargetedRefit",
    "paired_gain",
    "targeted_refit",
    "undercovered_regions",
]

#: A region counts as under-covered when its train share is below this multiple of its dev share (the
#: slice check's ``RARER_IN_TRAIN``: a fifth fewer is the smallest shortage worth a targeted collection).
RARER_IN_TRAIN = 0.8
#: False discovery rate over the one-condition rules tested.
FDR = 0.05
#: Train rows read for the shares: the rules' counts on a random sample of train are what the exact test
#: conditions on, and reading every rule's condition on a million text values costs seconds each.
MAX_TRAIN_ROWS = 100_000
#: Folds of dev in the targeted refit: each refit adds (FOLDS - 1) / FOLDS of the region's dev rows.
FOLDS = 3


@dataclass(frozen=True)
class Region:
    """A one-condition rule whose share of dev (``dev_rows`` rows) exceeds its share of train: the
    condition, both shares, and the one-sided p-value and Benjamini–Hochberg q-value of the excess."""

    condition: Condition
    dev_rows: int
    dev_share: float
    train_share: float
    p_value: float
    q_value: float

    @property
    def missing_share(self) -> float:
        """The share of dev that train would need to cover as it covers the rest: dev share minus train share."""
        return self.dev_share - self.train_share


def undercovered_regions(dev: pd.DataFrame, train: pd.DataFrame, *, min_rows: int) -> tuple[list[Region], int]:
    """One-condition rules over the columns of ``dev`` (the slice search's encoding of dev), at least
    ``min_rows`` dev rows, rarer in ``train`` beyond chance and by a margin, largest missing share first; and
    how many rules were tested.

    The test conditions on the rule's rows in both splits: under "train and dev are drawn alike" each of
    them is a dev row with probability n_dev / (n_dev + n_train), so its dev count is binomial. Exact at any
    size, and it needs no model.
    """
    from scipy.stats import binom, false_discovery_control

    if len(train) > MAX_TRAIN_ROWS:  # a seeded sample of train estimates its shares as well, and the test stays exact
        train = train.sample(MAX_TRAIN_ROWS, random_state=0)
    n_dev, n_train = len(dev), len(train)
    if n_dev == 0 or n_train == 0:
        return [], 0
    encoding = encode(dev)
    candidates: list[tuple[Condition, int, int]] = []
    for j, condition in enumerate(encoding.levels):
        in_dev = int((encoding.codes[:, encoding.feature_of[j]] == j).sum())
        # A region is a part of dev, weighed against the rest of dev: a rule that (nearly) all of dev meets
        # names no part of it, and dev differing from train as a whole is the mismatch gap's and the shift
        # check's to measure.
        if in_dev < min_rows or n_dev - in_dev < min_rows:
            continue
        in_train = int(condition.mask(train).sum())
        candidates.append((condition, in_dev, in_train))
    if not candidates:
        return [], 0
    share_dev = n_dev / (n_dev + n_train)
    p = np.array([float(binom.sf(d - 1, d + t, share_dev)) for _, d, t in candidates])
    q = false_discovery_control(p, method="bh")
    regions = [
        Region(condition, d, d / n_dev, t / n_train, float(p_j), float(q_j))
        for (condition, d, t), p_j, q_j in zip(candidates, p, q, strict=True)
        if q_j < FDR and t / n_train < RARER_IN_TRAIN * d / n_dev
    ]
    return sorted(regions, key=lambda r: -r.missing_share), len(candidates)


@dataclass(frozen=True)
class TargetedRefit:
    """Per dev row, the loss of the best baseline fitted on train alone (``before``) and of the one fitted
    with the region's dev rows of the other folds added (``after``); how many region rows each refit added
    (on average) and the training rows of the refits."""

    before: NDArray[np.float64]
    after: NDArray[np.float64]
    rows_added: float
    train_rows: int


def targeted_refit(
    problem: Problem,
    model_name: str,
    in_region: NDArray[np.bool_],
    *,
    baseline_dev: NDArray[Any],
    max_rows: int | None,
    backend: str = "local",
) -> TargetedRefit | None:
    """The experiment of the module docstring for dev rows ``in_region`` (shape (n_dev,)).

    The fit on train alone is the baseline already fitted, whose dev predictions are ``baseline_dev`` (as
    :func:`unstuck.fits.refit_without` pairs them). When train has more than ``max_rows`` rows every fit uses
    the same seeded sample of that many, so that the refits stay as cheap as the label check's, and the
    sample is fitted alone beside them. None when some fold would add no region row.
    """
    import pandas as pd

    from unstuck.fits import FitJob, run_fits

    train, dev = problem.frames["train"], problem.frames["dev"]
    target, features = problem.target, list(problem.features)
    assert target is not None
    rng = np.random.default_rng(problem.seed)
    fold = _folds(in_region, rng)
    region_rows = np.flatnonzero(in_region)
    if any(not np.any(fold[region_rows] != k) for k in range(FOLDS)):
        return None
    n_train = len(train)
    sample = np.arange(n_train)
    if max_rows is not None and n_train > max_rows:
        sample = np.sort(rng.choice(n_train, size=max_rows, replace=False))
    sampled = len(sample) < n_train
    base_x, base_y = train[features].iloc[sample], train[target].to_numpy()[sample]
    jobs = []
    if sampled:
        jobs.append(FitJob(model_name, problem.task, base_x, base_y, problem.seed, text_columns=problem.text_columns))
    added: list[int] = []
    for k in range(FOLDS):
        extra = region_rows[fold[region_rows] != k]
        added.append(len(extra))
        jobs.append(
            FitJob(
                model_name,
                problem.task,
                pd.concat([base_x, dev[features].iloc[extra]], ignore_index=True),
                np.concatenate([base_y, dev[target].to_numpy()[extra]]),
                problem.seed,
                text_columns=problem.text_columns,
            )
        )
    outputs = run_fits(jobs, dev[features], n_train=len(sample), backend=backend, predict_train=False)
    y_dev = dev[target].to_numpy()
    alone = outputs.pop(0).on_eval if sampled else np.asarray(baseline_dev)
    before = problem.metric.row_losses(y_dev, alone)
    after_pred = _by_fold([o.on_eval for o in outputs], fold)
    after = problem.metric.row_losses(y_dev, after_pred)
    return TargetedRefit(
        np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64), float(np.mean(added)), len(sample)
    )


def _folds(in_region: NDArray[np.bool_], rng: np.random.Generator) -> NDArray[np.int64]:
    """A fold per dev row, the region's rows and the others each spread evenly over the folds."""
    fold = np.empty(len(in_region), dtype=np.int64)
    for part in (np.flatnonzero(in_region), np.flatnonzero(~in_region)):
        fold[rng.permutation(part)] = np.arange(len(part)) % FOLDS
    return fold


def _by_fold(predictions: Sequence[NDArray[Any]], fold: NDArray[np.int64]) -> NDArray[Any]:
    """Each dev row's prediction by the refit that did not see its fold."""
    out = np.array(predictions[0], copy=True)
    for k, predicted in enumerate(predictions):
        out[fold == k] = np.asarray(predicted)[fold == k]
    return out


def paired_gain(
    before: NDArray[np.float64], after: NDArray[np.float64], metric: Metric, *, seed: int, n_boot: int = 1000
) -> tuple[float, tuple[float, float]]:
    """How much lower the metric is on ``after``'s per-row losses than on ``before``'s (metric units, > 0:
    ``after`` is better), and its 95 % paired-bootstrap interval: the same rows resampled for both, so
    that what the two share (the rows' own difficulty) cancels."""
    gain = metric.from_losses(before) - metric.from_losses(after)
    rng = np.random.default_rng(seed)
    n = len(before)
    draws = np.empty(n_boot)
    chunk = max(1, 2_000_000 // max(n, 1))  # rows drawn at once stay near 16 MB of indices
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        mean_before, mean_after = before[idx].mean(axis=1), after[idx].mean(axis=1)
        if metric.aggregate == "root_mean":
            mean_before, mean_after = np.sqrt(mean_before), np.sqrt(mean_after)
        draws[start : start + len(idx)] = mean_before - mean_after
    low, high = (float(v) for v in np.quantile(draws, [0.025, 0.975]))
    return float(gain), (low, high)
