"""Per-row dev losses from a run's dev predictions, for the paired-bootstrap verdict.

A run given ``--dev-predictions FILE`` writes its predictions on the dev set to
FILE (also named by the environment variable ``UNSTUCK_DEV_PREDICTIONS``): a
table (CSV, Parquet, JSONL; read by :func:`unstuck.io.read_table`) with columns
``y_true`` and ``y_pred``, and optionally ``split`` (only ``dev`` rows are kept).
Rows must come in the same order in every run, so that parent and child are
compared row by row. The loss of a row is 1 when ``y_pred != y_true``, else 0:
their mean is the dev error rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from unstuck.errors import ColumnProblem

__all__ = ["DEV_PREDICTIONS_ENV", "dev_losses"]

#: The environment variable naming the file a run writes its dev predictions to.
DEV_PREDICTIONS_ENV = "UNSTUCK_DEV_PREDICTIONS"


def dev_losses(path: Path) -> NDArray[np.float64]:
    """The 0/1 loss of each dev row in the predictions file, shape (n_dev,).

    Raises
    ------
    FileProblem, ColumnProblem
        When the file is unreadable, lacks ``y_true``/``y_pred``, or has no dev rows.
    """
    from unstuck.io import read_table

    frame = read_table(path)
    missing = [c for c in ("y_true", "y_pred") if c not in frame.columns]
    if missing:
        raise ColumnProblem(
            f"The dev predictions file {path} lacks the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns))}.",
            hint="Write columns y_true and y_pred (and optionally split), one row per dev example.",
        )
    if "split" in frame.columns:
        frame = frame[frame["split"].astype(str) == "dev"]
    if frame.empty:
        raise ColumnProblem(f"The dev predictions file {path} has no dev rows.", hint="Write at least one dev row.")
    import pandas as pd

    truth, pred = frame["y_true"], frame["y_pred"]
    if pd.api.types.is_numeric_dtype(truth) and pd.api.types.is_numeric_dtype(pred):
        wrong = truth.to_numpy(dtype=np.float64) != pred.to_numpy(dtype=np.float64)
    else:
        wrong = truth.astype(str).to_numpy() != pred.astype(str).to_numpy()
    losses: NDArray[np.float64] = np.asarray(wrong, dtype=np.float64)
    return losses
