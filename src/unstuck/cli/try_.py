"""``unstuck try N``: run the top-ranked (or N-th) intervention's experiment and judge it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console

if TYPE_CHECKING:
    from collections.abc import Callable

    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.tryout import TryOutcome

__all__ = ["register"]


def try_command(
    rank: Annotated[int, typer.Argument(help="Rank of the intervention in the last report (1 = top).")] = 1,
    state: Annotated[Path, typer.Option(help="The saved last diagnosis.")] = Path(".unstuck/last_diagnosis.json"),
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the outcome as JSON.")] = None,
    ledger: Annotated[
        bool, typer.Option(help="Record the try in the experiment ledger (.unstuck/ledger.db or UNSTUCK_LEDGER).")
    ] = True,
) -> None:
    """Try intervention N of the last diagnosis on the built-in baseline: dev error before and after."""
    from unstuck.arguments import check_arguments
    from unstuck.state import load_last
    from unstuck.tryout import TRY_PARAMETERS, try_intervention

    # a rank out of the declared range is refused before the diagnosis is read and its data loaded again
    check_arguments({"rank": rank}, TRY_PARAMETERS, entry="unstuck.tryout.try_intervention")
    arguments, report = load_last(state)
    problem = _problem(arguments)
    with err_console.status(f"trying intervention {rank}…"):
        outcome = try_intervention(problem, report, rank)
    _print(outcome, report)
    if ledger:
        number = _record(outcome, report, arguments)
        if number is not None:
            console.print(f"Recorded as experiment {number} in the ledger (unstuck show {number}).")
    if json_path is not None:
        json_path.write_text(json.dumps(outcome.to_dict(), indent=2) + "\n", encoding="utf-8")
        console.print(f"Wrote {json_path}")


def _problem(arguments: dict[str, Any]) -> Problem:
    """Rebuild the diagnosed problem from the saved arguments (same files, same seed, same carving)."""
    from unstuck.card import read_card
    from unstuck.pipeline import load_problem

    if arguments.get("demo"):
        from unstuck.demo import DEMO_TARGET, demo_frames
        from unstuck.problem import Problem

        train, dev, test = demo_frames(arguments["seed"])
        return Problem.from_frames(train, dev=dev, test=test, target=DEMO_TARGET, seed=arguments["seed"])
    options = {k: v for k, v in arguments.items() if k != "card"}
    options["drop"] = tuple(options.get("drop") or ())
    if "training_logs" in options:
        options["training_logs"] = tuple(options["training_logs"] or ())
    card = read_card(arguments["card"]) if arguments.get("card") else None
    return load_problem(**options, card=card)


def _print(outcome: TryOutcome, report: Report) -> None:
    metric = report.metric["name"]
    fmt: Callable[[float], str] = (lambda v: f"{100 * v:.2f}%") if metric == "error_rate" else (lambda v: f"{v:.4g}")
    gap: Callable[[float], str] = (
        (lambda v: f"{100 * v:+.2f} points") if metric == "error_rate" else (lambda v: f"{v:+.4g}")
    )
    console.print(f"[bold]Intervention {outcome.rank}:[/] {outcome.lever}")
    console.print(f"Hypothesis: {outcome.hypothesis}")
    if not outcome.automatic:
        console.print("[yellow]unstuck cannot run this one for you.[/] " + outcome.instructions)
        return
    assert outcome.before is not None and outcome.after is not None and outcome.gain is not None
    assert outcome.interval is not None
    console.print(f"Change: {outcome.change}")
    console.print(
        f"Dev {metric}: {fmt(outcome.before)} → {fmt(outcome.after)} (gain {gap(outcome.gain)}, "
        f"95% interval {gap(outcome.interval[0])} to {gap(outcome.interval[1])})"
    )
    expected = "unknown" if outcome.expected_gain is None else f"up to {gap(outcome.expected_gain)}"
    style = {"gain": "bold green", "worse": "bold red", "within_noise": "yellow"}[outcome.verdict]
    words = {
        "gain": "a real gain: keep it",
        "worse": "a real loss: discard it",
        "within_noise": "inside the noise: no evidence either way",
    }[outcome.verdict]
    console.print(f"Expected {expected}; observed: [{style}]{words}[/]")


def _record(outcome: TryOutcome, report: Report, arguments: dict[str, Any]) -> int | None:
    """Append the try to the ledger; a ledger problem is reported, never fatal to the result."""
    from unstuck.errors import UnstuckError
    from unstuck.tryout import record_try

    try:
        return record_try(outcome, report, config={"diagnosis_arguments": arguments})
    except UnstuckError as exc:
        err_console.print(f"[yellow]not recorded in the ledger:[/] {exc.message}")
        return None


def register(app: typer.Typer) -> None:
    app.command("try")(try_command)
