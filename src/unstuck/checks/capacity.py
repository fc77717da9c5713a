"""Capacity and learning-rate sweeps on the best baseline: the method's "learning rate and network size first".

One variable at a time, everything else at the baseline's default:

* **capacity** — LightGBM ``num_leaves`` 7 … 127 (default 31); for the linear
  baseline, the inverse regularisation ``C`` of logistic regression (or ``1/alpha``
  of ridge) 0.01 … 100 (default 1);
* **learning rate** — LightGBM ``learning_rate`` 0.0125 … 0.4 (default 0.05), with the
  number of trees fixed at 300 (the linear baselines have no learning rate).

Each setting is trained on the same stratified subset of train (at most
:data:`SWEEP_ROWS` rows, so the sweep costs a bounded number of small fits
whatever the data size) and measured on train (that subset) and on dev (at most
:data:`DEV_ROWS` rows, the same for every setting). The all-defaults model is
fitted once and shared by both sweeps. A setting beats the default
when its dev error is lower by more than :data:`Z` standard errors of the paired
per-row difference on dev.

From :data:`HALVING_FROM` rows per setting on, the settings are first screened on a
quarter of those rows (a nested, stratified prefix): one that is clearly worse there
(by :data:`DROP_Z` standard errors) than the screening's best is not fitted on all of
them, and only the settings fitted on all the rows compete for the verdicts below.
The sweep's size is the budget's (:mod:`unstuck.budget`).

Findings:

* ``capacity.bigger_model`` (lever ``bigger_model``, bottleneck ``avoidable_bias``)
  when a larger capacity lowers both train and dev error beyond noise, with the dev
  gain as expected gain;
* ``capacity.smaller_model`` (lever ``regularize``, bottleneck ``variance``) when a
  smaller capacity lowers dev error beyond noise;
* ``learning_rate.better`` (lever ``tune_learning_rate``) when another learning rate
  lowers dev error beyond noise;
* ``capacity.at_edge`` / ``learning_rate.at_edge`` (info) when the best setting is at
  an end of the swept range: the optimum may lie beyond it, widen the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.findings import TRAINED_MODEL as RESTS_ON
from unstuck.findings import Finding
from unstuck.measured import ABSENT_WHEN_NONE, from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.view import Table, fmt_value

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.fits import FitOutput
    from unstuck.metrics import Metric
    from unstuck.problem import Problem

__all__ = ["SWEEPS", "sweep"]

SWEEP_ROWS = 5_000
#: Fewest training rows for a sweep. What guards a sweep's verdict against noise is its paired
#: test on the dev rows (a setting must beat the default by ``Z`` standard errors), which small
#: data simply fails; the floor only makes each setting fittable. Small data is where the method
#: wants these measurements most (a quick model on a few dozen examples).
MIN_TRAIN = 100
DEV_ROWS = 10_000
Z = 2.0
#: From this many rows per setting on, a sweep compares its settings by successive halving (see
#: :func:`sweep`): below it every fit is cheap and the plain sweep costs little.
HALVING_FROM = 4_000
#: A setting is dropped at a smaller size when its dev error is worse than that size's best by
#: more than this many standard errors: stricter than the ``Z`` a winner needs, so that only a
#: setting that is clearly worse on a quarter of the rows misses its fit on all of them.
DROP_Z = 3.0

#: model -> sweep name -> (parameter, values, default, label of "more capacity")
SWEEPS: dict[str, dict[str, tuple[str, tuple[float, ...], float]]] = {
    "gradient_boosting": {
        "capacity": ("num_leaves", (7, 15, 31, 63, 127), 31),
        "learning_rate": ("learning_rate", (0.0125, 0.025, 0.05, 0.1, 0.2, 0.4), 0.05),
    },
    "linear": {
        "capacity": ("C", (0.01, 0.1, 1.0, 10.0, 100.0), 1.0),
    },
}


def _params(name: str, task: str, parameter: str, value: float) -> dict[str, Any]:
    """The final estimator's parameters that set one swept hyperparameter of baseline ``name``."""
    if name == "linear" and parameter == "C" and task == "regression":
        return {"alpha": 1.0 / value}  # ridge: capacity grows as alpha shrinks
    if parameter == "num_leaves":
        return {"num_leaves": int(value)}
    return {parameter: value}


