"""Planted training curves: one generator per pathology, for the tests and the benchmark.

``planted_log(kind, seed)`` returns a :class:`TrainingLog` (columns ``epoch``,
``train_loss``, ``val_loss``, ``train_acc``, ``val_acc``) whose curves carry the
pathology ``kind`` (one of ``PLANTED``) and nothing else, with random shape
parameters and noise drawn from ``seed``. Human-level error for every planted
run is ``HUMAN_ERROR``; only ``underfitting`` plateaus far above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from unstuck.training_log.readers import TrainingLog

__all__ = ["HUMAN_ERROR", "PLANTED", "planted_curves", "planted_log"]

HUMAN_ERROR = 0.02
PLANTED: tuple[str, ...] = (
    "healthy",
    "divergence",
    "instability",
    "overfitting",
    "lr_too_low",
    "underfitting",
    "still_improving",
    "saturated_early",
    "pipeline_bug",
)

FloatArray = NDArray[np.float64]


def _decay(t: FloatArray, n: int, start: float, floor: float, at: float) -> FloatArray:
    """Exponential decay from ``start`` to ``floor`` reaching 99 % of the drop at ``at`` × n."""
    tau = at * n / 4.6
    return floor + (start - floor) * np.exp(-(t - 1) / tau)


def planted_curves(kind: str, seed: int, noise_scale: float = 1.0) -> dict[str, FloatArray]:
    """The raw columns of a planted run (see the module docstring).

    Multiplicative noise on the losses is 0.5–2 % (× ``noise_scale``) of their level.
    """
    if kind not in PLANTED:
        raise ValueError(f"unknown planted kind {kind!r}; choose from {PLANTED}")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 101))
    t = np.arange(1, n + 1, dtype=np.float64)
    start = float(np.log(10) * rng.uniform(0.9, 1.1))
    floor = float(rng.uniform(0.02, 0.2))
    noise = float(rng.uniform(0.005, 0.02)) * noise_scale
    train_err_floor = HUMAN_ERROR + float(rng.uniform(0.0, 0.01))
    gap = float(rng.uniform(0.05, 0.2))
    at = float(rng.uniform(0.55, 0.8))

    train = _decay(t, n, start, floor, at)
    dev = train + gap * (1 - np.exp(-(t - 1) / (at * n / 4.6)))
    if kind == "saturated_early":
        at = float(rng.uniform(0.1, 0.3))
        train = _decay(t, n, start, floor, at)
        dev = train + gap * (1 - np.exp(-(t - 1) / (at * n / 4.6)))
    elif kind == "still_improving":
        c = float(rng.uniform(0.3, 0.7))
        train = floor + (start - floor) * t ** (-c)
        dev = train + gap
    elif kind == "lr_too_low":
        rate = float(rng.uniform(0.05, 0.3))
        train = start * (1 - rate * (t - 1) / n)
        dev = train + gap * 0.2
        noise = min(noise, 0.004 * noise_scale)
    elif kind == "overfitting":
        best = int(n * rng.uniform(0.3, 0.6))
        rise = float(rng.uniform(0.1, 0.4))
        train = _decay(t, n, start, floor * 0.2, at * 0.8)
        dev_best = float(_decay(np.array([float(best)]), n, start, floor, at * 0.8)[0]) + gap
        base = _decay(t, n, start, floor, at * 0.8) + gap
        dev = np.where(t <= best, base, dev_best + rise * dev_best * (t - best) / (n - best))
    elif kind == "pipeline_bug":
        if rng.random() < 0.5:
            train = start * (1 + rng.uniform(0.1, 0.3) * (t - 1) / n)
        else:
            train = start * np.ones_like(t)
        dev = train + 0.01
    elif kind == "divergence":
        at_step = int(n * rng.uniform(0.3, 0.8))
        growth = float(rng.uniform(0.3, 0.8))
        blowup = np.where(t > at_step, np.exp(growth * (t - at_step)), 1.0)
        train = train * blowup
        dev = dev * blowup
        if rng.random() < 0.5:
            train = np.where(t > at_step + 3, np.nan, train)
            dev = np.where(t > at_step + 3, np.nan, dev)

    train = train * (1 + noise * rng.standard_normal(n))
    dev = dev * (1 + 0.5 * noise * rng.standard_normal(n))
    if kind == "instability":
        spikes = rng.choice(np.arange(n // 5, n), size=int(rng.integers(3, 8)), replace=False)
        train[spikes] *= 1 + rng.uniform(1.0, 3.0, size=len(spikes))
        dev[spikes] *= 1 + rng.uniform(0.5, 1.5, size=len(spikes))

    # Errors follow the losses: an affine map from each loss's range to [floor, 0.9].
    def to_error(loss: FloatArray, low: float) -> FloatArray:
        finite = np.where(np.isfinite(loss), loss, np.nan)
        lo, hi = np.nanmin(finite), np.nanmax(finite)
        return np.asarray(np.clip(low + (0.9 - low) * (loss - lo) / max(hi - lo, 1e-9), 0.0, 1.0), dtype=np.float64)

    train_floor = float(rng.uniform(0.15, 0.3)) if kind == "underfitting" else train_err_floor
    train_err = to_error(train, train_floor)
    dev_err = to_error(dev, train_floor + gap / 4)
    if kind == "pipeline_bug":
        dev_err = np.clip(0.9 + 0.005 * rng.standard_normal(n), 0.0, 1.0)
    return {
        "epoch": t,
        "train_loss": train,
        "val_loss": dev,
        "train_acc": 1 - train_err,
        "val_acc": 1 - dev_err,
    }


def planted_log(kind: str, seed: int, noise_scale: float = 1.0) -> TrainingLog:
    """A :class:`TrainingLog` with the planted pathology ``kind`` (see ``planted_curves``)."""
    import pandas as pd

    from unstuck.training_log.readers import log_from_frame

    frame = pd.DataFrame(planted_curves(kind, seed, noise_scale))
    return log_from_frame(frame, name=f"{kind}_{seed}", source=f"planted:{kind}:{seed}", format="planted")
