"""Calibrated where probabilities are given: expected calibration error with an interval.

The top-label ECE: rows are put in ``n_bins`` equal-width bins of the model's confidence
(its highest class probability); ECE = Σ_b (n_b / n) · |accuracy_b − confidence_b|. Its
interval bootstraps the rows. The reliability data (per bin: rows, mean confidence,
accuracy) is what a reliability plot draws. The condition fails when the interval's lower
end is above the allowed ECE: an over-confidence (or under-confidence) beyond noise, since
ECE on a finite sample is biased upward and a point estimate alone would fail sound models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate.inputs import GateInputs
    from unstuck.gate.settings import GateSettings

__all__ = ["Calibration", "calibration_condition", "expected_calibration_error", "measure_calibration"]

FAMILY = "calibration"
N_BINS = 10
N_BOOT = 500
WHY = (
    "downstream decisions (thresholds, a cascade that defers to a bigger model, a human review queue) read the "
    "probabilities as chances; an over-confident model makes them wrong without any error-rate change"
)


def _bins(confidence: NDArray[np.float64], n_bins: int) -> NDArray[np.int64]:
    return np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)


def expected_calibration_error(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], n_bins: int = N_BINS
) -> float:
    """Top-label ECE of rows with ``confidence`` (shape (n,), in [0, 1]) and ``correct`` (shape (n,))."""
    bins = _bins(confidence, n_bins)
    conf = np.bincount(bins, weights=confidence, minlength=n_bins)
    acc = np.bincount(bins, weights=correct.astype(np.float64), minlength=n_bins)
    # Σ_b (n_b / n)·|acc_b − conf_b| with per-bin sums: Σ_b |Σ correct − Σ confidence| / n
    return float(np.sum(np.abs(acc - conf)) / max(len(confidence), 1))


@dataclass(frozen=True)
class Calibration:
    """ECE with its interval, and the reliability table (one dict per non-empty bin)."""

    ece: float
    interval: tuple[float, float]
    reliability: list[dict[str, float]]
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"ece": self.ece, "interval": list(self.interval), "reliability": self.reliability, "rows": self.n}


def measure_calibration(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], *, level: float = 0.95, seed: int = 0
) -> Calibration:
    """ECE, its bootstrap interval (rows resampled) and the reliability table."""
    n = len(confidence)
    rng = np.random.default_rng(seed)
    draws = np.empty(N_BOOT)
    for b in range(N_BOOT):
        pick = rng.integers(0, n, size=n)
        draws[b] = expected_calibration_error(confidence[pick], correct[pick])
    tail = (1.0 - level) / 2.0
    low, high = (float(v) for v in np.quantile(draws, [tail, 1.0 - tail]))
    bins = _bins(confidence, N_BINS)
    table = []
    for b in range(N_BINS):
        inside = bins == b
        if inside.any():
            table.append(
                {
                    "low": b / N_BINS,
                    "high": (b + 1) / N_BINS,
                    "rows": int(inside.sum()),
                    "confidence": float(confidence[inside].mean()),
                    "accuracy": float(correct[inside].mean()),
                }
            )
    return Calibration(expected_calibration_error(confidence, correct), (low, high), table, n)


def calibration_condition(inputs: GateInputs, settings: GateSettings) -> GateCondition:
    """The candidate's test ECE against ``settings.max_ece``."""
    name = "calibration"
    test = inputs.test
    if inputs.metric.task != "classification":
        return GateCondition(name, FAMILY, NOT_CHECKED, "not checked: a regression model gives no probabilities", WHY)
    if test.proba is None:
        return GateCondition(
            name, FAMILY, NOT_CHECKED, "not checked: the predictions file has no proba_<class> columns", WHY
        )
    proba = np.asarray(test.proba, dtype=np.float64)
    confidence = np.clip(proba.max(axis=1), 0.0, 1.0)
    predicted = np.asarray(test.classes, dtype=object)[proba.argmax(axis=1)]
    correct = np.asarray(predicted.astype(str) == np.asarray(test.y_true).astype(str))
    found = measure_calibration(confidence, correct, level=1.0 - settings.significance, seed=inputs.problem.seed)
    low, high = found.interval
    failed = low > settings.max_ece
    over = float(np.mean(confidence) - np.mean(correct))
    summary = (
        f"expected calibration error {found.ece:.3f} ({percent(1 - settings.significance, 0)} interval "
        f"{low:.3f}–{high:.3f}; mean confidence {percent(np.mean(confidence))}, accuracy {percent(np.mean(correct))})"
        + (
            f": above {settings.max_ece:g} beyond noise, the model is "
            + ("over-confident" if over > 0 else "under-confident")
            if failed
            else f": not above {settings.max_ece:g} beyond noise"
        )
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if failed else PASS,
        summary,
        WHY,
        measured=found.ece,
        threshold=settings.max_ece,
        detail={**found.to_dict(), "mean_confidence": float(np.mean(confidence)), "accuracy": float(np.mean(correct))},
    )