def rungs(rows: int) -> list[int]:
    """Training-set sizes of the settings' comparison for a sweep on ``rows`` rows: from
    :data:`HALVING_FROM` rows on, a screening on a quarter of them and then all of them (one
    round of successive halving: a screening that finds nothing clearly worse costs a quarter
    more, each setting it drops saves three quarters of a fit); below it, all at once."""
    return [rows // 4, rows] if rows >= HALVING_FROM else [rows]


def sweep(
    problem: Problem,
    model_name: str,
    parameter_sweep: str,
    *,
    defaults: dict[int, FitOutput] | None = None,
    max_rows: int = SWEEP_ROWS,
    backend: str = "local",
) -> dict[str, Any]:
    """Train/dev error of ``model_name`` at each value of one hyperparameter (see module docstring).

    Returns ``{"parameter", "default", "rows", "settings": [{value, train_error, dev_error, rows,
    dropped_at}], "dev_losses": {value: per-row dev losses}}``; the losses (of the settings fitted
    on all ``rows``) stay out of reports. Settings are compared by successive halving on nested,
    stratified subsets (:func:`rungs`): at a smaller size, a setting whose dev error is worse
    than that size's best by more than :data:`DROP_Z` standard errors of the paired per-row
    difference is dropped, and its errors are those measured where it was dropped
    (``dropped_at`` rows; None when it reached the full size). The default is never dropped.
    ``defaults`` — fits of the all-defaults model by training rows, from an earlier sweep on the
    same rows — are reused instead of fitting that same model again, and filled in. Each setting
    trains on at most ``max_rows`` rows (the budget's); ``backend`` is where the fits run
    (:func:`unstuck.fits.run_fits`).
    """
    from unstuck.checks.learning_curve import nested_order
    from unstuck.fits import FitJob, run_fits

    parameter, values, default = SWEEPS[model_name][parameter_sweep]
    train, dev = problem.frames["train"], problem.frames["dev"]
    target, features = problem.target, list(problem.features)
    assert target is not None
    classification = problem.task == "classification"
    y_all = train[target].to_numpy()
    order = nested_order(y_all if classification else None, len(train), problem.seed)
    rng = np.random.default_rng(problem.seed)
    dev_index = np.arange(len(dev)) if len(dev) <= DEV_ROWS else np.sort(rng.choice(len(dev), DEV_ROWS, replace=False))
    x_dev, y_dev = dev[features].iloc[dev_index], dev[target].to_numpy()[dev_index]
    metric = problem.metric
    shared = defaults if defaults is not None else {}
    full = min(max_rows, len(train))
    alive = list(values)
    measured: dict[float, dict[str, Any]] = {}
    losses: dict[float, NDArray[np.float64]] = {}
    for size in rungs(full):
        rows = train.iloc[order[:size]]
        y_rows = rows[target].to_numpy()
        to_fit = [v for v in alive if not (v == default and size in shared)]
        jobs = [
            FitJob(
                model_name,
                problem.task,
                rows[features],
                y_rows,
                problem.seed,
                _params(model_name, problem.task, parameter, v),
                text_columns=problem.text_columns,
            )
            for v in to_fit
        ]
        fitted = dict(zip(to_fit, run_fits(jobs, x_dev, n_train=len(train), backend=backend), strict=True))
        if default in fitted:
            shared[size] = fitted[default]
        rung_losses = {}
        for value in alive:
            output = fitted[value] if value in fitted else shared[size]
            rung_losses[value] = metric.row_losses(y_dev, output.on_eval)
            measured[value] = {
                "value": value,
                "train_error": float(metric(y_rows, output.on_train)),
                "dev_error": float(metric.from_losses(rung_losses[value])),
                "rows": size,
                "dropped_at": None,
            }
        if size == full:
            losses = rung_losses
            break
        leader = min(alive, key=lambda v: measured[v]["dev_error"])
        for value in [v for v in alive if v not in (default, leader)]:
            gain, se = _paired_gain(rung_losses[value], rung_losses[leader], metric)
            if gain > DROP_Z * se:
                measured[value]["dropped_at"] = size
                alive.remove(value)
    return {
        "parameter": parameter,
        "default": default,
        "rows": full,
        "settings": [measured[v] for v in values],
        "dev_losses": losses,
    }


def _paired_gain(baseline: NDArray[np.float64], other: NDArray[np.float64], metric: Metric) -> tuple[float, float]:
    """How much lower the metric is on ``other``'s per-row losses than on ``baseline``'s (metric
    units, > 0: ``other`` is better), and the standard error of that gain from the paired rows."""
    gain = metric.from_losses(baseline) - metric.from_losses(other)
    diff = baseline - other
    se = float(np.std(diff, ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else float("inf")
    if metric.aggregate == "root_mean":  # RMSE: delta method on the mean squared error
        mse = float(np.mean(baseline))
        se = se / (2 * np.sqrt(mse)) if mse > 0 else float("inf")
    return float(gain), se


def _beats(
    losses: dict[float, NDArray[np.float64]], value: float, default: float, metric: Metric
) -> tuple[bool, float]:
    """Whether ``value`` beats ``default`` on dev beyond noise, and the gain (metric units, > 0 is better)."""
    gain, se = _paired_gain(losses[default], losses[value], metric)
    return gain > Z * se and gain > 0, gain


@dataclass(frozen=True)
class SweepSetting:
    """One value of the swept hyperparameter: train and dev error (metric units) measured on ``rows``
    training rows, and the smaller size it was dropped at by successive halving (None: it reached
    the sweep's full size). A report saved before the sweeps screened their settings has neither."""

    value: float
    train_error: float
    dev_error: float
    rows: int | None = None
    dropped_at: int | None = None


@dataclass(frozen=True)
class Sweep:
    """One hyperparameter swept, everything else at the baseline's default: its name and default, the
    training rows each finalist was fitted on, every setting, the best on dev and whether that best
    is at an end of the range (other than the default)."""

    parameter: str
    default: float
    rows: int
    settings: tuple[SweepSetting, ...]
    best: float
    at_edge: bool


@dataclass(frozen=True)
class CapacityResult:
    """The baseline swept (``model``), its capacity sweep, and its learning-rate sweep (absent for the
    linear baselines, which have no learning rate)."""

    model: str
    capacity: Sweep
    learning_rate: Sweep | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@check(
    "capacity",
    requires=("data", "dev"),
    description="capacity and learning-rate sweeps of the best baseline, one variable at a time",
    group="capacity",
    result=CapacityResult,
)
def capacity(problem: Problem, ctx: Context) -> CheckResult:
    n_train = len(problem.frames["train"])
    if n_train < MIN_TRAIN:
        raise SkipCheck(f"needs at least {MIN_TRAIN} training rows for a sweep above noise; train has {n_train}")
    if not ctx.budget.sweeps:
        raise SkipCheck(f"the {ctx.budget.name} budget runs no sweeps; --budget standard runs them")
    best = ctx.ladder.best
    if best not in SWEEPS:
        raise SkipCheck(f"the best baseline is '{best}', which has no capacity or learning rate to sweep")
    if best == "linear" and problem.task == "classification" and len(problem.classes) > 20:
        raise SkipCheck("too many classes for a quick linear sweep")
    metric = problem.metric
    findings: list[Finding] = []
    section: dict[str, Any] = {"model": best}
    defaults: dict[int, FitOutput] = {}  # the all-defaults fits, shared by both sweeps
    for name in SWEEPS[best]:
        parameter, swept, _ = SWEEPS[best][name]
        sizes = ", ".join(f"{size:,}" for size in rungs(min(n_train, ctx.budget.sweep_rows)))
        ctx.step(
            f"{name.replace('_', ' ')} sweep: {len(swept)} settings of the {best.replace('_', ' ')} baseline "
            f"({parameter} {swept[0]:g} to {swept[-1]:g}) on {sizes} rows"
        )
        result = sweep(problem, best, name, defaults=defaults, max_rows=ctx.budget.sweep_rows, backend=ctx.backend)
        losses = result.pop("dev_losses")
        parameter, default = result["parameter"], result["default"]
        settings = result["settings"]
        values = [s["value"] for s in settings]
        # only the settings measured on all the rows compete: a dropped one was clearly worse earlier
        finalists = [s for s in settings if s["dropped_at"] is None]
        chosen = min(finalists, key=lambda s: (s["dev_error"], abs(np.log(s["value"] / default))))
        at_edge = chosen["value"] in (values[0], values[-1]) and chosen["value"] != default
        result["best"] = chosen["value"]
        result["at_edge"] = at_edge
        section[name] = result
        by_value = {s["value"]: s for s in settings}
        table = ", ".join(
            f"{s['value']:g}: {metric.format(s['dev_error'])}"
            + (f" (dropped at {s['dropped_at']:,} rows)" if s["dropped_at"] is not None else "")
            for s in settings
        )
        evidence = {**result, "table": table, "rests_on": list(RESTS_ON)}
        if name == "capacity":
            bigger = [v for v in losses if v > default]
            smaller = [v for v in losses if v < default]
            better_big = [v for v in bigger if _beats(losses, v, default, metric)[0]]
            better_small = [v for v in smaller if _beats(losses, v, default, metric)[0]]
            if (
                better_big
                and chosen["value"] in better_big
                and (by_value[chosen["value"]]["train_error"] < by_value[default]["train_error"])
            ):
                gain = _beats(losses, chosen["value"], default, metric)[1]
                findings.append(
                    Finding(
                        id="capacity.bigger_model",
                        severity="warning",
                        title=f"A bigger model helps: {parameter} {chosen['value']:g} instead of {default:g} lowers "
                        f"train error ({metric.format(by_value[default]['train_error'])} → "
                        f"{metric.format(chosen['train_error'])}) and dev error by {metric.format_gap(gain)} "
                        f"(dev error by {parameter}: {table})",
                        lever="bigger_model",
                        bottleneck="avoidable_bias",
                        evidence=evidence,
                        expected_gain=gain,
                    )
                )
            elif better_small and chosen["value"] in better_small:
                gain = _beats(losses, chosen["value"], default, metric)[1]
                findings.append(
                    Finding(
                        id="capacity.smaller_model",
                        severity="warning",
                        title=f"A smaller (more regularised) model generalises better: {parameter} "
                        f"{chosen['value']:g} instead of {default:g} lowers dev error by {metric.format_gap(gain)} "
                        f"(dev error by {parameter}: {table})",
                        lever="regularize",
                        bottleneck="variance",
                        evidence=evidence,
                        expected_gain=gain,
                    )
                )
        else:
            winner, gain = (
                _beats(losses, chosen["value"], default, metric) if chosen["value"] != default else (False, 0.0)
            )
            if winner:
                findings.append(
                    Finding(
                        id="learning_rate.better",
                        severity="warning",
                        title=f"The learning rate is off: {chosen['value']:g} instead of {default:g} lowers dev error "
                        f"by {metric.format_gap(gain)} (dev error by learning rate: {table})",
                        lever="tune_learning_rate",
                        evidence=evidence,
                        expected_gain=gain,
                    )
                )
        if at_edge:
            findings.append(
                Finding(
                    id=f"{name}.at_edge",
                    severity="info",
                    title=f"The best {parameter} ({chosen['value']:g}) is at the "
                    f"{'top' if chosen['value'] == values[-1] else 'bottom'} of the swept range "
                    f"{values[0]:g}–{values[-1]:g}: the optimum may lie beyond it; widen the sweep",
                    evidence=evidence,
                )
            )
    return CheckResult(findings=tuple(findings), section=from_json(CapacityResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(capacity)
def _tables(report: Report, result: CapacityResult) -> list[Table]:
    out = []
    for sweep, label in ((result.capacity, "capacity"), (result.learning_rate, "learning rate")):
        if sweep is None or not sweep.settings:
            continue
        rows = [
            [
                f"{s.value:g}"
                + (" (default)" if s.value == sweep.default else "")
                + (f" (dropped at {s.dropped_at:,} rows)" if s.dropped_at else ""),
                fmt_value(report, s.train_error),
                fmt_value(report, s.dev_error),
            ]
            for s in sweep.settings
        ]
        best = next((i for i, s in enumerate(sweep.settings) if s.value == sweep.best), None)
        note = f"{label.capitalize()} sweep of the {result.model.replace('_', ' ')} baseline on "
        note += f"{sweep.rows:,} training rows, one variable at a time; bold: best on dev."
        if sweep.at_edge:
            note += " The best is at an end of the range: the optimum may lie beyond it."
        out.append(
            Table(
                (sweep.parameter, "train error", "dev error"),
                rows,
                numeric=(1, 2),
                caption=note,
                highlight=best,
            )
        )
    return out
