"""The parts of the learning curve that read it: the forecast and its verdict, and the
curves of the classes and slices that carry most dev errors (from the same fits' per-row
losses, no extra model fits). The ``learning_curve`` check (:mod:`unstuck.checks.learning_curve`)
builds the curve and calls these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.findings import TRAINED_MODEL as RESTS_ON
from unstuck.findings import Finding
from unstuck.registry import SkipCheck
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.curves import CurveFit
    from unstuck.problem import Problem

#: A gain at 2x is material from this share of the current error.
MIN_GAIN_SHARE = 0.02
#: The level of the forecast intervals.
LEVEL = 0.9
#: Per-class curves for at most this many classes (those carrying most dev errors).
TOP_CLASSES = 3
#: Per-slice curves for at most this many slices (those carrying most dev errors).
TOP_SLICES = 3
#: A slice needs at least this many rows in the sampled dev set for a curve.
MIN_SLICE_ROWS = 20
#: Bootstrap replicates of a per-class or per-slice curve.
N_BOOT_PART = 100
#: A slice's error "falls with data" when its trend per doubling is below zero by this many standard errors.
TREND_Z = 3.0


def forecast_at(fit: CurveFit, n_train: float, *, ceiling: float | None = None) -> dict[str, Any]:
    """Forecasts at 1×, 2× and 10× ``n_train`` at the check's level (see :func:`unstuck.curves.forecast_at`).

    ``ceiling``: the largest value the metric can take (1 for an error rate). A curve family knows a floor
    but not a ceiling, and an interval widened by its extrapolation error can pass it; an error rate above
    100 % is not a forecast anyone can read, so the forecasts and their intervals are cut there (the gains,
    differences along the curve, are not)."""
    from unstuck.curves import forecast_at as forecast

    out = forecast(fit, n_train, level=LEVEL)
    if ceiling is not None:
        for key in ("at_2x", "at_10x"):
            out[key] = min(out[key], ceiling)
        for key in ("interval_2x", "interval_10x"):
            out[key] = [min(v, ceiling) for v in out[key]]
    return out


def verdict(fit: CurveFit, forecast: dict[str, Any], observed: float) -> str:
    """``"ill_behaved"``, ``"more_data"``, ``"saturated"`` or ``"uncertain"`` for a forecast.

    * ``more_data``: the lower end of the 2× gain's interval is above zero and the gain
      is at least :data:`MIN_GAIN_SHARE` of the current error;
    * ``saturated``: the forecast gain at 2× is below that share (negligible);
    * ``uncertain``: a material gain is forecast but its interval reaches zero, or the fitted curve
      misses today's error by as much as the gain (:func:`misfits`).
    """
    if fit.ill_behaved:
        return "ill_behaved"
    gain, gain_low = forecast["gain_2x"], forecast["gain_2x_interval"][0]
    material = MIN_GAIN_SHARE * max(abs(observed), 1e-12)
    if gain_low > 0 and gain >= material and not misfits(forecast, observed):
        return "more_data"
    if gain < material:
        return "saturated"
    return "uncertain"


def misfits(forecast: dict[str, Any], observed: float) -> bool:
    """Whether the fitted curve misses the error observed at today's size by at least the 2× gain it forecasts.

    The gain is a difference along the fitted curve (fitted now − fitted at 2×), and its bootstrap interval
    only resamples the residuals around that curve. When the curve is farther from today's measurement than
    the whole gain, the measurement does not tell the forecast's slope from its misfit: a curve whose small
    sizes behave differently from the full fit (a boosted model too small to split, a regime change) can
    forecast a fall from a level the model is not at. No claim of "more data helps" then."""
    gain = forecast["gain_2x"]
    return bool(gain > 0 and abs(forecast["now"] - observed) >= gain)


def _per_class(problem: Problem, points: list[dict[str, Any]], n_train: int) -> list[dict[str, Any]]:
    """Curves of the classes that carry most dev errors, with their forecast share of the gain."""
    from unstuck import curves

    dev = problem.frames["dev"][problem.target]
    share = dev.astype(str).value_counts(normalize=True)
    full = points[0]["class_errors"]
    carried = sorted(full, key=lambda c: -full[c] * float(share.get(c, 0.0)))[:TOP_CLASSES]
    out = []
    for c in carried:
        rows = [(p["size"], p["class_errors"][c]) for p in points if c in p["class_errors"]]
        sizes = np.array([r[0] for r in rows], dtype=np.float64)
        errors = np.array([r[1] for r in rows])
        fit = curves.fit(sizes, errors, seed=problem.seed, n_boot=N_BOOT_PART)
        now, at_2x = (float(v) for v in fit.predict([n_train, 2 * n_train]))
        weight = float(share.get(c, 0.0))
        out.append(
            {
                "class": c,
                "dev_share": weight,
                "error": float(full[c]),
                "share_of_dev_errors": None,
                "forecast_2x": at_2x,
                "gain_2x": now - at_2x,
                "contribution_2x": weight * (now - at_2x),
                "ill_behaved": fit.ill_behaved,
                "family": fit.family,
            }
        )
    total_errors = sum(float(full[c]) * float(share.get(c, 0.0)) for c in full)
    for item in out:
        item["share_of_dev_errors"] = item["error"] * item["dev_share"] / total_errors if total_errors > 0 else 0.0
    return out


def _which_data(per_class: list[dict[str, Any]], metric: Any) -> Finding | None:
    """Which class's data most of the forecast 2x gain comes from (info)."""
    usable = [c for c in per_class if not c["ill_behaved"] and c["contribution_2x"] > 0]
    if not usable:
        return None
    total = sum(c["contribution_2x"] for c in usable)
    top = max(usable, key=lambda c: c["contribution_2x"])
    if top["gain_2x"] < MIN_GAIN_SHARE * max(top["error"], 1e-12) or top["gain_2x"] < 1e-3:
        return None
    return Finding(
        id="learning_curve.which_data",
        severity="info",
        title=f"Of the classes that carry most dev errors, more data helps class '{top['class']}' most: its error "
        f"{metric.format(top['error'])} is forecast to fall by {metric.format_gap(top['gain_2x'])} at 2x the data "
        f"({100 * top['contribution_2x'] / total:.0f}% of the gain forecast for these classes)",
        evidence={"classes": usable},
    )


