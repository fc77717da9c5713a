"""Rules for where a run is headed: still improving (train longer), or saturated early (stop earlier).

=============== =========================================================== ==================== ==============
kind            rule                                                        lever                bottleneck
=============== =========================================================== ==================== ==============
still_improving the last quarter's slope is negative and significant        train_longer         avoidable_bias
                (t ≤ −3) and a fitted tail (power law a + b·x^−c or
                exponential a + b·e^(−x/τ), whichever fits the second half
                better) forecasts that 2× the training gains ≥ 1 % of the
                improvement so far; expected gain = the dev error forecast
                at 2× (when the log has the dev metric)
saturated_early 95 % of the improvement was reached in the first 30 % of    —  (info)            —
                the run and the second half changed the loss by < 2 %
=============== =========================================================== ==================== ==============

Both judge the dev loss when the log has it, else the (block-averaged) train loss.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from unstuck.findings import Finding
from unstuck.training_log.numerics import FloatArray, fit_line, forecast_tail, smooth
from unstuck.training_log.run import Run, Series, verdict
from unstuck.units import percent, significant

__all__ = ["improving", "saturated_early", "still_improving"]

IMPROVING_T = -3.0  # the last quarter's slope is this significant ...
IMPROVING_GAIN = 0.01  # ... and 2× the training is forecast to gain ≥ 1 % of the improvement so far
SHORT_RUN_POINTS = 4  # a run of 4-7 points is judged on its last 4: three drops in a row
SATURATED_AT = 0.30  # 95 % of the improvement within the first 30 % of the run
SATURATED_LATE = 0.02  # and the second half changed the loss by < 2 % of the improvement


def _judged(run: Run) -> tuple[Series, str]:
    """The curve these rules read: the raw dev loss when logged, else the block-averaged primary loss."""
    if run.dev is not None:
        return run.dev, "dev loss"
    return run.dense_primary, run.primary_name


def improving(t: FloatArray, y: FloatArray) -> dict[str, Any] | None:
    """Tail statistics and forecast when the curve is still improving at the end, else None.

    Still improving: the last quarter's slope is negative and significant (t ≤ ``IMPROVING_T``)
    and the fitted tail forecasts that training 2× longer gains at least
    ``IMPROVING_GAIN`` of the improvement achieved so far.
    """
    n = len(y)
    if not np.isfinite(y).all():
        return None
    if SHORT_RUN_POINTS <= n < 8:
        return _improving_short(y)
    if n < 8:
        return None
    s = smooth(y)
    total = float(s[0] - s[-1])
    if total <= 0:
        return None
    k = max(4, n // 4)
    slope, tstat, _ = fit_line(t[-k:], y[-k:])
    if slope >= 0 or tstat > IMPROVING_T:
        return None
    forecast = forecast_tail(t, y)
    if forecast is None:
        return None
    gain = float(forecast["forecasts"]["2x"]["gain"])
    if gain < IMPROVING_GAIN * total:
        return None
    return {
        "tail_points": k,
        "tail_slope": slope,
        "tail_t": tstat,
        "total_drop": total,
        "gain_2x_share": gain / total,
        "forecast": forecast,
    }


def _improving_short(y: FloatArray) -> dict[str, Any] | None:
    """Still improving, for a run of a few points (too few to fit a tail): the last
    :data:`SHORT_RUN_POINTS` − 1 steps all fall, and the improvement they point to is material.

    What remains is extrapolated geometrically from the last drops: drops shrinking by a ratio r
    per step leave ``last · r / (1 − r)`` to come (unbounded when they do not shrink); the run is
    still improving when that is at least :data:`IMPROVING_GAIN` of the improvement so far — the
    same share the tail forecast of a longer run must reach. A converged run's drops have
    already shrunk to nothing; a noisy one does not fall at every one of its last steps.
    """
    drops = -np.diff(y[-SHORT_RUN_POINTS:])
    total = float(y[0] - y[-1])
    if total <= 0 or np.any(drops <= 0):
        return None
    ratios = drops[1:] / drops[:-1]
    r = float(np.exp(np.mean(np.log(ratios))))
    remaining = math.inf if r >= 1 else float(drops[-1] * r / (1 - r))
    if remaining < IMPROVING_GAIN * total:
        return None
    return {
        "tail_points": SHORT_RUN_POINTS,
        "tail_slope": -float(drops[-1]),
        "tail_t": -math.inf,
        "total_drop": total,
        "gain_2x_share": min(remaining / total, 1e9),
        "drop_ratio": r,
        "forecast": None,
    }


def still_improving(run: Run) -> Finding | None:
    """The judged loss is still falling at the end and a fitted tail says more training would pay."""
    (t, y), name = _judged(run)
    dev_err = run.dev_err
    tail = improving(t, y)
    if tail is None:
        return None
    forecast = tail.pop("forecast")
    evidence: dict[str, Any] = {"series": name, **tail, "loss_forecast": forecast}
    gain = None
    said = ""
    if forecast is None:  # a short run: no tail to fit, the last drops say it
        ratio = tail["drop_ratio"]
        pace = (
            "and the drops are not shrinking"
            if ratio >= 1
            else f"each drop {ratio:.2f}× the one before: about {percent(tail['gain_2x_share'], 0)} of the improvement "
            "so far is still to come at that pace"
        )
        return verdict(
            "still_improving",
            "warning",
            f"Still improving at the end of a short run: the {name} fell at each of its last "
            f"{tail['tail_points'] - 1} steps, {pace} — train longer (compute-bound)",
            "train_longer",
            "avoidable_bias",
            evidence,
            None,
        )
    if dev_err is not None and len(dev_err[1]) >= 6:
        error_forecast = forecast_tail(dev_err[0], dev_err[1])
        if error_forecast is not None:
            evidence["dev_error_forecast"] = error_forecast
            gain = float(error_forecast["forecasts"]["2x"]["gain"])
            said = (
                f"; a fitted tail forecasts dev error {run.fmt_metric(error_forecast['fitted_now'])} → "
                f"{run.fmt_metric(error_forecast['forecasts']['2x']['value'])} with 2× the training"
            )
    if not said:
        said = (
            f"; a fitted tail forecasts the {name} {significant(forecast['fitted_now'])} → "
            f"{significant(forecast['forecasts']['2x']['value'])} with 2× the training"
        )
    return verdict(
        "still_improving",
        "warning",
        f"Still improving at the end: the {name} is still falling over the last {tail['tail_points']} points "
        f"(t = {tail['tail_t']:.1f}){said} — train longer (compute-bound)",
        "train_longer",
        "avoidable_bias",
        evidence,
        gain,
    )


def saturated_early(run: Run) -> Finding | None:
    """95 % of the improvement came early and the second half changed little: stop earlier."""
    (t, y), name = _judged(run)
    n = len(y)
    if n < 8:
        return None
    s = smooth(y)
    total = float(s[0] - s.min())
    if total <= 0:
        return None
    reached = int(np.argmax(s[0] - s >= 0.95 * total))
    span = float(t[-1] - t[0]) or 1.0
    at = float((t[reached] - t[0]) / span)
    half = int(np.searchsorted(t, t[0] + span / 2))
    late = abs(float(s[min(half, n - 1)] - s[-1])) / total
    if at > SATURATED_AT or late >= SATURATED_LATE:
        return None
    return verdict(
        "saturated_early",
        "info",
        f"Saturated early: 95% of the {name}'s improvement came by {run.where(t[reached])} "
        f"({percent(at, 0)} of the run); the second half changed it by {percent(late)} of that — stop earlier "
        "(early stopping) and spend the compute on other experiments",
        None,
        None,
        {"series": name, "step_95": float(t[reached]), "fraction_of_run": at, "late_change_share": late},
    )
