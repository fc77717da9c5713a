"""One run read for judging: its curves in loss and metric units, and how its verdicts are written.

The rules (``rules_*.py``) take a :class:`Run`, never a raw log: the series are looked up,
converted to the problem metric's units and block-averaged here, once. A rule's verdict is an
:class:`~unstuck.findings.Finding` of the check ``training_log.<kind>`` (:func:`verdict`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.findings import Finding, Severity
from unstuck.training_log.numerics import FloatArray, blocks, value_at
from unstuck.units import metric_gap, metric_value

if TYPE_CHECKING:
    from unstuck.training_log.readers import TrainingLog

__all__ = ["CHECK", "KINDS", "ErrorSeries", "Run", "Series", "error_series", "read_run", "verdict"]

#: The check that reads the logs; each rule is the check ``CHECK.<kind>``, the comparison of runs ``CHECK.runs``.
CHECK = "training_log"

#: Verdict kinds on one run, most urgent first (the order of ``primary_kind``).
KINDS: tuple[str, ...] = (
    "divergence",
    "pipeline_bug",
    "instability",
    "overfitting",
    "lr_too_low",
    "underfitting",
    "still_improving",
    "saturated_early",
)

Series = tuple[FloatArray, FloatArray]
#: A curve in the problem metric's units and the log column it came from.
ErrorSeries = tuple[FloatArray, FloatArray, str]


@dataclass(frozen=True)
class Run:
    """One run's curves, as every rule reads them.

    ``train``/``dev``: the raw loss curves (steps, values), when logged. ``primary``: the
    train loss, else the dev loss (readers guarantee one of them). ``dense_primary`` and
    ``dense_train``: the same block-averaged (:func:`~unstuck.training_log.numerics.blocks`),
    what every rule after divergence judges. ``train_err``/``dev_err``: the curves in the
    problem metric's units, when the log has them.
    """

    log: TrainingLog
    metric: str
    human_error: float | None
    n_classes: int | None
    train: Series | None
    dev: Series | None
    train_err: ErrorSeries | None
    dev_err: ErrorSeries | None
    primary: Series
    primary_name: str
    dense_primary: Series
    dense_train: Series | None

    @property
    def unit(self) -> str:
        return self.log.step_unit

    def where(self, step: float) -> str:
        return f"{self.unit} {step:g}"

    def lr_at(self, step: float) -> float | None:
        if not self.log.has("lr"):
            return None
        t, v = self.log.series("lr")
        return value_at(t, v, step)

    def fmt_metric(self, value: float) -> str:
        return metric_value(self.metric, value)

    def fmt_gap(self, value: float) -> str:
        return metric_gap(self.metric, value)

    def summary(self) -> dict[str, Any]:
        """JSON-able first, last and lowest values of each curve, for the report's section."""
        out: dict[str, Any] = {"step_unit": self.unit, "points": len(self.log.frame)}
        for name, series in (("train_loss", self.train), ("dev_loss", self.dev)):
            if series is not None:
                out[name] = _summary(*series)
        for name, err in (("train_error", self.train_err), ("dev_error", self.dev_err)):
            if err is not None:
                out[name] = {**_summary(err[0], err[1]), "column": err[2]}
        return out


def read_run(
    log: TrainingLog, *, metric: str = "error_rate", human_error: float | None = None, n_classes: int | None = None
) -> Run:
    """``log``'s curves for the rules; ``metric`` is the problem's (``error_rate``, ``rmse``, ``mae``)."""
    train = log.series("train_loss") if log.has("train_loss") else None
    dev = log.series("dev_loss") if log.has("dev_loss") else None
    primary, primary_name = (train, "train loss") if train is not None else (dev, "dev loss")
    assert primary is not None  # readers guarantee a loss with ≥ 2 points
    return Run(
        log=log,
        metric=metric,
        human_error=human_error,
        n_classes=n_classes,
        train=train,
        dev=dev,
        train_err=error_series(log, "train", metric),
        dev_err=error_series(log, "dev", metric),
        primary=primary,
        primary_name=primary_name,
        dense_primary=blocks(*primary),
        dense_train=blocks(*train) if train is not None else None,
    )


def verdict(
    kind: str,
    severity: Severity,
    title: str,
    lever: str | None = None,
    bottleneck: str | None = None,
    evidence: dict[str, Any] | None = None,
    expected_gain: float | None = None,
) -> Finding:
    """A rule's finding: the id and check ``training_log.<kind>`` (the run's name is added by the check)."""
    name = f"{CHECK}.{kind}"
    return Finding(
        id=name,
        check=name,
        severity=severity,
        title=title,
        lever=lever,
        evidence=evidence if evidence is not None else {},
        bottleneck=bottleneck,
        expected_gain=expected_gain,
    )


def error_series(log: TrainingLog, split: str, metric: str) -> ErrorSeries | None:
    """The ``split``'s curve in the problem metric's units, and the column it came from.

    ``error_rate``: ``<split>_error``, or ``1 − <split>_accuracy``; ``rmse``:
    ``<split>_rmse``, or ``√<split>_mse``; ``mae``: ``<split>_mae``. None when absent.
    """
    candidates: dict[str, tuple[tuple[str, Any], ...]] = {
        "error_rate": ((f"{split}_error", lambda v: v), (f"{split}_accuracy", lambda v: 1.0 - v)),
        "rmse": ((f"{split}_rmse", lambda v: v), (f"{split}_mse", lambda v: np.sqrt(np.abs(v)))),
        "mae": ((f"{split}_mae", lambda v: v),),
    }
    for column, convert in candidates.get(metric, ()):
        if log.has(column):
            t, v = log.series(column)
            return t, np.asarray(convert(v), dtype=np.float64), column
    return None


def _summary(t: FloatArray, y: FloatArray) -> dict[str, Any]:
    finite = np.isfinite(y)
    out: dict[str, Any] = {"points": len(y), "first": float(y[0]), "last": float(y[-1])}
    if finite.any():
        i = int(np.argmin(np.where(finite, y, np.inf)))
        out.update(min=float(y[i]), min_step=float(t[i]))
    out["non_finite"] = int((~finite).sum())
    return out
