"""Context: what checks share, computed once and owned by the runner.

Every member is computed lazily, on first use, and then kept: the baseline
ladder, the predictions on each split, the bootstrap error estimates, the
decomposition, the out-of-fold probabilities on train, and the weak slices of dev. A check asks for
what it needs and never mutates it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.registry import SkipCheck

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.baselines import Ladder
    from unstuck.decomposition import Decomposition
    from unstuck.metrics import ErrorEstimate
    from unstuck.problem import Problem
    from unstuck.slices import SliceSearch

__all__ = ["Context", "SplitPredictions"]

N_BOOT = 1000


@dataclass(frozen=True)
class SplitPredictions:
    """A model's predictions on one split.

    ``y_true``, ``y_pred``: shape (n,). ``proba``: shape (n, n_classes) with columns
    in ``classes`` order, or None. ``rows``: the split's features (data mode) or
    metadata columns (predictions mode), aligned with ``y_true``.
    """

    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    proba: NDArray[np.float64] | None
    classes: tuple[Any, ...]
    rows: pd.DataFrame


class Context:
    """The shared, lazily computed measurements of one diagnosis."""

    def __init__(self, problem: Problem, on_step: Callable[[str], None] | None = None) -> None:
        self.problem = problem
        self._on_step = on_step
        self.counts: dict[str, int] = {}

    def step(self, message: str) -> None:
        """Tell the caller (the CLI's progress display) that a slow step begins."""
        if self._on_step is not None:
            self._on_step(message)

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    @cached_property
    def ladder(self) -> Ladder:
        """The fitted baselines (data mode only)."""
        if self.problem.mode != "data":
            raise SkipCheck("needs the feature tables; predictions mode trains no baselines")
        from unstuck.baselines import fit_ladder

        self._count("ladder")
        return fit_ladder(self.problem, on_step=self.step)

    @cached_property
    def predictions(self) -> dict[str, SplitPredictions]:
        """Predictions per split: the user's own, or the best baseline's."""
        self._count("predictions")
        problem = self.problem
        if problem.predictions is not None:
            frame = problem.predictions
            proba_columns = [f"proba_{c}" for c in problem.classes]
            has_proba = problem.task == "classification" and all(c in frame for c in proba_columns)
            meta = [c for c in frame.columns if c not in ("split", "y_true", "y_pred") and not c.startswith("proba_")]
            out = {}
            for split in problem.present_splits:
                part = frame[frame["split"] == split]
                out[split] = SplitPredictions(
                    y_true=part["y_true"].to_numpy(),
                    y_pred=part["y_pred"].to_numpy(),
                    proba=part[proba_columns].to_numpy(dtype=np.float64) if has_proba else None,
                    classes=problem.classes,
                    rows=part[meta].reset_index(drop=True),
                )
            return out
        from unstuck.baselines import predict_with_proba

        best = self.ladder.best_rung
        model = best.model
        features = list(problem.features)
        out = {}
        for split, frame in problem.frames.items():
            rows = frame[features]
            y_pred, raw = (best.outputs or {}).get(split) or predict_with_proba(model, rows, problem.task)
            proba = None if raw is None else _align_proba(raw, tuple(model.classes_), problem.classes)
            out[split] = SplitPredictions(
                y_true=frame[problem.target].to_numpy(),
                y_pred=np.asarray(y_pred),
                proba=proba,
                classes=problem.classes,
                rows=rows,
            )
        return out

    @cached_property
    def errors(self) -> dict[str, ErrorEstimate]:
        """The metric on each split, with bootstrap draws (seeded by the problem's seed)."""
        from unstuck.metrics import estimate_error

        self._count("errors")
        self.step("bootstrapping the errors")
        return {
            split: estimate_error(self.problem.metric, p.y_true, p.y_pred, n_boot=N_BOOT, seed=self.problem.seed + i)
            for i, (split, p) in enumerate(self.predictions.items())
        }

    @cached_property
    def decomposition(self) -> Decomposition:
        """Avoidable bias, variance, data mismatch and dev overfitting, with intervals."""
        from unstuck.decomposition import decompose

        return decompose(
            self.errors,
            human=self.problem.human_error,
            dev_from_train=self.problem.dev_from_train,
        )

    @cached_property
    def oof_proba(self) -> NDArray[np.float64]:
        """Out-of-fold probabilities on train from the best baseline, shape (n_train, n_classes)."""
        from unstuck.baselines import out_of_fold_proba

        self._count("oof_proba")
        self.step("computing out-of-fold predictions on train")
        return out_of_fold_proba(self.problem, self.ladder.best)

    @cached_property
    def dev_slices(self) -> SliceSearch:
        """Weak slices of dev (:func:`unstuck.checks.slices.search_dev`), searched once for the
        ``slices`` check and the per-slice learning curves."""
        from unstuck.checks.slices import search_dev

        self._count("dev_slices")
        return search_dev(self.problem, self)


def _align_proba(
    proba: NDArray[np.float64], model_classes: tuple[Any, ...], classes: tuple[Any, ...]
) -> NDArray[np.float64]:
    """Reorder probability columns to ``classes``; classes the model never saw get 0."""
    out = np.zeros((proba.shape[0], len(classes)), dtype=np.float64)
    position = {c: i for i, c in enumerate(model_classes)}
    for j, c in enumerate(classes):
        if c in position:
            out[:, j] = proba[:, position[c]]
    return out
