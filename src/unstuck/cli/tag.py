"""``unstuck tag``: a stratified, seeded sample of dev errors written to a file for tagging by hand.

The command takes exactly the inputs of ``unstuck diagnose`` — its options are read
from ``diagnose``'s own signature, so the two never drift apart — and adds
``--sample``, ``--output`` and ``--force``. The file it writes goes back in with
``unstuck diagnose ... --tags FILE``.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from typing import Annotated, Any

import typer

from unstuck.cli._console import console, err_console

__all__ = ["register"]

#: Options of ``diagnose`` that make no sense for drawing a sample.
NOT_FOR_TAG = frozenset(
    {"json_path", "html", "markdown", "quiet", "verbose", "training_log", "tags", "mlflow_uri", "mlflow_run"}
)

SampleOption = Annotated[int, typer.Option("--sample", "-n", help="How many dev errors to draw.")]
OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="CSV file to write (open it in a spreadsheet, fill the tags column).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists (it may hold your tags).")]


def _tag(sample: int, output: Path, force: bool, **options: Any) -> None:
    from unstuck.cli import diagnose as diagnose_command
    from unstuck.context import Context
    from unstuck.errors import ConfigError, FileProblem
    from unstuck.pipeline import load_problem
    from unstuck.tags import row_keys, sample_errors

    if output.exists() and not force:
        raise ConfigError(
            f"{output} exists already (it may hold tags you wrote).",
            "Choose another --output, or pass --force to overwrite it.",
        )
    accepted = inspect.signature(load_problem).parameters
    arguments: dict[str, Any] = {k: (tuple(v or ()) if k == "drop" else v) for k, v in options.items() if k in accepted}
    read_card = getattr(diagnose_command, "_card", None)  # the project card, read as diagnose reads it
    if "card" in arguments and read_card is not None:
        arguments["card"] = read_card(arguments["card"])
    problem = load_problem(**arguments)
    if problem.task != "classification":
        raise ConfigError(
            "unstuck tag samples misclassified dev rows, so it needs a classification task.",
            "For regression, sort your dev rows by absolute residual and tag the largest ones by hand.",
        )
    ctx = Context(problem)
    with err_console.status("predicting on dev…"):
        dev = ctx.predictions["dev"]
    table = sample_errors(row_keys(problem), dev.rows, dev.y_true, dev.y_pred, size=sample, seed=problem.seed)
    n_errors = int((dev.y_true != dev.y_pred).sum())
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(output, index=False, encoding="utf-8")
    except OSError as exc:
        raise FileProblem(f"Could not write '{output}': {exc.strerror}.", "Choose a writable --output path.") from None
    console.print(
        f"Wrote {len(table)} of {n_errors} dev errors (stratified by true class, seed {problem.seed}) to {output}.\n"
        "Fill the 'tags' column (several tags separated by ';'; leave it empty for an error with no category), "
        f"then run: unstuck diagnose <same inputs> --tags {output}",
        highlight=False,
    )


def _command() -> Any:
    """``_tag`` with ``diagnose``'s input options in front of its own."""
    from unstuck.cli.diagnose import diagnose

    hints = typing.get_type_hints(diagnose, include_extras=True)
    inherited = [
        p.replace(annotation=hints[p.name])
        for p in inspect.signature(diagnose).parameters.values()
        if p.name not in NOT_FOR_TAG
    ]
    own = [
        inspect.Parameter("sample", inspect.Parameter.KEYWORD_ONLY, default=100, annotation=SampleOption),
        inspect.Parameter(
            "output", inspect.Parameter.KEYWORD_ONLY, default=Path("to_tag.csv"), annotation=OutputOption
        ),
        inspect.Parameter("force", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=ForceOption),
    ]

    def tag(**kwargs: Any) -> None:
        """Write a stratified sample of dev errors to a CSV file, to tag by hand (then diagnose --tags)."""
        _tag(kwargs.pop("sample"), kwargs.pop("output"), kwargs.pop("force"), **kwargs)

    tag.__signature__ = inspect.Signature(inherited + own)  # type: ignore[attr-defined]
    return tag


def register(app: typer.Typer) -> None:
    app.command("tag")(_command())
