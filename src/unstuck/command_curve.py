"""The learning curve of any training command: run it on growing shares of the data, fit, forecast.

The command is a template: ``{fraction}``, ``{seed}`` and ``{size}`` (``{size}``
needs ``rows``) are substituted once per fraction and seed, the runs go in
parallel (:func:`unstuck.runs.run_many`), and each reports its metrics by the
contract of :mod:`unstuck.runs` (a JSON object on its last line of output, or in
``$UNSTUCK_METRICS_FILE``). The metric is fitted with :func:`unstuck.curves.fit`
and forecast at 2x and 10x the data.

>>> from unstuck.command_curve import command_curve
>>> curve = command_curve(["python", "train.py", "--fraction", "{fraction}"], fractions=[0.1, 0.2, 0.4, 1.0])
>>> curve.forecast["at_2x"]  # doctest: +SKIP
0.0641

``unstuck curve -- CMD`` and the assistant's ``curve_command`` tool are thin
wrappers over :func:`command_curve`; :meth:`CommandCurve.to_dict` is the
``unstuck.curve/1`` document both write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.arguments import (
    MAX_SEED,
    Parameter,
    check_arguments,
    is_flag,
    is_names,
    is_number,
    is_numbers,
    is_path,
    is_text,
    is_whole,
    is_wholes,
)
from unstuck.errors import ConfigError

if TYPE_CHECKING:
    from unstuck.curves import CurveFit
    from unstuck.runs import RunResult

__all__ = ["PREFERRED_KEYS", "SCHEMA", "CommandCurve", "NoCurve", "RunFailure", "choose_metric_key", "command_curve"]

SCHEMA = "unstuck.curve/1"
#: The metric a curve fits when none is named: the first of these that every good run reports.
PREFERRED_KEYS = ("dev_error", "val_error", "error", "dev_loss", "val_loss", "loss", "rmse", "mae")


@dataclass(frozen=True)
class RunFailure:
    """A run that gave no point on the curve, and why, in one sentence."""

    run: RunResult
    reason: str


class NoCurve(ConfigError):
    """Every run failed or lacked the metric: there is nothing to fit.

    ``failures`` holds each run and its reason, so that a caller can show them.
    """

    def __init__(self, message: str, hint: str, failures: Sequence[RunFailure]) -> None:
        super().__init__(message, hint)
        self.failures = tuple(failures)


@dataclass(frozen=True)
class CommandCurve:
    """The runs of a training command, the curve fitted to their metric and its forecast.

    Attributes
    ----------
    command:
        The command template, placeholders not substituted.
    metric_key:
        The metric fitted (one key of the JSON object the runs report).
    maximize:
        True when the metric is higher-is-better; the fit is then made on its negative.
    rows:
        Rows in the full training set, or None: sizes are then fractions of the data.
    runs:
        Every run, in the order fraction by fraction, seed by seed.
    failures:
        The runs that gave no point (failed, or did not report ``metric_key`` as a number).
    fit:
        The fitted curve, in the sign it was fitted with (see :attr:`sign`).
    forecast:
        In the metric's own units: ``now``, ``at_2x``, ``at_10x`` and their 90 % intervals,
        ``gain_2x``/``gain_10x`` (the improvement, positive when the metric gets better).
    """

    command: tuple[str, ...]
    metric_key: str
    maximize: bool
    rows: int | None
    runs: tuple[RunResult, ...]
    failures: tuple[RunFailure, ...]
    fit: CurveFit
    forecast: dict[str, Any]

    @property
    def sign(self) -> float:
        """-1 when the curve was fitted on the negative metric (``maximize``), else 1."""
        return -1.0 if self.maximize else 1.0

    @property
    def size_unit(self) -> str:
        return "rows" if self.rows is not None else "fraction of the training data"

    def points(self) -> list[tuple[float, int, float]]:
        """(size, number of runs, mean metric) per distinct size, ascending, in the metric's own units."""
        return [
            (float(size), int(count), self.sign * float(value))
            for size, value, count in zip(self.fit.sizes, self.fit.errors, self.fit.counts, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``unstuck.curve/1`` document of command mode."""
        return {
            "schema": SCHEMA,
            "mode": "command",
            "command": " ".join(self.command),
            "metric_key": self.metric_key,
            "maximize": self.maximize,
            "runs": [r.to_dict() for r in self.runs],
            "failed": len(self.failures),
            "curve": self.fit.to_dict(),
            "size_unit": self.size_unit,
            "forecast": self.forecast,
        }


#: What :func:`command_curve` accepts: types, ranges and the flags of ``unstuck curve``; the placeholders, and
#: ``{size}`` needing ``rows``, depend on the command and are checked after (``_check``).
COMMAND_CURVE_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter(
            "command",
            "a list of arguments (text), one per item",
            is_names,
            'command=["python", "train.py", "--fraction", "{fraction}"]',
        ),
        Parameter(
            "fractions",
            "a non-empty list of numbers in (0, 1]",
            lambda v: is_numbers(v) and len(v) > 0,
            "fractions=[0.1, 0.2, 0.4, 1.0]",
            low=0,
            low_open=True,
            high=1,
            flag="--fractions",
        ),
        Parameter(
            "seeds",
            "a non-empty list of whole numbers",
            lambda v: is_wholes(v) and len(v) > 0,
            "seeds=[0, 1, 2]",
            low=0,
            high=MAX_SEED,
            flag="--seeds",
        ),
        Parameter("rows", "a whole number of rows", is_whole, "rows=50000", low=1, flag="--rows"),
        Parameter("metric_key", "the name of a metric (text)", is_text, 'metric_key="dev_error"', flag="--metric-key"),
        Parameter("maximize", "True or False", is_flag, "maximize=True", flag="--maximize"),
        Parameter("jobs", "a whole number of runs in parallel", is_whole, "jobs=2", low=1, flag="--jobs"),
        Parameter("timeout", "a number of seconds", is_number, "timeout=600", low=0, low_open=True, flag="--timeout"),
        Parameter("seed", "a whole number", is_whole, "seed=0", low=0, high=MAX_SEED, flag="--seed"),
        Parameter("cwd", "a folder (a path)", is_path, 'cwd="experiments"'),
        Parameter("on_done", "a function of one run's result", callable, "on_done=print"),
    )
}


def command_curve(
    command: Sequence[str],
    *,
    fractions: Sequence[float],
    seeds: Sequence[int] = (0,),
    rows: int | None = None,
    metric_key: str | None = None,
    maximize: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
    seed: int = 0,
    cwd: Path | None = None,
    on_done: Callable[[RunResult], None] | None = None,
) -> CommandCurve:
    """Run ``command`` once per fraction and seed, fit a learning curve to its metric, forecast it.

    Parameters
    ----------
    command:
        The training command, one argument per item, with ``{fraction}`` or ``{size}``
        where it takes the share of training data (and ``{seed}`` if it takes a seed).
    fractions:
        Shares of the training data, each in (0, 1]; duplicates are dropped.
    seeds:
        Each fraction runs once per seed.
    rows:
        Rows in the full training set; needed for ``{size}`` (= fraction x rows, at least 1),
        and then the curve is in rows rather than fractions.
    metric_key:
        The metric to fit; default the first of :data:`PREFERRED_KEYS` every good run
        reports as a number, or the only numeric one.
    maximize:
        The metric is higher-is-better (accuracy): fitted on its negative, reported as is.
    jobs, timeout:
        Runs in parallel (default: the number of cores) and seconds before a run is killed.
    seed:
        Seed of the curve's bootstrap.
    cwd:
        Folder the runs start in (default: the current one).
    on_done:
        Called with each run's result as it finishes (progress).

    Raises
    ------
    ConfigError
        For an argument of the wrong type or out of range (:data:`COMMAND_CURVE_PARAMETERS`),
        a missing placeholder, ``{size}`` without ``rows``, or a ``metric_key`` no run reported.
    NoCurve
        When no run gave a usable point (with every run's failure).
    """
    from unstuck.runs import RunSpec, run_many, substitute

    given: dict[str, Any] = {
        "command": command,
        "fractions": fractions,
        "seeds": seeds,
        "rows": rows,
        "metric_key": metric_key,
    }
    given |= {"maximize": maximize, "jobs": jobs, "timeout": timeout, "seed": seed, "cwd": cwd, "on_done": on_done}
    check_arguments(given, COMMAND_CURVE_PARAMETERS, entry="unstuck.command_curve.command_curve")
    chosen = _check(command, fractions, rows)
    specs = []
    for fraction in chosen:
        for s in seeds:
            values: dict[str, Any] = {"fraction": fraction, "seed": s}
            if rows is not None:
                values["size"] = max(1, round(fraction * rows))
            specs.append(RunSpec(substitute(list(command), values), values=values, cwd=cwd, timeout=timeout))
    results = run_many(specs, jobs=jobs, on_done=on_done)
    good = [r for r in results if r.ok]
    key = choose_metric_key([r.metrics for r in good], metric_key) if good else metric_key
    usable = [r for r in good if key is not None and _number(r.metrics.get(key)) is not None]
    failures = [RunFailure(r, _reason(r, key)) for r in results if r not in usable]
    if not usable or key is None:
        first = failures[0].reason if failures else "no runs"
        raise NoCurve(
            f"All {len(results)} runs failed, so there is no curve to fit (first error: {first}).",
            "Run the command once by hand with the substituted values and fix it; it must print a JSON object "
            "as its last line or write one to $UNSTUCK_METRICS_FILE.",
            failures,
        )
    return _fitted(command, key, maximize, rows, results, failures, usable, seed)


def _check(command: Sequence[str], fractions: Sequence[float], rows: int | None) -> list[float]:
    """The sorted distinct fractions, once the command's placeholders are known to fit the arguments."""
    from unstuck.runs import placeholders

    used = placeholders(list(command))
    if not used & {"fraction", "size"}:
        raise ConfigError(
            "The command has no {fraction} or {size} placeholder, so every run would train on the same data.",
            "Put {fraction} (or {size} with the full row count, --rows) where your script takes the share of "
            "training data, e.g. `python train.py --data-fraction {fraction}`.",
        )
    if "size" in used and rows is None:
        raise ConfigError(
            "The command uses {size}, but the full training-set size is unknown.",
            "Pass --rows (rows= in Python) with the number of rows in the full training set.",
        )
    return sorted(set(float(f) for f in fractions))


def _fitted(
    command: Sequence[str],
    key: str,
    maximize: bool,
    rows: int | None,
    results: list[RunResult],
    failures: list[RunFailure],
    usable: list[RunResult],
    seed: int,
) -> CommandCurve:
    from unstuck import curves

    sign = -1.0 if maximize else 1.0
    sizes = [float(r.spec.values["size"] if rows is not None else r.spec.values["fraction"]) for r in usable]
    values = [sign * (_number(r.metrics[key]) or 0.0) for r in usable]
    fit = curves.fit(sizes, values, floor=None if maximize else 0.0, seed=seed)
    raw = curves.forecast_at(fit, float(rows) if rows is not None else 1.0)
    forecast = dict(raw)
    if maximize:  # fitted on -metric: turn the values back; gains (improvements) keep their sign
        for k in ("now", "at_2x", "at_10x"):
            forecast[k] = -raw[k]
        for k in ("interval_2x", "interval_10x"):
            forecast[k] = sorted(-x for x in raw[k])
    return CommandCurve(
        command=tuple(command),
        metric_key=key,
        maximize=maximize,
        rows=rows,
        runs=tuple(results),
        failures=tuple(failures),
        fit=fit,
        forecast=forecast,
    )


def choose_metric_key(reported: Sequence[dict[str, Any]], wanted: str | None) -> str:
    """The metric to fit among what the runs ``reported``.

    ``wanted`` if any run reported it; else the first of :data:`PREFERRED_KEYS` that
    every run reports as a number; else the only numeric metric they share.
    """
    numeric = set.intersection(*[{k for k, v in m.items() if _number(v) is not None} for m in reported])
    if wanted is not None:
        if not any(wanted in m for m in reported):
            seen = sorted(set().union(*[set(m) for m in reported]))
            raise ConfigError(
                f"No run reported the metric '{wanted}'; they reported {seen}.",
                "Pass --metric-key (metric_key= in Python) with one of those names.",
            )
        return wanted
    for key in PREFERRED_KEYS:
        if key in numeric:
            return key
    if len(numeric) == 1:
        return next(iter(numeric))
    raise ConfigError(
        f"The runs report several metrics {sorted(numeric)} and none is called {', '.join(PREFERRED_KEYS[:3])}….",
        "Pass --metric-key (metric_key= in Python) with the one to fit, and --maximize if higher is better.",
    )


def _reason(run: RunResult, key: str | None) -> str:
    if not run.ok:
        return run.error or "failed"
    return f"metric '{key}' missing or not a number in {sorted(run.metrics)}"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
