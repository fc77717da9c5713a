"""The diagnosis pipeline: inputs → Problem → checks → advice → Report.

``diagnose`` is the public entry point (files or DataFrames in, a Report out);
``load_problem`` builds the validated Problem from what the user gave,
``diagnose_problem`` runs every check on it, and ``explore_problem`` only the data
checks. Both build their report with :func:`unstuck.assembly.build_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.assembly import MODEL_CHECKS, NO_VERDICT, build_report
from unstuck.budget import DEFAULT_BUDGET, budget_named
from unstuck.card import ProjectCard
from unstuck.context import Context
from unstuck.errors import ConfigError
from unstuck.findings import Report
from unstuck.parameters import check_parameters
from unstuck.problem import SPLITS, Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import run_checks

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.training_log.readers import TrainingLog

__all__ = [
    "DATA_TAG",
    "MODEL_CHECKS",
    "NO_VERDICT",
    "data_checks",
    "diagnose",
    "diagnose_problem",
    "explore_problem",
    "load_problem",
]

#: The tag of the data-surprise checks, the ones ``explore`` runs.
DATA_TAG = "data"


def load_problem(
    data: str | Path | pd.DataFrame | None = None,
    *,
    target: str | None = None,
    dev: str | Path | pd.DataFrame | None = None,
    test: str | Path | pd.DataFrame | None = None,
    train_dev: str | Path | pd.DataFrame | None = None,
    split_column: str | None = None,
    predictions: str | Path | pd.DataFrame | None = None,
    task: str | None = None,
    metric: str | None = None,
    id_column: str | None = None,
    drop: Sequence[str] = (),
    human_error: float | None = None,
    seed: int = 0,
    encoding: str = "utf-8",
    card: ProjectCard | None = None,
    training_logs: Sequence[str | Path | TrainingLog] = (),
    tags: str | Path | pd.DataFrame | None = None,
    mlflow_uri: str | None = None,
    text_columns: Sequence[str] | None = None,
    image_column: str | None = None,
) -> Problem:
    """Read and validate the user's inputs into a :class:`Problem` (see ``diagnose``).

    ``data`` (and ``dev``, ...) may be ImageFolder folders (one sub-folder of images per class;
    target ``label``), or tables whose ``image_column`` holds image paths.

    A project ``card`` supplies the human-level error and the metric when the
    options leave them out. ``mlflow_uri`` is the tracking URI of ``mlflow:`` training
    logs (default: ``MLFLOW_TRACKING_URI``).
    """
    check_parameters(locals(), entry="unstuck.load_problem")
    options = {name: value for name, value in locals().items() if name != "data"}
    if card is not None:
        human_error = human_error if human_error is not None else card.human_level
        metric = metric if metric is not None else card.metric
    if training_logs:
        # Training logs: alone they make a logs-only Problem; otherwise they ride along.
        from dataclasses import replace

        from unstuck.training_log.readers import read_training_logs

        logs = read_training_logs(training_logs, mlflow_uri=mlflow_uri)
        if data is None and predictions is None and dev is None and test is None and train_dev is None:
            return Problem.from_training_logs(logs, task=task, metric=metric, human_error=human_error, seed=seed)
        problem = load_problem(data, **{**options, "training_logs": ()})
        return replace(problem, training_logs=logs)
    if predictions is not None:
        if data is not None or dev is not None or test is not None:
            raise ConfigError(
                "Give either feature tables (train/--dev/--test) or --predictions, not both.",
                "Predictions mode diagnoses your own model's predictions; data mode trains baselines.",
            )
        frame, name = _table(predictions, encoding)
        problem = Problem.from_predictions(
            frame, task=task, metric=metric, human_error=human_error, seed=seed, name=name
        )
        return _with_tags(problem, tags, encoding)
    if data is None:
        raise ConfigError(
            "Nothing to diagnose: no training data and no predictions were given.",
            "Pass a training table (unstuck diagnose train.csv --target y ...), --predictions preds.csv "
            "or --training-log history.csv.",
        )
    from unstuck.images.read import is_image_folder

    images = image_column is not None or (isinstance(data, (str, Path)) and is_image_folder(data))
    if images and target is None:
        target = "label" if image_column is None else None
    if target is None:
        raise ConfigError("No target column was named.", "Pass --target with the name of the column to predict.")
    common: dict[str, Any] = {
        "task": task,
        "metric": metric,
        "id_column": id_column,
        "drop": tuple(drop),
        "human_error": human_error,
        "seed": seed,
        "text_columns": None if text_columns is None else tuple(text_columns),
    }
    if images:
        common["image_column"] = image_column or "path"
    train_frame, train_name = _table(data, encoding, image_column)
    if split_column is not None:
        if dev is not None or test is not None or train_dev is not None:
            raise ConfigError(
                "--split-column and separate --dev/--test files cannot be combined.",
                "Either mark every row's split in one file, or pass one file per split.",
            )
        problem = Problem.from_split_column(
            train_frame, split_column=split_column, target=target, name=train_name, **common
        )
        return _with_tags(problem, tags, encoding)
    others = {"dev": dev, "test": test, "train_dev": train_dev}
    frames: dict[str, Any] = {}
    names = {"train": train_name}
    for split, source in others.items():
        if source is not None:
            frames[split], names[split] = _table(source, encoding, image_column, split)
    problem = Problem.from_frames(train_frame, target=target, names=names, **frames, **common)
    return _with_tags(problem, tags, encoding)


def _with_tags(problem: Problem, tags: str | Path | pd.DataFrame | None, encoding: str) -> Problem:
    """``problem`` with its error tags: from ``tags`` (a tag file), else from a ``tags``
    column of the predictions file, else none. Row keys are checked against the dev rows."""
    from dataclasses import replace

    from unstuck.tags import read_tags, row_keys, tags_from_column

    if tags is not None:
        frame, name = _table(tags, encoding)
        return replace(problem, tags=read_tags(frame, row_keys(problem), name=name))
    if problem.predictions is not None:
        found = tags_from_column(problem.predictions)
        if found is not None:
            return replace(problem, tags=found)
    return problem


def diagnose_problem(
    problem: Problem,
    *,
    on_step: Callable[[str], None] | None = None,
    card: ProjectCard | None = None,
    budget: str = DEFAULT_BUDGET,
    backend: str = "local",
) -> Report:
    """Run every applicable check on ``problem`` and assemble the report.

    The ``card``'s data type shapes the architecture advice (tables when absent).
    ``budget`` (``quick``, ``standard``, ``thorough``: :mod:`unstuck.budget`) says how many
    model fits the checks may spend; ``backend`` (``local`` or ``ray``) where they run.
    """
    import time

    from unstuck.fits import ray_session

    chosen = budget_named(budget)
    started = time.perf_counter()
    ctx = Context(problem, on_step=on_step, budget=chosen, backend=backend)
    with ray_session(backend):
        run = run_checks(problem, ctx)
    inferred: dict[str, str] = {}
    if card is not None:
        inferred["card"] = f"project card used: data type {card.data_type}, stage {card.stage}"
    if problem.mode == "data" and chosen.thins:
        inferred["budget"] = chosen.note()  # only a budget that changed what was measured is worth a line
    timings = {
        "total_seconds": round(time.perf_counter() - started, 3),
        "checks": {name: round(seconds, 3) for name, seconds in run.timings.items()},
        "shared": {name: round(seconds, 3) for name, seconds in ctx.timings.items()},
        "backend": backend,
    }
    return build_report(
        problem,
        run,
        data_type=card.data_type if card is not None else "structured",
        inferred=inferred,
        budget=chosen.to_dict(),
        timings=timings,
    )


def data_checks() -> tuple[CheckSpec, ...]:
    """The registered checks tagged ``"data"`` (the data surprises), in registry order."""
    return tuple(spec for spec in registered_checks() if DATA_TAG in spec.tags)


def explore_problem(problem: Problem, *, on_step: Callable[[str], None] | None = None) -> Report:
    """Run only the data checks on ``problem`` and return their report (no decomposition).

    The data checks are the same functions ``diagnose`` runs; ``explore`` runs them
    alone, for a first look at the data before any model question. Some of them still
    need a model (label errors need out-of-fold probabilities, leakage's "error without
    the leaked rows" needs dev predictions): they fit the quick baselines through the
    shared :class:`~unstuck.context.Context`, and the report then carries the best
    baseline's errors.
    """
    ctx = Context(problem, on_step=on_step)
    run = run_checks(problem, ctx, checks=data_checks())
    inferred = {"command": "explore: data checks only"}
    errors: dict[str, float | None] = {}
    if ctx.computed("ladder"):  # a check fitted the baselines: show the best one's errors for context
        best = ctx.ladder.best_rung
        errors = {s: best.errors.get(s) for s in SPLITS}
        inferred["errors"] = f"errors of the best quick baseline ({best.name}), fitted for the label checks"
    return build_report(problem, run, inferred=inferred, errors=errors)


def diagnose(
    data: str | Path | pd.DataFrame | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
    card: ProjectCard | None = None,
    budget: str = DEFAULT_BUDGET,
    backend: str = "local",
    **options: Any,
) -> Report:
    """Diagnose a project from files or DataFrames and return the :class:`Report`.

    Parameters
    ----------
    data:
        The training table (or, with ``split_column``, the one table of all splits).
    on_step:
        Called with a short message as each slow step starts (for progress displays).
    card:
        The project card (``unstuck.card.read_card()``), if any.
    budget:
        ``quick``, ``standard`` (default) or ``thorough``: how many model fits the checks
        may spend, and what they skip or thin (:mod:`unstuck.budget`).
    backend:
        ``local`` (default) or ``ray``: where the diagnosis's own fits run.
    **options:
        As :func:`load_problem`: ``target``, ``dev``, ``test``, ``train_dev``,
        ``split_column``, ``predictions``, ``task``, ``metric``, ``id_column``,
        ``drop``, ``human_error``, ``seed``, ``encoding``, ``training_logs`` (paths of
        history files or TensorBoard directories, or TrainingLog objects), ``tags``
        (a tag file or DataFrame with columns ``row`` and ``tags``; see ``unstuck.tags``).
    """
    check_parameters({"data": data, "on_step": on_step, "card": card, "budget": budget, "backend": backend, **options})
    return diagnose_problem(
        load_problem(data, card=card, **options), on_step=on_step, card=card, budget=budget, backend=backend
    )


def _table(
    source: str | Path | pd.DataFrame, encoding: str, image_column: str | None = None, split: str = "train"
) -> tuple[pd.DataFrame, str]:
    """A DataFrame and a name for messages, from a path, an image folder or a DataFrame (with the
    pixel and property features of its images when it has some)."""
    from unstuck.images.read import is_image_folder, read_split

    name = Path(source).name if isinstance(source, (str, Path)) else "the given DataFrame"
    if isinstance(source, (str, Path)) and is_image_folder(source):
        return read_split(source, name, split, image_column, None), name
    if isinstance(source, (str, Path)):
        from unstuck.io import read_table

        frame = read_table(source, encoding=encoding)
    else:
        frame = source
    return read_split(source, name, split, image_column, frame), name
