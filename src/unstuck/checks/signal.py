"""Sanity first: is the model materially better than a constant prediction?

A model that is not is a pipeline bug until shown otherwise — the verdict the method
gives before any other, because every gap, label doubt and curve of this report reads
that model's errors. See :mod:`unstuck.signal` for the comparison and its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from unstuck.findings import Finding
from unstuck.measured import ABSENT_WHEN_NONE, from_json
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

#: Said of every verdict that reads the model's errors when the model carries no signal.
MEANINGLESS = "every gap, label doubt and curve in this report reads the errors of a model that has learnt nothing"


@dataclass(frozen=True)
class ConstantComparison:
    """The model against the best constant on one ``measure`` (the metric, or the Brier score): both
    losses (the measure's units), the constant's minus the model's (``gain``, positive: the model is
    better) with its 95 % bootstrap interval, the gain that counts as material (``needed``), whether
    the interval lies above zero (``significant``) and the gain reaches ``needed`` too (``material``)."""

    measure: str
    model: float
    constant: float
    gain: float
    interval: tuple[float, float]
    needed: float
    significant: bool
    material: bool


@dataclass(frozen=True)
class PermutationTest:
    """The linear baseline's Brier score (on dev, or out of fold on train) against the median of
    ``permutations`` of the same on shuffled train labels, the permutation p-value and whether it is below 5 %."""

    brier: float
    permuted_median: float
    permutations: int
    p_value: float
    significant: bool


@dataclass(frozen=True)
class SignalResult:
    """Whether the model beats the best constant prediction on ``split`` (``n`` rows): the constant
    (as said), the baseline judged when it is not the one diagnosed (``model``; "" otherwise), the
    verdict (``works``) and the comparisons it rests on: on the metric, on the Brier score (with
    probabilities) and the permutation tests, scored on dev and out of fold on train (data mode, where
    nothing else is proof)."""

    split: str
    model: str
    n: int
    constant: str
    works: bool
    on_metric: ConstantComparison
    on_brier: ConstantComparison | None
    on_permutation: PermutationTest | None
    on_permutation_train: PermutationTest | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@check(
    "signal",
    requires=("predictions",),
    description="the model against the best constant prediction (majority class, mean): signal or pipeline bug",
    result=SignalResult,
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
    for test, where in ((result.on_permutation, "dev"), (result.on_permutation_train, "out-of-fold train")):
        if test is not None:
            numbers += (
                f"; the linear baseline's {where} Brier score {test.brier:.3f} vs a median of "
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
    return CheckResult(findings=(finding,), section=from_json(SignalResult, evidence, strict=True))
