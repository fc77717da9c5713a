"""`unstuck try`: variants change one variable, verdicts are noise-aware, manual levers get instructions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from unstuck.context import Context
from unstuck.findings import Intervention, NextExperiment, Report
from unstuck.problem import Problem
from unstuck.tryout import _paired_gain_draws, _reweight_to_dev, try_intervention


def report_with(*levers: str) -> Report:
    items = tuple(
        Intervention(
            rank=i,
            lever=lever,
            action="a",
            why="w",
            expected_gain=0.02,
            findings=("f",),
            next_experiment=NextExperiment(hypothesis="h", change="c"),
        )
        for i, lever in enumerate(levers, start=1)
    )
    return Report(
        unstuck_version="t",
        task="classification",
        metric={"name": "error_rate", "lower_is_better": True},
        splits={},
        errors={},
        decomposition={},
        bottleneck="variance",
        findings=(),
        interventions=items,
        skipped=(),
    )


@pytest.fixture
def noisy_problem() -> Problem:
    """Label = x1 > 0 with 25% of labels flipped, plus 30 pure-noise features: LightGBM overfits."""
    rng = np.random.default_rng(1)
    n = 1500
    frame = pd.DataFrame(rng.normal(size=(n, 31)), columns=[f"x{i}" for i in range(1, 32)])
    label = (frame["x1"] > 0).astype(int).to_numpy()
    flip = rng.random(n) < 0.25
    frame["y"] = np.where(flip, 1 - label, label)
    return Problem.from_frames(frame.iloc[:1000], dev=frame.iloc[1000:], target="y", seed=0)


def test_paired_verdict_on_planted_losses() -> None:
    problem = Problem.from_predictions(
        pd.DataFrame({"split": ["dev"] * 4, "y_true": [0, 1, 0, 1], "y_pred": [0, 1, 1, 0]})
    )
    rng = np.random.default_rng(0)
    before = (rng.random(2000) < 0.20).astype(float)
    real = np.where(rng.random(2000) < 0.5, 0.0, before)  # fixes half the errors: gain 10 points
    draws = _paired_gain_draws(problem, before, real)
    realised = before.mean() - real.mean()  # about 0.10
    low, high = np.quantile(draws, [0.025, 0.975])
    assert 0.05 < low < realised < high < 0.15
    assert high - low < 0.04
    same = _paired_gain_draws(problem, before, before)
    assert np.all(same == 0.0)


def test_regularize_changes_one_setting_and_is_judged(noisy_problem: Problem) -> None:
    ctx = Context(noisy_problem)
    outcome = try_intervention(noisy_problem, report_with("regularize"), 1, ctx=ctx)
    assert outcome.automatic
    assert len(outcome.changed) == 1
    assert outcome.before == pytest.approx(ctx.ladder.best_rung.errors["dev"])
    assert outcome.gain == pytest.approx(outcome.before - outcome.after)
    low, high = outcome.interval
    assert low <= outcome.gain <= high
    assert outcome.verdict == ("gain" if low > 0 else "worse" if high < 0 else "within_noise")


def test_manual_levers_get_instructions(noisy_problem: Problem) -> None:
    outcome = try_intervention(noisy_problem, report_with("bigger_dev_set"), 1)
    assert not outcome.automatic and outcome.verdict == "manual"
    assert "dev set" in outcome.instructions and "Change exactly one thing" in outcome.instructions


def test_unknown_rank_is_a_clear_error(noisy_problem: Problem) -> None:
    from unstuck.errors import ConfigError

    with pytest.raises(ConfigError, match="ranks 1 to 1"):
        try_intervention(noisy_problem, report_with("regularize"), 5)
    # a rank given as text is named as such, not reported as a rank the diagnosis lacks
    with pytest.raises(ConfigError, match=r"The option rank \(N of unstuck try N\) is '1', but it must be the whole"):
        try_intervention(noisy_problem, report_with("regularize"), "1")  # type: ignore[arg-type]
    # no report ranks from 0: the declared range refuses it before the report is read
    with pytest.raises(ConfigError, match=r"rank \(N of unstuck try N\) is 0, outside its range \(at least 1\)"):
        try_intervention(noisy_problem, report_with("regularize"), 0)


def test_importance_weights_favour_dev_like_rows() -> None:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(0.0, 1.0, 2000), "y": rng.integers(0, 2, 2000)})
    dev = pd.DataFrame({"x": rng.normal(1.5, 1.0, 600), "y": rng.integers(0, 2, 600)})
    problem = Problem.from_frames(train, dev=dev, target="y", seed=0)
    variant = _reweight_to_dev(problem, Context(problem), "gradient_boosting")
    weights = variant.weights
    assert weights is not None and weights.mean() == pytest.approx(1.0)
    x = problem.frames["train"]["x"].to_numpy()
    # Rows in dev's region (x > 1.5) weigh several times more than rows far from it (x < -0.5).
    assert weights[x > 1.5].mean() > 3 * weights[x < -0.5].mean()


def test_cli_try_after_demo_records_in_the_ledger(tmp_path: Path) -> None:
    assert run_cli(["demo", "-q"], cwd=tmp_path).returncode == 0
    result = run_cli(["try", "1", "--json", "try.json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outcome = json.loads((tmp_path / "try.json").read_text())
    assert outcome["lever"] == "regularize" and outcome["automatic"]
    assert "Recorded as experiment 1" in result.stdout
    shown = run_cli(["show", "1"], cwd=tmp_path)
    assert shown.returncode == 0 and "C: 1" in shown.stdout


def test_cli_try_without_a_diagnosis(tmp_path: Path) -> None:
    result = run_cli(["try", "1"], cwd=tmp_path)
    assert result.returncode == 2 and "unstuck diagnose" in result.stderr and "Traceback" not in result.stderr


def test_leaked_rows_are_the_ones_dropped() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(900, 4)), columns=list("abcd"))
    frame["y"] = (frame["a"] + frame["b"] > 0).astype(int)
    train, dev = frame.iloc[:600], frame.iloc[600:]
    leaked = dev.iloc[:50]
    problem = Problem.from_frames(pd.concat([train, leaked]), dev=dev, target="y", seed=0)
    from unstuck.tryout import _drop_leaked_rows

    variant = _drop_leaked_rows(problem, Context(problem), "gradient_boosting")
    assert variant.keep_train is not None
    kept = problem.frames["train"].loc[variant.keep_train]
    # Every copy of a dev row that landed in train (not in train-dev) is gone, nothing else.
    in_train = problem.frames["train"].merge(leaked, how="inner").shape[0]
    assert int((~variant.keep_train).sum()) == in_train > 0
    assert kept.merge(dev, how="inner").empty


def test_flagged_labels_are_mostly_the_flipped_ones() -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(1200, 3)), columns=list("abc"))
    frame["y"] = (frame["a"] > 0).astype(int)
    flipped = np.zeros(1200, dtype=bool)
    flipped[rng.choice(900, size=60, replace=False)] = True
    frame["was_flipped"] = flipped
    frame.loc[flipped, "y"] = 1 - frame.loc[flipped, "y"]
    problem = Problem.from_frames(frame.iloc[:900], dev=frame.iloc[900:], target="y", seed=0, drop=["was_flipped"])
    from unstuck.tryout import _drop_flagged_labels

    variant = _drop_flagged_labels(problem, Context(problem), "gradient_boosting")
    assert variant.keep_train is not None
    train_positions = problem.frames["train"].index  # frames are re-indexed; match through the features
    merged = problem.frames["train"].merge(frame[["a", "b", "c", "was_flipped"]], on=["a", "b", "c"], how="left")
    assert len(merged) == len(train_positions)
    dropped = ~variant.keep_train
    precision = merged.loc[dropped, "was_flipped"].mean()
    recall = merged.loc[dropped, "was_flipped"].sum() / merged["was_flipped"].sum()
    assert precision > 0.7 and recall > 0.7
