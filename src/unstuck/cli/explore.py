"""``unstuck explore``: the data checks only (leakage, duplicates, labels, columns, shift, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unstuck.cli._console import console, err_console
from unstuck.cli._options import (
    CacheDirOption,
    DataArgument,
    DeviceOption,
    DevOption,
    DropOption,
    EncodingOption,
    HumanErrorOption,
    IdColumnOption,
    ImageColumnOption,
    JsonOption,
    MetricOption,
    NoTextOption,
    QuietOption,
    SeedOption,
    SplitColumnOption,
    TargetOption,
    TaskOption,
    TestOption,
    TextColumnOption,
    TrainDevOption,
    VerboseOption,
    text_settings,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from unstuck.findings import Report

__all__ = ["register"]


def explore(
    data: DataArgument = None,
    target: TargetOption = None,
    dev: DevOption = None,
    test: TestOption = None,
    train_dev: TrainDevOption = None,
    split_column: SplitColumnOption = None,
    predictions: Annotated[
        Path | None,
        typer.Option(help="Your own model's predictions (only the label and class checks apply to them)."),
    ] = None,
    human_error: HumanErrorOption = None,
    task: TaskOption = None,
    metric: MetricOption = None,
    id_column: IdColumnOption = None,
    drop: DropOption = None,
    seed: SeedOption = 0,
    encoding: EncodingOption = "utf-8",
    text_column: TextColumnOption = None,
    image_column: ImageColumnOption = None,
    no_text: NoTextOption = False,
    device: DeviceOption = "auto",
    cache_dir: CacheDirOption = None,
    json_path: JsonOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Look hard at the data: leakage, duplicates, label errors, columns, shift, outliers, personal data."""
    from unstuck.cli.report import write_report_json
    from unstuck.pipeline import explore_problem, load_problem

    text_columns = text_settings(text_column, no_text, device, cache_dir)
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
        text_columns=text_columns,
        image_column=image_column,
    )
    if quiet:
        report = explore_problem(problem)
    else:
        with err_console.status("exploring the data…") as status:
            report = explore_problem(problem, on_step=lambda message: status.update(f"{message}…"))
    if json_path is not None:
        write_report_json(report, json_path)
    if not quiet:
        console.print(_render(report, verbose=verbose))
        if json_path is not None:
            console.print(f"Wrote {json_path}")


def _render(report: Report, *, verbose: bool) -> RenderableType:
    """The terminal report of ``diagnose`` without its decomposition table (explore computes none)."""
    from rich.console import Group
    from rich.text import Text

    from unstuck.render import text

    parts: list[RenderableType] = [
        text._header(report),
        text._errors_table(report),
        text._findings_table(report, verbose),
        text._interventions_table(report),
    ]
    if report.skipped:
        parts.append(Text("Skipped: " + "; ".join(f"{s.check} ({s.reason})" for s in report.skipped)))
    return Group(*parts)


def register(app: typer.Typer) -> None:
    app.command("explore")(explore)
