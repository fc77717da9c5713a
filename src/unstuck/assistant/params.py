"""The tools' parameters, typed and described once: the JSON Schema an assistant reads is built from these.

Each alias is ``Annotated[type, Field(description=...)]``; the SDK turns it into the
parameter's schema, description included. The texts follow the CLI's option help,
with paths said to be relative to the server's root.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

__all__ = [
    "Card",
    "Command",
    "Dev",
    "Drop",
    "HumanError",
    "IdColumn",
    "Ledger",
    "Metric",
    "Predictions",
    "Sections",
    "Seed",
    "SplitColumn",
    "Tags",
    "Target",
    "Task",
    "Test",
    "Train",
    "TrainDev",
    "TrainingLogs",
]

Train = Annotated[
    str | None,
    Field(description="Training table (.csv, .parquet, .jsonl) under the root; with split_column, all splits."),
]
Target = Annotated[str | None, Field(description="The column to predict.")]
Dev = Annotated[str | None, Field(description="Dev (validation) table under the root. Default: 20% of train.")]
Test = Annotated[str | None, Field(description="Test table under the root.")]
TrainDev = Annotated[
    str | None,
    Field(description="Train-dev table (training distribution, not trained on). Default: carved from train."),
]
SplitColumn = Annotated[
    str | None, Field(description="Column of train naming each row's split (train/train_dev/dev/test).")
]
Predictions = Annotated[
    str | None,
    Field(
        description="The user's own model's predictions under the root: columns split, y_true, y_pred, "
        "optional proba_<class>. Instead of train/dev/test."
    ),
]
TrainingLogs = Annotated[
    list[str] | None,
    Field(
        description="Training histories under the root: CSV/JSONL/Keras JSON/Lightning metrics.csv files or "
        "TensorBoard folders; alone or with data."
    ),
]
HumanError = Annotated[
    float | None, Field(description="Human-level error in metric units (0.02 = 2% error rate), when known.")
]
Task = Annotated[
    Literal["classification", "regression"] | None, Field(description="Default: inferred from the target.")
]
Metric = Annotated[
    Literal["error_rate", "rmse", "mae"] | None,
    Field(description="error_rate (classification), rmse or mae (regression). Default: error_rate or rmse."),
]
IdColumn = Annotated[str | None, Field(description="Row identifier column (not a feature).")]
Drop = Annotated[list[str] | None, Field(description="Columns to leave out of the features.")]
Seed = Annotated[int, Field(description="Seed for every split, model, sample and bootstrap.")]
Card = Annotated[
    str | None, Field(description="Project card under the root. Default: the root's unstuck.toml when it exists.")
]
Tags = Annotated[
    str | None, Field(description="Tagged dev errors (columns row, tags; from `unstuck tag`) under the root.")
]
Sections = Annotated[
    bool, Field(description="Also return each check's long tables and plot data (the report's `sections`).")
]
Ledger = Annotated[str, Field(description="The ledger's SQLite file under the root.")]
Command = Annotated[
    list[str],
    Field(
        description='The training command as an argument list, e.g. ["python", "train.py", "--lr", "0.1"]; '
        "it runs in the root and prints its metrics as a JSON object on its last line."
    ),
]
