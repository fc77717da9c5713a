"""``unstuck init`` (the project card) and ``unstuck plan`` (the method applied to it)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from unstuck.cli._console import console

__all__ = ["register"]

CardOption = Annotated[Path, typer.Option("--card", help="The project card file.")]


def init(
    data_type: Annotated[str | None, typer.Option(help="structured, text, image, audio, video or time_series.")] = None,
    stage: Annotated[
        str | None, typer.Option(help="greenfield, prototype, failing_baseline, scaling or cost_problem.")
    ] = None,
    task: Annotated[str | None, typer.Option(help="classification, regression, generation, extraction, other.")] = None,
    inputs: Annotated[str | None, typer.Option(help="What the model takes in.")] = None,
    outputs: Annotated[str | None, typer.Option(help="What it must produce.")] = None,
    component: Annotated[
        list[str] | None,
        typer.Option(
            help="A stage of the system, in pipeline order; repeat, e.g. --component capture --component detect."
        ),
    ] = None,
    volume: Annotated[int | None, typer.Option(help="Labelled examples available now.")] = None,
    quirk: Annotated[list[str] | None, typer.Option(help="A known data quirk; repeat for several.")] = None,
    uses_llm_api: Annotated[bool, typer.Option(help="The current system calls an LLM API.")] = False,
    budget_per_month: Annotated[float | None, typer.Option(help="Monthly budget.")] = None,
    compute: Annotated[str | None, typer.Option(help="Compute available, e.g. '1 GPU'.")] = None,
    timeline_weeks: Annotated[float | None, typer.Option(help="Weeks until the deadline.")] = None,
    skill: Annotated[list[str] | None, typer.Option(help="A team skill; repeat for several.")] = None,
    deployment: Annotated[str, typer.Option(help="prototype or production.")] = "prototype",
    metric: Annotated[str | None, typer.Option(help="The metric the errors below are in.")] = None,
    current: Annotated[float | None, typer.Option(help="Current error (0.12 = 12%).")] = None,
    target: Annotated[float | None, typer.Option(help="Target error.")] = None,
    human_level: Annotated[float | None, typer.Option(help="Human-level error.")] = None,
    tried: Annotated[list[str] | None, typer.Option(help="Something already tried; repeat for several.")] = None,
    prompt_tuning_started: Annotated[str | None, typer.Option(help="Date prompt tuning began (YYYY-MM-DD).")] = None,
    layer: Annotated[
        str | None, typer.Option(help="Decided layer: llm_prompting, deep_learning, classical_ml.")
    ] = None,
    card: CardOption = Path("unstuck.toml"),
    force: Annotated[bool, typer.Option(help="Replace an existing card.")] = False,
) -> None:
    """Write the project card (unstuck.toml); asks for what the flags leave out when run in a terminal."""
    from unstuck.card import DATA_TYPES, STAGES, ProjectCard, write_card
    from unstuck.errors import ConfigError

    if card.exists() and not force:
        from unstuck.errors import FileProblem

        raise FileProblem(
            f"'{card}' already exists; unstuck will not overwrite it.",
            "Edit it by hand, or pass --force to replace it.",
        )
    interactive = sys.stdin.isatty()
    if data_type is None and interactive:
        data_type = typer.prompt(f"Data type ({', '.join(DATA_TYPES)})")
    if stage is None and interactive:
        stage = typer.prompt(f"Project status ({', '.join(STAGES)})")
    if data_type is None or stage is None:
        raise ConfigError(
            "The project card needs --data-type and --stage.",
            f"Pass them, e.g. --data-type structured --stage prototype (data types: "
            f"{', '.join(DATA_TYPES)}; stages: {', '.join(STAGES)}).",
        )
    if interactive and human_level is None:
        answer = typer.prompt("Human-level error, if known (blank to skip)", default="", show_default=False)
        try:
            human_level = float(answer) if answer.strip() else None
        except ValueError:
            raise ConfigError(
                f"The human-level error '{answer}' is not a number.", "Give it as a fraction, e.g. 0.02 for 2%."
            ) from None
    started = None
    if prompt_tuning_started is not None:
        try:
            started = dt.date.fromisoformat(prompt_tuning_started)
        except ValueError:
            raise ConfigError(
                f"--prompt-tuning-started '{prompt_tuning_started}' is not a date.", "Give it as YYYY-MM-DD."
            ) from None
    project = ProjectCard(
        data_type=data_type,
        stage=stage,
        task=task,
        inputs=inputs,
        outputs=outputs,
        components=tuple(component or ()),
        volume=volume,
        quirks=tuple(quirk or ()),
        uses_llm_api=uses_llm_api,
        budget_per_month=budget_per_month,
        compute=compute,
        timeline_weeks=timeline_weeks,
        team_skills=tuple(skill or ()),
        deployment=deployment,
        metric=metric,
        current=current,
        target=target,
        human_level=human_level,
        tried=tuple(tried or ()),
        prompt_tuning_started=started,
        layer=layer,
    )
    path = write_card(project, card, overwrite=force)
    console.print(f"Wrote {path}. Next: unstuck plan")


def plan(
    card: CardOption = Path("unstuck.toml"),
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the plan as JSON.")] = None,
) -> None:
    """The plan for this project: the method's steps applied to the card, next three actions first."""
    from rich.markup import escape
    from rich.table import Table

    from unstuck.card import read_card
    from unstuck.plan import choose_layer, make_plan

    project = read_card(card)
    today = dt.date.today()
    steps = make_plan(project, today=today)
    choice = choose_layer(project, today)
    console.print(
        f"[bold]Layer:[/] {choice.layer.replace('_', ' ')} — {escape(choice.why)} · layer rule {choice.rule}",
        highlight=False,
    )
    table = Table(title="Plan (the first three are the next actions)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("step", ratio=2)
    table.add_column("why (from the card)", ratio=2)
    table.add_column("command", overflow="fold")
    for number, step in enumerate(steps, start=1):
        style = "bold" if number <= 3 else ""
        table.add_row(str(number), escape(step.title), escape(step.why), escape(step.command or ""), style=style)
    console.print(table)
    # The commands again, one per line and never wrapped, so they can be copied as they are.
    commands = [(number, step.command) for number, step in enumerate(steps, start=1) if step.command]
    if commands:
        console.print("Commands (fill in the <placeholders>):", highlight=False)
        for number, command in commands:
            console.print(f"  {number}. {escape(command)}", soft_wrap=True, highlight=False)
    if json_path is not None:
        document = {
            "schema": "unstuck.plan/1",
            "layer": choice.layer,
            "layer_rule": choice.rule,
            "layer_why": choice.why,
            "steps": [s.to_dict() for s in steps],
        }
        json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        console.print(f"Wrote {json_path}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("plan")(plan)
