"""The one place a :class:`~unstuck.findings.Report` is built from what the checks measured.

``diagnose`` (every check), ``explore`` (the data checks alone) and the check contract
tests all call :func:`build_report`: the verdicts are reconciled, the interventions
ranked, the errors and the decomposition read from the decomposition check's typed
result, and the notices written the same way whichever checks ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from unstuck.advice import VERIFIED_BY, bottleneck_of, failure_notice, rank_interventions, reconcile, unverified_by
from unstuck.decomposition import COMPONENTS
from unstuck.findings import Report
from unstuck.problem import SPLITS

if TYPE_CHECKING:
    from unstuck.checks.decomposition import DecompositionResult
    from unstuck.problem import Problem
    from unstuck.runner import RunResult

__all__ = ["MODEL_CHECKS", "NO_VERDICT", "build_report"]

#: The checks whose measurements every verdict about the model rests on.
MODEL_CHECKS: tuple[str, ...] = VERIFIED_BY["model"]
#: How a report that could not judge the model begins (the renderers show it before the bottleneck).
NO_VERDICT = "No verdict on the model:"


def build_report(
    problem: Problem,
    run: RunResult,
    *,
    data_type: str = "structured",
    inferred: Mapping[str, Any] | None = None,
    errors: Mapping[str, float | None] | None = None,
    budget: Mapping[str, Any] | None = None,
    timings: Mapping[str, Any] | None = None,
) -> Report:
    """The report of ``run`` (the checks that ran on ``problem``).

    ``data_type`` (the project card's) shapes the architecture advice. ``inferred`` adds
    lines to what unstuck decided for the user. ``errors`` are the errors to show when no
    decomposition was measured (``explore`` shows the best quick baseline's); the
    decomposition check's own measurements win over them.
    """
    from unstuck import __version__

    failed = [s for s in run.skipped if s.check in MODEL_CHECKS and s.reason.startswith("failed")]
    findings = reconcile(run.findings, unverified_by(run.failed))
    interventions = rank_interventions(findings, problem.metric, data_type=data_type)
    notices = []
    if any(f.bottleneck == "leakage" for f in run.findings):
        notices.append("Leakage found: every other number in this report is suspect (optimistic) until it is fixed.")
    if failed:
        # Every verdict about the model reads the errors these checks measure: when they could not
        # run, an empty list of model findings is not "nothing wrong", and the report says so first.
        notices.append(
            f"{NO_VERDICT} {failed[0].check} could not run ({failed[0].reason}), so nothing here measures where the "
            "model's error comes from; fix the cause named there and run again."
        )
    # Any other check that crashed: the report names it and what was withdrawn for it, so an empty list of
    # findings of its kind is not read as "nothing wrong".
    notices += [failure_notice(c, r, run.findings) for c, r in run.failed.items() if c not in MODEL_CHECKS]
    measured = _decomposition_of(run)
    shown: dict[str, float | None] = {"human": problem.human_error}
    if measured is not None:
        shown.update({s: measured.errors.get(s) for s in SPLITS})
        intervals = {s: list(i) for s, i in measured.intervals.items()}
        decomposition = measured.values()
    else:
        shown.update({s: (errors or {}).get(s) for s in SPLITS})
        intervals = {}
        decomposition = dict.fromkeys(COMPONENTS)
    notes: dict[str, Any] = dict(problem.notes)
    notes["mode"] = problem.mode
    if problem.mode == "data":
        notes["features"] = len(problem.features)
    if problem.classes:
        notes["classes"] = [str(c) for c in problem.classes]
    notes.update(inferred or {})
    return Report(
        unstuck_version=__version__,
        task=problem.task,
        metric=problem.metric.to_dict(),
        splits=problem.split_sizes,
        errors=shown,
        intervals=intervals,
        decomposition=decomposition,
        bottleneck=bottleneck_of(interventions),
        findings=findings,
        interventions=interventions,
        skipped=run.skipped,
        inferred=notes,
        sections=run.sections,
        notices=tuple(notices),
        budget=dict(budget or {}),
        timings=dict(timings or {}),
    )


def _decomposition_of(run: RunResult) -> DecompositionResult | None:
    """The decomposition check's typed result, or None when it did not run."""
    from unstuck.checks.decomposition import DecompositionResult
    from unstuck.measured import from_json

    section = run.sections.get("decomposition")
    return None if section is None else from_json(DecompositionResult, section)
