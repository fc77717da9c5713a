"""LightGBM that stops adding trees when a held-out part of its training rows stops improving.

The diagnosis fits its gradient-boosting baseline many times (the ladder, the out-of-fold
folds, the learning curve, the sweeps, the label check's refit). With a fixed number of
trees every fit pays for all of them, also those past the point where the loss on unseen
rows levels off. From :data:`EARLY_STOPPING_FROM` training rows on, these estimators hold
out a seeded part of their own training rows (:func:`stopping_rows`) and stop after
:data:`PATIENCE` trees without a lower loss there (LightGBM's own ``early_stopping``
callback, on the objective's default metric), keeping the best count, never more than
``n_estimators``. Below the threshold they are plain LightGBM.

The threshold is scikit-learn's (``HistGradientBoosting*``'s ``early_stopping="auto"`` starts
above 10,000 rows): below it a fit is cheap, and a tenth of the rows is too few to stop on and
too many to lose. The held-out rows are part of the training set the model is measured on, so
its train error includes them: at most :data:`MAX_STOPPING_ROWS` rows (a tenth at 100,000 rows,
a hundredth at 1M), whose error lies between train and train-dev error.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from lightgbm import LGBMClassifier, LGBMRegressor, early_stopping
from lightgbm.basic import LGBMDeprecationWarning
from numpy.typing import NDArray

__all__ = [
    "EARLY_STOPPING_FROM",
    "MAX_STOPPING_ROWS",
    "PATIENCE",
    "STOPPING_SHARE",
    "StoppedEarlyClassifier",
    "StoppedEarlyRegressor",
    "stopping_rows",
]

#: From this many training rows on, the fit stops early.
EARLY_STOPPING_FROM = 10_000
#: The held-out part: this share of the training rows ...
STOPPING_SHARE = 0.1
#: ... and at most this many, so that on large data the model still trains on nearly every row.
MAX_STOPPING_ROWS = 10_000
#: Trees added without a lower held-out loss before boosting stops.
PATIENCE = 20


def stopping_rows(y: NDArray[Any], classification: bool, seed: int) -> NDArray[np.bool_]:
    """Which training rows (labels ``y``) an early-stopped fit holds out: a seeded sample of
    :data:`STOPPING_SHARE` of them (at most :data:`MAX_STOPPING_ROWS`), stratified for
    classification; no class is held out whole, so the model learns every class it is given."""
    from sklearn.model_selection import train_test_split

    n = len(y)
    size = min(int(STOPPING_SHARE * n), MAX_STOPPING_ROWS)
    index = np.arange(n)
    try:
        _, held = train_test_split(index, test_size=size, random_state=seed, stratify=y if classification else None)
    except ValueError:  # a class with a single row cannot be stratified
        _, held = train_test_split(index, test_size=size, random_state=seed)
    mask = np.zeros(n, dtype=bool)
    mask[held] = True
    if classification:
        # a set, not np.isin: on object labels (strings) np.isin compares element by element
        # in Python, 21 CPU seconds on 50,000 rows, where the set lookup takes milliseconds
        kept = set(y[~mask].tolist())
        mask &= np.fromiter((label in kept for label in y.tolist()), dtype=bool, count=n)
    return mask


def _fit_stopping_early(model: Any, fit: Any, x: Any, y: Any, fit_params: dict[str, Any]) -> Any:
    """``fit(x, y, **fit_params)``, holding out :func:`stopping_rows` from ``EARLY_STOPPING_FROM`` rows on."""
    labels = np.asarray(y)
    if len(labels) < EARLY_STOPPING_FROM:
        return fit(x, y, **fit_params)
    held = stopping_rows(labels, isinstance(model, LGBMClassifier), int(model.random_state or 0))
    weights = fit_params.pop("sample_weight", None)
    if weights is not None:
        fit_params["sample_weight"] = np.asarray(weights)[~held]
    rows = x[~held] if not hasattr(x, "iloc") else x.iloc[np.flatnonzero(~held)]
    stop = x[held] if not hasattr(x, "iloc") else x.iloc[np.flatnonzero(held)]
    with warnings.catch_warnings():
        # LightGBM 4.7 deprecates ``eval_set`` for ``eval_X``/``eval_y``, but its classifier encodes
        # the labels of ``eval_set`` only: string classes given as ``eval_y`` fail to convert.
        warnings.simplefilter("ignore", LGBMDeprecationWarning)
        return fit(
            rows,
            labels[~held],
            eval_set=[(stop, labels[held])],
            callbacks=[early_stopping(PATIENCE, first_metric_only=True, verbose=False)],
            **fit_params,
        )


class StoppedEarlyClassifier(LGBMClassifier):
    """:class:`lightgbm.LGBMClassifier` stopped early from :data:`EARLY_STOPPING_FROM` rows on."""

    def fit(self, X: Any, y: Any, **fit_params: Any) -> StoppedEarlyClassifier:  # type: ignore[override]
        _fit_stopping_early(self, super().fit, X, y, fit_params)
        return self


class StoppedEarlyRegressor(LGBMRegressor):
    """:class:`lightgbm.LGBMRegressor` stopped early from :data:`EARLY_STOPPING_FROM` rows on."""

    def fit(self, X: Any, y: Any, **fit_params: Any) -> StoppedEarlyRegressor:  # type: ignore[override]
        _fit_stopping_early(self, super().fit, X, y, fit_params)
        return self
