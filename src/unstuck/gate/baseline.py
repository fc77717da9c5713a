"""Better than what runs today: the candidate against the baseline on the same test rows.

The gain (baseline error − candidate error) comes with its paired bootstrap interval and a
paired test (:mod:`unstuck.gate.paired`). The condition passes when the gain is positive
beyond noise. A gain within noise fails when the test set could have detected the claimed
gain (the ``test_power`` condition passed: no gain where one should show), and is left
"not checked" when it could not (that condition already fails, and saying "worse" or
"better" would read noise).

Before any baseline, the candidate must beat the best constant prediction on the test rows
(majority class, mean or median, learnt from train's labels when given): the diagnosis'
signal rule (:func:`unstuck.signal.compare_to_constant`), which needs no baseline file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate.inputs import GateInputs
    from unstuck.gate.paired import PairedComparison
    from unstuck.gate.settings import GateSettings

__all__ = ["beats_constant", "better_than_baseline"]

FAMILY = "baseline"
WHY_SIGNAL = (
    "a model no better than always answering the same constant has learnt nothing usable, whatever its "
    "other numbers say (labels misaligned with inputs, a broken preprocessing step)"
)
WHY = (
    "replacing what runs today costs work and risk; it is worth it only if the candidate is better on the same "
    "rows, by more than the noise of the test set"
)


def better_than_baseline(
    inputs: GateInputs, settings: GateSettings, comparison: PairedComparison | None, power: GateCondition
) -> GateCondition:
    """Gain over the baseline with its interval; see the module docstring for the rule."""
    name = "better_than_baseline"
    if comparison is None:
        return GateCondition(name, FAMILY, NOT_CHECKED, "not checked: no baseline predictions (--baseline)", WHY)
    metric = inputs.metric
    low, high = comparison.interval
    said = (
        f"candidate {metric.format(comparison.candidate)} vs baseline {metric.format(comparison.baseline)} on the same "
        f"{comparison.n:,} test rows: a gain of {metric.format_gap(comparison.gain)} ({percent(comparison.level, 0)} "
        f"interval {metric.format_gap(low)} to {metric.format_gap(high)}, p = {comparison.p_value:.3g})"
    )
    significant = comparison.p_value < settings.significance
    if comparison.gain > 0 and significant:
        status, verdict = PASS, "better beyond noise"
    elif comparison.gain <= 0:
        status, verdict = FAIL, "worse beyond noise" if significant else "not better"
    elif power.status == FAIL:
        status, verdict = NOT_CHECKED, "within noise, and the test set is too small to decide (see test_power)"
    else:
        status, verdict = FAIL, "within noise although the test set is large enough to detect the gain"
    return GateCondition(
        name,
        FAMILY,
        status,
        f"{said}: {verdict}",
        WHY,
        measured=comparison.gain,
        threshold=0.0,
        detail=comparison.to_dict(),
    )


def beats_constant(inputs: GateInputs) -> GateCondition:
    """The candidate's test error against the best constant's, paired on the test rows."""
    from unstuck.signal import compare_to_constant

    test = inputs.test
    reference = next(inputs.splits[s].y_true for s in ("train", "dev", "test") if s in inputs.splits)
    signal = compare_to_constant(
        inputs.metric,
        test.y_true,
        test.y_pred,
        reference=reference,
        proba=test.proba,
        classes=test.classes,
        split="test",
        seed=inputs.problem.seed,
    )
    metric = inputs.metric
    on = signal.on_metric
    low, high = on.interval
    summary = (
        f"candidate {metric.format(on.model)} vs {signal.constant} {metric.format(on.constant)} on the test rows: "
        f"a gain of {metric.format_gap(on.gain)} (95% interval {metric.format_gap(low)} to {metric.format_gap(high)})"
    )
    if signal.on_brier is not None:
        brier = signal.on_brier
        summary += f"; Brier score {brier.model:.3f} vs {brier.constant:.3f}"
    summary += ": beyond noise" if signal.works else ": within noise, no better than a constant"
    return GateCondition(
        "beats_constant",
        FAMILY,
        PASS if signal.works else FAIL,
        summary,
        WHY_SIGNAL,
        measured=on.gain,
        threshold=0.0,
        detail=signal.to_dict(),
    )
