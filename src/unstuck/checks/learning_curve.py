"""The data-size learning curve inside ``diagnose``: will more data of this kind help, and how much?

The best quick baseline (``ctx.ladder.best``, rebuilt by ``make_baseline``) is
trained on nested, stratified subsets of train at sizes ``n_train · 2^(-j/2)``
(j = 2 … , √2 apart, down to :data:`MIN_ROWS` rows, or fewer on small data: see
:func:`smallest_size`); the full-size point is the
ladder's own fit, so it costs nothing. Each size gets a budget of training rows
(a quarter of train, between 5,000 and 10,000), spent on repeats with different
seeds: the large sizes that dominate the cost run once, small ones twice (see
``_curve_sizes``); at most :data:`MAX_FITS` fits. No fit uses more than :data:`MAX_CURVE_ROWS`
rows (10k). From 20k training rows on, the fits run in worker processes, one thread each
(:mod:`unstuck.fits`); the check takes ~12 s at 100k rows on 2 cores. Dev error is measured
on at most :data:`MAX_DEV_ROWS` dev rows (a fixed, seeded sample), the same rows for every size.

The dev curve is fitted with :func:`unstuck.curves.fit` and forecast at 2× and 10×
the training data. Verdict:

* ``learning_curve.more_data`` (lever ``more_data``, bottleneck ``variance``) when
  the forecast gain at 2× (fitted error now − fitted error at 2×) exceeds its
  uncertainty: the lower end of its 90 % bootstrap interval is above zero and the
  gain is at least :data:`MIN_GAIN_SHARE` of the dev error; the gain is the
  finding's ``expected_gain``;
* ``learning_curve.saturated`` (info) when the forecast gain at 2× is below that
  share: more of the same data will not move dev error measurably;
* ``learning_curve.uncertain`` (info) when a material gain is forecast but its
  interval reaches zero: not enough evidence to recommend more data;
* ``learning_curve.ill_behaved`` (info) instead when the curve cannot be trusted
  (see :mod:`unstuck.curves`); no forecast is claimed then.

For classification, per-class dev-error curves (the share of each class's dev
rows misclassified) are fitted for the classes that carry most dev errors, and
``learning_curve.which_data`` says which class's data the forecast gain comes from.

Per-slice curves: the weak slices of dev (:attr:`unstuck.context.Context.dev_slices`,
the same search the ``slices`` check reports) that carry most dev errors (at most
:data:`TOP_SLICES`) get a curve of their own — the metric on the slice's rows of the
sampled dev set, at every size, from the per-row losses each fit already left behind
(no extra model fits). A slice's verdict is ``more_data`` when its curve's is and its
error measurably falls with data (:func:`loss_trend` below zero by :data:`TREND_Z`
standard errors, which count the dev rows' sampling noise that the curve's bootstrap
does not); ``learning_curve.which_slice`` (info) names, among those, the slice whose
forecast drop at 2x lowers the dev error most. A slice whose error does not fall with
data (label noise, a hard subgroup) is not named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from unstuck.checks.curve_parts import (
    LEVEL,
    _per_class,
    _per_slice,
    _which_data,
    _which_slice,
    forecast_at,
    misfits,
    verdict,
)
from unstuck.findings import TRAINED_MODEL as RESTS_ON
from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, draws, shows
from unstuck.view import MAX_ROWS, Plot, Table, fmt_gap, fmt_interval, fmt_value, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.curves import CurveFit
    from unstuck.findings import Report
    from unstuck.problem import Problem

__all__ = ["MIN_ROWS", "data_size_curve", "nested_order", "smallest_size"]

MIN_ROWS = 50
#: On small data the smallest subset goes down to this many rows (see :func:`smallest_size`).
SMALL_MIN_ROWS = 10
#: Below this many training rows a curve's fits are cheap: more seeds per size, more fits.
SMALL_TRAIN = 1_000
MAX_REPEATS_SMALL = 8
MAX_FITS_SMALL = 48
MAX_SIZES = 12
MAX_REPEATS = 2
MAX_FITS = 16
ROWS_PER_SIZE = 5_000
MAX_CURVE_ROWS = 10_000
MAX_DEV_ROWS = 20_000


def nested_order(y: NDArray[Any] | None, n: int, seed: int) -> NDArray[np.int64]:
    """A seeded order of ``n`` rows whose every prefix is stratified by ``y``.

    Each row gets the key ``(its random rank within its class + U(0, 1)) / class size``;
    sorting by it interleaves the classes so that the first ``m`` rows hold each class
    in proportion (± 1 row), for every ``m``: the subsets of a curve are nested and
    stratified at once. ``y=None`` (regression) gives a plain permutation.
    """
    rng = np.random.default_rng(seed)
    if y is None:
        return rng.permutation(n).astype(np.int64)
    _, codes, counts = np.unique(np.asarray(y).astype(str), return_inverse=True, return_counts=True)
    key = np.empty(n, dtype=np.float64)
    for c, count in enumerate(counts):
        members = np.flatnonzero(codes == c)
        ranks = rng.permutation(count)
        key[members] = (ranks + rng.random(count)) / count
    return np.argsort(key, kind="stable").astype(np.int64)


def smallest_size(n_train: int, n_classes: int = 0) -> int:
    """The smallest subset of a curve: :data:`MIN_ROWS`, or on small data down to
    :data:`SMALL_MIN_ROWS` (and two rows per class), so that a curve of three sizes below
    ``n_train`` exists from about 50 rows on: a quick model on a few dozen examples is the
    method's first measure of how much data a problem needs."""
    return max(min(MIN_ROWS, n_train // 4), SMALL_MIN_ROWS, 2 * n_classes)


def _curve_sizes(
    n_train: int,
    max_fits: int = MAX_FITS,
    n_classes: int = 0,
    max_repeats: int = MAX_REPEATS,
    small: tuple[int, int] = (MAX_FITS_SMALL, MAX_REPEATS_SMALL),
) -> list[tuple[int, int]]:
    """(size, repeats) below ``n_train``: sizes ``n/2, n/2^1.5, n/4, …`` (√2 apart, at most
    :data:`MAX_SIZES`, between :data:`MIN_ROWS` and :data:`MAX_CURVE_ROWS` rows); each size
    gets about ``min(n, 2 · MAX_CURVE_ROWS) / 4`` (at least ``ROWS_PER_SIZE``) training rows
    in all, i.e. ``that / size`` repeats, between 1 and :data:`MAX_REPEATS`. Large sizes run
    once, small ones twice; the fits add up to at most ``max_fits`` (16 by default: the fixed
    cost of a 300-tree fit dominates at small sizes), about 36k rows trained at 100k rows.
    ``max_fits`` and ``max_repeats`` are the budget's (:mod:`unstuck.budget`), and so are
    ``small``'s (most fits, most seeds per size) below :data:`SMALL_TRAIN` rows.
    """
    budget = max(min(n_train, 2 * MAX_CURVE_ROWS) / 4, ROWS_PER_SIZE)
    floor = smallest_size(n_train, n_classes)
    # On small data a fit costs little and one subset's error is mostly sampling noise: many
    # seeds per size (their mean is what the curve is fitted to) keep the interval honest.
    if n_train < SMALL_TRAIN:
        max_fits, most = small
    else:
        most = max_repeats
    sizes: list[tuple[int, int]] = []
    fits = 0
    j = 1
    while len(sizes) < MAX_SIZES:
        j += 1
        size = int(n_train * 2 ** (-j / 2))
        if size < floor:
            break
        if size > MAX_CURVE_ROWS:
            continue
        repeats = int(min(most, max(1, budget // size)))
        if fits + repeats > max_fits:
            break
        sizes.append((size, repeats))
        fits += repeats
    return sizes


def curve_fits(max_fits: int, n_classes: int) -> int:
    """Fits of a multi-class boosting curve: boosting fits one ensemble per class, so fewer
    fits keep its cost in line (at least 12, or ``max_fits`` when that is fewer)."""
    return min(max_fits, max(12, max_fits * 2 // n_classes))


def data_size_curve(problem: Problem, ctx: Context) -> dict[str, Any]:
    """Train and dev error of the best baseline at nested subset sizes.

    Returns a dict with ``points`` (list of {size, seed, train_error, dev_error,
    class_errors, losses}; ``losses`` are the per-row losses on the sampled dev rows),
    ``model``, ``dev_rows``, ``dev_index`` (the sampled dev rows' positions) and ``n_train``.
    """
    from unstuck.fits import FitJob, run_fits

    ladder = ctx.ladder
    best = ladder.best_rung
    train, dev = problem.frames["train"], problem.frames["dev"]
    target, features = problem.target, list(problem.features)
    assert target is not None
    metric = problem.metric
    classification = problem.task == "classification"
    n_train = len(train)
    rng = np.random.default_rng(problem.seed)
    dev_index = np.arange(len(dev))
    if len(dev) > MAX_DEV_ROWS:
        dev_index = np.sort(rng.choice(len(dev), size=MAX_DEV_ROWS, replace=False))
    x_dev = dev[features].iloc[dev_index]
    y_dev = dev[target].to_numpy()[dev_index]
    y_train = train[target].to_numpy()

    def class_errors(y_true: NDArray[Any], y_pred: NDArray[Any]) -> dict[str, float]:
        if not classification:
            return {}
        return {str(c): float(np.mean(y_pred[y_true == c] != c)) for c in problem.classes if np.any(y_true == c)}

    full_pred = np.asarray(ctx.predictions["dev"].y_pred)[dev_index]
    full_losses = metric.row_losses(y_dev, full_pred)
    points = [
        {
            "size": n_train,
            "seed": problem.seed,
            "train_error": float(best.errors["train"]),
            "dev_error": metric.from_losses(full_losses),
            "class_errors": class_errors(y_dev, full_pred),
            "losses": full_losses,
        }
    ]
    # multi-class boosting fits one ensemble per class: fewer fits keep the cost in line
    budget = ctx.budget
    heavy = classification and best.name == "gradient_boosting" and len(problem.classes) > 2
    max_fits = curve_fits(budget.curve_fits, len(problem.classes)) if heavy else budget.curve_fits
    jobs = []
    small = (budget.small_curve_fits, budget.small_curve_repeats)
    for fit_rows, repeats in _curve_sizes(n_train, max_fits, len(problem.classes), budget.curve_repeats, small):
        for r in range(repeats):
            seed = problem.seed + 1000 * (r + 1)
            order = nested_order(y_train if classification else None, n_train, seed)
            rows = train.iloc[order[:fit_rows]]
            y = rows[target].to_numpy()
            if classification and len(np.unique(y)) < 2:
                continue
            jobs.append(FitJob(best.name, problem.task, rows[features], y, seed, text_columns=problem.text_columns))
    label = best.name.replace("_", " ")

    def progress(i: int, job: FitJob) -> None:
        ctx.step(f"learning curve: {label} fit {i + 1} of {len(jobs)} done ({len(job.rows):,} rows)")

    ctx.step(f"learning curve: {len(jobs)} fits of the {label} baseline on subsets of train")
    outputs = run_fits(jobs, x_dev, n_train=n_train, on_done=progress, backend=ctx.backend)
    for job, output in zip(jobs, outputs, strict=True):
        losses = metric.row_losses(y_dev, output.on_eval)
        points.append(
            {
                "size": len(job.rows),
                "seed": job.seed,
                "train_error": float(metric(job.y, output.on_train)),
                "dev_error": metric.from_losses(losses),
                "class_errors": class_errors(y_dev, output.on_eval),
                "losses": losses,
            }
        )
    return {
        "points": points,
        "model": best.name,
        "dev_rows": len(dev_index),
        "dev_index": dev_index,
        "n_train": n_train,
    }


def _verdict_finding(kind: str, forecast: dict[str, Any], evidence: dict[str, Any], metric: Any) -> Finding:
    observed = evidence["dev_error"]
    interval_2x, interval_10x = forecast["interval_2x"], forecast["interval_10x"]
    gain, (gain_low, gain_high) = forecast["gain_2x"], forecast["gain_2x_interval"]
    # The gain is read off the fitted curve (fitted now − fitted at 2x), so when the fit's "now"
    # differs from the observed dev error at the shown precision, both are shown: the numbers
    # printed must add up.
    fitted_now = metric.format(forecast["now"])
    now_text = metric.format(observed) + (
        f" ({fitted_now} on the fitted curve)" if fitted_now != metric.format(observed) else ""
    )
    forecast_text = (
        f"dev error {now_text} now; forecast at 2x the data {metric.format(forecast['at_2x'])} "
        f"(90% interval {metric.format(interval_2x[0])} to {metric.format(interval_2x[1])}), at 10x "
        f"{metric.format(forecast['at_10x'])} ({metric.format(interval_10x[0])} to {metric.format(interval_10x[1])})"
    )
    gain_text = (
        f"gain at 2x {metric.format_gap(gain)}, 90% interval {metric.format_gap(gain_low)} to "
        f"{metric.format_gap(gain_high)}"
    )
    if kind == "ill_behaved":
        return Finding(
            id="learning_curve.ill_behaved",
            severity="info",
            title=f"The data-size learning curve is ill-behaved, so no forecast is claimed: {evidence['reason']}",
            evidence=evidence,
        )
    if kind == "more_data":
        return Finding(
            id="learning_curve.more_data",
            severity="warning",
            title=f"More data of this kind helps: {forecast_text}; {gain_text}",
            lever="more_data",
            evidence=evidence,
            bottleneck="variance",
            expected_gain=gain,
        )
    if kind == "saturated":
        return Finding(
            id="learning_curve.saturated",
            severity="info",
            title=f"Saturated: more of the same data will not move dev error measurably ({forecast_text}; {gain_text})",
            evidence=evidence,
        )
    why = (
        f"; the fitted curve misses today's dev error by {metric.format_gap(abs(forecast['now'] - observed))}, "
        "as much as the gain it forecasts"
        if misfits(forecast, observed)
        else ""
    )
    return Finding(
        id="learning_curve.uncertain",
        severity="info",
        title="More data may help, but the forecast is too uncertain to recommend it "
        f"({forecast_text}; {gain_text}{why})",
        evidence=evidence,
    )


Verdict = Literal["more_data", "saturated", "uncertain", "ill_behaved"]


@dataclass(frozen=True)
class CurvePoint:
    """One fit: training rows, its seed, and its train and dev error (metric units)."""

    size: int
    seed: int
    train_error: float
    dev_error: float


@dataclass(frozen=True)
class FittedCurve:
    """A curve fitted to errors (metric units) by training rows (:class:`unstuck.curves.CurveFit`): its
    family and parameters (sizes scaled by ``size_ref`` rows), its asymptote where the family has
    one, whether it is ill-behaved and why, the points fitted (mean error, fits and noise per size)
    and each family's held-out score (mean absolute error of its forecasts)."""

    family: str
    params: tuple[float, ...]
    size_ref: float
    asymptote: float | None
    ill_behaved: bool
    reason: str | None
    sizes: tuple[float, ...]
    errors: tuple[float, ...]
    counts: tuple[int, ...]
    noise: tuple[float, ...]
    scores: Mapping[str, float]


@dataclass(frozen=True)
class Forecast:
    """The fitted dev error (metric units) today and at 2x and 10x the training rows, their ``level``
    intervals, and the gains at 2x (with its paired interval) and 10x (positive: the error falls)."""

    now: float
    at_2x: float
    at_10x: float
    interval_2x: tuple[float, float]
    interval_10x: tuple[float, float]
    gain_2x: float
    gain_2x_interval: tuple[float, float]
    gain_10x: float
    level: float


@dataclass(frozen=True)
class ClassCurve:
    """One class that carries many dev errors: its share of dev rows, its dev error rate, its forecast
    at 2x and gain there, and its part of the whole dev error's 2x gain (``contribution_2x``)."""

    label: Any = field(metadata={"json": "class"})  # as the data names it (text from files; any label from a DataFrame)
    dev_share: float
    error: float
    share_of_dev_errors: float | None
    forecast_2x: float
    gain_2x: float
    contribution_2x: float
    ill_behaved: bool
    family: str


@dataclass(frozen=True)
class SliceCurve:
    """A weak dev slice's own curve (metric units): its rows and share of dev, its error and share of
    dev errors, its forecast at 2x with the gain's interval, the drop of the whole dev error that
    gain brings, the slope of its mean loss per doubling of the data with its standard error, its
    verdict, and its error at every point."""

    rule: str
    dev_rows: int
    dev_share: float
    error: float
    share_of_dev_errors: float
    forecast_2x: float
    gain_2x: float
    gain_2x_interval: tuple[float, float]
    contribution_2x: float
    loss_trend: float
    loss_trend_se: float
    verdict: Verdict
    ill_behaved: bool
    family: str
    errors: tuple[float, ...]


@dataclass(frozen=True)
class CurvePlot:
    """The plot's lines on a grid of training rows: the fitted dev error with its band, the fitted train error."""

    sizes: tuple[float, ...]
    dev_fit: tuple[float, ...]
    dev_low: tuple[float, ...]
    dev_high: tuple[float, ...]
    train_fit: tuple[float, ...]


@dataclass(frozen=True, kw_only=True)
class LearningCurveResult:
    """The data-size learning curve of the best baseline (``model``) on ``n_train`` training rows and
    ``dev_rows`` dev rows: the verdict, every fit, the dev and train curves fitted, the forecast,
    the per-class and per-slice curves, and the plot's lines.

    The per-slice curves came later: a report saved before them reads with none."""

    verdict: Verdict
    model: str
    n_train: int
    dev_rows: int
    points: tuple[CurvePoint, ...]
    dev_curve: FittedCurve
    train_curve: FittedCurve
    forecast: Forecast
    per_class: tuple[ClassCurve, ...]
    per_slice: tuple[SliceCurve, ...] = ()
    plot: CurvePlot


@check(
    "learning_curve",
    requires=("data", "dev"),
    description="data-size learning curve of the best baseline, forecast at 2x and 10x the data",
    group="learning_curve",
    result=LearningCurveResult,
)
def learning_curve(problem: Problem, ctx: Context) -> CheckResult:
    from unstuck import curves

    n_train = len(problem.frames["train"])
    budget = ctx.budget
    small = (budget.small_curve_fits, budget.small_curve_repeats)
    if len(_curve_sizes(n_train, budget.curve_fits, len(problem.classes), budget.curve_repeats, small)) < 3:
        floor = smallest_size(n_train, len(problem.classes))
        raise SkipCheck(
            f"needs three subset sizes of at least {floor} rows below the {n_train} training rows (about "
            f"{4 * floor} rows in all)"
        )
    if ctx.ladder.best == "trivial":
        raise SkipCheck("the best baseline is the trivial one: a learning curve of a constant says nothing")
    data = data_size_curve(problem, ctx)
    points = data["points"]
    sizes = np.array([p["size"] for p in points], dtype=np.float64)
    dev_errors = np.array([p["dev_error"] for p in points])
    train_errors = np.array([p["train_error"] for p in points])
    dev_fit = curves.fit(sizes, dev_errors, seed=problem.seed)
    train_fit = curves.fit(sizes, train_errors, seed=problem.seed, n_boot=0)
    metric = problem.metric
    forecast = forecast_at(dev_fit, n_train, ceiling=1.0 if problem.metric.name == "error_rate" else None)
    observed = float(np.mean(dev_errors[sizes == n_train]))
    evidence: dict[str, Any] = {
        "model": data["model"],
        "n_train": n_train,
        "dev_error": observed,
        "family": dev_fit.family,
        "asymptote": dev_fit.asymptote,
        "forecast": forecast,
        "sizes": [int(s) for s in dev_fit.sizes],
        "dev_errors": [float(e) for e in dev_fit.errors],
        "reason": dev_fit.reason,
        "rests_on": list(RESTS_ON),
    }
    kind = verdict(dev_fit, forecast, observed)
    findings: list[Finding] = [_verdict_finding(kind, forecast, evidence, metric)]
    per_class = _per_class(problem, points, n_train) if problem.task == "classification" else []
    which = _which_data(per_class, metric) if kind in ("more_data", "uncertain") else None
    if which is not None:
        findings.append(which)
    per_slice = _per_slice(problem, ctx, data)
    which_slice = _which_slice(per_slice, metric)
    if which_slice is not None:
        findings.append(which_slice)
    section = {
        "verdict": kind,
        "model": data["model"],
        "n_train": n_train,
        "dev_rows": data["dev_rows"],
        "points": [{k: v for k, v in p.items() if k not in ("class_errors", "losses")} for p in points],
        "dev_curve": dev_fit.to_dict(),
        "train_curve": train_fit.to_dict(),
        "forecast": forecast,
        "per_class": per_class,
        "per_slice": per_slice,
        "plot": _plot_data(dev_fit, train_fit, n_train),
    }
    return CheckResult(findings=tuple(findings), section=from_json(LearningCurveResult, section, strict=True))


def _plot_data(dev_fit: CurveFit, train_fit: CurveFit, n_train: int) -> dict[str, Any]:
    """Points and fitted lines for a plot: log-spaced sizes from the smallest observed to 10x."""
    grid = np.geomspace(float(dev_fit.sizes[0]), 10.0 * n_train, 40)
    low, high = dev_fit.interval(grid, level=LEVEL)
    return {
        "sizes": [float(s) for s in grid],
        "dev_fit": [float(v) for v in dev_fit.predict(grid)],
        "dev_low": [float(v) for v in low],
        "dev_high": [float(v) for v in high],
        "train_fit": [float(v) for v in train_fit.predict(grid)],
    }


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@draws(learning_curve)
def _plot(report: Report, result: LearningCurveResult) -> Plot:
    return Plot(
        "learning_curve",
        f"Dev error of the {result.model.replace('_', ' ')} baseline against training rows, with the fitted curve "
        "and its forecast band out to 10× today's data.",
        data=result,
    )


@shows(learning_curve)
def _tables(report: Report, result: LearningCurveResult) -> list[Table]:
    forecast, n_train = result.forecast, result.n_train
    rows = [["today", f"{n_train:,}", fmt_value(report, forecast.now), "", ""]] + [
        [
            f"{factor}× data",
            f"{factor * n_train:,}",
            fmt_value(report, value),
            fmt_interval(report, interval),
            fmt_gap(report, gain, signed=False),
        ]
        for factor, value, interval, gain in (
            (2, forecast.at_2x, forecast.interval_2x, forecast.gain_2x),
            (10, forecast.at_10x, forecast.interval_10x, forecast.gain_10x),
        )
    ]
    out = [
        Table(
            ("training data", "rows", "forecast dev error", f"{round(100 * forecast.level)}% interval", "gain"),
            rows,
            numeric=(1, 2, 3, 4),
        )
    ]
    if result.per_class:
        out.append(
            Table(
                ("class", "dev share", "dev error", "forecast at 2×", "its part of the 2× gain"),
                [
                    [
                        str(c.label),
                        pct(c.dev_share),
                        fmt_value(report, c.error),
                        fmt_value(report, c.forecast_2x),
                        fmt_gap(report, c.contribution_2x, signed=False),
                    ]
                    for c in result.per_class[:MAX_ROWS]
                ],
                numeric=(1, 2, 3, 4),
                caption="The classes that carry most dev errors: which data would pay.",
            )
        )
    return out
