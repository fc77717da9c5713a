"""Error metrics and their bootstrap uncertainty.

Every metric here is "an error": lower is better, and a gap between two
errors is what the decomposition reads. The bootstrap resamples rows of one
split; a gap between two independent splits gets the interval of the
difference of their bootstrap draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.errors import ConfigError
from unstuck.units import metric_gap, metric_value

__all__ = [
    "METRICS",
    "MULTINOMIAL_MAX_DISTINCT",
    "ErrorEstimate",
    "Metric",
    "bootstrap_means",
    "error_rate_draws",
    "estimate_error",
    "gap_interval",
    "metric_for",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Metric:
    """An error metric: ``name``, the task it fits, and how per-row losses aggregate.

    ``aggregate`` is ``"mean"`` (error rate, MAE: the mean of per-row losses) or
    ``"root_mean"`` (RMSE: the square root of the mean of squared errors).
    """

    name: str
    task: str
    aggregate: str
    description: str
    lower_is_better: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "lower_is_better": self.lower_is_better}

    def row_losses(self, y_true: NDArray[Any], y_pred: NDArray[Any]) -> FloatArray:
        """Per-row loss, shape (n,): 0/1 for error rate, |e| for MAE, e² for RMSE."""
        if self.task == "classification":
            return np.asarray(np.asarray(y_true) != np.asarray(y_pred), dtype=np.float64)
        diff = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
        return np.asarray(np.abs(diff) if self.name == "mae" else diff**2, dtype=np.float64)

    def from_losses(self, losses: FloatArray) -> float:
        """Aggregate per-row losses into the metric value."""
        mean = float(np.mean(losses))
        return float(np.sqrt(mean)) if self.aggregate == "root_mean" else mean

    def format(self, value: float | None) -> str:
        """A value for people: ``4.1%`` for error rates, 3 significant digits otherwise."""
        if value is None:
            return "unknown"
        return metric_value(self.name, value)

    def format_gap(self, value: float) -> str:
        """A difference for people: ``4.1 points`` for error rates, 3 significant digits otherwise."""
        return metric_gap(self.name, value)

    def __call__(self, y_true: NDArray[Any], y_pred: NDArray[Any]) -> float:
        return self.from_losses(self.row_losses(y_true, y_pred))


METRICS: dict[str, Metric] = {
    "error_rate": Metric("error_rate", "classification", "mean", "share of rows misclassified"),
    "rmse": Metric("rmse", "regression", "root_mean", "root mean squared error, in target units"),
    "mae": Metric("mae", "regression", "mean", "mean absolute error, in target units"),
}


def metric_for(task: str, name: str | None) -> Metric:
    """The metric called ``name`` (default: error_rate / rmse), checked against ``task``."""
    if name is None:
        name = "error_rate" if task == "classification" else "rmse"
    if name not in METRICS:
        raise ConfigError(
            f"Unknown metric '{name}'.",
            f"Choose one of: {', '.join(m for m, v in METRICS.items() if v.task == task)}.",
        )
    metric = METRICS[name]
    if metric.task != task:
        raise ConfigError(
            f"The metric '{name}' is for {metric.task}, but this task is {task}.",
            f"Choose one of: {', '.join(m for m, v in METRICS.items() if v.task == task)}.",
        )
    return metric


@dataclass(frozen=True)
class ErrorEstimate:
    """An error measured on one split, with its bootstrap draws.

    ``draws`` has shape (n_boot,): the metric on ``n_boot`` resamples of the
    split's rows (with replacement). ``interval`` is the central ``level`` interval.
    """

    value: float
    n: int
    draws: FloatArray
    level: float

    @property
    def interval(self) -> tuple[float, float]:
        tail = (1.0 - self.level) / 2.0
        low, high = np.quantile(self.draws, [tail, 1.0 - tail])
        return float(low), float(high)


def estimate_error(
    metric: Metric,
    y_true: NDArray[Any],
    y_pred: NDArray[Any],
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> ErrorEstimate:
    """Measure ``metric`` on one split, with draws of its uncertainty.

    An error rate's draws come from its Jeffreys posterior (:func:`error_rate_draws`); other
    metrics bootstrap the rows (resampled with replacement, in chunks so that memory stays
    at O(chunk × n) whatever ``n_boot``).
    """
    losses = metric.row_losses(y_true, y_pred)
    if losses.shape[0] == 0:
        raise ValueError("cannot estimate an error on an empty split")
    if metric.name == "error_rate":
        return ErrorEstimate(
            value=metric.from_losses(losses),
            n=int(losses.shape[0]),
            draws=error_rate_draws(int(losses.sum()), int(losses.shape[0]), n_boot=n_boot, seed=seed),
            level=level,
        )
    means = bootstrap_means(losses, n_boot=n_boot, seed=seed)
    draws = np.sqrt(means) if metric.aggregate == "root_mean" else means
    return ErrorEstimate(value=metric.from_losses(losses), n=int(losses.shape[0]), draws=draws, level=level)


def error_rate_draws(errors: int, n: int, *, n_boot: int = 1000, seed: int = 0) -> FloatArray:
    """Draws of an error rate seen as ``errors`` of ``n`` rows, shape (n_boot,): Jeffreys posterior.

    For large n these match the bootstrap of the 0/1 losses (both are centred on errors/n
    with spread √(p(1−p)/n)). Where the bootstrap fails they stay honest: 0 errors in 20
    rows gives a bootstrap interval of exactly [0, 0], as if 20 rows proved a perfect model,
    while Beta(errors + ½, n − errors + ½) — the Jeffreys interval, with close to nominal
    frequentist coverage at every n and p — gives 0 % to about 12 %.
    """
    rng = np.random.default_rng(seed)
    return np.asarray(rng.beta(errors + 0.5, n - errors + 0.5, size=n_boot), dtype=np.float64)


def rate_exceeds(hits: int, n: int, ref_hits: int, ref_n: int, *, seed: int = 0, alpha: float = 0.025) -> bool:
    """Is the rate ``hits / n`` above ``ref_hits / ref_n`` beyond noise (Jeffreys draws of both,
    the ``alpha`` quantile of their difference above zero: a one-sided test at level ``alpha``)?"""
    if n == 0 or ref_n == 0:
        return False
    draws = max(2000, int(20 / alpha))  # enough draws in the tail that the quantile is stable
    diff = error_rate_draws(hits, n, n_boot=draws, seed=seed) - error_rate_draws(
        ref_hits, ref_n, n_boot=draws, seed=seed + 1
    )
    return bool(np.quantile(diff, alpha) > 0.0)


#: Up to this many distinct values, bootstrap means are drawn from the multinomial counts.
MULTINOMIAL_MAX_DISTINCT = 64


def bootstrap_means(values: FloatArray, *, n_boot: int = 1000, seed: int = 0) -> FloatArray:
    """Means of ``n_boot`` resamples (with replacement) of ``values``, shape (n_boot,).

    When ``values`` take few distinct values (0/1 losses of an error rate), a resample is
    fully described by how many times it draws each value, which is multinomial: the
    means are drawn that way, exactly and in O(n_boot · distinct) time. Otherwise
    resampling runs in chunks so that memory stays near 16 MB whatever ``n_boot`` and n.
    """
    n = int(values.shape[0])
    rng = np.random.default_rng(seed)
    distinct, counts = np.unique(values, return_counts=True)
    if n > 0 and distinct.size <= MULTINOMIAL_MAX_DISTINCT:
        draws = rng.multinomial(n, counts / n, size=n_boot)
        return np.asarray(draws @ distinct / n, dtype=np.float64)
    means = np.empty(n_boot, dtype=np.float64)
    chunk = max(1, min(n_boot, 2_000_000 // max(n, 1)))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        means[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return means


def gap_interval(upper: ErrorEstimate, lower: ErrorEstimate | float, level: float = 0.95) -> tuple[float, float]:
    """Interval of ``upper − lower`` from independent bootstrap draws (or a constant ``lower``)."""
    if isinstance(lower, ErrorEstimate):
        size = min(upper.draws.shape[0], lower.draws.shape[0])
        diff = upper.draws[:size] - lower.draws[:size]
    else:
        diff = upper.draws - float(lower)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(diff, [tail, 1.0 - tail])
    return float(low), float(high)
