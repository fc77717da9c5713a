"""The contract every registered check keeps (run over all of them, present and future).

Every registered check runs on at least one planted problem that has all its inputs: a check whose
inputs no planted problem provides, or that skips itself (``SkipCheck``) on every planted problem
that has them, FAILS here (add a planted problem for it); it is never skipped silently.
The planted problems are small, so the whole file stays fast:

* ``classification data``: tables with a tag file on every dev row (error tags in data mode);
* ``regression data``: tables with a few train targets planted far off (residual outliers), and
  enough train rows for the learning curve and the capacity sweep;
* ``classification predictions``: a user's predictions with a ``tags`` column on some dev errors
  and a training log riding along;
* ``training logs``: two planted runs and nothing else (the logs-only mode).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from conftest import planted_predictions
from unstuck.assembly import build_report
from unstuck.context import Context
from unstuck.findings import BOTTLENECKS, LEVERS, SEVERITIES, Finding, Report
from unstuck.pipeline import load_problem
from unstuck.problem import INPUT_MEANINGS, Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import RunResult, run_checks
from unstuck.schemas import validate
from unstuck.training_log.synthetic import HUMAN_ERROR, planted_log

CHECKS = registered_checks()

Builder = Callable[[int], Problem]


def classification_data_problem(frame: pd.DataFrame, seed: int = 0) -> Problem:
    """The ``tabular`` fixture in three splits, with a tag file naming every dev row.

    Dev rows near the planted decision boundary are tagged ``ambiguous`` (lever redefine_task), green
    rows ``blurry`` (targeted_data), some rows both; the rest carry no tag. The table ignores correct rows.
    """
    dev = frame.iloc[300:450].reset_index(drop=True)
    margin = (2.0 * dev["x1"] - 1.5 * dev["x2"].fillna(0.0)).abs()
    near = np.where(margin < 0.6, "ambiguous", "")
    green = np.where(dev["color"] == "green", "blurry", "")
    tags = [";".join(t for t in pair if t) for pair in zip(near, green, strict=True)]
    tag_file = pd.DataFrame({"row": [f"dev-{i}" for i in range(len(dev))], "tags": tags})
    return load_problem(
        frame.iloc[:300],
        dev=dev,
        test=frame.iloc[450:600],
        target="label",
        seed=seed,
        human_error=0.05,
        tags=tag_file,
    )


def regression_data_problem(seed: int = 0) -> Problem:
    """y = 3 x1 - 2 x2 + (1 for kind 'b') + N(0, 0.5) on 900 rows; every 50th train target is planted 20 off
    (about 2 % of train: a warning). 600 train rows leave 450 beside the carved train-dev, enough for the
    learning curve and the capacity sweep (at least 400)."""
    rng = np.random.default_rng(11)
    n = 900
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    kind = rng.choice(["a", "b"], size=n)
    y = 3.0 * x1 - 2.0 * x2 + np.where(kind == "b", 1.0, 0.0) + rng.normal(scale=0.5, size=n)
    y[0:600:50] += 20.0
    frame = pd.DataFrame({"x1": x1, "x2": x2, "kind": kind, "noise": rng.normal(size=n), "y": y})
    return Problem.from_frames(
        frame.iloc[:600], dev=frame.iloc[600:750], test=frame.iloc[750:], target="y", seed=seed, human_error=0.4
    )


def predictions_problem(seed: int = 0) -> Problem:
    """Planted predictions (5/10/12 % error) whose dev errors are tagged in a ``tags`` column, with a log."""
    frame = planted_predictions({"train": 0.05, "dev": 0.1, "test": 0.12}, n=300)
    dev_errors = np.flatnonzero((frame["split"] == "dev") & (frame["y_true"] != frame["y_pred"]))
    frame["tags"] = ""
    frame.loc[dev_errors[0::3], "tags"] = "mislabeled"
    frame.loc[dev_errors[1::3], "tags"] = "none"
    return load_problem(predictions=frame, seed=seed, training_logs=[planted_log("overfitting", 3)])


def training_logs_problem(seed: int = 0) -> Problem:
    """Two planted runs and nothing else: one overfitting, one diverging."""
    logs = [planted_log("overfitting", 0), planted_log("divergence", 1)]
    return Problem.from_training_logs(logs, human_error=HUMAN_ERROR, seed=seed)


@pytest.fixture
def problems(tabular: pd.DataFrame) -> dict[str, Builder]:
    """Every planted problem, by name: a builder taking the seed."""
    return {
        "classification data": lambda seed: classification_data_problem(tabular, seed),
        "regression data": regression_data_problem,
        "classification predictions": predictions_problem,
        "training logs": training_logs_problem,
    }


def test_there_are_checks_and_their_names_are_unique() -> None:
    names = [c.name for c in CHECKS]
    assert {"baselines", "decomposition"} <= set(names)
    assert len(names) == len(set(names))
    for spec in CHECKS:
        assert spec.description, f"{spec.name} has no description"
        assert all(r in INPUT_MEANINGS for r in spec.requires)


def test_the_planted_problems_have_the_inputs_they_were_made_for(problems: dict[str, Builder]) -> None:
    inputs = {name: build(0).inputs for name, build in problems.items()}
    assert {"data", "classification", "dev", "tags"} <= inputs["classification data"]
    assert {"data", "regression", "dev"} <= inputs["regression data"]
    assert {"predictions", "classification", "dev", "tags", "training_log"} <= inputs["classification predictions"]
    assert inputs["training logs"] == {"classification", "training_log", "human_error"}


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_some_planted_problem_has_every_input_of_the_check(spec: CheckSpec, problems: dict[str, Builder]) -> None:
    having = [name for name, build in problems.items() if set(spec.requires) <= build(0).inputs]
    assert having, (
        f"no planted problem has every input of the check {spec.name!r} {spec.requires}: add one to "
        f"tests/test_checks_contract.py so that the contract covers it"
    )


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_missing_input_gives_skipped_with_a_reason(spec: CheckSpec, problems: dict[str, Builder]) -> None:
    for build in problems.values():
        problem = build(0)
        absent = [r for r in spec.requires if r not in problem.inputs]
        if not absent:
            continue
        result = run_checks(problem, Context(problem), checks=[spec])
        assert result.findings == ()
        assert result.sections == {}
        assert [s.check for s in result.skipped] == [spec.name]
        assert result.skipped[0].reason.startswith("needs ")
        for r in absent:
            assert INPUT_MEANINGS[r] in result.skipped[0].reason


def assert_well_formed(spec: CheckSpec, problem: Problem, run: RunResult) -> None:
    """The findings' fields, their vocabularies, and the report they make against its JSON Schema."""
    ids = [f.id for f in run.findings]
    assert len(ids) == len(set(ids)), f"{spec.name} gave the same finding id twice: {ids}"
    for finding in run.findings:
        assert finding.check == spec.name
        assert finding.id == spec.name or finding.id.startswith(f"{spec.name}."), finding.id
        assert finding.title.strip()
        assert finding.severity in SEVERITIES
        assert finding.lever is None or finding.lever in LEVERS, finding.lever
        assert finding.bottleneck is None or finding.bottleneck in BOTTLENECKS, finding.bottleneck
        assert finding.expected_gain is None or math.isfinite(finding.expected_gain), finding.expected_gain
        assert Finding.from_dict(json.loads(json.dumps(finding.to_dict()))) == finding
    assert set(run.sections) <= {spec.name}
    document = json.loads(json.dumps(build_report(problem, run).to_dict()))
    validate(document)
    assert Report.from_dict(document).to_dict() == document


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_runs_same_seed_same_findings_well_formed_and_silent(
    spec: CheckSpec, problems: dict[str, Builder], capfd: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []
    for name, build in problems.items():
        first, second = build(7), build(7)
        if any(r not in first.inputs for r in spec.requires):
            continue
        one = run_checks(first, Context(first), checks=[spec])
        two = run_checks(second, Context(second), checks=[spec])
        assert not [s for s in one.skipped if s.reason.startswith("failed")], (name, one.skipped)
        assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings], name
        assert_well_formed(spec, first, one)
        if not one.skipped:
            ran.append(name)
    out, err = capfd.readouterr()
    assert out == "" and err == "", f"{spec.name} printed something"
    assert ran, f"{spec.name} skipped itself (SkipCheck) on every planted problem that has its inputs"


