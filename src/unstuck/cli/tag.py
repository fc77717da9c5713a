"""``unstuck tag``: a stratified, seeded sample of dev errors written to a file for tagging by hand.

The command takes the data inputs of ``unstuck diagnose`` (the same option
declarations, from :mod:`unstuck.cli._options`) and adds ``--sample``,
``--output`` and ``--force``; :func:`unstuck.error_sample.sample_dev_errors` draws
the sample. The file it writes goes back in with ``unstuck diagnose ... --tags FILE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from unstuck.cli._console import console, err_console
from unstuck.cli._options import (
    CardOption,
    DataArgument,
    DevOption,
    DropOption,
    EncodingOption,
    HumanErrorOption,
    IdColumnOption,
    MetricOption,
    PredictionsOption,
    SeedOption,
    SplitColumnOption,
    TargetOption,
    TaskOption,
    TestOption,
    TrainDevOption,
    card_from_option,
)

__all__ = ["register"]

SampleOption = Annotated[int, typer.Option("--sample", "-n", help="How many dev errors to draw.")]
OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="CSV file to write (open it in a spreadsheet, fill the tags column).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists (it may hold your tags).")]


def tag(
    data: DataArgument = None,
    target: TargetOption = None,
    dev: DevOption = None,
    test: TestOption = None,
    train_dev: TrainDevOption = None,
    split_column: SplitColumnOption = None,
    predictions: PredictionsOption = None,
    human_error: HumanErrorOption = None,
    task: TaskOption = None,
    metric: MetricOption = None,
    id_column: IdColumnOption = None,
    drop: DropOption = None,
    seed: SeedOption = 0,
    encoding: EncodingOption = "utf-8",
    card: CardOption = None,
    sample: SampleOption = 100,
    output: OutputOption = Path("to_tag.csv"),
    force: ForceOption = False,
) -> None:
    """Write a stratified sample of dev errors to a CSV file, to tag by hand (then diagnose --tags)."""
    from unstuck.error_sample import sample_dev_errors
    from unstuck.errors import ConfigError, FileProblem
    from unstuck.pipeline import load_problem

    if output.exists() and not force:
        raise ConfigError(
            f"{output} exists already (it may hold tags you wrote).",
            "Choose another --output, or pass --force to overwrite it.",
        )
    problem = load_problem(
        data,
        target=target,
        dev=dev,
        test=test,
        train_dev=train_dev,
        split_column=split_column,
        predictions=predictions,
        task=task,
        metric=metric,
        id_column=id_column,
        drop=tuple(drop or ()),
        human_error=human_error,
        seed=seed,
        encoding=encoding,
        card=card_from_option(card),
    )
    with err_console.status("predicting on dev…"):
        drawn = sample_dev_errors(problem, size=sample)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        drawn.table.to_csv(output, index=False, encoding="utf-8")
    except OSError as exc:
        raise FileProblem(f"Could not write '{output}': {exc.strerror}.", "Choose a writable --output path.") from None
    console.print(
        f"Wrote {len(drawn.table)} of {drawn.n_errors} dev errors (stratified by true class, seed {drawn.seed}) "
        f"to {output}.\nFill the 'tags' column (several tags separated by ';'; leave it empty for an error with no "
        f"category), then run: unstuck diagnose <same inputs> --tags {output}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("tag")(tag)
