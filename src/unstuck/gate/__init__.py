"""The production gate: one go/no-go for the step from prototype to production.

``unstuck gate`` judges a candidate model's predictions (and, optionally, today's model's
on the same test rows) on conditions grouped by family — one module each:

* :mod:`~unstuck.gate.support` — the test set can support the claim (distribution, power,
  leakage, test-vs-dev overfitting);
* :mod:`~unstuck.gate.baseline` — better than the baseline on the same rows;
* :mod:`~unstuck.gate.slices` — no class or slice below its floor or worse than the baseline;
* :mod:`~unstuck.gate.calibration` — expected calibration error with an interval;
* :mod:`~unstuck.gate.budget` — latency percentiles and cost per request;
* :mod:`~unstuck.gate.modelcard` — a Markdown model card from the measured facts.

A condition whose inputs are absent is ``not_checked``, never passed.
"""

from __future__ import annotations

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition, verdict
from unstuck.gate.inputs import GateInputs, load_inputs
from unstuck.gate.result import SCHEMA, GateResult, run_gate
from unstuck.gate.settings import DEFAULTS, Floor, GateSettings, parse_floor, read_gate_card

__all__ = [
    "DEFAULTS",
    "FAIL",
    "NOT_CHECKED",
    "PASS",
    "SCHEMA",
    "Floor",
    "GateCondition",
    "GateInputs",
    "GateResult",
    "GateSettings",
    "load_inputs",
    "parse_floor",
    "read_gate_card",
    "run_gate",
    "verdict",
]
