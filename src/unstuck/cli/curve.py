"""``unstuck curve``: a learning curve of the quick baseline, or of any training command.

Two modes::

    unstuck curve train.csv --dev dev.csv --target y            # data mode: the baseline's curve
    unstuck curve --fractions 0.05,0.1,0.2,0.4,0.7,1 -- python train.py --data-fraction {fraction} --seed {seed}

In command mode the command runs once per fraction and seed (``{fraction}``,
``{seed}``, ``{size}`` substituted; ``{size}`` needs ``--rows``), in parallel, and
reports its metrics by the contract of :mod:`unstuck.runs`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console, quiet_callback
from unstuck.errors import ConfigError, FileProblem

if TYPE_CHECKING:
    from unstuck.curves import CurveFit
    from unstuck.runs import RunResult

__all__ = ["register"]

SCHEMA = "unstuck.curve/1"
PREFERRED_KEYS = ("dev_error", "val_error", "error", "dev_loss", "val_loss", "loss", "rmse", "mae")
TABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".json", ".tsv")


def curve(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="A training table (with --target), or, after --, the training command with {fraction}/{seed}/{size}.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[str | None, typer.Option(help="Data mode: the column to predict.")] = None,
    dev: Annotated[Path | None, typer.Option(help="Data mode: dev table. Default: 20% of train.")] = None,
    task: Annotated[str | None, typer.Option(help="Data mode: classification or regression.")] = None,
    metric: Annotated[str | None, typer.Option(help="Data mode: error_rate, rmse or mae.")] = None,
    drop: Annotated[list[str] | None, typer.Option(help="Data mode: column to leave out; repeat.")] = None,
    fractions: Annotated[
        str, typer.Option(help="Command mode: comma-separated fractions of the training data.")
    ] = "0.05,0.1,0.2,0.4,0.7,1",
    seeds: Annotated[
        str, typer.Option(help="Command mode: comma-separated seeds; each fraction runs once per seed.")
    ] = "0",
    rows: Annotated[
        int | None, typer.Option(help="Command mode: rows in the full training set ({size} = fraction x rows).")
    ] = None,
    metric_key: Annotated[
        str | None,
        typer.Option(help="Command mode: the metric to fit (default: dev_error, val_error, error, … or the only one)."),
    ] = None,
    maximize: Annotated[
        bool, typer.Option(help="Command mode: the metric is higher-is-better (e.g. accuracy).")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option(help="Command mode: runs in parallel. Default: the number of cores.")
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Command mode: seconds before a run is killed.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for splits, subsets, models and the bootstrap.")] = 0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the curves (with plot data) as JSON.")] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing but errors.", callback=quiet_callback)
    ] = False,
) -> None:
    """Learning curve and scaling forecast: will more data help, and how much?"""
    items = list(args or [])
    if target is not None:
        if len(items) != 1:
            raise ConfigError(
                f"Data mode takes exactly one training table, got {len(items)} argument(s).",
                "Run `unstuck curve train.csv --target y [--dev dev.csv]`, or put a command after -- without --target.",
            )
        payload = _data_mode(Path(items[0]), target, dev, task, metric, drop or [], seed, quiet)
    else:
        if not items:
            raise ConfigError(
                "Nothing to fit a curve on: no training table and no command.",
                "Run `unstuck curve train.csv --target y`, "
                "or `unstuck curve -- python train.py --fraction {fraction}`.",
            )
        if len(items) == 1 and items[0].lower().endswith(TABLE_SUFFIXES) and Path(items[0]).exists():
            raise ConfigError(
                f"'{items[0]}' looks like a table, but no --target was given.",
                "Pass --target with the column to predict (or put a training command after --).",
            )
        payload = _command_mode(items, fractions, seeds, rows, metric_key, maximize, jobs, timeout, seed, quiet)
    if json_path is not None:
        try:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n", encoding="utf-8")
        except OSError as exc:
            raise FileProblem(
                f"Could not write the JSON to '{json_path}': {exc.strerror}.", "Choose a writable path for --json."
            ) from None
        if not quiet:
            console.print(f"Wrote {json_path}")


def _data_mode(
    path: Path,
    target: str,
    dev: Path | None,
    task: str | None,
    metric: str | None,
    drop: list[str],
    seed: int,
    quiet: bool,
) -> dict[str, Any]:
    from unstuck.context import Context
    from unstuck.pipeline import load_problem
    from unstuck.registry import registered_checks
    from unstuck.runner import run_checks

    problem = load_problem(path, target=target, dev=dev, task=task, metric=metric, drop=drop, seed=seed)
    spec = [s for s in registered_checks() if s.name == "learning_curve"]
    if quiet:
        run = run_checks(problem, Context(problem), checks=spec)
    else:
        with err_console.status("learning curve…") as status:
            ctx = Context(problem, on_step=lambda message: status.update(f"{message}…"))
            run = run_checks(problem, ctx, checks=spec)
    if run.skipped:
        raise ConfigError(
            f"No learning curve: {run.skipped[0].reason}.",
            "Give more training rows, or a target the baselines can learn.",
        )
    section = run.sections["learning_curve"]
    if not quiet:
        fmt = problem.metric.format
        console.print(f"Learning curve of the {section['model'].replace('_', ' ')} baseline ({problem.metric.name}):")
        console.print(f"{'rows':>10}  {'runs':>4}  {'train':>8}  {'dev':>8}")
        for size in sorted({p["size"] for p in section["points"]}):
            runs = [p for p in section["points"] if p["size"] == size]
            train_error = sum(p["train_error"] for p in runs) / len(runs)
            dev_error = sum(p["dev_error"] for p in runs) / len(runs)
            console.print(f"{size:>10,}  {len(runs):>4}  {fmt(train_error):>8}  {fmt(dev_error):>8}")
        curve_info = section["dev_curve"]
        console.print(f"Dev curve: {curve_info['family']}, asymptote {fmt(curve_info['asymptote'])}")
        for finding in run.findings:
            console.print(f"- {finding.title}", highlight=False)
    return {
        "schema": SCHEMA,
        "mode": "data",
        "metric": problem.metric.to_dict(),
        "findings": [f.to_dict() for f in run.findings],
        "learning_curve": section,
    }


def _parse_list(text: str, kind: type, option: str) -> list[Any]:
    try:
        values = [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(
            f"{option} must be a comma-separated list of {kind.__name__}s, got '{text}'.",
            f"Example: {option} " + ("0.1,0.2,0.4,1" if kind is float else "0,1,2"),
        ) from None
    if not values:
        raise ConfigError(f"{option} is empty.", f"Give at least one value to {option}.")
    return values


def _command_mode(
    command: list[str],
    fractions_text: str,
    seeds_text: str,
    rows: int | None,
    metric_key: str | None,
    maximize: bool,
    jobs: int | None,
    timeout: float | None,
    seed: int,
    quiet: bool,
) -> dict[str, Any]:
    from unstuck import curves
    from unstuck.runs import RunSpec, placeholders, run_many, substitute

    fractions = sorted(set(_parse_list(fractions_text, float, "--fractions")))
    seeds = _parse_list(seeds_text, int, "--seeds")
    bad = [f for f in fractions if not 0 < f <= 1]
    if bad:
        raise ConfigError(f"Fractions must be in (0, 1], got {bad}.", "Example: --fractions 0.05,0.1,0.2,0.4,0.7,1")
    used = placeholders(command)
    if not used & {"fraction", "size"}:
        raise ConfigError(
            "The command has no {fraction} or {size} placeholder, so every run would train on the same data.",
            "Put {fraction} (or {size} with --rows) where your script takes the share of training data, "
            "e.g. `-- python train.py --data-fraction {fraction}`.",
        )
    if "size" in used and rows is None:
        raise ConfigError(
            "The command uses {size}, but the full training-set size is unknown.",
            "Pass --rows with the number of rows in the full training set.",
        )
    if rows is not None and rows <= 0:
        raise ConfigError(f"--rows must be positive, got {rows}.", "Pass the number of rows in the full training set.")
    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}.", "Pass --jobs 1 to run one at a time.")
    specs = []
    for fraction in fractions:
        for s in seeds:
            values: dict[str, Any] = {"fraction": fraction, "seed": s}
            if rows is not None:
                values["size"] = max(1, round(fraction * rows))
            command_i = substitute(command, values)
            specs.append(RunSpec(command_i, values=values, timeout=timeout))
    if quiet:
        results = run_many(specs, jobs=jobs)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
        ) as progress:
            task_id = progress.add_task("runs", total=len(specs))
            results = run_many(specs, jobs=jobs, on_done=lambda _r: progress.advance(task_id))
    failed = [r for r in results if not r.ok]
    good = [r for r in results if r.ok]
    key = _choose_key(good, metric_key) if good else metric_key
    usable = [r for r in good if key is not None and _number(r.metrics.get(key)) is not None]
    for r in good:
        if r not in usable:
            failed.append(r)
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "mode": "command",
        "command": " ".join(command),
        "metric_key": key,
        "maximize": maximize,
        "runs": [r.to_dict() for r in results],
        "failed": len(failed),
    }
    if not quiet:
        for r in failed:
            why = r.error if not r.ok else f"metric '{key}' missing or not a number in {sorted(r.metrics)}"
            err_console.print(f"run failed ({_values(r)}): {why}", highlight=False, markup=False)
            if r.stderr_tail.strip():
                tail = "\n".join(r.stderr_tail.strip().splitlines()[-5:])
                err_console.print(f"  stderr: {tail}", highlight=False, markup=False, style="dim")
    if not usable:
        raise ConfigError(
            f"All {len(results)} runs failed, so there is no curve to fit"
            + (f" (first error: {failed[0].error or 'metric missing'})." if failed else "."),
            "Run the command once by hand with the substituted values and fix it; it must print a JSON object "
            "as its last line or write one to $UNSTUCK_METRICS_FILE.",
        )
    assert key is not None
    sizes = [float(r.spec.values["size"] if rows is not None else r.spec.values["fraction"]) for r in usable]
    values_y = [float(_number(r.metrics[key]) or 0.0) for r in usable]
    sign = -1.0 if maximize else 1.0
    fit = curves.fit(sizes, [sign * v for v in values_y], floor=None if maximize else 0.0, seed=seed)
    full = float(rows) if rows is not None else 1.0
    payload["curve"] = fit.to_dict()
    payload["size_unit"] = "rows" if rows is not None else "fraction of the training data"
    payload["forecast"] = _forecast(fit, full, sign)
    if not quiet:
        _print_command_curve(fit, sign, full, rows is not None, key, payload["forecast"], len(usable), len(results))
    return payload


def _choose_key(results: list[RunResult], wanted: str | None) -> str | None:
    numeric = set.intersection(*[{k for k, v in r.metrics.items() if _number(v) is not None} for r in results])
    if wanted is not None:
        if not any(wanted in r.metrics for r in results):
            seen = sorted(set().union(*[set(r.metrics) for r in results]))
            raise ConfigError(
                f"No run reported the metric '{wanted}'; they reported {seen}.",
                "Pass --metric-key with one of those names.",
            )
        return wanted
    for key in PREFERRED_KEYS:
        if key in numeric:
            return key
    if len(numeric) == 1:
        return next(iter(numeric))
    raise ConfigError(
        f"The runs report several metrics {sorted(numeric)} and none is called {', '.join(PREFERRED_KEYS[:3])}….",
        "Pass --metric-key with the one to fit (and --maximize if higher is better).",
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _values(result: RunResult) -> str:
    return ", ".join(f"{k}={v}" for k, v in result.spec.values.items())


def _forecast(fit: CurveFit, full: float, sign: float) -> dict[str, Any]:
    from unstuck.checks.learning_curve import forecast_at

    raw = forecast_at(fit, full)
    if sign > 0:
        return raw
    # fitted on -metric: turn values back; gains (improvements) keep their sign
    out = dict(raw)
    for k in ("now", "at_2x", "at_10x"):
        out[k] = -raw[k]
    for k in ("interval_2x", "interval_10x"):
        out[k] = sorted(-x for x in raw[k])
    return out


def _print_command_curve(
    fit: CurveFit, sign: float, full: float, have_rows: bool, key: str, forecast: dict[str, Any], ok: int, total: int
) -> None:
    unit = "rows" if have_rows else "fraction"
    console.print(f"Learning curve of '{key}' from {ok} of {total} runs:")
    console.print(f"{unit:>10}  {'runs':>4}  {key:>12}")
    for size, value, count in zip(fit.sizes, fit.errors, fit.counts, strict=True):
        label = f"{size:,.0f}" if have_rows else f"{size:g}"
        console.print(f"{label:>10}  {int(count):>4}  {sign * value:>12.4g}")
    asymptote = "none (unbounded)" if fit.asymptote is None else f"{sign * fit.asymptote:.4g}"
    console.print(f"Fitted family: {fit.family}; asymptote {asymptote}")
    if fit.ill_behaved:
        console.print(f"Ill-behaved curve, no forecast claimed: {fit.reason}")
        return
    now = f"{full:,.0f} rows" if have_rows else "all the data"
    console.print(
        f"Forecast {key} at 2x {now}: {forecast['at_2x']:.4g} "
        f"(90% interval {forecast['interval_2x'][0]:.4g} to {forecast['interval_2x'][1]:.4g}); "
        f"at 10x: {forecast['at_10x']:.4g} ({forecast['interval_10x'][0]:.4g} to {forecast['interval_10x'][1]:.4g})"
    )


def _jsonable(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("curve")(curve)
