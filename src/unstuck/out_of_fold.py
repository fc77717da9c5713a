"""Out-of-fold predictions of a baseline on train: every row scored by a model that never saw it.

Shared by the checks that judge train's own rows (the label check, the train-dev error of a
small train) and computed once per diagnosis (:attr:`unstuck.context.Context.out_of_fold`).
The same fold models also predict another split (dev) on request, so that an error on
train's rows and on dev's can be compared like for like (:class:`OutOfFold`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.baselines import make_baseline

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.problem import Problem

__all__ = [
    "FEWER_FOLDS_FROM",
    "FOLDS_IN_PROCESSES_FROM",
    "SMALL_TRAIN_FOLDS",
    "OutOfFold",
    "out_of_fold",
    "out_of_fold_proba",
]

#: From this many training rows on, out-of-fold predictions use 3 folds instead of 5: each
#: fold's model still trains on at least 13k rows, and the cost falls by 40 %.
SMALL_TRAIN_FOLDS = 10
FEWER_FOLDS_FROM = 20_000
#: From this many training rows on, the out-of-fold folds are fitted in worker processes, one
#: LightGBM thread each (as :mod:`unstuck.fits` does for the curve and the sweeps).
FOLDS_IN_PROCESSES_FROM = 20_000


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold predictions on train, and what the same fold models predict on another split.

    ``train``: class probabilities, shape (n_train, n_classes), classes sorted as
    ``problem.classes`` (regression: predictions, shape (n_train, 1)). ``elsewhere``: one array
    per fold model, each shaped like ``train`` but over the rows of the other split (empty
    when none was asked for). The fold models' errors on that split are errors of models
    fitted on exactly the rows the out-of-fold errors come from, so the two compare like for
    like: a model's fold-sized error, measured on train's own rows and on another split's.
    """

    train: NDArray[np.float64]
    elsewhere: tuple[NDArray[np.float64], ...] = ()


def out_of_fold_proba(
    problem: Problem,
    model_name: str,
    *,
    folds: int | None = None,
    backend: str = "local",
    on_step: Callable[[str], None] | None = None,
) -> NDArray[np.float64]:
    """Out-of-fold class probabilities on train, shape (n_train, n_classes), classes sorted as
    ``problem.classes``; regression gives out-of-fold predictions, shape (n_train, 1).

    ``folds`` defaults to 5, or 3 from :data:`FEWER_FOLDS_FROM` training rows on. With
    ``backend="ray"`` the folds are fitted as tasks on the Ray session (see
    :func:`unstuck.fits.ray_session`); each fold's model is the same as on the local backend.
    """
    return out_of_fold(problem, model_name, folds=folds, backend=backend, on_step=on_step).train


def out_of_fold(
    problem: Problem,
    model_name: str,
    *,
    folds: int | None = None,
    backend: str = "local",
    on_step: Callable[[str], None] | None = None,
    elsewhere: pd.DataFrame | None = None,
) -> OutOfFold:
    """:func:`out_of_fold_proba`'s predictions, and each fold model's on the rows of ``elsewhere``
    (a frame with the problem's features), at the cost of one prediction per fold."""
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

    train = problem.frames["train"]
    if folds is None:
        folds = 3 if len(train) >= FEWER_FOLDS_FROM else 5
        if problem.train_dev_from_folds:
            # these predictions also measure the train-dev error of a small train: ten folds fit on
            # 90% of the rows, so that error is less inflated by the smaller fits than with five
            folds = SMALL_TRAIN_FOLDS
    x, y = train[list(problem.features)], train[problem.target].to_numpy()
    other = None if elsewhere is None else elsewhere[list(problem.features)]
    model = make_baseline(model_name, problem.task, x, seed=problem.seed, text_columns=problem.text_columns)
    if problem.task == "classification":
        smallest = int(train[problem.target].value_counts().min())
        k = max(2, min(folds, smallest))
        splitter: Any = StratifiedKFold(k, shuffle=True, random_state=problem.seed)
        if smallest < 2:
            splitter = KFold(folds, shuffle=True, random_state=problem.seed)
    else:
        splitter = KFold(folds, shuffle=True, random_state=problem.seed)
    if on_step is not None:
        label = model_name.replace("_", " ")
        on_step(
            f"out-of-fold predictions: {splitter.get_n_splits()} fits of the {label} baseline on {len(train):,} rows"
        )
    method = "predict_proba" if problem.task == "classification" else "predict"
    if backend == "ray":
        predicted, others = _folds_on_ray(model, x, y, splitter, method, other)
    elif len(train) >= FOLDS_IN_PROCESSES_FROM:
        predicted, others = _folds_in_processes(model, x, y, splitter, method, other)
    elif other is None:
        predicted, others = cross_val_predict(model, x, y, cv=splitter, method=method), ()
    else:
        folds_ = list(splitter.split(x, y))
        results = [_fit_fold(model, x, y, fit, held, method, other) for fit, held in folds_]
        predicted, others = _assemble(folds_, results, y, method)
    if problem.task == "classification":
        return OutOfFold(np.asarray(predicted, dtype=np.float64), others)
    return OutOfFold(np.asarray(predicted, dtype=np.float64).reshape(-1, 1), tuple(o.reshape(-1, 1) for o in others))


