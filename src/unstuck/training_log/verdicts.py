"""Verdicts on training curves: the Tuning Playbook's rules for reading them, as pure functions.

``diagnose_run(log)`` reads one run's curves and returns its verdicts, each with the
steps and numbers that prove it and a lever from the contract's vocabulary:

============== =========================================================== ==================== ======================
kind           rule (on the median-smoothed curve unless said otherwise)    lever                bottleneck
============== =========================================================== ==================== ======================
divergence     a NaN/inf loss; or the loss rises ≥ 10× its first value, or   tune_learning_rate   training_instability
               ends ≥ 2× it; or it fell ≥ 10 %, then climbed back above
               its start and stayed there
pipeline_bug   the train loss rises from the start (minimum in the first    fix_pipeline         pipeline_bug
               10 %, ends ≥ 5 % above its start), or never falls by 2 %;
               or the smoothed dev metric stays at chance (1 − 1/k error
               with k classes, k read off the initial loss ≈ ln k when
               not given: critical) / never improves while train loss
               falls ≥ 20 %
instability    on the curve block-averaged to ~100 points (a loss logged    tune_learning_rate   training_instability
               every step is a minibatch's: its noise is sampling, not
               instability): ≥ 2 spikes (≥ 50 % above the trend and ≥ 5 %
               of the total drop), or relative noise around the trend ≥ 25 %
overfitting    dev loss reaches its minimum, then rises by more than 2 %    regularize           variance
               of it and 3× its noise, with a rising trend, while train
               loss keeps falling; expected gain = the larger of what early
               stopping recovers (dev error at the end − at the best step)
               and the train–dev error gap at the end (what regularising
               can close at most)
lr_too_low     train loss declines near-linearly (R² ≥ 0.95) and does not   tune_learning_rate   avoidable_bias
               slow down (last-third slope ≥ 0.5 × first-third slope)
underfitting   train error plateaus more than 2 points (error rate) or      bigger_model         avoidable_bias
               10 % (regression) above the human-level error; expected
               gain = that gap
still_improving the last quarter's slope is negative and significant        train_longer         avoidable_bias
               (t ≤ −3) and a fitted tail (power law a + b·x^−c or
               exponential a + b·e^(−x/τ), whichever fits the second half
               better) forecasts that 2× the training gains ≥ 1 % of the
               improvement so far; expected gain = the dev error forecast
               at 2× (when the log has the dev metric)
saturated_early 95 % of the improvement was reached in the first 30 % of    —  (info)            —
               the run and the second half changed the loss by < 2 %
============== =========================================================== ==================== ======================

A healthy, converged run raises nothing above ``info``. ``compare_runs(logs)``
compares several runs (a sweep): the best run and value, whether the best value
of a swept hyperparameter sits at the edge of the range tried, and the noise
between seeds when a configuration repeats with different seeds. Hyperparameters
are read from run names such as ``lr_0.01_seed_2`` (and a constant ``lr`` column).

Every threshold is a module constant; the benchmark ``benchmarks/training_log_verdicts.py``
measures them over planted curves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from unstuck.training_log.readers import TrainingLog

__all__ = [
    "KINDS",
    "RunComparison",
    "RunDiagnosis",
    "Verdict",
    "compare_runs",
    "diagnose_run",
    "error_series",
    "forecast_tail",
    "primary_kind",
    "run_hyperparameters",
]

FloatArray = NDArray[np.float64]

#: Verdict kinds, most urgent first (the order of ``primary_kind``).
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

EXPLODE_FACTOR = 10.0  # loss ≥ 10× its first value at any step: diverged
STAYS_UP_FACTOR = 2.0  # loss ending (mean of the last 3 points) ≥ 2× its first value: diverged
DIVERGE_MIN_DROP = 0.10  # "fell, then climbed back above its start" needs a fall of ≥ 10 % first
RISING_END = 0.05  # train loss ending ≥ 5 % above its start (minimum in the first 10 %): rising
FLAT_DROP = 0.02  # train loss never falling by 2 % of its start: not learning
CHANCE_MARGIN = 0.02  # best dev error within 2 points of chance: at chance
INITIAL_LOSS_TOLERANCE = 0.05  # a first cross-entropy within 5 % of ln k reads as k classes
INSTABILITY_POINTS = 100  # dense curves are block-averaged to about this many points before judging spikes
SPIKE_REL = 0.5  # a spike: raw loss ≥ 50 % above the trend ...
SPIKE_ABS = 0.05  # ... and ≥ 5 % of the total drop above it
MIN_SPIKES = 2
NOISE_REL = 0.25  # robust relative noise around the trend (second half)
OVERFIT_RISE = 0.02  # dev loss rising ≥ 2 % above its minimum ...
OVERFIT_NOISE = 3.0  # ... and ≥ 3× its noise
LINEAR_R2 = 0.80
LINEAR_SLOPE_RATIO = 0.35
UNDERFIT_GAP_ERROR_RATE = 0.02  # 2 points of error rate above human level
UNDERFIT_GAP_RELATIVE = 0.10  # regression: 10 % above human level
IMPROVING_T = -3.0  # the last quarter's slope is this significant ...
IMPROVING_GAIN = 0.01  # ... and 2× the training is forecast to gain ≥ 1 % of the improvement so far
SHORT_RUN_POINTS = 4  # a run of 4-7 points is judged on its last 4: three drops in a row
SATURATED_AT = 0.30  # 95 % of the improvement within the first 30 % of the run
SATURATED_LATE = 0.02  # and the second half changed the loss by < 2 % of the improvement
FORECAST_FACTORS = (2.0, 4.0)


@dataclass(frozen=True)
class Verdict:
    """One judgement on a run's curves: what, how sure (severity), the numbers, the lever.

    ``expected_gain`` is in the problem metric's units (e.g. error-rate points as a
    fraction) when the log has that metric on dev, else None.
    """

    kind: str
    severity: str
    title: str
    lever: str | None = None
    bottleneck: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    expected_gain: float | None = None


@dataclass(frozen=True)
class RunDiagnosis:
    """The verdicts on one run and a JSON-able summary of its curves."""

    verdicts: tuple[Verdict, ...]
    summary: dict[str, Any]


@dataclass(frozen=True)
class RunComparison:
    """The verdicts on a set of runs and a JSON-able table of them."""

    verdicts: tuple[Verdict, ...]
    summary: dict[str, Any]


def primary_kind(verdicts: Sequence[Verdict]) -> str:
    """The most urgent verdict kind (``KINDS`` order), or ``"healthy"`` when there is none."""
    kinds = {v.kind for v in verdicts}
    return next((k for k in KINDS if k in kinds), "healthy")


# ---------------------------------------------------------------------------- numerics


def _window(n: int) -> int:
    """Odd median-filter width: n/10, at least 5 and at most 51 (never more than n)."""
    w = max(5, min(51, n // 10))
    w = w if w % 2 else w + 1
    while w > n:
        w -= 2
    return max(w, 1)


def smooth(values: FloatArray) -> FloatArray:
    """Running median (width ``_window(n)``, edges held): the trend of a noisy curve."""
    from scipy.ndimage import median_filter

    return np.asarray(median_filter(values, size=_window(len(values)), mode="nearest"), dtype=np.float64)


def trend_min(values: FloatArray) -> float:
    """The lowest point of the trend: the smallest median over full windows of ``_window(n)`` points.

    Unlike :func:`smooth` at its ends, no window here counts one value several times, so a
    single lucky evaluation (the first one, say) cannot become the trend's minimum.
    """
    w = _window(len(values))
    if len(values) < w or w < 3:
        return float(np.median(values))
    from numpy.lib.stride_tricks import sliding_window_view

    return float(np.min(np.median(sliding_window_view(values, w), axis=1)))


def _mad(values: FloatArray) -> float:
    """Robust standard deviation: 1.4826 × median absolute deviation."""
    if len(values) == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _fit_line(x: FloatArray, y: FloatArray) -> tuple[float, float, float]:
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


def _g(value: float) -> str:
    return f"{value:.3g}"


def _at(t: FloatArray, y: FloatArray, step: float) -> float:
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


# ---------------------------------------------------------------------------- series


def error_series(log: TrainingLog, split: str, metric: str) -> tuple[FloatArray, FloatArray, str] | None:
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


# ---------------------------------------------------------------------------- one run


def diagnose_run(
    log: TrainingLog,
    *,
    metric: str = "error_rate",
    human_error: float | None = None,
    n_classes: int | None = None,
) -> RunDiagnosis:
    """Judge one run's curves.

    Parameters
    ----------
    log:
        The run (``train_loss`` and/or ``dev_loss``, optionally accuracy/error,
        ``lr``, ``grad_norm``).
    metric:
        The problem's metric (``error_rate``, ``rmse``, ``mae``): curves in its units
        give expected gains; loss curves alone give none.
    human_error:
        Human-level error in metric units, for the underfitting verdict.
    n_classes:
        Number of classes, for "dev metric at chance" (chance error = 1 − 1/k).
    """
    unit = log.step_unit
    train = log.series("train_loss") if log.has("train_loss") else None
    dev = log.series("dev_loss") if log.has("dev_loss") else None
    dev_err = error_series(log, "dev", metric)
    train_err = error_series(log, "train", metric)
    primary, primary_name = (train, "train loss") if train is not None else (dev, "dev loss")
    assert primary is not None  # readers guarantee a loss with ≥ 2 points
    summary: dict[str, Any] = {"step_unit": unit, "points": len(log.frame)}
    for name, series in (("train_loss", train), ("dev_loss", dev)):
        if series is not None:
            summary[name] = _summary(*series)
    for name, err_series in (("train_error", train_err), ("dev_error", dev_err)):
        if err_series is not None:
            summary[name] = {**_summary(err_series[0], err_series[1]), "column": err_series[2]}
    context = _Context(log, unit, metric)

    verdicts: list[Verdict] = []
    checks = [(primary, primary_name, True)]
    if train is not None and dev is not None:
        checks.append((dev, "dev loss", False))  # a rising dev loss alone is overfitting, not divergence
    for series, name, full in checks:
        found = _divergence(context, *series, name, full=full)
        if found:
            return RunDiagnosis((found,), summary)
    # Past the divergence check (which wants every raw value), dense curves are judged on block
    # averages: a per-step minibatch loss's noise is sampling, and the rules' noise estimates
    # (the spread around the trend) should not be inflated by it.
    primary = _blocks(*primary)
    train = _blocks(*train) if train is not None else None
    t, y = primary
    broken = _pipeline_train(context, t, y, primary_name) if train is not None else None
    if broken:
        verdicts.append(broken)
    chance = _at_chance(context, dev_err, train, n_classes)
    if chance:
        verdicts.append(chance)
    if broken:
        return RunDiagnosis(tuple(verdicts), summary)
    unstable = _instability(context, t, y, primary_name)
    if unstable:
        verdicts.append(unstable)
    overfit = _overfitting(context, train, dev if dev is not None else _as_pair(dev_err), dev_err)
    if overfit:
        verdicts.append(overfit)
    slow = _lr_too_low(context, t, y, primary_name) if train is not None else None
    if slow:
        verdicts.append(slow)
    under = _underfitting(context, train_err, human_error) if human_error is not None else None
    if under:
        verdicts.append(under)
    if human_error is not None and train_err is None:
        summary["underfitting"] = "not judged: the log has no train accuracy/error column in the metric's units"
    judged = dev if dev is not None else primary
    judged_name = "dev loss" if dev is not None else primary_name
    if not overfit and not slow and not unstable:
        improving = _still_improving(context, *judged, judged_name, dev_err)
        if improving:
            verdicts.append(improving)
        elif not under and not chance:
            saturated = _saturated_early(context, *judged, judged_name)
            if saturated:
                verdicts.append(saturated)
    return RunDiagnosis(tuple(verdicts), summary)


@dataclass(frozen=True)
class _Context:
    log: TrainingLog
    unit: str
    metric: str

    def where(self, step: float) -> str:
        return f"{self.unit} {step:g}"

    def lr_at(self, step: float) -> float | None:
        if not self.log.has("lr"):
            return None
        t, v = self.log.series("lr")
        return _at(t, v, step)

    def fmt_metric(self, value: float) -> str:
        return f"{100 * value:.1f}%" if self.metric == "error_rate" else _g(value)

    def fmt_gap(self, value: float) -> str:
        return f"{100 * value:.1f} points" if self.metric == "error_rate" else _g(value)


def _as_pair(series: tuple[FloatArray, FloatArray, str] | None) -> tuple[FloatArray, FloatArray] | None:
    return None if series is None else (series[0], series[1])


def _divergence(ctx: _Context, t: FloatArray, y: FloatArray, name: str, *, full: bool = True) -> Verdict | None:
    lever, bottleneck = "tune_learning_rate", "training_instability"
    remedy = "lower the learning rate, or add warm-up or gradient clipping"
    finite = np.isfinite(y)
    if not finite.all():
        i = int(np.argmin(finite))
        evidence: dict[str, Any] = {
            "series": name,
            "first_non_finite_step": float(t[i]),
            "non_finite_points": int((~finite).sum()),
            "last_finite_value": float(y[i - 1]) if i > 0 else None,
            "first_value": float(y[0]) if finite[0] else None,
        }
        _add_context(ctx, evidence, float(t[i]))
        before = f" (last finite value {_g(y[i - 1])} at {ctx.where(t[i - 1])})" if i > 0 else ""
        return Verdict(
            "divergence",
            "critical",
            f"Training diverged: the {name} became NaN/inf at {ctx.where(t[i])}{before} — {remedy}",
            lever,
            bottleneck,
            evidence,
        )
    s = smooth(y)
    if (y > 0).all() and len(y) >= 2:
        peak = int(np.argmax(y))
        tail = float(np.mean(y[-min(3, len(y)) :]))
        if peak > 0 and (y[peak] >= EXPLODE_FACTOR * y[0] or tail >= STAYS_UP_FACTOR * y[0]):
            evidence = {
                "series": name,
                "first_value": float(y[0]),
                "peak_value": float(y[peak]),
                "peak_step": float(t[peak]),
                "factor": float(y[peak] / y[0]),
                "final_value": float(y[-1]),
                "rule": f"loss ≥ {EXPLODE_FACTOR:g}× its first value, or ending ≥ {STAYS_UP_FACTOR:g}× it",
            }
            _add_context(ctx, evidence, float(t[peak]))
            return Verdict(
                "divergence",
                "critical",
                f"Training diverged: the {name} rose ×{y[peak] / y[0]:.3g} from {_g(y[0])} to {_g(y[peak])} "
                f"at {ctx.where(t[peak])} — {remedy}",
                lever,
                bottleneck,
                evidence,
            )
    i_min = int(np.argmin(s))
    drop = float(s[0] - s[i_min])
    if full and i_min > 0 and drop >= DIVERGE_MIN_DROP * abs(s[0]) and drop > 0:
        after = y[i_min:]
        peak = i_min + int(np.argmax(after))
        tail = float(np.mean(y[-min(3, len(y)) :]))
        if y[peak] >= s[0] and tail - s[i_min] >= 0.5 * drop:
            evidence = {
                "series": name,
                "first_value": float(s[0]),
                "min_value": float(s[i_min]),
                "min_step": float(t[i_min]),
                "peak_value": float(y[peak]),
                "peak_step": float(t[peak]),
                "final_value": float(y[-1]),
                "rule": "fell ≥ 10%, then rose back above its start and stayed there",
            }
            _add_context(ctx, evidence, float(t[peak]))
            return Verdict(
                "divergence",
                "critical",
                f"Training diverged: the {name} fell to {_g(s[i_min])} at {ctx.where(t[i_min])}, then rose to "
                f"{_g(y[peak])} at {ctx.where(t[peak])}, above where it started ({_g(s[0])}) — {remedy}",
                lever,
                bottleneck,
                evidence,
            )
    return None


def _add_context(ctx: _Context, evidence: dict[str, Any], step: float) -> None:
    """Learning rate and gradient norm around ``step``, when logged."""
    lr = ctx.lr_at(step)
    if lr is not None:
        evidence["lr_at_step"] = lr
    if ctx.log.has("grad_norm"):
        t, g = ctx.log.series("grad_norm")
        finite = np.isfinite(g)
        if finite.any():
            evidence["grad_norm_median"] = float(np.median(g[finite]))
            evidence["grad_norm_at_step"] = _at(t[finite], g[finite], step)


def _pipeline_train(ctx: _Context, t: FloatArray, y: FloatArray, name: str) -> Verdict | None:
    if len(y) < 4:
        return None
    s = smooth(y)
    scale = abs(float(s[0])) or 1.0
    i_min = int(np.argmin(s))
    drop = float(s[0] - s.min())
    early = i_min <= max(1, int(0.1 * len(y)))
    rho = _spearman(t, y)
    hint = (
        "suspect the pipeline (labels shuffled or misaligned, a wrong sign or loss, inputs not normalised), "
        "or a learning rate so high that the first steps overshoot"
    )
    if early and s[-1] >= s[0] + RISING_END * scale and rho > 0.5:
        return Verdict(
            "pipeline_bug",
            "warning",
            f"The {name} rises from the start ({_g(s[0])} → {_g(s[-1])} at {ctx.where(t[-1])}, rank correlation "
            f"with {ctx.unit} {rho:+.2f}): {hint}",
            "fix_pipeline",
            "pipeline_bug",
            {"series": name, "first_value": float(s[0]), "final_value": float(s[-1]), "spearman": rho},
        )
    slope, _, _ = _fit_line(t, y)
    fitted_change = slope * float(t[-1] - t[0])
    if drop < FLAT_DROP * scale or -fitted_change < FLAT_DROP * scale:
        return Verdict(
            "pipeline_bug",
            "warning",
            f"The {name} does not fall: a straight-line fit changes it by {_g(fitted_change)} over the run, "
            f"less than {FLAT_DROP:.0%} of its start ({_g(s[0])}): the model learns nothing; {hint}",
            "fix_pipeline",
            "pipeline_bug",
            {
                "series": name,
                "first_value": float(s[0]),
                "min_value": float(s.min()),
                "fitted_change": fitted_change,
                "relative_drop": drop / scale,
            },
        )
    return None


def _spearman(x: FloatArray, y: FloatArray) -> float:
    from scipy.stats import spearmanr

    if len(x) < 3 or np.ptp(y) == 0:
        return 0.0
    return float(spearmanr(x, y).statistic)


def _at_chance(
    ctx: _Context,
    dev_err: tuple[FloatArray, FloatArray, str] | None,
    train: tuple[FloatArray, FloatArray] | None,
    n_classes: int | None,
) -> Verdict | None:
    if dev_err is None or ctx.metric != "error_rate" or len(dev_err[1]) < 3:
        return None
    _, err, column = dev_err
    # The smoothed curve's best, not one lucky evaluation's: a dead model's dev error wanders around
    # chance, and its minimum over many evaluations dips below chance by the evaluation noise alone.
    best = trend_min(err)
    hint = "suspect the pipeline (dev labels misaligned, preprocessing differs between train and dev)"
    inferred = False
    if not n_classes:
        n_classes = _classes_from_initial_loss(ctx.log)
        inferred = n_classes is not None
    if n_classes and n_classes >= 2:
        chance = 1.0 - 1.0 / n_classes
        if best >= chance - CHANCE_MARGIN:
            how = " (classes inferred from the initial loss, ln k)" if inferred else ""
            return Verdict(
                "pipeline_bug",
                "critical",
                f"The dev error never beats chance: best {ctx.fmt_metric(best)} on the smoothed curve (from {column}) "
                f"vs {ctx.fmt_metric(chance)} for {n_classes} classes{how}: the model has learnt nothing that "
                f"carries to dev; {hint}",
                "fix_pipeline",
                "pipeline_bug",
                {
                    "best_dev_error": best,
                    "lowest_single_dev_error": float(np.min(err)),
                    "chance_error": chance,
                    "n_classes": n_classes,
                    "classes_inferred": inferred,
                    "column": column,
                },
            )
        return None
    if train is not None:
        ty = smooth(train[1])
        train_drop = float((ty[0] - ty.min()) / abs(ty[0])) if ty[0] else 0.0
        improvement = float(err[0] - best)
        if train_drop >= 0.2 and improvement < 0.01:
            return Verdict(
                "pipeline_bug",
                "warning",
                f"The dev error never improves ({ctx.fmt_metric(float(err[0]))} at first, best "
                f"{ctx.fmt_metric(best)}) while the train loss falls {train_drop:.0%}: {hint}",
                "fix_pipeline",
                "pipeline_bug",
                {"first_dev_error": float(err[0]), "best_dev_error": best, "train_loss_relative_drop": train_drop},
            )
    return None


def _classes_from_initial_loss(log: TrainingLog) -> int | None:
    """Number of classes k read off a cross-entropy curve's first value (≈ ln k at initialisation).

    A freshly initialised classifier spreads its probability evenly, so its cross-entropy starts
    near ln k: a standard sanity check of deep-learning training. Only a first loss within
    :data:`INITIAL_LOSS_TOLERANCE` of ln k for an integer k from 2 to 1000 is read this way.
    """
    for name in ("dev_loss", "train_loss"):
        if log.has(name):
            first = float(log.series(name)[1][0])
            if not math.isfinite(first) or first <= 0.0:
                continue
            k = round(math.exp(first))
            if 2 <= k <= 1000 and abs(first - math.log(k)) <= INITIAL_LOSS_TOLERANCE * math.log(k):
                return int(k)
    return None


def _blocks(t: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A dense curve averaged in consecutive blocks to about :data:`INSTABILITY_POINTS` points.

    A loss logged every step (or every few) is a minibatch's loss: its noise is sampling, not
    instability. Averaging b consecutive points divides that noise by about √b while a real
    instability — the trend jumping up and staying up for a while — survives, as it does in a
    per-epoch log. Curves with fewer points are returned as they are.
    """
    n = len(y)
    size = n // INSTABILITY_POINTS
    if size < 2:
        return t, y
    usable = size * (n // size)
    return t[:usable].reshape(-1, size).mean(axis=1), y[:usable].reshape(-1, size).mean(axis=1)


def _instability(ctx: _Context, t: FloatArray, y: FloatArray, name: str) -> Verdict | None:
    n = len(y)
    if n < 8:
        return None
    s = smooth(y)
    scale = max(float(s[0] - s.min()), 1e-12)
    floor = np.abs(s) + SPIKE_ABS * scale
    resid = y - s
    spikes = np.flatnonzero((resid >= SPIKE_REL * np.abs(s)) & (resid >= SPIKE_ABS * scale))
    half = slice(n // 2, n)
    noise = _mad(resid[half] / floor[half])
    if len(spikes) < MIN_SPIKES and noise < NOISE_REL:
        return None
    shown = [{"step": float(t[i]), "value": float(y[i]), "trend": float(s[i])} for i in spikes[:5]]
    what = []
    if len(spikes) >= MIN_SPIKES:
        worst = max(spikes, key=lambda i: resid[i])
        what.append(
            f"{len(spikes)} spikes (worst {_g(y[worst])} vs a trend of {_g(s[worst])} at {ctx.where(t[worst])})"
        )
    if noise >= NOISE_REL:
        what.append(f"step-to-step noise {noise:.0%} of the trend in the second half")
    evidence = {"series": name, "spikes": len(spikes), "spike_examples": shown, "relative_noise": noise}
    if ctx.log.has("lr"):
        evidence["lr_last"] = float(ctx.log.series("lr")[1][-1])
    return Verdict(
        "instability",
        "warning",
        f"Unstable training: the {name} shows {' and '.join(what)} — lower the learning rate (or add warm-up, "
        "gradient clipping, a larger batch)",
        "tune_learning_rate",
        "training_instability",
        evidence,
    )


def _overfitting(
    ctx: _Context,
    train: tuple[FloatArray, FloatArray] | None,
    dev: tuple[FloatArray, FloatArray] | None,
    dev_err: tuple[FloatArray, FloatArray, str] | None,
) -> Verdict | None:
    if train is None or dev is None or len(dev[1]) < 6:
        return None
    td, yd = dev
    sd = smooth(yd)
    n = len(yd)
    # The best step: the raw minimum near the trend's minimum (a median filter flattens a sharp "V").
    around = int(np.argmin(sd))
    half = _window(n) // 2
    low, high = max(0, around - half), min(n, around + half + 1)
    best = low + int(np.argmin(yd[low:high]))
    after = n - 1 - best
    if after < max(2, int(0.1 * n)):
        return None
    dev_min = float(min(sd[best], yd[best]))
    rise = float(sd[-1] - dev_min)
    noise = _mad(yd - sd)
    if rise <= max(OVERFIT_NOISE * noise, OVERFIT_RISE * abs(dev_min)):
        return None
    slope, tstat, _ = _fit_line(td[best:], yd[best:])
    if slope <= 0 or (after >= 4 and tstat < 2.0):
        return None
    tt, ty = train
    st = smooth(ty)
    train_at_best = _at(tt, st, float(td[best]))
    train_end = float(st[-1])
    if not train_end < train_at_best - max(OVERFIT_NOISE * _mad(ty - st), 0.02 * abs(train_at_best)):
        return None
    best_step = float(td[best])
    evidence: dict[str, Any] = {
        "best_step": best_step,
        "dev_loss_min": dev_min,
        "dev_loss_end": float(sd[-1]),
        "dev_loss_rise": rise,
        "train_loss_at_best": train_at_best,
        "train_loss_end": train_end,
        "gap_end": float(sd[-1] - train_end),
    }
    gain = None
    extra = ""
    if dev_err is not None:
        te, err, column = dev_err
        at_best = float(err[int(np.argmin(np.abs(te - best_step)))])
        end = float(err[-1])
        # Early stopping recovers at least this much; regularising can close at most the train–dev gap.
        gain = max(0.0, end - at_best)
        evidence.update(dev_error_at_best=at_best, dev_error_end=end, early_stopping_gain=gain, column=column)
        extra = f"; stopping there gives dev error {ctx.fmt_metric(at_best)} ({ctx.fmt_metric(end)} at the end)"
        train_err = error_series(ctx.log, "train", ctx.metric)
        if train_err is not None:
            gap = end - float(train_err[1][-1])
            evidence["train_dev_error_gap"] = gap
            gain = max(gain, gap)
            extra += f", and dev error is {ctx.fmt_gap(gap)} above train error"
    return Verdict(
        "overfitting",
        "warning",
        f"Overfitting: the dev loss bottomed at {_g(dev_min)} at {ctx.where(best_step)} and rose to {_g(sd[-1])} "
        f"by the end while the train loss kept falling ({_g(train_at_best)} → {_g(train_end)}){extra} — "
        "early-stop at the best step, then regularise",
        "regularize",
        "variance",
        evidence,
        gain,
    )


def _lr_too_low(ctx: _Context, t: FloatArray, y: FloatArray, name: str) -> Verdict | None:
    n = len(y)
    if n < 6:
        return None
    s = smooth(y)
    slope, _, r2 = _fit_line(t, y)
    third = max(2, n // 3)
    first, _, _ = _fit_line(t[:third], s[:third]) if third >= 3 else (float((s[1] - s[0]) / (t[1] - t[0])), 0, 0)
    last, _, _ = _fit_line(t[-third:], s[-third:]) if third >= 3 else (float((s[-1] - s[-2]) / (t[-1] - t[-2])), 0, 0)
    if slope >= 0 or r2 < LINEAR_R2 or first >= 0 or last / first < LINEAR_SLOPE_RATIO:
        return None
    drop = float((s[0] - s[-1]) / abs(s[0])) if s[0] else 0.0
    evidence: dict[str, Any] = {
        "series": name,
        "r2_linear": r2,
        "slope_first_third": first,
        "slope_last_third": last,
        "slope_ratio": last / first,
        "relative_drop": drop,
    }
    lr = ctx.lr_at(float(t[-1]))
    if lr is not None:
        evidence["lr"] = lr
    return Verdict(
        "lr_too_low",
        "warning",
        f"Learning rate likely too low: the {name} falls in a near-straight line (R² {r2:.2f}, only "
        f"{drop:.0%} in {n} points) and is not slowing down (last-third slope {last / first:.2f}× the first) — "
        "raise the learning rate (sweep ×3, ×10) before training longer",
        "tune_learning_rate",
        "avoidable_bias",
        evidence,
    )


def _underfitting(
    ctx: _Context, train_err: tuple[FloatArray, FloatArray, str] | None, human_error: float
) -> Verdict | None:
    if train_err is None or len(train_err[1]) < 3:
        return None
    t, err, column = train_err
    k = max(3, len(err) // 10)
    level = float(np.mean(err[-k:]))
    gap = level - human_error
    threshold = UNDERFIT_GAP_ERROR_RATE if ctx.metric == "error_rate" else UNDERFIT_GAP_RELATIVE * human_error
    if gap <= threshold or _improving(t, err) is not None:
        return None
    return Verdict(
        "underfitting",
        "warning",
        f"Underfitting: the train error plateaus at {ctx.fmt_metric(level)} (last {k} points of {column}), "
        f"{ctx.fmt_gap(gap)} above human level ({ctx.fmt_metric(human_error)}) — a bigger model "
        "or another architecture",
        "bigger_model",
        "avoidable_bias",
        {"train_error_plateau": level, "human_error": human_error, "gap": gap, "column": column, "points": k},
        gap,
    )


def _improving(t: FloatArray, y: FloatArray) -> dict[str, Any] | None:
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
    slope, tstat, _ = _fit_line(t[-k:], y[-k:])
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


def _still_improving(
    ctx: _Context, t: FloatArray, y: FloatArray, name: str, dev_err: tuple[FloatArray, FloatArray, str] | None
) -> Verdict | None:
    tail = _improving(t, y)
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
            else f"each drop {ratio:.2f}× the one before: about {tail['gain_2x_share']:.0%} of the improvement so "
            "far is still to come at that pace"
        )
        return Verdict(
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
                f"; a fitted tail forecasts dev error {ctx.fmt_metric(error_forecast['fitted_now'])} → "
                f"{ctx.fmt_metric(error_forecast['forecasts']['2x']['value'])} with 2× the training"
            )
    if not said:
        said = (
            f"; a fitted tail forecasts the {name} {_g(forecast['fitted_now'])} → "
            f"{_g(forecast['forecasts']['2x']['value'])} with 2× the training"
        )
    return Verdict(
        "still_improving",
        "warning",
        f"Still improving at the end: the {name} is still falling over the last {tail['tail_points']} points "
        f"(t = {tail['tail_t']:.1f}){said} — train longer (compute-bound)",
        "train_longer",
        "avoidable_bias",
        evidence,
        gain,
    )


def _saturated_early(ctx: _Context, t: FloatArray, y: FloatArray, name: str) -> Verdict | None:
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
    return Verdict(
        "saturated_early",
        "info",
        f"Saturated early: 95% of the {name}'s improvement came by {ctx.where(t[reached])} "
        f"({at:.0%} of the run); the second half changed it by {late:.1%} of that — stop earlier "
        "(early stopping) and spend the compute on other experiments",
        None,
        None,
        {"series": name, "step_95": float(t[reached]), "fraction_of_run": at, "late_change_share": late},
    )


# ---------------------------------------------------------------------------- several runs

_HP_PATTERN = re.compile(r"([A-Za-z][A-Za-z_]*?)[_=\-]?(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\d.])")
_HP_ALIASES = {"lr": "lr", "learning_rate": "lr", "learningrate": "lr", "seed": "seed", "s": "seed"}


def run_hyperparameters(log: TrainingLog) -> dict[str, float]:
    """Hyperparameters read from the run's name (``lr_0.01_seed_2``, ``lr=1e-3``), the numeric params its
    source recorded (MLflow), and a constant ``lr`` column; the learning rate is named per optimizer."""
    found: dict[str, float] = {}
    for part in re.split(r"[/\\]", log.name):
        for key, value in _HP_PATTERN.findall(part):
            key = key.strip("_").lower()
            tokens = key.split("_")
            name = next(
                (_HP_ALIASES["_".join(tokens[i:])] for i in range(len(tokens)) if "_".join(tokens[i:]) in _HP_ALIASES),
                tokens[-1],
            )
            if name in ("v", "version", "run", "epoch", "epochs", "step"):
                continue
            found[name] = float(value)
    for key, value in log.params.items():
        number = _as_number(value)
        if number is not None and key.lower() not in found:
            found[key.lower()] = number
    if "lr" not in found and log.has("lr"):
        values = log.series("lr")[1]
        if np.ptp(values) == 0:
            found["lr"] = float(values[0])
    optimizer = log.params.get("optimizer")
    if isinstance(optimizer, str) and optimizer and "lr" in found:
        # A learning rate means something different per optimizer: SGD's 0.1 and Adam's 0.001 are
        # not one range, so the variable carries the optimizer's name.
        found[f"lr ({optimizer})"] = found.pop("lr")
    return found


def _as_number(value: object) -> float | None:
    """A recorded hyperparameter as a float (MLflow records params as text), or None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _run_score(log: TrainingLog, metric: str) -> tuple[str, float, float] | None:
    """(what, best value, its step): best dev error, else best dev loss, else best train loss."""
    options = []
    dev_err = error_series(log, "dev", metric)
    if dev_err is not None:
        options.append((f"dev {metric}", dev_err[0], dev_err[1]))
    for column in ("dev_loss", "train_loss"):
        if log.has(column):
            t, v = log.series(column)
            options.append((column.replace("_", " "), t, v))
    for what, t, v in options:
        finite = np.isfinite(v)
        if finite.any():
            i = int(np.argmin(np.where(finite, v, np.inf)))
            return what, float(v[i]), float(t[i])
    return None


def compare_runs(logs: Sequence[TrainingLog], *, metric: str = "error_rate") -> RunComparison:
    """Compare runs: the best, a swept hyperparameter's edge, the noise between seeds.

    Runs are scored by their best dev error (metric units) when every run logs it,
    else their best dev loss, else their best train loss (lower is better); a run
    whose curve is all non-finite scores +inf. Returns no verdicts for fewer than 2 runs.
    """
    rows: list[dict[str, Any]] = []
    for log in logs:
        score = _run_score(log, metric)
        rows.append(
            {
                "run": log.name,
                "hyperparameters": run_hyperparameters(log),
                "score_kind": score[0] if score else None,
                "best": score[1] if score else math.inf,
                "best_step": score[2] if score else None,
            }
        )
    kinds = {r["score_kind"] for r in rows if r["score_kind"]}
    summary: dict[str, Any] = {"runs": rows}
    if len(rows) < 2:
        return RunComparison((), summary)
    if len(kinds) > 1:
        # Score every run on the same footing: the first kind that all runs have.
        for kind in (f"dev {metric}", "dev loss", "train loss"):
            if all(_score_of_kind(log, kind, metric) is not None for log in logs):
                for row, log in zip(rows, logs, strict=True):
                    value, step = _score_of_kind(log, kind, metric) or (math.inf, None)
                    row.update(score_kind=kind, best=value, best_step=step)
                break
    kind = str(rows[0]["score_kind"] or "loss")
    summary["scored_by"] = kind
    ordered = sorted(rows, key=lambda r: float(r["best"]))
    best = ordered[0]
    verdicts: list[Verdict] = []
    fmt = _formatter(kind, metric)
    verdicts.append(
        Verdict(
            "best_run",
            "info",
            f"Best of {len(rows)} runs by {kind}: {best['run']} ({fmt(best['best'])} at step/epoch "
            f"{best['best_step']:g}); next: " + ", ".join(f"{r['run']} {fmt(r['best'])}" for r in ordered[1:4]),
            evidence={"best_run": best["run"], "best_value": best["best"], "scored_by": kind},
        )
    )
    verdicts.extend(_sweep_edges(rows, best, fmt))
    seeds = _seed_noise(rows)
    if seeds is not None:
        summary["seed_noise"] = seeds
        verdicts.append(seeds_verdict(seeds, fmt))
    summary["best_run"] = best["run"]
    return RunComparison(tuple(verdicts), summary)


def _score_of_kind(log: TrainingLog, kind: str, metric: str) -> tuple[float, float] | None:
    if kind.startswith("dev ") and kind != "dev loss":
        series = error_series(log, "dev", metric)
        pair = None if series is None else (series[0], series[1])
    else:
        column = kind.replace(" ", "_")
        pair = log.series(column) if log.has(column) else None
    if pair is None:
        return None
    t, v = pair
    finite = np.isfinite(v)
    if not finite.any():
        return math.inf, float(t[0])
    i = int(np.argmin(np.where(finite, v, np.inf)))
    return float(v[i]), float(t[i])


def _formatter(kind: str, metric: str) -> Any:
    if kind == "dev error_rate":
        return lambda v: f"{100 * v:.1f}%" if np.isfinite(v) else "diverged"
    return lambda v: _g(v) if np.isfinite(v) else "diverged"


def _sweep_edges(rows: list[dict[str, Any]], best: dict[str, Any], fmt: Any) -> list[Verdict]:
    verdicts = []
    names = sorted({k for r in rows for k in r["hyperparameters"] if k != "seed"})
    for name in names:
        values = sorted({r["hyperparameters"][name] for r in rows if name in r["hyperparameters"]})
        if len(values) < 3 or name not in best["hyperparameters"]:
            continue
        value = best["hyperparameters"][name]
        if value not in (values[0], values[-1]):
            verdicts.append(
                Verdict(
                    "sweep_inside",
                    "info",
                    f"The best {name} ({value:g}) lies inside the range tried ({values[0]:g} … {values[-1]:g}): "
                    "the sweep brackets the optimum",
                    evidence={"hyperparameter": name, "best": value, "tried": values},
                )
            )
            continue
        side = "largest" if value == values[-1] else "smallest"
        beyond = "above" if side == "largest" else "below"
        verdicts.append(
            Verdict(
                "sweep_edge",
                "warning",
                f"The best {name} ({value:g}, {fmt(best['best'])}) is the {side} value tried ({values[0]:g} … "
                f"{values[-1]:g}): the optimum may lie {beyond} it — extend the sweep {beyond} {value:g}",
                "tune_learning_rate" if name == "lr" else "tune_hyperparameters",
                None,
                {"hyperparameter": name, "best": value, "tried": values, "edge": side},
            )
        )
    return verdicts


def _seed_noise(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    groups: dict[tuple[tuple[str, float], ...], list[float]] = {}
    for row in rows:
        hp = row["hyperparameters"]
        if "seed" not in hp or not np.isfinite(row["best"]):
            continue
        key = tuple(sorted((k, v) for k, v in hp.items() if k != "seed"))
        groups.setdefault(key, []).append(float(row["best"]))
    repeated = {k: v for k, v in groups.items() if len(v) >= 2}
    if not repeated:
        return None
    # Pooled within-configuration standard deviation (ddof 1 per group).
    ss = sum(float(np.sum((np.array(v) - np.mean(v)) ** 2)) for v in repeated.values())
    dof = sum(len(v) - 1 for v in repeated.values())
    pooled = math.sqrt(ss / dof) if dof else 0.0
    means = sorted(((float(np.mean(v)), k) for k, v in groups.items()), key=lambda m: m[0])
    out: dict[str, Any] = {
        "configurations": len(groups),
        "repeated": len(repeated),
        "pooled_sd": pooled,
        "config_means": [{"config": dict(k), "mean": m} for m, k in means],
    }
    if len(means) >= 2:
        out["best_margin"] = means[1][0] - means[0][0]
    return out


def seeds_verdict(seeds: dict[str, Any], fmt: Any) -> Verdict:
    """An info verdict: the seed-to-seed noise, and whether the best configuration beats the next beyond it."""
    pooled = float(seeds["pooled_sd"])
    margin = seeds.get("best_margin")
    if margin is None:
        tail = ""
    elif margin < 2 * pooled:
        tail = (
            f"; the best configuration leads the next by {fmt(margin)}, less than 2× that noise: "
            "not a real difference yet — run more seeds"
        )
    else:
        tail = f"; the best configuration leads the next by {fmt(margin)}, more than 2× that noise"
    return Verdict(
        "seed_noise",
        "info",
        f"Noise between seeds: standard deviation {fmt(pooled)} over {seeds['repeated']} repeated "
        f"configuration(s){tail}",
        evidence=dict(seeds),
    )
