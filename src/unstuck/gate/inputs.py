"""The gate's inputs: the candidate's predictions, and the baseline's on the same test rows.

Both files use the predictions format of ``unstuck diagnose --predictions`` (columns
``split``, ``y_true``, ``y_pred``, optional ``proba_<class>``, any other columns are the
rows' features). The candidate's file must hold ``test`` rows; ``dev`` rows (for the
dev-vs-test checks) and ``train`` rows with features (for leakage) are optional. The
baseline's file needs only ``test`` rows: the same rows, matched on ``id_column`` when one
is given, else in the same order — a comparison on different rows proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.errors import ColumnProblem, SplitProblem
from unstuck.io import read_table

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import SplitPredictions
    from unstuck.metrics import Metric
    from unstuck.problem import Problem

__all__ = ["GateInputs", "load_inputs"]


@dataclass(frozen=True)
class GateInputs:
    """What the gate judges.

    ``splits``: the candidate's predictions per split (``rows`` hold the feature columns);
    ``baseline``: the baseline's predictions on the candidate's test rows, in the same order;
    ``features``: the feature columns (every metadata column but the id column); ``id_column``:
    the one given, or a column named like an id whose test values are nearly all distinct.
    """

    problem: Problem
    splits: dict[str, SplitPredictions]
    baseline: SplitPredictions | None
    features: tuple[str, ...]
    id_column: str | None
    names: dict[str, str]

    @property
    def metric(self) -> Metric:
        return self.problem.metric

    @property
    def test(self) -> SplitPredictions:
        return self.splits["test"]


def _problem(frame: pd.DataFrame, name: str, task: str | None, metric: str | None, seed: int) -> Problem:
    from unstuck.problem import Problem

    return Problem.from_predictions(frame, task=task, metric=metric, seed=seed, name=name)


def _split_predictions(problem: Problem) -> dict[str, SplitPredictions]:
    from unstuck.context import Context

    return dict(Context(problem).predictions)


def load_inputs(
    candidate: Path,
    baseline: Path | None = None,
    *,
    task: str | None = None,
    metric: str | None = None,
    id_column: str | None = None,
    seed: int = 0,
) -> GateInputs:
    """Read and check the candidate's (and the baseline's) predictions files."""
    frame = read_table(candidate)
    problem = _problem(frame, candidate.name, task, metric, seed)
    splits = _split_predictions(problem)
    if "test" not in splits:
        raise SplitProblem(
            f"{candidate.name} has no test rows (its splits: {', '.join(sorted(splits))}).",
            "The gate judges the model on held-out test rows: add them with split = test.",
        )
    meta = tuple(splits["test"].rows.columns)
    if id_column is not None and id_column not in meta:
        raise ColumnProblem(
            f"The id column '{id_column}' is not in {candidate.name}; its columns are {list(frame.columns)[:20]}.",
            "Pass --id-column with a column of the predictions file, or leave it out.",
        )
    if id_column is None:
        id_column = _guess_id_column(splits["test"].rows)
    features = tuple(c for c in meta if c != id_column)
    aligned = None
    names = {"candidate": candidate.name}
    if baseline is not None:
        names["baseline"] = baseline.name
        base_frame = read_table(baseline)
        base_problem = _problem(base_frame, baseline.name, problem.task, problem.metric.name, seed)
        base_splits = _split_predictions(base_problem)
        if "test" not in base_splits:
            raise SplitProblem(
                f"{baseline.name} has no test rows.",
                "Give the baseline's predictions on the same test rows as the candidate's (split = test).",
            )
        aligned = _align(splits["test"], base_splits["test"], id_column, candidate.name, baseline.name)
    return GateInputs(problem, splits, aligned, features, id_column, names)


#: A column named like an id is one when at least this share of its test values are distinct.
ID_UNIQUE_SHARE = 0.95


def _guess_id_column(rows: pd.DataFrame) -> str | None:
    """The first column named like an identifier (``id``, ``user_id``) whose test values are nearly all distinct.

    An id left among the features would let the dev-vs-test classifier tell splits apart by
    their id ranges, and make every slice rule about ids.
    """
    from unstuck.data.rows import id_like_name

    for column in rows.columns:
        if id_like_name(column) and len(rows) and rows[column].nunique() >= ID_UNIQUE_SHARE * len(rows):
            return str(column)
    return None


def _align(
    cand: SplitPredictions, base: SplitPredictions, id_column: str | None, cand_name: str, base_name: str
) -> SplitPredictions:
    """The baseline's test predictions in the candidate's row order, after checking they are the same rows."""
    from unstuck.context import SplitPredictions

    order: np.ndarray[Any, Any] = np.arange(len(base.y_true))
    if id_column is not None:
        if id_column not in base.rows.columns:
            raise ColumnProblem(
                f"The id column '{id_column}' is not in {base_name}.",
                "Both predictions files need the id column that matches their rows.",
            )
        base_ids = base.rows[id_column].astype(str).tolist()
        if len(set(base_ids)) != len(base_ids):
            raise ColumnProblem(f"The id column '{id_column}' of {base_name} repeats values.", "Ids must be unique.")
        position = {v: i for i, v in enumerate(base_ids)}
        missing = [v for v in cand.rows[id_column].astype(str).tolist() if v not in position]
        if missing:
            raise SplitProblem(
                f"{len(missing)} test rows of {cand_name} have no match in {base_name} (e.g. id {missing[0]}).",
                "Give the baseline's predictions on the same test rows as the candidate's.",
            )
        order = np.array([position[v] for v in cand.rows[id_column].astype(str).tolist()], dtype=np.int64)
    elif len(base.y_true) != len(cand.y_true):
        raise SplitProblem(
            f"{cand_name} has {len(cand.y_true)} test rows and {base_name} {len(base.y_true)}.",
            "Compare on the same test rows: give both files the same rows, or pass --id-column to match them.",
        )
    y_true = base.y_true[order]
    if not np.array_equal(np.asarray(y_true).astype(str), np.asarray(cand.y_true).astype(str)):
        differ = int(np.sum(np.asarray(y_true).astype(str) != np.asarray(cand.y_true).astype(str)))
        raise SplitProblem(
            f"The test labels of {base_name} differ from those of {cand_name} in {differ} rows: "
            "they are not the same rows in the same order.",
            "Give both files the same test rows in the same order, or pass --id-column to match them.",
        )
    return SplitPredictions(
        y_true=y_true,
        y_pred=base.y_pred[order],
        proba=None if base.proba is None else base.proba[order],
        classes=base.classes,
        rows=base.rows.iloc[order].reset_index(drop=True),
    )
