"""The options of a diagnosis, declared once: what each accepts (type, choices, range) and the fix.

:func:`unstuck.diagnose` and :func:`unstuck.load_problem` check what they are given against
:data:`PARAMETERS` before reading a file, so a misspelt choice, a seed that is not a whole
number or out of range, or an unknown keyword gets an :class:`~unstuck.errors.ConfigError`
naming the option and its command-line flag, the value, what it accepts and the fix, instead
of a library's error from deep inside a check. The command line passes its options through
the same functions, so it gets the same messages; the assistant's tool parameters are tested
to offer the same choices.

Values that depend on another one (a metric for the task, a human-level error within the
metric's range, a column that must exist) are checked where both are known, by
:class:`~unstuck.problem.Problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unstuck.arguments import (
    MAX_SEED,
    Parameter,
    check_arguments,
    is_logs,
    is_names,
    is_number,
    is_table,
    is_text,
    is_whole,
)
from unstuck.budget import BUDGETS
from unstuck.fits import FIT_BACKENDS
from unstuck.metrics import METRICS

__all__ = ["MAX_SEED", "PARAMETERS", "TASKS", "Parameter", "check_parameters"]

TASKS: tuple[str, ...] = ("classification", "regression")


def _is_card(value: Any) -> bool:
    from unstuck.card import ProjectCard

    return isinstance(value, ProjectCard)


_TABLE = "a path or a pandas DataFrame"
_COLUMN = "a column name (text)"

PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("data", _TABLE, is_table, 'unstuck.diagnose("train.csv", target="label")'),
        Parameter("target", _COLUMN, is_text, 'target="label"', flag="--target"),
        Parameter("dev", _TABLE, is_table, 'dev="dev.csv"', flag="--dev"),
        Parameter("test", _TABLE, is_table, 'test="test.csv"', flag="--test"),
        Parameter("train_dev", _TABLE, is_table, 'train_dev="train_dev.csv"', flag="--train-dev"),
        Parameter("split_column", _COLUMN, is_text, 'split_column="split"', flag="--split-column"),
        Parameter("predictions", _TABLE, is_table, 'predictions="preds.csv"', flag="--predictions"),
        Parameter("task", "one of the tasks", is_text, 'task="classification"', choices=TASKS, flag="--task"),
        Parameter(
            "metric", "one of the metrics", is_text, 'metric="error_rate"', choices=tuple(METRICS), flag="--metric"
        ),
        Parameter("id_column", _COLUMN, is_text, 'id_column="id"', flag="--id-column"),
        Parameter("drop", "a list of column names", is_names, 'drop=["name", "ticket"]', flag="--drop"),
        Parameter(
            "human_error", "a number in the metric's units", is_number, "human_error=0.02", low=0, flag="--human-error"
        ),
        Parameter("seed", "a whole number", is_whole, "seed=0", low=0, high=MAX_SEED, flag="--seed"),
        # a name Python does not know is refused by the reader, which names the file it could not read
        Parameter("encoding", "the name of a text encoding", is_text, 'encoding="latin-1"', flag="--encoding"),
        Parameter("card", "a project card", _is_card, "card=unstuck.card.read_card()", flag="--card"),
        Parameter(
            "training_logs",
            "a list of paths or training logs",
            is_logs,
            'training_logs=["history.csv"]',
            flag="--training-log",
        ),
        Parameter("tags", _TABLE, is_table, 'tags="tags.csv"', flag="--tags"),
        Parameter(
            "mlflow_uri", "a tracking URI (text)", is_text, 'mlflow_uri="http://127.0.0.1:5000"', flag="--mlflow-uri"
        ),
        Parameter("on_step", "a function of one message", callable, "on_step=print"),
        Parameter(
            "budget", "one of the budgets", is_text, 'budget="standard"', choices=tuple(BUDGETS), flag="--budget"
        ),
        Parameter("backend", "one of the backends", is_text, 'backend="local"', choices=FIT_BACKENDS, flag="--backend"),
        Parameter(
            "text_columns",
            "a list of column names (an empty list: no column is text)",
            is_names,
            'text_columns=["review"]',
            flag="--text-column",
        ),
        Parameter("image_column", _COLUMN, is_text, 'image_column="path"', flag="--image-column"),
    )
}


def check_parameters(values: Mapping[str, Any], *, entry: str = "unstuck.diagnose") -> None:
    """Raise :class:`ConfigError` for the first option of ``values`` that :data:`PARAMETERS` refuses.

    ``None`` means "not given" and is always accepted; ``entry`` names the function in messages.
    """
    check_arguments(values, PARAMETERS, entry=entry)