def _per_slice(problem: Problem, ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Curves of the weak dev slices that carry most dev errors, from the fits' per-row dev losses.

    Each slice's rows (positions in dev) are mapped onto the sampled dev rows; its error at
    each point is the metric on those rows' losses. ``contribution_2x`` is how far the whole
    dev metric falls when the slice's error falls from its fitted value now to the one at 2x
    (for RMSE through the slice's mean squared error), the others unchanged.
    """
    from unstuck import curves

    try:
        search = ctx.dev_slices
    except SkipCheck:
        return []
    metric = problem.metric
    points, n_train = data["points"], data["n_train"]
    full = points[0]["losses"]
    total = float(full.sum())
    n_dev = len(problem.frames["dev"])
    candidates = []
    for found in search.slices:
        inside = np.zeros(n_dev, dtype=bool)
        inside[found.rows] = True
        mask = inside[data["dev_index"]]
        if mask.sum() >= MIN_SLICE_ROWS:
            carried = float(full[mask].sum()) / total if total > 0 else 0.0
            candidates.append((carried, found.rule, mask))
    candidates.sort(key=lambda c: -c[0])
    sizes = np.array([p["size"] for p in points], dtype=np.float64)
    out = []
    for carried, rule, mask in candidates[:TOP_SLICES]:
        losses = np.stack([p["losses"][mask] for p in points])
        errors = np.array([metric.from_losses(row) for row in losses])
        fit = curves.fit(sizes, errors, seed=problem.seed, n_boot=N_BOOT_PART)
        forecast = forecast_at(fit, n_train)
        trend, trend_se = loss_trend(sizes, losses)
        kind = verdict(fit, forecast, float(errors[0]))
        if kind == "more_data" and not trend < -TREND_Z * trend_se:
            kind = "uncertain"  # the curve forecasts a gain, but the slice's error does not measurably fall
        dev_share = float(mask.mean())
        out.append(
            {
                "rule": rule,
                "dev_rows": int(mask.sum()),
                "dev_share": dev_share,
                "error": float(errors[0]),
                "share_of_dev_errors": carried,
                "forecast_2x": forecast["at_2x"],
                "gain_2x": forecast["gain_2x"],
                "gain_2x_interval": forecast["gain_2x_interval"],
                "contribution_2x": _overall_drop(metric, full, dev_share, forecast["now"], forecast["at_2x"]),
                "loss_trend": trend,
                "loss_trend_se": trend_se,
                "verdict": kind,
                "ill_behaved": fit.ill_behaved,
                "family": fit.family,
                "errors": [float(e) for e in errors],
            }
        )
    return out


def loss_trend(sizes: NDArray[np.float64], losses: NDArray[np.float64]) -> tuple[float, float]:
    """The mean per-row loss's least-squares slope per doubling of the data, and its standard error.

    ``losses``: shape (points, rows), the same rows at every point. Each row's own slope
    (on ``log2(size)``) is a linear function of its losses; their mean is the slope of the
    mean loss. Its standard error is the larger of (a) the spread of the rows' slopes
    over √rows — rows are independent draws, so this counts the dev rows' sampling noise
    even where it is shared by every point (a chance tie between a noisy slice's labels
    and a feature the models use) — and (b) the scatter of the points around the line
    (least-squares standard error), which counts the models' seed-to-seed noise.
    """
    x = np.log2(sizes)
    centred = x - x.mean()
    sxx = float(np.sum(centred**2))
    per_row = centred @ losses / sxx
    m = losses.shape[1]
    slope = float(per_row.mean())
    se_rows = float(per_row.std(ddof=1) / np.sqrt(m)) if m > 1 else float("inf")
    mean_loss = losses.mean(axis=1)
    residual = mean_loss - mean_loss.mean() - slope * centred
    dof = len(x) - 2
    se_points = float(np.sqrt(np.sum(residual**2) / dof / sxx)) if dof > 0 else float("inf")
    return slope, max(se_rows, se_points)


def _overall_drop(metric: Any, losses: NDArray[np.float64], share: float, now: float, later: float) -> float:
    """How far the dev metric (per-row ``losses``) falls when a slice holding ``share`` of the
    rows goes from error ``now`` to ``later``: ``share × (now − later)`` for mean metrics; for
    RMSE the slice's mean squared error falls by ``now² − later²``."""
    if metric.aggregate == "root_mean":
        mse = float(np.mean(losses))
        return float(np.sqrt(mse) - np.sqrt(max(mse - share * (now**2 - later**2), 0.0)))
    return share * (now - later)


def _which_slice(per_slice: list[dict[str, Any]], metric: Any) -> Finding | None:
    """The slice whose data the forecast gain comes from most (info), among those whose verdict
    is ``more_data`` (gain at 2x material and above its uncertainty, and an error that falls
    with data beyond noise); the other slices are listed with why they are not named.

    Its lever is ``targeted_data`` with the forecast drop of the whole dev error at 2x that
    slice's data as expected gain; being info, it ranks after every warning, and it names no
    bottleneck of its own (the slices check does, when the slice's excess error is material).
    """
    usable = [s for s in per_slice if s["verdict"] == "more_data" and s["contribution_2x"] > 0]
    if not usable:
        return None
    top = max(usable, key=lambda s: s["contribution_2x"])
    low, high = top["gain_2x_interval"]
    why = {"saturated": "flat", "uncertain": "gain within noise", "ill_behaved": "ill-behaved curve"}
    flat = [f"'{s['rule']}' ({why[s['verdict']]})" for s in per_slice if s["verdict"] != "more_data"]
    title = (
        f"Of the weak slices that carry most dev errors, more data helps '{top['rule']}' most: its error "
        f"{metric.format(top['error'])} ({percent(top['dev_share'])} of dev rows, "
        f"{percent(top['share_of_dev_errors'], 0)} of dev errors) is forecast to fall by "
        f"{metric.format_gap(top['gain_2x'])} at 2x the data (90% interval {metric.format_gap(low)} to "
        f"{metric.format_gap(high)}), lowering dev error by {metric.format_gap(top['contribution_2x'])}"
    )
    if flat:
        title += "; not " + ", ".join(flat)
    return Finding(
        id="learning_curve.which_slice",
        severity="info",
        title=title,
        lever="targeted_data",
        evidence={"rule": top["rule"], "slice": top, "slices": per_slice, "rests_on": list(RESTS_ON)},
        expected_gain=float(top["contribution_2x"]),
    )
