"""The numerics under the training-curve rules: smoothing, block averages, line fits, tail forecasts.

Pure functions of arrays; the rules (``rules_*.py``) decide what the numbers mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BLOCK_POINTS",
    "FORECAST_FACTORS",
    "FloatArray",
    "blocks",
    "fit_line",
    "forecast_tail",
    "mad",
    "smooth",
    "spearman",
    "trend_min",
    "value_at",
    "window",
]

FloatArray = NDArray[np.float64]

#: Dense curves are block-averaged to about this many points before the rules judge their noise.
BLOCK_POINTS = 100
FORECAST_FACTORS = (2.0, 4.0)


def window(n: int) -> int:
    """Odd median-filter width: n/10, at least 5 and at most 51 (never more than n)."""
    w = max(5, min(51, n // 10))
    w = w if w % 2 else w + 1
    while w > n:
        w -= 2
    return max(w, 1)


def smooth(values: FloatArray) -> FloatArray:
    """Running median (width ``window(n)``, edges held): the trend of a noisy curve."""
    from scipy.ndimage import median_filter

    return np.asarray(median_filter(values, size=window(len(values)), mode="nearest"), dtype=np.float64)


def trend_min(values: FloatArray) -> float:
    """The lowest point of the trend: the smallest median over full windows of ``window(n)`` points.

    Unlike :func:`smooth` at its ends, no window here counts one value several times, so a
    single lucky evaluation (the first one, say) cannot become the trend's minimum.
    """
    w = window(len(values))
    if len(values) < w or w < 3:
        return float(np.median(values))
    from numpy.lib.stride_tricks import sliding_window_view

    return float(np.min(np.median(sliding_window_view(values, w), axis=1)))


def mad(values: FloatArray) -> float:
    """Robust standard deviation: 1.4826 × median absolute deviation."""
    if len(values) == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def fit_line(x: FloatArray, y: FloatArray) -> tuple[float, float, float]:
    """Least-squares line: (slope, t-statistic of the slope, R²); t is ±inf for an exact fit."""
    if len(x) < 3 or np.ptp(x) == 0:
        return 0.0, 0.0, 0.0
    xc = x - x.mean()
    slope = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    resid = y - (y.mean() + slope * xc)
    ss_res = float(np.dot(resid, resid))
    ss_tot = float(np.dot(y - y.mean(), y - y.mean()))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
    stderr = math.sqrt(ss_res / (len(x) - 2) / float(np.dot(xc, xc)))
    scale = max(abs(slope), 1.0) * 1e-12
    t = slope / stderr if stderr > scale else math.copysign(math.inf, slope) if slope else 0.0
    return slope, t, r2


def value_at(t: FloatArray, y: FloatArray, step: float) -> float:
    """The value of a curve at ``step`` (linear interpolation, held at the ends)."""
    return float(np.interp(step, t, y))


def forecast_tail(t: FloatArray, y: FloatArray, factors: Sequence[float] = FORECAST_FACTORS) -> dict[str, Any] | None:
    """Fit the tail of a decreasing curve and forecast it for runs N× longer.

    ``x`` is the step rescaled so that the run's last step is 1; the fit uses the
    second half of the run (``x ≥ 0.5``, at least 6 points), the part that says how
    training ends. Two saturating families are fitted by least squares and the one
    with the smaller residual sum of squares is kept:

    * power law ``L(x) = a + b·x^(−c)`` (slow, heavy-tailed improvement), and
    * exponential ``L(x) = a + b·exp(−x/τ)`` (converging runs).

    Returns the family, its parameters, the fitted value now (``L(1)``) and, per
    factor N, the forecast ``L(N)`` and the gain ``L(1) − L(N)`` (≥ 0); None when
    neither fit succeeds. ``a`` is bounded below by 0 when every value is
    non-negative (losses and errors cannot go below 0).
    """
    from scipy.optimize import curve_fit

    finite = np.isfinite(y)
    t, y = t[finite], y[finite]
    if len(t) < 6:
        return None
    spacing = float(np.median(np.diff(t)))
    x = (t - t[0] + spacing) / (t[-1] - t[0] + spacing)
    keep = x >= 0.5
    if keep.sum() < 6:
        keep = np.arange(len(x)) >= len(x) - 6
    x, yk = x[keep], y[keep]

    def power(xx: FloatArray, a: float, b: float, c: float) -> FloatArray:
        return np.asarray(a + b * np.power(xx, -c), dtype=np.float64)

    def exponential(xx: FloatArray, a: float, b: float, tau: float) -> FloatArray:
        return np.asarray(a + b * np.exp(-xx / tau), dtype=np.float64)

    low_a = 0.0 if (y >= 0).all() else -np.inf
    top = float(yk.min())
    span = max(float(yk.max() - top), 1e-9)
    start_a = top - 0.5 * span if not np.isfinite(low_a) else max(low_a, top - 0.5 * span)
    start_a = min(start_a, top - 1e-9)
    fits = []
    for name, model, p0, upper in (
        ("power", power, (start_a, span, 1.0), 5.0),
        ("exponential", exponential, (start_a, span * 2.0, 0.3), 10.0),
    ):
        try:
            params, _ = curve_fit(model, x, yk, p0=p0, bounds=([low_a, 0.0, 0.01], [top, np.inf, upper]), maxfev=20000)
        except (RuntimeError, ValueError):
            continue
        sse = float(np.sum((model(x, *params) - yk) ** 2))
        fits.append((sse, name, model, params))
    if not fits:
        return None
    sse, name, model, params = min(fits, key=lambda f: f[0])
    now = float(model(np.array([1.0]), *params)[0])
    out: dict[str, Any] = {
        "family": name,
        "params": [float(p) for p in params],
        "fitted_now": now,
        "fit_points": len(x),
        "forecasts": {},
    }
    for factor in factors:
        later = float(model(np.array([float(factor)]), *params)[0])
        out["forecasts"][f"{factor:g}x"] = {"value": later, "gain": max(0.0, now - later)}
    return out


def blocks(t: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A dense curve averaged in consecutive blocks to about :data:`BLOCK_POINTS` points.

    A loss logged every step (or every few) is a minibatch's loss: its noise is sampling, not
    instability. Averaging b consecutive points divides that noise by about √b while a real
    instability — the trend jumping up and staying up for a while — survives, as it does in a
    per-epoch log. Curves with fewer points are returned as they are.
    """
    size, usable = block_size(len(y))
    if size < 2:
        return t, y
    return t[:usable].reshape(-1, size).mean(axis=1), y[:usable].reshape(-1, size).mean(axis=1)


def block_size(n: int) -> tuple[int, int]:
    """The points per block of :func:`blocks` for a curve of ``n`` points, and how many leading points
    fill whole blocks (the rest are left out)."""
    size = n // BLOCK_POINTS
    return size, (size * (n // size) if size else n)


def spearman(x: FloatArray, y: FloatArray) -> float:
    from scipy.stats import spearmanr

    if len(x) < 3 or np.ptp(y) == 0:
        return 0.0
    return float(spearmanr(x, y).statistic)
