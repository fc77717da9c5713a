"""The dev errors of a problem's model to tag by hand: a stratified, seeded sample as a table.

The model is the user's own (predictions given) or the quick baseline. The table goes
into a spreadsheet; its filled ``tags`` column comes back as ``diagnose --tags FILE``
(see :mod:`unstuck.tags`). ``unstuck tag`` is a thin wrapper over
:func:`sample_dev_errors`.

>>> import unstuck
>>> from unstuck.error_sample import sample_dev_errors
>>> sample = sample_dev_errors(unstuck.load_problem("train.csv", target="y"), size=50)  # doctest: +SKIP
>>> sample.table.to_csv("to_tag.csv", index=False)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unstuck.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.problem import Problem

__all__ = ["ErrorSample", "sample_dev_errors"]


@dataclass(frozen=True)
class ErrorSample:
    """``table``: the sampled dev errors (row key, the row, ``y_true``, ``y_pred``, an empty ``tags``
    column), in dev order; ``n_errors``: all dev errors it was drawn from; ``seed``: the seed drawn with."""

    table: pd.DataFrame
    n_errors: int
    seed: int


def sample_dev_errors(
    problem: Problem, *, size: int = 100, on_step: Callable[[str], None] | None = None
) -> ErrorSample:
    """A sample of ``size`` dev errors, stratified by true class with ``problem.seed``.

    Raises
    ------
    ConfigError
        For a regression problem (no misclassified rows to sample), ``size`` under 1,
        or a model that makes no dev error.
    """
    from unstuck.context import Context
    from unstuck.tags import row_keys, sample_errors

    if problem.task != "classification":
        raise ConfigError(
            "Tagging samples misclassified dev rows, so it needs a classification task.",
            "For regression, sort your dev rows by absolute residual and tag the largest ones by hand.",
        )
    if on_step is not None:
        on_step("predicting on dev")
    dev = Context(problem).predictions["dev"]
    table = sample_errors(row_keys(problem), dev.rows, dev.y_true, dev.y_pred, size=size, seed=problem.seed)
    return ErrorSample(table=table, n_errors=int((dev.y_true != dev.y_pred).sum()), seed=problem.seed)
