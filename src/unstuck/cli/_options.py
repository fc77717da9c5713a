"""The data-input options that ``diagnose`` and ``explore`` share, declared once.

Both commands load a :class:`~unstuck.problem.Problem` the same way
(:func:`unstuck.pipeline.load_problem`), so their flags, help texts and defaults
must not drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unstuck.cli._console import quiet_callback

if TYPE_CHECKING:
    from unstuck.card import ProjectCard

__all__ = [
    "BackendOption",
    "BudgetOption",
    "CacheDirOption",
    "CardOption",
    "DataArgument",
    "DevOption",
    "DeviceOption",
    "DropOption",
    "EncodingOption",
    "HumanErrorOption",
    "IdColumnOption",
    "ImageColumnOption",
    "JsonOption",
    "MetricOption",
    "NoTextOption",
    "PredictionsOption",
    "QuietOption",
    "SeedOption",
    "SplitColumnOption",
    "TargetOption",
    "TaskOption",
    "TestOption",
    "TextColumnOption",
    "TrainDevOption",
    "VerboseOption",
    "card_from_option",
    "text_settings",
]

DataArgument = Annotated[
    Path | None,
    typer.Argument(help="Training table (.csv, .parquet, .jsonl), or the one table of all splits with --split-column."),
]
TargetOption = Annotated[str | None, typer.Option(help="The column to predict.")]
DevOption = Annotated[Path | None, typer.Option(help="Dev (validation) table. Default: 20% of train.")]
TestOption = Annotated[Path | None, typer.Option(help="Test table.")]
TrainDevOption = Annotated[
    Path | None,
    typer.Option(help="Train-dev table (training distribution, not trained on). Default: carved from train."),
]
SplitColumnOption = Annotated[
    str | None, typer.Option(help="Column of DATA naming each row's split (train/train_dev/dev/test).")
]
PredictionsOption = Annotated[
    Path | None,
    typer.Option(help="Your own model's predictions: columns split, y_true, y_pred, optional proba_<class>."),
]
HumanErrorOption = Annotated[
    float | None, typer.Option(help="Human-level error, in metric units (0.02 = 2% error rate).")
]
TaskOption = Annotated[str | None, typer.Option(help="classification or regression. Default: inferred.")]
MetricOption = Annotated[str | None, typer.Option(help="error_rate (classification), rmse or mae (regression).")]
IdColumnOption = Annotated[str | None, typer.Option(help="Row identifier column (not a feature).")]
DropOption = Annotated[list[str] | None, typer.Option(help="Column to leave out; repeat for several.")]
SeedOption = Annotated[int, typer.Option(help="Seed for every split, model, sample and bootstrap.")]
EncodingOption = Annotated[str, typer.Option(help="Text encoding of CSV/JSONL files.")]
TextColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--text-column",
        help="A column of free text (TF-IDF and sentence embeddings, near-copy search); repeat for several. "
        "Default: detected by content (long, mostly distinct values of many words).",
    ),
]
ImageColumnOption = Annotated[
    str | None,
    typer.Option(
        help="A column of image paths (relative to the table's folder): pixels, size, aspect, brightness, blur "
        "and channels become features, and copies are searched by file and perceptual hash."
    ),
]
NoTextOption = Annotated[
    bool, typer.Option("--no-text", help="Treat no column as free text: every non-numeric column is a category.")
]
DeviceOption = Annotated[
    str, typer.Option(help="Where sentence embeddings are computed: auto (a GPU when torch sees one), cpu or cuda.")
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(help="Folder of the embedding cache. Default: $UNSTUCK_CACHE_DIR, else ~/.cache/unstuck."),
]
CardOption = Annotated[Path | None, typer.Option(help="Project card (default: ./unstuck.toml when it exists).")]
JsonOption = Annotated[
    Path | None,
    typer.Option("--json", help="Write the report as JSON (schema unstuck.report/1) to this path."),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print no progress and no report; only errors.", callback=quiet_callback),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Also show informational findings.")]
BudgetOption = Annotated[
    str,
    typer.Option(
        help="How many model fits to spend: quick (no sweeps, a thin learning curve), "
        "standard, or thorough (more curve fits and seeds, sweeps on 20k rows, 5 folds). The report says "
        "what was skipped or thinned."
    ),
]
BackendOption = Annotated[
    str,
    typer.Option(
        help="Where the diagnosis's own fits (learning curve, sweeps, out-of-fold) run: local, or ray (the Ray "
        "cluster of RAY_ADDRESS, or a local one)."
    ),
]


def text_settings(
    text_column: list[str] | None, no_text: bool, device: str, cache_dir: Path | None
) -> tuple[str, ...] | None:
    """The ``text_columns`` argument of ``load_problem`` from the text options; the device and cache folder
    go to the environment (``UNSTUCK_DEVICE``, ``UNSTUCK_CACHE_DIR``) so that worker processes see them too."""
    import os

    from unstuck.errors import ConfigError
    from unstuck.text.embed import DEVICES

    if no_text and text_column:
        raise ConfigError(
            "--no-text and --text-column contradict each other.",
            "Pass --text-column to name the text columns, or --no-text to have none, not both.",
        )
    if device not in DEVICES:
        raise ConfigError(f"Unknown device '{device}'.", "Use --device auto, cpu or cuda.")
    if device == "cuda":
        from unstuck.text.embed import resolve_device

        resolve_device("cuda")  # refuse now, not after minutes of work, when torch sees no GPU
    os.environ["UNSTUCK_DEVICE"] = device
    if cache_dir is not None:
        os.environ["UNSTUCK_CACHE_DIR"] = str(cache_dir)
    if no_text:
        return ()
    return tuple(text_column) if text_column else None


def card_from_option(path: Path | None) -> ProjectCard | None:
    """The project card at ``--card PATH``, or ./unstuck.toml when it exists, or None."""
    from unstuck.card import CARD_FILE, read_card

    if path is not None:
        return read_card(path)
    default = Path(CARD_FILE)
    return read_card(default) if default.exists() else None
