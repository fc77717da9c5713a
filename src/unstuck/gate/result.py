"""Run every condition of the gate and gather one verdict.

:func:`run_gate` is the Python API the CLI calls: inputs and settings in, a
:class:`GateResult` out (serialised as ``unstuck.gate/1``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unstuck.gate.budget import Latency, cost_condition, latency_condition, measure_latency
from unstuck.gate.condition import FAIL, NOT_CHECKED, GateCondition, verdict
from unstuck.gate.inputs import GateInputs
from unstuck.gate.settings import GateSettings

__all__ = ["SCHEMA", "GateResult", "run_gate"]

SCHEMA = "unstuck.gate/1"


@dataclass(frozen=True)
class GateResult:
    """The verdict, every condition, and the facts a model card is written from."""

    verdict: str
    conditions: tuple[GateCondition, ...]
    settings: GateSettings
    facts: dict[str, Any]

    @property
    def failed(self) -> tuple[GateCondition, ...]:
        return tuple(c for c in self.conditions if c.status == FAIL)

    @property
    def not_checked(self) -> tuple[GateCondition, ...]:
        return tuple(c for c in self.conditions if c.status == NOT_CHECKED)

    def condition(self, name: str) -> GateCondition:
        return next(c for c in self.conditions if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        from unstuck import __version__

        return {
            "schema": SCHEMA,
            "unstuck_version": __version__,
            "verdict": self.verdict,
            "failed": [c.name for c in self.failed],
            "not_checked": [c.name for c in self.not_checked],
            "settings": self.settings.to_dict(),
            "conditions": [c.to_dict() for c in self.conditions],
            "facts": self.facts,
        }

    def to_json(self) -> dict[str, Any]:
        """:meth:`to_dict` with plain Python numbers only (numpy scalars from pandas and scipy converted)."""
        plain: dict[str, Any] = json.loads(json.dumps(self.to_dict(), default=_plain))
        return plain


def _plain(value: object) -> object:
    """A numpy scalar as the Python number or bool it holds (``json.dumps`` default)."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def run_gate(
    inputs: GateInputs,
    settings: GateSettings,
    *,
    latency_command: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> GateResult:
    """Judge the candidate in ``inputs`` on every condition; a condition without its inputs is not checked."""
    from unstuck.gate.baseline import beats_constant, better_than_baseline
    from unstuck.gate.calibration import calibration_condition
    from unstuck.gate.paired import compare_paired
    from unstuck.gate.slices import floor_condition, gate_groups, regression_condition
    from unstuck.gate.support import distribution_condition, leakage_condition, overfit_condition, power_condition
    from unstuck.metrics import estimate_error

    def step(message: str) -> None:
        if on_step is not None:
            on_step(message)

    test = inputs.test
    comparison = None
    if inputs.baseline is not None:
        comparison = compare_paired(
            inputs.metric,
            test.y_true,
            test.y_pred,
            inputs.baseline.y_pred,
            level=1.0 - settings.significance,
            seed=inputs.problem.seed,
        )
    step("comparing dev and test rows")
    distribution = distribution_condition(inputs, settings)
    power = power_condition(inputs, settings, comparison)
    conditions: list[GateCondition] = [
        distribution,
        power,
        leakage_condition(inputs),
        overfit_condition(inputs, settings),
        beats_constant(inputs),
        better_than_baseline(inputs, settings, comparison, power),
    ]
    step("searching slices")
    groups = gate_groups(inputs)
    conditions += [floor_condition(inputs, settings, groups), regression_condition(inputs, settings, groups)]
    conditions.append(calibration_condition(inputs, settings))
    latency: Latency | None = None
    if latency_command is not None:
        step(f"timing {settings.latency_runs} runs of the latency command")
        features = [c for c in inputs.features if c in test.rows.columns]
        sample = test.rows[features] if features else None
        latency = measure_latency(latency_command, settings.latency_runs, sample, seed=inputs.problem.seed)
    conditions += [latency_condition(latency, settings), cost_condition(latency, settings)]
    metric = inputs.metric
    errors = {}
    for i, (split, preds) in enumerate(sorted(inputs.splits.items())):
        est = estimate_error(metric, preds.y_true, preds.y_pred, level=1.0 - settings.significance, seed=i)
        errors[split] = {"value": est.value, "interval": list(est.interval), "rows": est.n}
    facts: dict[str, Any] = {
        "files": inputs.names,
        "task": inputs.problem.task,
        "metric": metric.to_dict(),
        "splits": {s: len(p.y_true) for s, p in sorted(inputs.splits.items())},
        "features": list(inputs.features),
        "errors": errors,
        "classes": [str(c) for c in inputs.problem.classes],
        "baseline": comparison.to_dict() if comparison is not None else None,
    }
    return GateResult(verdict(conditions), tuple(conditions), settings, facts)
