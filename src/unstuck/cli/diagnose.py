"""``unstuck diagnose`` and ``unstuck demo``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console
from unstuck.cli._options import (
    BackendOption,
    BudgetOption,
    CacheDirOption,
    CardOption,
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
    PredictionsOption,
    QuietOption,
    SeedOption,
    SplitColumnOption,
    TargetOption,
    TaskOption,
    TestOption,
    TextColumnOption,
    TrainDevOption,
    VerboseOption,
    card_from_option,
    text_settings,
)
from unstuck.cli.report import HtmlOption, MarkdownOption, write_renders, write_report_json

if TYPE_CHECKING:
    from unstuck.card import ProjectCard
    from unstuck.problem import Problem

__all__ = ["register"]


def diagnose(
    data: DataArgument = None,
    target: TargetOption = None,
    dev: DevOption = None,
    test: TestOption = None,
    train_dev: TrainDevOption = None,
    split_column: SplitColumnOption = None,
    predictions: PredictionsOption = None,
    training_log: Annotated[
        list[Path] | None,
        typer.Option(
            help="Training history: CSV/JSONL/JSON (Keras, Hugging Face trainer_state.json, MMEngine), a run folder "
            "(TensorBoard, Hugging Face, Lightning, MMEngine), or mlflow:RUN_ID / mlflow:EXPERIMENT[/RUN_NAME]. "
            "Alone, or with data or --predictions; repeat for several runs."
        ),
    ] = None,
    mlflow_uri: Annotated[
        str | None,
        typer.Option(help="MLflow tracking URI for mlflow: logs and --mlflow-run. Default: $MLFLOW_TRACKING_URI."),
    ] = None,
    mlflow_run: Annotated[
        str | None,
        typer.Option(help="Log the report (JSON, HTML) and its headline numbers to this MLflow run ID."),
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
    card: CardOption = None,
    tags: Annotated[
        Path | None,
        typer.Option(help="Tagged dev errors (columns row, tags; from `unstuck tag`): the error-category table."),
    ] = None,
    json_path: JsonOption = None,
    html: HtmlOption = None,
    markdown: MarkdownOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    budget: BudgetOption = "standard",
    backend: BackendOption = "local",
) -> None:
    """Diagnose a model: error decomposition, findings and ranked next steps."""
    from unstuck.parameters import check_parameters
    from unstuck.pipeline import load_problem

    # before any file is read: a misspelt budget or backend is refused at once, not after minutes of reading
    check_parameters({"budget": budget, "backend": backend})
    project = card_from_option(card)
    text_columns = text_settings(text_column, no_text, device, cache_dir)
    arguments: dict[str, Any] = {
        "data": data,
        "target": target,
        "dev": dev,
        "test": test,
        "train_dev": train_dev,
        "split_column": split_column,
        "predictions": predictions,
        "training_logs": tuple(str(p) for p in training_log or ()),
        "mlflow_uri": mlflow_uri,
        "task": task,
        "metric": metric,
        "id_column": id_column,
        "drop": tuple(drop or ()),
        "human_error": human_error,
        "seed": seed,
        "encoding": encoding,
        "tags": tags,
        "text_columns": text_columns,
        "image_column": image_column,
    }
    problem = load_problem(**arguments, card=project)
    saved = {k: (str(v.resolve()) if isinstance(v, Path) else v) for k, v in arguments.items()}
    saved["card"] = str(card.resolve()) if card is not None else None
    _run(
        problem,
        json_path=json_path,
        html=html,
        markdown=markdown,
        quiet=quiet,
        verbose=verbose,
        card=project,
        arguments=saved,
        mlflow=(mlflow_run, mlflow_uri) if mlflow_run else None,
        budget=budget,
        backend=backend,
    )


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the demo's split and models.")] = 0,
    json_path: JsonOption = None,
    html: HtmlOption = None,
    markdown: MarkdownOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    budget: BudgetOption = "standard",
    backend: BackendOption = "local",
) -> None:
    """Diagnose a bundled real dataset (scikit-learn's handwritten digits), offline."""
    from unstuck.demo import DEMO_TARGET, demo_frames
    from unstuck.problem import Problem

    train, dev, test = demo_frames(seed)
    if not quiet:
        err_console.print(
            "Demo: scikit-learn's handwritten digits (1,797 rows, 64 pixel features, 10 classes), "
            f"split 60/20/20 train/dev/test, stratified, seed {seed}.",
            style="dim",
        )
    problem = Problem.from_frames(
        train,
        dev=dev,
        test=test,
        target=DEMO_TARGET,
        seed=seed,
        names={"train": "demo train", "dev": "demo dev", "test": "demo test"},
    )
    _run(
        problem,
        json_path=json_path,
        html=html,
        markdown=markdown,
        quiet=quiet,
        verbose=verbose,
        arguments={"demo": True, "seed": seed},
        budget=budget,
        backend=backend,
    )


def _run(
    problem: Problem,
    *,
    json_path: Path | None,
    html: Path | None = None,
    markdown: Path | None = None,
    quiet: bool,
    verbose: bool,
    arguments: dict[str, Any],
    card: ProjectCard | None = None,
    mlflow: tuple[str, str | None] | None = None,
    budget: str = "standard",
    backend: str = "local",
) -> None:
    from unstuck.pipeline import diagnose_problem
    from unstuck.render.text import render_report
    from unstuck.state import save_last

    if quiet:
        report = diagnose_problem(problem, card=card, budget=budget, backend=backend)
    else:
        with err_console.status("diagnosing…") as status:
            report = diagnose_problem(
                problem,
                on_step=lambda message: status.update(f"{message}…"),
                card=card,
                budget=budget,
                backend=backend,
            )
    save_last(arguments, report)
    written = []
    if json_path is not None:
        write_report_json(report, json_path)
        written.append(str(json_path))
    written += write_renders(report, html=html, markdown=markdown)
    if not quiet:
        console.print(render_report(report, verbose=verbose))
        if verbose and report.timings:
            console.print(timing_line(report.timings), soft_wrap=True)
        if written:
            console.print(f"Wrote {', '.join(written)}", soft_wrap=True)
    if mlflow is not None:
        # Last: an unreachable tracking store must not cost the user the report already shown and written.
        from unstuck.render.html import render_html
        from unstuck.training_log.mlflow_store import log_report

        run_id, uri = mlflow
        logged = log_report(report, run_id=run_id, html=render_html(report), tracking_uri=uri)
        if not quiet:
            console.print(
                f"Logged to MLflow run {run_id}: {', '.join(logged['artifacts'])}, {len(logged['metrics'])} metrics",
                soft_wrap=True,
            )


def timing_line(timings: Mapping[str, Any], most: int = 6) -> str:
    """``Time: 12.3 s — learning curve 5.1 s, baselines 3.0 s, …``: the whole run, then the
    checks and shared measurements that took longest (at most ``most``; those under 0.05 s left out)."""
    names = {"ladder": "baselines (fit)", "oof_proba": "out-of-fold predictions", "dev_slices": "dev slice search"}
    parts = [(names.get(k, k), v) for k, v in timings.get("shared", {}).items()]
    parts += [(k.replace("_", " "), v) for k, v in timings.get("checks", {}).items()]
    parts = sorted((p for p in parts if p[1] >= 0.05), key=lambda p: -p[1])[:most]
    line = f"Time: {timings.get('total_seconds', 0.0):.1f} s"
    if timings.get("backend", "local") != "local":
        line += f" (fits on {timings['backend']})"
    if parts:
        line += " — " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in parts)
    return line


def register(app: typer.Typer) -> None:
    app.command("diagnose")(diagnose)
    app.command("demo")(demo)
