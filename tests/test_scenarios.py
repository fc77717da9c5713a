"""Planted scenarios on real data (tests/scenarios.py): the right bottleneck and the right top lever."""

from __future__ import annotations

import pytest

from scenarios import SCENARIOS, Scenario
from unstuck.pipeline import diagnose_problem


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_planted_bottleneck_and_top_lever(scenario: Scenario) -> None:
    report = diagnose_problem(scenario.build())
    levers = [i.lever for i in report.interventions]
    assert report.bottleneck == scenario.bottleneck, [f.title for f in report.findings if f.severity != "info"]
    if scenario.lever:
        assert levers and levers[0] == scenario.lever, levers
    else:
        assert not [f for f in report.findings if f.severity != "info"]
    if scenario.bottleneck == "leakage":
        assert report.notices and "suspect" in report.notices[0]
    curve = report.sections.get("learning_curve")
    if scenario.curve is not None:
        # the real check's verdict on the real curve, not a property of the assertion
        assert curve is not None, "the learning curve did not run"
        assert curve["verdict"] == scenario.curve, curve["forecast"]
    if curve is not None and curve["verdict"] == "saturated":
        # advice must follow the curve: where more data will not help, more_data stays out of the top three
        assert "more_data" not in levers[:3], levers
