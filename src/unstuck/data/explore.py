"""``explore``: only the data checks (those tagged ``"data"``), assembled into a report.

The data checks are the same functions ``diagnose`` runs; ``explore`` runs them
alone, for a first look at the data before any model question. Some of them
still need a model (label errors need out-of-fold probabilities, leakage's
"error without the leaked rows" needs dev predictions): they fit the quick
baselines through the shared :class:`~unstuck.context.Context`, and the report
then carries the best baseline's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from unstuck.advice import bottleneck_of, failure_notice, rank_interventions, reconcile, unverified_by
from unstuck.context import Context
from unstuck.decomposition import COMPONENTS
from unstuck.findings import Report
from unstuck.problem import SPLITS
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import run_checks

if TYPE_CHECKING:
    from unstuck.problem import Problem

__all__ = ["DATA_TAG", "data_checks", "explore_problem"]

DATA_TAG = "data"


def data_checks() -> tuple[CheckSpec, ...]:
    """The registered checks tagged ``"data"``, in registry order."""
    return tuple(spec for spec in registered_checks() if DATA_TAG in spec.tags)


def explore_problem(problem: Problem, *, on_step: Callable[[str], None] | None = None) -> Report:
    """Run the data checks on ``problem`` and return a report (decomposition left empty)."""
    from unstuck import __version__

    ctx = Context(problem, on_step=on_step)
    run = run_checks(problem, ctx, checks=data_checks())
    findings = reconcile(run.findings, unverified_by(run.failed))
    interventions = rank_interventions(findings, problem.metric)
    errors: dict[str, float | None] = {"human": problem.human_error, **dict.fromkeys(SPLITS)}
    inferred = {**problem.notes, "mode": problem.mode, "command": "explore: data checks only"}
    if "ladder" in vars(ctx):  # a check fitted the baselines: show the best one's errors for context
        best = ctx.ladder.best_rung
        errors.update({s: best.errors.get(s) for s in SPLITS})
        inferred["errors"] = f"errors of the best quick baseline ({best.name}), fitted for the label checks"
    if problem.mode == "data":
        inferred["features"] = len(problem.features)
    if problem.classes:
        inferred["classes"] = [str(c) for c in problem.classes]
    return Report(
        unstuck_version=__version__,
        task=problem.task,
        metric=problem.metric.to_dict(),
        splits=problem.split_sizes,
        errors=errors,
        decomposition=dict.fromkeys(COMPONENTS),
        bottleneck=bottleneck_of(interventions),
        findings=findings,
        interventions=interventions,
        skipped=run.skipped,
        notices=tuple(failure_notice(c, r, run.findings) for c, r in run.failed.items()),
        inferred=inferred,
        sections=run.sections,
    )
