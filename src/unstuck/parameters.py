"""The options of a diagnosis, declared once: what each accepts (type, choices, range) and the fix.

:func:`unstuck.diagnose` and :func:`unstuck.load_problem` check what they are given against
:data:`PARAMETERS` before reading a file, so a misspelt choice, a seed that is not a whole
number or an unknown keyword gets an :class:`~unstuck.errors.ConfigError` naming the option,
the value, what it accepts and the fix, instead of a library's error from deep inside a
check. The command line passes its options through the same functions, so it gets the same
messages; the assistant's tool parameters are tested to offer the same choices.

Values that depend on another one (a metric for the task, a human-level error within the
metric's range, a column that must exist) are checked where both are known, by
:class:`~unstuck.problem.Problem`.
"""

from __future__ import annotations

import difflib
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unstuck.budget import BUDGETS
from unstuck.errors import ConfigError
from unstuck.fits import FIT_BACKENDS
from unstuck.metrics import METRICS

__all__ = ["PARAMETERS", "TASKS", "Parameter", "check_parameters"]

TASKS: tuple[str, ...] = ("classification", "regression")
#: Seeds feed NumPy, scikit-learn and LightGBM alike; NumPy's legacy seeding takes 32 bits.
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Parameter:
    """One option: ``accepts`` says whether a value has the right type, ``expected`` says it in words.

    ``choices`` (when not empty) are its only values; ``low``/``high`` bound a number (inclusive);
    ``example`` is a valid call shown in the fix.
    """

    name: str
    expected: str
    accepts: Callable[[Any], bool]
    example: str
    choices: tuple[str, ...] = ()
    low: int | float | None = None
    high: int | float | None = None


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_frame(value: Any) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame can only exist once pandas is imported
    return pandas is not None and isinstance(value, pandas.DataFrame)


def _is_table(value: Any) -> bool:
    return isinstance(value, str | os.PathLike) or _is_frame(value)


def _is_names(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _is_logs(value: Any) -> bool:
    return isinstance(value, list | tuple)  # each item is read (and checked) by the training-log readers


def _is_card(value: Any) -> bool:
    from unstuck.card import ProjectCard

    return isinstance(value, ProjectCard)


_TABLE = "a path or a pandas DataFrame"
_COLUMN = "a column name (text)"

PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("data", _TABLE, _is_table, 'unstuck.diagnose("train.csv", target="label")'),
        Parameter("target", _COLUMN, _is_text, 'target="label"'),
        Parameter("dev", _TABLE, _is_table, 'dev="dev.csv"'),
        Parameter("test", _TABLE, _is_table, 'test="test.csv"'),
        Parameter("train_dev", _TABLE, _is_table, 'train_dev="train_dev.csv"'),
        Parameter("split_column", _COLUMN, _is_text, 'split_column="split"'),
        Parameter("predictions", _TABLE, _is_table, 'predictions="preds.csv"'),
        Parameter("task", "one of the tasks", _is_text, 'task="classification"', choices=TASKS),
        Parameter("metric", "one of the metrics", _is_text, 'metric="error_rate"', choices=tuple(METRICS)),
        Parameter("id_column", _COLUMN, _is_text, 'id_column="id"'),
        Parameter("drop", "a list of column names", _is_names, 'drop=["name", "ticket"]'),
        Parameter("human_error", "a number in the metric's units", _is_number, "human_error=0.02", low=0),
        Parameter("seed", "a whole number", _is_whole, "seed=0", low=0, high=MAX_SEED),
        # a name Python does not know is refused by the reader, which names the file it could not read
        Parameter("encoding", "the name of a text encoding", _is_text, 'encoding="latin-1"'),
        Parameter("card", "a project card", _is_card, "card=unstuck.card.read_card()"),
        Parameter("training_logs", "a list of paths or training logs", _is_logs, 'training_logs=["history.csv"]'),
        Parameter("tags", _TABLE, _is_table, 'tags="tags.csv"'),
        Parameter("mlflow_uri", "a tracking URI (text)", _is_text, 'mlflow_uri="http://127.0.0.1:5000"'),
        Parameter("on_step", "a function of one message", callable, "on_step=print"),
        Parameter("budget", "one of the budgets", _is_text, 'budget="standard"', choices=tuple(BUDGETS)),
        Parameter("backend", "one of the backends", _is_text, 'backend="local"', choices=FIT_BACKENDS),
        Parameter(
            "text_columns",
            "a list of column names (an empty list: no column is text)",
            _is_names,
            'text_columns=["review"]',
        ),
        Parameter("image_column", _COLUMN, _is_text, 'image_column="path"'),
    )
}


def check_parameters(values: Mapping[str, Any], *, entry: str = "unstuck.diagnose") -> None:
    """Raise :class:`ConfigError` for the first option of ``values`` that :data:`PARAMETERS` refuses.

    ``None`` means "not given" and is always accepted; ``entry`` names the function in messages.
    """
    for name, value in values.items():
        parameter = PARAMETERS.get(name)
        if parameter is None:
            raise ConfigError(
                f"{entry}() has no option '{name}'.", _suggest(name, tuple(PARAMETERS), "Its options are")
            )
        if value is None:
            continue
        if not parameter.accepts(value):
            raise ConfigError(
                f"The option {name} is {_show(value)}, but it must be {parameter.expected}.",
                f"Pass it as, e.g., {parameter.example}.",
            )
        if parameter.choices and value not in parameter.choices:
            raise ConfigError(f"Unknown {name} '{value}'.", _suggest(value, parameter.choices, f"The {name} is one of"))
        low, high = parameter.low, parameter.high
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low:,} to {high:,}" if high is not None else f"at least {low:,}"
            raise ConfigError(
                f"The option {name} is {_show(value)}, outside its range ({bounds}).",
                f"Pass a value in range, e.g. {parameter.example}.",
            )


def _suggest(value: str, choices: tuple[str, ...], lead: str) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    guess = f"Did you mean '{close[0]}'? " if close else ""
    return f"{guess}{lead}: {', '.join(choices)}."


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"