def _fit_fold(
    model: Any,
    x: pd.DataFrame,
    y: NDArray[Any],
    fit_rows: NDArray[np.int64],
    held_out: NDArray[np.int64],
    method: str,
    other: pd.DataFrame | None = None,
) -> tuple[NDArray[Any], NDArray[Any] | None, NDArray[Any] | None]:
    """Fit a clone of ``model`` on ``fit_rows``; its ``method`` on ``held_out`` (and its classes, if
    any), and on the rows of ``other`` when given."""
    from sklearn.base import clone

    fitted = clone(model).fit(x.iloc[fit_rows], y[fit_rows])
    classes = getattr(fitted, "classes_", None)
    predict = getattr(fitted, method)
    return (
        np.asarray(predict(x.iloc[held_out])),
        None if classes is None else np.asarray(classes),
        None if other is None else np.asarray(predict(other)),
    )


def _folds_on_ray(
    model: Any, x: pd.DataFrame, y: NDArray[Any], splitter: Any, method: str, other: pd.DataFrame | None
) -> tuple[NDArray[Any], tuple[NDArray[np.float64], ...]]:
    """``cross_val_predict(model, x, y, cv=splitter, method=method)``, each fold a Ray task (one CPU);
    and each fold model's predictions on ``other``."""
    import ray

    task = ray.remote(num_cpus=1, max_retries=1)(_fit_fold)
    x_ref, y_ref = ray.put(x), ray.put(y)
    other_ref = None if other is None else ray.put(other)
    folds = list(splitter.split(x, y))
    results = ray.get([task.remote(model, x_ref, y_ref, fit, held, method, other_ref) for fit, held in folds])
    return _assemble(folds, results, y, method)


def _folds_in_processes(
    model: Any, x: pd.DataFrame, y: NDArray[Any], splitter: Any, method: str, other: pd.DataFrame | None
) -> tuple[NDArray[Any], tuple[NDArray[np.float64], ...]]:
    """``cross_val_predict(model, x, y, cv=splitter, method=method)``, the folds in worker processes;
    and each fold model's predictions on ``other``.

    Each fold's LightGBM runs on one thread: independent fits in separate processes scale
    where threads of one fit wait for each other, and starve when another process competes
    for the cores (see :mod:`unstuck.fits`). With ``deterministic`` and row-wise histograms the
    model does not depend on its thread count, so the predictions are scikit-learn's exactly.
    """
    from joblib import Parallel, delayed  # type: ignore[import-untyped]

    from unstuck.workers import PARALLEL_FROM, workers_for

    folds = list(splitter.split(x, y))
    booster = model.steps[-1][1] if hasattr(model, "steps") else model
    if "n_jobs" in booster.get_params():
        booster.set_params(n_jobs=1)
    workers = workers_for(PARALLEL_FROM, len(folds))
    results = Parallel(n_jobs=workers, backend="loky")(
        delayed(_fit_fold)(model, x, y, fit, held, method, other) for fit, held in folds
    )
    return _assemble(folds, results, y, method)


def _assemble(
    folds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    results: list[tuple[NDArray[Any], NDArray[Any] | None, NDArray[Any] | None]],
    y: NDArray[Any],
    method: str,
) -> tuple[NDArray[Any], tuple[NDArray[np.float64], ...]]:
    """The held-out predictions of every fold in row order, as ``cross_val_predict`` returns them:
    probability columns follow the sorted classes of ``y``, and a class a fold's model never saw
    gets 0 there; and each fold model's predictions on the other split, columns aligned the same way."""
    others: list[NDArray[np.float64]] = []
    if method == "predict_proba":
        classes = np.unique(y)
        out = np.zeros((len(y), len(classes)), dtype=np.float64)
        for (_, held), (proba, seen, elsewhere) in zip(folds, results, strict=True):
            assert seen is not None  # a classifier has classes
            columns = np.searchsorted(classes, seen)
            out[np.ix_(held, columns)] = proba
            if elsewhere is not None:
                aligned = np.zeros((len(elsewhere), len(classes)), dtype=np.float64)
                aligned[:, columns] = elsewhere
                others.append(aligned)
        return out, tuple(others)
    predicted = np.empty(len(y), dtype=np.float64)
    for (_, held), (values, _, elsewhere) in zip(folds, results, strict=True):
        predicted[held] = values
        if elsewhere is not None:
            others.append(np.asarray(elsewhere, dtype=np.float64))
    return predicted, tuple(others)