@pytest.mark.parametrize(
    ("check", "problem", "expected"),
    [
        ("error_tags", "classification data", {"error_tags.ambiguous": ("redefine_task", None)}),
        ("error_tags", "classification predictions", {"error_tags.mislabeled": ("fix_labels", "label_noise")}),
        ("residual_outliers", "regression data", {"residual_outliers.train": ("fix_labels", "label_noise")}),
        (
            "training_log.overfitting",
            "classification predictions",
            {"training_log.overfitting": ("regularize", "variance")},
        ),
        (
            "training_log.overfitting",
            "training logs",
            {"training_log.overfitting.overfitting_0": ("regularize", "variance")},
        ),
        (
            "training_log.divergence",
            "training logs",
            {"training_log.divergence.divergence_1": ("tune_learning_rate", "training_instability")},
        ),
        ("training_log.runs", "training logs", {"training_log.runs.best_run": (None, None)}),
    ],
)
def test_the_planted_problems_reach_the_checks_they_were_made_for(
    check: str, problem: str, expected: dict[str, tuple[str | None, str | None]], problems: dict[str, Builder]
) -> None:
    """The checks no other planted problem reaches give findings with levers, so the contract above checks them."""
    planted = problems[problem](0)
    spec = next(s for s in CHECKS if s.name == check)
    run = run_checks(planted, Context(planted), checks=[spec])
    assert run.skipped == ()
    got = {f.id: (f.lever, f.bottleneck) for f in run.findings}
    assert {k: got.get(k) for k in expected} == expected, got
    if check == "residual_outliers":
        # Every planted target (and no other row) is flagged: |y - (3 x1 - 2 x2 + [kind == b])| is 20 there.
        train = planted.frames["train"]
        signal = 3.0 * train["x1"] - 2.0 * train["x2"] + (train["kind"] == "b")
        assert run.sections[check]["flagged"] == int(((train["y"] - signal).abs() > 10).sum()) > 0
