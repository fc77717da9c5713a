"""``unstuck gate``: one go/no-go for the step from prototype to production.

Exit code 0 for GO, 1 for NO-GO (for CI), 2 for bad input (the CLI's rule for every
command). The library does the work (:func:`unstuck.gate.run_gate`); this module parses,
prints and exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unstuck.cli._console import console, err_console
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate import GateResult
    from unstuck.ledger.record import Experiment

__all__ = ["gate", "register", "render_gate"]

MARK = {"pass": "PASS", "fail": "FAIL", "not_checked": "----"}


def gate(
    predictions: Annotated[
        Path,
        typer.Option(
            help="The candidate's predictions: columns split, y_true, y_pred, optional proba_<class>; "
            "other columns are the rows' features. Needs test rows; dev and train rows enable more checks."
        ),
    ],
    baseline: Annotated[
        Path | None,
        typer.Option(help="Predictions of the model that runs today, on the same test rows (same format)."),
    ] = None,
    card: Annotated[
        Path | None, typer.Option(help="Project card (unstuck.toml) with an optional [gate] table of thresholds.")
    ] = None,
    floor: Annotated[
        list[str] | None,
        typer.Option(help='An error floor, e.g. "slice error <= 0.15" (scopes: slice, class, overall); repeatable.'),
    ] = None,
    latency_command: Annotated[
        str | None,
        typer.Option(
            help="A command that serves one request, timed over gate.latency_runs runs (no shell); "
            "{row} becomes the path of a one-row CSV of a sampled test row."
        ),
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the gate result (unstuck.gate/1).")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the result as one HTML page, with the reliability plot.")
    ] = None,
    model_card: Annotated[
        Path | None, typer.Option("--model-card", help="Write a Markdown model card from the measured facts.")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="Column that identifies rows; matches baseline rows and finds shared ids.")
    ] = None,
    task: Annotated[str | None, typer.Option(help="classification or regression. Default: inferred.")] = None,
    metric: Annotated[str | None, typer.Option(help="error_rate (classification), rmse or mae (regression).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for every bootstrap and classifier.")] = 0,
    experiment: Annotated[
        int | None,
        typer.Option(help="The ledger experiment that produced the candidate: the result is recorded next to it."),
    ] = None,
    ledger: Annotated[
        str | None,
        typer.Option(
            envvar="UNSTUCK_LEDGER", help="Ledger: a SQLite path or postgresql:// URL. Default: .unstuck/ledger.db."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")] = False,
) -> None:
    """Judge a candidate model for production: GO (exit 0) or NO-GO (exit 1), with every condition."""
    from unstuck.gate import DEFAULTS, load_inputs, parse_floor, read_gate_card, run_gate
    from unstuck.schemas import validate

    settings = read_gate_card(card) if card is not None else DEFAULTS
    settings = settings.with_floors(tuple(parse_floor(f) for f in floor or ()))
    inputs = load_inputs(predictions, baseline, task=task, metric=metric, id_column=id_column, seed=seed)

    def step(message: str) -> None:
        if not quiet:
            err_console.print(f"[dim]{message}…[/]")

    result = run_gate(inputs, settings, latency_command=latency_command, on_step=step)
    plain = result.to_json()
    validate(plain, "gate-1")
    experiments: list[Experiment] = []
    recorded = None
    if experiment is not None:
        from unstuck.ledger.gates import lineage, record_gate
        from unstuck.ledger.store import open_ledger

        with open_ledger(ledger) as store:
            experiments = lineage(store, experiment)
            recorded = record_gate(store, experiment, plain, command=["unstuck", "gate", *sys.argv[2:]])
    written = []
    if json_path is not None:
        _write(json_path, json.dumps(plain, indent=2) + "\n", "--json")
        written.append(str(json_path))
    if html is not None:
        from unstuck.gate.html import render_gate_html

        _write(html, render_gate_html(result), "--html")
        written.append(str(html))
    if model_card is not None:
        from unstuck.gate.modelcard import render_model_card

        _write(model_card, render_model_card(result, experiments), "--model-card")
        written.append(str(model_card))
    if quiet:
        console.print(_verdict_line(result), soft_wrap=True, markup=False)
    else:
        console.print(render_gate(result), soft_wrap=True, markup=False)
    if recorded is not None:
        console.print(f"Recorded in the ledger as #{recorded}, next to experiment #{experiment}.", markup=False)
    if written:
        console.print(f"Wrote {', '.join(written)}", soft_wrap=True, markup=False)
    raise typer.Exit(0 if result.verdict == "GO" else 1)


def _verdict_line(result: GateResult) -> str:
    line = result.verdict
    if result.failed:
        line += f": {len(result.failed)} condition(s) failed ({', '.join(c.name for c in result.failed)})"
    if result.not_checked:
        line += f"; {len(result.not_checked)} not checked ({', '.join(c.name for c in result.not_checked)})"
    return line


def render_gate(result: GateResult) -> str:
    """The gate's result for a terminal: the verdict, then each condition with why it matters."""
    settings = result.settings
    lines = [
        _verdict_line(result),
        f"thresholds ({'stated defaults' if settings.source == 'defaults' else settings.source}): significance "
        f"{settings.significance:g}, power {percent(settings.power, 0)}, gain to detect "
        + (f"{settings.claimed_gain:g}" if settings.claimed_gain is not None else "the measured gain")
        + f", dev-vs-test AUC below {settings.max_domain_auc:g}, ECE at most {settings.max_ece:g}",
        "",
    ]
    for condition in result.conditions:
        lines.append(f"[{MARK[condition.status]}] {condition.family} / {condition.name}: {condition.summary}")
        if condition.status != "not_checked":
            lines.append(f"       why it matters: {condition.why}")
    return "\n".join(lines)


def _write(path: Path, text: str, option: str) -> None:
    from unstuck.errors import FileProblem

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileProblem(
            f"Could not write '{path}': {exc.strerror}.", f"Choose a writable path for {option}."
        ) from None


def register(app: typer.Typer) -> None:
    app.command("gate")(gate)
