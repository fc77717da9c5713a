"""Sanity first: is the model materially better than a constant prediction?

A model that is not is a pipeline bug until shown otherwise — the verdict the method
gives before any other, because every gap, label doubt and curve of this report reads
that model's errors. See :mod:`unstuck.signal` for the comparison and its rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from unstuck.findings import Finding
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

#: Said of every verdict that reads the model's errors when the model carries no signal.
MEANINGLESS = "every gap, label doubt and curve in this report reads the errors of a model that has learnt nothing"


@check(
    "signal",
    requires=("predictions",),
    description="the model against the best constant prediction (majority class, mean): signal or pipeline bug",
)
def signal(problem: Problem, ctx: Context) -> CheckResult:
    result = ctx.signal
    metric = problem.metric
    on_metric = result.on_metric
    low, high = on_metric.interval
    who = "The best quick baseline" if problem.mode == "data" else "The model"
    if result.model:
        who = f"The {result.model.replace('_', ' ')} baseline (not the best on the metric)"
    numbers = (
        f"{result.split} error {metric.format(on_metric.model)} vs {metric.format(on_metric.constant)} for always "
        f"predicting {result.constant} (gain {metric.format_gap(on_metric.gain)}, 95% interval "
        f"{metric.format_gap(low)} to {metric.format_gap(high)}, {result.n} rows)"
    )
    brier = result.on_brier
    if brier is not None:
        numbers += f"; Brier score {brier.model:.3f} vs {brier.constant:.3f} for the class frequencies"
    if result.on_permutation is not None:
        test = result.on_permutation
        numbers += (
            f"; the linear baseline's dev Brier score {test.brier:.3f} vs a median of "
            f"{float(np.median(test.permuted)):.3f} for {len(test.permuted)} fits on shuffled labels "
            f"(permutation p = {test.p_value:.2g})"
        )
    evidence = result.to_dict()
    if result.works:
        finding = Finding(
            id="signal.ok",
            severity="info",
            title=f"{who} carries signal: {numbers}",
            evidence=evidence,
        )
    else:
        why = "within noise of"
        finding = Finding(
            id="signal.none",
            severity="critical",
            title=f"{who} is {why} a constant prediction: {numbers} — a pipeline bug until shown otherwise "
            "(labels misaligned with inputs, wrong preprocessing or loss, features that cannot carry the target); "
            f"{MEANINGLESS}",
            lever="fix_pipeline",
            bottleneck="pipeline_bug",
            evidence=evidence,
        )
    return CheckResult(findings=(finding,), section=evidence)
