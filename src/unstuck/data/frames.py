"""How the data checks see a problem's tables: splits as the user gave them, row references, examples.

unstuck carves a train-dev set out of train when the user gave a dev set but no
train-dev set. The data checks look at the data *as the user has it*, so
``user_splits`` puts carved train-dev rows back into train (they are the user's
training rows); a train-dev set the user gave stays its own split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.data.rows import id_like_name

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.problem import Problem

__all__ = [
    "MAX_EXAMPLES",
    "example_rows",
    "id_columns",
    "problem_splits",
    "row_refs",
    "short",
    "user_splits",
]

MAX_EXAMPLES = 5
MAX_EXAMPLE_COLUMNS = 8
MAX_TEXT = 40


def user_splits(problem: Problem) -> dict[str, pd.DataFrame]:
    """Split → table (features, target, id) as the user gave them: a carved train-dev is folded back into train."""
    import pandas as pd

    frames = dict(problem.frames)
    if "train_dev" in frames and "train_dev" in problem.notes:
        frames["train"] = pd.concat([frames["train"], frames.pop("train_dev")], ignore_index=True)
    return {s: frames[s] for s in ("train", "train_dev", "dev", "test") if s in frames}


def problem_splits(problem: Problem, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` made per split of :func:`user_splits` (rows in its order) per split of ``problem.frames``
    instead: the rows of a carved train-dev, which ``user_splits`` put after train's own, taken back out."""
    if "train_dev" not in problem.frames or "train_dev" in tables or "train" not in tables:
        return tables
    n = len(problem.frames["train"])
    whole = tables["train"]
    return {
        **tables,
        "train": whole.iloc[:n].reset_index(drop=True),
        "train_dev": whole.iloc[n:].reset_index(drop=True),
    }


def id_columns(problem: Problem, train: pd.DataFrame) -> list[str]:
    """Identifier columns: the declared ``--id-column`` and features named like ids that are ≥ 95 % unique in train."""
    found = [problem.id_column] if problem.id_column else []
    for column in problem.features:
        if id_like_name(column) and len(train) and train[column].nunique(dropna=True) >= 0.95 * len(train):
            found.append(column)
    return found


def short(value: Any) -> Any:
    """A JSON-able, short rendering of one cell (long text cut to 40 characters)."""
    if value is None:
        return None
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, (np.integer, int, np.bool_, bool)):
        return value.item() if hasattr(value, "item") else value
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def row_refs(problem: Problem, frame: pd.DataFrame, positions: NDArray[np.int64] | Sequence[int]) -> list[Any]:
    """References of rows: their id-column values when there is one, else their 0-based positions in the split."""
    positions = [int(p) for p in positions]
    if problem.id_column and problem.id_column in frame.columns:
        return [short(v) for v in frame[problem.id_column].iloc[positions].tolist()]
    return positions


def example_rows(
    frame: pd.DataFrame,
    positions: NDArray[np.int64] | Sequence[int],
    columns: Sequence[str],
    *,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows as ``{column: short value}``, at most 8 columns each, for the report."""
    shown = list(columns)[:MAX_EXAMPLE_COLUMNS]
    out = []
    for position in list(positions)[:limit]:
        row = frame.iloc[int(position)]
        out.append({"row": int(position), **{str(c): short(row[c]) for c in shown}})
    return out
