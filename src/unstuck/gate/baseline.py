"""Better than what runs today: the candidate against the baseline on the same test rows.

The gain (baseline error − candidate error) comes with its paired bootstrap interval and a
paired test (:mod:`unstuck.gate.paired`). The condition passes when the gain is positive
beyond noise. A gain within noise fails when the test set could have detected the claimed
gain (the ``test_power`` condition passed: no gain where one should show), and is left
"not checked" when it could not (that condition already fails, and saying "worse" or
"better" would read noise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition

if TYPE_CHECKING:
    from unstuck.gate.inputs import GateInputs
    from unstuck.gate.paired import PairedComparison
    from unstuck.gate.settings import GateSettings

__all__ = ["better_than_baseline"]

FAMILY = "baseline"
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
        f"candidate {metric.format(comparison.candidate)} vs baseline {metric.format(comparison.baseline)} on the "
        f"same {comparison.n:,} test rows: a gain of {metric.format_gap(comparison.gain)} ({comparison.level:.0%} "
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
