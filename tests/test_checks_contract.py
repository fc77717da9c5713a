"""The contract every registered check keeps (run over all of them, present and future)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import planted_predictions
from unstuck.context import Context
from unstuck.findings import Finding
from unstuck.problem import INPUT_MEANINGS, Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import run_checks

CHECKS = registered_checks()


def small_data_problem(frame: pd.DataFrame, seed: int = 0) -> Problem:
    return Problem.from_frames(
        frame.iloc[:300], dev=frame.iloc[300:450], test=frame.iloc[450:600], target="label", seed=seed, human_error=0.05
    )


def predictions_problem() -> Problem:
    return Problem.from_predictions(planted_predictions({"train": 0.05, "dev": 0.1, "test": 0.12}, n=300))


def test_there_are_checks_and_their_names_are_unique() -> None:
    names = [c.name for c in CHECKS]
    assert {"baselines", "decomposition"} <= set(names)
    assert len(names) == len(set(names))
    for spec in CHECKS:
        assert spec.description, f"{spec.name} has no description"
        assert all(r in INPUT_MEANINGS for r in spec.requires)


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_missing_input_gives_skipped_with_a_reason(spec: CheckSpec, tabular: pd.DataFrame) -> None:
    for problem in (small_data_problem(tabular), predictions_problem()):
        absent = [r for r in spec.requires if r not in problem.inputs]
        if not absent:
            continue
        result = run_checks(problem, Context(problem), checks=[spec])
        assert result.findings == ()
        assert [s.check for s in result.skipped] == [spec.name]
        assert result.skipped[0].reason.startswith("needs ")


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_same_seed_same_findings_json_roundtrip_and_silence(
    spec: CheckSpec, tabular: pd.DataFrame, capfd: pytest.CaptureFixture[str]
) -> None:
    ran = False
    for build in (lambda: small_data_problem(tabular, seed=7), predictions_problem):
        first, second = build(), build()
        if any(r not in first.inputs for r in spec.requires):
            continue
        one = run_checks(first, Context(first), checks=[spec])
        two = run_checks(second, Context(second), checks=[spec])
        assert not [s for s in one.skipped if s.reason.startswith("failed")], one.skipped
        assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
        for finding in one.findings:
            assert Finding.from_dict(json.loads(json.dumps(finding.to_dict()))) == finding
        json.dumps(one.sections)
        ran = True
    out, err = capfd.readouterr()
    assert out == "" and err == "", f"{spec.name} printed something"
    if not ran:
        pytest.skip(f"{spec.name} needs inputs neither planted problem has: {spec.requires}")
