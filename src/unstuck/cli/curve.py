"""``unstuck curve``: a learning curve of the quick baseline, or of any training command.

Two modes::

    unstuck curve train.csv --dev dev.csv --target y            # data mode: the baseline's curve
    unstuck curve --fractions 0.05,0.1,0.2,0.4,0.7,1 -- python train.py --data-fraction {fraction} --seed {seed}

In command mode the command runs once per fraction and seed (``{fraction}``,
``{seed}``, ``{size}`` substituted; ``{size}`` needs ``--rows``), in parallel, and
reports its metrics by the contract of :mod:`unstuck.runs`. The command parses its
options, calls :func:`unstuck.baseline_curve.baseline_curve` or
:func:`unstuck.command_curve.command_curve`, prints the curve and writes its
``to_dict()`` document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console, quiet_callback
from unstuck.errors import ConfigError, FileProblem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from unstuck.command_curve import CommandCurve, RunFailure

__all__ = ["register"]

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
    from unstuck.baseline_curve import baseline_curve
    from unstuck.pipeline import load_problem

    problem = load_problem(path, target=target, dev=dev, task=task, metric=metric, drop=drop, seed=seed)
    if quiet:
        result = baseline_curve(problem)
    else:
        with err_console.status("learning curve…") as status:
            result = baseline_curve(problem, on_step=lambda message: status.update(f"{message}…"))
    if not quiet:
        fmt = result.metric.format
        model = result.section["model"].replace("_", " ")
        console.print(f"Learning curve of the {model} baseline ({result.metric.name}):")
        console.print(f"{'rows':>10}  {'runs':>4}  {'train':>8}  {'dev':>8}")
        for size, runs, train_error, dev_error in result.mean_points():
            console.print(f"{size:>10,}  {runs:>4}  {fmt(train_error):>8}  {fmt(dev_error):>8}")
        curve_info = result.section["dev_curve"]
        console.print(f"Dev curve: {curve_info['family']}, asymptote {fmt(curve_info['asymptote'])}")
        for finding in result.findings:
            console.print(f"- {finding.title}", highlight=False)
    return result.to_dict()


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
    from unstuck.arguments import check_arguments
    from unstuck.command_curve import COMMAND_CURVE_PARAMETERS, NoCurve, command_curve

    arguments: dict[str, Any] = {
        "fractions": _parse_list(fractions_text, float, "--fractions"),
        "seeds": _parse_list(seeds_text, int, "--seeds"),
        "rows": rows,
        "metric_key": metric_key,
        "maximize": maximize,
        "jobs": jobs,
        "timeout": timeout,
        "seed": seed,
    }
    # refused before the progress bar opens, so that a bad value gets the error alone
    check_arguments(arguments, COMMAND_CURVE_PARAMETERS, entry="unstuck.command_curve.command_curve")
    try:
        if quiet:
            result = command_curve(command, **arguments)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(
                TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
            ) as progress:
                task_id = progress.add_task("runs", total=len(set(arguments["fractions"])) * len(arguments["seeds"]))
                result = command_curve(command, **arguments, on_done=lambda _r: progress.advance(task_id))
    except NoCurve as exc:
        if not quiet:
            _print_failures(exc.failures)
        raise
    if not quiet:
        _print_failures(result.failures)
        _print_command_curve(result)
    return result.to_dict()


def _print_failures(failures: Sequence[RunFailure]) -> None:
    for failure in failures:
        values = ", ".join(f"{k}={v}" for k, v in failure.run.spec.values.items())
        err_console.print(f"run failed ({values}): {failure.reason}", highlight=False, markup=False)
        if failure.run.stderr_tail.strip():
            tail = "\n".join(failure.run.stderr_tail.strip().splitlines()[-5:])
            err_console.print(f"  stderr: {tail}", highlight=False, markup=False, style="dim")


def _print_command_curve(result: CommandCurve) -> None:
    key, fit, forecast = result.metric_key, result.fit, result.forecast
    have_rows = result.rows is not None
    unit = "rows" if have_rows else "fraction"
    console.print(
        f"Learning curve of '{key}' from {len(result.runs) - len(result.failures)} of {len(result.runs)} runs:"
    )
    console.print(f"{unit:>10}  {'runs':>4}  {key:>12}")
    for size, count, value in result.points():
        label = f"{size:,.0f}" if have_rows else f"{size:g}"
        console.print(f"{label:>10}  {count:>4}  {value:>12.4g}")
    asymptote = "none (unbounded)" if fit.asymptote is None else f"{result.sign * fit.asymptote:.4g}"
    console.print(f"Fitted family: {fit.family}; asymptote {asymptote}")
    if fit.ill_behaved:
        console.print(f"Ill-behaved curve, no forecast claimed: {fit.reason}")
        return
    now = f"{result.rows:,.0f} rows" if result.rows is not None else "all the data"
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
